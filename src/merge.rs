//! The merge: records in any order → one corpus → the knowledge graph.
//!
//! This is the reduce half of the seam (SPEC §8). A [`Corpus`] is a set of records keyed by
//! article id; adding records, or another corpus, is associative and commutative (a duplicate id
//! resolves to the same record whichever order it arrives in), so shards merged in any order or
//! grouping give the same corpus. Everything corpus-wide (IDF and keywords, entity statistics,
//! co-occurrence, topics) is computed once, from the sorted records, by [`build_graph`]: that is
//! where determinism comes from.

use crate::dict::Dictionary;
use crate::graph::{Edge, EdgeKind, KnowledgeGraph, Node, NodeKind, Value};
use crate::record::{ArticleRecord, FORMAT_VERSION};
use crate::{Error, Warning};
use petgraph::graph::NodeIndex;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Which graph to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GraphMode {
    /// Every node and edge kind of SPEC §4.
    #[default]
    Full,
    /// Entities and topics with `broader` and `co_occurs` edges: small whatever the corpus.
    Entities,
}

/// How the graph is built from the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOptions {
    /// Full graph or entity projection.
    pub graph: GraphMode,
    /// Keyword nodes kept per article (the top TF-IDF terms).
    pub keywords_per_article: usize,
}

impl Default for MergeOptions {
    fn default() -> Self {
        MergeOptions {
            graph: GraphMode::Full,
            keywords_per_article: 8,
        }
    }
}

/// A set of extract records that agree on format, dictionaries and keywords.
///
/// Terms, the bulk of a record, are interned: each distinct term is stored once for the whole
/// corpus and an article keeps `(term id, count)` pairs, so memory grows with the vocabulary and
/// the graph, not with the text. Term ids depend on arrival order and never reach an output.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    header: Option<Header>,
    records: BTreeMap<String, Stored>,
    terms: Interner,
    warnings: Vec<Warning>,
}

/// A record with its terms interned.
#[derive(Debug, Clone)]
struct Stored {
    /// The record, its `terms` empty.
    record: ArticleRecord,
    /// `(term id, count)`, in the record's term order.
    terms: Box<[(u32, u32)]>,
}

#[derive(Debug, Clone, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// What every record of a corpus shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Record format version.
    pub format: u32,
    /// Dictionary hash.
    pub dict: String,
    /// Whether terms were segmented.
    pub keywords: bool,
}

impl Corpus {
    /// An empty corpus.
    pub fn new() -> Self {
        Corpus::default()
    }

    /// The shared header, once a record has been added.
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    /// Adds one record. A record of another format, dictionary or keyword setting is refused.
    /// The same article id twice keeps one record whatever the order (the larger content hash;
    /// for equal hashes, the larger record), with a warning when the two differ.
    pub fn add(&mut self, mut record: ArticleRecord) -> Result<(), Error> {
        if record.format != FORMAT_VERSION {
            return Err(Error::Incompatible(format!(
                "{}: record format {} is not the format this kgx reads ({FORMAT_VERSION})",
                record.id, record.format
            )));
        }
        let header = Header {
            format: record.format,
            dict: record.dict.clone(),
            keywords: record.keywords,
        };
        match &self.header {
            None => self.header = Some(header),
            Some(h) if h.dict != header.dict => {
                return Err(Error::Incompatible(format!(
                    "{}: extracted with dictionaries {} but others with {}: re-extract with the same dictionaries",
                    record.id,
                    short(&header.dict),
                    short(&h.dict)
                )))
            }
            Some(h) if h.keywords != header.keywords => {
                return Err(Error::Incompatible(format!(
                    "{}: extracted {} keywords but others {}: use the same --no-keywords setting",
                    record.id,
                    if header.keywords { "with" } else { "without" },
                    if h.keywords { "with" } else { "without" },
                )))
            }
            Some(_) => {}
        }
        if let Some(old) = self.records.get(&record.id) {
            let old = self.full(old);
            if old == record {
                return Ok(());
            }
            let new_wins = (&record.hash, serde_json::to_string(&record).ok())
                > (&old.hash, serde_json::to_string(&old).ok());
            let (keep, drop) = if new_wins {
                (record, old)
            } else {
                (old, record)
            };
            self.warnings.push(Warning::new(
                keep.id.clone(),
                None,
                format!(
                    "article given twice with different content; kept content {}, dropped {}",
                    short(&keep.hash),
                    short(&drop.hash)
                ),
            ));
            record = keep;
        }
        let terms: Box<[(u32, u32)]> = std::mem::take(&mut record.terms)
            .into_iter()
            .map(|(t, c)| (self.terms.intern(&t), c))
            .collect();
        self.records
            .insert(record.id.clone(), Stored { record, terms });
        Ok(())
    }

    /// The whole record of a stored article.
    fn full(&self, stored: &Stored) -> ArticleRecord {
        let mut r = stored.record.clone();
        r.terms = stored
            .terms
            .iter()
            .map(|&(t, c)| (self.terms.name(t).to_string(), c))
            .collect();
        r
    }

    /// Adds every record of `other`.
    pub fn absorb(&mut self, other: Corpus) -> Result<(), Error> {
        self.warnings.extend(other.warnings.iter().cloned());
        for stored in other.records.values() {
            self.add(other.full(stored))?;
        }
        Ok(())
    }

    /// Records sorted by article id (rebuilt whole, terms included).
    pub fn records(&self) -> impl ExactSizeIterator<Item = ArticleRecord> + '_ {
        self.records.values().map(|s| self.full(s))
    }

    /// Records sorted by article id, without their terms (cheap).
    pub fn headers(&self) -> impl ExactSizeIterator<Item = &ArticleRecord> {
        self.records.values().map(|s| &s.record)
    }

    /// Number of articles.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are no articles.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Warnings of the merge itself (duplicates), sorted and deduplicated.
    pub fn merge_warnings(&self) -> Vec<Warning> {
        let mut w = self.warnings.clone();
        w.sort();
        w.dedup();
        w
    }

    /// Checks that the corpus was extracted with `dict`.
    pub fn check_dictionary(&self, dict: &Dictionary) -> Result<(), Error> {
        match &self.header {
            Some(h) if h.dict != dict.hash => Err(Error::Incompatible(format!(
                "records were extracted with dictionaries {} but this run loads {}: pass the same --dict/--no-default-dict flags",
                short(&h.dict),
                short(&dict.hash)
            ))),
            _ => Ok(()),
        }
    }
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// The normalised name of a topic: NFKC, lower case, white space collapsed.
pub fn topic_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let lower: String = name.nfkc().flat_map(char::to_lowercase).collect();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn list(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::List(items.into_iter().map(Into::into).collect())
}

fn lines_value(lines: &BTreeSet<u32>) -> Value {
    Value::List(lines.iter().map(u32::to_string).collect())
}

/// The keywords of every article, in article id order: the top TF-IDF terms, IDF fitted on the
/// corpus (`ln((N+1)/(df+1))`, so a term in every article weighs nothing). Terms found in one
/// article only connect nothing and are left out (unless the corpus has one article).
pub fn keywords(corpus: &Corpus, per_article: usize) -> Vec<Vec<(String, f64)>> {
    let n = corpus.len();
    let mut df = vec![0u32; corpus.terms.names.len()];
    for s in corpus.records.values() {
        for &(t, _) in s.terms.iter() {
            df[t as usize] += 1;
        }
    }
    let min_df = if n > 1 { 2 } else { 1 };
    corpus
        .records
        .values()
        .map(|s| {
            let total: u32 = s.terms.iter().map(|&(_, c)| c).sum();
            let mut scored: Vec<(&str, f64)> = s
                .terms
                .iter()
                .filter_map(|&(t, c)| {
                    let d = df[t as usize];
                    if d < min_df {
                        return None;
                    }
                    let idf = ((n as f64 + 1.0) / (d as f64 + 1.0)).ln();
                    let score = round6(c as f64 / total as f64 * idf);
                    (score > 0.0).then(|| (corpus.terms.name(t), score))
                })
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            scored.truncate(per_article);
            scored
                .into_iter()
                .map(|(t, s)| (t.to_string(), s))
                .collect()
        })
        .collect()
}

#[derive(Default)]
struct EntityStats {
    mentions: i64,
    articles: i64,
    first: Option<String>,
    last: Option<String>,
}

#[derive(Default)]
struct TopicStats {
    spellings: BTreeMap<String, u32>,
    sources: BTreeSet<u8>,
    articles: BTreeSet<usize>,
}

/// Mention counts of one entity in one article or section: count, in a heading, lines.
type Counts = BTreeMap<usize, (i64, bool, BTreeSet<u32>)>;

/// Nodes are added in their final order; edges are collected with their endpoints' indices and
/// sorted once, by kind then source then target.
struct Builder {
    graph: KnowledgeGraph,
    edges: Vec<(EdgeKind, NodeIndex, NodeIndex, Edge)>,
}

impl Builder {
    fn node(
        &mut self,
        id: String,
        kind: NodeKind,
        label: String,
        attrs: Vec<(&'static str, Value)>,
    ) -> NodeIndex {
        self.graph.graph.add_node(Node {
            id,
            kind,
            label,
            attrs,
        })
    }

    fn edge(
        &mut self,
        kind: EdgeKind,
        from: NodeIndex,
        to: NodeIndex,
        weight: f64,
        attrs: Vec<(&'static str, Value)>,
    ) {
        self.edges.push((
            kind,
            from,
            to,
            Edge {
                kind,
                weight,
                attrs,
            },
        ));
    }

    fn finish(mut self) -> KnowledgeGraph {
        self.edges
            .sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        self.graph.graph.reserve_edges(self.edges.len());
        for (_, a, b, e) in self.edges {
            self.graph.graph.add_edge(a, b, e);
        }
        self.graph
    }
}

const SOURCES: [&str; 3] = ["category", "tag", "keyword"];

fn mention_attrs(
    count: i64,
    in_heading: Option<bool>,
    lines: &BTreeSet<u32>,
) -> Vec<(&'static str, Value)> {
    let mut attrs = vec![("count", Value::Int(count))];
    if let Some(h) = in_heading {
        attrs.push(("in_heading", Value::Bool(h)));
    }
    attrs.push(("lines", lines_value(lines)));
    attrs
}

/// Distinct, trimmed, non-empty author names of a record, sorted.
fn authors_of(r: &ArticleRecord) -> BTreeSet<&str> {
    r.authors
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect()
}

/// Builds the knowledge graph of `corpus`, whose entities are those of `dict`.
pub fn build_graph(corpus: &Corpus, dict: &Dictionary, opts: &MergeOptions) -> KnowledgeGraph {
    let records: Vec<&ArticleRecord> = corpus.headers().collect();
    let entity_ix: HashMap<&str, usize> = dict
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();

    // Entity statistics, per-article and per-section mention counts, co-occurrence.
    let mut stats: BTreeMap<usize, EntityStats> = BTreeMap::new();
    let mut cooc: BTreeMap<(usize, usize), (i64, i64)> = BTreeMap::new();
    let mut per_article: Vec<Counts> = Vec::with_capacity(records.len());
    let mut per_section: Vec<BTreeMap<u32, Counts>> = Vec::with_capacity(records.len());
    for r in &records {
        let mut art: Counts = BTreeMap::new();
        let mut secs: BTreeMap<u32, Counts> = BTreeMap::new();
        for m in &r.mentions {
            let Some(&e) = entity_ix.get(m.entity.as_str()) else {
                continue;
            };
            let a = art.entry(e).or_default();
            a.0 += 1;
            a.2.insert(m.line);
            if let Some(order) = m.section {
                let s = secs.entry(order).or_default().entry(e).or_default();
                s.0 += 1;
                s.1 |= m.in_heading;
                s.2.insert(m.line);
            }
        }
        for (&e, (count, _, _)) in &art {
            let st = stats.entry(e).or_default();
            st.mentions += count;
            st.articles += 1;
            if let Some(d) = &r.date {
                if st.first.as_ref().is_none_or(|f| d < f) {
                    st.first = Some(d.clone());
                }
                if st.last.as_ref().is_none_or(|l| d > l) {
                    st.last = Some(d.clone());
                }
            }
        }
        // Pairs of entities in one section; an article counts once per pair.
        let mut pairs_here: BTreeSet<(usize, usize)> = BTreeSet::new();
        for ents in secs.values() {
            let ids: Vec<usize> = ents.keys().copied().collect();
            for i in 0..ids.len() {
                for &b in &ids[i + 1..] {
                    let pair = (ids[i], b);
                    cooc.entry(pair).or_default().0 += 1;
                    pairs_here.insert(pair);
                }
            }
        }
        for p in pairs_here {
            cooc.entry(p).or_default().1 += 1;
        }
        per_article.push(art);
        per_section.push(secs);
    }

    // Entities in the graph: the mentioned ones and their broader ancestors.
    let mut included: BTreeSet<usize> = stats.keys().copied().collect();
    let mut stack: Vec<usize> = included.iter().copied().collect();
    while let Some(e) = stack.pop() {
        for b in &dict.entities[e].broader {
            if let Some(&bi) = entity_ix.get(b.as_str()) {
                if included.insert(bi) {
                    stack.push(bi);
                }
            }
        }
    }

    // Topics, by normalised name.
    let mut topics: BTreeMap<String, TopicStats> = BTreeMap::new();
    let mut article_topics: Vec<BTreeSet<String>> = Vec::with_capacity(records.len());
    for (ai, r) in records.iter().enumerate() {
        let mut mine = BTreeSet::new();
        for (si, names) in [&r.categories, &r.tags, &r.fm_keywords]
            .into_iter()
            .enumerate()
        {
            for name in names {
                let key = topic_key(name);
                if key.is_empty() {
                    continue;
                }
                let t = topics.entry(key.clone()).or_default();
                *t.spellings.entry(name.trim().to_string()).or_insert(0) += 1;
                t.sources.insert(si as u8);
                t.articles.insert(ai);
                mine.insert(key);
            }
        }
        article_topics.push(mine);
    }

    let full = opts.graph == GraphMode::Full;
    let keywords = if full && corpus.header().is_some_and(|h| h.keywords) {
        keywords(corpus, opts.keywords_per_article)
    } else {
        vec![Vec::new(); records.len()]
    };

    let mut b = Builder {
        graph: KnowledgeGraph::default(),
        edges: Vec::new(),
    };

    // Nodes, in their final order: articles, sections, entities, topics, keywords, authors.
    let mut article_nodes = Vec::new();
    let mut section_nodes: Vec<HashMap<u32, NodeIndex>> = Vec::new();
    if full {
        for r in &records {
            let mut attrs = vec![
                ("path", Value::Str(r.id.clone())),
                ("title", Value::Str(r.title.clone())),
            ];
            if let Some(d) = &r.date {
                attrs.push(("date", Value::Str(d.clone())));
            }
            if let Some(d) = &r.lastmod {
                attrs.push(("lastmod", Value::Str(d.clone())));
            }
            attrs.push(("authors", list(r.authors.iter().cloned())));
            attrs.push(("tags", list(r.tags.iter().cloned())));
            attrs.push(("categories", list(r.categories.iter().cloned())));
            attrs.push(("words", Value::Int(r.words as i64)));
            article_nodes.push(b.node(
                format!("article:{}", r.id),
                NodeKind::Article,
                r.title.clone(),
                attrs,
            ));
        }
        for r in &records {
            let article = format!("article:{}", r.id);
            let mut mine = HashMap::with_capacity(r.sections.len());
            for s in &r.sections {
                let label = if s.heading.is_empty() {
                    "(lead)".to_string()
                } else {
                    s.heading.clone()
                };
                let ix = b.node(
                    format!("section:{}#{}", r.id, s.order),
                    NodeKind::Section,
                    label,
                    vec![
                        ("article", Value::Str(article.clone())),
                        ("level", Value::Int(s.level as i64)),
                        ("order", Value::Int(s.order as i64)),
                        ("heading_path", Value::Str(s.heading_path.clone())),
                        ("line", Value::Int(s.line as i64)),
                    ],
                );
                mine.insert(s.order, ix);
            }
            section_nodes.push(mine);
        }
    }
    let mut entity_nodes: HashMap<usize, NodeIndex> = HashMap::with_capacity(included.len());
    for &e in &included {
        let ent = &dict.entities[e];
        let st = stats.get(&e);
        let mut attrs = vec![
            ("entity_type", Value::Str(ent.entity_type.clone())),
            ("aliases", list(ent.aliases.iter().cloned())),
            ("broader", list(ent.broader.iter().cloned())),
            ("mentions", Value::Int(st.map_or(0, |s| s.mentions))),
            ("articles", Value::Int(st.map_or(0, |s| s.articles))),
        ];
        if let Some(d) = st.and_then(|s| s.first.clone()) {
            attrs.push(("first_seen", Value::Str(d)));
        }
        if let Some(d) = st.and_then(|s| s.last.clone()) {
            attrs.push(("last_seen", Value::Str(d)));
        }
        let ix = b.node(
            format!("entity:{}", ent.id),
            NodeKind::Entity,
            ent.label.clone(),
            attrs,
        );
        entity_nodes.insert(e, ix);
    }
    let mut topic_nodes: HashMap<&str, NodeIndex> = HashMap::with_capacity(topics.len());
    for (key, t) in &topics {
        // The label is the spelling most articles use; ties go to the first in sort order.
        let label = t
            .spellings
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(s, _)| s.clone());
        let ix = b.node(
            format!("topic:{key}"),
            NodeKind::Topic,
            label.unwrap_or_else(|| key.clone()),
            vec![
                (
                    "source",
                    list(t.sources.iter().map(|&s| SOURCES[s as usize])),
                ),
                ("articles", Value::Int(t.articles.len() as i64)),
            ],
        );
        topic_nodes.insert(key.as_str(), ix);
    }
    if full {
        let mut kw: BTreeMap<&str, (f64, i64)> = BTreeMap::new();
        for list in &keywords {
            for (t, s) in list {
                let k = kw.entry(t.as_str()).or_insert((0.0, 0));
                k.0 = k.0.max(*s);
                k.1 += 1;
            }
        }
        let mut keyword_nodes: HashMap<&str, NodeIndex> = HashMap::with_capacity(kw.len());
        for (t, (score, n)) in &kw {
            let ix = b.node(
                format!("keyword:{t}"),
                NodeKind::Keyword,
                t.to_string(),
                vec![
                    ("score", Value::Double(*score)),
                    ("articles", Value::Int(*n)),
                ],
            );
            keyword_nodes.insert(t, ix);
        }
        let mut authors: BTreeMap<&str, i64> = BTreeMap::new();
        for r in &records {
            for a in authors_of(r) {
                *authors.entry(a).or_insert(0) += 1;
            }
        }
        let mut author_nodes: HashMap<&str, NodeIndex> = HashMap::with_capacity(authors.len());
        for (a, n) in &authors {
            let ix = b.node(
                format!("author:{a}"),
                NodeKind::Author,
                a.to_string(),
                vec![("articles", Value::Int(*n))],
            );
            author_nodes.insert(a, ix);
        }

        // Edges of articles and sections.
        for (ai, r) in records.iter().enumerate() {
            let article = article_nodes[ai];
            let sections = &section_nodes[ai];
            for s in &r.sections {
                let from = match s.parent.and_then(|p| sections.get(&p)) {
                    Some(&p) => p,
                    None => article,
                };
                b.edge(EdgeKind::HasSection, from, sections[&s.order], 1.0, vec![]);
            }
            for (e, (count, _, lines)) in &per_article[ai] {
                b.edge(
                    EdgeKind::Mentions,
                    article,
                    entity_nodes[e],
                    *count as f64,
                    mention_attrs(*count, None, lines),
                );
            }
            for (order, ents) in &per_section[ai] {
                let Some(&from) = sections.get(order) else {
                    continue;
                };
                for (e, (count, in_heading, lines)) in ents {
                    let attrs = mention_attrs(*count, Some(*in_heading), lines);
                    b.edge(
                        EdgeKind::Mentions,
                        from,
                        entity_nodes[e],
                        *count as f64,
                        attrs,
                    );
                }
            }
            for key in &article_topics[ai] {
                b.edge(
                    EdgeKind::InTopic,
                    article,
                    topic_nodes[key.as_str()],
                    1.0,
                    vec![],
                );
            }
            for (t, score) in &keywords[ai] {
                b.edge(
                    EdgeKind::HasKeyword,
                    article,
                    keyword_nodes[t.as_str()],
                    *score,
                    vec![],
                );
            }
            for a in authors_of(r) {
                b.edge(EdgeKind::WrittenBy, article, author_nodes[a], 1.0, vec![]);
            }
        }
    }
    for &e in &included {
        for br in &dict.entities[e].broader {
            if let Some(to) = entity_ix
                .get(br.as_str())
                .and_then(|bi| entity_nodes.get(bi))
            {
                b.edge(EdgeKind::Broader, entity_nodes[&e], *to, 1.0, vec![]);
            }
        }
    }
    for ((x, y), (sections, articles)) in &cooc {
        // Entities are sorted by id in the dictionary, so the smaller index is the smaller id.
        let (a, z) = if dict.entities[*x].id < dict.entities[*y].id {
            (x, y)
        } else {
            (y, x)
        };
        b.edge(
            EdgeKind::CoOccurs,
            entity_nodes[a],
            entity_nodes[z],
            *sections as f64,
            vec![("articles", Value::Int(*articles))],
        );
    }
    b.finish()
}
