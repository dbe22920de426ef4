//! GEXF 1.3, shaped for Gephi, graphology-gexf (Gephi Lite), networkx and the 1.3 XSD/RNG.
//!
//! Attribute ids are numbers with a `title` (graphology uses the title only for numeric ids);
//! id 0 is `kind` for nodes and edges, the data's columns follow. Types `long`, `double`,
//! `boolean`, `string`, `liststring`. Lists are written `["a", "b c"]` (every item quoted,
//! `"` and `\` escaped with `\`): the bracketed, quoted form both Gephi's `ArraysParser` and
//! graphology read back item for item, whatever the items hold. Nodes carry `viz:color`
//! (integer `r g b`, by kind), `viz:size` and an initial `viz:position`; edges carry the
//! relation in `kind=` (so Gephi keeps `co_occurs` and `broader` between the same entities
//! apart), `weight=` and `label=` (the kind).

use super::rows::FilePlan;
use super::xml::{close, Tag, XmlBuf};
use super::{edge_weight, kind_color, node_position, node_size, push_double, push_int, EdgeIds};
use super::{write_chunked, xml_ids};
use super::{Column, ColumnType, Columns, Schema, EDGE_RESERVED, NODE_RESERVED};
use crate::graph::{KnowledgeGraph, ValueRef};
use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;
use std::borrow::Cow;
use std::io::{self, Write};

fn gexf_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Long => "long",
        ColumnType::Double => "double",
        ColumnType::Bool => "boolean",
        ColumnType::Str => "string",
        ColumnType::List => "liststring",
    }
}

/// Appends a list as a GEXF `liststring` value: `["a", "b \"c\""]`.
/// Line numbers as [`push_list`] writes their decimal strings.
fn push_lines(out: &mut String, lines: &[u32]) {
    use std::fmt::Write as _;
    out.push('[');
    for (i, n) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "\"{n}\"");
    }
    out.push(']');
}

fn push_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        for c in item.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push(']');
}

#[cfg(test)]
fn list_value(items: &[String]) -> String {
    let mut out = String::new();
    push_list(&mut out, items);
    out
}

fn declare<W: Write>(w: &mut Writer<W>, class: &'static str, columns: &[Column]) -> io::Result<()> {
    Tag::new("attributes")
        .attr("class", class)
        .attr("mode", "static")
        .open(w)?;
    Tag::new("attribute")
        .attr("id", "0")
        .attr("title", "kind")
        .attr("type", "string")
        .empty(w)?;
    for (i, c) in columns.iter().enumerate() {
        let mut tag = Tag::new("attribute");
        tag.push("id", &(i + 1).to_string());
        tag.push("title", c.name);
        tag.push("type", gexf_type(c.ty));
        tag.empty(w)?;
    }
    close(w, "attributes")
}

/// Renders the `<attvalues>` of one node or edge: `kind` first, then its attributes.
fn attvalues<'a>(
    x: &mut XmlBuf<'_>,
    list: &mut String,
    kind: &str,
    attrs: impl Iterator<Item = (&'static str, ValueRef<'a>)>,
    index: &mut Columns<'_>,
    columns: &[Column],
) {
    x.start("attvalues").open();
    x.start("attvalue")
        .attr_plain("for", b"0")
        .attr_safe("value", kind)
        .empty();
    let mut num = itoa::Buffer::new();
    for (i, _, value) in index.written(attrs) {
        // Gephi skips empty values: an empty string and an absent value are one to it.
        x.start("attvalue")
            .attr_plain("for", num.format(i + 1).as_bytes());
        match (columns[i].ty, value) {
            (ColumnType::List, ValueRef::List(items)) => {
                list.clear();
                push_list(list, items);
                x.attr("value", list)
            }
            (ColumnType::List, ValueRef::Lines(lines)) => {
                list.clear();
                push_lines(list, lines);
                x.attr("value", list)
            }
            _ => x.attr_value("value", value),
        }
        .empty();
    }
    x.close("attvalues");
}

/// Writes `graph` as GEXF 1.3 to `w` (give it a buffered writer).
pub fn to_gexf<W: Write>(graph: &KnowledgeGraph, w: W) -> io::Result<()> {
    let edge_ids = EdgeIds::new(graph);
    write_gexf(
        graph,
        &Schema::of(graph),
        &xml_ids(graph),
        &edge_ids,
        &FilePlan::none(),
        w,
    )
}

/// [`to_gexf`] with the graph's schema, [`xml_ids`] and [`EdgeIds`] already collected.
pub(crate) fn write_gexf<W: Write>(
    graph: &KnowledgeGraph,
    schema: &Schema,
    ids: &[Cow<'_, str>],
    edge_ids: &EdgeIds,
    plan: &FilePlan<'_>,
    w: W,
) -> io::Result<()> {
    let g = &graph.graph;
    let n = g.node_count();
    let mut w = Writer::new_with_indent(w, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    Tag::new("gexf")
        .attr("xmlns", "http://gexf.net/1.3")
        .attr("xmlns:viz", "http://gexf.net/1.3/viz")
        .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        .attr(
            "xsi:schemaLocation",
            "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
        )
        .attr("version", "1.3")
        .open(&mut w)?;
    Tag::new("meta").open(&mut w)?;
    Tag::new("creator").text(&mut w, "kgx")?;
    Tag::new("description").text(&mut w, "knowledge graph of a folder of Markdown articles")?;
    close(&mut w, "meta")?;
    Tag::new("graph")
        .attr("defaultedgetype", "directed")
        .attr("mode", "static")
        .open(&mut w)?;
    declare(&mut w, "node", &schema.nodes)?;
    declare(&mut w, "edge", &schema.edges)?;

    // Nodes and edges are rendered in parallel chunks (see `write_chunked`), indented as the
    // writer would, between its `<nodes>`/`<edges>` events.
    Tag::new("nodes").open(&mut w)?;
    let nodes = g.raw_nodes();
    write_chunked(w.get_mut(), nodes.len(), &plan.nodes, |range, out| {
        let mut x = XmlBuf::new(out, 3);
        let mut list = String::new();
        let mut num = Vec::with_capacity(32);
        let mut index = Columns::new(&schema.nodes, &NODE_RESERVED);
        for (node, id) in nodes[range.clone()].iter().zip(&ids[range]) {
            let node = &node.weight;
            x.start("node")
                .attr_safe("id", id)
                .attr("label", &node.label)
                .open();
            attvalues(
                &mut x,
                &mut list,
                node.kind.as_str(),
                node.attr_values(),
                &mut index,
                &schema.nodes,
            );
            let (r, gr, b) = kind_color(node.kind);
            let mut channel = itoa::Buffer::new();
            x.start("viz:color")
                .attr_plain("r", channel.format(r).as_bytes())
                .attr_plain("g", channel.format(gr).as_bytes())
                .attr_plain("b", channel.format(b).as_bytes())
                .empty();
            num.clear();
            push_double(&mut num, node_size(node));
            x.start("viz:size").attr_plain("value", &num).empty();
            let (px, py) = node_position(&node.id, n);
            x.start("viz:position");
            for (axis, v) in [("x", px), ("y", py)] {
                num.clear();
                push_int(&mut num, v);
                num.extend_from_slice(b".0");
                x.attr_plain(axis, &num);
            }
            x.empty();
            x.close("node");
        }
    })?;
    close(&mut w, "nodes")?;

    Tag::new("edges").open(&mut w)?;
    let edges = g.raw_edges();
    write_chunked(w.get_mut(), edges.len(), &plan.edges, |range, out| {
        let mut x = XmlBuf::new(out, 3);
        let mut list = String::new();
        let mut num = Vec::with_capacity(32);
        let mut edge_id = Vec::with_capacity(24);
        let mut index = Columns::new(&schema.edges, &EDGE_RESERVED);
        for (i, e) in edges[range.clone()].iter().enumerate() {
            let edge = &e.weight;
            edge_id.clear();
            edge_ids.push(range.start + i, &mut edge_id);
            num.clear();
            push_double(&mut num, edge_weight(edge));
            x.start("edge")
                .attr_plain("id", &edge_id)
                .attr_safe("source", &ids[e.source().index()])
                .attr_safe("target", &ids[e.target().index()])
                .attr_safe("kind", edge.kind.as_str())
                .attr_plain("weight", &num)
                .attr_safe("label", edge.kind.as_str())
                .open();
            attvalues(
                &mut x,
                &mut list,
                edge.kind.as_str(),
                edge.attrs(),
                &mut index,
                &schema.edges,
            );
            x.close("edge");
        }
    })?;
    close(&mut w, "edges")?;
    close(&mut w, "graph")?;
    close(&mut w, "gexf")?;
    let mut inner = w.into_inner();
    inner.write_all(b"\n")?;
    inner.flush()
}

#[cfg(test)]
mod tests {
    use super::list_value;

    #[test]
    fn lists_are_quoted_and_escaped() {
        assert_eq!(list_value(&[]), "[]");
        let items = ["a".to_string(), "b c".into(), "d,\"e\"\\".into()];
        assert_eq!(list_value(&items), r#"["a", "b c", "d,\"e\"\\"]"#);
    }
}
