//! Per-stage throughput on real text, in bytes of Markdown per second (`Throughput::Bytes`),
//! the way pulldown-cmark's benchmarks report it.
//!
//! Corpora: `data/` of the repository and, when present, `../shared/corpus/w3er`. Each stage
//! is measured on the output of the stages before it, prepared once outside the timing:
//!
//! | group     | what is timed                                                        |
//! |-----------|----------------------------------------------------------------------|
//! | `parse`   | front matter + Markdown → [`kgx::document::Document`]                 |
//! | `match`   | the matcher over the title and every section's prose                  |
//! | `segment` | jieba segmentation and term counting of the same prose                |
//! | `jieba`   | the segmenter built: on the whole dictionary, and fitted to the prose |
//! | `extract` | one article in, one record out: parse + match + segment (+ hashing)   |
//! | `merge`   | records → [`kgx::merge::Corpus`] → the knowledge graph                |
//! | `cache`   | opening a cache of every record and getting them all back            |
//!
//! Exports are in `benches/exports.rs`. Run: `cargo bench --bench stages [-- FILTER]`.

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kgx::cache::{content_hash, Cache};
use kgx::dict::Dictionary;
use kgx::document;
use kgx::extract::Extractor;
use kgx::input;
use kgx::matcher::Matcher;
use kgx::merge::{build_graph, Corpus, MergeOptions};
use kgx::record::ArticleRecord;
use kgx::segment::Segmenter;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One corpus, read into memory.
struct Texts {
    name: &'static str,
    /// (article id, text)
    articles: Vec<(String, String)>,
    bytes: u64,
}

fn corpora() -> Vec<Texts> {
    common::corpora()
        .into_iter()
        .map(|(name, dir)| load(name, &dir))
        .collect()
}

fn load(name: &'static str, dir: &Path) -> Texts {
    let (entries, _) = input::walk(&[PathBuf::from(dir)]);
    let articles: Vec<(String, String)> = entries
        .iter()
        .filter_map(|e| input::read(e).text.map(|t| (e.id.clone(), t)))
        .collect();
    let bytes = articles.iter().map(|(_, t)| t.len() as u64).sum();
    Texts {
        name,
        articles,
        bytes,
    }
}

fn dictionary() -> Dictionary {
    kgx::dict::load(&kgx::dict::default_sources()).expect("the shipped dictionaries are valid")
}

/// Short measurements: the machine is small and shared, and these stages take milliseconds.
fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g
}

fn stages(c: &mut Criterion) {
    let corpora = corpora();
    if corpora.is_empty() {
        return;
    }
    let dict = dictionary();
    let matcher = Matcher::new(&dict);
    let segmenter = Segmenter::new(
        dict.entities
            .iter()
            .flat_map(|e| e.aliases.iter().map(String::as_str)),
    );
    let extractor = Extractor::new(dict.clone(), true);
    let extractor_nokw = Extractor::new(dict.clone(), false);

    for t in &corpora {
        let docs: Vec<document::Document> = t
            .articles
            .iter()
            .map(|(id, text)| document::parse(id, text).0)
            .collect();
        let prose: Vec<&str> = docs
            .iter()
            .flat_map(|d| {
                std::iter::once(d.title_prose.text.as_str())
                    .chain(d.sections.iter().map(|s| s.prose.text.as_str()))
            })
            .collect();

        let mut g = group(c, "parse");
        g.throughput(Throughput::Bytes(t.bytes));
        g.bench_function(BenchmarkId::from_parameter(t.name), |b| {
            b.iter(|| {
                for (id, text) in &t.articles {
                    black_box(document::parse(id, text));
                }
            })
        });
        g.finish();

        let mut g = group(c, "match");
        g.throughput(Throughput::Bytes(t.bytes));
        g.bench_function(BenchmarkId::from_parameter(t.name), |b| {
            b.iter(|| prose.iter().map(|p| matcher.find(p).len()).sum::<usize>())
        });
        g.finish();

        let mut g = group(c, "segment");
        g.throughput(Throughput::Bytes(t.bytes));
        g.bench_function(BenchmarkId::from_parameter(t.name), |b| {
            b.iter(|| {
                for d in &docs {
                    let texts = std::iter::once(d.title_prose.text.as_str())
                        .chain(d.sections.iter().map(|s| s.prose.text.as_str()));
                    black_box(segmenter.terms(texts));
                }
            })
        });
        g.finish();

        // What a run pays before it segments: jieba's whole dictionary loaded, or the part the
        // prose can reach (what `kgx build` does under 8 MB of Markdown).
        let aliases = || {
            dict.entities
                .iter()
                .flat_map(|e| e.aliases.iter().map(String::as_str))
        };
        let mut g = group(c, "jieba");
        g.throughput(Throughput::Bytes(t.bytes));
        g.bench_function(BenchmarkId::new("whole", t.name), |b| {
            b.iter(|| black_box(Segmenter::new(aliases())))
        });
        g.bench_function(BenchmarkId::new("fitted", t.name), |b| {
            b.iter(|| black_box(Segmenter::fitted(&prose, aliases())))
        });
        g.finish();

        let extract_all = |ex: &Extractor| -> Vec<ArticleRecord> {
            t.articles
                .iter()
                .map(|(id, text)| ex.extract(id, text, content_hash(text.as_bytes()), Vec::new()))
                .collect()
        };
        let mut g = group(c, "extract");
        g.throughput(Throughput::Bytes(t.bytes));
        g.bench_function(BenchmarkId::new("keywords", t.name), |b| {
            b.iter(|| extract_all(&extractor))
        });
        g.bench_function(BenchmarkId::new("no-keywords", t.name), |b| {
            b.iter(|| extract_all(&extractor_nokw))
        });
        g.finish();

        let records = extract_all(&extractor);
        let corpus_of = |records: &[ArticleRecord]| {
            let mut corpus = Corpus::new();
            for r in records {
                corpus.add(r.clone()).expect("records of one run agree");
            }
            corpus
        };
        let corpus = corpus_of(&records);
        let mut g = group(c, "merge");
        g.throughput(Throughput::Bytes(t.bytes));
        g.bench_function(BenchmarkId::new("corpus", t.name), |b| {
            b.iter(|| corpus_of(&records))
        });
        g.bench_function(BenchmarkId::new("graph", t.name), |b| {
            b.iter(|| build_graph(&corpus, &dict, &MergeOptions::default()))
        });
        g.finish();

        // The cache must load far faster than extraction: compare with `extract/keywords`.
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (cache, _) = Cache::open(dir.path(), &dict.hash, true);
        for r in &records {
            cache.put(r);
        }
        let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        cache.finish(&ids).expect("the cache is written");
        let mut g = group(c, "cache");
        g.throughput(Throughput::Bytes(t.bytes));
        g.bench_function(BenchmarkId::new("open+get all", t.name), |b| {
            b.iter(|| {
                let (cache, _) = Cache::open(dir.path(), &dict.hash, true);
                records
                    .iter()
                    .filter(|r| cache.get(&r.id, &r.hash).is_some())
                    .count()
            })
        });
        g.bench_function(BenchmarkId::new("hash all", t.name), |b| {
            b.iter(|| {
                t.articles
                    .iter()
                    .map(|(_, text)| content_hash(text.as_bytes()).len())
                    .sum::<usize>()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
