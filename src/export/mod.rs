//! Exporters: the knowledge graph as GraphML, GEXF, node-link JSON, graphology JSON and CSV.
//!
//! Each format has a `to_*` function that streams to any [`std::io::Write`] (tests and benches write to
//! memory) and [`write()`] puts the chosen formats into a folder atomically (see
//! [`crate::output`]). What each consumer needs (Gephi, Gephi Lite/graphology, networkx,
//! igraph) is in `validate/GEPHI-NOTES.md`; the choices that follow from it live here, once:
//!
//! - **Columns from the data.** Attribute names are collected over the nodes (then,
//!   separately, the edges), with one type per name ([`ColumnType`]; a name seen with different
//!   types becomes a string column), so any projection of the graph exports. The attributes of
//!   SPEC §4 come in its order ([`COLUMN_ORDER`]), others after them in first-seen order, so a
//!   column keeps its place whichever article happens to sort first.
//!   Names that clash with a format's own fields (`id`, `label`, `kind`, `x`, `y`, `size`,
//!   `color` on nodes; `id`, `key`, `source`, `target`, `label`, `kind`, `weight` on edges)
//!   are left out.
//! - **Ids.** JSON, graphology and CSV keep the typed ids (`article:a/b.md`). XML formats need
//!   NMTOKENs, so [`xml_id`] escapes every other character as `_xHHHH_` (and `_` when an `x`
//!   follows it); [`xml_id_decode`] reverses it. GraphML and GEXF use the same XML ids.
//!   Edge ids (GraphML, GEXF, graphology keys) come from what an edge is, not where it sits
//!   ([`EdgeIds`]): `e` and 16 hex digits of a hash of its kind, source and target.
//! - **Stable rows.** A node's or an edge's row depends on that node or edge, never on its
//!   position in the file or on how many others there are: editing one post changes the rows of
//!   that post and of what it touches (its entities' counts, their co-occurrences), not every
//!   row after it. Exports kept under version control diff cleanly, and a rebuild could reuse
//!   the rows of unchanged articles.
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
//!
//! **Speed.** Exports are rewritten on every incremental build, so each writer renders its
//! nodes and edges into memory in chunks, in parallel on the current rayon pool, and writes the
//! chunks in order (`write_chunked`); [`write()`] collects the [`Schema`] and the XML ids
//! once for all formats; numbers go through `itoa` (and integral doubles through the integer
//! path), attribute names are matched to columns by address (`Columns`), and node ids that
//! edges repeat are encoded once per format (`EncodedIds`).

mod csv;
mod gexf;
mod graphml;
mod json;
mod rows;
mod xml;

pub use self::csv::{to_csv, to_edges_csv, to_nodes_csv};
pub use self::gexf::to_gexf;
pub use self::graphml::to_graphml;
pub use self::json::{to_graphology, to_node_link};
pub use self::rows::{RowStore, Runs};
pub use self::xml::{xml_id, xml_id_decode};

use crate::diag::Result;
use crate::graph::{Edge, KnowledgeGraph, Node, NodeKind, ValueRef};
use crate::output::{self, AtomicFile};
use petgraph::visit::EdgeRef;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
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
    write_keeping(graph, dir, formats, None).map(|w| w.paths)
}

/// What [`write_keeping`] did.
#[derive(Debug)]
pub struct Written {
    /// The files written, in the order of the formats.
    pub paths: Vec<PathBuf>,
    /// Bytes of rows copied from the last build instead of rendered.
    pub copied: u64,
    /// Why the rows of this build could not be kept for the next one, if they could not.
    pub not_kept: Option<std::io::Error>,
}

/// [`write()`] for `kgx build --cache`: with `rows`, the rows of articles unchanged since the
/// last build are copied from its exports, and this build's exports are kept for the next one
/// (see [`RowStore`]). The files are the same bytes either way.
pub fn write_keeping(
    graph: &KnowledgeGraph,
    dir: &Path,
    formats: &[Format],
    rows: Option<(&RowStore, &Runs)>,
) -> Result<Written> {
    output::check_writable(dir)?;
    let mut unique: Vec<Format> = Vec::with_capacity(formats.len());
    for &format in formats {
        if !unique.contains(&format) {
            unique.push(format);
        }
    }
    // Formats are independent: each is written on its own thread of the current rayon pool
    // (and renders its nodes and edges in parallel chunks, see `write_chunked`).
    let schema = Schema::of(graph);
    let xml = unique
        .iter()
        .any(|f| matches!(f, Format::GraphMl | Format::Gexf));
    let ids = if xml { xml_ids(graph) } else { Vec::new() };
    let named_edges = unique
        .iter()
        .any(|f| matches!(f, Format::GraphMl | Format::Gexf | Format::Graphology));
    let edge_ids = named_edges.then(|| EdgeIds::new(graph));
    let json = unique
        .iter()
        .any(|f| matches!(f, Format::Json | Format::Graphology));
    let shared = Shared {
        schema: &schema,
        ids: &ids,
        edge_ids: edge_ids.as_ref(),
        multi: json && has_parallel_edges(graph),
    };
    // One byte counter per file, for the row plans.
    let counters: Vec<Vec<rows::Position>> = unique
        .iter()
        .map(|f| f.file_names().iter().map(|_| Default::default()).collect())
        .collect();
    let matched = rows.map(|(store, runs)| store.matched(runs));
    let rows = rows.zip(matched.as_ref()).map(|((s, r), m)| (s, r, m));
    let written: Vec<Result<Vec<(AtomicFile, rows::FilePlan<'_>, String)>>> = unique
        .par_iter()
        .zip(counters.par_iter())
        .map(|(&format, counters)| write_one(graph, &shared, dir, format, rows, counters))
        .collect();
    let mut files = Vec::new();
    let mut plans = Vec::new();
    for w in written {
        for (file, plan, fingerprint) in w? {
            files.push(file);
            plans.push((plan, fingerprint));
        }
    }
    let paths = output::commit_all(files)?;
    let copied = plans
        .iter()
        .map(|(p, _)| p.nodes.copied() + p.edges.copied())
        .sum();
    let not_kept = rows.and_then(|(store, runs, _)| {
        let kept: Vec<(PathBuf, String, &rows::FilePlan<'_>)> = paths
            .iter()
            .zip(&plans)
            .map(|(path, (plan, fingerprint))| (path.clone(), fingerprint.clone(), plan))
            .collect();
        store.save(runs, &kept).err()
    });
    Ok(Written {
        paths,
        copied,
        not_kept,
    })
}

/// What [`write_keeping`] collects once for every format.
struct Shared<'a, 'g> {
    schema: &'a Schema,
    /// [`xml_ids`], when an XML format is written.
    ids: &'a [Cow<'g, str>],
    /// [`EdgeIds`], when a format that names edges is written.
    edge_ids: Option<&'a EdgeIds>,
    /// [`has_parallel_edges`], when a JSON format is written.
    multi: bool,
}

/// Writes the file(s) of one format to temporary files, not yet renamed; with each, its row
/// plan and fingerprint.
fn write_one<'a>(
    graph: &KnowledgeGraph,
    shared: &Shared<'_, '_>,
    dir: &Path,
    format: Format,
    rows: Option<(&'a RowStore, &'a Runs, &rows::Matched)>,
    counters: &'a [rows::Position],
) -> Result<Vec<(AtomicFile, rows::FilePlan<'a>, String)>> {
    let (schema, ids) = (shared.schema, shared.ids);
    let edge_ids = || {
        shared
            .edge_ids
            .expect("edge ids are collected for this format")
    };
    let plain = shared.edge_ids.is_none_or(EdgeIds::plain);
    let mut out = Vec::new();
    for (k, name) in format.file_names().iter().enumerate() {
        let fingerprint = rows::fingerprint(graph, schema, name, plain);
        let plan = match rows {
            Some((store, runs, matched)) => {
                store.plan(runs, matched, name, &fingerprint, &counters[k])
            }
            None => rows::FilePlan::none(),
        };
        let mut file = AtomicFile::create(dir.join(name))?;
        let mut w = counters[k].counting(&mut file);
        let result = match (format, k) {
            (Format::GraphMl, _) => {
                graphml::write_graphml(graph, schema, ids, edge_ids(), &plan, &mut w)
            }
            (Format::Gexf, _) => gexf::write_gexf(graph, schema, ids, edge_ids(), &plan, &mut w),
            (Format::Json, _) => json::write_node_link(graph, shared.multi, &plan, &mut w),
            (Format::Graphology, _) => {
                json::write_graphology(graph, edge_ids(), shared.multi, &plan, &mut w)
            }
            (Format::Csv, 0) => csv::write_nodes_csv(graph, schema, &plan.nodes, &mut w),
            (Format::Csv, _) => csv::write_edges_csv(graph, schema, &plan.edges, &mut w),
        };
        result.map_err(|e| file.error(e))?;
        out.push((file, plan, fingerprint));
    }
    Ok(out)
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
    fn of(value: ValueRef<'_>) -> ColumnType {
        match value {
            ValueRef::Int(_) => ColumnType::Long,
            ValueRef::Double(_) => ColumnType::Double,
            ValueRef::Bool(_) => ColumnType::Bool,
            ValueRef::Str(_) => ColumnType::Str,
            ValueRef::List(_) | ValueRef::Lines(_) => ColumnType::List,
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

/// The attributes of kgx's graphs, in the order their columns are declared (SPEC §4: articles,
/// sections, entities, topics, keywords; then edges). Columns of other names follow, in
/// first-seen order.
pub const COLUMN_ORDER: [&str; 25] = [
    "path",
    "title",
    "date",
    "lastmod",
    "authors",
    "tags",
    "categories",
    "words",
    "article",
    "level",
    "order",
    "heading_path",
    "line",
    "entity_type",
    "aliases",
    "broader",
    "mentions",
    "articles",
    "first_seen",
    "last_seen",
    "source",
    "score",
    "count",
    "lines",
    "in_heading",
];

/// Puts `columns` in [`COLUMN_ORDER`], the others after them as they came.
fn in_column_order(mut columns: Vec<Column>) -> Vec<Column> {
    let rank = |c: &Column| {
        COLUMN_ORDER
            .iter()
            .position(|&n| n == c.name)
            .unwrap_or(COLUMN_ORDER.len())
    };
    columns.sort_by_key(rank);
    columns
}

/// The attribute columns of the graph's nodes and edges, in [`COLUMN_ORDER`].
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
        let (nodes, edges) = rayon::join(
            || collect_in_parallel(g.raw_nodes(), |n| n.weight.attr_values(), &NODE_RESERVED),
            || collect_in_parallel(g.raw_edges(), |e| e.weight.attrs(), &EDGE_RESERVED),
        );
        Schema {
            nodes: in_column_order(nodes),
            edges: in_column_order(edges),
        }
    }
}

/// [`collect_columns`] over chunks of `items` in parallel, the chunks' columns then merged in
/// order: first-seen order is kept, and unifying types does not depend on grouping.
fn collect_in_parallel<'a, T: Sync + 'a, A>(
    items: &'a [T],
    attrs: impl Fn(&'a T) -> A + Sync,
    reserved: &'static [&'static str],
) -> Vec<Column>
where
    A: Iterator<Item = (&'static str, ValueRef<'a>)>,
{
    let parts: Vec<Vec<Column>> = items
        .par_chunks(CHUNK * 4)
        .map(|chunk| collect_columns(chunk.iter().map(&attrs), reserved))
        .collect();
    let mut columns: Vec<Column> = Vec::new();
    for column in parts.into_iter().flatten() {
        match columns.iter_mut().find(|c| c.name == column.name) {
            Some(c) => c.ty = c.ty.unify(column.ty),
            None => columns.push(column),
        }
    }
    columns
}

/// Every node's id encoded once for one format (a JSON string, a CSV field), in node order:
/// each edge repeats two of them, so edges copy bytes instead of encoding again.
pub(crate) struct EncodedIds {
    bytes: Vec<u8>,
    /// End of each node's encoding in `bytes`.
    ends: Vec<usize>,
}

impl EncodedIds {
    /// Encodes every node id of `graph` with `encode` (in parallel chunks).
    pub(crate) fn new(
        graph: &KnowledgeGraph,
        encode: impl Fn(&mut Vec<u8>, &str) + Sync,
    ) -> EncodedIds {
        let parts: Vec<(Vec<u8>, Vec<usize>)> = graph
            .graph
            .raw_nodes()
            .par_chunks(CHUNK)
            .map(|chunk| {
                let (mut bytes, mut ends) = (Vec::new(), Vec::with_capacity(chunk.len()));
                for node in chunk {
                    encode(&mut bytes, &node.weight.id);
                    ends.push(bytes.len());
                }
                (bytes, ends)
            })
            .collect();
        let mut all = EncodedIds {
            bytes: Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum()),
            ends: Vec::with_capacity(graph.graph.node_count()),
        };
        for (bytes, ends) in parts {
            let base = all.bytes.len();
            all.bytes.extend_from_slice(&bytes);
            all.ends.extend(ends.into_iter().map(|e| base + e));
        }
        all
    }

    /// The encoded id of node `i`.
    pub(crate) fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

/// The [`xml_id`] of every node, in node order (shared by GraphML and GEXF).
pub(crate) fn xml_ids(graph: &KnowledgeGraph) -> Vec<Cow<'_, str>> {
    graph
        .graph
        .raw_nodes()
        .par_iter()
        .map(|n| xml_id(&n.weight.id))
        .collect()
}

fn collect_columns<'a>(
    items: impl Iterator<Item = impl Iterator<Item = (&'static str, ValueRef<'a>)>>,
    reserved: &'static [&'static str],
) -> Vec<Column> {
    let mut columns: Vec<Column> = Vec::new();
    let mut index = Columns::new(&[], reserved);
    for attrs in items {
        for (name, value) in attrs {
            if !is_present(value) {
                continue;
            }
            let ty = ColumnType::of(value);
            match index.index_in(&columns, name) {
                Some(i) => columns[i].ty = columns[i].ty.unify(ty),
                None if reserved.contains(&name) => {}
                None => {
                    columns.push(Column { name, ty });
                    index.forget(name);
                }
            }
        }
    }
    columns
}

/// The column of each attribute name, remembered by the name's address: attribute names are
/// `&'static str` constants, so a graph has a few dozen distinct ones and looking one up is a
/// few pointer comparisons instead of string comparisons against the reserved names and every
/// column.
pub(crate) struct Columns<'s> {
    columns: &'s [Column],
    /// Every name not reserved is a column (of index 0): see [`Columns::any`].
    any: bool,
    reserved: &'static [&'static str],
    /// (address, length, column) of the names seen; `None` for reserved or unknown names.
    seen: Vec<(usize, usize, Option<usize>)>,
}

impl<'s> Columns<'s> {
    /// Looks names up in `columns`; `reserved` names have none.
    pub(crate) fn new(columns: &'s [Column], reserved: &'static [&'static str]) -> Columns<'s> {
        Columns {
            columns,
            any: false,
            reserved,
            seen: Vec::with_capacity(32),
        }
    }

    /// Tells written names from reserved ones only, for writers without a schema.
    pub(crate) fn any(reserved: &'static [&'static str]) -> Columns<'static> {
        Columns {
            columns: &[],
            any: true,
            reserved,
            seen: Vec::with_capacity(32),
        }
    }

    /// The index of `name`'s column, `None` when it is reserved or not a column.
    pub(crate) fn index(&mut self, name: &'static str) -> Option<usize> {
        let columns = self.columns;
        self.index_in(columns, name)
    }

    fn index_in(&mut self, columns: &[Column], name: &'static str) -> Option<usize> {
        let key = (name.as_ptr() as usize, name.len());
        if let Some(&(_, _, i)) = self.seen.iter().find(|s| (s.0, s.1) == key) {
            return i;
        }
        let i = if self.reserved.contains(&name) {
            None
        } else if self.any {
            Some(0)
        } else {
            columns.iter().position(|c| c.name == name)
        };
        self.seen.push((key.0, key.1, i));
        i
    }

    /// Drops what is remembered of `name` (it just became a column).
    fn forget(&mut self, name: &'static str) {
        let key = (name.as_ptr() as usize, name.len());
        self.seen.retain(|s| (s.0, s.1) != key);
    }

    /// The attributes of a node or edge that are written, with their column, in their order.
    pub(crate) fn written<'a, I>(
        &mut self,
        attrs: I,
    ) -> impl Iterator<Item = (usize, &'static str, ValueRef<'a>)> + use<'a, '_, 's, I>
    where
        I: Iterator<Item = (&'static str, ValueRef<'a>)>,
    {
        attrs.filter_map(move |(name, value)| {
            if !is_present(value) {
                return None;
            }
            self.index(name).map(|i| (i, name, value))
        })
    }
}

/// Whether a value is written at all: non-finite doubles are not (JSON cannot hold them and
/// consumers disagree on their spelling).
fn is_present(value: ValueRef<'_>) -> bool {
    !matches!(value, ValueRef::Double(d) if !d.is_finite())
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

/// Appends `i` in decimal (as `{i}` formats it).
pub(crate) fn push_int(out: &mut Vec<u8>, i: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
}

/// Appends [`format_double`] of `d` without allocating: integral doubles of up to 15 digits by
/// the integer path (the common weights and sizes), others through `{d}` as before.
pub(crate) fn push_double(out: &mut Vec<u8>, d: f64) {
    if d.fract() == 0.0 && d.abs() < 1e15 {
        if d == 0.0 && d.is_sign_negative() {
            out.extend_from_slice(b"-0.0");
        } else {
            push_int(out, d as i64);
            out.extend_from_slice(b".0");
        }
        return;
    }
    use std::io::Write as _;
    let start = out.len();
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{d}");
    if d.is_finite() && !out[start..].contains(&b'.') {
        out.extend_from_slice(b".0");
    }
}

/// Appends a value as one text cell: numbers as [`format_double`] and integers, booleans as
/// `true`/`false`, lists `;`-joined.
pub(crate) fn push_value_bytes(out: &mut Vec<u8>, value: ValueRef<'_>) {
    match value {
        ValueRef::Int(i) => push_int(out, i),
        ValueRef::Double(d) => push_double(out, d),
        ValueRef::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        ValueRef::Str(s) => out.extend_from_slice(s.as_bytes()),
        ValueRef::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b';');
                }
                out.extend_from_slice(item.as_bytes());
            }
        }
        ValueRef::Lines(lines) => {
            for (i, &n) in lines.iter().enumerate() {
                if i > 0 {
                    out.push(b';');
                }
                push_int(out, n as i64);
            }
        }
    }
}

/// Items rendered per chunk by [`write_chunked`].
const CHUNK: usize = 2048;
/// Chunks rendered (in parallel) before they are written, in order.
const BATCH: usize = 16;

/// Writes items `0..n` to `w`, in order: `render(range, buf)` appends the bytes of the items
/// in `range` to `buf`. Chunks of [`CHUNK`] items are rendered in parallel on the current
/// rayon pool, [`BATCH`] at a time (reusing their buffers), then written in order, so a big
/// format is not one thread's serial work and memory stays bounded.
///
/// When `items` cuts the items into runs ([`rows::Items`]), chunks are whole runs, each run is
/// copied from the last build's file or rendered on its own, and where it lands is recorded.
pub(crate) fn write_chunked<W: std::io::Write + ?Sized>(
    w: &mut W,
    n: usize,
    items: &rows::Items<'_>,
    render: impl Fn(std::ops::Range<usize>, &mut Vec<u8>) + Sync,
) -> std::io::Result<()> {
    if let Some(runs) = items.runs() {
        debug_assert_eq!(runs.last().map_or(0, |r| r.end), n);
        return write_runs(w, runs, items, render);
    }
    let mut bufs: Vec<Vec<u8>> = Vec::new();
    let mut start = 0;
    while start < n {
        let ranges: Vec<std::ops::Range<usize>> = (0..BATCH)
            .map(|k| (start + k * CHUNK).min(n)..(start + (k + 1) * CHUNK).min(n))
            .filter(|r| !r.is_empty())
            .collect();
        bufs.resize_with(bufs.len().max(ranges.len()), Vec::new);
        bufs.par_iter_mut()
            .zip(ranges.par_iter())
            .for_each(|(buf, range)| {
                buf.clear();
                render(range.clone(), buf);
            });
        for buf in &bufs[..ranges.len()] {
            w.write_all(buf)?;
        }
        start += BATCH * CHUNK;
    }
    Ok(())
}

/// [`write_chunked`] over runs: chunks of whole runs of about [`CHUNK`] items.
fn write_runs<W: std::io::Write + ?Sized>(
    w: &mut W,
    runs: &[std::ops::Range<usize>],
    items: &rows::Items<'_>,
    render: impl Fn(std::ops::Range<usize>, &mut Vec<u8>) + Sync,
) -> std::io::Result<()> {
    let mut chunks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut r = 0;
    while r < runs.len() {
        let (start, mut size) = (r, 0);
        while r < runs.len() && (size == 0 || size + runs[r].len() <= CHUNK) {
            size += runs[r].len();
            r += 1;
        }
        chunks.push(start..r);
    }
    // Per chunk: its bytes and the end of each of its runs in them.
    let mut bufs: Vec<(Vec<u8>, Vec<usize>)> = Vec::new();
    for batch in chunks.chunks(BATCH) {
        bufs.resize_with(bufs.len().max(batch.len()), Default::default);
        bufs.par_iter_mut()
            .zip(batch.par_iter())
            .for_each(|((buf, ends), chunk)| {
                buf.clear();
                ends.clear();
                let mut r = chunk.start;
                while r < chunk.end {
                    let Some((start, mut len)) = items.reused(r) else {
                        render(runs[r].clone(), buf);
                        ends.push(buf.len());
                        r += 1;
                        continue;
                    };
                    // The runs after it that lay end to end with it in the last file are
                    // read with it, at once.
                    let mut next = r + 1;
                    while let Some((s, l)) = items.reused(next).filter(|_| next < chunk.end) {
                        if s != start + len {
                            break;
                        }
                        len += l;
                        next += 1;
                    }
                    if items.copy(start, len, buf).is_ok() {
                        let mut end = buf.len() - len as usize;
                        for k in r..next {
                            end += items.reused(k).map_or(0, |(_, l)| l as usize);
                            ends.push(end);
                        }
                    } else {
                        // The last file could not be read after all: render instead.
                        for run in &runs[r..next] {
                            render(run.clone(), buf);
                            ends.push(buf.len());
                        }
                    }
                    r = next;
                }
            });
        for ((buf, ends), chunk) in bufs.iter().zip(batch) {
            let base = items.position();
            let mut at = 0;
            for (r, &end) in chunk.clone().zip(ends) {
                items.place(r, base + at as u64, (end - at) as u64);
                at = end;
            }
            w.write_all(buf)?;
        }
    }
    Ok(())
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
                Some(ValueRef::Int(m)) => m.max(0) as f64,
                Some(ValueRef::Double(m)) if m.is_finite() => m.max(0.0),
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

/// The radius of the disc initial positions are drawn in, for `nodes` nodes: at least
/// `12·√nodes` (about 450 square units a node), rounded up to the next `100·√2ᵏ`, so it changes
/// only when the node count crosses a doubling, not with every section added. Integer
/// arithmetic only: `r² ≥ 144·nodes` with `r² = 10000·2ᵏ`.
pub(crate) fn layout_radius(nodes: usize) -> i64 {
    let need = 144u128 * nodes as u128;
    let mut square = 10_000u128;
    while square < need {
        square *= 2;
    }
    let mut r = (square as f64).sqrt() as i64;
    // Exact integer ceiling of √square, whatever the float rounding did.
    while (r as u128) * (r as u128) < square {
        r += 1;
    }
    while r > 0 && ((r - 1) as u128) * ((r - 1) as u128) >= square {
        r -= 1;
    }
    r
}

/// FNV-1a of `bytes`, finished with splitmix64's mixer: a platform-independent 64-bit hash of an
/// id (FNV alone spreads short, similar ids poorly over the high bits).
fn id_hash(bytes: &[u8]) -> u64 {
    mix(bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    }))
}

/// splitmix64's finaliser: a bijection of `u64` that spreads every input bit over the output.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A deterministic initial position for the node `id`: a point with integer coordinates spread
/// uniformly over a disc (radius `12·√nodes` rounded up to a step that changes at
/// doublings of the node count), chosen by a hash of the id alone (FNV-1a seeding splitmix64,
/// integer arithmetic only), so it is identical on every platform and a node keeps its place
/// when others are added or removed, until the graph doubles or halves.
pub fn node_position(id: &str, nodes: usize) -> (i64, i64) {
    let r = layout_radius(nodes);
    let span = (2 * r + 1) as u64;
    let mut state = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(state)
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

/// Every edge's id for the formats that name edges (GraphML, GEXF, graphology keys): `e` and
/// the 16 hex digits of a hash of the edge's kind, source id and target id. An edge keeps its
/// id when other edges come or go, so a rebuild after editing one post rewrites only the rows
/// that changed. Ids must be unique: edges whose hashes coincide (the same kind, source and
/// target twice in a hand-built graph, or a 64-bit collision) get `-1`, `-2`, … after the
/// first of them, in graph order, so ids stay unique and deterministic.
#[derive(Debug)]
pub struct EdgeIds {
    hashes: Vec<u64>,
    /// Edge index → its ordinal among the edges that share its hash (1 for the second, …).
    repeats: HashMap<usize, u32>,
}

impl EdgeIds {
    /// The ids of every edge of `graph` (hashed in parallel on the current rayon pool).
    pub fn new(graph: &KnowledgeGraph) -> EdgeIds {
        let g = &graph.graph;
        let nodes: Vec<u64> = g
            .raw_nodes()
            .par_iter()
            .map(|n| id_hash(n.weight.id.as_bytes()))
            .collect();
        let hashes: Vec<u64> = g
            .raw_edges()
            .par_iter()
            .map(|e| {
                let kind = id_hash(e.weight.kind.as_str().as_bytes());
                let source = nodes[e.source().index()];
                let target = nodes[e.target().index()];
                mix(mix(kind ^ source).wrapping_add(target.rotate_left(32)))
            })
            .collect();
        let mut sorted = hashes.clone();
        sorted.par_sort_unstable();
        let shared: HashSet<u64> = sorted
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        let mut repeats = HashMap::new();
        if !shared.is_empty() {
            let mut seen: HashMap<u64, u32> = HashMap::new();
            for (i, h) in hashes.iter().enumerate() {
                if shared.contains(h) {
                    let n = seen.entry(*h).or_insert(0);
                    if *n > 0 {
                        repeats.insert(i, *n);
                    }
                    *n += 1;
                }
            }
        }
        EdgeIds { hashes, repeats }
    }

    /// Whether every id is the plain hash (no two edges share one).
    pub fn plain(&self) -> bool {
        self.repeats.is_empty()
    }

    /// Appends the id of edge `i` to `out`.
    pub fn push(&self, i: usize, out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let h = self.hashes[i];
        out.push(b'e');
        out.extend((0..16).rev().map(|k| HEX[((h >> (4 * k)) & 0xf) as usize]));
        if let Some(n) = self.repeats.get(&i) {
            out.push(b'-');
            push_int(out, i64::from(*n));
        }
    }

    /// The id of edge `i`.
    pub fn get(&self, i: usize) -> String {
        let mut out = Vec::with_capacity(20);
        self.push(i, &mut out);
        String::from_utf8(out).expect("edge ids are ASCII")
    }
}

/// Whether two edges share source and target (e.g. `co_occurs` and `broader` between the same
/// entities): then the node-link and graphology files declare a multigraph.
pub fn has_parallel_edges(graph: &KnowledgeGraph) -> bool {
    let g = &graph.graph;
    // Per source, its targets sorted: cheaper than hashing every (source, target) pair. Sources
    // in parallel, on the current rayon pool.
    (0..g.node_count())
        .into_par_iter()
        .map_init(Vec::new, |targets: &mut Vec<usize>, n| {
            targets.clear();
            targets.extend(
                g.edges(petgraph::graph::NodeIndex::new(n))
                    .map(|e| e.target().index()),
            );
            targets.sort_unstable();
            targets.windows(2).any(|w| w[0] == w[1])
        })
        .any(|parallel| parallel)
}
