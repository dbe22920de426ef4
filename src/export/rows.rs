//! Export rows kept between builds: `kgx build --cache DIR` copies the rendered rows of
//! unchanged articles from its last exports instead of rendering them again.
//!
//! **Why it is exact.** A row of an article's own nodes and edges (its article and section
//! nodes; its `has_section`, `mentions`, `in_topic` and `written_by` edges) depends only on that
//! article's record and on a few things of the whole file: the format, the attribute columns,
//! the layout radius and kgx itself ([`fingerprint`]). Edge ids name the edge, not its place
//! ([`super::EdgeIds`]). So when an article's content hash and the file's fingerprint are the
//! same as in the last build, its rows are the same bytes, and a rebuild copies them.
//! `has_keyword` edges (weights take the corpus IDF) and the nodes and edges of entities,
//! topics, keywords and authors (corpus statistics) are always rendered.
//!
//! **Runs.** [`Runs::of`] cuts a graph's nodes and edges into runs: the longest stretches of
//! items with one owner article and one part (`section` nodes, `mentions` edges from sections,
//! …), plus runs of items no article owns. A run is the unit that is copied or rendered; its key
//! is (article id, content hash, part, how many runs of that article and part came before it,
//! whether it is the first item of the file, which JSON writes without a leading comma).
//!
//! **Where the rows come from.** After a build, each export is hard-linked into `DIR/exports/`
//! and `DIR/exports.idx` records every run's byte range in it, with the file's size, inode,
//! modification and change times, and the index's own checksum. A linked file that was changed
//! in place (its times change) or an index that does not check out is not used: those files are
//! rendered in full, and the link and index are written again. A folder that cannot hold a hard
//! link to the output (another file system) keeps no rows, and rebuilds render everything.

use super::{Schema, CHUNK};
use crate::graph::{EdgeKind, KnowledgeGraph, NodeKind};
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// What owns a run: an article (by its index in order of appearance) and a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Owner {
    article: u32,
    part: Part,
}

/// Which of an article's items a run holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Node(NodeKind),
    /// Edges of a kind, from the article or from its sections.
    Edge(EdgeKind, NodeKind),
}

impl Part {
    fn name(self) -> String {
        match self {
            Part::Node(k) => k.as_str().to_string(),
            Part::Edge(e, from) => format!("{}<{}", e.as_str(), from.as_str()),
        }
    }
}

/// A run's key in the index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
struct Key {
    article: String,
    hash: String,
    part: String,
    /// Runs of the same article and part before this one.
    nth: u32,
    /// Whether the run starts at item 0.
    first: bool,
    items: u32,
}

/// A graph's nodes or edges cut into runs.
#[derive(Debug, Default)]
pub(crate) struct Cut {
    /// A partition of `0..n`, in order.
    pub(crate) runs: Vec<Range<usize>>,
    /// The key of each run; `None` for items no article owns.
    keys: Vec<Option<Key>>,
}

/// The runs of a graph's nodes and edges.
#[derive(Debug, Default)]
pub struct Runs {
    pub(crate) nodes: Cut,
    pub(crate) edges: Cut,
}

impl Runs {
    /// Cuts `graph` into runs. `hashes` gives, for each article id, what its rows are made
    /// from (its content hash, the dictionaries' hash, the keywords setting): rows are copied
    /// only when that is unchanged. An article not in it owns nothing: its rows are rendered.
    pub fn of(graph: &KnowledgeGraph, hashes: &HashMap<String, String>) -> Runs {
        let g = &graph.graph;
        let mut articles: Vec<&str> = Vec::new();
        let mut article_ix: HashMap<&str, u32> = HashMap::new();
        let mut owner_of_node = |id: &str, kind: NodeKind| -> Option<u32> {
            let article = match kind {
                NodeKind::Article => id.strip_prefix("article:")?,
                NodeKind::Section => id.strip_prefix("section:")?.rsplit_once('#')?.0,
                _ => return None,
            };
            let (article, _) = hashes.get_key_value(article)?;
            Some(*article_ix.entry(article).or_insert_with(|| {
                articles.push(article);
                articles.len() as u32 - 1
            }))
        };
        let node_owner: Vec<Option<u32>> = g
            .raw_nodes()
            .iter()
            .map(|n| owner_of_node(&n.weight.id, n.weight.kind))
            .collect();
        let nodes = cut(g.node_count(), |i| {
            let node = &g.raw_nodes()[i].weight;
            node_owner[i].map(|article| Owner {
                article,
                part: Part::Node(node.kind),
            })
        });
        let edges = cut(g.edge_count(), |i| {
            let e = &g.raw_edges()[i];
            let local = matches!(
                e.weight.kind,
                EdgeKind::HasSection | EdgeKind::Mentions | EdgeKind::InTopic | EdgeKind::WrittenBy
            );
            let source = e.source().index();
            node_owner[source].filter(|_| local).map(|article| Owner {
                article,
                part: Part::Edge(e.weight.kind, g.raw_nodes()[source].weight.kind),
            })
        });
        let key = |cut: (Vec<Range<usize>>, Vec<Option<Owner>>)| {
            let (runs, owners) = cut;
            let mut seen: HashMap<Owner, u32> = HashMap::new();
            let keys = runs
                .iter()
                .zip(owners)
                .map(|(run, owner)| {
                    let owner = owner?;
                    let nth = seen.entry(owner).or_insert(0);
                    let article = articles[owner.article as usize];
                    let key = Key {
                        article: article.to_string(),
                        hash: hashes[article].clone(),
                        part: owner.part.name(),
                        nth: *nth,
                        first: run.start == 0,
                        items: run.len() as u32,
                    };
                    *nth += 1;
                    Some(key)
                })
                .collect();
            Cut { runs, keys }
        };
        Runs {
            nodes: key(nodes),
            edges: key(edges),
        }
    }
}

/// Cuts `0..n` where the owner changes; runs nobody owns are cut every [`CHUNK`] items.
fn cut(
    n: usize,
    owner: impl Fn(usize) -> Option<Owner>,
) -> (Vec<Range<usize>>, Vec<Option<Owner>>) {
    let (mut runs, mut owners) = (Vec::new(), Vec::new());
    let mut start = 0;
    while start < n {
        let o = owner(start);
        let mut end = start + 1;
        while end < n && owner(end) == o && (o.is_some() || end - start < CHUNK) {
            end += 1;
        }
        runs.push(start..end);
        owners.push(o);
        start = end;
    }
    (runs, owners)
}

/// How [`super::write_chunked`] writes one file's nodes or edges: in runs, some copied from the
/// last build's file; it records where each run lands.
pub(crate) struct Items<'a> {
    cut: Option<&'a Cut>,
    /// Per run: its byte range in `old`, when it is copied.
    reuse: Vec<Option<(u64, u64)>>,
    old: Option<&'a File>,
    /// Bytes written to the file so far.
    position: Option<&'a Position>,
    /// Per run: where it was written (start, length).
    placed: Mutex<Vec<(u64, u64)>>,
    /// Bytes copied instead of rendered.
    copied: AtomicU64,
}

impl<'a> Items<'a> {
    /// Plain chunks: nothing copied, nothing recorded.
    pub(crate) fn none() -> Items<'static> {
        Items {
            cut: None,
            reuse: Vec::new(),
            old: None,
            position: None,
            placed: Mutex::new(Vec::new()),
            copied: AtomicU64::new(0),
        }
    }

    /// The runs, when the items are cut into runs.
    pub(crate) fn runs(&self) -> Option<&'a [Range<usize>]> {
        self.cut.map(|c| &c.runs[..])
    }

    /// Where run `r` is in the last build's file, when it is copied.
    pub(crate) fn reused(&self, r: usize) -> Option<(u64, u64)> {
        self.old?;
        *self.reuse.get(r)?
    }

    /// Appends `len` bytes at `start` of the last build's file to `out`; on an error `out` is
    /// as it was.
    pub(crate) fn copy(&self, start: u64, len: u64, out: &mut Vec<u8>) -> io::Result<()> {
        let old = self.old.expect("copy only what `reused` gave");
        let at = out.len();
        out.resize(at + len as usize, 0);
        if let Err(e) = read_at(old, &mut out[at..], start) {
            out.truncate(at);
            return Err(e);
        }
        self.copied.fetch_add(len, Ordering::Relaxed);
        Ok(())
    }

    /// Bytes written to the file so far.
    pub(crate) fn position(&self) -> u64 {
        self.position.map_or(0, |p| p.0.load(Ordering::Relaxed))
    }

    /// Bytes copied instead of rendered.
    pub(crate) fn copied(&self) -> u64 {
        self.copied.load(Ordering::Relaxed)
    }

    /// Records that run `r` was written at `start`, `len` bytes.
    pub(crate) fn place(&self, r: usize, start: u64, len: u64) {
        let mut placed = self.placed.lock().expect("not poisoned");
        if placed.len() <= r {
            placed.resize(r + 1, (0, 0));
        }
        placed[r] = (start, len);
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "positioned reads",
    ))
}

/// The plan of one export file: its nodes and its edges.
pub(crate) struct FilePlan<'a> {
    pub(crate) nodes: Items<'a>,
    pub(crate) edges: Items<'a>,
}

impl FilePlan<'_> {
    /// Plain chunks, as the `to_*` functions write.
    pub(crate) fn none() -> FilePlan<'static> {
        FilePlan {
            nodes: Items::none(),
            edges: Items::none(),
        }
    }
}

/// Bytes written to one file so far: where the next run lands.
#[derive(Debug, Default)]
pub(crate) struct Position(AtomicU64);

impl Position {
    /// `inner`, counting what is written through it.
    pub(crate) fn counting<W>(&self, inner: W) -> Counted<'_, W> {
        Counted {
            inner,
            count: &self.0,
        }
    }
}

/// A writer that counts the bytes written through it (see [`Position`]).
pub(crate) struct Counted<'c, W> {
    inner: W,
    count: &'c AtomicU64,
}

impl<W: Write> Write for Counted<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What a file's rows depend on beside the articles: kgx, the format and file, the columns, the
/// layout radius and whether edge ids needed disambiguating.
pub(crate) fn fingerprint(
    graph: &KnowledgeGraph,
    schema: &Schema,
    name: &str,
    plain_ids: bool,
) -> String {
    format!(
        "kgx {} {name} radius {} ids {plain_ids} nodes {:?} edges {:?}",
        env!("CARGO_PKG_VERSION"),
        super::layout_radius(graph.graph.node_count()),
        schema.nodes,
        schema.edges,
    )
}

/// Name of the folder of linked exports inside the cache folder.
const EXPORTS: &str = "exports";
/// Name of the index file inside the cache folder.
const INDEX: &str = "exports.idx";
const CHECKSUM_PREFIX: &str = "blake3:";

/// The last build's rows of one file.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct FileRows {
    name: String,
    fingerprint: String,
    stamp: Stamp,
    /// Per key of [`Index::keys`]: where its run is in the file (start, length).
    runs: Vec<Option<(u64, u64)>>,
}

/// The index of `DIR/exports/`.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Index {
    /// The key of every run an article owns, nodes then edges, once for all files.
    keys: Vec<Key>,
    files: Vec<FileRows>,
}

/// One file the last build left, checked.
#[derive(Debug)]
struct LastFile {
    fingerprint: String,
    /// Per key index: where its run is.
    runs: Vec<Option<(u64, u64)>>,
    file: File,
}

/// The rows the last build left in a cache folder, and where this build's go.
#[derive(Debug)]
pub struct RowStore {
    dir: PathBuf,
    /// Key → its index in the last build's key list.
    keys: FxHashMap<Key, u32>,
    last: HashMap<String, LastFile>,
    /// Why the last rows were not used, if they were there.
    pub problem: Option<String>,
}

/// Each run's key index in the last build, for the runs of this one.
pub(crate) struct Matched {
    nodes: Vec<Option<u32>>,
    edges: Vec<Option<u32>>,
}

impl RowStore {
    /// Opens the rows kept in cache folder `dir` (none is fine).
    pub fn open(dir: &Path) -> RowStore {
        let mut store = RowStore {
            dir: dir.to_path_buf(),
            keys: FxHashMap::default(),
            last: HashMap::new(),
            problem: None,
        };
        match load(dir) {
            Ok(Some((keys, last))) => {
                store.keys = keys;
                store.last = last;
            }
            Ok(None) => {}
            Err(why) => store.problem = Some(why),
        }
        store
    }

    /// The last build's key index of every run of `runs` (looked up once for all files).
    pub(crate) fn matched(&self, runs: &Runs) -> Matched {
        let find = |cut: &Cut| -> Vec<Option<u32>> {
            cut.keys
                .iter()
                .map(|k| self.keys.get(k.as_ref()?).copied())
                .collect()
        };
        Matched {
            nodes: find(&runs.nodes),
            edges: find(&runs.edges),
        }
    }

    /// The plan of file `name` with `fingerprint`: runs of `runs` copied where the last build
    /// has them (`matched`).
    pub(crate) fn plan<'a>(
        &'a self,
        runs: &'a Runs,
        matched: &Matched,
        name: &str,
        fingerprint: &str,
        position: &'a Position,
    ) -> FilePlan<'a> {
        let last = self.last.get(name).filter(|l| l.fingerprint == fingerprint);
        let items = |cut: &'a Cut, matched: &[Option<u32>]| {
            let reuse = matched
                .iter()
                .map(|k| *last?.runs.get((*k)? as usize)?)
                .collect();
            Items {
                cut: Some(cut),
                reuse,
                old: last.map(|l| &l.file),
                position: Some(position),
                placed: Mutex::new(Vec::new()),
                copied: AtomicU64::new(0),
            }
        };
        FilePlan {
            nodes: items(&runs.nodes, &matched.nodes),
            edges: items(&runs.edges, &matched.edges),
        }
    }

    /// Keeps the files just written (`written`: path, fingerprint, plan) for the next build:
    /// links them into the cache folder and writes the index. An error leaves no index.
    pub(crate) fn save(
        &self,
        runs: &Runs,
        written: &[(PathBuf, String, &FilePlan<'_>)],
    ) -> io::Result<()> {
        let exports = self.dir.join(EXPORTS);
        let index_path = self.dir.join(INDEX);
        // The index goes first: a failure below leaves no index naming half-linked files.
        match std::fs::remove_file(&index_path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        std::fs::create_dir_all(&exports)?;
        let mut index = Index::default();
        // Keyed runs are distinct (a key counts the runs of its article and part before it),
        // so the key list is simply every keyed run in order.
        let keyed: Vec<(bool, usize)> = [(false, &runs.nodes), (true, &runs.edges)]
            .into_iter()
            .flat_map(|(edges, cut)| {
                cut.keys
                    .iter()
                    .enumerate()
                    .filter(|(_, k)| k.is_some())
                    .map(move |(r, _)| (edges, r))
            })
            .collect();
        for &(edges, r) in &keyed {
            let cut = if edges { &runs.edges } else { &runs.nodes };
            index.keys.push(cut.keys[r].clone().expect("a keyed run"));
        }
        for (path, fingerprint, plan) in written {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| io::Error::other("an export without a file name"))?
                .to_string();
            // Unlink, then link: renaming over the old link would make ext4 write the new file
            // back at once (`auto_da_alloc`), as `output` explains. The index is gone already.
            let link = exports.join(&name);
            // The output may be the link itself (`--out DIR/exports`): then it is kept already.
            if !same_file(path, &link) {
                match std::fs::remove_file(&link) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
                std::fs::hard_link(path, &link)?;
            }
            let stamp = stamp(&link)?;
            let (nodes, edges) = (
                plan.nodes.placed.lock().expect("not poisoned"),
                plan.edges.placed.lock().expect("not poisoned"),
            );
            let runs = keyed
                .iter()
                .map(|&(e, r)| if e { &edges } else { &nodes }.get(r).copied())
                .collect();
            index.files.push(FileRows {
                name,
                fingerprint: fingerprint.clone(),
                stamp,
                runs,
            });
        }
        let mut data = serde_json::to_vec(&index).map_err(io::Error::other)?;
        data.push(b'\n');
        let sum = blake3::hash(&data);
        data.extend_from_slice(format!("{CHECKSUM_PREFIX}{}\n", sum.to_hex()).as_bytes());
        let tmp = self.dir.join(format!(".{INDEX}.new"));
        std::fs::write(&tmp, &data)?;
        std::fs::rename(&tmp, &index_path)
    }
}

/// The last build's keys and files, checked; `Ok(None)` when there is no index.
#[allow(clippy::type_complexity)]
fn load(dir: &Path) -> Result<Option<(FxHashMap<Key, u32>, HashMap<String, LastFile>)>, String> {
    if cfg!(not(unix)) {
        // Rows are read with positioned reads (`pread`); elsewhere every row is rendered.
        return Ok(None);
    }
    let data = match std::fs::read(dir.join(INDEX)) {
        Ok(d) => d,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {INDEX}: {e}")),
    };
    let body_end = data[..data.len().saturating_sub(1)]
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|i| i + 1)
        .ok_or("the index has no checksum line")?;
    let (body, last) = data.split_at(body_end);
    let expected = format!("{CHECKSUM_PREFIX}{}\n", blake3::hash(body).to_hex());
    if last != expected.as_bytes() {
        return Err("the index does not match its checksum".into());
    }
    let index: Index =
        serde_json::from_slice(body).map_err(|e| format!("the index does not parse: {e}"))?;
    let mut files = HashMap::new();
    for f in index.files {
        if f.runs.len() != index.keys.len() {
            return Err("the index lists runs of keys it does not hold".into());
        }
        if f.runs
            .iter()
            .flatten()
            .any(|&(start, len)| start.checked_add(len).is_none_or(|end| end > f.stamp.size))
        {
            return Err("the index names bytes past the end of a file".into());
        }
        let path = dir.join(EXPORTS).join(&f.name);
        // A file changed since it was indexed is not used (its rows are rendered).
        if stamp(&path).ok() != Some(f.stamp) {
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        files.insert(
            f.name,
            LastFile {
                fingerprint: f.fingerprint,
                runs: f.runs,
                file,
            },
        );
    }
    let keys = index
        .keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, i as u32))
        .collect();
    Ok(Some((keys, files)))
}

/// Whether `a` and `b` name one file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(a), Ok(b)) => {
            use std::os::unix::fs::MetadataExt;
            (a.dev(), a.ino()) == (b.dev(), b.ino())
        }
        _ => std::fs::canonicalize(a)
            .ok()
            .is_some_and(|a| std::fs::canonicalize(b).ok() == Some(a)),
    }
}

/// What tells a file changed: size, inode, modification and change times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Stamp {
    size: u64,
    ino: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

/// The [`Stamp`] of `path`.
fn stamp(path: &Path) -> io::Result<Stamp> {
    let m = std::fs::metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok(Stamp {
            size: m.len(),
            ino: m.ino(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        })
    }
    #[cfg(not(unix))]
    {
        let t = m
            .modified()?
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(io::Error::other)?;
        Ok(Stamp {
            size: m.len(),
            ino: 0,
            mtime: (t.as_secs() as i64, i64::from(t.subsec_nanos())),
            ctime: (0, 0),
        })
    }
}
