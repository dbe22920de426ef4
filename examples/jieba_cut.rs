//! The reference floor for `scripts/bench.sh`: walk a corpus the way kgx does and cut all of
//! its text with jieba-rs, nothing else (no Markdown, no matching, no graph).
//!
//! Segmentation is the single most expensive stage of a build with keywords, so the ratio
//! kgx / jieba-cut says how much the rest of kgx costs on top of it.
//!
//!     cargo run --release --example jieba_cut -- CORPUS [--jobs N] [--no-hmm]
//!
//! Prints one line: files, bytes, tokens, seconds, MB/s.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut corpus: Option<PathBuf> = None;
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut hmm = true;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--jobs" | "-j" => {
                jobs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| usage())
            }
            "--no-hmm" => hmm = false,
            "-h" | "--help" => usage(),
            _ if corpus.is_none() => corpus = Some(PathBuf::from(a)),
            _ => usage(),
        }
    }
    let corpus = corpus.unwrap_or_else(|| usage());

    let start = Instant::now();
    let files = walk(&corpus);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .expect("thread pool");
    // The dictionary is loaded once and shared, as kgx does; its load time is part of the run.
    let jieba = jieba_rs::Jieba::new();
    let (bytes, tokens) = pool.install(|| {
        files
            .par_iter()
            .map(|path| match std::fs::read(path) {
                Ok(data) => {
                    let text = String::from_utf8_lossy(&data);
                    (data.len() as u64, jieba.cut(&text, hmm).len() as u64)
                }
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    (0, 0)
                }
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "files={} bytes={bytes} tokens={tokens} seconds={secs:.3} mb_per_s={:.2} jobs={jobs}",
        files.len(),
        bytes as f64 / 1e6 / secs
    );
}

/// `*.md` / `*.markdown` under `root`, sorted, skipping hidden folders, `node_modules`, `.git`.
fn walk(root: &Path) -> Vec<PathBuf> {
    if root.is_file() {
        return vec![root.to_path_buf()];
    }
    let skip = |e: &walkdir::DirEntry| {
        e.depth() > 0
            && e.file_type().is_dir()
            && e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with('.') || n == "node_modules")
    };
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skip(e))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            e.path()
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| x == "md" || x == "markdown")
        })
        .map(|e| e.into_path())
        .collect()
}

fn usage() -> ! {
    eprintln!("usage: jieba_cut CORPUS [--jobs N] [--no-hmm]");
    std::process::exit(2)
}
