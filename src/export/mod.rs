//! Exporters: the knowledge graph as GraphML, GEXF, node-link JSON, graphology JSON and CSV.
//!
//! Each format has a `to_*` function that streams to any [`std::io::Write`] (tests and benches write to
//! memory) and [`write()`] puts the chosen formats into a folder atomically (see
//! [`crate::output`]). What each consumer needs (Gephi, Gephi Lite/graphology, networkx,
//! igraph) is in `validate/GEPHI-NOTES.md`; the choices that follow from it live here, once:
//!
//! - **Columns from the data.** Attribute names are collected in first-seen order over the
//!   nodes (then, separately, the edges), with one type per name ([`ColumnType`]; a name seen
//!   with different types becomes a string column), so any projection of the graph exports.
//!   Names that clash with a format's own fields (`id`, `label`, `kind`, `x`, `y`, `size`,
//!   `color` on nodes; `id`, `key`, `source`, `target`, `label`, `kind`, `weight` on edges)
//!   are left out.
//! - **Ids.** JSON, graphology and CSV keep the typed ids (`article:a/b.md`). XML formats need
//!   NMTOKENs, so [`xml_id`] escapes every other character as `_xHHHH_` (and `_` when an `x`
//!   follows it); [`xml_id_decode`] reverses it. GraphML and GEXF use the same XML ids.
//! - **Style.** Node colour by kind ([`kind_color`]), size by `mentions` for entities
//!   ([`node_size`]) and a deterministic initial position ([`node_position`]), so Gephi and
//!   Gephi Lite show a readable picture before any layout runs.
//! - **Numbers.** Integers as integers; doubles as Rust's shortest round-trip decimal (never an
//!   exponent) with a `.0` when integral; non-finite doubles are left out. Weights are never 0
//!   ([`edge_weight`]).
//! - **Text.** Characters XML 1.0 forbids are dropped from XML output. Strings are otherwise
//!   written as they are: a value that is literally `null` is read as missing by Gephi.
//!
//! Output is a pure function of the graph: same graph, same bytes.

mod csv;
mod gexf;
mod graphml;
mod json;
mod xml;

pub use self::csv::{to_csv, to_edges_csv, to_nodes_csv};
pub use self::gexf::to_gexf;
pub use self::graphml::to_graphml;
pub use self::json::{to_graphology, to_node_link};
pub use self::xml::{xml_id, xml_id_decode};

use crate::diag::Result;
use crate::graph::{Edge, KnowledgeGraph, Node, NodeKind, Value};
use crate::output::{self, AtomicFile};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `graph.graphml`.
    GraphMl,
    /// `graph.gexf` (GEXF 1.3).
    Gexf,
    /// `graph.json` (networkx node-link).
    Json,
    /// `graph.graphology.json` (graphology serialisation, Gephi Lite).
    Graphology,
    /// `nodes.csv` and `edges.csv` (Gephi spreadsheet import).
    Csv,
}

impl Format {
    /// Every format, in the order `kgx build` writes them.
    pub const ALL: [Format; 5] = [
        Format::GraphMl,
        Format::Gexf,
        Format::Json,
        Format::Graphology,
        Format::Csv,
    ];

    /// The name used by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::GraphMl => "graphml",
            Format::Gexf => "gexf",
            Format::Json => "json",
            Format::Graphology => "graphology",
            Format::Csv => "csv",
        }
    }

    /// The file names this format writes in the output folder.
    pub fn file_names(self) -> &'static [&'static str] {
        match self {
            Format::GraphMl => &["graph.graphml"],
            Format::Gexf => &["graph.gexf"],
            Format::Json => &["graph.json"],
            Format::Graphology => &["graph.graphology.json"],
            Format::Csv => &["nodes.csv", "edges.csv"],
        }
    }

    /// Parses a comma-separated list such as `graphml,gexf`; duplicates are dropped, the order
    /// is kept, blanks around names are ignored.
    pub fn parse_list(list: &str) -> Result<Vec<Format>, UnknownFormat> {
        let mut formats = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let format: Format = name.parse()?;
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        Ok(formats)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--format` name that is not one of `graphml, gexf, json, graphology, csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown export format `{}` (expected one of graphml, gexf, json, graphology, csv)",
            self.0
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// Writes `formats` of `graph` into `dir` (created if needed) and returns the paths written,
/// in the order of `formats` (duplicates written once).
///
/// Every file is first written in full to a temporary file; only when all are complete are
/// they renamed over their targets, so an error leaves no half-written file and, unless a
/// rename itself fails, no file of this run replaced.
pub fn write(graph: &KnowledgeGraph, dir: &Path, formats: &[Format]) -> Result<Vec<PathBuf>> {
    output::check_writable(dir)?;
    let mut unique: Vec<Format> = Vec::with_capacity(formats.len());
    for &format in formats {
        if !unique.contains(&format) {
            unique.push(format);
        }
    }
    // Formats are independent: each is written on its own thread of the current rayon pool.
    let written: Vec<Result<Vec<AtomicFile>>> = unique
        .par_iter()
        .map(|&format| write_one(graph, dir, format))
        .collect();
    let mut files = Vec::new();
    for w in written {
        files.extend(w?);
    }
    output::commit_all(files)
}

/// Writes the file(s) of one format to temporary files, not yet renamed.
fn write_one(graph: &KnowledgeGraph, dir: &Path, format: Format) -> Result<Vec<AtomicFile>> {
    let names = format.file_names();
    let mut file = AtomicFile::create(dir.join(names[0]))?;
    let result = match format {
        Format::GraphMl => to_graphml(graph, &mut file),
        Format::Gexf => to_gexf(graph, &mut file),
        Format::Json => to_node_link(graph, &mut file),
        Format::Graphology => to_graphology(graph, &mut file),
        Format::Csv => to_nodes_csv(graph, &mut file),
    };
    result.map_err(|e| file.error(e))?;
    let mut files = vec![file];
    if format == Format::Csv {
        let mut edges = AtomicFile::create(dir.join(names[1]))?;
        to_edges_csv(graph, &mut edges).map_err(|e| edges.error(e))?;
        files.push(edges);
    }
    Ok(files)
}

/// The type of an attribute column, as declared in GraphML/GEXF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// 64-bit integer (`long`).
    Long,
    /// Double.
    Double,
    /// Boolean.
    Bool,
    /// String.
    Str,
    /// List of strings (`liststring` in GEXF, `;`-joined string elsewhere).
    List,
}

impl ColumnType {
    fn of(value: &Value) -> ColumnType {
        match value {
            Value::Int(_) => ColumnType::Long,
            Value::Double(_) => ColumnType::Double,
            Value::Bool(_) => ColumnType::Bool,
            Value::Str(_) => ColumnType::Str,
            Value::List(_) => ColumnType::List,
        }
    }

    /// The type able to hold values of both: integers widen to doubles, anything else mixed
    /// becomes a string.
    fn unify(self, other: ColumnType) -> ColumnType {
        use ColumnType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Long, Double) | (Double, Long) => Double,
            _ => Str,
        }
    }
}

/// An attribute column: a name and the type of all its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Attribute name.
    pub name: &'static str,
    /// Declared type.
    pub ty: ColumnType,
}

/// Node fields every format writes itself; attributes with these names are left out.
pub const NODE_RESERVED: [&str; 7] = ["id", "label", "kind", "x", "y", "size", "color"];
/// Edge fields every format writes itself; attributes with these names are left out.
pub const EDGE_RESERVED: [&str; 7] = ["id", "key", "source", "target", "label", "kind", "weight"];

/// The attribute columns of the graph's nodes and edges, in first-seen order.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Node columns.
    pub nodes: Vec<Column>,
    /// Edge columns.
    pub edges: Vec<Column>,
}

impl Schema {
    /// Collects the columns of `graph`.
    pub fn of(graph: &KnowledgeGraph) -> Schema {
        let g = &graph.graph;
        Schema {
            nodes: collect_columns(g.node_weights().map(|n| n.attrs.as_slice()), &NODE_RESERVED),
            edges: collect_columns(g.edge_weights().map(|e| e.attrs.as_slice()), &EDGE_RESERVED),
        }
    }
}

fn collect_columns<'a>(
    items: impl Iterator<Item = &'a [(&'static str, Value)]>,
    reserved: &[&str],
) -> Vec<Column> {
    let mut columns: Vec<Column> = Vec::new();
    for attrs in items {
        for (name, value) in attrs {
            if reserved.contains(name) || !is_present(value) {
                continue;
            }
            let ty = ColumnType::of(value);
            match columns.iter_mut().find(|c| c.name == *name) {
                Some(c) => c.ty = c.ty.unify(ty),
                None => columns.push(Column { name, ty }),
            }
        }
    }
    columns
}

/// Whether a value is written at all: non-finite doubles are not (JSON cannot hold them and
/// consumers disagree on their spelling).
fn is_present(value: &Value) -> bool {
    !matches!(value, Value::Double(d) if !d.is_finite())
}

/// The attributes of a node or edge that are written, in their order.
fn written_attrs<'a>(
    attrs: &'a [(&'static str, Value)],
    reserved: &'static [&'static str],
) -> impl Iterator<Item = (&'static str, &'a Value)> + 'a {
    attrs
        .iter()
        .filter(move |(k, v)| !reserved.contains(k) && is_present(v))
        .map(|(k, v)| (*k, v))
}

/// A finite double as the shortest decimal that reads back to it, never with an exponent, with
/// `.0` when integral so every reader sees a float.
pub fn format_double(d: f64) -> String {
    let mut s = format!("{d}");
    if d.is_finite() && !s.contains('.') {
        s.push_str(".0");
    }
    s
}

/// Appends [`value_text`] of `value` to `out` without allocating.
fn push_value_text(out: &mut String, value: &Value) {
    use std::fmt::Write as _;
    // Writing to a String cannot fail.
    match value {
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Double(d) => {
            let start = out.len();
            let _ = write!(out, "{d}");
            if d.is_finite() && !out[start..].contains('.') {
                out.push_str(".0");
            }
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Str(s) => out.push_str(s),
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(';');
                }
                out.push_str(item);
            }
        }
    }
}

/// A value as one text cell: numbers as [`format_double`] and integers, booleans as
/// `true`/`false`, lists `;`-joined.
fn value_text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Int(i) => Cow::Owned(i.to_string()),
        Value::Double(d) => Cow::Owned(format_double(*d)),
        Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Value::Str(s) => Cow::Borrowed(s),
        Value::List(items) => Cow::Owned(items.join(";")),
    }
}

/// The weight written for an edge: the graph guarantees a positive finite weight; anything
/// else is written as 1, and tiny weights are raised to the smallest normal `f32` because Gephi
/// reads weights as `f32` and drops an edge whose weight reads as 0.
pub fn edge_weight(edge: &Edge) -> f64 {
    let w = edge.weight;
    if !w.is_finite() || w <= 0.0 {
        1.0
    } else {
        w.max(f32::MIN_POSITIVE as f64)
    }
}

/// The colour of a node kind, `(r, g, b)`: Tableau 10, easy to tell apart and colour-blind
/// friendly.
pub fn kind_color(kind: NodeKind) -> (u8, u8, u8) {
    match kind {
        NodeKind::Article => (78, 121, 167),
        NodeKind::Section => (186, 176, 172),
        NodeKind::Entity => (225, 87, 89),
        NodeKind::Topic => (89, 161, 79),
        NodeKind::Keyword => (242, 142, 43),
        NodeKind::Author => (176, 122, 161),
    }
}

/// [`kind_color`] as `#rrggbb`.
pub fn kind_hex(kind: NodeKind) -> String {
    let (r, g, b) = kind_color(kind);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The drawing size of a node: entities `5 + 3·√mentions` (two decimals), other kinds fixed.
pub fn node_size(node: &Node) -> f64 {
    match node.kind {
        NodeKind::Entity => {
            let mentions = match node.attr("mentions") {
                Some(Value::Int(m)) => (*m).max(0) as f64,
                Some(Value::Double(m)) if m.is_finite() => m.max(0.0),
                _ => 0.0,
            };
            ((5.0 + 3.0 * mentions.sqrt()) * 100.0).round() / 100.0
        }
        NodeKind::Article => 10.0,
        NodeKind::Section => 4.0,
        NodeKind::Topic => 8.0,
        NodeKind::Keyword => 6.0,
        NodeKind::Author => 8.0,
    }
}

/// The radius of the disc initial positions are drawn in, for `nodes` nodes (about 450 square
/// units a node).
fn layout_radius(nodes: usize) -> i64 {
    ((12.0 * (nodes as f64).sqrt()).ceil() as i64).max(100)
}

/// A deterministic initial position for the node `id`: a point with integer coordinates spread
/// uniformly over a disc (radius `12·√nodes`, at least 100), chosen by a hash of the id alone (FNV-1a seeding
/// splitmix64, integer arithmetic only), so it is identical on every platform and a node keeps
/// its place when others are added to a graph of similar size.
pub fn node_position(id: &str, nodes: usize) -> (i64, i64) {
    let r = layout_radius(nodes);
    let span = (2 * r + 1) as u64;
    let mut state = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut point = (0, 0);
    for _ in 0..64 {
        let x = (next() % span) as i64 - r;
        let y = (next() % span) as i64 - r;
        point = (x, y);
        if x * x + y * y <= r * r {
            break;
        }
    }
    point
}

/// Whether two edges share source and target (e.g. `co_occurs` and `broader` between the same
/// entities): then the node-link and graphology files declare a multigraph.
pub fn has_parallel_edges(graph: &KnowledgeGraph) -> bool {
    let g = &graph.graph;
    let mut seen = HashSet::with_capacity(g.edge_count());
    g.raw_edges()
        .iter()
        .any(|e| !seen.insert((e.source(), e.target())))
}
