//! JSON: networkx node-link (`graph.json`) and graphology's serialisation
//! (`graph.graphology.json`, what Gephi Lite opens).
//!
//! Both keep the typed ids and native JSON types (lists as arrays); non-finite doubles are left
//! out, so the files are strict JSON. One node or edge a line: readable, diffable, and written
//! item by item without building the document in memory. A graph with two edges between the
//! same nodes in the same direction is declared a multigraph (node-link edges then carry
//! `key` = kind, which networkx uses as the edge key).

use super::{edge_weight, has_parallel_edges, kind_hex, node_position, node_size, written_attrs};
use super::{EDGE_RESERVED, NODE_RESERVED};
use crate::graph::{Edge, KnowledgeGraph, Node};
use serde::ser::{SerializeMap, Serializer as _};
use serde_json::Serializer;
use std::io::{self, Write};

fn json_err(e: serde_json::Error) -> io::Error {
    io::Error::other(e)
}

/// Writes `nodes` then `edges` as arrays of one-line objects, `before` and `after` around them.
fn write_items<W: Write>(
    w: &mut W,
    graph: &KnowledgeGraph,
    mut node: impl FnMut(&mut Serializer<&mut W>, &Node) -> Result<(), serde_json::Error>,
    mut edge: impl FnMut(
        &mut Serializer<&mut W>,
        usize,
        &str,
        &str,
        &Edge,
    ) -> Result<(), serde_json::Error>,
) -> io::Result<()> {
    let g = &graph.graph;
    w.write_all(b",\n\"nodes\": [")?;
    for (i, n) in g.node_weights().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        node(&mut Serializer::new(&mut *w), n).map_err(json_err)?;
    }
    w.write_all(b"\n],\n\"edges\": [")?;
    for (i, e) in g.raw_edges().iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        let (s, t) = (&g[e.source()].id, &g[e.target()].id);
        edge(&mut Serializer::new(&mut *w), i, s, t, &e.weight).map_err(json_err)?;
    }
    w.write_all(b"\n]\n}\n")
}

/// Writes `graph` as networkx node-link JSON to `w` (give it a buffered writer):
/// `{"directed": true, "multigraph": …, "graph": {}, "nodes": [{"id", "kind", "label", …}],
/// "edges": [{"source", "target", "kind", "weight", …}]}`. Read it with
/// `nx.node_link_graph(data, edges="edges")`.
pub fn to_node_link<W: Write>(graph: &KnowledgeGraph, mut w: W) -> io::Result<()> {
    let multi = has_parallel_edges(graph);
    write!(
        w,
        "{{\"directed\": true, \"multigraph\": {multi}, \"graph\": {{}}"
    )?;
    write_items(
        &mut w,
        graph,
        |ser, node| {
            let mut map = ser.serialize_map(None)?;
            map.serialize_entry("id", &node.id)?;
            map.serialize_entry("kind", &node.kind)?;
            map.serialize_entry("label", &node.label)?;
            for (k, v) in written_attrs(&node.attrs, &NODE_RESERVED) {
                map.serialize_entry(k, v)?;
            }
            map.end()
        },
        |ser, _, source, target, edge| {
            let mut map = ser.serialize_map(None)?;
            map.serialize_entry("source", source)?;
            map.serialize_entry("target", target)?;
            if multi {
                map.serialize_entry("key", &edge.kind)?;
            }
            map.serialize_entry("kind", &edge.kind)?;
            map.serialize_entry("weight", &edge_weight(edge))?;
            for (k, v) in written_attrs(&edge.attrs, &EDGE_RESERVED) {
                map.serialize_entry(k, v)?;
            }
            map.end()
        },
    )?;
    w.flush()
}

/// Writes `graph` in graphology's serialised form to `w` (give it a buffered writer):
/// `{"attributes": {}, "options": {"type": "directed", "multi": …, "allowSelfLoops": true},
/// "nodes": [{"key", "attributes": {"label", "kind", "size", "color", "x", "y", …}}],
/// "edges": [{"key", "source", "target", "attributes": {"kind", "label", "weight", …}}]}`.
/// `Graph.from(json)` reads it; Gephi Lite opens it as it is, drawn at the initial positions.
pub fn to_graphology<W: Write>(graph: &KnowledgeGraph, mut w: W) -> io::Result<()> {
    let multi = has_parallel_edges(graph);
    let n = graph.graph.node_count();
    write!(
        w,
        "{{\"attributes\": {{}}, \"options\": {{\"type\": \"directed\", \"multi\": {multi}, \
         \"allowSelfLoops\": true}}"
    )?;
    write_items(
        &mut w,
        graph,
        |ser, node| {
            let mut map = ser.serialize_map(None)?;
            map.serialize_entry("key", &node.id)?;
            map.serialize_entry("attributes", &NodeAttributes { node, n })?;
            map.end()
        },
        |ser, i, source, target, edge| {
            let mut map = ser.serialize_map(None)?;
            map.serialize_entry("key", &format!("e{i}"))?;
            map.serialize_entry("source", source)?;
            map.serialize_entry("target", target)?;
            map.serialize_entry("attributes", &EdgeAttributes(edge))?;
            map.end()
        },
    )?;
    w.flush()
}

struct NodeAttributes<'a> {
    node: &'a Node,
    n: usize,
}

impl serde::Serialize for NodeAttributes<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let node = self.node;
        let (x, y) = node_position(&node.id, self.n);
        let mut map = ser.serialize_map(None)?;
        map.serialize_entry("label", &node.label)?;
        map.serialize_entry("kind", &node.kind)?;
        map.serialize_entry("size", &node_size(node))?;
        map.serialize_entry("color", &kind_hex(node.kind))?;
        map.serialize_entry("x", &x)?;
        map.serialize_entry("y", &y)?;
        for (k, v) in written_attrs(&node.attrs, &NODE_RESERVED) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

struct EdgeAttributes<'a>(&'a Edge);

impl serde::Serialize for EdgeAttributes<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let edge = self.0;
        let mut map = ser.serialize_map(None)?;
        map.serialize_entry("kind", &edge.kind)?;
        map.serialize_entry("label", &edge.kind)?;
        map.serialize_entry("weight", &edge_weight(edge))?;
        for (k, v) in written_attrs(&edge.attrs, &EDGE_RESERVED) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}
