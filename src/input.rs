//! Input: which files are articles, what they are called, and their text.
//!
//! [`walk`] turns the PATH arguments into a sorted, deduplicated list of [`SourceEntry`]s; the
//! article id is fixed here (relative to the argument, `/`-separated) so that every later stage
//! and every machine sees the same ids. [`read`] / [`decode`] turn bytes into text and never
//! fail: a file that cannot be read, is empty or binary is skipped with a warning, and invalid
//! UTF-8 is decoded lossily with a warning naming the line of the first bad byte. Problems are
//! returned as [`Warning`] values; nothing here prints or panics.

use crate::diag::Warning;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// One Markdown file found under a PATH argument.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceEntry {
    /// Article id: the path relative to the PATH argument it was found under, with `/`
    /// separators; for a file given as an argument, its file name.
    pub id: String,
    /// Where to read it on this machine (never part of any output).
    pub path: PathBuf,
}

/// The text of one file, or why there is none.
///
/// `text` is `None` when the file is skipped (unreadable, empty, binary); `warnings` says why.
/// When `text` is `Some`, `warnings` may still hold a problem that was repaired (invalid UTF-8
/// replaced by U+FFFD).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// The file's text, when it can be read as an article.
    pub text: Option<String>,
    /// Problems found while reading, each naming the article id (and line when known).
    pub warnings: Vec<Warning>,
}

/// Whether `path` has a Markdown extension (`.md`, `.markdown`, any case).
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// Whether a folder is skipped by the walk: hidden folders (`.git` among them) and
/// `node_modules`.
fn skipped_dir(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name == "node_modules"
}

/// Walks the PATH arguments: a file is taken as it is (whatever its extension: the user named
/// it); a folder is walked recursively for `*.md` / `*.markdown`, skipping hidden folders and
/// `node_modules`. The result is sorted by id; when two files get the same id (the same file
/// named twice, or two arguments holding the same relative path), the first in argument order
/// is kept, and a different file losing its id is a warning. A missing or unreadable path is a
/// warning, never an error: the caller decides whether an empty result is fatal.
pub fn walk(paths: &[PathBuf]) -> (Vec<SourceEntry>, Vec<Warning>) {
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    for arg in paths {
        let shown = arg.display().to_string();
        let meta = match std::fs::metadata(arg) {
            Ok(m) => m,
            Err(e) => {
                warnings.push(Warning::new(shown, None, format!("cannot read: {e}")));
                continue;
            }
        };
        if !meta.is_dir() {
            let id = arg
                .file_name()
                .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
            entries.push(SourceEntry {
                id,
                path: arg.clone(),
            });
            continue;
        }
        let walker = WalkDir::new(arg)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || !e.file_type().is_dir() || !skipped_dir(e.file_name())
            });
        for item in walker {
            let e = match item {
                Ok(e) => e,
                Err(err) => {
                    let at = err
                        .path()
                        .map_or_else(|| shown.clone(), |p| p.display().to_string());
                    warnings.push(Warning::new(at, None, format!("cannot walk: {err}")));
                    continue;
                }
            };
            let is_file = e.file_type().is_file() || (e.path_is_symlink() && e.path().is_file());
            if !is_file || !is_markdown(e.path()) {
                continue;
            }
            entries.push(SourceEntry {
                id: relative_id(arg, e.path()),
                path: e.into_path(),
            });
        }
    }
    // Stable sort keeps argument order among equal ids, so "first wins" is deterministic.
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out: Vec<SourceEntry> = Vec::with_capacity(entries.len());
    for e in entries {
        match out.last() {
            Some(last) if last.id == e.id => {
                if !same_file(&last.path, &e.path) {
                    warnings.push(Warning::new(
                        e.path.display().to_string(),
                        None,
                        format!(
                            "article id `{}` is already taken by {}; skipped",
                            e.id,
                            last.path.display()
                        ),
                    ));
                }
            }
            _ => out.push(e),
        }
    }
    (out, warnings)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// The article id of `path` found under folder `root`: relative, `/`-separated.
fn relative_id(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut id = String::new();
    for c in rel.components() {
        if let std::path::Component::Normal(part) = c {
            if !id.is_empty() {
                id.push('/');
            }
            id.push_str(&part.to_string_lossy());
        }
    }
    id
}

/// Reads one entry (see [`decode`] for what is accepted). An I/O error is a warning.
pub fn read(entry: &SourceEntry) -> Loaded {
    match std::fs::read(&entry.path) {
        Ok(bytes) => decode(&entry.id, bytes),
        Err(e) => Loaded {
            text: None,
            warnings: vec![Warning::new(
                entry.id.clone(),
                None,
                format!("cannot read: {e}"),
            )],
        },
    }
}

/// Turns the bytes of article `id` into text: an empty file or one with NUL bytes (binary,
/// or UTF-16) is skipped with a warning; invalid UTF-8 is replaced by U+FFFD with a warning on
/// the line of the first bad byte (lines keep their numbers: no newline is ever replaced).
pub fn decode(id: &str, bytes: Vec<u8>) -> Loaded {
    if bytes.is_empty() {
        return Loaded {
            text: None,
            warnings: vec![Warning::new(id, None, "empty file; skipped")],
        };
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let line = line_of(&bytes, at);
        return Loaded {
            text: None,
            warnings: vec![Warning::new(
                id,
                Some(line),
                "NUL byte: not a text file (binary or UTF-16); skipped",
            )],
        };
    }
    match String::from_utf8(bytes) {
        Ok(text) => Loaded {
            text: Some(text),
            warnings: Vec::new(),
        },
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = line_of(&bytes, bad);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            Loaded {
                text: Some(text),
                warnings: vec![Warning::new(
                    id,
                    Some(line),
                    format!(
                        "not valid UTF-8 (byte 0x{:02X}); invalid bytes replaced by U+FFFD",
                        bytes[bad]
                    ),
                )],
            }
        }
    }
}

/// 1-based line of byte `at`.
fn line_of(bytes: &[u8], at: usize) -> u32 {
    bytes[..at].iter().filter(|&&b| b == b'\n').count() as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_ids_use_slashes() {
        let root = Path::new("posts");
        assert_eq!(
            relative_id(root, &Path::new("posts").join("a").join("b.md")),
            "a/b.md"
        );
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let l = decode("x.md", b"ok\nstill ok\nbad \xFF here\n".to_vec());
        assert_eq!(l.text.as_deref(), Some("ok\nstill ok\nbad \u{FFFD} here\n"));
        assert_eq!(l.warnings[0].line, Some(3));
    }

    #[test]
    fn empty_and_binary_are_skipped() {
        assert!(decode("e.md", Vec::new()).text.is_none());
        let b = decode("b.md", b"PK\x03\x04\x00\x00".to_vec());
        assert!(b.text.is_none());
        assert_eq!(b.warnings.len(), 1);
    }

    #[test]
    fn markdown_extensions() {
        assert!(is_markdown(Path::new("a.md")));
        assert!(is_markdown(Path::new("a.MarkDown")));
        assert!(!is_markdown(Path::new("a.txt")));
        assert!(!is_markdown(Path::new("md")));
    }
}
