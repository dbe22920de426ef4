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

use super::xml::{close, xml_id, Tag};
use super::{edge_weight, format_double, kind_color, node_position, node_size, value_text};
use super::{written_attrs, Column, ColumnType, Schema, EDGE_RESERVED, NODE_RESERVED};
use crate::graph::{KnowledgeGraph, Value};
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

/// A list as a GEXF `liststring` value: `["a", "b \"c\""]`.
pub(crate) fn list_value(items: &[String]) -> String {
    let mut out = String::from("[");
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

/// Writes the `<attvalues>` of one node or edge: `kind` first, then its written attributes.
fn attvalues<W: Write>(
    w: &mut Writer<W>,
    kind: &str,
    attrs: &[(&'static str, Value)],
    reserved: &'static [&'static str],
    columns: &[Column],
) -> io::Result<()> {
    Tag::new("attvalues").open(w)?;
    Tag::new("attvalue")
        .attr("for", "0")
        .attr("value", kind)
        .empty(w)?;
    for (name, value) in written_attrs(attrs, reserved) {
        let Some(i) = columns.iter().position(|c| c.name == name) else {
            continue;
        };
        let text: Cow<'_, str> = match (columns[i].ty, value) {
            (ColumnType::List, Value::List(items)) => Cow::Owned(list_value(items)),
            _ => value_text(value),
        };
        // Gephi skips empty values; an empty string and an absent value are one to it.
        let mut tag = Tag::new("attvalue");
        tag.push("for", &(i + 1).to_string());
        tag.push("value", &text);
        tag.empty(w)?;
    }
    close(w, "attvalues")
}

/// Writes `graph` as GEXF 1.3 to `w` (give it a buffered writer).
pub fn to_gexf<W: Write>(graph: &KnowledgeGraph, w: W) -> io::Result<()> {
    let g = &graph.graph;
    let schema = Schema::of(graph);
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

    Tag::new("nodes").open(&mut w)?;
    for node in g.node_weights() {
        Tag::new("node")
            .attr("id", &xml_id(&node.id))
            .attr("label", &node.label)
            .open(&mut w)?;
        attvalues(
            &mut w,
            node.kind.as_str(),
            &node.attrs,
            &NODE_RESERVED,
            &schema.nodes,
        )?;
        let (r, gr, b) = kind_color(node.kind);
        Tag::new("viz:color")
            .attr("r", &r.to_string())
            .attr("g", &gr.to_string())
            .attr("b", &b.to_string())
            .empty(&mut w)?;
        Tag::new("viz:size")
            .attr("value", &format_double(node_size(node)))
            .empty(&mut w)?;
        let (x, y) = node_position(&node.id, n);
        Tag::new("viz:position")
            .attr("x", &format!("{x}.0"))
            .attr("y", &format!("{y}.0"))
            .empty(&mut w)?;
        close(&mut w, "node")?;
    }
    close(&mut w, "nodes")?;

    Tag::new("edges").open(&mut w)?;
    for (i, e) in g.raw_edges().iter().enumerate() {
        let edge = &e.weight;
        let mut tag = Tag::new("edge");
        tag.push("id", &format!("e{i}"));
        tag.push("source", &xml_id(&g[e.source()].id));
        tag.push("target", &xml_id(&g[e.target()].id));
        tag.push("kind", edge.kind.as_str());
        tag.push("weight", &format_double(edge_weight(edge)));
        tag.push("label", edge.kind.as_str());
        tag.open(&mut w)?;
        attvalues(
            &mut w,
            edge.kind.as_str(),
            &edge.attrs,
            &EDGE_RESERVED,
            &schema.edges,
        )?;
        close(&mut w, "edge")?;
    }
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
