//! Front matter: YAML (`---`), TOML (`+++`) or JSON (`{`) at byte 0 of a post.
//!
//! The block is split off here, never by pulldown-cmark's metadata option (which also takes a
//! `---` block in the middle of a document). Broken front matter is a warning with the line; the
//! article is still read.

use serde::{Deserialize, Serialize};

/// The fields of front matter that kgx uses (SPEC §2). Missing fields are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontMatter {
    /// `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `date`, normalised to `YYYY-MM-DD` (the calendar date as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `lastmod`, normalised like `date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lastmod: Option<String>,
    /// `author` and `authors`, in order, without duplicates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// `tags`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `categories`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// `keywords`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// `slug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `draft`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
}
