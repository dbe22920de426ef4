//! GraphML, shaped for Gephi, graphology-graphml (Gephi Lite), networkx, igraph and the XSD.
//!
//! One `<key>` per attribute and target (`for="node"` / `for="edge"`, never `all`), typed
//! `long`/`double`/`boolean`/`string`; Gephi's `label` keys (node label; edge label = kind) and
//! edge `weight`; a `kind` key for both. Key ids are the attribute names (edge keys whose name
//! a node key already uses get an `edge_` prefix: Gephi matches `label`/`weight` by `attr.name`
//! too). Node ids are [`xml_id`]s; edges are `e0`, `e1`, … in graph order. GraphML cannot say
//! an edge's type, so Gephi merges two edges with the same source and target (e.g. `co_occurs`
//! and `broader`) on import; GEXF keeps them apart.

use super::xml::{close, xml_id, Tag};
use super::{edge_weight, push_value_text, written_attrs, Column, ColumnType, Schema};
use super::{EDGE_RESERVED, NODE_RESERVED};
use crate::graph::{KnowledgeGraph, Value};
use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

fn graphml_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Long => "long",
        ColumnType::Double => "double",
        ColumnType::Bool => "boolean",
        ColumnType::Str | ColumnType::List => "string",
    }
}

/// A declared key: XML id and the attribute name it carries.
struct Key {
    id: String,
    name: &'static str,
}

/// Declares the keys of one target, giving each a document-unique id.
fn declare<W: Write>(
    w: &mut Writer<W>,
    target: &'static str,
    fixed: &[(&'static str, ColumnType)],
    columns: &[Column],
    taken: &mut Vec<String>,
) -> io::Result<Vec<Key>> {
    let mut keys = Vec::with_capacity(fixed.len() + columns.len());
    let all = fixed
        .iter()
        .copied()
        .chain(columns.iter().map(|c| (c.name, c.ty)));
    for (name, ty) in all {
        let base = xml_id(name).into_owned();
        let mut id = base.clone();
        while taken.contains(&id) {
            id = format!("{target}_{id}");
        }
        taken.push(id.clone());
        Tag::new("key")
            .attr("id", &id)
            .attr("for", target)
            .attr("attr.name", &base)
            .attr("attr.type", graphml_type(ty))
            .empty(w)?;
        keys.push(Key { id, name });
    }
    Ok(keys)
}

/// Writes `<data>` elements, reusing one tag and one text buffer for all of them.
struct Data {
    tag: Tag,
    text: String,
}

impl Data {
    /// Writes `<data key="key">text</data>`.
    fn text<W: Write>(&mut self, w: &mut Writer<W>, key: &str, text: &str) -> io::Result<()> {
        self.tag.reset().push("key", key).write_text(w, text)
    }

    /// Writes `<data key="key">value</data>`; lists `;`-joined.
    fn value<W: Write>(&mut self, w: &mut Writer<W>, key: &str, value: &Value) -> io::Result<()> {
        self.text.clear();
        push_value_text(&mut self.text, value);
        self.tag.reset().push("key", key).write_text(w, &self.text)
    }
}

/// Writes `graph` as GraphML to `w` (give it a buffered writer).
pub fn to_graphml<W: Write>(graph: &KnowledgeGraph, w: W) -> io::Result<()> {
    let g = &graph.graph;
    let schema = Schema::of(graph);
    let mut w = Writer::new_with_indent(w, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    Tag::new("graphml")
        .attr("xmlns", "http://graphml.graphdrawing.org/xmlns")
        .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        .attr(
            "xsi:schemaLocation",
            "http://graphml.graphdrawing.org/xmlns \
             http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
        )
        .open(&mut w)?;

    let mut taken = Vec::new();
    let node_fixed = [("label", ColumnType::Str), ("kind", ColumnType::Str)];
    let node_keys = declare(&mut w, "node", &node_fixed, &schema.nodes, &mut taken)?;
    let edge_fixed = [
        ("label", ColumnType::Str),
        ("kind", ColumnType::Str),
        ("weight", ColumnType::Double),
    ];
    let edge_keys = declare(&mut w, "edge", &edge_fixed, &schema.edges, &mut taken)?;
    let key_of = |keys: &[Key], name: &str| -> usize {
        keys.iter()
            .position(|k| k.name == name)
            .expect("every written attribute has a key")
    };

    Tag::new("graph")
        .attr("id", "G")
        .attr("edgedefault", "directed")
        .open(&mut w)?;
    let ids: Vec<Cow<'_, str>> = g.node_weights().map(|n| xml_id(&n.id)).collect();
    let mut data = Data {
        tag: Tag::new("data"),
        text: String::new(),
    };
    let mut node_tag = Tag::new("node");
    for (node, id) in g.node_weights().zip(&ids) {
        node_tag.reset().push("id", id).write_open(&mut w)?;
        data.text(&mut w, &node_keys[0].id, &node.label)?;
        data.text(&mut w, &node_keys[1].id, node.kind.as_str())?;
        for (name, value) in written_attrs(&node.attrs, &NODE_RESERVED) {
            // Empty lists are left out: GraphML has no empty list, only an empty string.
            if matches!(value, Value::List(l) if l.is_empty()) {
                continue;
            }
            data.value(&mut w, &node_keys[key_of(&node_keys, name)].id, value)?;
        }
        close(&mut w, "node")?;
    }
    let mut edge_id = String::from("e");
    let mut edge_tag = Tag::new("edge");
    for (i, e) in g.raw_edges().iter().enumerate() {
        let edge = &e.weight;
        edge_id.truncate(1);
        let _ = write!(edge_id, "{i}"); // writing to a String cannot fail
        edge_tag
            .reset()
            .push("id", &edge_id)
            .push("source", &ids[e.source().index()])
            .push("target", &ids[e.target().index()])
            .write_open(&mut w)?;
        data.text(&mut w, &edge_keys[0].id, edge.kind.as_str())?;
        data.text(&mut w, &edge_keys[1].id, edge.kind.as_str())?;
        data.value(&mut w, &edge_keys[2].id, &Value::Double(edge_weight(edge)))?;
        for (name, value) in written_attrs(&edge.attrs, &EDGE_RESERVED) {
            if matches!(value, Value::List(l) if l.is_empty()) {
                continue;
            }
            data.value(&mut w, &edge_keys[key_of(&edge_keys, name)].id, value)?;
        }
        close(&mut w, "edge")?;
    }
    close(&mut w, "graph")?;
    close(&mut w, "graphml")?;
    let mut inner = w.into_inner();
    inner.write_all(b"\n")?;
    inner.flush()
}
