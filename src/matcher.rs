//! The matcher: every alias of every entity, one pass of an aho-corasick automaton.
//!
//! Built once per run from a [`crate::dict::Dictionary`], then shared read-only by all threads.
//! Word boundaries, plural endings, case sensitivity and context terms are checked on top of
//! the automaton's overlapping matches, then leftmost-longest selection runs over the valid
//! candidates, so a rejected longer match never hides a valid shorter one.
//!
//! The automaton runs over the *folded* text ([`crate::text::fold`]) and holds folded aliases,
//! so NFKC, Traditional→Simplified, case and hyphen/space are settled before it runs; the
//! fold's offset map turns every match back into a range of the original text. Context terms
//! are patterns of the same automaton, so one pass finds both; they obey the same word
//! boundaries (`Mac` is not in `MacBook`) and endings.

use crate::dict::Dictionary;
use crate::text::{fold_into, fold_str, is_ignorable, is_latin_alnum, Folded};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::cell::RefCell;
use std::collections::HashMap;

/// One entity mention in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Match {
    /// Index of the entity in [`crate::dict::Dictionary::entities`].
    pub entity: u32,
    /// Byte range in the matched text (not the folded text).
    pub start: usize,
    /// End of the byte range (exclusive).
    pub end: usize,
}

/// What one automaton pattern (a unique folded string) stands for.
#[derive(Debug, Default)]
struct Key {
    /// The pattern starts with a Latin letter or digit: needs a word boundary before it.
    latin_start: bool,
    /// The pattern ends with a Latin letter or digit: needs a word boundary (or a plural or
    /// possessive ending) after it.
    latin_end: bool,
    /// Entities with this alias; for a case-sensitive entity, the alias folded without the case
    /// fold, which the text must equal.
    aliases: Vec<(u32, Option<Box<str>>)>,
    /// This string is a context term (index into the terms).
    context: Option<u32>,
}

/// The compiled matcher. `Send + Sync`: build once, share by reference.
#[derive(Debug)]
pub struct Matcher {
    automaton: AhoCorasick,
    keys: Vec<Key>,
    /// For each entity, the context terms one of which must be present (empty: none needed).
    context: Vec<Vec<u32>>,
}

/// One valid candidate, in folded offsets.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    start: usize,
    /// End including a plural or possessive ending.
    end: usize,
    /// Length of that ending.
    suffix: usize,
    entity: u32,
}

/// Up to this many bytes of patterns, the automaton is a DFA.
const DFA_MAX_PATTERN_BYTES: usize = 64 * 1024;

/// Below this many bytes of text to match (Markdown, of which prose is about 70 %), a run gets
/// the contiguous NFA even when a DFA would fit: the shipped dictionaries' DFA takes ~15 ms to
/// build (and 16 MB) and saves ~2 ms per MB of prose matched, so it pays from ~10 MB of text.
pub const DFA_MIN_TEXT_BYTES: u64 = 8 << 20;

/// English plural and possessive endings that may follow an alias ending in a Latin letter or
/// digit; the match then includes them. Longest first.
const ENDINGS: &[&str] = &["'s", "\u{2019}s", "es", "s"];

impl Matcher {
    /// Compiles the aliases and context terms of `dict`.
    ///
    /// # Panics
    ///
    /// Only if the automaton exceeds aho-corasick's size limits (billions of states), which no
    /// dictionary that fits in memory reaches.
    pub fn new(dict: &Dictionary) -> Matcher {
        Matcher::for_text(dict, None)
    }

    /// [`Matcher::new`] for a run that will match about `text_bytes` bytes of text (`None`:
    /// unknown, or unbounded): the automaton kind is picked for the fastest build plus
    /// matching. Matches are the same whatever the kind.
    ///
    /// # Panics
    ///
    /// As [`Matcher::new`].
    pub fn for_text(dict: &Dictionary, text_bytes: Option<u64>) -> Matcher {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut keys: Vec<Key> = Vec::new();
        let mut slot = |s: String, keys: &mut Vec<Key>, patterns: &mut Vec<String>| -> usize {
            *index.entry(s.clone()).or_insert_with(|| {
                let first = s.chars().next();
                let last = s.chars().next_back();
                keys.push(Key {
                    latin_start: first.is_some_and(is_latin_alnum),
                    latin_end: last.is_some_and(is_latin_alnum),
                    ..Key::default()
                });
                patterns.push(s);
                keys.len() - 1
            })
        };
        let mut terms: HashMap<String, u32> = HashMap::new();
        let mut context = Vec::with_capacity(dict.entities.len());
        for (ei, e) in dict.entities.iter().enumerate() {
            for alias in &e.aliases {
                let folded = fold_str(alias, true);
                if folded.is_empty() {
                    continue;
                }
                let k = slot(folded, &mut keys, &mut patterns);
                let cased = e
                    .case_sensitive
                    .then(|| fold_str(alias, false).into_boxed_str());
                let entry = (ei as u32, cased);
                if !keys[k].aliases.contains(&entry) {
                    keys[k].aliases.push(entry);
                }
            }
            let mut ids = Vec::new();
            for term in &e.context {
                let folded = fold_str(term, true);
                if folded.is_empty() {
                    continue;
                }
                let next = terms.len() as u32;
                let t = *terms.entry(folded.clone()).or_insert(next);
                let k = slot(folded, &mut keys, &mut patterns);
                keys[k].context = Some(t);
                ids.push(t);
            }
            ids.sort_unstable();
            ids.dedup();
            context.push(ids);
        }
        // A DFA is two to three times faster than the contiguous NFA, but its size grows with
        // states × byte classes: worth it for dictionaries up to a few thousand aliases
        // (≈ 10 MB at 2 000 aliases), not for 100 000.
        let pattern_bytes: usize = patterns.iter().map(String::len).sum();
        let little_text = text_bytes.is_some_and(|b| b < DFA_MIN_TEXT_BYTES);
        let kind = if pattern_bytes <= DFA_MAX_PATTERN_BYTES && !little_text {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(&patterns)
            .or_else(|_| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
            })
            .expect("aho-corasick automaton within size limits");
        Matcher {
            automaton,
            keys,
            context,
        }
    }

    /// Finds the entity mentions in `text`: byte ranges into `text`, non-overlapping, sorted.
    /// Context terms are looked for in `text` as a whole, so pass one section at a time.
    pub fn find(&self, text: &str) -> Vec<Match> {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => {
                let out = self.find_in(text, &mut scratch);
                scratch.release_if_huge();
                out
            }
            Err(_) => self.find_in(text, &mut Scratch::default()),
        })
    }

    fn find_in(&self, text: &str, scratch: &mut Scratch) -> Vec<Match> {
        let Scratch {
            folded,
            candidates,
            terms,
        } = scratch;
        fold_into(text, true, folded);
        candidates.clear();
        terms.clear();
        self.candidates(text, folded, candidates, terms);
        if candidates.is_empty() {
            return Vec::new();
        }
        let found_terms: &[u32] = terms;
        candidates.retain(|c| {
            let need = &self.context[c.entity as usize];
            need.is_empty() || need.iter().any(|t| found_terms.binary_search(t).is_ok())
        });
        // Leftmost, then longest, then without an ending (an exact alias beats alias+ending).
        // Equal keys are equal candidates, so an unstable sort gives the same order.
        candidates.sort_unstable_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(b.end.cmp(&a.end))
                .then(a.suffix.cmp(&b.suffix))
                .then(a.entity.cmp(&b.entity))
        });
        let mut out = Vec::new();
        let mut last_end = 0;
        for c in candidates.iter() {
            if c.start < last_end {
                continue;
            }
            last_end = c.end;
            let r = folded.source_range(c.start..c.end);
            let end = trim_ignorable_end(text, r.start, r.end);
            out.push(Match {
                entity: c.entity,
                start: r.start,
                end,
            });
        }
        out
    }

    /// Pushes every valid alias candidate (word boundaries, endings, case) to `out` and the
    /// sorted ids of the context terms present to `terms`.
    fn candidates(
        &self,
        text: &str,
        folded: &Folded,
        out: &mut Vec<Candidate>,
        terms: &mut Vec<u32>,
    ) {
        let hay = folded.text.as_str();
        for m in self.automaton.find_overlapping_iter(hay) {
            let key = &self.keys[m.pattern().as_usize()];
            let (start, end) = (m.start(), m.end());
            if !folded.is_source_boundary(start) || !folded.is_source_boundary(end) {
                continue;
            }
            if key.latin_start && hay[..start].chars().next_back().is_some_and(is_latin_alnum) {
                continue;
            }
            let suffix = if key.latin_end {
                match ending(hay, end) {
                    Some(n) if folded.is_source_boundary(end + n) => n,
                    _ => continue,
                }
            } else {
                0
            };
            if let Some(t) = key.context {
                terms.push(t);
            }
            for (entity, cased) in &key.aliases {
                if let Some(cased) = cased {
                    let r = folded.source_range(start..end);
                    if !same_case(&text[r], cased) {
                        continue;
                    }
                }
                out.push(Candidate {
                    start,
                    end: end + suffix,
                    suffix,
                    entity: *entity,
                });
            }
        }
        terms.sort_unstable();
        terms.dedup();
    }
}

/// Buffers [`Matcher::find`] reuses from section to section on one thread.
#[derive(Default)]
struct Scratch {
    folded: Folded,
    candidates: Vec<Candidate>,
    terms: Vec<u32>,
}

/// A thread keeps its buffers up to this many bytes of folded text (and four times that of
/// offset map); a larger section's buffers are dropped after use.
const SCRATCH_KEEP_BYTES: usize = 1 << 20;

impl Scratch {
    fn release_if_huge(&mut self) {
        if self.folded.text.capacity() > SCRATCH_KEEP_BYTES {
            self.folded = Folded::default();
        }
        if self.candidates.capacity() > SCRATCH_KEEP_BYTES / 32 {
            self.candidates = Vec::new();
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Whether `source` (the text a case-insensitive match came from) folds, case kept, to
/// `cased`. Plain ASCII (no whitespace, no hyphen) folds to itself, so the common case is a
/// byte comparison with no allocation.
fn same_case(source: &str, cased: &str) -> bool {
    if source == cased {
        return true;
    }
    let plain = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_whitespace() && b != b'-')
    };
    if plain(source) && plain(cased) {
        return false;
    }
    fold_str(source, false) == cased
}

/// After an alias ending in a Latin letter or digit at `end`: the length of the ending the
/// match takes (0 for none), or `None` when a Latin letter or digit follows and no plural or
/// possessive ending ends the word.
fn ending(hay: &str, end: usize) -> Option<usize> {
    let rest = &hay[end..];
    for e in ENDINGS {
        if let Some(after) = rest.strip_prefix(e) {
            if !after.chars().next().is_some_and(is_latin_alnum) {
                return Some(e.len());
            }
        }
    }
    match rest.chars().next() {
        Some(c) if is_latin_alnum(c) => None,
        _ => Some(0),
    }
}

/// Trims characters the fold drops (soft hyphens, zero-width spaces) off the end of a range.
fn trim_ignorable_end(text: &str, start: usize, mut end: usize) -> usize {
    while end > start {
        match text[start..end].chars().next_back() {
            Some(c) if is_ignorable(c) => end -= c.len_utf8(),
            _ => break,
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_dictionary_matches_nothing() {
        let d = crate::dict::load(&[]).unwrap();
        assert!(Matcher::new(&d).find("NFT 区块链").is_empty());
    }

    #[test]
    fn automaton_kind_does_not_change_matches() {
        let d = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let dfa = Matcher::for_text(&d, None);
        let nfa = Matcher::for_text(&d, Some(0));
        assert_ne!(dfa.automaton.kind(), nfa.automaton.kind());
        let text = "Ethereum 的 NFT 與 DeFi：區塊鏈上的 Proof-of-Stake, Bitcoin's 比特币 \
                    and smart contracts (以太坊智能合约), Uniswap V3 on Layer 2 rollups.";
        let found = dfa.find(text);
        assert!(found.len() >= 4, "{found:?}");
        assert_eq!(found, nfa.find(text));
    }

    #[test]
    fn matcher_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Matcher>();
    }
}
