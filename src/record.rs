//! Extract records: everything the graph needs from one article alone (SPEC §8).
//!
//! A record is made from one file and nothing else, so it can be made on any thread, any
//! machine, at any time, and cached by content hash. Everything corpus-wide (IDF, statistics,
//! co-occurrence) is left to [`crate::merge`]. Records are versioned and carry the hash of the
//! dictionaries they were extracted with; a merge refuses mixes.

use crate::diag::Warning;
use serde::{Deserialize, Serialize};

/// Version of the record and partial-state format; bump on any change of their meaning.
pub const FORMAT_VERSION: u32 = 1;

/// One article, extracted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRecord {
    /// [`FORMAT_VERSION`] of the writer.
    pub format: u32,
    /// Hash of the dictionaries the mentions were found with.
    pub dict: String,
    /// Whether `terms` were segmented (keywords on).
    pub keywords: bool,
    /// Article id (relative path, `/`-separated).
    pub id: String,
    /// blake3 of the file's bytes (hex).
    pub hash: String,
    /// Title as shown.
    pub title: String,
    /// Front matter `date` (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Front matter `lastmod` (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lastmod: Option<String>,
    /// Authors.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Categories.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Front matter keywords.
    #[serde(default)]
    pub fm_keywords: Vec<String>,
    /// Words of prose (see [`crate::document::count_words`]).
    pub words: u64,
    /// Sections in order.
    pub sections: Vec<SectionRecord>,
    /// Entity mentions in prose order.
    pub mentions: Vec<MentionRecord>,
    /// Segmented term counts, sorted by term (empty without keywords).
    #[serde(default)]
    pub terms: Vec<(String, u32)>,
    /// Problems found while reading this article.
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

/// One section of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionRecord {
    /// 1-based order.
    pub order: u32,
    /// Heading level (0 for the lead section).
    pub level: u8,
    /// Order of the enclosing section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u32>,
    /// Heading text.
    pub heading: String,
    /// `A > B > C`.
    pub heading_path: String,
    /// 1-based source line.
    pub line: u32,
}

/// One mention of an entity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MentionRecord {
    /// Entity id.
    pub entity: String,
    /// Order of the section it is in; `None` for the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<u32>,
    /// Whether it is in the section's heading (or the title).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_heading: bool,
    /// 1-based source line.
    pub line: u32,
    /// Source byte offset of the mention's first byte.
    pub byte: u32,
    /// Source byte length (the span in the file, which may include markup).
    pub len: u32,
}
