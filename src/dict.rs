//! Dictionaries: TOML files of entities with aliases (SPEC §3).
//!
//! The shipped dictionaries under `dictionaries/` are compiled into the binary and are the
//! default; `--dict FILE` adds more. Every problem names the file and the line, and a
//! [`Dictionary`] is only built when there are none: an invalid dictionary is fatal.

use crate::diag::Warning;
use serde::{Deserialize, Serialize};

/// One dictionary source: where it came from (shown in errors) and its text.
#[derive(Debug, Clone)]
pub struct DictSource {
    /// Path as the user named it, or `<default>/NAME.toml` for a shipped one.
    pub path: String,
    /// TOML text.
    pub text: String,
}

/// One entity of a dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Unique id: `[a-z0-9][a-z0-9._-]*`.
    pub id: String,
    /// Display name.
    pub label: String,
    /// Entity type (`Organization`, `Concept`, …).
    pub entity_type: String,
    /// Surface forms, as written in the dictionary (the label is matched only if listed).
    pub aliases: Vec<String>,
    /// Ids of broader entities.
    pub broader: Vec<String>,
    /// Match aliases case-sensitively.
    pub case_sensitive: bool,
    /// A match counts only if one of these terms is in the same section.
    pub context: Vec<String>,
    /// Free description.
    pub description: Option<String>,
    /// Dictionary file and 1-based line of the `[[entity]]` table.
    pub origin: (String, u32),
}

/// All loaded entities, sorted by id, with a hash that identifies the set.
#[derive(Debug, Clone)]
pub struct Dictionary {
    /// Entities sorted by id.
    pub entities: Vec<Entity>,
    /// blake3 of the canonical form of the entities (hex); records carry it.
    pub hash: String,
}

/// The shipped dictionaries, compiled in.
pub fn default_sources() -> Vec<DictSource> {
    todo!("entities stage")
}

/// Loads and validates dictionaries. Either a dictionary or every problem found.
pub fn load(sources: &[DictSource]) -> Result<Dictionary, Vec<Warning>> {
    let _ = sources;
    todo!("entities stage")
}
