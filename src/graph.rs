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

/// A borrowed attribute value: what exporters, `related` and `report` read, whether the
/// attribute is stored as a [`Value`] (nodes) or as a typed field (edges, see [`EdgeAttrs`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// 64-bit integer.
    Int(i64),
    /// Double.
    Double(f64),
    /// Boolean.
    Bool(bool),
    /// String.
    Str(&'a str),
    /// List of strings.
    List(&'a [String]),
    /// Line numbers, written like a list of their decimal strings.
    Lines(&'a [u32]),
}

impl Value {
    /// The value, borrowed.
    pub fn view(&self) -> ValueRef<'_> {
        match self {
            Value::Int(i) => ValueRef::Int(*i),
            Value::Double(d) => ValueRef::Double(*d),
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Str(s) => ValueRef::Str(s),
            Value::List(l) => ValueRef::List(l),
            Value::Lines(l) => ValueRef::Lines(l),
        }
    }
}

impl ValueRef<'_> {
    /// An owned copy.
    pub fn to_value(self) -> Value {
        match self {
            ValueRef::Int(i) => Value::Int(i),
            ValueRef::Double(d) => Value::Double(d),
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Str(s) => Value::Str(s.to_string()),
            ValueRef::List(l) => Value::List(l.to_vec()),
            ValueRef::Lines(l) => Value::Lines(l.into()),
        }
    }
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
    pub attrs: EdgeAttrs,
}

/// An edge's attributes. Edges are most of a big graph (four million at 100 times the sample
/// corpus, nearly all `mentions`), so the attributes the builder writes are typed fields, not a
/// list of named [`Value`]s: a mention edge costs a quarter of the memory. [`Edge::attrs`]
/// gives every kind as the same named values.
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeAttrs {
    /// No attributes.
    None,
    /// A `mentions` edge: `count`, then `in_heading` (section → entity only), then `lines`.
    Mention {
        /// Mentions.
        count: u32,
        /// Whether the section's heading mentions the entity; `None` on article edges.
        in_heading: Option<bool>,
        /// Line of each mention.
        lines: Box<[u32]>,
    },
    /// A `co_occurs` edge: the `articles` where both appear.
    Articles(i64),
    /// Any other attributes, named, in order (graphs built by hand).
    Named(Box<[(&'static str, Value)]>),
}

impl From<Vec<(&'static str, Value)>> for EdgeAttrs {
    fn from(attrs: Vec<(&'static str, Value)>) -> EdgeAttrs {
        if attrs.is_empty() {
            EdgeAttrs::None
        } else {
            EdgeAttrs::Named(attrs.into_boxed_slice())
        }
    }
}

/// The knowledge graph. Nodes are ordered by kind then id; edges by kind, source, target.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeGraph {
    /// The graph itself, for algorithms.
    pub graph: DiGraph<Node, Edge>,
}

impl Node {
    /// Every attribute, named and borrowed, in order (as [`Edge::attrs`]).
    pub fn attr_values(&self) -> impl Iterator<Item = (&'static str, ValueRef<'_>)> {
        self.attrs.iter().map(|(k, v)| (*k, v.view()))
    }

    /// The attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<ValueRef<'_>> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.view())
    }
}

impl Edge {
    /// An edge with named attributes.
    pub fn new(kind: EdgeKind, weight: f64, attrs: Vec<(&'static str, Value)>) -> Edge {
        Edge {
            kind,
            weight,
            attrs: attrs.into(),
        }
    }

    /// Every attribute, named, in order.
    pub fn attrs(&self) -> impl Iterator<Item = (&'static str, ValueRef<'_>)> {
        let mut typed: [Option<(&'static str, ValueRef<'_>)>; 3] = [None; 3];
        let mut named: &[(&'static str, Value)] = &[];
        match &self.attrs {
            EdgeAttrs::None => {}
            EdgeAttrs::Mention {
                count,
                in_heading,
                lines,
            } => {
                typed[0] = Some(("count", ValueRef::Int(i64::from(*count))));
                typed[1] = in_heading.map(|h| ("in_heading", ValueRef::Bool(h)));
                typed[2] = Some(("lines", ValueRef::Lines(lines)));
            }
            EdgeAttrs::Articles(n) => typed[0] = Some(("articles", ValueRef::Int(*n))),
            EdgeAttrs::Named(attrs) => named = attrs,
        }
        typed
            .into_iter()
            .flatten()
            .chain(named.iter().map(|(k, v)| (*k, v.view())))
    }

    /// The number of attributes.
    pub fn attr_count(&self) -> usize {
        self.attrs().count()
    }

    /// The attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<ValueRef<'_>> {
        self.attrs().find(|(k, _)| *k == name).map(|(_, v)| v)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_edge_attributes_read_as_their_named_form() {
        let typed = Edge {
            kind: EdgeKind::Mentions,
            weight: 2.0,
            attrs: EdgeAttrs::Mention {
                count: 2,
                in_heading: Some(false),
                lines: vec![3, 9].into(),
            },
        };
        let named = Edge::new(
            EdgeKind::Mentions,
            2.0,
            vec![
                ("count", Value::Int(2)),
                ("in_heading", Value::Bool(false)),
                ("lines", Value::Lines(vec![3, 9].into())),
            ],
        );
        assert!(typed.attrs().eq(named.attrs()));
        assert_eq!(typed.attr_count(), 3);
        assert_eq!(typed.attr("lines"), Some(ValueRef::Lines(&[3, 9])));
        let article = EdgeAttrs::Mention {
            count: 1,
            in_heading: None,
            lines: vec![1].into(),
        };
        let names: Vec<&str> = Edge {
            attrs: article,
            ..typed.clone()
        }
        .attrs()
        .map(|(k, _)| k)
        .collect();
        assert_eq!(names, ["count", "lines"]);
        let co = Edge::new(EdgeKind::CoOccurs, 1.0, vec![("articles", Value::Int(4))]);
        let typed_co = Edge {
            attrs: EdgeAttrs::Articles(4),
            ..co.clone()
        };
        assert!(co.attrs().eq(typed_co.attrs()));
        assert_eq!(
            Edge::new(EdgeKind::Broader, 1.0, vec![]).attrs,
            EdgeAttrs::None
        );
    }

    #[test]
    fn an_edge_stays_small() {
        // Mention edges are most of a big graph: this is what the memory figures rest on.
        assert!(
            std::mem::size_of::<Edge>() <= 40,
            "{}",
            std::mem::size_of::<Edge>()
        );
    }
}
