//! CSV for Gephi's spreadsheet import (and pandas, spreadsheets): `nodes.csv` and `edges.csv`.
//!
//! Nodes: `Id,Label,Kind,` then the node columns; edges: `Source,Target,Type,Kind,Weight,` then
//! the edge columns, `Type` always `Directed` (in Gephi `Type` is the direction; the relation
//! is `Kind`). Gephi recognises columns by name, case-insensitively, and takes a table with a
//! `source` or `target` column for an edge table, so an attribute whose name is one of Gephi's
//! column names (topics' `source`) is written with an `attr_` prefix. Lists are `;`-joined.
//! A text cell that begins with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so that a
//! spreadsheet shows it instead of running it as a formula; numbers are never changed.

use super::rows::Items;
use super::{edge_weight, push_double, push_value_bytes, write_chunked, Column, Columns};
use super::{EncodedIds, Schema};
use super::{EDGE_RESERVED, NODE_RESERVED};
use crate::graph::{KnowledgeGraph, ValueRef};
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

/// Whether a text cell gets a leading `'`, so that a spreadsheet shows it instead of running
/// it as a formula.
fn is_formula(s: &[u8]) -> bool {
    matches!(s.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

/// Appends a value as its cell text: numbers and booleans as they are, text (lists
/// `;`-joined) with the formula guard of [`is_formula`].
fn push_cell(out: &mut Vec<u8>, value: ValueRef<'_>) {
    let start = out.len();
    push_value_bytes(out, value);
    if matches!(
        value,
        ValueRef::Str(_) | ValueRef::List(_) | ValueRef::Lines(_)
    ) && is_formula(&out[start..])
    {
        out.insert(start, b'\'');
    }
}

/// Appends one field as the `csv` crate's default writer writes it: quoted (quotes doubled)
/// when it holds a comma, a quote, CR or LF, as it is otherwise.
fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    if field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.push(b'"');
        for &b in field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field);
    }
}

/// Appends a text field with the formula guard of [`is_formula`].
fn push_text_field(out: &mut Vec<u8>, cell: &mut Vec<u8>, s: &str) {
    if is_formula(s.as_bytes()) {
        cell.clear();
        cell.push(b'\'');
        cell.extend_from_slice(s.as_bytes());
        push_field(out, cell);
    } else {
        push_field(out, s.as_bytes());
    }
}

/// Renders rows into memory (see [`write_chunked`]), reusing its buffers.
struct Rows<'s> {
    columns: Columns<'s>,
    count: usize,
    /// The value of each attribute column in the current row.
    values: Vec<Option<ValueRef<'s>>>,
    cell: Vec<u8>,
}

impl<'s> Rows<'s> {
    fn new(columns: &'s [Column], reserved: &'static [&'static str]) -> Rows<'s> {
        Rows {
            columns: Columns::new(columns, reserved),
            count: columns.len(),
            values: Vec::with_capacity(columns.len()),
            cell: Vec::new(),
        }
    }

    /// Appends the attribute cells of one row (each preceded by a comma) and the terminator.
    fn attrs(
        &mut self,
        out: &mut Vec<u8>,
        attrs: impl Iterator<Item = (&'static str, ValueRef<'s>)>,
    ) {
        self.values.clear();
        self.values.resize(self.count, None);
        for (i, _, value) in self.columns.written(attrs) {
            self.values[i] = Some(value); // a repeated name: the last value is written
        }
        for value in &self.values {
            out.push(b',');
            if let Some(value) = value {
                self.cell.clear();
                push_cell(&mut self.cell, *value);
                push_field(out, &self.cell);
            }
        }
        out.push(b'\n');
    }
}

/// Writes a header row.
fn write_header<W: Write>(w: &mut W, fixed: &[&str], columns: &[Column]) -> io::Result<()> {
    let mut out = Vec::new();
    let names = fixed.iter().map(|&f| Cow::Borrowed(f));
    for (i, name) in names
        .chain(columns.iter().map(|c| header(c.name)))
        .enumerate()
    {
        if i > 0 {
            out.push(b',');
        }
        push_field(&mut out, name.as_bytes());
    }
    out.push(b'\n');
    w.write_all(&out)
}

/// Writes the nodes table (`nodes.csv`) of `graph` to `w`.
pub fn to_nodes_csv<W: Write>(graph: &KnowledgeGraph, w: W) -> io::Result<()> {
    write_nodes_csv(graph, &Schema::of(graph), &Items::none(), w)
}

/// [`to_nodes_csv`] with the graph's schema already collected.
pub(crate) fn write_nodes_csv<W: Write>(
    graph: &KnowledgeGraph,
    schema: &Schema,
    items: &Items<'_>,
    mut w: W,
) -> io::Result<()> {
    write_header(&mut w, &["Id", "Label", "Kind"], &schema.nodes)?;
    let nodes = graph.graph.raw_nodes();
    write_chunked(&mut w, nodes.len(), items, |range, out| {
        let mut rows = Rows::new(&schema.nodes, &NODE_RESERVED);
        let mut cell = Vec::new();
        for node in &nodes[range] {
            let node = &node.weight;
            push_text_field(out, &mut cell, &node.id);
            out.push(b',');
            push_text_field(out, &mut cell, &node.label);
            out.push(b',');
            push_field(out, node.kind.as_str().as_bytes());
            rows.attrs(out, node.attr_values());
        }
    })?;
    w.flush()
}

/// Writes the edges table (`edges.csv`) of `graph` to `w`.
pub fn to_edges_csv<W: Write>(graph: &KnowledgeGraph, w: W) -> io::Result<()> {
    write_edges_csv(graph, &Schema::of(graph), &Items::none(), w)
}

/// [`to_edges_csv`] with the graph's schema already collected.
pub(crate) fn write_edges_csv<W: Write>(
    graph: &KnowledgeGraph,
    schema: &Schema,
    items: &Items<'_>,
    mut w: W,
) -> io::Result<()> {
    let g = &graph.graph;
    let fixed = ["Source", "Target", "Type", "Kind", "Weight"];
    write_header(&mut w, &fixed, &schema.edges)?;
    let edges = g.raw_edges();
    let ids = EncodedIds::new(graph, |out, id| push_text_field(out, &mut Vec::new(), id));
    write_chunked(&mut w, edges.len(), items, |range, out| {
        let mut rows = Rows::new(&schema.edges, &EDGE_RESERVED);
        for e in &edges[range] {
            let edge = &e.weight;
            out.extend_from_slice(ids.get(e.source().index()));
            out.push(b',');
            out.extend_from_slice(ids.get(e.target().index()));
            out.extend_from_slice(b",Directed,");
            push_field(out, edge.kind.as_str().as_bytes());
            out.push(b',');
            push_double(out, edge_weight(edge));
            rows.attrs(out, edge.attrs());
        }
    })?;
    w.flush()
}

/// Writes both tables of `graph`: nodes to `nodes`, edges to `edges`.
pub fn to_csv<N: Write, E: Write>(graph: &KnowledgeGraph, nodes: N, edges: E) -> io::Result<()> {
    let schema = Schema::of(graph);
    write_nodes_csv(graph, &schema, &Items::none(), nodes)?;
    write_edges_csv(graph, &schema, &Items::none(), edges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Value;

    #[test]
    fn formulas_are_escaped_numbers_are_not() {
        let text_cell = |s: &str| {
            let (mut out, mut cell) = (Vec::new(), Vec::new());
            push_text_field(&mut out, &mut cell, s);
            String::from_utf8(out).unwrap()
        };
        for s in ["=1+1", "+1", "-x", "@SUM(A1)", "\tx"] {
            assert_eq!(text_cell(s), format!("'{s}"));
        }
        assert_eq!(text_cell("\rx"), "\"'\rx\"");
        assert_eq!(text_cell("a=b"), "a=b");
        let cell = |value: &Value| {
            let mut out = Vec::new();
            push_cell(&mut out, value.view());
            String::from_utf8(out).unwrap()
        };
        assert_eq!(cell(&Value::Int(-3)), "-3");
        assert_eq!(cell(&Value::Double(-0.5)), "-0.5");
        assert_eq!(cell(&Value::List(vec!["-a".into(), "b".into()])), "'-a;b");
        assert_eq!(cell(&Value::Str("+1".into())), "'+1");
    }

    #[test]
    fn fields_are_quoted_as_the_csv_crate_quotes_them() {
        for field in [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\r",
            "中文;x",
        ] {
            let mut ours = Vec::new();
            push_field(&mut ours, field.as_bytes());
            ours.push(b'\n');
            let mut theirs = csv::Writer::from_writer(Vec::new());
            theirs.write_record(["x", field]).unwrap();
            let theirs = theirs.into_inner().unwrap();
            assert_eq!(ours, theirs[2..], "{field:?}");
        }
    }

    #[test]
    fn gephi_column_names_are_prefixed() {
        assert_eq!(header("source"), "attr_source");
        assert_eq!(header("Weight"), "attr_Weight");
        assert_eq!(header("mentions"), "mentions");
    }
}
