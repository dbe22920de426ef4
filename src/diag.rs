//! Diagnostics: fatal errors are types, recoverable problems are data.
//!
//! A [`Warning`] names the file (an article id or a dictionary path) and, where it has one,
//! the 1-based line. The library returns warnings as values; the binary prints them as
//! `path:line: warning: message` and `--strict` promotes them to errors.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// A recoverable problem: the run goes on, the problem is reported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Warning {
    /// The file the problem is in, as the user named it (article id or dictionary path).
    pub path: String,
    /// 1-based line in that file, where the problem has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Warning {
    /// A warning about `path` (at `line`, when known).
    pub fn new(path: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        Warning {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// A fatal error: the run cannot produce its result.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No input file could be read.
    #[error("no readable Markdown input in {0}")]
    NoInput(String),
    /// One or more dictionaries are invalid; every problem is listed.
    #[error("invalid dictionary:\n{}", join_lines(.0))]
    Dictionary(Vec<Warning>),
    /// An output could not be created or written.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The file or folder that could not be written.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// An input could not be read at all.
    #[error("cannot read {path}: {source}")]
    Input {
        /// The file or folder that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// Extract records or partial states that cannot be merged together.
    #[error("{0}")]
    Incompatible(String),
    /// `--strict` and at least one warning.
    #[error("{0} warning(s) with --strict")]
    Strict(usize),
}

fn join_lines(ws: &[Warning]) -> String {
    ws.iter()
        .map(|w| format!("  {w}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Result of a fallible kgx operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
