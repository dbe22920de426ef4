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
use super::{edge_weight, kind_color, node_position, node_size, push_value_text};
use super::{written_attrs, Column, ColumnType, Schema, EDGE_RESERVED, NODE_RESERVED};
use crate::graph::{KnowledgeGraph, Value};
use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;
use std::borrow::Cow;
use std::fmt::Write as _;
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

/// Reused tags and buffers: one allocation per kind of element, not per element.
struct Scratch {
    attvalue: Tag,
    text: String,
    /// `for=` of attribute `i` of the class being written (`"0"` is `kind`).
    ids: Vec<String>,
}

impl Scratch {
    /// Writes the `<attvalues>` of one node or edge: `kind` first, then its attributes.
    fn attvalues<W: Write>(
        &mut self,
        w: &mut Writer<W>,
        kind: &str,
        attrs: &[(&'static str, Value)],
        reserved: &'static [&'static str],
        columns: &[Column],
    ) -> io::Result<()> {
        Tag::new("attvalues").write_open(w)?;
        self.attvalue
            .reset()
            .push("for", "0")
            .push("value", kind)
            .write_empty(w)?;
        for (name, value) in written_attrs(attrs, reserved) {
            let Some(i) = columns.iter().position(|c| c.name == name) else {
                continue;
            };
            self.text.clear();
            match (columns[i].ty, value) {
                (ColumnType::List, Value::List(items)) => push_list(&mut self.text, items),
                _ => push_value_text(&mut self.text, value),
            }
            // Gephi skips empty values: an empty string and an absent value are one to it.
            self.attvalue
                .reset()
                .push("for", &self.ids[i + 1])
                .push("value", &self.text)
                .write_empty(w)?;
        }
        close(w, "attvalues")
    }
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

    let most = schema.nodes.len().max(schema.edges.len());
    let mut scratch = Scratch {
        attvalue: Tag::new("attvalue"),
        text: String::new(),
        ids: (0..=most).map(|i| i.to_string()).collect(),
    };
    let (mut node_tag, mut color, mut size, mut position) = (
        Tag::new("node"),
        Tag::new("viz:color"),
        Tag::new("viz:size"),
        Tag::new("viz:position"),
    );
    let mut num = String::new();
    Tag::new("nodes").open(&mut w)?;
    let ids: Vec<Cow<'_, str>> = g.node_weights().map(|n| xml_id(&n.id)).collect();
    for (node, id) in g.node_weights().zip(&ids) {
        node_tag
            .reset()
            .push("id", id)
            .push("label", &node.label)
            .write_open(&mut w)?;
        scratch.attvalues(
            &mut w,
            node.kind.as_str(),
            &node.attrs,
            &NODE_RESERVED,
            &schema.nodes,
        )?;
        let (r, gr, b) = kind_color(node.kind);
        color.reset();
        for (channel, v) in [("r", r), ("g", gr), ("b", b)] {
            num.clear();
            let _ = write!(num, "{v}"); // writing to a String cannot fail
            color.push(channel, &num);
        }
        color.write_empty(&mut w)?;
        num.clear();
        push_value_text(&mut num, &Value::Double(node_size(node)));
        size.reset().push("value", &num).write_empty(&mut w)?;
        let (x, y) = node_position(&node.id, n);
        position.reset();
        for (axis, v) in [("x", x), ("y", y)] {
            num.clear();
            let _ = write!(num, "{v}.0");
            position.push(axis, &num);
        }
        position.write_empty(&mut w)?;
        close(&mut w, "node")?;
    }
    close(&mut w, "nodes")?;

    Tag::new("edges").open(&mut w)?;
    let mut edge_id = String::from("e");
    let mut edge_tag = Tag::new("edge");
    for (i, e) in g.raw_edges().iter().enumerate() {
        let edge = &e.weight;
        edge_id.truncate(1);
        let _ = write!(edge_id, "{i}");
        num.clear();
        push_value_text(&mut num, &Value::Double(edge_weight(edge)));
        edge_tag
            .reset()
            .push("id", &edge_id)
            .push("source", &ids[e.source().index()])
            .push("target", &ids[e.target().index()])
            .push("kind", edge.kind.as_str())
            .push("weight", &num)
            .push("label", edge.kind.as_str())
            .write_open(&mut w)?;
        scratch.attvalues(
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
