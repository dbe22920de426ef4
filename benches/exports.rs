//! Export throughput: the knowledge graph of a real corpus written in each format, to memory,
//! in bytes of Markdown per second (`Throughput::Bytes`, the corpus size, so the figures add up
//! with `benches/stages.rs`) and, in the benchmark name, the size of what is written.
//!
//! Corpora: `data/` and, when present, `../shared/corpus/w3er`. Run:
//! `cargo bench --bench exports [-- FILTER]`.

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kgx::cache::content_hash;
use kgx::export;
use kgx::extract::Extractor;
use kgx::graph::KnowledgeGraph;
use kgx::input;
use kgx::merge::{build_graph, Corpus, MergeOptions};
use std::io::{self, Write};
use std::time::Duration;

/// The graph of one corpus, and the corpus size in bytes.
fn graphs() -> Vec<(&'static str, KnowledgeGraph, u64)> {
    let dict =
        kgx::dict::load(&kgx::dict::default_sources()).expect("the shipped dictionaries are valid");
    let extractor = Extractor::new(dict.clone(), true);
    let mut out = Vec::new();
    for (name, dir) in common::corpora() {
        let (entries, _) = input::walk(&[dir]);
        let mut corpus = Corpus::new();
        let mut bytes = 0;
        for e in &entries {
            if let Some(text) = input::read(e).text {
                bytes += text.len() as u64;
                let r = extractor.extract(&e.id, &text, content_hash(text.as_bytes()), Vec::new());
                corpus.add(r).expect("records of one run agree");
            }
        }
        out.push((
            name,
            build_graph(&corpus, &dict, &MergeOptions::default()),
            bytes,
        ));
    }
    out
}

/// Counts what is written without keeping it.
struct Count(u64);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

type Exporter = fn(&KnowledgeGraph, &mut Count) -> io::Result<()>;

fn exports(c: &mut Criterion) {
    let formats: [(&str, Exporter); 5] = [
        ("graphml", |g, w| export::to_graphml(g, w)),
        ("gexf", |g, w| export::to_gexf(g, w)),
        ("json", |g, w| export::to_node_link(g, w)),
        ("graphology", |g, w| export::to_graphology(g, w)),
        ("csv", |g, w| {
            let mut edges = Count(0);
            export::to_csv(g, &mut *w, &mut edges)?;
            w.0 += edges.0;
            Ok(())
        }),
    ];
    for (corpus, graph, bytes) in graphs() {
        let mut g = c.benchmark_group("export");
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        g.throughput(Throughput::Bytes(bytes));
        for (name, f) in formats {
            let mut size = Count(0);
            f(&graph, &mut size).expect("writing to memory never fails");
            let id = BenchmarkId::new(
                name,
                format!("{corpus} ({:.1} MB out)", size.0 as f64 / 1e6),
            );
            g.bench_function(id, |b| {
                b.iter(|| {
                    let mut w = Count(0);
                    f(&graph, &mut w).expect("writing to memory never fails");
                    w.0
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, exports);
criterion_main!(benches);
