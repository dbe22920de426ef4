//! The fold: one normalisation for aliases and for text.
//!
//! NFKC, Traditional→Simplified Chinese, Unicode case folding (unless case-sensitive), and a
//! hyphen between Latin words read as a space. The same function folds dictionary aliases and
//! article prose, and keeps a map from folded offsets back to the input, so what is matched and
//! what is reported never disagree.
//!
//! The whole corpus goes through [`fold`], so it is built for speed: ASCII runs take a byte
//! loop, and every other BMP character is one look-up in a table built once
//! ([`std::sync::LazyLock`]) that already holds NFKC, Traditional→Simplified and the case fold
//! of that character. Only where NFKC can combine characters (a combining mark, a Hangul jamo)
//! is a short segment normalised as a whole.
//!
//! The exact steps, in order:
//! 1. NFKC, segment by segment (a segment starts at a character that is NFKC-stable and does
//!    not combine with what precedes it), so offsets stay exact.
//! 2. Traditional→Simplified, one character to one character, from the single-character table
//!    of OpenCC (`ferrous-opencc`, `t2s`); phrase conversions are left out on purpose: they
//!    would change lengths and break the offset map.
//! 3. Case fold (when asked): the *simple* fold, `char::to_lowercase` when it gives exactly one
//!    character, else the character unchanged (`İ` stays `İ`), plus final sigma `ς` → `σ`.
//!    One character to one character keeps offsets exact and is what matching needs.
//! 4. Any Unicode dash or hyphen between two Latin letters or digits becomes a space
//!    (`Proof-of-Work` = `Proof of Work`).
//! 5. Every run of whitespace becomes one space.
//! 6. Invisible format characters that only split words (soft hyphen, zero-width space, word
//!    joiner, BOM) are dropped.

use std::ops::Range;
use std::sync::LazyLock;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// A folded text with the map back to the input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// For each byte of `text`, the byte offset in the input of the character (or NFKC
    /// segment) it came from. Non-decreasing.
    map: Vec<u32>,
    /// Length of the input in bytes.
    input_len: usize,
}

impl Folded {
    /// Input byte offset where folded byte `at` comes from (`input_len` at the end).
    pub fn source_start(&self, at: usize) -> usize {
        match self.map.get(at) {
            Some(&o) => o as usize,
            None => self.input_len,
        }
    }

    /// Input byte offset where a folded range ending (exclusively) at `end` ends: the end of
    /// the input character (or NFKC segment) that folded byte `end - 1` came from.
    pub fn source_end(&self, end: usize) -> usize {
        if end == 0 {
            return self.source_start(0);
        }
        if end >= self.map.len() {
            return self.input_len;
        }
        let last = self.map[end - 1];
        let mut j = end;
        while j < self.map.len() && self.map[j] == last {
            j += 1;
        }
        self.source_start(j)
    }

    /// The input byte range a folded byte range comes from.
    pub fn source_range(&self, r: Range<usize>) -> Range<usize> {
        self.source_start(r.start)..self.source_end(r.end)
    }

    /// Whether folded offset `at` falls between two input characters (or NFKC segments), not
    /// inside the expansion of one (`㎏` folds to `kg`; offset 1 is inside it).
    pub fn is_source_boundary(&self, at: usize) -> bool {
        at == 0 || at >= self.map.len() || self.map[at - 1] != self.map[at]
    }

    /// For each byte of [`Folded::text`], the input byte offset of the character (or NFKC
    /// segment) it came from; non-decreasing.
    pub fn map(&self) -> &[u32] {
        &self.map
    }

    /// Length of the input in bytes.
    pub fn input_len(&self) -> usize {
        self.input_len
    }
}

/// Folds `s` (see the module documentation for the steps). With `case_fold` false, case is
/// kept (for case-sensitive aliases).
///
/// Offsets are stored as `u32`: an input longer than 4 GiB is folded up to its last character
/// that starts below 4 GiB.
pub fn fold(s: &str, case_fold: bool) -> Folded {
    let mut folded = Folded::default();
    fold_into(s, case_fold, &mut folded);
    folded
}

/// [`fold`] into `folded`, reusing its buffers: the matcher folds every section of the corpus,
/// and a kept buffer spares two allocations (one of four bytes per input byte) per section.
pub fn fold_into(s: &str, case_fold: bool, folded: &mut Folded) {
    let s = truncate_to_u32(s);
    let tables = &*TABLES;
    let mut out = std::mem::take(&mut folded.text);
    let mut map = std::mem::take(&mut folded.map);
    out.clear();
    map.clear();
    out.reserve(s.len() + 8);
    map.reserve(s.len() + 8);
    let mut f = Folder {
        out,
        map,
        last: None,
        table: if case_fold {
            &tables.folded
        } else {
            &tables.cased
        },
        tables,
        case_fold,
    };
    let bytes = s.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    // A character decoded ahead (as the neighbour of the previous one) and its length.
    let mut ahead: Option<(char, usize)> = None;
    while i < n {
        if bytes[i] < 0x80 {
            let mut j = i + 1;
            while j < n && bytes[j] < 0x80 {
                j += 1;
            }
            // An ASCII character is a safe segment start; its segment is itself unless the
            // next character combines with it (a combining mark after a letter).
            let end = if j < n && !is_safe_start(decode(bytes, j).0, tables) {
                j - 1
            } else {
                j
            };
            f.ascii_run(s, i, end);
            i = end;
            if end == j {
                continue;
            }
        }
        let (c, len) = ahead.take().unwrap_or_else(|| decode(bytes, i));
        let mut j = i + len;
        while j < n && bytes[j] >= 0x80 {
            let (d, dl) = decode(bytes, j);
            if is_safe_start(d, tables) {
                if j == i + len {
                    ahead = Some((d, dl));
                }
                break;
            }
            j += dl;
        }
        if j == i + len {
            f.one(s, i, c);
        } else {
            ahead = None;
            f.segment(s, i, j);
        }
        i = j;
    }
    folded.text = f.out;
    folded.map = f.map;
    folded.input_len = s.len();
}

/// Folds an alias or term the way [`fold`] folds text, trimmed of surrounding spaces.
pub fn fold_str(s: &str, case_fold: bool) -> String {
    let f = fold(s, case_fold);
    f.text.trim_matches(' ').to_string()
}

/// Whether `c` is a Latin letter or an ASCII digit: the characters that make a word in the
/// word-boundary rule of the matcher and in the hyphen rule of the fold. (After NFKC every
/// digit that matters is ASCII.)
pub fn is_latin_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    matches!(c as u32,
        0x00C0..=0x00D6 | 0x00D8..=0x00F6 | 0x00F8..=0x02AF | 0x1D00..=0x1DBF
        | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0xAB30..=0xAB6F
        | 0xFB00..=0xFB06 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A)
        && c.is_alphabetic()
}

/// Whether `c` is a dash or hyphen (Unicode `Dash` punctuation commonly used between words).
pub fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2212}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{FF0D}'
                | '\u{2E3A}'
                | '\u{2E3B}'
    )
}

/// Whether `c` is dropped by the fold: invisible characters that only mark word-break
/// opportunities (soft hyphen, zero-width space, word joiner, BOM).
pub fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// Traditional→Simplified of one character (the character itself when it has no simplified
/// form, or when its simplified form is not one character).
pub fn t2s_char(c: char) -> char {
    TABLES.t2s(c)
}

fn truncate_to_u32(s: &str) -> &str {
    if s.len() <= u32::MAX as usize {
        return s;
    }
    let mut end = u32::MAX as usize;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Decodes the character starting at byte `i` of valid UTF-8 (a `str`'s bytes).
#[inline]
fn decode(b: &[u8], i: usize) -> (char, usize) {
    let b0 = b[i] as u32;
    let cont = |k: usize| (b[i + k] as u32) & 0x3F;
    let (cp, len) = if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | cont(1), 2)
    } else if b0 < 0xF0 {
        (((b0 & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
        (
            ((b0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        )
    };
    (char::from_u32(cp).unwrap_or('\u{FFFD}'), len)
}

/// ASCII bytes the fold does more than lowercase: whitespace and the hyphen.
#[inline]
fn is_ascii_special(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | b'-')
}

#[inline]
fn is_safe_start(c: char, t: &Tables) -> bool {
    let u = c as u32;
    if u < 0x80 {
        true
    } else if u < 0x10000 {
        t.folded[u as usize] & SAFE != 0
    } else {
        safe_start_slow(c)
    }
}

/// Whether NFKC can never combine `c` with what precedes it: its compatibility decomposition
/// starts with a starter that composes with nothing before it. Then the text may be cut before
/// `c` and each piece normalised alone.
fn safe_start_slow(c: char) -> bool {
    let mut first = None;
    unicode_normalization::char::decompose_compatible(c, |d| {
        first.get_or_insert(d);
    });
    let f = first.unwrap_or(c);
    canonical_combining_class(f) == 0 && is_nfkc_quick(std::iter::once(f)) != IsNormalized::Maybe
}

// Table entry layout: low 21 bits a char (or an index into `expansions` when EXPANSION is
// set); flags above.
const VALUE: u32 = 0x1F_FFFF;
const EXPANSION: u32 = 1 << 24;
const SAFE: u32 = 1 << 25;
const SPACE: u32 = 1 << 26;
const DASH: u32 = 1 << 27;
const DROP: u32 = 1 << 28;

struct Tables {
    /// BMP: NFKC + T2S + case fold of each character alone.
    folded: Vec<u32>,
    /// BMP: NFKC + T2S, case kept.
    cased: Vec<u32>,
    /// Multi-character results of NFKC (`…` → `...`), indexed by entries with EXPANSION.
    expansions: Vec<Box<str>>,
    /// Traditional→Simplified, sorted by source char (all planes).
    t2s: Vec<(char, char)>,
}

impl Tables {
    fn t2s(&self, c: char) -> char {
        match self.t2s.binary_search_by_key(&c, |&(k, _)| k) {
            Ok(i) => self.t2s[i].1,
            Err(_) => c,
        }
    }
}

/// The tables, decoded from [`PRECOMPUTED`] (a fraction of a millisecond); built from
/// OpenCC and Unicode data only if that blob does not decode (tens of milliseconds).
static TABLES: LazyLock<Tables> =
    LazyLock::new(|| decode_tables(PRECOMPUTED).unwrap_or_else(build_tables));

/// [`build_tables`]' result, serialised by [`encode_tables`]: building it at start-up costs
/// tens of milliseconds (OpenCC's dictionaries, NFKC of every BMP character), all of it on
/// the critical path of a run. The test `precomputed_tables_are_current` rebuilds it and fails
/// when it is stale; `KGX_WRITE_TABLES=1 cargo test --lib precomputed_tables` rewrites it.
static PRECOMPUTED: &[u8] = include_bytes!("text_tables.bin");

/// Format tag of [`encode_tables`]' output.
const TABLES_MAGIC: &[u8; 8] = b"kgxfold1";

/// The entry of BMP character `u` when the fold leaves it alone: the character itself, safe to
/// cut before. [`encode_tables`] stores only the entries that differ from it.
fn plain_entry(u: u32) -> u32 {
    u | SAFE
}

/// Serialises `t`: magic, then the BMP entries that are not [`plain_entry`] (index, folded,
/// cased), the expansions (length, UTF-8) and the T2S pairs, every number a little-endian
/// `u32`.
#[cfg(test)]
fn encode_tables(t: &Tables) -> Vec<u8> {
    let mut out = TABLES_MAGIC.to_vec();
    let put = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    let odd: Vec<u32> = (0..0x10000u32)
        .filter(|&u| {
            let plain = plain_entry(u);
            t.folded[u as usize] != plain || t.cased[u as usize] != plain
        })
        .collect();
    put(&mut out, odd.len() as u32);
    for u in odd {
        put(&mut out, u);
        put(&mut out, t.folded[u as usize]);
        put(&mut out, t.cased[u as usize]);
    }
    put(&mut out, t.expansions.len() as u32);
    for e in &t.expansions {
        put(&mut out, e.len() as u32);
        out.extend_from_slice(e.as_bytes());
    }
    put(&mut out, t.t2s.len() as u32);
    for &(a, b) in &t.t2s {
        put(&mut out, a as u32);
        put(&mut out, b as u32);
    }
    out
}

/// Reads [`encode_tables`]' output; `None` if it is not well formed.
fn decode_tables(bytes: &[u8]) -> Option<Tables> {
    let mut rest = bytes.strip_prefix(TABLES_MAGIC.as_slice())?;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, tail) = rest.split_at_checked(n)?;
        rest = tail;
        Some(head)
    };
    fn num(b: Option<&[u8]>) -> Option<u32> {
        Some(u32::from_le_bytes(b?.try_into().ok()?))
    }
    let mut folded: Vec<u32> = (0..0x10000u32).map(plain_entry).collect();
    let mut cased = folded.clone();
    let n = num(take(4))?;
    for _ in 0..n {
        let u = num(take(4))? as usize;
        *folded.get_mut(u)? = num(take(4))?;
        *cased.get_mut(u)? = num(take(4))?;
    }
    let n = num(take(4))?;
    let mut expansions = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let len = num(take(4))? as usize;
        expansions.push(Box::from(std::str::from_utf8(take(len)?).ok()?));
    }
    let n = num(take(4))?;
    let mut t2s = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let a = char::from_u32(num(take(4))?)?;
        let b = char::from_u32(num(take(4))?)?;
        t2s.push((a, b));
    }
    if !rest.is_empty() || !t2s.is_sorted() {
        return None;
    }
    Some(Tables {
        folded,
        cased,
        expansions,
        t2s,
    })
}

/// Builds the T2S character table from OpenCC's converter: every CJK ideograph, each on its own
/// line so no phrase rule can fire, converted in one call; characters whose conversion is one
/// other character are kept.
fn build_t2s() -> Vec<(char, char)> {
    let Ok(cc) = ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s)
    else {
        return Vec::new();
    };
    let ranges = [
        0x3400u32..=0x4DBF,
        0x4E00..=0x9FFF,
        0xF900..=0xFAFF,
        0x20000..=0x2FFFF,
    ];
    let chars: Vec<char> = ranges
        .iter()
        .flat_map(|r| r.clone())
        .filter_map(char::from_u32)
        .collect();
    let mut input = String::with_capacity(chars.len() * 5);
    for &c in &chars {
        input.push(c);
        input.push('\n');
    }
    let output = cc.convert(&input);
    let lines: Vec<&str> = output.split('\n').collect();
    if lines.len() != chars.len() + 1 {
        return Vec::new();
    }
    let mut table = Vec::new();
    for (&c, line) in chars.iter().zip(&lines) {
        let mut it = line.chars();
        if let (Some(d), None) = (it.next(), it.next()) {
            if d != c {
                table.push((c, d));
            }
        }
    }
    table.sort_unstable();
    table
}

fn simple_lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if c == 'ς' {
        return 'σ';
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn build_tables() -> Tables {
    let t2s = build_t2s();
    let mut t = Tables {
        folded: vec![0; 0x10000],
        cased: vec![0; 0x10000],
        expansions: Vec::new(),
        t2s,
    };
    let mut expansion_index = std::collections::HashMap::<String, u32>::new();
    for u in 0..0x10000u32 {
        let Some(c) = char::from_u32(u) else {
            // Surrogates never occur in a `str`.
            continue;
        };
        let mut flags = 0;
        if safe_start_slow(c) {
            flags |= SAFE;
        }
        if is_ignorable(c) {
            t.folded[u as usize] = flags | DROP;
            t.cased[u as usize] = flags | DROP;
            continue;
        }
        let nfkc: String = std::iter::once(c).nfkc().collect();
        for case_fold in [true, false] {
            let mapped: String = nfkc
                .chars()
                .map(|c| {
                    let c = t.t2s(c);
                    if case_fold {
                        simple_lower(c)
                    } else {
                        c
                    }
                })
                .collect();
            let mut it = mapped.chars();
            let entry = match (it.next(), it.next()) {
                (Some(d), None) => {
                    let mut e = flags | d as u32;
                    if d.is_whitespace() {
                        e |= SPACE;
                    } else if is_dash(d) {
                        e |= DASH;
                    }
                    e
                }
                _ => {
                    let next = expansion_index.len() as u32;
                    let idx = *expansion_index.entry(mapped.clone()).or_insert_with(|| {
                        t.expansions.push(mapped.clone().into_boxed_str());
                        next
                    });
                    flags | EXPANSION | idx
                }
            };
            if case_fold {
                t.folded[u as usize] = entry;
            } else {
                t.cased[u as usize] = entry;
            }
        }
    }
    t
}

/// Appends `len` (1 to 4) copies of `src` to the offset map: a fixed four-entry copy then a
/// truncation, which compiles to two stores instead of a `memcpy` call of variable length.
#[inline]
fn push_map(map: &mut Vec<u32>, src: u32, len: usize) {
    let n = map.len() + len;
    map.extend_from_slice(&[src; 4]);
    map.truncate(n);
}

struct Folder<'t> {
    out: String,
    map: Vec<u32>,
    /// Last character pushed (after folding), for whitespace collapsing and the hyphen rule.
    last: Option<char>,
    table: &'t [u32],
    tables: &'t Tables,
    case_fold: bool,
}

impl Folder<'_> {
    #[inline]
    fn push(&mut self, c: char, src: usize) {
        if c.is_whitespace() {
            if self.last == Some(' ') {
                return;
            }
            self.out.push(' ');
            self.map.push(src as u32);
            self.last = Some(' ');
            return;
        }
        self.out.push(c);
        let src = src as u32;
        push_map(&mut self.map, src, c.len_utf8());
        self.last = Some(c);
    }

    /// The hyphen rule: a dash at `i` (of byte length `len`) between Latin letters or digits.
    fn dash_is_space(&self, s: &str, i: usize, len: usize) -> bool {
        if !self.last.is_some_and(is_latin_alnum) {
            return false;
        }
        self.next_folded(s, i + len).is_some_and(is_latin_alnum)
    }

    /// First folded character of the input from byte `at` on, skipping dropped characters.
    fn next_folded(&self, s: &str, at: usize) -> Option<char> {
        s[at..]
            .chars()
            .find(|&c| !is_ignorable(c))
            .and_then(|c| self.first_folded(c))
    }

    /// First character of the fold of `c` alone.
    fn first_folded(&self, c: char) -> Option<char> {
        let u = c as u32;
        if u < 0x80 {
            return Some(c);
        }
        if u < 0x10000 {
            let e = self.table[u as usize];
            if e & DROP != 0 {
                return None;
            }
            if e & EXPANSION != 0 {
                return self.tables.expansions[(e & VALUE) as usize].chars().next();
            }
            return char::from_u32(e & VALUE);
        }
        Some(c)
    }

    /// A run of ASCII characters, each its own segment: plain stretches are copied and
    /// lowercased in bulk.
    fn ascii_run(&mut self, s: &str, i: usize, end: usize) {
        let bytes = s.as_bytes();
        let mut k = i;
        while k < end {
            if is_ascii_special(bytes[k]) {
                self.ascii(s, k);
                k += 1;
                continue;
            }
            let mut m = k + 1;
            while m < end && !is_ascii_special(bytes[m]) {
                m += 1;
            }
            let start = self.out.len();
            self.out.push_str(&s[k..m]);
            if self.case_fold {
                self.out[start..].make_ascii_lowercase();
            }
            self.map.extend(k as u32..m as u32);
            let last = bytes[m - 1];
            self.last = Some(if self.case_fold {
                last.to_ascii_lowercase()
            } else {
                last
            } as char);
            k = m;
        }
    }

    #[inline]
    fn ascii(&mut self, s: &str, i: usize) {
        let b = s.as_bytes()[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => self.push(' ', i),
            b'-' if self.dash_is_space(s, i, 1) => self.push(' ', i),
            _ => {
                let c = if self.case_fold {
                    b.to_ascii_lowercase()
                } else {
                    b
                };
                self.out.push(c as char);
                self.map.push(i as u32);
                self.last = Some(c as char);
            }
        }
    }

    /// One character that is a segment by itself.
    fn one(&mut self, s: &str, i: usize, c: char) {
        let u = c as u32;
        if u >= 0x10000 {
            return self.segment(s, i, i + c.len_utf8());
        }
        let e = self.table[u as usize];
        if e & (EXPANSION | SPACE | DASH | DROP) == 0 {
            if let Some(d) = char::from_u32(e & VALUE) {
                self.out.push(d);
                let src = i as u32;
                push_map(&mut self.map, src, d.len_utf8());
                self.last = Some(d);
            }
        } else if e & DROP != 0 {
        } else if e & SPACE != 0 {
            self.push(' ', i);
        } else if e & DASH != 0 {
            if self.dash_is_space(s, i, c.len_utf8()) {
                self.push(' ', i);
            } else if let Some(d) = char::from_u32(e & VALUE) {
                self.push(d, i);
            }
        } else {
            let idx = (e & VALUE) as usize;
            let exp = &self.tables.expansions[idx];
            for d in exp.chars() {
                self.push(d, i);
            }
        }
    }

    /// A segment that NFKC may combine (or a supplementary-plane character) at `base` in `s`:
    /// normalised as a whole; mapped character by character when that gives the same result.
    fn segment(&mut self, s: &str, base: usize, end: usize) {
        let seg = &s[base..end];
        let whole: String = seg.nfkc().collect();
        let mut pieces = Vec::new();
        let mut joined = String::new();
        for (k, c) in seg.char_indices() {
            let start = joined.len();
            joined.extend(std::iter::once(c).nfkc());
            pieces.push((base + k, start..joined.len()));
        }
        let mut chars: Vec<(char, usize)> = Vec::new();
        if joined == whole {
            for (src, r) in pieces {
                chars.extend(joined[r].chars().map(|c| (c, src)));
            }
        } else {
            chars.extend(whole.chars().map(|c| (c, base)));
        }
        chars.retain(|&(c, _)| !is_ignorable(c));
        for k in 0..chars.len() {
            let (c, src) = chars[k];
            let c = self.tables.t2s(c);
            let c = if self.case_fold { simple_lower(c) } else { c };
            if is_dash(c) && self.last.is_some_and(is_latin_alnum) {
                let next = match chars.get(k + 1) {
                    Some(&(n, _)) => Some(n),
                    None => self.next_folded(s, end),
                };
                if next.is_some_and(is_latin_alnum) {
                    self.push(' ', src);
                    continue;
                }
            }
            self.push(c, src);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> String {
        fold(s, true).text
    }

    #[test]
    fn ascii_lowercase_and_spaces() {
        assert_eq!(f("Hello   World\n\tX"), "hello world x");
        assert_eq!(fold("Hello", false).text, "Hello");
    }

    #[test]
    fn nfkc_full_width() {
        assert_eq!(f("ＮＦＴ"), "nft");
        assert_eq!(f("（DeFi）"), "(defi)");
    }

    #[test]
    fn traditional_to_simplified() {
        assert_eq!(f("區塊鏈"), "区块链");
        assert_eq!(f("区块链"), "区块链");
    }

    #[test]
    fn hyphen_between_latin_words() {
        assert_eq!(f("Proof-of-Work"), "proof of work");
        assert_eq!(f("Proof–of—Work"), "proof of work");
        assert_eq!(f("a - b"), "a - b");
        assert_eq!(f("区块-链"), "区块-链");
        assert_eq!(f("x-"), "x-");
    }

    #[test]
    fn map_points_back() {
        let s = "ＮＦＴ 區塊鏈  Proof-of-Work";
        let fo = fold(s, true);
        let i = fo.text.find("区块链").unwrap();
        let r = fo.source_range(i..i + "区块链".len());
        assert_eq!(&s[r], "區塊鏈");
        let r = fo.source_range(0..3);
        assert_eq!(&s[r], "ＮＦＴ");
        let i = fo.text.find("proof").unwrap();
        let r = fo.source_range(i..fo.text.len());
        assert_eq!(&s[r], "Proof-of-Work");
    }

    #[test]
    fn combining_marks_compose() {
        let s = "cafe\u{301} x";
        let fo = fold(s, true);
        assert_eq!(fo.text, "café x");
        let r = fo.source_range(0..fo.text.find(' ').unwrap());
        assert_eq!(&s[r], "cafe\u{301}");
    }

    #[test]
    fn expansions_are_not_split() {
        let fo = fold("1㎏", true);
        assert_eq!(fo.text, "1kg");
        assert!(fo.is_source_boundary(1));
        assert!(!fo.is_source_boundary(2));
        assert_eq!(fo.source_end(2), "1㎏".len());
    }

    #[test]
    fn case_fold_is_simple() {
        assert_eq!(f("ΣΑΣ"), "σασ");
        assert_eq!(f("İ"), "İ");
        assert_eq!(f("Straße"), "straße");
    }

    #[test]
    fn precomputed_tables_are_current() {
        let built = encode_tables(&build_tables());
        if std::env::var_os("KGX_WRITE_TABLES").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/text_tables.bin");
            std::fs::write(path, &built).expect("write src/text_tables.bin");
            return;
        }
        assert!(
            built == PRECOMPUTED,
            "src/text_tables.bin is stale: rewrite it with \
             KGX_WRITE_TABLES=1 cargo test --lib precomputed_tables"
        );
        let decoded = decode_tables(PRECOMPUTED).expect("src/text_tables.bin decodes");
        assert_eq!(encode_tables(&decoded), built);
    }

    #[test]
    fn malformed_tables_do_not_decode() {
        assert!(decode_tables(b"").is_none());
        assert!(decode_tables(&PRECOMPUTED[..PRECOMPUTED.len() - 1]).is_none());
        let mut longer = PRECOMPUTED.to_vec();
        longer.push(0);
        assert!(decode_tables(&longer).is_none());
    }

    #[test]
    fn ignorable_dropped() {
        assert_eq!(f("Block\u{AD}chain"), "blockchain");
    }
}
