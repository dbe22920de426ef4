//! What the benchmarks share: where the corpora are.

use std::path::{Path, PathBuf};

/// The corpora to measure: `data/` and, when `../shared` is beside the repository (or one
/// level further up, from a worktree), `../shared/corpus/w3er`. A missing one is said and
/// skipped.
pub fn corpora() -> Vec<(&'static str, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = [root.join("../shared"), root.join("../../shared")]
        .into_iter()
        .find(|p| p.is_dir());
    let mut found = Vec::new();
    for (name, dir) in [
        ("data", Some(root.join("data"))),
        ("w3er", shared.map(|s| s.join("corpus/w3er"))),
    ] {
        match dir.filter(|d| d.is_dir()) {
            Some(dir) => found.push((name, dir)),
            None => eprintln!("bench: corpus {name} not found, skipped"),
        }
    }
    found
}
