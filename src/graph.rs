//! The knowledge graph: typed nodes and edges in a petgraph `DiGraph`.
//!
//! Built once by [`crate::merge`] from sorted records, so node and edge order (and with it every
//! export) is deterministic. Attributes are typed [`Value`]s in a fixed order per kind; exporters
//! derive their key declarations from the data.

use petgraph::graph::DiGraph;
use serde::Serialize;

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A post.
    Article,
    /// A section of a post.
    Section,
    /// A dictionary entity.
    Entity,
    /// A front matter category, tag or keyword.
    Topic,
    /// A segmented keyword.
    Keyword,
    /// An author.
    Author,
}

impl NodeKind {
    /// The name used in ids and the `kind` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Article => "article",
            NodeKind::Section => "section",
            NodeKind::Entity => "entity",
            NodeKind::Topic => "topic",
            NodeKind::Keyword => "keyword",
            NodeKind::Author => "author",
        }
    }
}

/// What an edge stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// article → section, section → sub-section.
    HasSection,
    /// article/section → entity.
    Mentions,
    /// entity → entity, smaller id first.
    CoOccurs,
    /// entity → broader entity.
    Broader,
    /// article → topic.
    InTopic,
    /// article → keyword.
    HasKeyword,
    /// article → author.
    WrittenBy,
}

impl EdgeKind {
    /// The name used in the `kind` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::HasSection => "has_section",
            EdgeKind::Mentions => "mentions",
            EdgeKind::CoOccurs => "co_occurs",
            EdgeKind::Broader => "broader",
            EdgeKind::InTopic => "in_topic",
            EdgeKind::HasKeyword => "has_keyword",
            EdgeKind::WrittenBy => "written_by",
        }
    }
}

/// A typed attribute value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// 64-bit integer (`long` in GraphML/GEXF).
    Int(i64),
    /// Double.
    Double(f64),
    /// Boolean.
    Bool(bool),
    /// String.
    Str(String),
    /// List of strings (`;`-joined in GraphML and CSV, `liststring` in GEXF, array in JSON).
    List(Vec<String>),
    /// Line numbers: written exactly like a [`Value::List`] of their decimal strings, kept as
    /// numbers because mention edges are the bulk of a big graph.
    Lines(Box<[u32]>),
}

/// A node: typed id, kind, label and attributes in a fixed order per kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Typed id, e.g. `entity:defi`.
    pub id: String,
    /// Kind.
    pub kind: NodeKind,
    /// Display label.
    pub label: String,
    /// Attributes beside id, kind and label. Absent values are left out.
    pub attrs: Vec<(&'static str, Value)>,
}

/// An edge: kind, weight (never 0) and attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Kind.
    pub kind: EdgeKind,
    /// Weight, > 0.
    pub weight: f64,
    /// Attributes beside kind and weight.
    pub attrs: Vec<(&'static str, Value)>,
}

/// The knowledge graph. Nodes are ordered by kind then id; edges by kind, source, target.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeGraph {
    /// The graph itself, for algorithms.
    pub graph: DiGraph<Node, Edge>,
}

impl Node {
    /// The attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&Value> {
        self.attrs.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
}

impl Edge {
    /// The attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&Value> {
        self.attrs.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
}

// The attribute schema, one line a kind (what exporters, `related` and `report` rely on):
//
// node article:  path Str, title Str, date Str?, lastmod Str?, authors List, tags List,
//                categories List, words Int
// node section:  article Str (node id), level Int, order Int, heading_path Str, line Int
// node entity:   entity_type Str, aliases List, broader List, mentions Int, articles Int,
//                first_seen Str?, last_seen Str?
// node topic:    source List (of "category" / "tag" / "keyword"), articles Int
// node keyword:  score Double, articles Int
// node author:   articles Int
// edge mentions:    count Int, in_heading Bool (section → entity only), lines List; weight = count
// edge co_occurs:   articles Int; weight = sections where both appear
// edge has_keyword: weight = TF-IDF score
// other edges:      no attributes; weight = 1
// `?` = left out when unknown. Dates are `YYYY-MM-DD`.
