//! `related`: scoring rules on hand-built graphs, one test a rule.

mod common;

use kgx::graph::{Edge, EdgeAttrs, EdgeKind, KnowledgeGraph, NodeKind, Value};
use kgx::related::{recommend, recommend_with, Related, Weights};
use petgraph::graph::NodeIndex;
use std::collections::HashMap;

/// A tiny graph builder: articles and the items they link to.
#[derive(Default)]
struct Builder {
    graph: KnowledgeGraph,
    index: HashMap<String, NodeIndex>,
}

impl Builder {
    fn node(
        &mut self,
        id: &str,
        kind: NodeKind,
        label: &str,
        attrs: Vec<(&'static str, Value)>,
    ) -> NodeIndex {
        common::node(&mut self.graph, &mut self.index, id, kind, label, attrs)
    }

    fn article(&mut self, id: &str, title: &str) -> NodeIndex {
        let attrs = vec![
            ("path", Value::Str(id.into())),
            ("title", Value::Str(title.into())),
        ];
        self.node(&format!("article:{id}"), NodeKind::Article, title, attrs)
    }

    /// `article` mentions entity `entity` `count` times.
    fn mention(&mut self, article: &str, entity: &str, count: i64) {
        let a = self.article(article, &format!("Title of {article}"));
        let e = self.node(
            &format!("entity:{entity}"),
            NodeKind::Entity,
            &entity.to_uppercase(),
            vec![],
        );
        let attrs = EdgeAttrs::Mention {
            count: count as u32,
            in_heading: None,
            lines: vec![1].into(),
        };
        self.graph.graph.add_edge(
            a,
            e,
            Edge {
                kind: EdgeKind::Mentions,
                weight: count as f64,
                attrs,
            },
        );
    }

    fn topic(&mut self, article: &str, topic: &str) {
        let a = self.article(article, &format!("Title of {article}"));
        let t = self.node(&format!("topic:{topic}"), NodeKind::Topic, topic, vec![]);
        self.graph.graph.add_edge(
            a,
            t,
            Edge {
                kind: EdgeKind::InTopic,
                weight: 1.0,
                attrs: EdgeAttrs::None,
            },
        );
    }

    fn keyword(&mut self, article: &str, word: &str) {
        let a = self.article(article, &format!("Title of {article}"));
        let k = self.node(&format!("keyword:{word}"), NodeKind::Keyword, word, vec![]);
        self.graph.graph.add_edge(
            a,
            k,
            Edge {
                kind: EdgeKind::HasKeyword,
                weight: 0.3,
                attrs: EdgeAttrs::None,
            },
        );
    }
}

fn ids(related: &Related, article: &str) -> Vec<String> {
    related[article].iter().map(|r| r.id.clone()).collect()
}

#[test]
fn item_in_every_article_weighs_nothing() {
    let mut b = Builder::default();
    for a in ["a", "b", "c", "d"] {
        b.mention(a, "blockchain", 5);
        b.topic(a, "web3");
    }
    b.mention("a", "defi", 1);
    b.mention("c", "defi", 1);
    let related = recommend(&b.graph, 5);
    // a and b share only items every article has: no recommendation from them.
    assert_eq!(ids(&related, "a"), vec!["c"]);
    assert!(related["b"].is_empty(), "{:?}", related["b"]);
    assert!(related["d"].is_empty());
    let shared: Vec<&str> = related["a"][0]
        .shared
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(shared, vec!["entity:defi"]);
}

#[test]
fn rarer_shared_item_scores_higher() {
    let mut b = Builder::default();
    // "evm" is in 2 articles, "ethereum" in 4 of 8.
    b.mention("a", "evm", 1);
    b.mention("b", "evm", 1);
    for a in ["a", "c", "d", "e"] {
        b.mention(a, "ethereum", 1);
    }
    for a in ["b", "c", "d", "e", "f", "g", "h"] {
        b.mention(a, "filler", 1);
    }
    let related = recommend(&b.graph, 5);
    assert_eq!(related["a"][0].id, "b");
    assert!(related["a"][0].score > related["a"][1].score);
}

#[test]
fn long_post_does_not_dominate() {
    let mut b = Builder::default();
    // a and short share x and y; long shares them too but mentions 30 other things, often.
    for a in ["a", "short", "long"] {
        b.mention(a, "x", 2);
        b.mention(a, "y", 2);
    }
    for i in 0..30 {
        b.mention("long", &format!("other{i}"), 9);
        b.mention(&format!("filler{i}"), &format!("other{i}"), 1);
    }
    let related = recommend(&b.graph, 5);
    assert_eq!(
        ids(&related, "a")[..2],
        ["short".to_string(), "long".to_string()]
    );
    assert!(
        related["a"][0].score > 2.0 * related["a"][1].score,
        "{:?}",
        related["a"]
    );
}

/// a mentions x 100 times and y once; b shares y only, c shares x only.
fn counts_graph() -> Builder {
    let mut b = Builder::default();
    b.mention("a", "x", 100);
    b.mention("a", "y", 1);
    b.mention("b", "y", 1);
    b.mention("c", "x", 1);
    for i in 0..4 {
        b.mention(&format!("f{i}"), "z", 1);
    }
    b
}

#[test]
fn mention_counts_are_damped() {
    let b = counts_graph();
    let weights = Weights {
        entity_count_damping: 1.0,
        ..Weights::default()
    };
    let related = recommend_with(&b.graph, 5, &weights);
    let score = |id: &str| related["a"].iter().find(|r| r.id == id).unwrap().score;
    // x wins, but not by 100 to 1: log damping keeps y in play.
    assert!(score("c") > score("b"));
    assert!(score("c") < 10.0 * score("b"), "{:?}", related["a"]);
}

#[test]
fn default_weights_count_entity_presence() {
    let related = recommend(&counts_graph().graph, 5);
    let score = |id: &str| related["a"].iter().find(|r| r.id == id).unwrap().score;
    assert_eq!(score("b"), score("c"));
    assert_eq!(ids(&related, "a"), vec!["b", "c"]);
}

#[test]
fn keyword_weight_is_relative_to_the_article() {
    // Keyword scores scaled by 1000 give the same recommendations.
    let build = |scale: f64| {
        let mut b = Builder::default();
        for (a, kws) in [
            ("a", ["k1", "k2"]),
            ("b", ["k1", "k3"]),
            ("c", ["k2", "k3"]),
            ("d", ["k4", "k5"]),
        ] {
            b.article(a, a);
            for (n, k) in kws.iter().enumerate() {
                let an = b.index[&format!("article:{a}")];
                let kn = b.node(&format!("keyword:{k}"), NodeKind::Keyword, k, vec![]);
                let weight = scale * (0.1 + n as f64 * 0.3);
                b.graph.graph.add_edge(
                    an,
                    kn,
                    Edge {
                        kind: EdgeKind::HasKeyword,
                        weight,
                        attrs: EdgeAttrs::None,
                    },
                );
            }
        }
        recommend(&b.graph, 5)
    };
    let small = build(0.001);
    assert_eq!(small, build(1.0));
    // a's k2 is its strongest keyword, shared with c.
    assert_eq!(ids(&small, "a"), vec!["c", "b"]);
}

#[test]
fn shared_items_explain_the_score() {
    let mut b = Builder::default();
    for a in ["a", "b"] {
        b.mention(a, "defi", 3);
        b.mention(a, "uniswap", 1);
        b.topic(a, "finance");
        b.keyword(a, "流动性");
    }
    for i in 0..6 {
        b.mention(&format!("f{i}"), "defi", 1);
        b.topic(&format!("f{i}"), "other");
    }
    for i in 0..12 {
        b.mention(&format!("g{i}"), "elsewhere", 1);
    }
    let related = recommend(&b.graph, 5);
    let rec = &related["a"][0];
    assert_eq!(rec.id, "b");
    assert_eq!(rec.title, "Title of b");
    let shared: Vec<&str> = rec.shared.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(shared.len(), 4);
    for id in [
        "entity:defi",
        "entity:uniswap",
        "topic:finance",
        "keyword:流动性",
    ] {
        assert!(shared.contains(&id), "{id} missing from {shared:?}");
    }
    assert!(
        rec.shared.windows(2).all(|w| w[0].weight >= w[1].weight),
        "{:?}",
        rec.shared
    );
    let sum: f64 = rec.shared.iter().map(|s| s.weight).sum();
    assert!((sum - rec.score).abs() < 1e-3, "{sum} vs {}", rec.score);
    // The rarer entity outweighs the one in 8 articles; labels come from the nodes.
    let uniswap = rec
        .shared
        .iter()
        .find(|s| s.id == "entity:uniswap")
        .unwrap();
    let defi = rec.shared.iter().find(|s| s.id == "entity:defi").unwrap();
    assert!(uniswap.weight > defi.weight);
    assert_eq!(uniswap.label, "UNISWAP");
}

#[test]
fn at_most_five_shared_items_and_top_n() {
    let mut b = Builder::default();
    for i in 0..8 {
        for a in ["a", "b"] {
            b.mention(a, &format!("e{i}"), 1);
        }
    }
    for a in ["c", "d", "e", "f"] {
        b.mention(a, "e0", 1);
        b.mention(a, "unrelated", 1);
    }
    for a in ["g", "h", "i"] {
        b.mention(a, "elsewhere", 1);
    }
    let related = recommend(&b.graph, 2);
    assert_eq!(related["a"].len(), 2);
    assert_eq!(related["a"][0].shared.len(), 5);
    assert!(related.values().all(|list| list.len() <= 2));
}

#[test]
fn ties_are_broken_by_id_and_output_is_deterministic() {
    let build = |order: &[&str]| {
        let mut b = Builder::default();
        for &a in order {
            b.mention(a, "x", 1);
        }
        b.mention("other", "y", 1);
        recommend(&b.graph, 5)
    };
    let one = build(&["q", "a", "m", "z"]);
    let two = build(&["z", "m", "a", "q"]);
    assert_eq!(ids(&one, "q"), vec!["a", "m", "z"]);
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&two).unwrap()
    );
}

#[test]
fn json_shape_matches_the_spec() {
    let mut b = Builder::default();
    b.mention("posts/a.md", "x", 1);
    b.mention("posts/b.md", "x", 1);
    b.mention("posts/c.md", "y", 1);
    let json: serde_json::Value = serde_json::to_value(recommend(&b.graph, 5)).unwrap();
    let expected = serde_json::json!({
        "posts/a.md": [{"id": "posts/b.md", "title": "Title of posts/b.md", "score": 1.0,
                        "shared": [{"id": "entity:x", "label": "X", "weight": 1.0}]}],
        "posts/b.md": [{"id": "posts/a.md", "title": "Title of posts/a.md", "score": 1.0,
                        "shared": [{"id": "entity:x", "label": "X", "weight": 1.0}]}],
        "posts/c.md": []
    });
    assert_eq!(json, expected);
}

#[test]
fn scores_are_rounded() {
    let mut b = Builder::default();
    b.mention("a", "x", 1);
    b.mention("a", "y", 1);
    b.mention("b", "x", 1);
    b.mention("c", "y", 3);
    b.mention("d", "z", 1);
    let related = recommend(&b.graph, 5);
    for rec in related.values().flatten() {
        assert_eq!(rec.score, (rec.score * 1e4).round() / 1e4);
        assert!(rec.score > 0.0 && rec.score <= 1.0);
    }
}

#[test]
fn empty_graph_gives_empty_output() {
    let related = recommend(&KnowledgeGraph::default(), 5);
    assert!(related.is_empty());
    let mut b = Builder::default();
    b.article("lonely", "Lonely");
    assert!(recommend(&b.graph, 5)["lonely"].is_empty());
}

#[test]
fn common_items_still_count_for_pairs_found_through_rare_ones() {
    let mut b = Builder::default();
    // "common" is in 40 of 60 articles, above a cap of 10: it proposes no pairs, but a pair
    // found through "rare" gets its share of "common" too, so the score is the exact cosine.
    for i in 0..40 {
        b.mention(&format!("p{i:02}"), "common", 1);
    }
    for i in 40..60 {
        b.mention(&format!("p{i:02}"), "else", 1);
    }
    b.mention("p00", "rare", 1);
    b.mention("p01", "rare", 1);
    let weights = Weights {
        df_cap_min: 10,
        df_cap_sqrt: 0.0,
        ..Weights::default()
    };
    let capped = recommend_with(&b.graph, 100, &weights);
    let uncapped = recommend_with(
        &b.graph,
        100,
        &Weights {
            df_cap_min: 1000,
            ..weights.clone()
        },
    );
    assert_eq!(capped["p00"][0], uncapped["p00"][0]);
    assert_eq!(capped["p00"][0].shared.len(), 2);
    // Pairs that share only the common item are left out when capped.
    assert_eq!(capped["p05"].len(), 0);
    assert!(!uncapped["p05"].is_empty());
}

#[test]
fn many_articles_stay_fast() {
    // 3000 articles, each with a few of 600 entities and one of 3 very common topics.
    let mut b = Builder::default();
    for i in 0..3000u64 {
        let a = format!("a{i:05}");
        for k in 0..6u64 {
            let e = (i.wrapping_mul(2654435761).wrapping_add(k * 97)) % 600;
            b.mention(&a, &format!("e{e}"), 1 + (k as i64));
        }
        b.topic(&a, &format!("t{}", i % 3));
    }
    let start = std::time::Instant::now();
    let related = recommend(&b.graph, 5);
    assert_eq!(related.len(), 3000);
    assert!(related.values().all(|l| l.len() == 5));
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
}

/// 30 000 articles shaped like a blog corpus: 30 entities each from 5 000 with Zipf-like
/// popularity, 8 keywords from 60 000, 2 of 12 topics. Run with
/// `cargo test --release --test related -- --ignored --nocapture` to measure.
#[test]
#[ignore]
fn scale_30k_articles() {
    let mut b = Builder::default();
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    let zipf = |u: f64, n: f64| ((n + 1.0).powf(u) - 1.0) as usize; // ~ log-uniform ranks
    let start = std::time::Instant::now();
    for i in 0..30_000 {
        let a = format!("posts/{i:05}.md");
        for _ in 0..30 {
            let e = zipf(next(), 5000.0);
            b.mention(&a, &format!("e{e}"), 1 + (next() * 5.0) as i64);
        }
        for _ in 0..8 {
            let k = zipf(next(), 60_000.0);
            b.keyword(&a, &format!("k{k}"));
        }
        for _ in 0..2 {
            b.topic(&a, &format!("t{}", (next() * 12.0) as usize));
        }
    }
    let built = start.elapsed();
    let start = std::time::Instant::now();
    let related = recommend(&b.graph, 10);
    let took = start.elapsed();
    eprintln!(
        "30k articles, {} edges: graph {built:?}, recommend {took:?}",
        b.graph.graph.edge_count()
    );
    assert_eq!(related.len(), 30_000);
}

#[test]
fn output_does_not_depend_on_threads() {
    let mut b = Builder::default();
    for i in 0..400u64 {
        let a = format!("a{i:03}");
        for k in 0..5u64 {
            b.mention(&a, &format!("e{}", (i * 7 + k * 13) % 90), 1 + k as i64);
        }
        b.keyword(&a, &format!("k{}", i % 17));
        b.topic(&a, &format!("t{}", i % 4));
    }
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        serde_json::to_string(&pool.install(|| recommend(&b.graph, 5))).unwrap()
    };
    assert_eq!(run(1), run(4));
}
