//! Segmentation: jieba-rs terms for keywords.
//!
//! One [`Segmenter`] per run, shared read-only by every thread (`Jieba` is `Send + Sync`). It
//! knows every CJK dictionary alias as a user word, so segmentation never cuts an entity
//! (`区块链` stays whole), and it drops those aliases from the terms it returns: a keyword that
//! is an entity is that entity, never a second node. Only term counts leave this module; the
//! IDF is fitted on the corpus at the merge.
//!
//! jieba's whole dictionary (349 045 words) takes ~75 ms of one core to load. A small run
//! instead loads the part its text can reach ([`Segmenter::fitted`]), which cuts that text
//! exactly as the whole one does.

use crate::document::is_cjk;
use jieba_rs::Jieba;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::collections::hash_map::Entry;

/// jieba's default dictionary, loading on a thread of its own: a run that will segment starts
/// it first thing, so the tens of milliseconds it takes overlap with reading dictionaries and
/// files.
#[derive(Debug)]
pub struct Preloaded(std::thread::JoinHandle<Jieba>);

impl Preloaded {
    /// Starts loading.
    pub fn start() -> Preloaded {
        Preloaded(std::thread::spawn(Jieba::new))
    }
}

/// Segments prose into countable terms.
pub struct Segmenter {
    jieba: Jieba,
    /// Folded entity aliases and the stop words: never terms. One set, so a candidate term
    /// costs one look-up.
    excluded: FxHashSet<Box<str>>,
    /// How many of `excluded` are aliases (for `Debug`).
    aliases: usize,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter")
            .field("aliases", &self.aliases)
            .finish()
    }
}

impl Segmenter {
    /// A segmenter with jieba's default dictionary plus `aliases` as user words.
    pub fn new<'a>(aliases: impl IntoIterator<Item = &'a str>) -> Self {
        Segmenter::with_jieba(Jieba::new(), aliases)
    }

    /// A segmenter on jieba's dictionary loaded by `preloaded`, plus `aliases` as user words.
    pub fn from_preloaded<'a>(
        preloaded: Preloaded,
        aliases: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let jieba = preloaded.0.join().unwrap_or_else(|_| Jieba::new());
        Segmenter::with_jieba(jieba, aliases)
    }

    /// A segmenter that cuts `texts` exactly as [`Segmenter::new`] does, built on the part of
    /// jieba's dictionary that can be cut from them: much quicker to build for a small run
    /// (a few posts: under a tenth of the time), no quicker once the texts reach most of the
    /// dictionary. Other texts may be cut differently, since words they need may be missing.
    ///
    /// A word of the dictionary can be cut from a text only if every pair of adjacent
    /// characters of the word occurs in it (and a one-character word only if its character
    /// does), and jieba looks words up only among the substrings of what it cuts: the words
    /// kept are all it can find. The frequencies of the words left out are made up by one word
    /// that cannot occur, so every probability has the same denominator as with the whole
    /// dictionary. `aliases`, added as user words, are cut too (jieba cuts a word to suggest
    /// its frequency), so their characters count as text.
    pub fn fitted<'a>(texts: &[&str], aliases: impl IntoIterator<Item = &'a str>) -> Self {
        let aliases: Vec<&str> = aliases.into_iter().collect();
        let mut seen = CharPairs::of(texts);
        for alias in &aliases {
            seen.add(alias);
        }
        let jieba = fitted_jieba(&seen).unwrap_or_default();
        Segmenter::with_jieba(jieba, aliases)
    }

    fn with_jieba<'a>(mut jieba: Jieba, aliases: impl IntoIterator<Item = &'a str>) -> Self {
        let mut folded = FxHashSet::default();
        for alias in aliases {
            let key = term_key(alias);
            if key.is_empty() {
                continue;
            }
            if alias.chars().any(is_cjk) && !alias.chars().any(char::is_whitespace) {
                jieba.add_word(alias, None, None);
            }
            folded.insert(key.into_boxed_str());
        }
        let aliases = folded.len();
        folded.extend(STOP_WORDS.iter().map(|&w| Box::from(w)));
        Segmenter {
            jieba,
            excluded: folded,
            aliases,
        }
    }

    /// Counts the terms of `texts`, sorted by term. A term is a word of two or more CJK
    /// characters, or a Latin word of three or more letters (lower-cased); stop words, numbers
    /// and entity aliases are left out.
    pub fn terms<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Vec<(String, u32)> {
        // Borrowed keys: only a word that needs lower-casing is copied, and only the first time
        // it is seen.
        let mut counts: FxHashMap<Cow<'a, str>, u32> = FxHashMap::default();
        let mut lower = String::new();
        for text in texts {
            for token in self.jieba.cut(text, true) {
                // Most tokens are one character (punctuation, a space, a lone ideograph), and
                // a term has two or more: told by the length of the first one.
                if is_one_char(token.word.as_bytes()) {
                    continue;
                }
                let word = trim(token.word);
                let Some(upper) = classify(word) else {
                    continue;
                };
                if !upper {
                    // The common case: the token is its own key, borrowed. One hashing for a
                    // term seen before in this article (it is not excluded), two for a new one.
                    match counts.entry(Cow::Borrowed(word)) {
                        Entry::Occupied(mut seen) => *seen.get_mut() += 1,
                        Entry::Vacant(new) => {
                            if !self.excluded.contains(word) {
                                new.insert(1);
                            }
                        }
                    }
                    continue;
                }
                if word.is_ascii() {
                    lower.clear();
                    lower.push_str(word);
                    lower.make_ascii_lowercase();
                } else {
                    lower = word.to_lowercase();
                }
                if let Some(n) = counts.get_mut(lower.as_str()) {
                    *n += 1;
                } else if !self.excluded.contains(lower.as_str()) {
                    counts.insert(Cow::Owned(lower.clone()), 1);
                }
            }
        }
        let mut terms: Vec<(String, u32)> = counts
            .into_iter()
            .map(|(t, n)| (t.into_owned(), n))
            .collect();
        terms.sort_unstable();
        terms
    }
}

/// jieba's default dictionary, `word frequency tag` per line: the file jieba-rs embeds, kept
/// in `dictionaries/jieba/` so that [`Segmenter::fitted`] can read it without building it.
static JIEBA_DICT: &str = include_str!("../dictionaries/jieba/dict.txt");

/// The sum of the frequencies of [`JIEBA_DICT`]: jieba divides every word's frequency by it.
const JIEBA_DICT_TOTAL: u64 = 60_101_964;

/// The characters of some texts and the pairs of characters adjacent in them.
struct CharPairs {
    /// Pairs with a character beyond ASCII.
    pairs: FxHashSet<u64>,
    /// A bit per pair of ASCII characters (most pairs of a blog's Markdown, and quicker so).
    ascii: Vec<u64>,
    /// A bit per Unicode scalar value.
    chars: Vec<u64>,
}

#[inline]
fn set_bit(bits: &mut [u64], i: usize) {
    bits[i >> 6] |= 1 << (i & 63);
}

#[inline]
fn bit(bits: &[u64], i: usize) -> bool {
    bits[i >> 6] & (1 << (i & 63)) != 0
}

/// `(a, b)` as one key: 21 bits each.
#[inline]
fn pair(a: char, b: char) -> u64 {
    (u64::from(a) << 21) | u64::from(b)
}

impl CharPairs {
    fn new() -> Self {
        CharPairs {
            pairs: FxHashSet::default(),
            ascii: vec![0; 128 * 128 / 64],
            chars: vec![0; (char::MAX as usize >> 6) + 1],
        }
    }

    /// The characters and pairs of `texts`, collected in parallel on the current rayon pool:
    /// one set per thread (each set is large, and merging them costs), merged at the end.
    fn of(texts: &[&str]) -> Self {
        use rayon::prelude::*;
        let per_thread = texts.len().div_ceil(rayon::current_num_threads()).max(1);
        texts
            .par_chunks(per_thread)
            .map(|chunk| {
                let mut seen = CharPairs::new();
                for text in chunk {
                    seen.add(text);
                }
                seen
            })
            .reduce(CharPairs::new, CharPairs::union)
    }

    fn add(&mut self, text: &str) {
        let mut chars = text.chars();
        let Some(mut prev) = chars.next() else {
            return;
        };
        set_bit(&mut self.chars, prev as usize);
        for c in chars {
            set_bit(&mut self.chars, c as usize);
            self.insert(prev, c);
            prev = c;
        }
    }

    #[inline]
    fn insert(&mut self, a: char, b: char) {
        if a.is_ascii() && b.is_ascii() {
            set_bit(&mut self.ascii, (a as usize) << 7 | b as usize);
        } else {
            self.pairs.insert(pair(a, b));
        }
    }

    #[inline]
    fn contains(&self, a: char, b: char) -> bool {
        if a.is_ascii() && b.is_ascii() {
            bit(&self.ascii, (a as usize) << 7 | b as usize)
        } else {
            self.pairs.contains(&pair(a, b))
        }
    }

    fn union(mut self, mut other: CharPairs) -> CharPairs {
        if self.pairs.len() < other.pairs.len() {
            std::mem::swap(&mut self, &mut other);
        }
        self.pairs.extend(other.pairs);
        for (a, b) in self.ascii.iter_mut().zip(&other.ascii) {
            *a |= b;
        }
        for (a, b) in self.chars.iter_mut().zip(&other.chars) {
            *a |= b;
        }
        self
    }

    fn has_char(&self, c: char) -> bool {
        bit(&self.chars, c as usize)
    }

    /// Whether `word` could be cut from the texts: its characters, pair by pair, occur in them.
    fn may_hold(&self, word: &str) -> bool {
        let mut chars = word.chars();
        let Some(mut prev) = chars.next() else {
            return false;
        };
        let mut one = true;
        for c in chars {
            if !self.contains(prev, c) {
                return false;
            }
            one = false;
            prev = c;
        }
        !one || self.has_char(prev)
    }
}

/// The lines of [`JIEBA_DICT`] whose word `seen` may hold, and the sum of their frequencies.
fn fitted_lines(dict: &str, seen: &CharPairs) -> (String, u64) {
    let mut kept = String::new();
    let mut total = 0;
    for line in dict.lines() {
        // `word freq tag`: the word ends at the first space, the frequency at the next.
        let Some(space) = memchr::memchr(b' ', line.as_bytes()) else {
            continue;
        };
        if seen.may_hold(&line[..space]) {
            kept.push_str(line);
            kept.push('\n');
            let freq = line[space + 1..].split(' ').next().unwrap_or("");
            total += freq.parse::<u64>().unwrap_or(0);
        }
    }
    (kept, total)
}

/// jieba on the words of its dictionary that `seen` may hold, and one word `seen` cannot,
/// which carries the frequency of all the others. `None` in the cases that cannot happen but
/// would not be exact (no such word; the lines not loading).
fn fitted_jieba(seen: &CharPairs) -> Option<Jieba> {
    use rayon::prelude::*;
    // The dictionary in pieces cut at line ends, filtered in parallel, kept in order.
    const PIECES: usize = 8;
    let mut pieces = Vec::with_capacity(PIECES);
    let mut rest = JIEBA_DICT;
    for k in (1..PIECES).rev() {
        let at = rest.len() / (k + 1);
        let end = memchr::memchr(b'\n', &rest.as_bytes()[at..]).map_or(rest.len(), |i| at + i + 1);
        let (piece, after) = rest.split_at(end);
        pieces.push(piece);
        rest = after;
    }
    pieces.push(rest);
    let parts: Vec<(String, u64)> = pieces
        .par_iter()
        .map(|piece| fitted_lines(piece, seen))
        .collect();
    let mut lines = String::with_capacity(parts.iter().map(|p| p.0.len()).sum::<usize>() + 16);
    let mut total = 0;
    for (text, sum) in &parts {
        lines.push_str(text);
        total += sum;
    }
    let missing = JIEBA_DICT_TOTAL.saturating_sub(total);
    if missing > 0 {
        // A private-use character twice, never seen so in the texts: a word never cut.
        let never = ('\u{E000}'..='\u{F8FF}')
            .chain('\u{F0000}'..='\u{FFFFD}')
            .find(|&c| !seen.contains(c, c))?;
        lines.push_str(&format!("{never}{never} {missing} x\n"));
    }
    let mut jieba = Jieba::empty();
    jieba.load_dict(&mut lines.as_bytes()).ok()?;
    Some(jieba)
}

/// Whether UTF-8 `bytes` hold exactly one character (or none).
#[inline]
fn is_one_char(bytes: &[u8]) -> bool {
    let width = match bytes.first() {
        None => return true,
        Some(&b) if b < 0xC0 => 1,
        Some(&b) if b < 0xE0 => 2,
        Some(&b) if b < 0xF0 => 3,
        Some(_) => 4,
    };
    bytes.len() == width
}

/// `str::trim`, with a fast path for the common token whose first and last characters cannot
/// be whitespace.
#[inline]
fn trim(word: &str) -> &str {
    let bytes = word.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return word;
    };
    // The lead byte of the last character: at most three continuation bytes back.
    let lead = if last < 0x80 {
        last
    } else {
        match bytes.iter().rev().take(4).find(|&&b| b & 0xC0 != 0x80) {
            Some(&b) => b,
            None => return word.trim(),
        }
    };
    if may_start_whitespace(first) || may_start_whitespace(lead) {
        word.trim()
    } else {
        word
    }
}

/// Whether a character whose UTF-8 encoding starts with `lead` may be whitespace: ASCII
/// whitespace, or a lead byte of U+0085, U+00A0 (`C2`), U+1680 (`E1`), U+2000–U+205F (`E2`) or
/// U+3000 (`E3`), the only other `White_Space` characters. Ideographs (`E4`–`E9`) never are.
#[inline]
fn may_start_whitespace(lead: u8) -> bool {
    if lead < 0x80 {
        (lead as char).is_whitespace()
    } else {
        matches!(lead, 0xC2 | 0xE1 | 0xE2 | 0xE3)
    }
}

/// Whether a trimmed token has the shape of a term (before the stop-word and alias check):
/// `None` if not, else whether it needs lower-casing.
#[inline]
fn classify(word: &str) -> Option<bool> {
    let bytes = word.as_bytes();
    // A term has at least two characters: one byte is never one.
    if bytes.len() < 2 {
        return None;
    }
    if bytes.is_ascii() {
        // Latin only: three letters or more, starting with a letter; digits, `-`, `.`, `_`
        // allowed.
        if !bytes[0].is_ascii_alphabetic() {
            return None;
        }
        let mut latin = 0usize;
        let mut upper = false;
        for &b in bytes {
            if b.is_ascii_alphabetic() {
                latin += 1;
                upper |= b.is_ascii_uppercase();
            } else if !(b.is_ascii_digit() || b == b'-' || b == b'.' || b == b'_') {
                return None;
            }
        }
        return (latin >= 3).then_some(upper);
    }
    // The most common term: two or more ideographs of the main CJK block (U+4E00–U+9FFF),
    // three bytes each, told by their first two bytes.
    if bytes.len() >= 6
        && bytes.len() % 3 == 0
        && bytes
            .chunks_exact(3)
            .all(|c| matches!(c[0], 0xE5..=0xE9) || (c[0] == 0xE4 && c[1] >= 0xB8))
    {
        return Some(false);
    }
    // A term starts with a CJK character or a letter and has two characters or more: most
    // tokens (punctuation, single ideographs) stop here.
    let mut it = word.chars();
    let first = it.next()?;
    it.next()?;
    if !is_cjk(first) && !first.is_alphabetic() {
        return None;
    }
    let mut cjk = 0usize;
    let mut latin = 0usize;
    let mut chars = 0usize;
    let mut upper = false;
    for c in word.chars() {
        chars += 1;
        if is_cjk(c) {
            cjk += 1;
        } else if c.is_alphabetic() {
            latin += 1;
            upper |= !c.is_lowercase();
        } else if !(c.is_ascii_digit() || c == '-' || c == '.' || c == '_') {
            return None;
        }
    }
    let ok = (cjk >= 2 && latin == 0 && cjk == chars)
        || (cjk == 0 && latin >= 3 && first.is_alphabetic());
    ok.then_some(upper)
}

/// The form a term is counted under: lower-case, trimmed.
pub fn term_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Function words of Chinese and English that say nothing about a post's topic. Sorted.
static STOP_WORDS: &[&str] = &[
    "about",
    "above",
    "after",
    "again",
    "all",
    "also",
    "and",
    "any",
    "are",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "can",
    "could",
    "did",
    "does",
    "done",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "into",
    "it's",
    "its",
    "just",
    "like",
    "may",
    "might",
    "more",
    "most",
    "must",
    "nor",
    "not",
    "now",
    "off",
    "once",
    "one",
    "only",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "same",
    "shall",
    "she",
    "should",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "too",
    "under",
    "up",
    "use",
    "used",
    "using",
    "very",
    "was",
    "way",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "一下",
    "一个",
    "一些",
    "一样",
    "一次",
    "一直",
    "一种",
    "一般",
    "一起",
    "上面",
    "下面",
    "不仅",
    "不会",
    "不同",
    "不是",
    "不能",
    "不要",
    "不过",
    "为了",
    "为什么",
    "主要",
    "之一",
    "之前",
    "之后",
    "也是",
    "了解",
    "什么",
    "仍然",
    "从而",
    "他们",
    "以上",
    "以下",
    "以便",
    "以及",
    "以后",
    "以来",
    "任何",
    "任何人",
    "但是",
    "作为",
    "你们",
    "使得",
    "使用",
    "例如",
    "值得",
    "允许",
    "先前",
    "关于",
    "其中",
    "其他",
    "其实",
    "其次",
    "具有",
    "内容",
    "出现",
    "包含",
    "包括",
    "即可",
    "只是",
    "可以",
    "可能",
    "可能会",
    "各种",
    "同时",
    "同样",
    "哪些",
    "因为",
    "因此",
    "在于",
    "大家",
    "她们",
    "如下",
    "如何",
    "如图",
    "如果",
    "如此",
    "它们",
    "实现",
    "对于",
    "导致",
    "将会",
    "就是",
    "已经",
    "并且",
    "开始",
    "当然",
    "很多",
    "得到",
    "必须",
    "怎么",
    "怎样",
    "总之",
    "成为",
    "我们",
    "或者",
    "所以",
    "所有",
    "所示",
    "提供",
    "方式",
    "方面",
    "时候",
    "是否",
    "更多",
    "最后",
    "有些",
    "本文",
    "来说",
    "根据",
    "此外",
    "每个",
    "比如",
    "没有",
    "然后",
    "然而",
    "特别",
    "现在",
    "甚至",
    "由于",
    "目前",
    "看到",
    "知道",
    "等等",
    "而且",
    "而是",
    "能够",
    "自己",
    "虽然",
    "许多",
    "设置",
    "越来越",
    "还是",
    "还有",
    "这个",
    "这些",
    "这是",
    "这样",
    "这种",
    "这里",
    "进行",
    "通过",
    "那么",
    "那些",
    "里面",
    "随着",
    "需要",
    "非常",
    "首先",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The posts of `data/`, whole (front matter and Markdown included: more to cut), and
    /// texts that reach the corners: private-use characters (the made-up word), words of the
    /// dictionary with Latin letters and digits, one-character words alone.
    fn texts_to_cut() -> Vec<String> {
        let data = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data"));
        let mut texts: Vec<String> = walkdir::WalkDir::new(data)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        assert!(texts.len() > 5);
        texts.push(
            "\u{E000}\u{E000}的区块链\u{E000}\u{E000}\u{E000}，\u{E001}\u{E001}沃尔玛".into(),
        );
        texts.push("他买了一件T恤，去4S店做了B超和X光，唱卡拉OK。".into());
        texts.push("我".into());
        texts
    }

    /// jieba's total frequency, which divides every word's: from its `Debug`.
    fn total(seg: &Segmenter) -> u64 {
        let debug = format!("{:?}", seg.jieba);
        let at = debug
            .find("total_freq: ")
            .expect("jieba's Debug shows its total")
            + 12;
        let digits: String = debug[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    }

    fn cut<'a>(seg: &Segmenter, text: &'a str) -> Vec<&'a str> {
        seg.jieba
            .cut(text, true)
            .into_iter()
            .map(|t| t.word)
            .collect()
    }

    /// Fitted to some texts, jieba cuts each of them, and counts its terms, as with its whole
    /// dictionary (here the one jieba-rs embeds, not kgx's copy), entity aliases added alike.
    #[test]
    fn a_fitted_dictionary_cuts_its_texts_as_the_whole_one() {
        let dict = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let aliases = || {
            dict.entities
                .iter()
                .flat_map(|e| e.aliases.iter().map(String::as_str))
        };
        let texts = texts_to_cut();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let whole = Segmenter::new(aliases());
        let fitted = Segmenter::fitted(&refs, aliases());
        let alone: Vec<Segmenter> = refs
            .iter()
            .map(|t| Segmenter::fitted(&[t], aliases()))
            .collect();
        let mut tokens = 0;
        assert_eq!(total(&fitted), total(&whole));
        for (text, alone) in refs.iter().zip(&alone) {
            // Aliases the text does not hold add the same frequencies as with every word.
            assert_eq!(total(alone), total(&whole));
            let want = cut(&whole, text);
            assert_eq!(cut(&fitted, text), want, "{text:.40}");
            assert_eq!(cut(alone, text), want, "{text:.40}");
            let terms = whole.terms([*text]);
            assert_eq!(fitted.terms([*text]), terms);
            assert_eq!(alone.terms([*text]), terms);
            tokens += want.len();
        }
        assert!(tokens > 3_000, "{tokens}");
    }

    /// The fitted dictionary holds the words its texts may hold, and not the others.
    #[test]
    fn a_fitted_dictionary_holds_only_words_its_texts_may_hold() {
        let seg = Segmenter::fitted(&["区块链技术在中国"], []);
        for word in ["区块", "技术", "中国", "区", "在"] {
            assert!(seg.jieba.has_word(word), "{word}");
        }
        for word in ["沃尔玛", "我们", "的", "\u{E001}\u{E001}"] {
            assert!(!seg.jieba.has_word(word), "{word}");
        }
        // The made-up word that carries the frequency of the words left out.
        assert!(seg.jieba.has_word("\u{E000}\u{E000}"));
        let seg = Segmenter::fitted(&["\u{E000}\u{E000}"], []);
        assert!(!seg.jieba.has_word("\u{E000}\u{E000}"));
        assert!(seg.jieba.has_word("\u{E001}\u{E001}"));
    }

    #[test]
    fn jieba_dict_total_is_the_sum_of_its_frequencies() {
        let mut total = 0u64;
        let mut words = 0;
        for line in JIEBA_DICT.lines() {
            let fields: Vec<&str> = line.split(' ').collect();
            assert_eq!(fields.len(), 3, "{line}");
            total += fields[1].parse::<u64>().unwrap();
            words += 1;
        }
        assert_eq!(words, 349_045);
        assert_eq!(total, JIEBA_DICT_TOTAL);
    }

    #[test]
    fn stop_words_are_sorted() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[test]
    fn aliases_are_whole_words_and_never_terms() {
        let plain = Segmenter::new([]);
        let taught = Segmenter::new(["不可替代代币"]);
        let text = "不可替代代币正在改变数字艺术市场，数字艺术家很高兴";
        let plain_terms = plain.terms([text]);
        assert!(!plain_terms.iter().any(|(t, _)| t == "不可替代代币"));
        let terms = taught.terms([text]);
        assert!(!terms.iter().any(|(t, _)| t.contains("代币")), "{terms:?}");
        assert!(
            terms.iter().any(|(t, n)| t == "数字" && *n == 2)
                || terms.iter().any(|(t, _)| t == "数字艺术"),
            "{terms:?}"
        );
    }

    #[test]
    fn numbers_stop_words_and_short_latin_are_dropped() {
        let s = Segmenter::new([]);
        let terms = s.terms(["The 2024 roadmap and the API of Rust 我们 可以 123"]);
        let words: Vec<&str> = terms.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(words, vec!["api", "roadmap", "rust"]);
    }

    #[test]
    fn trim_agrees_with_str_trim() {
        let mut samples: Vec<String> = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{b}x",
            "x\u{b}",
            "区块链",
            "\u{3000}区块\u{3000}",
            "链\u{a0}",
            "\u{85}x",
            "x\u{1680}",
            "\u{2003}x\u{205f}",
            "é",
            "x\u{feff}",
            "\u{10348}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for c in (0..0x3100u32).filter_map(char::from_u32) {
            samples.push(format!("{c}"));
            samples.push(format!("a{c}"));
            samples.push(format!("{c}链"));
        }
        for s in &samples {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn one_char_is_told_by_its_first_byte() {
        for c in (0..0x3100u32)
            .chain(0x4DB0..0x4E10)
            .chain([0x9FFF, 0xFFFD, 0x10348, 0x20000])
            .filter_map(char::from_u32)
        {
            assert!(is_one_char(c.to_string().as_bytes()), "{c:?}");
            assert!(!is_one_char(format!("{c}a").as_bytes()), "{c:?}");
            assert!(!is_one_char(format!("{c}链").as_bytes()), "{c:?}");
        }
        assert!(is_one_char(b""));
    }

    #[test]
    fn ideograph_words_classify_like_other_words() {
        assert_eq!(classify("一丁"), Some(false));
        assert_eq!(classify("\u{9FFF}\u{4E00}"), Some(false));
        assert_eq!(classify("区块链"), Some(false));
        // U+4DC0–U+4DFF (hexagrams) share the first byte of the block but are no ideographs.
        assert_eq!(classify("\u{4DC0}\u{4DC1}"), None);
        assert_eq!(classify("\u{4DB5}\u{4E00}"), Some(false));
        assert_eq!(classify("区块Chain"), None);
        assert_eq!(classify("区块。"), None);
    }

    #[test]
    fn segmenter_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Segmenter>();
    }
}
