//! The incremental cache of `kgx build --cache DIR` (SPEC §8): extract records kept between
//! runs, so a rebuild re-extracts only new and changed files.
//!
//! **Key.** A record is kept under its article id and is valid only for the content hash
//! (blake3 of the file's bytes) it was made from: [`Cache::get`] takes both and misses when
//! either differs. Keying by content hash alone would let a renamed or copied file reuse a
//! record, but a record names its article (its `id`, the `path` of its warnings), so it would
//! have to be rewritten anyway; renames are rare, re-extracting one file is cheap.
//!
//! **Not even read.** With each record the cache keeps its file's [`Stamp`] (size, inode,
//! modification and change times) once the file is older than its file system's time
//! granularity (see [`Stamp::of`]). A rebuild asks [`Cache::get_stamped`] first, before
//! reading: a file whose stamp is unchanged is not read or hashed again, as git's index does. Any change to a file changes its change time, which no
//! program can set back, so a stamp never hides one.
//!
//! **Validity.** A record also depends on the dictionaries, on `--no-keywords`, on the record
//! format and on the code that made it. The file's manifest stores all four
//! ([`crate::record::FORMAT_VERSION`], the dictionary hash, the keywords flag, the kgx
//! version); when one differs from the run's, the whole cache is dropped with a warning.
//!
//! **Storage: one file, read whole, parsed lazily.** The point of the cache is a rebuild in a
//! small fraction of a clean build, so loading must cost far less than extracting. One file
//! `DIR/records.kgxc` holds a manifest line (JSON, with an index: id, hash, byte length and
//! stamp of every record), the records in their compact binary form
//! ([`crate::record::binary`]), each followed by a newline, and a last line `blake3:<hex>`
//! checksumming everything before it. Opening reads the file in one call, checks the checksum
//! (GB/s) and parses only the manifest; each record is decoded when a worker thread asks for
//! it, so records decode in parallel, and those of changed files never do. [`Cache::put`]
//! encodes each new record as the build makes it; [`Cache::finish`] copies the bytes of
//! unchanged ones as they are, writes the new file beside the old one and renames it over: a
//! killed run leaves the old cache or the new one, never half of one. (The binary form replaced
//! JSON lines: on the 10× corpus the file is 21.7 MB instead of 53.8 MB, and a first build with
//! `--cache` costs 0–0.25 s more than one without instead of 0.5–0.7 s.)
//!
//! **Never trusted.** A missing checksum line (truncation), a checksum that does not match (a
//! flipped byte), a manifest that does not parse, a record that does not parse or does not
//! match its index entry: the cache (or that record) is discarded with a warning and rebuilt.

use crate::diag::{Error, Warning};
use crate::record::{binary, ArticleRecord, FORMAT_VERSION};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Name of the cache file inside the cache folder.
pub const CACHE_FILE: &str = "records.kgxc";

/// Version of the cache file layout (manifest, index, checksum line); independent of the
/// record format.
pub const CACHE_LAYOUT: u32 = 3;

const CHECKSUM_PREFIX: &str = "blake3:";

/// The key of a record's content: blake3 of the file's bytes (hex); re-exported for callers of [`Cache::get`].
pub use crate::extract::content_hash;

/// The first line of the cache file.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    /// [`CACHE_LAYOUT`].
    kgx_cache: u32,
    /// [`FORMAT_VERSION`] of the records.
    format: u32,
    /// Version of the kgx that wrote the records (extraction code may change between versions
    /// without a format change).
    kgx: String,
    /// Hash of the dictionaries.
    dict: String,
    /// Whether the records were segmented.
    keywords: bool,
    /// One entry per record, in file order: id, content hash, length in bytes (without its
    /// newline), and the file's [`Stamp`] when it had a settled one.
    entries: Vec<(String, String, u64, Option<Stamp>)>,
}

/// Where one cached record is.
#[derive(Debug, Clone)]
struct Entry {
    hash: String,
    bytes: Range<usize>,
    stamp: Option<Stamp>,
}

/// How long ago a file must have last changed for its [`Stamp`] to stand for its content. File
/// times are coarse: a file written again within the same tick as the change a run read keeps
/// its times, one tick later it cannot. A tick is a clock tick of the kernel (at most 10 ms) on
/// a file system that keeps nanoseconds, and up to two seconds on one that keeps whole seconds
/// or less (FAT, old HFS+), told by times with no nanoseconds.
const SETTLED_FINE: std::time::Duration = std::time::Duration::from_millis(200);
const SETTLED_COARSE: std::time::Duration = std::time::Duration::from_secs(2);

/// A file's size, inode, and modification and change times: while all four are what they were,
/// the file holds what it held, so a rebuild need not read and hash it again (git's index
/// works the same way). The change time cannot be set back by any program, so even a file
/// rewritten with its old size and modification time gets a new stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    ino: u64,
}

impl Stamp {
    /// The stamp of the file at `path`, if it last changed long enough ago (200 ms, or 2 s on a
    /// file system whose times have no nanoseconds: a newer one could change again unseen) and
    /// this is unix; `None` otherwise or when it cannot be read. Taken before the file is read, so a change made
    /// while a run reads it gives the next run another stamp.
    pub fn of(path: &Path) -> Option<Stamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(path).ok()?;
            let ns = |secs: i64, nanos: i64| secs.checked_mul(1_000_000_000)?.checked_add(nanos);
            let stamp = Stamp {
                size: m.len(),
                mtime_ns: ns(m.mtime(), m.mtime_nsec())?,
                ctime_ns: ns(m.ctime(), m.ctime_nsec())?,
                ino: m.ino(),
            };
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_nanos();
            let coarse = m.mtime_nsec() == 0 && m.ctime_nsec() == 0;
            let window = if coarse { SETTLED_COARSE } else { SETTLED_FINE };
            let latest = stamp.mtime_ns.max(stamp.ctime_ns);
            let age = i128::try_from(now).ok()? - i128::from(latest);
            (age >= window.as_nanos() as i128).then_some(stamp)
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }
}

/// Counts of one run's use of the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Records found in the cache when the run started.
    pub loaded: usize,
    /// [`Cache::get`] calls that returned a record.
    pub hits: usize,
    /// [`Cache::get`] calls that did not.
    pub misses: usize,
    /// Records given to [`Cache::put`] and kept.
    pub stored: usize,
}

/// The incremental cache: records of a previous run, and the records of this run to keep.
///
/// `Cache` is `Sync`: [`Cache::get`] may be called from many threads at once.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    dict: String,
    keywords: bool,
    /// The previous cache file, whole (empty when there was none or it was discarded).
    data: Vec<u8>,
    /// Article id → where its record is in `data`.
    index: HashMap<String, Entry>,
    /// Records put in this run, by id (they replace older ones): content hash and encoding.
    fresh: Mutex<BTreeMap<String, (String, Vec<u8>)>>,
    hits: AtomicUsize,
    misses: AtomicUsize,
    /// This run's settled stamp of each file, kept with its record for the next run.
    stamps: Mutex<HashMap<String, Stamp>>,
    /// Problems found while parsing records lazily (`get` takes `&self`).
    late_warnings: Mutex<Vec<Warning>>,
}

impl Cache {
    /// Opens the cache in `dir` for a run with dictionaries hashed `dict_hash` and keywords
    /// on or off. A missing folder or file gives an empty cache; one made with another record
    /// format, kgx version, dictionary set or keywords flag, or one that is corrupt, gives an
    /// empty cache and a warning saying why. Never fails: at worst the run extracts everything.
    pub fn open(dir: &Path, dict_hash: &str, keywords: bool) -> (Cache, Vec<Warning>) {
        let mut cache = Cache {
            dir: dir.to_path_buf(),
            dict: dict_hash.to_string(),
            keywords,
            data: Vec::new(),
            index: HashMap::new(),
            fresh: Mutex::new(BTreeMap::new()),
            stamps: Mutex::new(HashMap::new()),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
            late_warnings: Mutex::new(Vec::new()),
        };
        let path = cache.file();
        let shown = path.display().to_string();
        let data = match std::fs::read(&path) {
            Ok(data) => data,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (cache, Vec::new()),
            Err(e) => {
                let w = Warning::new(
                    shown,
                    None,
                    format!("cannot read the cache ({e}); rebuilding it"),
                );
                return (cache, vec![w]);
            }
        };
        match load(&data, dict_hash, keywords) {
            Ok(index) => {
                cache.data = data;
                cache.index = index;
                (cache, Vec::new())
            }
            Err(why) => {
                let w = Warning::new(
                    shown,
                    why.line,
                    format!("{}; rebuilding the cache", why.message),
                );
                (cache, vec![w])
            }
        }
    }

    /// The cache file's path.
    pub fn file(&self) -> PathBuf {
        self.dir.join(CACHE_FILE)
    }

    /// Number of records loaded from the previous run.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether no record was loaded from the previous run.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The record of article `id` if it was extracted from content with blake3 hash
    /// `content_hash` (see [`content_hash`]), with this run's dictionaries and keywords flag.
    /// A cached record that does not parse or does not match its index is a miss and a
    /// warning (returned by [`Cache::finish`]).
    pub fn get(&self, id: &str, content_hash: &str) -> Option<ArticleRecord> {
        let found = self.lookup(id, content_hash);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn lookup(&self, id: &str, content_hash: &str) -> Option<ArticleRecord> {
        let fresh = self.fresh();
        let bytes = match fresh.get(id) {
            Some((hash, bytes)) if hash == content_hash => &bytes[..],
            Some(_) => return None,
            None => {
                let entry = self.index.get(id)?;
                if entry.hash != content_hash {
                    return None;
                }
                &self.data[entry.bytes.clone()]
            }
        };
        let problem = match self.decode(id, content_hash, bytes) {
            Ok(r) => return Some(r),
            Err(problem) => problem,
        };
        let w = Warning::new(
            self.file().display().to_string(),
            None,
            format!("cached record of {id} {problem}; re-extracting it"),
        );
        self.late_warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(w);
        None
    }

    /// The record of article `id` if its file's [`Stamp`] is `stamp`, as when its record was
    /// kept: the file was not changed since, and need not be read. Counted like [`Cache::get`]
    /// when found; a miss here is no miss yet (the file's content may still be the same).
    pub fn get_stamped(&self, id: &str, stamp: &Stamp) -> Option<ArticleRecord> {
        let entry = self.index.get(id)?;
        if entry.stamp.as_ref() != Some(stamp) {
            return None;
        }
        // A record that does not check out is left to `get`, which reports it.
        let record = self
            .decode(id, &entry.hash, &self.data[entry.bytes.clone()])
            .ok()?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(record)
    }

    /// Whether a record of article `id` was kept (of whatever content).
    pub fn holds(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// Whether the record of article `id` was kept with `stamp` (what [`Cache::get_stamped`]
    /// looks for first), without decoding it.
    pub fn has_stamp(&self, id: &str, stamp: &Stamp) -> bool {
        self.index
            .get(id)
            .is_some_and(|e| e.stamp.as_ref() == Some(stamp))
    }

    /// Records that the file of article `id` has `stamp` in this run, to keep with its record.
    pub fn stamp(&self, id: &str, stamp: Stamp) {
        self.stamps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_string(), stamp);
    }

    /// The record in `bytes`, if it decodes and is the record of `id` with `content_hash`, this
    /// run's dictionaries, keywords flag and format; else what is wrong.
    fn decode(&self, id: &str, content_hash: &str, bytes: &[u8]) -> Result<ArticleRecord, String> {
        match binary::decode(bytes) {
            Ok(r)
                if r.id == id
                    && r.hash == content_hash
                    && r.dict == self.dict
                    && r.keywords == self.keywords
                    && r.format == FORMAT_VERSION =>
            {
                Ok(r)
            }
            Ok(_) => Err("does not match its index entry".to_string()),
            Err(e) => Err(format!("does not decode ({e})")),
        }
    }

    /// Keeps `record` for the next run, replacing any older record of the same article. A
    /// record made with other dictionaries, another keywords flag or another format than this
    /// run's is not kept (it would be dropped when the cache is next opened anyway). Takes
    /// `&self`, so a build can keep each record as it goes while its threads read others.
    pub fn put(&self, record: &ArticleRecord) {
        if record.format != FORMAT_VERSION
            || record.dict != self.dict
            || record.keywords != self.keywords
        {
            return;
        }
        let mut bytes = Vec::new();
        binary::encode(record, &mut bytes);
        self.fresh()
            .insert(record.id.clone(), (record.hash.clone(), bytes));
    }

    fn fresh(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, (String, Vec<u8>)>> {
        self.fresh.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts of this run's use of the cache.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            loaded: self.index.len(),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            stored: self.fresh().len(),
        }
    }

    /// Writes the cache for the next run: the records of the articles in `live` (those put in
    /// this run, else those loaded), dropping every other one (deleted files). A loaded record
    /// of a live article whose content changed and gave no new record (the file is now empty)
    /// is kept but harmless: [`Cache::get`] checks the content hash. When nothing changed, the
    /// file is left as it is. The file is
    /// written beside the old one and renamed over it. Returns the warnings about records that
    /// had to be discarded during the run; an error only when the file cannot be written.
    pub fn finish<S: AsRef<str>>(self, live: &[S]) -> Result<Vec<Warning>, Error> {
        let mut ids: Vec<&str> = live.iter().map(AsRef::as_ref).collect();
        ids.sort_unstable();
        ids.dedup();
        let late = |c: &Cache| {
            std::mem::take(&mut *c.late_warnings.lock().unwrap_or_else(|e| e.into_inner()))
        };

        // Nothing changed: the file on disk (checked when it was opened) is already the answer.
        let kept = ids
            .iter()
            .filter(|id| self.index.contains_key(**id))
            .count();
        let fresh = std::mem::take(&mut *self.fresh());
        let stamps = std::mem::take(&mut *self.stamps.lock().unwrap_or_else(|e| e.into_inner()));
        let restamped = ids
            .iter()
            .any(|id| stamps.get(*id) != self.index.get(*id).and_then(|e| e.stamp.as_ref()));
        if fresh.is_empty()
            && !restamped
            && !self.index.is_empty()
            && kept == self.index.len()
            && kept == ids.len()
        {
            return Ok(late(&self));
        }

        // Each kept record's bytes: the fresh ones', else the old ones'.
        let mut lines: Vec<(&str, &str, &[u8])> = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some((hash, bytes)) = fresh.get(id) {
                lines.push((id, hash, bytes));
            } else if let Some(e) = self.index.get(id) {
                lines.push((id, &e.hash, &self.data[e.bytes.clone()]));
            }
        }
        let manifest = Manifest {
            kgx_cache: CACHE_LAYOUT,
            format: FORMAT_VERSION,
            kgx: env!("CARGO_PKG_VERSION").to_string(),
            dict: self.dict.clone(),
            keywords: self.keywords,
            entries: lines
                .iter()
                .map(|(id, hash, bytes)| {
                    let stamp = stamps.get(*id).copied();
                    (id.to_string(), hash.to_string(), bytes.len() as u64, stamp)
                })
                .collect(),
        };

        let out_err = |source| Error::Output {
            path: self.file(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(|source| Error::Output {
            path: self.dir.clone(),
            source,
        })?;
        let tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(out_err)?;
        let mut hasher = blake3::Hasher::new();
        {
            let mut w = HashingWriter {
                inner: std::io::BufWriter::with_capacity(1 << 20, tmp.as_file()),
                hasher: &mut hasher,
            };
            serde_json::to_writer(&mut w, &manifest).map_err(|e| out_err(e.into()))?;
            w.write_all(b"\n").map_err(out_err)?;
            for (_, _, bytes) in &lines {
                w.write_all(bytes).map_err(out_err)?;
                w.write_all(b"\n").map_err(out_err)?;
            }
            w.inner.flush().map_err(out_err)?;
        }
        let mut f = tmp.as_file();
        writeln!(f, "{CHECKSUM_PREFIX}{}", hasher.finalize().to_hex()).map_err(out_err)?;
        #[cfg(unix)]
        {
            // tempfile creates 0600; the cache is as readable as the outputs it stands for.
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        tmp.persist(self.file()).map_err(|e| out_err(e.error))?;
        Ok(late(&self))
    }
}

/// A writer that hashes what it writes.
struct HashingWriter<'a, W: Write> {
    inner: W,
    hasher: &'a mut blake3::Hasher,
}

impl<W: Write> Write for HashingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Why a cache file was not used.
struct Rejected {
    line: Option<u32>,
    message: String,
}

fn reject(line: Option<u32>, message: impl Into<String>) -> Rejected {
    Rejected {
        line,
        message: message.into(),
    }
}

/// Checks a whole cache file and indexes its records.
fn load(data: &[u8], dict_hash: &str, keywords: bool) -> Result<HashMap<String, Entry>, Rejected> {
    // The checksum line is the last line; everything before it is covered.
    let body_end = match data
        .strip_suffix(b"\n")
        .and_then(|d| d.iter().rposition(|&b| b == b'\n'))
    {
        Some(i) => i + 1,
        None => return Err(reject(None, "the cache is truncated (no checksum line)")),
    };
    let last = &data[body_end..data.len() - 1];
    let expected = last
        .strip_prefix(CHECKSUM_PREFIX.as_bytes())
        .ok_or_else(|| reject(None, "the cache is truncated (no checksum line)"))?;
    let actual = blake3::hash(&data[..body_end]);
    if expected != actual.to_hex().as_bytes() {
        return Err(reject(None, "the cache is corrupt (checksum mismatch)"));
    }

    let manifest_end = data[..body_end]
        .iter()
        .position(|&b| b == b'\n')
        .expect("body ends with a newline");
    let manifest: Manifest = serde_json::from_slice(&data[..manifest_end])
        .map_err(|e| reject(Some(1), format!("the cache manifest does not parse ({e})")))?;
    if manifest.kgx_cache != CACHE_LAYOUT {
        return Err(reject(
            Some(1),
            format!(
                "the cache has layout {} (this kgx reads {CACHE_LAYOUT})",
                manifest.kgx_cache
            ),
        ));
    }
    if manifest.format != FORMAT_VERSION {
        return Err(reject(
            Some(1),
            format!(
                "the cache holds records of format {} (this kgx writes {FORMAT_VERSION})",
                manifest.format
            ),
        ));
    }
    if manifest.kgx != env!("CARGO_PKG_VERSION") {
        return Err(reject(
            Some(1),
            format!(
                "the cache was written by kgx {} (this is {})",
                manifest.kgx,
                env!("CARGO_PKG_VERSION")
            ),
        ));
    }
    if manifest.dict != dict_hash {
        return Err(reject(
            Some(1),
            "the dictionaries changed since the cache was written",
        ));
    }
    if manifest.keywords != keywords {
        let how = if keywords { "without" } else { "with" };
        return Err(reject(
            Some(1),
            format!("the cache was written {how} keywords"),
        ));
    }

    let mut index = HashMap::with_capacity(manifest.entries.len());
    let mut at = manifest_end + 1;
    for (n, (id, hash, len, stamp)) in manifest.entries.into_iter().enumerate() {
        let end = at
            .checked_add(len as usize)
            .filter(|&end| end < body_end && data[end] == b'\n');
        let Some(end) = end else {
            return Err(reject(
                Some(n as u32 + 2),
                "the cache index does not match its records",
            ));
        };
        if index
            .insert(
                id,
                Entry {
                    hash,
                    bytes: at..end,
                    stamp,
                },
            )
            .is_some()
        {
            return Err(reject(
                Some(n as u32 + 2),
                "the cache index names an article twice",
            ));
        }
        at = end + 1;
    }
    if at != body_end {
        return Err(reject(None, "the cache index does not match its records"));
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Cache>();
    }

    #[test]
    fn content_hash_is_blake3_hex() {
        assert_eq!(
            content_hash(b""),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }
}
