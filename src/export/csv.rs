//! CSV for Gephi's spreadsheet import (and pandas, spreadsheets): `nodes.csv` and `edges.csv`.
//!
//! Nodes: `Id,Label,Kind,` then the node columns; edges: `Source,Target,Type,Kind,Weight,` then
//! the edge columns, `Type` always `Directed` (in Gephi `Type` is the direction; the relation
//! is `Kind`). Gephi recognises columns by name, case-insensitively, and takes a table with a
//! `source` or `target` column for an edge table, so an attribute whose name is one of Gephi's
//! column names (topics' `source`) is written with an `attr_` prefix. Lists are `;`-joined.
//! A text cell that begins with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so that a
//! spreadsheet shows it instead of running it as a formula; numbers are never changed.

use super::{edge_weight, format_double, value_text, written_attrs, Column, Schema};
use super::{EDGE_RESERVED, NODE_RESERVED};
use crate::graph::{KnowledgeGraph, Value};
use std::borrow::Cow;
use std::io::{self, Write};

/// Column names Gephi's spreadsheet import gives a meaning to.
const GEPHI_COLUMNS: [&str; 10] = [
    "id",
    "label",
    "kind",
    "type",
    "source",
    "target",
    "weight",
    "timeset",
    "interval",
    "timestamp",
];

/// The header of an attribute column.
fn header(name: &str) -> Cow<'_, str> {
    if GEPHI_COLUMNS.iter().any(|g| g.eq_ignore_ascii_case(name)) {
        Cow::Owned(format!("attr_{name}"))
    } else {
        Cow::Borrowed(name)
    }
}

/// A text cell, with a leading `'` when a spreadsheet would read it as a formula.
pub(crate) fn text_cell(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

fn cell(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Str(_) | Value::List(_) => match value_text(value) {
            Cow::Borrowed(s) => text_cell(s),
            Cow::Owned(s) => Cow::Owned(text_cell(&s).into_owned()),
        },
        _ => value_text(value),
    }
}

fn io_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Fills the attribute cells of one row.
fn attr_cells<'a>(
    row: &mut Vec<Cow<'a, str>>,
    attrs: &'a [(&'static str, Value)],
    reserved: &'static [&'static str],
    columns: &[Column],
) {
    let start = row.len();
    row.resize(start + columns.len(), Cow::Borrowed(""));
    for (name, value) in written_attrs(attrs, reserved) {
        if let Some(i) = columns.iter().position(|c| c.name == name) {
            row[start + i] = cell(value);
        }
    }
}

/// Writes the nodes table (`nodes.csv`) of `graph` to `w`.
pub fn to_nodes_csv<W: Write>(graph: &KnowledgeGraph, w: W) -> io::Result<()> {
    let schema = Schema::of(graph);
    let mut out = csv::Writer::from_writer(w);
    let mut row: Vec<Cow<'_, str>> = vec!["Id".into(), "Label".into(), "Kind".into()];
    row.extend(schema.nodes.iter().map(|c| header(c.name)));
    out.write_record(row.iter().map(|c| c.as_bytes()))
        .map_err(io_err)?;
    for node in graph.graph.node_weights() {
        row.clear();
        row.push(text_cell(&node.id));
        row.push(text_cell(&node.label));
        row.push(Cow::Borrowed(node.kind.as_str()));
        attr_cells(&mut row, &node.attrs, &NODE_RESERVED, &schema.nodes);
        out.write_record(row.iter().map(|c| c.as_bytes()))
            .map_err(io_err)?;
    }
    out.flush()
}

/// Writes the edges table (`edges.csv`) of `graph` to `w`.
pub fn to_edges_csv<W: Write>(graph: &KnowledgeGraph, w: W) -> io::Result<()> {
    let g = &graph.graph;
    let schema = Schema::of(graph);
    let mut out = csv::Writer::from_writer(w);
    let mut row: Vec<Cow<'_, str>> = ["Source", "Target", "Type", "Kind", "Weight"]
        .into_iter()
        .map(Cow::Borrowed)
        .collect();
    row.extend(schema.edges.iter().map(|c| header(c.name)));
    out.write_record(row.iter().map(|c| c.as_bytes()))
        .map_err(io_err)?;
    for e in g.raw_edges() {
        let edge = &e.weight;
        row.clear();
        row.push(text_cell(&g[e.source()].id));
        row.push(text_cell(&g[e.target()].id));
        row.push(Cow::Borrowed("Directed"));
        row.push(Cow::Borrowed(edge.kind.as_str()));
        row.push(Cow::Owned(format_double(edge_weight(edge))));
        attr_cells(&mut row, &edge.attrs, &EDGE_RESERVED, &schema.edges);
        out.write_record(row.iter().map(|c| c.as_bytes()))
            .map_err(io_err)?;
    }
    out.flush()
}

/// Writes both tables of `graph`: nodes to `nodes`, edges to `edges`.
pub fn to_csv<N: Write, E: Write>(graph: &KnowledgeGraph, nodes: N, edges: E) -> io::Result<()> {
    to_nodes_csv(graph, nodes)?;
    to_edges_csv(graph, edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_escaped_numbers_are_not() {
        for s in ["=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text_cell(s), format!("'{s}"));
        }
        assert_eq!(text_cell("a=b"), "a=b");
        assert_eq!(cell(&Value::Int(-3)), "-3");
        assert_eq!(cell(&Value::Double(-0.5)), "-0.5");
        assert_eq!(cell(&Value::List(vec!["-a".into(), "b".into()])), "'-a;b");
    }

    #[test]
    fn gephi_column_names_are_prefixed() {
        assert_eq!(header("source"), "attr_source");
        assert_eq!(header("Weight"), "attr_Weight");
        assert_eq!(header("mentions"), "mentions");
    }
}
