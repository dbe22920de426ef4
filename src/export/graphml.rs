//! GraphML, shaped for Gephi, graphology-graphml (Gephi Lite), networkx, igraph and the XSD.
//!
//! One `<key>` per attribute and target (`for="node"` / `for="edge"`, never `all`), typed
//! `long`/`double`/`boolean`/`string`; Gephi's `label` keys (node label; edge label = kind) and
//! edge `weight`; a `kind` key for both. Key ids are the attribute names (edge keys whose name
//! a node key already uses get an `edge_` prefix: Gephi matches `label`/`weight` by `attr.name`
//! too). Node ids are [`xml_id`]s; edge ids are [`EdgeIds`] (stable across rebuilds). GraphML cannot say
//! an edge's type, so Gephi merges two edges with the same source and target (e.g. `co_occurs`
//! and `broader`) on import; GEXF keeps them apart.

use super::rows::FilePlan;
use super::xml::{close, xml_id, Tag, XmlBuf};
use super::{edge_weight, write_chunked, xml_ids, Column, ColumnType, Columns, EdgeIds, Schema};
use super::{EDGE_RESERVED, NODE_RESERVED};
use crate::graph::{KnowledgeGraph, ValueRef};
use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;
use std::borrow::Cow;
use std::io::{self, Write};

fn graphml_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Long => "long",
        ColumnType::Double => "double",
        ColumnType::Bool => "boolean",
        ColumnType::Str | ColumnType::List => "string",
    }
}

/// A declared key: its XML id.
struct Key {
    id: String,
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
        keys.push(Key { id });
    }
    Ok(keys)
}

/// Writes `graph` as GraphML to `w` (give it a buffered writer).
pub fn to_graphml<W: Write>(graph: &KnowledgeGraph, w: W) -> io::Result<()> {
    let edge_ids = EdgeIds::new(graph);
    write_graphml(
        graph,
        &Schema::of(graph),
        &xml_ids(graph),
        &edge_ids,
        &FilePlan::none(),
        w,
    )
}

/// [`to_graphml`] with the graph's schema, [`xml_ids`] and [`EdgeIds`] already collected.
pub(crate) fn write_graphml<W: Write>(
    graph: &KnowledgeGraph,
    schema: &Schema,
    ids: &[Cow<'_, str>],
    edge_ids: &EdgeIds,
    plan: &FilePlan<'_>,
    w: W,
) -> io::Result<()> {
    let g = &graph.graph;
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
    Tag::new("graph")
        .attr("id", "G")
        .attr("edgedefault", "directed")
        .open(&mut w)?;
    // Nodes and edges are rendered in parallel chunks (see `write_chunked`), indented as the
    // writer would, between its `<graph>` and `</graph>` events.
    let nodes = g.raw_nodes();
    write_chunked(w.get_mut(), nodes.len(), &plan.nodes, |range, out| {
        let mut x = XmlBuf::new(out, 2);
        let mut columns = Columns::new(&schema.nodes, &NODE_RESERVED);
        for (node, id) in nodes[range.clone()].iter().zip(&ids[range]) {
            let node = &node.weight;
            x.start("node").attr_safe("id", id).open();
            x.start("data")
                .attr_safe("key", &node_keys[0].id)
                .text("data", &node.label);
            x.start("data")
                .attr_safe("key", &node_keys[1].id)
                .text("data", node.kind.as_str());
            for (i, _, value) in columns.written(node.attr_values()) {
                // Empty lists are left out: GraphML has no empty list, only an empty string.
                if matches!(value, ValueRef::List(l) if l.is_empty())
                    || matches!(value, ValueRef::Lines(l) if l.is_empty())
                {
                    continue;
                }
                x.start("data")
                    .attr_safe("key", &node_keys[node_fixed.len() + i].id)
                    .text_value("data", value);
            }
            x.close("node");
        }
    })?;
    let edges = g.raw_edges();
    write_chunked(w.get_mut(), edges.len(), &plan.edges, |range, out| {
        let mut x = XmlBuf::new(out, 2);
        let mut columns = Columns::new(&schema.edges, &EDGE_RESERVED);
        let mut edge_id = Vec::with_capacity(24);
        for (i, e) in edges[range.clone()].iter().enumerate() {
            let edge = &e.weight;
            edge_id.clear();
            edge_ids.push(range.start + i, &mut edge_id);
            x.start("edge")
                .attr_plain("id", &edge_id)
                .attr_safe("source", &ids[e.source().index()])
                .attr_safe("target", &ids[e.target().index()])
                .open();
            x.start("data")
                .attr_safe("key", &edge_keys[0].id)
                .text("data", edge.kind.as_str());
            x.start("data")
                .attr_safe("key", &edge_keys[1].id)
                .text("data", edge.kind.as_str());
            x.start("data")
                .attr_safe("key", &edge_keys[2].id)
                .text_value("data", ValueRef::Double(edge_weight(edge)));
            for (i, _, value) in columns.written(edge.attrs()) {
                if matches!(value, ValueRef::List(l) if l.is_empty())
                    || matches!(value, ValueRef::Lines(l) if l.is_empty())
                {
                    continue;
                }
                x.start("data")
                    .attr_safe("key", &edge_keys[edge_fixed.len() + i].id)
                    .text_value("data", value);
            }
            x.close("edge");
        }
    })?;
    close(&mut w, "graph")?;
    close(&mut w, "graphml")?;
    let mut inner = w.into_inner();
    inner.write_all(b"\n")?;
    inner.flush()
}
