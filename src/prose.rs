//! Prose: the text a reader sees, with a map back to the source file.
//!
//! Markdown parsing drops markup, joins inline runs and turns soft breaks into spaces, so prose
//! offsets and source offsets differ. A [`Prose`] keeps, for every run of text it copied, where
//! that run came from; a [`LineIndex`] turns a source byte offset into a line with a binary
//! search (the shape lychee uses). Mentions are ranges into prose; lines and bytes in the source
//! are derived, never stored twice.

use serde::{Deserialize, Serialize};

/// One run of prose copied from one place of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    /// Byte offset of the run in [`Prose::text`].
    pub prose: u32,
    /// Byte offset in the source file where the run starts.
    pub source: u32,
    /// Whether the run is the source bytes verbatim (then offsets inside it map 1:1);
    /// entities, escapes and soft breaks are not, and map to the run's start.
    pub verbatim: bool,
}

/// Text as a reader sees it, with the map back to source byte offsets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prose {
    /// The text.
    pub text: String,
    /// Runs in increasing `prose` order; the first starts at 0 when `text` is not empty.
    pub pieces: Vec<Piece>,
}

impl Prose {
    /// Appends `s`, which came from the source at byte `source`.
    pub fn push(&mut self, s: &str, source: usize, verbatim: bool) {
        if s.is_empty() {
            return;
        }
        self.pieces.push(Piece {
            prose: self.text.len() as u32,
            source: source as u32,
            verbatim,
        });
        self.text.push_str(s);
    }

    /// The source byte offset of prose byte `at`.
    pub fn source_offset(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.prose as usize <= at);
        if i == 0 {
            return self.pieces.first().map_or(0, |p| p.source as usize);
        }
        let p = self.pieces[i - 1];
        if p.verbatim {
            p.source as usize + (at - p.prose as usize)
        } else {
            p.source as usize
        }
    }

    /// Whether the prose is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Line starts of a source file, for offset → line look-ups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    /// Indexes the lines of `text`.
    pub fn new(text: &str) -> Self {
        // memchr's SIMD scan: a byte loop here was the largest cost of parsing a document.
        let bytes = text.as_bytes();
        // Posts average well over 32 bytes a line; one pass, rarely a reallocation.
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
        starts.push(0u32);
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i as u32 + 1));
        LineIndex { starts }
    }

    /// 1-based line of source byte `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        self.starts.partition_point(|&s| s as usize <= offset) as u32
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the file has no lines (never: an empty file has one empty line).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back_through_pieces() {
        let mut p = Prose::default();
        p.push("去", 10, true);
        p.push("中心化金融", 20, true);
        p.push(" ", 40, false);
        assert_eq!(p.text, "去中心化金融 ");
        assert_eq!(p.source_offset(0), 10);
        assert_eq!(p.source_offset(3), 20);
        assert_eq!(p.source_offset(6), 23);
        assert_eq!(p.source_offset(p.text.len() - 1), 40);
    }

    #[test]
    fn lines_are_one_based() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(5), 3);
        assert_eq!(idx.line(6), 4);
    }
}
