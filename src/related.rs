//! Related posts: for every article, the articles that share the most specific entities,
//! topics and keywords with it, and the shared items that explain each score.
//!
//! Each article is a sparse vector over the items it links to (`mentions` → entity,
//! `in_topic` → topic, `has_keyword` → keyword). An item's weight is a per-kind factor times
//! a term weight (see [`Weights`]) times its specificity, `ln(N / df)`: an item every article
//! has weighs 0. The score of a pair is the cosine of the two vectors, so a long post that
//! mentions everything does not outrank a short one that shares the few specific items that
//! matter; each shared item's weight is its part of the cosine, so the shared list adds up to
//! the score (up to rounding, and to the items beyond the first [`SHARED_ITEMS`]).
//!
//! Pairs are found through an inverted index (item → articles) walking only items with a
//! document frequency up to a cap, so the work grows with co-occurring pairs, not with N².
//! Items above the cap (the weakest, `ln(N / df)` small) still add their part to the pairs
//! found that way, so scores are exact for every listed pair; only pairs that share nothing
//! but very common items are never listed. Articles are scored in parallel (rayon, in the
//! caller's pool), each on its own, so the result does not depend on the number of threads.
//! Output is a `BTreeMap` with scores rounded to [`DECIMALS`] decimals and ties broken by
//! article id: the same graph gives the same bytes.

use crate::graph::{EdgeKind, KnowledgeGraph, NodeKind, ValueRef};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Decimals kept in scores and shared-item weights.
pub const DECIMALS: i32 = 4;

/// Shared items listed per recommendation, the heaviest first.
pub const SHARED_ITEMS: usize = 5;

/// Recommendations for every article, keyed by article id (without the `article:` prefix).
///
/// Serialises to `{"<article id>": [{"id", "title", "score", "shared": [...]}]}`, ready to
/// drop into a Hugo site's `data/` folder.
pub type Related = BTreeMap<String, Vec<Recommendation>>;

/// One related article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// Article id of the related post (without the `article:` prefix).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Cosine similarity in `(0, 1]`, rounded to [`DECIMALS`] decimals.
    pub score: f64,
    /// The shared items that explain the score, heaviest first (at most [`SHARED_ITEMS`]).
    pub shared: Vec<SharedItem>,
}

/// An item two articles share, with its part of their score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedItem {
    /// Node id, e.g. `entity:defi`, `topic:solidity`, `keyword:合约`.
    pub id: String,
    /// Display label.
    pub label: String,
    /// Its contribution to the score, rounded to [`DECIMALS`] decimals.
    pub weight: f64,
}

/// How much each kind of shared item counts, and the work bound of the pair search.
///
/// The defaults were tuned on the w3er corpus for series quality (`scripts/eval_related.py`:
/// share of a series post's top 5 from its own series, and MRR): entity presence beat mention
/// counts (posts of a series each dwell on their own subject, and share breadth, not depth),
/// and keywords help at half weight, relative to the article's strongest keyword.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// Factor of an entity (article → entity `mentions` edge).
    pub entity: f64,
    /// Entity term weight is `1 + entity_count_damping * ln(count)`: 0 counts presence only,
    /// 1 is the classic log-damped term frequency.
    pub entity_count_damping: f64,
    /// Factor of a topic (`in_topic` edge: category, tag or front matter keyword).
    pub topic: f64,
    /// Factor of a segmented keyword (`has_keyword` edge); its term weight is
    /// `sqrt(score / best score in the article)`, so the scale of TF-IDF scores does not matter.
    pub keyword: f64,
    /// Items in more articles than `max(df_cap_min, df_cap_sqrt * sqrt(N))` do not generate
    /// candidate pairs (they still add their weight to pairs found through other items).
    pub df_cap_min: usize,
    /// See `df_cap_min`.
    pub df_cap_sqrt: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            entity: 1.0,
            entity_count_damping: 0.0,
            topic: 2.0,
            keyword: 0.5,
            df_cap_min: 64,
            df_cap_sqrt: 4.0,
        }
    }
}

/// The top `top` related articles of every article, with default [`Weights`].
pub fn recommend(graph: &KnowledgeGraph, top: usize) -> Related {
    recommend_with(graph, top, &Weights::default())
}

/// The top `top` related articles of every article, with the given weights.
pub fn recommend_with(graph: &KnowledgeGraph, top: usize, weights: &Weights) -> Related {
    let corpus = Corpus::new(graph, weights);
    let n = corpus.articles.len();
    let cap = weights
        .df_cap_min
        .max((weights.df_cap_sqrt * (n as f64).sqrt()) as usize);

    // Inverted index over the items that generate candidates: rare enough and not useless.
    // Each vector is split: its rare part is summed through the index, its common part (few
    // items, df above the cap) is added per candidate through a dense lookup of `a`'s part.
    let rare = |item: u32| corpus.df[item as usize] <= cap;
    let mut postings: Vec<Vec<(u32, f64)>> = vec![Vec::new(); corpus.items.len()];
    let mut common: Vec<Vec<(u32, f64)>> = Vec::with_capacity(n);
    for (a, vector) in corpus.vectors.iter().enumerate() {
        let mut own = Vec::new();
        for &(item, w) in vector {
            if !rare(item) {
                own.push((item, w));
            } else if corpus.df[item as usize] >= 2 {
                postings[item as usize].push((a as u32, w));
            }
        }
        common.push(own);
    }

    struct Scratch {
        acc: Vec<f64>,
        touched: Vec<u32>,
        common_of_a: Vec<f64>,
    }
    let lists: Vec<Vec<Recommendation>> = (0..n)
        .into_par_iter()
        .map_init(
            || Scratch {
                acc: vec![0.0; n],
                touched: Vec::new(),
                common_of_a: vec![0.0; corpus.items.len()],
            },
            |scratch, a| {
                let Scratch {
                    acc,
                    touched,
                    common_of_a,
                } = scratch;
                for &(item, wa) in &corpus.vectors[a] {
                    if !rare(item) {
                        continue;
                    }
                    for &(b, wb) in &postings[item as usize] {
                        if b as usize != a {
                            if acc[b as usize] == 0.0 {
                                touched.push(b);
                            }
                            acc[b as usize] += wa * wb;
                        }
                    }
                }
                for &(item, w) in &common[a] {
                    common_of_a[item as usize] = w;
                }
                let mut scored: Vec<(f64, u32)> = Vec::with_capacity(touched.len());
                for &b in touched.iter() {
                    // The exact dot product: rare items from the index, common ones added here.
                    let mut dot = std::mem::take(&mut acc[b as usize]);
                    for &(item, wb) in &common[b as usize] {
                        dot += common_of_a[item as usize] * wb;
                    }
                    let norm = corpus.norms[a] * corpus.norms[b as usize];
                    if dot > 0.0 && norm > 0.0 {
                        let score = round(dot / norm);
                        if score > 0.0 {
                            scored.push((score, b));
                        }
                    }
                }
                touched.clear();
                for &(item, _) in &common[a] {
                    common_of_a[item as usize] = 0.0;
                }
                // Articles are in id order, so ties broken by index are broken by id.
                let order =
                    |x: &(f64, u32), y: &(f64, u32)| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1));
                if scored.len() > top && top > 0 {
                    scored.select_nth_unstable_by(top - 1, order);
                }
                scored.truncate(top);
                scored.sort_by(order);
                scored
                    .into_iter()
                    .map(|(score, b)| {
                        let b = b as usize;
                        Recommendation {
                            id: corpus.articles[b].id.clone(),
                            title: corpus.articles[b].title.clone(),
                            score,
                            shared: corpus.shared(a, b),
                        }
                    })
                    .collect()
            },
        )
        .collect();
    corpus
        .articles
        .iter()
        .map(|a| a.id.clone())
        .zip(lists)
        .collect()
}

/// An article as `related` sees it.
struct Article {
    id: String,
    title: String,
}

/// An item an article can share with another (entity, topic or keyword node).
struct Item {
    id: String,
    label: String,
}

/// The articles as IDF-weighted sparse vectors, sorted by item index.
struct Corpus {
    articles: Vec<Article>,
    items: Vec<Item>,
    df: Vec<usize>,
    vectors: Vec<Vec<(u32, f64)>>,
    norms: Vec<f64>,
}

impl Corpus {
    fn new(graph: &KnowledgeGraph, weights: &Weights) -> Corpus {
        let g = &graph.graph;
        // Articles in id order, so everything downstream is independent of node order.
        let mut nodes: Vec<NodeIndex> = g
            .node_indices()
            .filter(|&i| g[i].kind == NodeKind::Article)
            .collect();
        nodes.sort_by(|&x, &y| g[x].id.cmp(&g[y].id));

        let mut item_of: HashMap<NodeIndex, u32> = HashMap::new();
        let mut items: Vec<Item> = Vec::new();
        let mut articles = Vec::with_capacity(nodes.len());
        let mut raw: Vec<Vec<(u32, f64)>> = Vec::with_capacity(nodes.len());
        for &node in &nodes {
            let article = &g[node];
            let id = article
                .id
                .strip_prefix("article:")
                .unwrap_or(&article.id)
                .to_string();
            let title = match article.attr("title") {
                Some(ValueRef::Str(t)) if !t.is_empty() => t.to_string(),
                _ => article.label.clone(),
            };
            articles.push(Article { id, title });

            let best_keyword = g
                .edges(node)
                .filter(|e| {
                    e.weight().kind == EdgeKind::HasKeyword && e.weight().weight.is_finite()
                })
                .map(|e| e.weight().weight)
                .fold(0.0f64, f64::max);
            let mut tf: BTreeMap<u32, f64> = BTreeMap::new();
            for edge in g.edges(node) {
                let target = &g[edge.target()];
                let w = match (edge.weight().kind, target.kind) {
                    (EdgeKind::Mentions, NodeKind::Entity) => {
                        let count = match edge.weight().attr("count") {
                            Some(ValueRef::Int(c)) => c as f64,
                            _ => edge.weight().weight,
                        };
                        weights.entity * (1.0 + weights.entity_count_damping * count.max(1.0).ln())
                    }
                    (EdgeKind::InTopic, NodeKind::Topic) => weights.topic,
                    (EdgeKind::HasKeyword, NodeKind::Keyword) if best_keyword > 0.0 => {
                        weights.keyword * (edge.weight().weight / best_keyword).sqrt()
                    }
                    _ => continue,
                };
                if !(w > 0.0 && w.is_finite()) {
                    continue;
                }
                let index = *item_of.entry(edge.target()).or_insert_with(|| {
                    items.push(Item {
                        id: target.id.clone(),
                        label: target.label.clone(),
                    });
                    (items.len() - 1) as u32
                });
                // A parallel edge (should not happen) counts once, at its largest weight.
                let slot = tf.entry(index).or_insert(0.0);
                *slot = slot.max(w);
            }
            raw.push(tf.into_iter().collect());
        }

        let n = articles.len();
        let mut df = vec![0usize; items.len()];
        for vector in &raw {
            for &(item, _) in vector {
                df[item as usize] += 1;
            }
        }
        let idf: Vec<f64> = df
            .iter()
            .map(|&d| {
                if d == 0 {
                    0.0
                } else {
                    (n as f64 / d as f64).ln().max(0.0)
                }
            })
            .collect();
        let vectors: Vec<Vec<(u32, f64)>> = raw
            .into_iter()
            .map(|v| {
                v.into_iter()
                    .map(|(i, w)| (i, w * idf[i as usize]))
                    .filter(|&(_, w)| w > 0.0)
                    .collect()
            })
            .collect();
        let norms = vectors
            .iter()
            .map(|v| v.iter().map(|&(_, w)| w * w).sum::<f64>().sqrt())
            .collect();
        Corpus {
            articles,
            items,
            df,
            vectors,
            norms,
        }
    }

    /// The items `a` and `b` share, each with its part of the cosine, heaviest first.
    fn shared(&self, a: usize, b: usize) -> Vec<SharedItem> {
        let norm = self.norms[a] * self.norms[b];
        let mut shared: Vec<(f64, &Item)> = Vec::new();
        merge_join(&self.vectors[a], &self.vectors[b], |item, wa, wb| {
            shared.push((wa * wb / norm, &self.items[item as usize]));
        });
        let mut shared: Vec<(f64, &Item)> = shared
            .into_iter()
            .map(|(w, item)| (round(w), item))
            .filter(|&(w, _)| w > 0.0)
            .collect();
        shared.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.id.cmp(&y.1.id)));
        shared.truncate(SHARED_ITEMS);
        shared
            .into_iter()
            .map(|(weight, item)| SharedItem {
                id: item.id.clone(),
                label: item.label.clone(),
                weight,
            })
            .collect()
    }
}

/// Calls `f(item, wa, wb)` for every item in both sorted sparse vectors.
fn merge_join(a: &[(u32, f64)], b: &[(u32, f64)], mut f: impl FnMut(u32, f64, f64)) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(a[i].0, a[i].1, b[j].1);
                i += 1;
                j += 1;
            }
        }
    }
}

fn round(x: f64) -> f64 {
    let scale = 10f64.powi(DECIMALS);
    (x * scale).round() / scale
}
