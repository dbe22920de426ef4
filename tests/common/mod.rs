//! Helpers shared by the integration tests that build graphs by hand.
#![allow(dead_code)]

use kgx::graph::{Edge, EdgeKind, KnowledgeGraph, Node, NodeKind, Value};
use petgraph::graph::NodeIndex;
use std::collections::HashMap;

/// Adds node `id` unless it is there already; returns its index either way.
pub fn node(
    graph: &mut KnowledgeGraph,
    index: &mut HashMap<String, NodeIndex>,
    id: &str,
    kind: NodeKind,
    label: &str,
    attrs: Vec<(&'static str, Value)>,
) -> NodeIndex {
    if let Some(&i) = index.get(id) {
        return i;
    }
    let i = graph.graph.add_node(Node {
        id: id.to_string(),
        kind,
        label: label.to_string(),
        attrs,
    });
    index.insert(id.to_string(), i);
    i
}

/// Adds an edge.
pub fn edge(
    graph: &mut KnowledgeGraph,
    from: NodeIndex,
    to: NodeIndex,
    kind: EdgeKind,
    weight: f64,
    attrs: Vec<(&'static str, Value)>,
) {
    graph
        .graph
        .add_edge(from, to, Edge::new(kind, weight, attrs));
}
