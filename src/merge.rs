//! The merge: records in any order → one corpus → the knowledge graph.
//!
//! This is the reduce half of the seam (SPEC §8). A [`Corpus`] is a set of records keyed by
//! article id; adding records, or another corpus, is associative and commutative (a duplicate id
//! resolves to the same record whichever order it arrives in), so shards merged in any order or
//! grouping give the same corpus. Everything corpus-wide (IDF and keywords, entity statistics,
//! co-occurrence, topics) is computed once, from the sorted records, by [`build_graph`]: that is
//! where determinism comes from.

use crate::dict::Dictionary;
use crate::graph::{Edge, EdgeAttrs, EdgeKind, KnowledgeGraph, Node, NodeKind, Value};
use crate::record::{ArticleRecord, MentionRecord, FORMAT_VERSION};
use crate::{Error, Warning};
use petgraph::graph::NodeIndex;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
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
    entities: Interner,
    warnings: Vec<Warning>,
}

/// A record with its terms and mentions interned.
#[derive(Debug, Clone)]
struct Stored {
    /// The record, its `terms` and `mentions` empty.
    record: ArticleRecord,
    /// `(term id, count)`, in the record's term order.
    terms: Box<[(u32, u32)]>,
    /// Mentions in the record's order.
    mentions: Box<[Mention]>,
}

/// A mention with its entity interned: 20 bytes instead of a record's heap string.
#[derive(Debug, Clone, Copy)]
struct Mention {
    entity: u32,
    /// Section order; [`NO_SECTION`] for the title.
    section: u32,
    line: u32,
    byte: u32,
    len: u32,
    in_heading: bool,
}

const NO_SECTION: u32 = u32::MAX;

#[derive(Debug, Clone, Default)]
struct Interner {
    ids: FxHashMap<Box<str>, u32>,
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
        let mentions: Box<[Mention]> = std::mem::take(&mut record.mentions)
            .into_iter()
            .map(|m| Mention {
                entity: self.entities.intern(&m.entity),
                section: m.section.unwrap_or(NO_SECTION),
                line: m.line,
                byte: m.byte,
                len: m.len,
                in_heading: m.in_heading,
            })
            .collect();
        self.records.insert(
            record.id.clone(),
            Stored {
                record,
                terms,
                mentions,
            },
        );
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
        r.mentions = stored
            .mentions
            .iter()
            .map(|m| MentionRecord {
                entity: self.entities.name(m.entity).to_string(),
                section: (m.section != NO_SECTION).then_some(m.section),
                in_heading: m.in_heading,
                line: m.line,
                byte: m.byte,
                len: m.len,
            })
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

    /// Records sorted by article id, without their terms and mentions (cheap).
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
    let stored: Vec<&Stored> = corpus.records.values().collect();
    stored
        .par_iter()
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
            // Best first, ties by term: a total order, so the top `per_article` are picked
            // out before they alone are sorted.
            let order =
                |a: &(&str, f64), b: &(&str, f64)| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0));
            if per_article == 0 {
                scored.clear();
            } else if scored.len() > per_article {
                scored.select_nth_unstable_by(per_article - 1, order);
                scored.truncate(per_article);
            }
            scored.sort_unstable_by(order);
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

/// Entity statistics, co-occurrence and mention edge counts of a run of articles.
#[derive(Default)]
struct Tally {
    stats: FxHashMap<usize, EntityStats>,
    cooc: FxHashMap<(u32, u32), (i64, i64)>,
    /// Per article in order: its `mentions` edges from the article and from its sections.
    mention_counts: Vec<(usize, usize)>,
    scratch: Scratch,
    orders: Vec<u32>,
    pairs: Vec<(u32, u32)>,
    /// One section's distinct entities.
    entities: Vec<u32>,
}

impl Tally {
    /// Counts the next article.
    fn add(&mut self, r: &ArticleRecord, st: &Stored, dict_of: &[Option<u32>]) {
        let Tally {
            stats,
            cooc,
            mention_counts,
            scratch,
            orders,
            pairs,
            entities,
        } = self;
        scratch.load(st, dict_of);
        orders.clear();
        orders.extend(r.sections.iter().map(|s| s.order));
        orders.sort_unstable();
        // Per entity of the article (its mentions are sorted by entity): count them.
        let mut article_mentions = 0;
        for run in scratch.by_entity.chunk_by(|a, b| a.0 == b.0) {
            article_mentions += 1;
            let s = stats.entry(run[0].0 as usize).or_default();
            s.mentions += run.len() as i64;
            s.articles += 1;
            if let Some(d) = &r.date {
                s.see(d);
            }
        }
        // Pairs of entities in one section; an article counts once per pair.
        pairs.clear();
        let mut section_mentions = 0;
        for section in scratch.by_section.chunk_by(|a, b| a.0 == b.0) {
            entities.clear();
            for &(_, e, _, _) in section {
                if entities.last() != Some(&e) {
                    entities.push(e);
                }
            }
            if orders.binary_search(&section[0].0).is_ok() {
                section_mentions += entities.len();
            }
            for (i, &a) in entities.iter().enumerate() {
                for &b in &entities[i + 1..] {
                    cooc.entry((a, b)).or_default().0 += 1;
                    pairs.push((a, b));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        for p in pairs.iter() {
            cooc.entry(*p).or_default().1 += 1;
        }
        mention_counts.push((article_mentions, section_mentions));
    }

    /// Adds the tally of the articles that follow this one's.
    fn merge(&mut self, other: Tally) {
        for (e, o) in other.stats {
            let s = self.stats.entry(e).or_default();
            s.mentions += o.mentions;
            s.articles += o.articles;
            for d in [o.first, o.last].into_iter().flatten() {
                s.see(&d);
            }
        }
        for (pair, (sections, articles)) in other.cooc {
            let c = self.cooc.entry(pair).or_default();
            c.0 += sections;
            c.1 += articles;
        }
        self.mention_counts.extend(other.mention_counts);
    }
}

impl EntityStats {
    /// Widens first and last seen to take in `date`.
    fn see(&mut self, date: &str) {
        if self.first.as_deref().is_none_or(|f| date < f) {
            self.first = Some(date.to_string());
        }
        if self.last.as_deref().is_none_or(|l| date > l) {
            self.last = Some(date.to_string());
        }
    }
}

#[derive(Default)]
struct TopicStats {
    spellings: BTreeMap<String, u32>,
    sources: BTreeSet<u8>,
    articles: BTreeSet<usize>,
}

/// One article's mentions, sorted for grouping; reused from article to article.
#[derive(Default)]
struct Scratch {
    /// (entity, line, in heading) sorted.
    by_entity: Vec<(u32, u32, bool)>,
    /// (section, entity, line, in heading) sorted; title mentions left out.
    by_section: Vec<(u32, u32, u32, bool)>,
}

/// Mentions of one entity in one article or section.
struct Group {
    section: u32,
    entity: u32,
    count: i64,
    in_heading: bool,
    lines: Vec<u32>,
}

impl Scratch {
    fn load(&mut self, stored: &Stored, dict_of: &[Option<u32>]) {
        self.by_entity.clear();
        self.by_section.clear();
        for m in stored.mentions.iter() {
            let Some(e) = dict_of[m.entity as usize] else {
                continue;
            };
            self.by_entity.push((e, m.line, m.in_heading));
            if m.section != NO_SECTION {
                self.by_section.push((m.section, e, m.line, m.in_heading));
            }
        }
        self.by_entity.sort_unstable();
        self.by_section.sort_unstable();
    }

    /// Per entity of the article: count, distinct lines.
    fn article_groups(&self) -> Vec<Group> {
        group(self.by_entity.iter().map(|&(e, line, h)| (0, e, line, h)))
    }

    /// Per (section, entity): count, any in the heading, distinct lines.
    fn section_groups(&self) -> Vec<Group> {
        group(self.by_section.iter().copied())
    }
}

/// Groups sorted (section, entity, line, in heading) rows by (section, entity).
fn group(rows: impl Iterator<Item = (u32, u32, u32, bool)>) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for (s, e, line, h) in rows {
        match out.last_mut() {
            Some(g) if g.section == s && g.entity == e => {
                g.count += 1;
                g.in_heading |= h;
                if g.lines.last() != Some(&line) {
                    g.lines.push(line);
                }
            }
            _ => out.push(Group {
                section: s,
                entity: e,
                count: 1,
                in_heading: h,
                lines: vec![line],
            }),
        }
    }
    out
}

/// Nodes are added in their final order; edges are collected with their endpoints' indices and
/// sorted once, by kind then source then target.
/// An edge with its kind and endpoints up front, for sorting.
type EdgeRow = (EdgeKind, NodeIndex, NodeIndex, Edge);

fn edge_row(
    kind: EdgeKind,
    from: NodeIndex,
    to: NodeIndex,
    weight: f64,
    attrs: EdgeAttrs,
) -> EdgeRow {
    (
        kind,
        from,
        to,
        Edge {
            kind,
            weight,
            attrs,
        },
    )
}

struct Builder {
    graph: KnowledgeGraph,
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

    /// Adds `rows`, blocks that together hold the edges back to front: each block is popped
    /// and then freed, so the rows already in the graph are given back as it grows, and the two
    /// never both hold every edge (whatever the allocator does with a shrunk vector).
    fn finish(mut self, rows: Vec<Vec<EdgeRow>>) -> KnowledgeGraph {
        self.graph
            .graph
            .reserve_edges(rows.iter().map(Vec::len).sum());
        for mut block in rows.into_iter().rev() {
            while let Some((_, a, b, e)) = block.pop() {
                self.graph.graph.add_edge(a, b, e);
            }
        }
        self.graph
    }
}

const SOURCES: [&str; 3] = ["category", "tag", "keyword"];

fn mention_attrs(count: i64, in_heading: Option<bool>, lines: &[u32]) -> EdgeAttrs {
    EdgeAttrs::Mention {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        in_heading,
        lines: lines.into(),
    }
}

/// Distinct, trimmed, non-empty author names of a record, sorted.
fn authors_of(r: &ArticleRecord) -> BTreeSet<&str> {
    r.authors
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect()
}

/// The node of article `r`.
fn article_node(r: &ArticleRecord) -> Node {
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
    Node {
        id: format!("article:{}", r.id),
        kind: NodeKind::Article,
        label: r.title.clone(),
        attrs,
    }
}

/// The nodes of the sections of article `r`, with their order.
fn section_nodes_of(r: &ArticleRecord) -> Vec<(u32, Node)> {
    let article = format!("article:{}", r.id);
    r.sections
        .iter()
        .map(|s| {
            let label = if s.heading.is_empty() {
                "(lead)".to_string()
            } else {
                s.heading.clone()
            };
            let node = Node {
                id: format!("section:{}#{}", r.id, s.order),
                kind: NodeKind::Section,
                label,
                attrs: vec![
                    ("article", Value::Str(article.clone())),
                    ("level", Value::Int(s.level as i64)),
                    ("order", Value::Int(s.order as i64)),
                    ("heading_path", Value::Str(s.heading_path.clone())),
                    ("line", Value::Int(s.line as i64)),
                ],
            };
            (s.order, node)
        })
        .collect()
}

/// Builds the knowledge graph of `corpus`, whose entities are those of `dict`.
pub fn build_graph(corpus: &Corpus, dict: &Dictionary, opts: &MergeOptions) -> KnowledgeGraph {
    build_graph_in_blocks(corpus, dict, opts, BLOCK_ROWS)
}

/// [`build_graph`], with the edges laid out in blocks of about `block_rows` (see
/// [`EdgeLayout`]).
fn build_graph_in_blocks(
    corpus: &Corpus,
    dict: &Dictionary,
    opts: &MergeOptions,
    block_rows: usize,
) -> KnowledgeGraph {
    let records: Vec<&ArticleRecord> = corpus.headers().collect();
    let entity_ix: HashMap<&str, usize> = dict
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();

    // Interned entity → dictionary index (a record's entity missing from the dictionary is
    // impossible once the dictionary hash matched, and skipped if it happens).
    let dict_of: Vec<Option<u32>> = corpus
        .entities
        .names
        .iter()
        .map(|n| entity_ix.get(&**n).map(|&i| i as u32))
        .collect();
    let stored: Vec<&Stored> = corpus.records.values().collect();

    // Entity statistics and co-occurrence (sections where both appear; articles), over a few
    // large chunks of articles in parallel, then added up: every statistic is a sum, a min or
    // a max, so the grouping changes nothing.
    let chunk = records
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(1);
    let parts: Vec<Tally> = records
        .par_chunks(chunk)
        .zip(stored.par_chunks(chunk))
        .map(|(records, stored)| {
            let mut tally = Tally::default();
            for (r, st) in records.iter().zip(stored) {
                tally.add(r, st, &dict_of);
            }
            tally
        })
        .collect();
    let mut parts = parts.into_iter();
    let mut tally = parts.next().unwrap_or_default();
    for part in parts {
        tally.merge(part);
    }
    let Tally {
        stats,
        cooc,
        mention_counts,
        ..
    } = tally;
    let stats: BTreeMap<usize, EntityStats> = stats.into_iter().collect();

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
    };

    // Nodes, in their final order: articles, sections, entities, topics, keywords, authors.
    let mut article_nodes = Vec::new();
    let mut section_nodes: Vec<HashMap<u32, NodeIndex>> = Vec::new();
    if full {
        // Each article's nodes are made on its own, in parallel; the graph takes them in order.
        let made: Vec<(Node, Vec<(u32, Node)>)> = records
            .par_iter()
            .map(|r| (article_node(r), section_nodes_of(r)))
            .collect();
        let mut sections = Vec::with_capacity(made.len());
        for (article, mine) in made {
            article_nodes.push(b.graph.graph.add_node(article));
            sections.push(mine);
        }
        section_nodes = sections
            .into_iter()
            .map(|mine| {
                mine.into_iter()
                    .map(|(order, node)| (order, b.graph.graph.add_node(node)))
                    .collect()
            })
            .collect();
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

        // Edges of articles and sections: each article's on its own, in parallel (on the
        // caller's rayon pool), written straight into their final places (see `EdgeLayout`).
        let mut layout = EdgeLayout::new(&mention_counts, |ai, counts| {
            let r = records[ai];
            let sections = &section_nodes[ai];
            for s in &r.sections {
                match s.parent.is_some_and(|p| sections.contains_key(&p)) {
                    true => counts[SUB_SECTIONS] += 1,
                    false => counts[SECTIONS] += 1,
                }
            }
            counts[TOPICS] = article_topics[ai].len();
            counts[KEYWORDS] = keywords[ai].len();
            counts[AUTHORS] = authors_of(r).len();
        });
        let entity_rows = entity_edges(&included, &cooc, dict, &entity_ix, &entity_nodes);
        let slots = layout.slots(entity_rows, block_rows);
        slots.into_par_iter().enumerate().for_each_init(
            ArticleEdges::default,
            |edges, (ai, slots)| {
                let r = records[ai];
                let article = article_nodes[ai];
                let sections = &section_nodes[ai];
                edges.clear();
                for s in &r.sections {
                    let to = sections[&s.order];
                    match s.parent.and_then(|p| sections.get(&p)) {
                        Some(&p) => edges.push(SUB_SECTIONS, EdgeKind::HasSection, p, to),
                        None => edges.push(SECTIONS, EdgeKind::HasSection, article, to),
                    }
                }
                edges.scratch.load(stored[ai], &dict_of);
                for g in edges.scratch.article_groups() {
                    let to = entity_nodes[&(g.entity as usize)];
                    let attrs = mention_attrs(g.count, None, &g.lines);
                    edges.push_with(
                        ARTICLE_MENTIONS,
                        EdgeKind::Mentions,
                        article,
                        to,
                        g.count as f64,
                        attrs,
                    );
                }
                for g in edges.scratch.section_groups() {
                    let Some(&from) = sections.get(&g.section) else {
                        continue;
                    };
                    let to = entity_nodes[&(g.entity as usize)];
                    let attrs = mention_attrs(g.count, Some(g.in_heading), &g.lines);
                    edges.push_with(
                        SECTION_MENTIONS,
                        EdgeKind::Mentions,
                        from,
                        to,
                        g.count as f64,
                        attrs,
                    );
                }
                for key in &article_topics[ai] {
                    edges.push(
                        TOPICS,
                        EdgeKind::InTopic,
                        article,
                        topic_nodes[key.as_str()],
                    );
                }
                for (t, score) in &keywords[ai] {
                    let to = keyword_nodes[t.as_str()];
                    edges.push_with(
                        KEYWORDS,
                        EdgeKind::HasKeyword,
                        article,
                        to,
                        *score,
                        EdgeAttrs::None,
                    );
                }
                for a in authors_of(r) {
                    edges.push(AUTHORS, EdgeKind::WrittenBy, article, author_nodes[a]);
                }
                edges.place(slots);
            },
        );
        return b.finish(layout.into_rows());
    }
    // The entity projection: only entity edges, given back to front.
    let mut rows = entity_edges(&included, &cooc, dict, &entity_ix, &entity_nodes);
    rows.reverse();
    b.finish(vec![rows])
}

/// The `broader` and `co_occurs` edges, in their final order.
fn entity_edges(
    included: &BTreeSet<usize>,
    cooc: &FxHashMap<(u32, u32), (i64, i64)>,
    dict: &Dictionary,
    entity_ix: &HashMap<&str, usize>,
    entity_nodes: &HashMap<usize, NodeIndex>,
) -> Vec<EdgeRow> {
    let mut rows = Vec::with_capacity(cooc.len());
    for (&(x, y), &(sections, articles)) in cooc {
        let (x, y) = (x as usize, y as usize);
        // Entities are sorted by id in the dictionary, so the smaller index is the smaller id.
        let (a, z) = if dict.entities[x].id < dict.entities[y].id {
            (x, y)
        } else {
            (y, x)
        };
        rows.push(edge_row(
            EdgeKind::CoOccurs,
            entity_nodes[&a],
            entity_nodes[&z],
            sections as f64,
            EdgeAttrs::Articles(articles),
        ));
    }
    for &e in included {
        for br in &dict.entities[e].broader {
            if let Some(to) = entity_ix
                .get(br.as_str())
                .and_then(|bi| entity_nodes.get(bi))
            {
                rows.push(edge_row(
                    EdgeKind::Broader,
                    entity_nodes[&e],
                    *to,
                    1.0,
                    EdgeAttrs::None,
                ));
            }
        }
    }
    rows.sort_unstable_by_key(|r| (r.0, r.1, r.2));
    rows
}

/// The per-article groups of edges, in the order their edges take in the graph:
/// `has_section` from the article, from a section; `mentions` from the article, from a
/// section; then (after the entity edges) `in_topic`, `has_keyword`, `written_by`. Edges are
/// ordered by kind, then source, then target, and every article node comes before every
/// section node, each in article order: so within a group, the articles' edges follow each
/// other in article order, and each article's are sorted by source and target.
const GROUPS: usize = 7;
/// `has_section` from the article.
const SECTIONS: usize = 0;
/// `has_section` from a section.
const SUB_SECTIONS: usize = 1;
/// `mentions` from the article.
const ARTICLE_MENTIONS: usize = 2;
/// `mentions` from a section.
const SECTION_MENTIONS: usize = 3;
/// `in_topic`.
const TOPICS: usize = 4;
/// `has_keyword`.
const KEYWORDS: usize = 5;
/// `written_by`.
const AUTHORS: usize = 6;
/// The groups before the entity edges (`co_occurs`, `broader`).
const GROUPS_BEFORE_ENTITY_EDGES: usize = TOPICS;

/// Where every edge goes, computed before any is made, so each article's edges are written
/// straight into their final place: the edges never exist twice (a per-article copy and a
/// sorted one), which at four million edges is hundreds of megabytes. The rows are blocks of
/// about [`BLOCK_ROWS`] edges, cut between articles' groups, that hold the edges back to front,
/// so the graph takes them with `pop` and frees each block once it is empty. (One vector shrunk
/// as it empties gave memory back under glibc, but mimalloc keeps a block shrunk by less than
/// half, and then copies it: 380 MB more and 0.8 s longer at four million edges.)
struct EdgeLayout {
    /// Edges per article and group.
    counts: Vec<[usize; GROUPS]>,
    rows: Vec<Vec<EdgeRow>>,
}

/// Edges per block of [`EdgeLayout`] rows (a block holds whole groups, so it may hold more).
const BLOCK_ROWS: usize = 1 << 16;

impl EdgeLayout {
    /// `mention_counts[i]`: article i's `mentions` edges from the article and from its
    /// sections; `count(i, counts)` fills in the other groups.
    fn new(
        mention_counts: &[(usize, usize)],
        count: impl Fn(usize, &mut [usize; GROUPS]) + Sync,
    ) -> EdgeLayout {
        let counts = mention_counts
            .par_iter()
            .enumerate()
            .map(|(i, &(article, section))| {
                let mut c = [0; GROUPS];
                c[ARTICLE_MENTIONS] = article;
                c[SECTION_MENTIONS] = section;
                count(i, &mut c);
                c
            })
            .collect();
        EdgeLayout {
            counts,
            rows: Vec::new(),
        }
    }

    /// Places `entity_rows` and returns each article's slots, one a group (each filled back to
    /// front by [`ArticleEdges::place`]).
    fn slots(
        &mut self,
        entity_rows: Vec<EdgeRow>,
        block_rows: usize,
    ) -> Vec<[&mut [EdgeRow]; GROUPS]> {
        // Back to front: the last group of the last article first; `None` stands for the
        // entity edges.
        let order: Vec<(usize, Option<usize>)> = (GROUPS_BEFORE_ENTITY_EDGES..GROUPS)
            .rev()
            .flat_map(|g| (0..self.counts.len()).rev().map(move |a| (g, Some(a))))
            .chain(std::iter::once((0, None)))
            .chain(
                (0..GROUPS_BEFORE_ENTITY_EDGES)
                    .rev()
                    .flat_map(|g| (0..self.counts.len()).rev().map(move |a| (g, Some(a)))),
            )
            .collect();
        let entity_len = entity_rows.len();
        let len = |&(g, a): &(usize, Option<usize>)| match a {
            Some(a) => self.counts[a][g],
            None => entity_len,
        };
        let placeholder = edge_row(
            EdgeKind::HasSection,
            NodeIndex::end(),
            NodeIndex::end(),
            1.0,
            EdgeAttrs::None,
        );
        let mut sizes = vec![0];
        for slot in &order {
            if *sizes.last().expect("never empty") >= block_rows {
                sizes.push(0);
            }
            *sizes.last_mut().expect("never empty") += len(slot);
        }
        self.rows = sizes
            .iter()
            .map(|&n| vec![placeholder.clone(); n])
            .collect();
        let mut slots: Vec<[&mut [EdgeRow]; GROUPS]> =
            self.counts.iter().map(|_| Default::default()).collect();
        let mut blocks = self.rows.iter_mut();
        let mut rest: &mut [EdgeRow] = &mut [];
        let mut entity_rows = Some(entity_rows);
        for slot in &order {
            let n = len(slot);
            if n > 0 && rest.is_empty() {
                rest = blocks.next().expect("the blocks hold every slot");
            }
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(n);
            rest = tail;
            match slot {
                (g, Some(a)) => slots[*a][*g] = head,
                (_, None) => {
                    let rows = entity_rows.take().expect("one slot of entity edges");
                    for (place, row) in head.iter_mut().rev().zip(rows) {
                        *place = row;
                    }
                }
            }
        }
        slots
    }

    fn into_rows(self) -> Vec<Vec<EdgeRow>> {
        self.rows
    }
}

/// One article's edges by group, reused from article to article.
#[derive(Default)]
struct ArticleEdges {
    groups: [Vec<EdgeRow>; GROUPS],
    scratch: Scratch,
}

impl ArticleEdges {
    fn clear(&mut self) {
        self.groups.iter_mut().for_each(Vec::clear);
    }

    /// An edge of weight 1 without attributes.
    fn push(&mut self, group: usize, kind: EdgeKind, from: NodeIndex, to: NodeIndex) {
        self.push_with(group, kind, from, to, 1.0, EdgeAttrs::None);
    }

    fn push_with(
        &mut self,
        group: usize,
        kind: EdgeKind,
        from: NodeIndex,
        to: NodeIndex,
        weight: f64,
        attrs: EdgeAttrs,
    ) {
        self.groups[group].push(edge_row(kind, from, to, weight, attrs));
    }

    /// Moves the edges into their slots, sorted by source then target, back to front.
    fn place(&mut self, slots: [&mut [EdgeRow]; GROUPS]) {
        for (rows, slot) in self.groups.iter_mut().zip(slots) {
            rows.sort_unstable_by_key(|r| (r.1, r.2));
            assert_eq!(rows.len(), slot.len(), "edge layout miscounted");
            for (place, row) in slot.iter_mut().rev().zip(rows.drain(..)) {
                *place = row;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An article's keywords are its best-scoring terms, best first, ties by term; only as many
    /// as asked for.
    #[test]
    fn keywords_are_the_best_scored_terms_ties_by_term() {
        let dict = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let extractor = crate::extract::Extractor::new(dict, true);
        let mut corpus = Corpus::new();
        let names = ["zeta", "epsilon", "delta", "gamma", "beta", "alpha"];
        for (id, counts) in [
            ("a.md", [1, 1, 2, 3, 4, 5]),
            ("b.md", [1; 6]),
            ("c.md", [0; 6]),
        ] {
            let text = format!("---\ntitle: {id}\n---\n\nplain words\n");
            let mut r = extractor.extract(
                id,
                &text,
                crate::extract::content_hash(text.as_bytes()),
                vec![],
            );
            r.terms = names
                .iter()
                .zip(counts)
                .filter(|(_, c)| *c > 0)
                .map(|(t, c)| (t.to_string(), c))
                .collect();
            r.terms.sort();
            corpus.add(r).unwrap();
        }
        let terms = |k: &[(String, f64)]| k.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();
        let top = keywords(&corpus, 3);
        // Every term is in two of three articles: the same IDF, so counts decide.
        assert_eq!(terms(&top[0]), ["alpha", "beta", "gamma"]);
        assert!(top[0][0].1 > top[0][1].1 && top[0][1].1 > top[0][2].1);
        assert_eq!(terms(&top[1]), ["alpha", "beta", "delta"]);
        assert!(top[2].is_empty());
        assert_eq!(
            terms(&keywords(&corpus, 5)[0]),
            ["alpha", "beta", "gamma", "delta", "epsilon"]
        );
        assert_eq!(keywords(&corpus, 10)[1].len(), 6);
        assert!(keywords(&corpus, 0).iter().all(Vec::is_empty));
    }

    /// However the edges are cut into blocks (one edge each, a few, all in one), the graph is
    /// the same.
    #[test]
    fn edge_blocks_do_not_change_the_graph() {
        let dict = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let extractor = crate::extract::Extractor::new(dict.clone(), true);
        let data = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data"));
        let pool = crate::pipeline::pool(2);
        let run = crate::pipeline::build_corpus(&[data], &extractor, &pool, None, &|_| {}).unwrap();
        let opts = MergeOptions::default();
        let render = |block_rows: usize| {
            let g = pool.install(|| build_graph_in_blocks(&run.corpus, &dict, &opts, block_rows));
            let mut out = Vec::new();
            crate::export::to_graphml(&g, &mut out).unwrap();
            (g.graph.edge_count(), out)
        };
        let whole = render(usize::MAX);
        assert!(whole.0 > 100, "data/ has edges to cut: {}", whole.0);
        for block_rows in [1, 7, 64] {
            assert!(render(block_rows) == whole, "blocks of {block_rows}");
        }
    }
}
