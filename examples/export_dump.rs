//! Writes every export of a test graph into a folder, for `validate.sh` and speed checks.
//!
//! ```text
//! cargo run --example export_dump -- /tmp/kgx-export              # the hand-built sample
//! cargo run --release --example export_dump -- /tmp/big 10000     # synthetic, 10k articles
//! bash ../shared/validate/validate.sh /tmp/kgx-export/graph.graphml /tmp/kgx-export/graph.gexf \
//!     /tmp/kgx-export/graph.json /tmp/kgx-export/graph.graphology.json /tmp/kgx-export
//! ```

#[path = "../tests/fixtures/export/sample.rs"]
mod sample;

use kgx::export::{self, Format};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/kgx-export".into()));
    let graph = match args.next() {
        Some(n) => sample::synthetic(n.parse()?),
        None => sample::sample(),
    };
    println!(
        "{} nodes, {} edges",
        graph.graph.node_count(),
        graph.graph.edge_count()
    );
    for format in Format::ALL {
        let start = Instant::now();
        let paths = export::write(&graph, &dir, &[format])?;
        let bytes: u64 = paths
            .iter()
            .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .sum();
        println!(
            "{:<10} {:>8.1} ms {:>12} bytes",
            format.name(),
            start.elapsed().as_secs_f64() * 1e3,
            bytes
        );
    }
    Ok(())
}
