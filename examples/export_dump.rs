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
    // Serialisation alone, to a sink, then the atomic files (write, fsync, rename).
    let sink = std::io::sink;
    let timings: [(&str, &dyn Fn() -> std::io::Result<()>); 5] = [
        ("graphml", &|| export::to_graphml(&graph, sink())),
        ("gexf", &|| export::to_gexf(&graph, sink())),
        ("json", &|| export::to_node_link(&graph, sink())),
        ("graphology", &|| export::to_graphology(&graph, sink())),
        ("csv", &|| export::to_csv(&graph, sink(), sink())),
    ];
    for (name, f) in timings {
        let (start, cpu) = (Instant::now(), cpu_ms());
        f()?;
        let wall = start.elapsed().as_secs_f64() * 1e3;
        let cpu = cpu_ms().zip(cpu).map(|(b, a)| b - a).unwrap_or(f64::NAN);
        println!("{name:<10} {wall:>8.1} ms in memory, {cpu:>6.0} ms CPU");
    }
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

/// CPU time (user + system) of this thread so far, from Linux `/proc/thread-self/stat` in clock
/// ticks (10 ms): a busy shared machine inflates wall time, not CPU time.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 * 10.0)
}
