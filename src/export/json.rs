//! JSON: networkx node-link (`graph.json`) and graphology's serialisation
//! (`graph.graphology.json`, what Gephi Lite opens).
//!
//! Both keep the typed ids and native JSON types (lists as arrays); non-finite doubles are left
//! out, so the files are strict JSON. One node or edge a line: readable, diffable, and written
//! item by item without building the document in memory. A graph with two edges between the
//! same nodes in the same direction is declared a multigraph (node-link edges then carry
//! `key` = kind, which networkx uses as the edge key).

use super::rows::FilePlan;
use super::{
    edge_weight, has_parallel_edges, kind_hex, node_position, node_size, push_int, EdgeIds,
};
use super::{write_chunked, Columns, EncodedIds, EDGE_RESERVED, NODE_RESERVED};
use crate::graph::{KnowledgeGraph, ValueRef};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter as _};
use std::io::{self, Write};

/// Appends `s` as a JSON string, exactly as serde_json writes it: the common string that needs
/// no escape is copied as it is, any other goes through serde_json.
fn push_str(out: &mut Vec<u8>, s: &str) {
    if is_plain(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        push_json(out, s);
    }
}

/// Whether `bytes` need no JSON escape (no control character, `"` or `\\`), eight bytes at a
/// time.
fn is_plain(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has = |x: u64, c: u8| {
        let y = x ^ (LO * u64::from(c));
        y.wrapping_sub(LO) & !y & HI
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        if (x.wrapping_sub(LO * 0x20) & !x & HI) | has(x, b'"') | has(x, b'\\') != 0 {
            return false;
        }
    }
    chunks
        .remainder()
        .iter()
        .all(|&b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// Appends `value` serialised by serde_json.
fn push_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Serialising these types into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Appends a finite double as serde_json writes it.
fn push_f64(out: &mut Vec<u8>, d: f64) {
    // Writing into a Vec cannot fail.
    let _ = CompactFormatter.write_f64(out, d);
}

/// Appends a value as serde_json serialises [`crate::graph::Value`] (untagged: numbers, booleans, strings,
/// arrays of strings); non-finite doubles never reach here.
fn push_value(out: &mut Vec<u8>, value: ValueRef<'_>) {
    match value {
        ValueRef::Int(i) => push_int(out, i),
        ValueRef::Double(d) if d.is_finite() => push_f64(out, d),
        // As serde_json writes a non-finite double.
        ValueRef::Double(_) => out.extend_from_slice(b"null"),
        ValueRef::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        ValueRef::Str(s) => push_str(out, s),
        ValueRef::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                push_str(out, item);
            }
            out.push(b']');
        }
        // Written as the list of strings it stands for.
        ValueRef::Lines(lines) => {
            out.push(b'[');
            for (i, &n) in lines.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                push_int(out, n as i64);
                out.push(b'"');
            }
            out.push(b']');
        }
    }
}

/// Appends `,"name":value` for every written attribute.
fn push_attrs<'a>(
    out: &mut Vec<u8>,
    columns: &mut Columns<'_>,
    attrs: impl Iterator<Item = (&'static str, ValueRef<'a>)>,
) {
    for (_, name, value) in columns.written(attrs) {
        out.push(b',');
        push_str(out, name);
        out.push(b':');
        push_value(out, value);
    }
}

/// Writes `nodes` then `edges` as arrays of one-line objects (rendered in parallel chunks by
/// [`write_chunked`]): `render_node(i, out)` and `render_edge(i, out)` append item `i`.
fn write_items<W: Write>(
    w: &mut W,
    graph: &KnowledgeGraph,
    plan: &FilePlan<'_>,
    render_node: impl Fn(usize, &mut Vec<u8>, &mut Columns<'_>) + Sync,
    render_edge: impl Fn(usize, &mut Vec<u8>, &mut Columns<'_>) + Sync,
) -> io::Result<()> {
    let g = &graph.graph;
    w.write_all(b",\n\"nodes\": [")?;
    write_chunked(w, g.node_count(), &plan.nodes, |range, out| {
        let mut columns = Columns::any(&NODE_RESERVED);
        for i in range {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            render_node(i, out, &mut columns);
        }
    })?;
    w.write_all(b"\n],\n\"edges\": [")?;
    write_chunked(w, g.edge_count(), &plan.edges, |range, out| {
        let mut columns = Columns::any(&EDGE_RESERVED);
        for i in range {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            render_edge(i, out, &mut columns);
        }
    })?;
    w.write_all(b"\n]\n}\n")
}

/// Writes `graph` as networkx node-link JSON to `w` (give it a buffered writer):
/// `{"directed": true, "multigraph": …, "graph": {}, "nodes": [{"id", "kind", "label", …}],
/// "edges": [{"source", "target", "kind", "weight", …}]}`. Read it with
/// `nx.node_link_graph(data, edges="edges")`.
pub fn to_node_link<W: Write>(graph: &KnowledgeGraph, w: W) -> io::Result<()> {
    write_node_link(graph, has_parallel_edges(graph), &FilePlan::none(), w)
}

/// [`to_node_link`] by `plan`, knowing whether the graph has parallel edges (`multi`).
pub(crate) fn write_node_link<W: Write>(
    graph: &KnowledgeGraph,
    multi: bool,
    plan: &FilePlan<'_>,
    mut w: W,
) -> io::Result<()> {
    let g = &graph.graph;
    write!(
        w,
        "{{\"directed\": true, \"multigraph\": {multi}, \"graph\": {{}}"
    )?;
    let (nodes, edges) = (g.raw_nodes(), g.raw_edges());
    let ids = EncodedIds::new(graph, push_str);
    write_items(
        &mut w,
        graph,
        plan,
        |i, out, columns| {
            let node = &nodes[i].weight;
            out.extend_from_slice(b"{\"id\":");
            out.extend_from_slice(ids.get(i));
            out.extend_from_slice(b",\"kind\":");
            push_json(out, &node.kind);
            out.extend_from_slice(b",\"label\":");
            push_str(out, &node.label);
            push_attrs(out, columns, node.attr_values());
            out.push(b'}');
        },
        |i, out, columns| {
            let e = &edges[i];
            let edge = &e.weight;
            out.extend_from_slice(b"{\"source\":");
            out.extend_from_slice(ids.get(e.source().index()));
            out.extend_from_slice(b",\"target\":");
            out.extend_from_slice(ids.get(e.target().index()));
            if multi {
                out.extend_from_slice(b",\"key\":");
                push_json(out, &edge.kind);
            }
            out.extend_from_slice(b",\"kind\":");
            push_json(out, &edge.kind);
            out.extend_from_slice(b",\"weight\":");
            push_f64(out, edge_weight(edge));
            push_attrs(out, columns, edge.attrs());
            out.push(b'}');
        },
    )?;
    w.flush()
}

/// Writes `graph` in graphology's serialised form to `w` (give it a buffered writer):
/// `{"attributes": {}, "options": {"type": "directed", "multi": …, "allowSelfLoops": true},
/// "nodes": [{"key", "attributes": {"label", "kind", "size", "color", "x", "y", …}}],
/// "edges": [{"key", "source", "target", "attributes": {"kind", "label", "weight", …}}]}`.
/// `Graph.from(json)` reads it; Gephi Lite opens it as it is, drawn at the initial positions.
pub fn to_graphology<W: Write>(graph: &KnowledgeGraph, w: W) -> io::Result<()> {
    let multi = has_parallel_edges(graph);
    write_graphology(graph, &EdgeIds::new(graph), multi, &FilePlan::none(), w)
}

/// [`to_graphology`] with the [`EdgeIds`] and [`has_parallel_edges`] already known.
pub(crate) fn write_graphology<W: Write>(
    graph: &KnowledgeGraph,
    edge_ids: &EdgeIds,
    multi: bool,
    plan: &FilePlan<'_>,
    mut w: W,
) -> io::Result<()> {
    let g = &graph.graph;
    let n = g.node_count();
    write!(
        w,
        "{{\"attributes\": {{}}, \"options\": {{\"type\": \"directed\", \"multi\": {multi}, \
         \"allowSelfLoops\": true}}"
    )?;
    let (nodes, edges) = (g.raw_nodes(), g.raw_edges());
    let ids = EncodedIds::new(graph, push_str);
    write_items(
        &mut w,
        graph,
        plan,
        |i, out, columns| {
            let node = &nodes[i].weight;
            let (x, y) = node_position(&node.id, n);
            out.extend_from_slice(b"{\"key\":");
            out.extend_from_slice(ids.get(i));
            out.extend_from_slice(b",\"attributes\":{\"label\":");
            push_str(out, &node.label);
            out.extend_from_slice(b",\"kind\":");
            push_json(out, &node.kind);
            out.extend_from_slice(b",\"size\":");
            push_f64(out, node_size(node));
            out.extend_from_slice(b",\"color\":");
            push_str(out, &kind_hex(node.kind));
            out.extend_from_slice(b",\"x\":");
            push_int(out, x);
            out.extend_from_slice(b",\"y\":");
            push_int(out, y);
            push_attrs(out, columns, node.attr_values());
            out.extend_from_slice(b"}}");
        },
        |i, out, columns| {
            let e = &edges[i];
            let edge = &e.weight;
            out.extend_from_slice(b"{\"key\":\"");
            edge_ids.push(i, out);
            out.extend_from_slice(b"\",\"source\":");
            out.extend_from_slice(ids.get(e.source().index()));
            out.extend_from_slice(b",\"target\":");
            out.extend_from_slice(ids.get(e.target().index()));
            out.extend_from_slice(b",\"attributes\":{\"kind\":");
            push_json(out, &edge.kind);
            out.extend_from_slice(b",\"label\":");
            push_json(out, &edge.kind);
            out.extend_from_slice(b",\"weight\":");
            push_f64(out, edge_weight(edge));
            push_attrs(out, columns, edge.attrs());
            out.extend_from_slice(b"}}");
        },
    )?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for s in [
            "",
            "plain",
            "long plain text, 中文：ok",
            "0123456\"89",
            "01234567\\abc",
            "tab\tnewline\ncontrol\u{1}\u{7f}",
            "01234567890123\u{1f}",
        ] {
            let mut out = Vec::new();
            push_str(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
        for d in [0.1, 1.0, -0.0, 1e21, 1e-7, 123456.789, f64::MAX] {
            let mut out = Vec::new();
            push_f64(&mut out, d);
            assert_eq!(out, serde_json::to_vec(&d).unwrap(), "{d}");
        }
    }
}
