//! The matcher: every alias of every entity, one pass of an aho-corasick automaton.
//!
//! Built once per run from a [`crate::dict::Dictionary`], then shared read-only by all threads.
//! Word boundaries, plural endings, case sensitivity and context terms are checked on top of
//! the automaton's overlapping matches, then leftmost-longest selection runs over the valid
//! candidates, so a rejected longer match never hides a valid shorter one.

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

/// The compiled dictionary (placeholder until the entities stage lands).
#[derive(Debug)]
pub struct Matcher;

impl Matcher {
    /// Builds the matcher.
    pub fn new(dict: &crate::dict::Dictionary) -> Self {
        let _ = dict;
        Matcher
    }

    /// Finds mentions in `text`.
    pub fn find(&self, text: &str) -> Vec<Match> {
        let _ = text;
        todo!("entities stage")
    }
}
