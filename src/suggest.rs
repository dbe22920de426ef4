//! Dictionary suggestions (`kgx dict suggest`): aliases and new entries mined from prose.
//!
//! Input is plain pieces of text with the article and line they come from ([`TextPiece`]), so
//! this works on document prose, on raw files, or on anything else a caller has. Three
//! sources of suggestions, all counted over the corpus (occurrences, distinct articles, and
//! the first example as `path:line`):
//!
//! 1. **Definitions** that pair a full name with a short form: `中央银行数字货币（CBDC）`,
//!    `CBDC（中央银行数字货币）`, `Decentralized Finance (DeFi)` (the English full name is the
//!    run of words whose letters spell the abbreviation, the Schwartz–Hearst algorithm). For a
//!    Chinese full name, where the name begins is not marked; the longest tail shared by most
//!    definitions of the same short form is taken (`采用工作量证明（PoW）` and
//!    `基于工作量证明（PoW）` give `工作量证明`), and for a single definition the tail after the
//!    last function word.
//! 2. **Aliases of known entities**: a definition where one side is already an alias of an
//!    entity and the other is not suggests the other as a new alias of that entity.
//! 3. **Frequent unknown terms**: Latin acronyms (`DAO`, `ERC20`), mixed-case names
//!    (`OpenSea`, `zkSync`), and capitalised words or runs of them (`Vitalik Buterin`) that the
//!    dictionary does not match, written capitalised in most of their occurrences, and found in
//!    at least [`SuggestOptions::min_articles`] articles.
//!
//! Output is deterministic: ranked by articles, then occurrences, then text.

use crate::dict::Dictionary;
use crate::matcher::Matcher;
use crate::text::{fold_str, is_latin_alnum};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

/// A piece of prose and where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct TextPiece<'a> {
    /// Article id (or any path to show in examples).
    pub article: &'a str,
    /// 1-based line where `text` starts; newlines inside `text` advance it.
    pub line: u32,
    /// The text.
    pub text: &'a str,
}

/// Knobs of [`suggest`].
#[derive(Debug, Clone)]
pub struct SuggestOptions {
    /// A frequent term is suggested when it is in at least this many articles.
    pub min_articles: usize,
    /// At most this many suggestions of each kind (0: no limit).
    pub limit: usize,
}

impl Default for SuggestOptions {
    fn default() -> Self {
        SuggestOptions {
            min_articles: 3,
            limit: 200,
        }
    }
}

/// How often and where a suggestion was seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Number of occurrences.
    pub occurrences: u32,
    /// Number of distinct articles.
    pub articles: u32,
    /// The first occurrence (articles sorted by id, then by line): `path:line`.
    pub example: String,
    /// The text seen there, e.g. `工作证明（PoW）`.
    pub context: String,
}

/// A new alias for an entity the dictionary has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AliasSuggestion {
    /// Id of the entity.
    pub entity: String,
    /// Its label.
    pub label: String,
    /// The alias to add.
    pub alias: String,
    /// The known alias it was paired with.
    pub known_alias: String,
    /// Where it was seen.
    #[serde(flatten)]
    pub evidence: Evidence,
}

/// Where a new entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntrySource {
    /// A definition pairing a full name and a short form.
    Definition,
    /// A frequent term the dictionary does not match.
    Frequent,
}

/// A new entity to consider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntrySuggestion {
    /// Proposed id (`[a-z0-9][a-z0-9._-]*`, not taken in the dictionary); empty when the
    /// names have no Latin letters to make one from.
    pub id: String,
    /// Proposed label.
    pub label: String,
    /// Proposed aliases (the label first).
    pub aliases: Vec<String>,
    /// What found it.
    pub source: EntrySource,
    /// Where it was seen.
    #[serde(flatten)]
    pub evidence: Evidence,
}

/// Everything [`suggest`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Suggestions {
    /// New aliases of known entities.
    pub aliases: Vec<AliasSuggestion>,
    /// New entities, from definitions first, then frequent terms.
    pub entries: Vec<EntrySuggestion>,
}

/// Mines `pieces` for dictionary suggestions against `dict` (and its `matcher`).
pub fn suggest(
    dict: &Dictionary,
    matcher: &Matcher,
    pieces: &[TextPiece<'_>],
    options: &SuggestOptions,
) -> Suggestions {
    let known = known_aliases(dict);
    let mut defs = Definitions::default();
    let mut terms = Terms::default();
    for piece in pieces {
        defs.scan(piece);
        terms.scan(piece, matcher);
    }
    let mut out = Suggestions::default();
    let mut taken_ids: BTreeSet<String> = dict.entities.iter().map(|e| e.id.clone()).collect();
    let mut defined: BTreeSet<String> = BTreeSet::new();

    // Resolve definitions: per short form, the full names seen with it.
    let mut alias_map: BTreeMap<(usize, String), (String, Tally)> = BTreeMap::new();
    let mut new_map: BTreeMap<String, (String, Vec<String>, Tally)> = BTreeMap::new();
    let needles: BTreeSet<String> = defs
        .by_short
        .values()
        .flat_map(|g| g.cjk_tails.keys().flat_map(|t| tail_suffixes(t)))
        .collect();
    let corpus = corpus_counts(needles, pieces);
    for (short_key, group) in &defs.by_short {
        let long_forms = resolve_long_forms(group, &corpus);
        for (long, tally) in long_forms {
            let short = &group.surface;
            let ks = known_entity(&known, matcher, short_key, &group.surface);
            let kl = known_entity(&known, matcher, &fold_str(&long, true), &long);
            match (ks, kl) {
                (Some(e), None) => add_alias(&mut alias_map, e, &long, short, tally),
                (None, Some(e)) => add_alias(&mut alias_map, e, short, &long, tally),
                (None, None) => {
                    defined.insert(short_key.clone());
                    defined.insert(fold_str(&long, true));
                    let entry = new_map
                        .entry(short_key.clone())
                        .or_insert_with(|| (short.clone(), Vec::new(), Tally::default()));
                    if !entry.1.contains(&long) {
                        entry.1.push(long.clone());
                    }
                    entry.2.absorb(tally);
                }
                (Some(_), Some(_)) => {}
            }
        }
    }
    for ((e, _), (alias, tally)) in alias_map {
        let entity = &dict.entities[e];
        out.aliases.push(AliasSuggestion {
            entity: entity.id.clone(),
            label: entity.label.clone(),
            alias,
            known_alias: tally.partner.clone(),
            evidence: tally.evidence(),
        });
    }
    rank(&mut out.aliases, |a| &a.evidence, |a| a.alias.clone());
    let mut entries = Vec::new();
    for (_, (short, longs, tally)) in new_map {
        let mut aliases = vec![short.clone()];
        aliases.extend(longs);
        let id = make_id(&aliases, &mut taken_ids);
        entries.push(EntrySuggestion {
            id,
            label: short,
            aliases,
            source: EntrySource::Definition,
            evidence: tally.evidence(),
        });
    }
    rank(&mut entries, |e| &e.evidence, |e| e.label.clone());
    let mut frequent = Vec::new();
    for (key, t) in terms.by_key {
        if known.contains_key(key.as_str())
            || defined.contains(&key)
            || defined.contains(key.trim_end_matches('s'))
        {
            continue;
        }
        let lower = terms.lowercase.get(&key).copied().unwrap_or(0);
        let capitalised = t.tally.occurrences;
        // Proper names are written capitalised nearly always; a word capitalised only at the
        // start of sentences is not one.
        if capitalised < 4 * lower || t.tally.articles.len() < options.min_articles {
            continue;
        }
        let label = t.best_surface();
        let id = make_id(std::slice::from_ref(&label), &mut taken_ids);
        frequent.push(EntrySuggestion {
            id,
            label: label.clone(),
            aliases: vec![label],
            source: EntrySource::Frequent,
            evidence: t.tally.evidence(),
        });
    }
    rank(&mut frequent, |e| &e.evidence, |e| e.label.clone());
    if options.limit > 0 {
        out.aliases.truncate(options.limit);
        entries.truncate(options.limit);
        frequent.truncate(options.limit);
    }
    out.entries = entries;
    out.entries.extend(frequent);
    out
}

impl Suggestions {
    /// A text rendering: aliases to add as comments naming the entity, new entries as
    /// `[[entity]]` tables ready to paste into a dictionary, each with its evidence.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        if self.aliases.is_empty() && self.entries.is_empty() {
            s.push_str("# no suggestions\n");
            return s;
        }
        if !self.aliases.is_empty() {
            s.push_str("# New aliases for known entities\n");
            for a in &self.aliases {
                let e = &a.evidence;
                let _ = writeln!(
                    s,
                    "# {} ({}): add {:?}  — {} occurrence(s) in {} article(s), e.g. {}: {}",
                    a.entity, a.label, a.alias, e.occurrences, e.articles, e.example, e.context
                );
            }
            s.push('\n');
        }
        for (kind, title) in [
            (EntrySource::Definition, "defined in the text"),
            (EntrySource::Frequent, "frequent terms"),
        ] {
            let list: Vec<&EntrySuggestion> =
                self.entries.iter().filter(|e| e.source == kind).collect();
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(s, "# New entries: {title}\n");
            for e in list {
                let ev = &e.evidence;
                let _ = writeln!(
                    s,
                    "# {} occurrence(s) in {} article(s), e.g. {}: {}",
                    ev.occurrences, ev.articles, ev.example, ev.context
                );
                s.push_str("[[entity]]\n");
                let _ = writeln!(
                    s,
                    "id = {}",
                    toml_str(if e.id.is_empty() { "TODO" } else { &e.id })
                );
                let _ = writeln!(s, "label = {}", toml_str(&e.label));
                let aliases: Vec<String> = e.aliases.iter().map(|a| toml_str(a)).collect();
                let _ = writeln!(s, "aliases = [{}]\n", aliases.join(", "));
            }
        }
        s
    }
}

fn toml_str(s: &str) -> String {
    // JSON string escapes are valid TOML basic-string escapes.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The entity `surface` names: an exact alias (`folded` is its fold), or else what the matcher
/// finds when it covers the whole of `surface` (`NFTs` is NFT).
fn known_entity(
    known: &HashMap<String, usize>,
    matcher: &Matcher,
    folded: &str,
    surface: &str,
) -> Option<usize> {
    if let Some(&e) = known.get(folded) {
        return Some(e);
    }
    match matcher.find(surface).as_slice() {
        [m] if m.start == 0 && m.end == surface.len() => Some(m.entity as usize),
        _ => None,
    }
}

/// Folded alias → entity index.
fn known_aliases(dict: &Dictionary) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for (i, e) in dict.entities.iter().enumerate() {
        for a in &e.aliases {
            m.entry(fold_str(a, true)).or_insert(i);
        }
    }
    m
}

fn add_alias(
    map: &mut BTreeMap<(usize, String), (String, Tally)>,
    entity: usize,
    alias: &str,
    partner: &str,
    mut tally: Tally,
) {
    tally.partner = partner.to_string();
    let entry = map
        .entry((entity, fold_str(alias, true)))
        .or_insert_with(|| (alias.to_string(), Tally::default()));
    entry.1.absorb(tally);
}

fn rank<T>(list: &mut [T], ev: impl Fn(&T) -> &Evidence, name: impl Fn(&T) -> String) {
    list.sort_by(|a, b| {
        let (ea, eb) = (ev(a), ev(b));
        eb.articles
            .cmp(&ea.articles)
            .then(eb.occurrences.cmp(&ea.occurrences))
            .then_with(|| name(a).cmp(&name(b)))
    });
}

/// An id from the first name with Latin letters: lowercase, runs of other characters → `-`;
/// made unique against `taken`.
fn make_id(names: &[String], taken: &mut BTreeSet<String>) -> String {
    let Some(base) = names.iter().map(|n| slug(n)).find(|s| !s.is_empty()) else {
        return String::new();
    };
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Counts of one suggestion.
#[derive(Debug, Clone, Default)]
struct Tally {
    occurrences: u32,
    articles: BTreeSet<String>,
    /// Smallest (article, line) seen, and the text there.
    first: Option<(String, u32, String)>,
    /// For alias suggestions: the known alias it was paired with.
    partner: String,
}

impl Tally {
    fn add(&mut self, article: &str, line: u32, context: &str) {
        self.occurrences += 1;
        if !self.articles.contains(article) {
            self.articles.insert(article.to_string());
        }
        let better = match &self.first {
            None => true,
            Some((a, l, _)) => (article, line) < (a.as_str(), *l),
        };
        if better {
            self.first = Some((article.to_string(), line, context.to_string()));
        }
    }

    fn absorb(&mut self, other: Tally) {
        self.occurrences += other.occurrences;
        self.articles.extend(other.articles);
        if let Some((a, l, c)) = other.first {
            let better = match &self.first {
                None => true,
                Some((sa, sl, _)) => (a.as_str(), l) < (sa.as_str(), *sl),
            };
            if better {
                self.first = Some((a, l, c));
            }
        }
        if self.partner.is_empty() {
            self.partner = other.partner;
        }
    }

    fn evidence(&self) -> Evidence {
        let (example, context) = match &self.first {
            Some((a, l, c)) => (format!("{a}:{l}"), c.clone()),
            None => (String::new(), String::new()),
        };
        Evidence {
            occurrences: self.occurrences,
            articles: self.articles.len() as u32,
            example,
            context,
        }
    }
}

/// The line of byte `at` of a piece.
fn line_at(piece: &TextPiece<'_>, at: usize) -> u32 {
    piece.line
        + piece.text.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32
}

// ---------------------------------------------------------------------------------------------
// Definitions

/// Full names seen with one short form (keyed by the folded short form).
#[derive(Debug, Default)]
struct ShortGroup {
    /// The short form as first written.
    surface: String,
    /// Chinese full-name candidates: the run of CJK before the parenthesis (or inside it),
    /// each with its occurrences.
    cjk_tails: BTreeMap<String, Tally>,
    /// English full names found by the Schwartz–Hearst algorithm, keyed by folded form.
    latin: BTreeMap<String, (String, Tally)>,
}

#[derive(Debug, Default)]
struct Definitions {
    by_short: BTreeMap<String, ShortGroup>,
}

/// Words that introduce a term in a parenthesis (`（英文：Decentralized Finance，简称 DeFi）`).
const PAREN_PREFIXES: &[&str] = &[
    "英文全称",
    "英文名称",
    "英文名",
    "英文",
    "英语",
    "全称",
    "简称",
    "缩写",
    "又称",
    "亦称",
    "即",
    "或称",
    "也称",
    "也叫",
    "also known as",
    "aka",
    "a.k.a.",
    "or",
    "i.e.",
    "short for",
];

/// Characters that rarely occur inside a Chinese term and often just before one.
const CJK_STOPS: &[char] = &[
    '的', '是', '为', '了', '和', '与', '及', '或', '被', '把', '将', '也', '都', '就', '而', '这',
    '那', '该', '们', '让', '给', '着', '吗', '呢', '吧', '啊', '个', '在', '于', '从', '向',
];

impl Definitions {
    fn scan(&mut self, piece: &TextPiece<'_>) {
        let text = piece.text;
        let mut search = 0;
        while let Some(rel) = text[search..].find(['(', '（']) {
            let open = search + rel;
            let open_len = if text[open..].starts_with('(') {
                1
            } else {
                '（'.len_utf8()
            };
            let inner_start = open + open_len;
            search = inner_start;
            let rest = &text[inner_start..];
            let Some(close_rel) = rest.find([')', '）', '(', '（', '\n']) else {
                continue;
            };
            if !rest[close_rel..].starts_with([')', '）']) || close_rel > 120 {
                continue;
            }
            let inner = &rest[..close_rel];
            let close_len = rest[close_rel..].chars().next().map_or(1, char::len_utf8);
            let context_start = text[..open]
                .char_indices()
                .rev()
                .nth(11)
                .map_or(0, |(i, _)| i);
            let context = &text[context_start..inner_start + close_rel + close_len];
            let line = line_at(piece, open);
            self.definition(piece.article, line, &text[..open], inner, context.trim());
        }
    }

    fn definition(&mut self, article: &str, line: u32, before: &str, inner: &str, context: &str) {
        let inner = inner.trim();
        // A list or examples in parentheses (`（如 C、JavaScript、Rust）`) define nothing.
        if ["如", "例如", "比如", "e.g.", "eg", "such as", "包括"]
            .iter()
            .any(|p| inner.starts_with(p))
        {
            return;
        }
        let parts: Vec<&str> = inner
            .split([',', '，', ';', '；', '、'])
            .map(strip_prefixes)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() > 2 {
            return;
        }
        let before_trim = before.trim_end();
        let cjk_tail = cjk_tail(before);
        for part in &parts {
            if is_abbreviation(part) {
                // `NAME（ABBR）` with a Chinese name, or `Full English Name (ABBR)`.
                if let Some(tail) = cjk_tail {
                    self.group(part)
                        .cjk_tails
                        .entry(tail.to_string())
                        .or_default()
                        .add(article, line, context);
                } else if let Some(long) = schwartz_hearst(part, before_trim) {
                    let g = self.group(part);
                    let e = g
                        .latin
                        .entry(fold_str(&long, true))
                        .or_insert_with(|| (long.clone(), Tally::default()));
                    e.1.add(article, line, context);
                }
                // Inside the same parenthesis: `（Proof of Work，PoW）`.
                for other in &parts {
                    if other != part
                        && !is_abbreviation(other)
                        && is_latin_phrase(other)
                        && initials_match(part, other)
                    {
                        let g = self.group(part);
                        let e = g
                            .latin
                            .entry(fold_str(other, true))
                            .or_insert_with(|| (other.to_string(), Tally::default()));
                        e.1.add(article, line, context);
                    }
                }
            } else if is_cjk_term(part) {
                // `CBDC（中央银行数字货币）`.
                if let Some(abbr) = latin_tail(before_trim).filter(|a| is_abbreviation(a)) {
                    self.group(abbr)
                        .cjk_tails
                        .entry(part.to_string())
                        .or_default()
                        .add(article, line, context);
                }
            }
        }
    }

    fn group(&mut self, short: &str) -> &mut ShortGroup {
        let g = self.by_short.entry(fold_str(short, true)).or_default();
        if g.surface.is_empty() {
            g.surface = short.to_string();
        }
        g
    }
}

/// Full names for one short form, with their tallies: English ones as found; the Chinese one
/// as, per definition, the longest tail that the corpus also uses on its own (its count drops
/// by half or more when one more character is taken on the left), else the longest tail
/// shared by at least half of the definitions, else the tail after the last function word
/// (up to eight characters).
fn resolve_long_forms(group: &ShortGroup, corpus: &HashMap<String, u32>) -> Vec<(String, Tally)> {
    let mut out: Vec<(String, Tally)> = group
        .latin
        .values()
        .map(|(s, t)| (s.clone(), t.clone()))
        .collect();
    let total: u32 = group.cjk_tails.values().map(|t| t.occurrences).sum();
    if total == 0 {
        return out;
    }
    let cut: Vec<(Vec<char>, &Tally)> = group
        .cjk_tails
        .iter()
        .map(|(tail, t)| (cut_at_stop(tail).chars().collect(), t))
        .collect();
    // Where the corpus says the name begins.
    let mut names: BTreeMap<String, Tally> = BTreeMap::new();
    for (chars, t) in &cut {
        if let Some(name) = name_by_corpus(chars, corpus) {
            names.entry(name).or_default().absorb((*t).clone());
        }
    }
    if let Some(best) = most_frequent(names) {
        out.push(best);
        return out;
    }
    // The tail most definitions share.
    if total >= 2 {
        for k in (2..=MAX_CJK_NAME).rev() {
            let mut counts: BTreeMap<&[char], u32> = BTreeMap::new();
            for (chars, t) in &cut {
                if chars.len() >= k {
                    *counts.entry(&chars[chars.len() - k..]).or_default() += t.occurrences;
                }
            }
            if let Some((suffix, _)) = counts
                .iter()
                .filter(|(_, &n)| 2 * n >= total && n >= 2)
                .max_by_key(|(_, &n)| n)
            {
                let mut tally = Tally::default();
                for (chars, t) in &cut {
                    if chars.ends_with(suffix) {
                        tally.absorb((*t).clone());
                    }
                }
                out.push((suffix.iter().collect(), tally));
                return out;
            }
        }
    }
    // The tail after the last function word, when short.
    let mut names: BTreeMap<String, Tally> = BTreeMap::new();
    for (chars, t) in &cut {
        if (2..=8).contains(&chars.len()) {
            names
                .entry(chars.iter().collect())
                .or_default()
                .absorb((*t).clone());
        }
    }
    out.extend(most_frequent(names));
    out
}

fn most_frequent(names: BTreeMap<String, Tally>) -> Option<(String, Tally)> {
    names
        .into_iter()
        .max_by(|a, b| a.1.occurrences.cmp(&b.1.occurrences).then(b.0.cmp(&a.0)))
}

/// Longest Chinese full names considered (characters).
const MAX_CJK_NAME: usize = 12;

/// The suffixes of `tail` whose corpus counts [`name_by_corpus`] needs.
fn tail_suffixes(tail: &str) -> Vec<String> {
    let chars: Vec<char> = cut_at_stop(tail).chars().collect();
    (2..=chars.len().min(MAX_CJK_NAME + 1))
        .map(|k| chars[chars.len() - k..].iter().collect())
        .collect()
}

/// The longest suffix of `chars` seen at least twice in the corpus whose count at least
/// halves when one more character on the left is taken: where the corpus says a term begins.
fn name_by_corpus(chars: &[char], corpus: &HashMap<String, u32>) -> Option<String> {
    let count = |k: usize| -> u32 {
        let s: String = chars[chars.len() - k..].iter().collect();
        corpus.get(&s).copied().unwrap_or(0)
    };
    for k in (2..=chars.len().min(MAX_CJK_NAME)).rev() {
        let n = count(k);
        if n < 2 {
            continue;
        }
        let longer = if k < chars.len() { count(k + 1) } else { 0 };
        if 2 * longer <= n {
            return Some(chars[chars.len() - k..].iter().collect());
        }
    }
    None
}

/// Occurrences in `pieces` of each of `needles` (overlapping).
fn corpus_counts(needles: BTreeSet<String>, pieces: &[TextPiece<'_>]) -> HashMap<String, u32> {
    let needles: Vec<String> = needles.into_iter().collect();
    let mut counts = vec![0u32; needles.len()];
    if let Ok(ac) = aho_corasick::AhoCorasick::new(&needles) {
        for p in pieces {
            for m in ac.find_overlapping_iter(p.text) {
                counts[m.pattern().as_usize()] += 1;
            }
        }
    }
    needles.into_iter().zip(counts).collect()
}

fn strip_prefixes(part: &str) -> &str {
    let mut p = part.trim();
    loop {
        let before = p;
        for pre in PAREN_PREFIXES {
            if let Some(rest) = p.strip_prefix(pre) {
                let ascii_word = pre.is_ascii();
                if !ascii_word || rest.starts_with(' ') {
                    p = rest
                        .trim_start_matches([' ', ':', '：', '"', '“', '”'])
                        .trim();
                }
            }
        }
        if p == before {
            return p.trim_matches(['"', '“', '”', '\'', '《', '》']);
        }
    }
}

/// A short form: one Latin token of 2–12 characters with at least two capitals (`DeFi`,
/// `CBDC`) or a capital and a digit (`L2`, `ERC20`).
fn is_abbreviation(s: &str) -> bool {
    let n = s.chars().count();
    if !(2..=12).contains(&n)
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return false;
    }
    let upper = s.chars().filter(char::is_ascii_uppercase).count();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    s.starts_with(|c: char| c.is_ascii_alphabetic()) && (upper >= 2 || (upper >= 1 && digits >= 1))
}

fn is_latin_phrase(s: &str) -> bool {
    s.contains(' ')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.' | '\'' | '&'))
}

fn is_cjk_term(s: &str) -> bool {
    let n = s.chars().count();
    (2..=12).contains(&n) && s.chars().all(crate::document::is_cjk)
}

/// The run of CJK characters ending `before` (at least two), if `before` ends with one.
fn cjk_tail(before: &str) -> Option<&str> {
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| crate::document::is_cjk(c))
        .last()
        .map(|(i, _)| i)?;
    let tail = &before[start..];
    (tail.chars().count() >= 2).then_some(tail)
}

fn cut_at_stop(tail: &str) -> &str {
    match tail.char_indices().rfind(|&(_, c)| CJK_STOPS.contains(&c)) {
        Some((i, c)) => &tail[i + c.len_utf8()..],
        None => tail,
    }
}

/// The Latin token ending `before` (`CBDC` in `数字货币 CBDC`).
fn latin_tail(before: &str) -> Option<&str> {
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_ascii_alphanumeric() || c == '-')
        .last()
        .map(|(i, _)| i)?;
    Some(&before[start..])
}

/// Whether the capitals of `abbr` are the initials of the words of `long`, in order.
fn initials_match(abbr: &str, long: &str) -> bool {
    schwartz_hearst(abbr, long).is_some_and(|l| l.len() * 2 >= long.len())
}

/// The Schwartz–Hearst algorithm: the shortest tail of `before` (at most
/// `min(|abbr| + 5, 2·|abbr|)` words) whose characters spell `abbr` in order, the first at the
/// start of a word.
fn schwartz_hearst(abbr: &str, before: &str) -> Option<String> {
    let letters: Vec<char> = abbr
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if letters.len() < 2 {
        return None;
    }
    // Candidate: the trailing Latin words (no CJK, no sentence punctuation).
    let max_words = (letters.len() + 5).min(letters.len() * 2);
    let region_start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '\'' | '&'))
        .last()
        .map(|(i, _)| i)?;
    let region = before[region_start..].trim();
    let words: Vec<&str> = region.split_whitespace().collect();
    let words = &words[words.len().saturating_sub(max_words)..];
    let long: String = words.join(" ");
    let chars: Vec<char> = long.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut s = letters.len() as isize - 1;
    let mut l = chars.len() as isize - 1;
    while s >= 0 {
        let c = letters[s as usize];
        while l >= 0
            && (chars[l as usize] != c
                || (s == 0 && l > 0 && chars[l as usize - 1].is_ascii_alphanumeric()))
        {
            l -= 1;
        }
        if l < 0 {
            return None;
        }
        l -= 1;
        s -= 1;
    }
    let start = (l + 1) as usize;
    let result: String = chars[start..].iter().collect();
    // Map back to the original case (ASCII lowercasing keeps char positions).
    let original: String = long.chars().skip(start).collect();
    debug_assert_eq!(original.to_ascii_lowercase(), result);
    let first_word = original.split_whitespace().next()?;
    if original.split_whitespace().count() < 2 || first_word.eq_ignore_ascii_case(abbr) {
        return None;
    }
    Some(original)
}

// ---------------------------------------------------------------------------------------------
// Frequent terms

#[derive(Debug, Default)]
struct Term {
    surfaces: BTreeMap<String, u32>,
    tally: Tally,
}

impl Term {
    fn best_surface(&self) -> String {
        self.surfaces
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(s, _)| s.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Default)]
struct Terms {
    by_key: BTreeMap<String, Term>,
    /// Folded word → occurrences written all in lowercase.
    lowercase: HashMap<String, u32>,
}

/// English words that are capitalised for grammar, not because they are names.
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "in", "on", "at", "for", "to", "of", "and",
    "or", "but", "if", "when", "with", "by", "from", "as", "is", "are", "was", "were", "be", "it",
    "its", "we", "our", "you", "your", "they", "their", "he", "she", "his", "her", "i", "my",
    "what", "why", "how", "who", "which", "where", "there", "here", "not", "no", "yes", "all",
    "some", "one", "so", "do", "can", "will", "more", "most", "new", "also",
];

impl Terms {
    fn scan(&mut self, piece: &TextPiece<'_>, matcher: &Matcher) {
        let text = piece.text;
        let matched = matcher.find(text);
        let covered = |s: usize, e: usize| matched.iter().any(|m| m.start < e && s < m.end);
        // Latin words with their byte ranges.
        let mut words: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            let word_char = is_latin_alnum(c);
            match (start, word_char) {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    words.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        let mut i = 0;
        while i < words.len() {
            let (s, e) = words[i];
            let w = &text[s..e];
            if w.chars().all(|c| !c.is_uppercase()) {
                *self.lowercase.entry(fold_str(w, true)).or_default() += 1;
                i += 1;
                continue;
            }
            if !is_name_word(w) {
                i += 1;
                continue;
            }
            // A run of name words separated by single spaces: `Vitalik Buterin`.
            let mut j = i + 1;
            while j < words.len()
                && j - i < 4
                && &text[words[j - 1].1..words[j].0] == " "
                && is_name_word(&text[words[j].0..words[j].1])
            {
                j += 1;
            }
            let (rs, re) = (words[i].0, words[j - 1].1);
            let term = &text[rs..re];
            if !covered(rs, re) {
                let key = fold_str(term, true);
                if !(j == i + 1 && STOPWORDS.contains(&key.as_str())) {
                    let t = self.by_key.entry(key).or_default();
                    *t.surfaces.entry(term.to_string()).or_default() += 1;
                    let line = line_at(piece, rs);
                    t.tally.add(piece.article, line, term);
                }
            }
            i = j;
        }
    }
}

/// A word that may be (part of) a name: capitalised, an acronym or mixed case, at least two
/// characters, not all digits.
fn is_name_word(w: &str) -> bool {
    w.chars().count() >= 2
        && w.chars().any(char::is_alphabetic)
        && w.chars().any(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dict::{load, DictSource};

    fn dict() -> Dictionary {
        let text =
            "[[entity]]\nid = \"pow\"\nlabel = \"PoW\"\naliases = [\"PoW\", \"Proof of Work\"]\n\
                    [[entity]]\nid = \"defi\"\nlabel = \"DeFi\"\naliases = [\"DeFi\"]\n";
        load(&[DictSource {
            path: "t.toml".into(),
            text: text.into(),
        }])
        .unwrap()
    }

    fn run(pieces: &[TextPiece<'_>], min_articles: usize) -> Suggestions {
        let d = dict();
        let m = Matcher::new(&d);
        suggest(
            &d,
            &m,
            pieces,
            &SuggestOptions {
                min_articles,
                limit: 0,
            },
        )
    }

    #[test]
    fn schwartz_hearst_takes_the_initials_words() {
        assert_eq!(
            schwartz_hearst("DeFi", "we call it Decentralized Finance").as_deref(),
            Some("Decentralized Finance")
        );
        assert_eq!(
            schwartz_hearst("CBDC", "the Central Bank Digital Currency").as_deref(),
            Some("Central Bank Digital Currency")
        );
        assert_eq!(schwartz_hearst("NFT", "nothing here"), None);
    }

    #[test]
    fn cjk_definition_gives_new_entry() {
        let p = [
            TextPiece {
                article: "a.md",
                line: 3,
                text: "央行正在研究中央银行数字货币（CBDC）的设计。",
            },
            TextPiece {
                article: "b.md",
                line: 1,
                text: "中央银行数字货币与稳定币不同，中央银行数字货币由央行发行。",
            },
        ];
        let s = run(&p, 1);
        let e = s
            .entries
            .iter()
            .find(|e| e.label == "CBDC")
            .expect("CBDC suggested");
        assert_eq!(e.aliases, ["CBDC", "中央银行数字货币"]);
        assert_eq!(e.id, "cbdc");
        assert_eq!(e.evidence.example, "a.md:3");
    }

    #[test]
    fn shared_tail_picks_the_name() {
        let p = [
            TextPiece {
                article: "a.md",
                line: 1,
                text: "比特币采用工作证明（PoW）机制",
            },
            TextPiece {
                article: "b.md",
                line: 7,
                text: "它基于工作证明（PoW）。",
            },
        ];
        let s = run(&p, 1);
        assert_eq!(s.aliases.len(), 1, "{s:?}");
        let a = &s.aliases[0];
        assert_eq!((a.entity.as_str(), a.alias.as_str()), ("pow", "工作证明"));
        assert_eq!((a.evidence.occurrences, a.evidence.articles), (2, 2));
        assert_eq!(a.evidence.example, "a.md:1");
    }

    #[test]
    fn english_definition_of_known_abbreviation() {
        let p = [TextPiece {
            article: "a.md",
            line: 1,
            text: "This is Decentralized Finance (DeFi) at work.",
        }];
        let s = run(&p, 1);
        assert_eq!(s.aliases.len(), 1, "{s:?}");
        assert_eq!(s.aliases[0].alias, "Decentralized Finance");
    }

    #[test]
    fn frequent_terms_need_articles_and_capitals() {
        let texts = [
            "Uniswap 和 OpenSea 都很火",
            "Uniswap 的 DAO 治理",
            "OpenSea 上的 DAO。Uniswap!",
            "The end. PoW",
        ];
        let p: Vec<TextPiece<'_>> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| TextPiece {
                article: ["a", "b", "c", "d"][i],
                line: 1,
                text: t,
            })
            .collect();
        let s = run(&p, 2);
        let labels: Vec<&str> = s.entries.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["Uniswap", "DAO", "OpenSea"]);
        assert!(s.to_text().contains("[[entity]]\nid = \"uniswap\""));
    }

    #[test]
    fn lines_advance_inside_a_piece() {
        let p = [TextPiece {
            article: "a.md",
            line: 10,
            text: "x\ny\n中央银行数字货币（CBDC）",
        }];
        let s = run(&p, 1);
        assert_eq!(s.entries[0].evidence.example, "a.md:12");
    }
}
