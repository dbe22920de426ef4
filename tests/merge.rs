//! The seam of SPEC §8: records merged in any order or grouping give the same graph as a whole
//! build, through partial states serialised and read back.

use kgx::dict::{self, Dictionary};
use kgx::extract::Extractor;
use kgx::merge::{self, Corpus, GraphMode, MergeOptions};
use kgx::pipeline;
use kgx::record::ArticleRecord;
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Fixture {
    dict: Dictionary,
    records: Vec<ArticleRecord>,
    whole: String,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dict = dict::load(&dict::default_sources()).expect("the shipped dictionaries load");
        let extractor = Extractor::new(dict.clone(), true);
        let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
        let (_, ex) = pipeline::extract_paths(
            &[data],
            &extractor,
            &pipeline::pool(2),
            &|_, _| None,
            &|_| {},
        );
        assert!(ex.records.len() >= 10, "data/ holds the sample posts");
        let corpus = corpus_of(&ex.records);
        let whole = dump(&corpus, &dict, GraphMode::Full);
        Fixture {
            dict,
            records: ex.records,
            whole,
        }
    })
}

/// The corpus of `records`.
fn corpus_of(records: &[ArticleRecord]) -> Corpus {
    let mut corpus = Corpus::new();
    for r in records {
        corpus.add(r.clone()).unwrap();
    }
    corpus
}

/// A canonical text of the graph: every node and edge with its attributes, in graph order.
fn dump(corpus: &Corpus, dict: &Dictionary, mode: GraphMode) -> String {
    let g = merge::build_graph(
        corpus,
        dict,
        &MergeOptions {
            graph: mode,
            ..MergeOptions::default()
        },
    );
    let mut s = String::new();
    for n in g.graph.node_weights() {
        s += &format!("{n:?}\n");
    }
    for e in g.graph.edge_indices() {
        let (a, b) = g.graph.edge_endpoints(e).unwrap();
        s += &format!("{} -> {} {:?}\n", g.graph[a].id, g.graph[b].id, g.graph[e]);
    }
    s
}

/// Serialises a corpus as a partial state and reads it back, as `kgx merge --partial` does.
fn round_trip(corpus: &Corpus) -> Corpus {
    let mut buf = Vec::new();
    pipeline::write_partial(corpus, &mut buf).unwrap();
    let mut back = Corpus::new();
    let warnings = pipeline::read_records(&buf[..], "partial", &mut back).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    back
}

/// Merges shards pairwise in the order given by `plan` (indices into the live list).
fn reduce(mut parts: Vec<Corpus>, plan: &[usize]) -> Corpus {
    let mut i = 0;
    while parts.len() > 1 {
        let a = plan[i % plan.len()] % parts.len();
        let left = parts.remove(a);
        let b = plan[(i + 1) % plan.len()] % parts.len();
        let mut right = parts.remove(b);
        right.absorb(round_trip(&left)).unwrap();
        parts.push(right);
        i += 1;
    }
    parts.pop().unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_split_and_grouping_equals_the_whole_build(
        assignment in proptest::collection::vec(0usize..4, 64),
        shuffle in proptest::collection::vec(any::<u32>(), 64),
        plan in proptest::collection::vec(0usize..8, 1..8),
    ) {
        let f = fixture();
        let mut order: Vec<usize> = (0..f.records.len()).collect();
        order.sort_by_key(|&i| (shuffle[i % shuffle.len()], i));
        let mut shards = vec![Corpus::new(); 4];
        for (k, &i) in order.iter().enumerate() {
            shards[assignment[k % assignment.len()]].add(f.records[i].clone()).unwrap();
        }
        let merged = reduce(shards, &plan);
        prop_assert_eq!(dump(&merged, &f.dict, GraphMode::Full), f.whole.clone());
    }
}

#[test]
fn a_record_given_twice_counts_once() {
    let f = fixture();
    let mut corpus = Corpus::new();
    for r in f.records.iter().chain(f.records.iter().take(3)) {
        corpus.add(r.clone()).unwrap();
    }
    assert_eq!(dump(&corpus, &f.dict, GraphMode::Full), f.whole);
    assert!(corpus.merge_warnings().is_empty());
}

#[test]
fn the_same_id_with_other_content_keeps_one_whatever_the_order() {
    let f = fixture();
    let mut changed = f.records[0].clone();
    changed.hash = "0".repeat(64);
    changed.title.push_str(" (edited)");
    let mut a = Corpus::new();
    a.add(f.records[0].clone()).unwrap();
    a.add(changed.clone()).unwrap();
    let mut b = Corpus::new();
    b.add(changed).unwrap();
    b.add(f.records[0].clone()).unwrap();
    assert_eq!(
        dump(&a, &f.dict, GraphMode::Full),
        dump(&b, &f.dict, GraphMode::Full)
    );
    assert_eq!(a.merge_warnings().len(), 1);
    assert_eq!(a.merge_warnings(), b.merge_warnings());
}

#[test]
fn records_of_other_dictionaries_or_versions_are_refused() {
    let f = fixture();
    let mut corpus = Corpus::new();
    corpus.add(f.records[0].clone()).unwrap();
    let mut other = f.records[1].clone();
    other.dict = "f".repeat(64);
    let err = corpus.add(other).unwrap_err().to_string();
    assert!(err.contains("dictionaries"), "{err}");
    let mut old = f.records[1].clone();
    old.format = 999;
    assert!(corpus
        .add(old)
        .unwrap_err()
        .to_string()
        .contains("format 999"));

    let mut line = serde_json::to_string(&f.records[1]).unwrap();
    line = line.replacen("\"format\":1", "\"format\":999", 1);
    let mut c = Corpus::new();
    let err = pipeline::read_records(line.as_bytes(), "recs.jsonl", &mut c)
        .unwrap_err()
        .to_string();
    assert!(err.contains("recs.jsonl:1") && err.contains("999"), "{err}");
}

#[test]
fn a_malformed_line_is_a_warning_with_file_and_line() {
    let f = fixture();
    let mut text = String::new();
    text += &serde_json::to_string(&f.records[0]).unwrap();
    text += "\n{\"path\": broken\n";
    text += &serde_json::to_string(&f.records[1]).unwrap();
    text += "\n";
    let mut c = Corpus::new();
    let warnings = pipeline::read_records(text.as_bytes(), "recs.jsonl", &mut c).unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        (warnings[0].path.as_str(), warnings[0].line),
        ("recs.jsonl", Some(2))
    );
}

#[test]
fn a_truncated_partial_state_is_reported() {
    let f = fixture();
    let corpus = corpus_of(&f.records);
    let mut buf = Vec::new();
    pipeline::write_partial(&corpus, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let cut: String = text.lines().take(4).map(|l| format!("{l}\n")).collect();
    let mut back = Corpus::new();
    let warnings = pipeline::read_records(cut.as_bytes(), "p.state", &mut back).unwrap();
    assert!(
        warnings.iter().any(|w| w.message.contains("truncated")),
        "{warnings:?}"
    );
}

#[test]
fn the_entity_projection_has_only_entities_and_topics() {
    let f = fixture();
    let corpus = corpus_of(&f.records);
    let g = merge::build_graph(
        &corpus,
        &f.dict,
        &MergeOptions {
            graph: GraphMode::Entities,
            ..MergeOptions::default()
        },
    );
    assert!(g.graph.node_count() > 0);
    use kgx::graph::{EdgeKind, NodeKind};
    assert!(g
        .graph
        .node_weights()
        .all(|n| matches!(n.kind, NodeKind::Entity | NodeKind::Topic)));
    assert!(g
        .graph
        .edge_weights()
        .all(|e| matches!(e.kind, EdgeKind::CoOccurs | EdgeKind::Broader)));
    assert!(g.graph.edge_weights().any(|e| e.kind == EdgeKind::CoOccurs));
    // The same statistics as in the full graph.
    let full = merge::build_graph(&corpus, &f.dict, &MergeOptions::default());
    for n in g.graph.node_weights() {
        let m = full
            .graph
            .node_weights()
            .find(|m| m.id == n.id)
            .expect("node of the full graph");
        assert_eq!(n, m);
    }
}

/// Edges are written straight into their final places (no sort at the end): every kind of
/// edge must come out ordered by kind, then source, then target, with nothing left over.
#[test]
fn edges_come_out_ordered_by_kind_source_and_target() {
    use kgx::graph::EdgeKind;
    use petgraph::visit::EdgeRef;
    let f = fixture();
    let corpus = corpus_of(&f.records);
    for mode in [GraphMode::Full, GraphMode::Entities] {
        let options = MergeOptions {
            graph: mode,
            ..MergeOptions::default()
        };
        let g = merge::build_graph(&corpus, &f.dict, &options).graph;
        let keys: Vec<(EdgeKind, usize, usize)> = g
            .edge_references()
            .map(|e| (e.weight().kind, e.source().index(), e.target().index()))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{mode:?}");
        assert!(keys
            .iter()
            .all(|k| k.1 < g.node_count() && k.2 < g.node_count()));
        let kinds: std::collections::BTreeSet<EdgeKind> = keys.iter().map(|k| k.0).collect();
        let expected = match mode {
            GraphMode::Full => 7,
            GraphMode::Entities => 2,
        };
        assert_eq!(kinds.len(), expected, "{mode:?}: {kinds:?}");
    }
}

/// The rows of an export: a line of graphology JSON, a `<node>…</node>` or `<edge>…</edge>`
/// element of GraphML and GEXF.
fn rows(text: &str) -> Vec<String> {
    let mut rows = Vec::new();
    let mut open: Option<String> = None;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(row) = &mut open {
            row.push_str(line);
            row.push('\n');
            if t == "</node>" || t == "</edge>" {
                rows.push(open.take().unwrap());
            }
        } else if (t.starts_with("<node ") || t.starts_with("<edge ")) && !t.ends_with("/>") {
            open = Some(format!("{line}\n"));
        } else {
            rows.push(line.to_string());
        }
    }
    rows
}

/// A row that belongs to one article alone: its article and section nodes and the edges from
/// them, but not `has_keyword` edges (their weight takes the corpus IDF).
fn local_row(row: &str) -> bool {
    let local = [
        "id=\"article:",
        "id=\"section:",
        "source=\"article:",
        "source=\"section:",
        "{\"key\":\"article:",
        "{\"key\":\"section:",
        "\"source\":\"article:",
        "\"source\":\"section:",
    ];
    local.iter().any(|l| row.contains(l)) && !row.contains("has_keyword")
}

#[test]
fn one_article_less_leaves_the_rows_of_the_others_as_they_were() {
    use kgx::export::{to_gexf, to_graphml, to_graphology};
    let f = fixture();
    let mut records = f.records.clone();
    records.sort_by(|a, b| a.id.cmp(&b.id));
    // The first article in id order: with ids or positions counted from the start of the file,
    // every row after it would change.
    let gone = records.remove(0).id;
    let options = MergeOptions::default();
    let whole = merge::build_graph(&corpus_of(&f.records), &f.dict, &options);
    let less = merge::build_graph(&corpus_of(&records), &f.dict, &options);
    type Render = fn(&kgx::graph::KnowledgeGraph, &mut Vec<u8>) -> std::io::Result<()>;
    let formats: [(&str, Render); 3] = [
        ("graphml", |g, w| to_graphml(g, w)),
        ("gexf", |g, w| to_gexf(g, w)),
        ("graphology", |g, w| to_graphology(g, w)),
    ];
    for (name, render) in formats {
        let text = |g| {
            let mut out = Vec::new();
            render(g, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let before: std::collections::HashSet<String> = rows(&text(&whole)).into_iter().collect();
        let after = rows(&text(&less));
        let local: Vec<&String> = after.iter().filter(|r| local_row(r)).collect();
        assert!(local.len() > 100, "{name}: {} local rows", local.len());
        let changed: Vec<&&String> = local.iter().filter(|r| !before.contains(**r)).collect();
        assert!(
            changed.is_empty(),
            "{name}: without {gone}, {} of {} rows of other articles changed, e.g. {:?}",
            changed.len(),
            local.len(),
            changed.first()
        );
    }
}
