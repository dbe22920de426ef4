//! The topic report: statistics per entity and per topic ([`build`], `report.json`) and a
//! self-contained HTML dashboard over them ([`html`], `report.html`).
//!
//! Everything is read back from the [`KnowledgeGraph`], so the report agrees with every other
//! export. The dashboard is one file that works offline: its CSS and vanilla JS (table, SVG
//! trend chart, canvas force layout) are compiled in with `include_str!`, and the data is
//! embedded as JSON in a `<script type="application/json">` block with `<`, `>`, `&`, U+2028
//! and U+2029 written as `\uXXXX`, so no corpus text can close the block; the script puts
//! corpus text in the page only through `textContent`. Lists are sorted with ties broken by
//! id, so the same graph gives byte-identical files.

use crate::graph::{EdgeKind, KnowledgeGraph, NodeKind, ValueRef};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Co-occurring entities kept per entity or topic.
pub const TOP_CO_OCCURRING: usize = 10;
/// Top articles kept per entity or topic.
pub const TOP_ARTICLES: usize = 10;
/// Mentioning articles listed (with their heading paths) per entity or topic in report.json,
/// the most mentions first; `articles` always counts them all. Bounds the file on big corpora.
pub const REPORT_ARTICLES: usize = 500;
/// Entities drawn in the co-occurrence network.
pub const NETWORK_NODES: usize = 60;
/// Co-occurrence edges drawn at most, the heaviest first.
pub const NETWORK_EDGES: usize = 200;
/// Strongest links (relative to both entities' mentions) each network node keeps.
pub const NETWORK_LINKS_PER_NODE: usize = 3;
/// Mentioning articles listed per entity in the HTML (report.json lists all).
pub const HTML_ARTICLES: usize = 40;
/// Sections listed per mentioning article in the HTML.
pub const HTML_SECTIONS: usize = 8;
/// Entities and topics in the HTML table (the most mentioned; report.json lists all).
pub const HTML_SUBJECTS: usize = 1500;

/// The whole report, as written to `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Corpus totals.
    pub summary: Summary,
    /// Every month (`YYYY-MM`) from the first to the last dated article, for chart axes.
    pub months: Vec<String>,
    /// Entities, most mentioned first.
    pub entities: Vec<Subject>,
    /// Topics (categories, tags, front matter keywords), in most articles first.
    pub topics: Vec<Subject>,
    /// The co-occurrence network of the most mentioned entities.
    pub network: Network,
}

/// Corpus totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Articles in the graph.
    pub articles: usize,
    /// Articles with a date.
    pub dated_articles: usize,
    /// Entities mentioned at least once.
    pub entities: usize,
    /// Topics.
    pub topics: usize,
    /// Entity mentions, all articles together.
    pub mentions: i64,
    /// Earliest article date (`YYYY-MM-DD`).
    pub first_date: Option<String>,
    /// Latest article date (`YYYY-MM-DD`).
    pub last_date: Option<String>,
}

/// Statistics of one entity or topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subject {
    /// Node id, e.g. `entity:defi` or `topic:solidity`.
    pub id: String,
    /// Display label.
    pub label: String,
    /// Entity type (`Concept`, `Protocol`, …) or `Topic`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Prose mentions (entities); articles (topics, which have no mention count).
    pub mentions: i64,
    /// Articles that mention the entity or carry the topic.
    pub articles: usize,
    /// Date of the first such article.
    pub first_seen: Option<String>,
    /// Date of the last such article.
    pub last_seen: Option<String>,
    /// Mentions per month (`YYYY-MM` → count), dated articles only.
    pub monthly: BTreeMap<String, i64>,
    /// Entities most often in the same sections (entities) or articles (topics).
    pub co_occurring: Vec<CoOccurrence>,
    /// The articles with the most mentions.
    pub top_articles: Vec<ArticleRef>,
    /// The articles that mention it (at most [`REPORT_ARTICLES`]), most mentions first, with
    /// the sections that do.
    pub mentioned_in: Vec<ArticleMentions>,
}

/// An entity that occurs together with a subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoOccurrence {
    /// Entity node id.
    pub id: String,
    /// Display label.
    pub label: String,
    /// Sections where both appear (entities) or articles of the topic mentioning it (topics).
    pub weight: f64,
    /// Articles where both appear.
    pub articles: i64,
}

/// An article in a top list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleRef {
    /// Article id (without the `article:` prefix).
    pub id: String,
    /// Title.
    pub title: String,
    /// Date (`YYYY-MM-DD`), when known.
    pub date: Option<String>,
    /// Mentions in this article (1 for a topic).
    pub count: i64,
}

/// An article that mentions an entity, and where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleMentions {
    /// Article id (without the `article:` prefix).
    pub id: String,
    /// Title.
    pub title: String,
    /// Date (`YYYY-MM-DD`), when known.
    pub date: Option<String>,
    /// Mentions in the whole article.
    pub count: i64,
    /// The sections that mention it, in article order.
    pub sections: Vec<SectionMention>,
}

/// A section that mentions an entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionMention {
    /// `A > B > C`; empty for the lead section before the first heading.
    pub heading_path: String,
    /// 1-based line of the section start in the source.
    pub line: Option<i64>,
    /// Mentions in the section.
    pub count: i64,
}

/// The co-occurrence network drawn in the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Network {
    /// Entity node ids, most mentioned first.
    pub nodes: Vec<String>,
    /// `(source index, target index, weight)` into `nodes`, heaviest first: each node's
    /// [`NETWORK_LINKS_PER_NODE`] strongest links relative to the mentions of both ends.
    pub edges: Vec<(usize, usize, f64)>,
}

/// What `build` knows of an article.
struct ArticleInfo {
    id: String,
    title: String,
    date: Option<String>,
}

/// Reads the report out of the graph.
pub fn build(graph: &KnowledgeGraph) -> Report {
    let g = &graph.graph;
    let mut articles: HashMap<NodeIndex, ArticleInfo> = HashMap::new();
    for i in g.node_indices() {
        let node = &g[i];
        if node.kind != NodeKind::Article {
            continue;
        }
        let title = match node.attr("title") {
            Some(ValueRef::Str(t)) if !t.is_empty() => t.to_string(),
            _ => node.label.clone(),
        };
        let date = match node.attr("date") {
            Some(ValueRef::Str(d)) if is_date(d) => Some(d.to_string()),
            _ => None,
        };
        let id = node
            .id
            .strip_prefix("article:")
            .unwrap_or(&node.id)
            .to_string();
        articles.insert(i, ArticleInfo { id, title, date });
    }
    // Section node id → (article node id, heading path, line, order).
    let section_of = |i: NodeIndex| -> Option<(String, String, Option<i64>, i64)> {
        let node = &g[i];
        if node.kind != NodeKind::Section {
            return None;
        }
        let article = str_attr(node.attr("article"))?;
        let heading = str_attr(node.attr("heading_path")).unwrap_or_default();
        let line = int_attr(node.attr("line"));
        let order = int_attr(node.attr("order")).unwrap_or(0);
        Some((article, heading, line, order))
    };

    // Per entity: article → count; article node id → sections.
    let mut entity_articles: HashMap<NodeIndex, Vec<(NodeIndex, i64)>> = HashMap::new();
    let mut entity_sections: HashMap<NodeIndex, HashMap<String, Vec<(i64, SectionMention)>>> =
        HashMap::new();
    let mut topic_articles: HashMap<NodeIndex, Vec<NodeIndex>> = HashMap::new();
    let mut co: HashMap<NodeIndex, Vec<(NodeIndex, f64, i64)>> = HashMap::new();
    for e in g.edge_references() {
        let (s, t, w) = (e.source(), e.target(), e.weight());
        match w.kind {
            EdgeKind::Mentions if g[t].kind == NodeKind::Entity => {
                let count = int_attr(w.attr("count"))
                    .unwrap_or(w.weight.round() as i64)
                    .max(0);
                if articles.contains_key(&s) {
                    entity_articles.entry(t).or_default().push((s, count));
                } else if let Some((article, heading_path, line, order)) = section_of(s) {
                    entity_sections
                        .entry(t)
                        .or_default()
                        .entry(article)
                        .or_default()
                        .push((
                            order,
                            SectionMention {
                                heading_path,
                                line,
                                count,
                            },
                        ));
                }
            }
            EdgeKind::InTopic if g[t].kind == NodeKind::Topic && articles.contains_key(&s) => {
                topic_articles.entry(t).or_default().push(s);
            }
            EdgeKind::CoOccurs => {
                let n = int_attr(w.attr("articles")).unwrap_or(0);
                co.entry(s).or_default().push((t, w.weight, n));
                co.entry(t).or_default().push((s, w.weight, n));
            }
            _ => {}
        }
    }

    let mut entities = Vec::new();
    let mut topics = Vec::new();
    let mut all_dates: BTreeSet<&str> = BTreeSet::new();
    for info in articles.values() {
        if let Some(d) = &info.date {
            all_dates.insert(d);
        }
    }
    for i in g.node_indices() {
        let node = &g[i];
        match node.kind {
            NodeKind::Entity => {
                let hits = entity_articles.remove(&i).unwrap_or_default();
                if hits.is_empty() && int_attr(node.attr("mentions")).unwrap_or(0) == 0 {
                    continue;
                }
                let mut sections = entity_sections.remove(&i).unwrap_or_default();
                let mut subject = subject(node, &articles, &hits, |article_id| {
                    let mut list = sections.remove(article_id).unwrap_or_default();
                    list.sort_by(|a, b| {
                        a.0.cmp(&b.0)
                            .then_with(|| a.1.heading_path.cmp(&b.1.heading_path))
                    });
                    list.into_iter().map(|(_, s)| s).collect()
                });
                subject.kind =
                    str_attr(node.attr("entity_type")).unwrap_or_else(|| "Entity".to_string());
                if let Some(m) = int_attr(node.attr("mentions")) {
                    subject.mentions = m;
                }
                if let Some(first) = str_attr(node.attr("first_seen")) {
                    subject.first_seen = Some(first);
                }
                if let Some(last) = str_attr(node.attr("last_seen")) {
                    subject.last_seen = Some(last);
                }
                let mut partners: Vec<CoOccurrence> = co
                    .get(&i)
                    .map(|list| {
                        list.iter()
                            .map(|&(o, weight, articles)| CoOccurrence {
                                id: g[o].id.clone(),
                                label: g[o].label.clone(),
                                weight,
                                articles,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                partners
                    .sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.id.cmp(&b.id)));
                partners.truncate(TOP_CO_OCCURRING);
                subject.co_occurring = partners;
                entities.push(subject);
            }
            NodeKind::Topic => {
                let members = topic_articles.remove(&i).unwrap_or_default();
                let hits: Vec<(NodeIndex, i64)> = members.iter().map(|&a| (a, 1)).collect();
                let mut subject = subject(node, &articles, &hits, |_| Vec::new());
                subject.kind = "Topic".to_string();
                // Topics have no co_occurs edges: the entities most articles of the topic mention.
                let mut counts: HashMap<NodeIndex, i64> = HashMap::new();
                for &a in &members {
                    for e in g.edges(a) {
                        if e.weight().kind == EdgeKind::Mentions
                            && g[e.target()].kind == NodeKind::Entity
                        {
                            *counts.entry(e.target()).or_default() += 1;
                        }
                    }
                }
                let mut partners: Vec<CoOccurrence> = counts
                    .into_iter()
                    .map(|(o, n)| CoOccurrence {
                        id: g[o].id.clone(),
                        label: g[o].label.clone(),
                        weight: n as f64,
                        articles: n,
                    })
                    .collect();
                partners
                    .sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.id.cmp(&b.id)));
                partners.truncate(TOP_CO_OCCURRING);
                subject.co_occurring = partners;
                topics.push(subject);
            }
            _ => {}
        }
    }
    let rank = |a: &Subject, b: &Subject| {
        b.mentions
            .cmp(&a.mentions)
            .then(b.articles.cmp(&a.articles))
            .then_with(|| a.id.cmp(&b.id))
    };
    entities.sort_by(rank);
    topics.sort_by(rank);

    let network = network(&entities, &co, g);
    let summary = Summary {
        articles: articles.len(),
        dated_articles: articles.values().filter(|a| a.date.is_some()).count(),
        entities: entities.len(),
        topics: topics.len(),
        mentions: entities.iter().map(|e| e.mentions).sum(),
        first_date: all_dates.first().map(|d| day(d)),
        last_date: all_dates.last().map(|d| day(d)),
    };
    let months = match (all_dates.first(), all_dates.last()) {
        (Some(first), Some(last)) => month_range(&first[..7], &last[..7]),
        _ => Vec::new(),
    };
    Report {
        summary,
        months,
        entities,
        topics,
        network,
    }
}

/// The statistics shared by entities and topics, from `(article, count)` hits.
fn subject(
    node: &crate::graph::Node,
    articles: &HashMap<NodeIndex, ArticleInfo>,
    hits: &[(NodeIndex, i64)],
    mut sections: impl FnMut(&str) -> Vec<SectionMention>,
) -> Subject {
    let mut monthly: BTreeMap<String, i64> = BTreeMap::new();
    let mut dates: Vec<&str> = Vec::new();
    let mut mentioned_in = Vec::new();
    for &(a, count) in hits {
        let Some(info) = articles.get(&a) else {
            continue;
        };
        if let Some(date) = &info.date {
            *monthly.entry(date[..7].to_string()).or_default() += count;
            dates.push(date);
        }
        mentioned_in.push(ArticleMentions {
            id: info.id.clone(),
            title: info.title.clone(),
            date: info.date.as_deref().map(day),
            count,
            sections: sections(&format!("article:{}", info.id)),
        });
    }
    dates.sort_unstable();
    mentioned_in.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    let top_articles = mentioned_in
        .iter()
        .take(TOP_ARTICLES)
        .map(|m| ArticleRef {
            id: m.id.clone(),
            title: m.title.clone(),
            date: m.date.clone(),
            count: m.count,
        })
        .collect();
    let articles = mentioned_in.len();
    mentioned_in.truncate(REPORT_ARTICLES);
    Subject {
        id: node.id.clone(),
        label: node.label.clone(),
        kind: String::new(),
        mentions: hits.iter().map(|h| h.1).sum(),
        articles,
        first_seen: dates.first().map(|d| day(d)),
        last_seen: dates.last().map(|d| day(d)),
        monthly,
        co_occurring: Vec::new(),
        top_articles,
        mentioned_in,
    }
}

/// The strongest co-occurrence edges among the [`NETWORK_NODES`] most mentioned entities.
fn network(
    entities: &[Subject],
    co: &HashMap<NodeIndex, Vec<(NodeIndex, f64, i64)>>,
    g: &petgraph::graph::DiGraph<crate::graph::Node, crate::graph::Edge>,
) -> Network {
    let nodes: Vec<String> = entities
        .iter()
        .take(NETWORK_NODES)
        .map(|e| e.id.clone())
        .collect();
    let position: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    // Every pair among the drawn entities, with its strength relative to how common both are:
    // raw weights would make every node's strongest link one to the same hub.
    let mentions: Vec<f64> = entities
        .iter()
        .take(NETWORK_NODES)
        .map(|e| e.mentions.max(1) as f64)
        .collect();
    let mut pairs = Vec::new();
    for (&s, list) in co {
        let Some(&si) = position.get(g[s].id.as_str()) else {
            continue;
        };
        for &(t, w, _) in list {
            if let Some(&ti) = position.get(g[t].id.as_str()) {
                if si < ti {
                    pairs.push((si, ti, w, w / (mentions[si] * mentions[ti]).sqrt()));
                }
            }
        }
    }
    pairs.sort_by(|a, b| b.3.total_cmp(&a.3).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    // Each node keeps its strongest links, so the drawing shows structure, not a hairball.
    let mut degree = vec![0usize; nodes.len()];
    let mut edges = Vec::new();
    for (si, ti, w, _) in pairs {
        if degree[si] < NETWORK_LINKS_PER_NODE || degree[ti] < NETWORK_LINKS_PER_NODE {
            degree[si] += 1;
            degree[ti] += 1;
            edges.push((si, ti, w));
        }
    }
    edges.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    edges.truncate(NETWORK_EDGES);
    Network { nodes, edges }
}

fn str_attr(v: Option<ValueRef<'_>>) -> Option<String> {
    match v {
        Some(ValueRef::Str(s)) if !s.is_empty() => Some(s.to_string()),
        _ => None,
    }
}

fn int_attr(v: Option<ValueRef<'_>>) -> Option<i64> {
    match v {
        Some(ValueRef::Int(i)) => Some(i),
        Some(ValueRef::Double(d)) if d.is_finite() => Some(d.round() as i64),
        _ => None,
    }
}

/// Starts `YYYY-MM` (so slicing the month is safe and meaningful).
fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() >= 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && matches!((b[5], b[6]), (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2'))
}

/// `YYYY-MM-DD` prefix of a date (dates may carry a time).
fn day(date: &str) -> String {
    date.chars().take(10).collect()
}

/// Every month from `first` to `last` (`YYYY-MM`, inclusive); empty when they do not parse.
fn month_range(first: &str, last: &str) -> Vec<String> {
    let parse = |m: &str| -> Option<(i32, u32)> {
        let (y, mo) = m.split_once('-')?;
        let (y, mo) = (y.parse().ok()?, mo.parse().ok()?);
        (1..=12).contains(&mo).then_some((y, mo))
    };
    let (Some((mut y, mut m)), Some(end)) = (parse(first), parse(last)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while (y, m) <= end && out.len() < 12 * 200 {
        out.push(format!("{y:04}-{m:02}"));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

/// The dashboard: one self-contained HTML file, no network access, corpus text escaped.
pub fn html(report: &Report) -> String {
    let data = dashboard_data(report);
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".to_string());
    let mut out = String::with_capacity(json.len() + TEMPLATE.len() + CSS.len() + JS.len());
    // The template has three slots; none of the inlined parts contain another slot's marker.
    let (head, rest) = TEMPLATE.split_once("/*KGX_CSS*/").unwrap_or((TEMPLATE, ""));
    let (middle, rest) = rest.split_once("KGX_DATA").unwrap_or((rest, ""));
    let (script, tail) = rest.split_once("/*KGX_JS*/").unwrap_or((rest, ""));
    out.push_str(head);
    out.push_str(CSS);
    out.push_str(middle);
    out.push_str(&escape_json_for_script(&json));
    out.push_str(script);
    out.push_str(JS);
    out.push_str(tail);
    out
}

const TEMPLATE: &str = include_str!("report/dashboard.html");
const CSS: &str = include_str!("report/dashboard.css");
const JS: &str = include_str!("report/dashboard.js");

/// JSON made safe inside `<script type="application/json">`: no `<`, `>`, `&`, U+2028 or
/// U+2029 left (all stand only inside JSON strings, where `\uXXXX` means the same).
pub fn escape_json_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The report trimmed and packed for the page, so it stays small whatever the corpus:
/// [`HTML_SUBJECTS`] rows, [`HTML_ARTICLES`] posts per row, [`HTML_SECTIONS`] heading paths
/// per post; each article's id, title and date stored once in `articles` and referred to by
/// index, co-occurring entities by id (the page looks their labels up).
#[derive(Serialize)]
struct DashboardData<'a> {
    summary: &'a Summary,
    months: &'a [String],
    /// `[id, title, date]`.
    articles: Vec<(&'a str, &'a str, &'a Option<String>)>,
    entities: Vec<DashboardSubject<'a>>,
    topics: Vec<DashboardSubject<'a>>,
    /// Labels of co-occurring entities that are not rows themselves.
    labels: BTreeMap<&'a str, &'a str>,
    network: &'a Network,
}

#[derive(Serialize)]
struct DashboardSubject<'a> {
    id: &'a str,
    label: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    mentions: i64,
    articles: usize,
    first_seen: &'a Option<String>,
    last_seen: &'a Option<String>,
    monthly: &'a BTreeMap<String, i64>,
    /// `[entity id, weight]`.
    co_occurring: Vec<(&'a str, f64)>,
    /// `[article index, count, [[heading path, count]], sections left out]`.
    mentioned_in: Vec<PackedMention<'a>>,
}

/// `[article index, count, [[heading path, count]], sections left out]`.
type PackedMention<'a> = (usize, i64, Vec<(&'a str, i64)>, usize);

fn dashboard_data(report: &Report) -> DashboardData<'_> {
    let mut articles = Vec::new();
    let mut article_index: HashMap<&str, usize> = HashMap::new();
    let mut known: HashMap<&str, &str> = HashMap::new();
    let mut entities = Vec::new();
    let mut topics = Vec::new();
    for (subjects, out) in [
        (&report.entities, &mut entities),
        (&report.topics, &mut topics),
    ] {
        for s in subjects.iter().take(HTML_SUBJECTS) {
            known.insert(&s.id, &s.label);
            let mentioned_in = s
                .mentioned_in
                .iter()
                .take(HTML_ARTICLES)
                .map(|a| {
                    let index = *article_index.entry(&a.id).or_insert_with(|| {
                        articles.push((a.id.as_str(), a.title.as_str(), &a.date));
                        articles.len() - 1
                    });
                    let sections = a
                        .sections
                        .iter()
                        .take(HTML_SECTIONS)
                        .map(|m| (m.heading_path.as_str(), m.count))
                        .collect();
                    (
                        index,
                        a.count,
                        sections,
                        a.sections.len().saturating_sub(HTML_SECTIONS),
                    )
                })
                .collect();
            out.push(DashboardSubject {
                id: &s.id,
                label: &s.label,
                kind: &s.kind,
                mentions: s.mentions,
                articles: s.articles,
                first_seen: &s.first_seen,
                last_seen: &s.last_seen,
                monthly: &s.monthly,
                co_occurring: s
                    .co_occurring
                    .iter()
                    .map(|c| (c.id.as_str(), c.weight))
                    .collect(),
                mentioned_in,
            });
        }
    }
    let mut labels = BTreeMap::new();
    let shown = report
        .entities
        .iter()
        .take(HTML_SUBJECTS)
        .chain(report.topics.iter().take(HTML_SUBJECTS));
    for s in shown {
        for c in &s.co_occurring {
            if !known.contains_key(c.id.as_str()) {
                labels.insert(c.id.as_str(), c.label.as_str());
            }
        }
    }
    DashboardData {
        summary: &report.summary,
        months: &report.months,
        articles,
        entities,
        topics,
        labels,
        network: &report.network,
    }
}
