//! Drivers of the one path: files, JSON-line records on stdin, and record files to merge.
//!
//! Every driver calls [`Extractor::extract`] for one article at a time and hands the records to
//! a [`Corpus`]; threads (`--jobs`), the cache and Spark differ only in where records come from.
//! Parallel work uses a local rayon pool per run and an order-preserving collect, so output
//! never depends on scheduling.

use crate::cache::Stamp;
use crate::extract::{content_hash, Deferred, Extractor, StageTimes};
use crate::input::{self, SourceEntry};
use crate::merge::Corpus;
use crate::record::{ArticleRecord, FORMAT_VERSION};
use crate::{Error, Warning};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// What extraction over files produced.
#[derive(Debug, Default)]
pub struct Extraction {
    /// Records in article id order.
    pub records: Vec<ArticleRecord>,
    /// Problems of files that gave no record (unreadable, empty, binary) and of the walk.
    pub warnings: Vec<Warning>,
    /// Files looked at.
    pub files: usize,
    /// Bytes of Markdown read (or found unchanged in the cache).
    pub bytes: u64,
    /// Records taken from the cache instead of extracted.
    pub cached: usize,
    /// Of those, records of files not even read: their stamp (size, inode, times) was the one
    /// their record was kept with.
    pub unread: usize,
    /// For each record, whether it came from the cache.
    pub from_cache: Vec<bool>,
    /// Time in each stage, summed over threads.
    pub times: StageTimes,
}

/// A thread pool for `jobs` threads (0: one per core).
pub fn pool(jobs: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .expect("a thread pool can be built")
}

/// Extracts every entry. `cached` is asked first for a record of (id, content hash); `progress`
/// is told the bytes of each file done.
pub fn extract_entries(
    entries: &[SourceEntry],
    extractor: &Extractor,
    pool: &rayon::ThreadPool,
    cached: &(dyn Fn(&str, &str) -> Option<ArticleRecord> + Sync),
    progress: &(dyn Fn(u64) + Sync),
) -> Extraction {
    let mut records = Vec::new();
    let mut from_cache = Vec::new();
    let sink = &mut |record: ArticleRecord, hit: bool| -> Result<(), std::convert::Infallible> {
        records.push(record);
        from_cache.push(hit);
        Ok(())
    };
    let mut ex = match extract_entries_into(entries, extractor, pool, cached, progress, sink) {
        Ok(ex) => ex,
        Err(never) => match never {},
    };
    ex.records = records;
    ex.from_cache = from_cache;
    ex
}

/// [`extract_entries`], handing each record to `sink` in entry order (with whether it came from
/// the cache) as soon as it and those before it are complete, from the calling thread: records
/// whose segmentation waited for jieba's dictionary are segmented by the pool meanwhile, in
/// order, so what the sink does (interning into a corpus) overlaps with it. After the first
/// error of `sink` no record is handed on, and that error is returned. The `records` and
/// `from_cache` of the result are empty.
pub fn extract_entries_into<E>(
    entries: &[SourceEntry],
    extractor: &Extractor,
    pool: &rayon::ThreadPool,
    cached: &(dyn Fn(&str, &str) -> Option<ArticleRecord> + Sync),
    progress: &(dyn Fn(u64) + Sync),
    sink: &mut dyn FnMut(ArticleRecord, bool) -> Result<(), E>,
) -> Result<Extraction, E> {
    enum Out {
        Record(Box<ArticleRecord>, StageTimes, u64, bool, Option<Deferred>),
        Skipped(Vec<Warning>, u64),
    }
    let extract_all = || {
        entries
            .par_iter()
            // Split down to single files, so that a worker that joins late (see below) always
            // finds work to take.
            .with_max_len(1)
            .map(|entry| {
                let t = Instant::now();
                let bytes = match std::fs::read(&entry.path) {
                    Ok(b) => b,
                    Err(e) => {
                        return Out::Skipped(
                            vec![Warning::new(
                                entry.id.clone(),
                                None,
                                format!("cannot read: {e}"),
                            )],
                            0,
                        )
                    }
                };
                let size = bytes.len() as u64;
                let hash = content_hash(&bytes);
                if let Some(record) = cached(&entry.id, &hash) {
                    progress(size);
                    return Out::Record(Box::new(record), StageTimes::default(), size, true, None);
                }
                let loaded = input::decode(&entry.id, bytes);
                let read = t.elapsed();
                let out = match loaded.text {
                    Some(text) => {
                        let (record, mut times, deferred) =
                            extractor.extract_deferring(&entry.id, &text, hash, loaded.warnings);
                        times.read = read;
                        Out::Record(Box::new(record), times, size, false, deferred)
                    }
                    None => Out::Skipped(loaded.warnings, size),
                };
                progress(size);
                out
            })
            .collect::<Vec<Out>>()
    };
    let outs = pool.install(|| {
        // While jieba's dictionary loads on a thread of its own, a pool that has every core
        // would leave it only a share of one: one worker waits for it instead, then joins the
        // others. Articles extracted meanwhile defer their segmentation.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = rayon::current_num_threads();
        if threads > 1 && threads >= cores && extractor.segmenter_loading() {
            rayon::join(|| extractor.wait_for_segmenter(), extract_all).1
        } else {
            extract_all()
        }
    });
    /// A record in entry order: complete, or being segmented.
    enum Slot {
        Ready(Box<ArticleRecord>, bool),
        Waiting,
    }
    let mut ex = Extraction {
        files: entries.len(),
        ..Extraction::default()
    };
    let mut slots = Vec::with_capacity(outs.len());
    // Articles parsed and matched while jieba's dictionary was loading: (slot, record, prose).
    let mut waiting = Vec::new();
    for out in outs {
        match out {
            Out::Record(r, t, size, hit, deferred) => {
                ex.times += t;
                ex.bytes += size;
                ex.cached += hit as usize;
                match deferred {
                    Some(d) => {
                        waiting.push((slots.len(), r, d));
                        slots.push(Slot::Waiting);
                    }
                    None => slots.push(Slot::Ready(r, hit)),
                }
            }
            Out::Skipped(w, size) => {
                ex.warnings.extend(w);
                ex.bytes += size;
            }
        }
    }
    let mut result = Ok(());
    let mut hand_on = |record: ArticleRecord, hit: bool| {
        if result.is_ok() {
            result = sink(record, hit);
        }
    };
    if waiting.is_empty() {
        for slot in slots {
            if let Slot::Ready(r, hit) = slot {
                hand_on(*r, hit);
            }
        }
        return result.map(|()| ex);
    }
    // A run that fits jieba's dictionary to its text does it now, over all of it.
    let t = Instant::now();
    let fitted = pool
        .install(|| extractor.fit_segmenter(waiting.iter().map(|(_, _, d)| d), FIT_MAX_TEXT_BYTES));
    ex.times.segment += t.elapsed();
    let waiting: Vec<_> = waiting.into_iter().map(|w| Mutex::new(Some(w))).collect();
    // Each worker takes the next waiting record in order, so records complete about in order
    // and this thread hands them on while the rest are segmented.
    let next = AtomicUsize::new(0);
    let (done, arrivals) = mpsc::channel::<(usize, Box<ArticleRecord>, Duration)>();
    pool.in_place_scope(|scope| {
        for _ in 0..pool.current_num_threads() {
            let (done, waiting, next, fitted) = (done.clone(), &waiting, &next, fitted.as_ref());
            scope.spawn(move |_| {
                while let Some(item) = waiting.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let taken = item.lock().unwrap_or_else(|e| e.into_inner()).take();
                    let Some((slot, mut record, deferred)) = taken else {
                        continue;
                    };
                    let took = extractor.finish(&mut record, deferred, fitted);
                    if done.send((slot, record, took)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done);
        let mut arrived: Vec<Option<Box<ArticleRecord>>> = Vec::new();
        arrived.resize_with(slots.len(), || None);
        for (i, slot) in slots.into_iter().enumerate() {
            let (record, hit) = match slot {
                Slot::Ready(r, hit) => (r, hit),
                Slot::Waiting => loop {
                    if let Some(r) = arrived[i].take() {
                        break (r, false);
                    }
                    // Every waiting record is sent once, unless a worker panicked, which
                    // the scope then propagates.
                    let Ok((j, r, took)) = arrivals.recv() else {
                        return;
                    };
                    ex.times.segment += took;
                    arrived[j] = Some(r);
                },
            };
            hand_on(*record, hit);
        }
    });
    result.map(|()| ex)
}

/// Below this many bytes of Markdown to extract, a run fits jieba's dictionary to its text
/// instead of loading it whole ([`Extractor::fit_to_deferred`]): the whole dictionary takes
/// ~75 ms of one core to load; fitted, it took 15–18 ms on two for the 4.2 MB of the w3er corpus
/// (25 015 words) and 6 ms for one post, most of it finding which words the text can reach.
/// Segmenting then waits for every file to be parsed, holding their prose, so past a few
/// megabytes the whole dictionary, loading while files are parsed, is as quick (10×: 1.17 s
/// against 1.30 s fitted).
pub const FIT_MAX_TEXT_BYTES: u64 = 8 << 20;

/// Tells `extractor` how much Markdown it will extract from `entries` (the files to read; of
/// those, only the ones `new` says are not in a cache count), from the files' metadata: a
/// small run gets a matcher quick to build and, with keywords, jieba's dictionary fitted to
/// its text; a bigger one starts loading the whole dictionary now, if it waits for the first
/// article that needs it. Sizes are read only for up to 4 096 files (a run of more is big) and
/// summed only up to the size from which neither choice changes.
fn plan(entries: &[&SourceEntry], new: impl Fn(&SourceEntry) -> bool, extractor: &Extractor) {
    if entries.is_empty() {
        return;
    }
    let limit = crate::matcher::DFA_MIN_TEXT_BYTES.max(FIT_MAX_TEXT_BYTES);
    let new: Vec<&SourceEntry> = entries.iter().copied().filter(|e| new(e)).collect();
    let bytes = (new.len() <= 4096).then(|| {
        let mut bytes = 0u64;
        for entry in new {
            bytes += std::fs::metadata(&entry.path).map_or(0, |m| m.len());
            if bytes >= limit {
                break;
            }
        }
        bytes
    });
    if let Some(bytes) = bytes {
        extractor.expect_text(bytes);
    }
    let small = bytes.is_some_and(|b| b < FIT_MAX_TEXT_BYTES);
    if !(small && extractor.fit_to_deferred()) {
        // Files to read are most likely new or changed: their segmentation needs jieba.
        extractor.start_segmenter();
    }
}

/// Walks `paths` and extracts every Markdown file found.
pub fn extract_paths(
    paths: &[PathBuf],
    extractor: &Extractor,
    pool: &rayon::ThreadPool,
    cached: &(dyn Fn(&str, &str) -> Option<ArticleRecord> + Sync),
    progress: &(dyn Fn(u64) + Sync),
) -> (Vec<SourceEntry>, Extraction) {
    let (entries, walk_warnings) = input::walk(paths);
    plan(&entries.iter().collect::<Vec<_>>(), |_| true, extractor);
    let mut ex = extract_entries(&entries, extractor, pool, cached, progress);
    ex.warnings.splice(0..0, walk_warnings);
    (entries, ex)
}

/// One input record of `kgx extract --stdin`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StdinDoc {
    /// Article id.
    pub path: String,
    /// The file's text.
    pub content: String,
}

/// `kgx extract --stdin`: reads JSON lines `{"path", "content"}` from `input` and writes one
/// record line per article to `out`, in input order, extracting batches in parallel. A line
/// that is not such an object is a warning naming `label` and the line.
pub fn extract_stream(
    input: impl BufRead,
    label: &str,
    extractor: &Extractor,
    pool: &rayon::ThreadPool,
    out: &mut dyn Write,
) -> std::io::Result<Vec<Warning>> {
    const BATCH: usize = 512;
    let mut warnings = Vec::new();
    let mut batch: Vec<(u32, String)> = Vec::with_capacity(BATCH);
    let mut flush = |batch: &mut Vec<(u32, String)>,
                     warnings: &mut Vec<Warning>|
     -> std::io::Result<()> {
        let results: Vec<Result<ArticleRecord, Vec<Warning>>> = pool.install(|| {
            batch
                .par_iter()
                .map(
                    |(line, text)| match serde_json::from_str::<StdinDoc>(text) {
                        // The same decoding rules as files: an empty document is skipped.
                        Ok(doc) => {
                            let hash = content_hash(doc.content.as_bytes());
                            let loaded = input::decode(&doc.path, doc.content.into_bytes());
                            match loaded.text {
                                Some(text) => {
                                    Ok(extractor.extract(&doc.path, &text, hash, loaded.warnings))
                                }
                                None => Err(loaded.warnings),
                            }
                        }
                        Err(e) => Err(vec![Warning::new(
                            label,
                            Some(*line),
                            format!("not a {{\"path\", \"content\"}} record: {e}"),
                        )]),
                    },
                )
                .collect()
        });
        for r in results {
            match r {
                Ok(record) => {
                    serde_json::to_writer(&mut *out, &record)?;
                    out.write_all(b"\n")?;
                }
                Err(w) => warnings.extend(w),
            }
        }
        batch.clear();
        Ok(())
    };
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        batch.push((i as u32 + 1, line));
        if batch.len() == BATCH {
            flush(&mut batch, &mut warnings)?;
        }
    }
    flush(&mut batch, &mut warnings)?;
    Ok(warnings)
}

/// The first line of a partial state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartialHeader {
    /// Format version of the partial state.
    pub kgx_partial: u32,
    /// Number of records that follow.
    pub records: usize,
    /// Hash of the dictionaries the records were extracted with (absent when empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dict: Option<String>,
}

/// Reads records and partial states (JSON lines) from `input` into `corpus`. A malformed line
/// is a warning naming `label` and the line; a record of another format version or dictionary
/// is an error.
pub fn read_records(
    input: impl BufRead,
    label: &str,
    corpus: &mut Corpus,
) -> Result<Vec<Warning>, Error> {
    let mut warnings = Vec::new();
    let mut expected: Option<(usize, u32)> = None;
    let mut seen = 0usize;
    for (i, line) in input.lines().enumerate() {
        let n = i as u32 + 1;
        let line = line.map_err(|e| Error::Input {
            path: PathBuf::from(label),
            source: e,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<ArticleRecord>(&line) {
            Ok(record) => {
                corpus
                    .add(record)
                    .map_err(|e| Error::Incompatible(format!("{label}:{n}: {e}")))?;
                seen += 1;
            }
            Err(e) => {
                let value: Option<serde_json::Value> = serde_json::from_str(&line).ok();
                let field = |k: &str| {
                    value
                        .as_ref()
                        .and_then(|v| v.get(k))
                        .and_then(|v| v.as_u64())
                };
                if let Some(v) = field("kgx_partial") {
                    if v != FORMAT_VERSION as u64 {
                        return Err(Error::Incompatible(format!(
                            "{label}:{n}: partial state format {v} is not the format this kgx reads ({FORMAT_VERSION})"
                        )));
                    }
                    if expected.is_some() || seen > 0 {
                        warnings.push(Warning::new(
                            label,
                            Some(n),
                            "partial state header in the middle of a file",
                        ));
                    }
                    expected = Some((field("records").unwrap_or(0) as usize, n));
                    continue;
                }
                match field("format") {
                    Some(v) if v != FORMAT_VERSION as u64 => {
                        return Err(Error::Incompatible(format!(
                            "{label}:{n}: record format {v} is not the format this kgx reads ({FORMAT_VERSION})"
                        )))
                    }
                    _ => warnings.push(Warning::new(label, Some(n), format!("malformed record, skipped: {e}"))),
                }
            }
        }
    }
    if let Some((records, n)) = expected {
        if records != seen {
            warnings.push(Warning::new(
                label,
                Some(n),
                format!("partial state announces {records} records but holds {seen}: truncated or corrupt"),
            ));
        }
    }
    Ok(warnings)
}

/// Writes `records` as JSON lines.
pub fn write_records<'a>(
    records: impl IntoIterator<Item = &'a ArticleRecord>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for r in records {
        serde_json::to_writer(&mut *out, r)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes `corpus` as a partial state: a header line, then its records sorted by id.
pub fn write_partial(corpus: &Corpus, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer(
        &mut *out,
        &PartialHeader {
            kgx_partial: FORMAT_VERSION,
            records: corpus.len(),
            dict: corpus.header().map(|h| h.dict.clone()),
        },
    )?;
    out.write_all(b"\n")?;
    for r in corpus.records() {
        serde_json::to_writer(&mut *out, &r)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A corpus read from files: the records merged, every warning, and what extraction did.
#[derive(Debug)]
pub struct CorpusRun {
    /// The merged records.
    pub corpus: Corpus,
    /// Every warning of the walk, the files, the cache and the merge, in that order.
    pub warnings: Vec<Warning>,
    /// Files, bytes, cache hits and stage times (its `records` are moved into `corpus`).
    pub extraction: Extraction,
}

/// Files [`build_corpus`] extracts at a time: whole records (terms as strings) live only until
/// the corpus interns them, so memory grows with the vocabulary and the graph, not with the
/// text.
const CORPUS_CHUNK: usize = 2048;

/// `kgx build`'s first half: walks `paths`, extracts every file (through the cache in
/// `cache_dir` when given: unchanged files are not re-extracted, deleted ones are dropped from
/// it) and merges the records. An empty corpus (no readable input) is the caller's to judge.
pub fn build_corpus(
    paths: &[PathBuf],
    extractor: &Extractor,
    pool: &rayon::ThreadPool,
    cache_dir: Option<&Path>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<CorpusRun, Error> {
    let mut warnings = Vec::new();
    // The cache is read while the folders are walked.
    let (opened, (entries, walk_warnings)) = pool.join(
        || {
            cache_dir.map(|dir| {
                crate::cache::Cache::open(dir, &extractor.dictionary().hash, extractor.keywords())
            })
        },
        || input::walk(paths),
    );
    let cache = opened.map(|(cache, w)| {
        warnings.extend(w);
        cache
    });
    warnings.extend(walk_warnings);
    // Each file's stamp, through a cache: a file whose stamp is the one its record was kept
    // with is not read again, and the matcher is made for the text of the others.
    let stamps: Vec<Option<Stamp>> = match &cache {
        Some(_) => pool.install(|| entries.par_iter().map(|e| Stamp::of(&e.path)).collect()),
        None => vec![None; entries.len()],
    };
    let to_read: Vec<&SourceEntry> = entries
        .iter()
        .zip(&stamps)
        .filter(|(e, stamp)| {
            let kept = |s: &Stamp| cache.as_ref().is_some_and(|c| c.has_stamp(&e.id, s));
            !stamp.as_ref().is_some_and(kept)
        })
        .map(|(e, _)| e)
        .collect();
    // A file read again whose article is in the cache most likely did not change (its stamp
    // was not settled yet, or it was only touched): extracted again, if at all, are the others.
    plan(
        &to_read,
        |e| cache.as_ref().is_none_or(|c| !c.holds(&e.id)),
        extractor,
    );
    let mut corpus = Corpus::new();
    let mut ex = Extraction {
        files: entries.len(),
        ..Extraction::default()
    };
    for (chunk, stamps) in entries
        .chunks(CORPUS_CHUNK)
        .zip(stamps.chunks(CORPUS_CHUNK))
    {
        let mut stamped: Vec<Option<ArticleRecord>> = match &cache {
            Some(cache) => pool.install(|| {
                chunk
                    .par_iter()
                    .zip(stamps)
                    .map(|(e, stamp)| cache.get_stamped(&e.id, stamp.as_ref()?))
                    .collect()
            }),
            None => vec![None; chunk.len()],
        };
        let by_stamp: Vec<bool> = stamped.iter().map(Option::is_some).collect();
        let rest: Vec<SourceEntry> = chunk
            .iter()
            .zip(&by_stamp)
            .filter(|(_, &taken)| !taken)
            .map(|(e, _)| e.clone())
            .collect();
        let lookup = |id: &str, hash: &str| cache.as_ref().and_then(|c| c.get(id, hash));
        let mut record_warnings = Vec::new();
        // Records go into the corpus in the order of the files, those not read again among the
        // others, while the last of them are still being segmented: `hand(Some(r))` adds the
        // records of the files not read before the file of `r`, then `r`; `hand(None)` adds
        // the rest of them.
        let mut next = 0;
        let mut hand = |extracted: Option<(ArticleRecord, bool)>| -> Result<(), Error> {
            let upto = match &extracted {
                // The file of `r`: the next one with its id that its stamp did not take.
                Some((r, _)) => (next..chunk.len())
                    .find(|&i| !by_stamp[i] && chunk[i].id == r.id)
                    .expect("every record is of a file of the chunk"),
                None => chunk.len(),
            };
            let mut add = |i: usize, r: ArticleRecord, hit: bool| {
                if let Some(cache) = &cache {
                    if !hit {
                        cache.put(&r);
                    }
                    if let Some(stamp) = stamps[i] {
                        cache.stamp(&r.id, stamp);
                    }
                }
                record_warnings.extend(r.warnings.iter().cloned());
                corpus.add(r)
            };
            for i in next..upto {
                if let Some(r) = stamped[i].take() {
                    let size = stamps[i].map_or(0, |s| s.size());
                    progress(size);
                    ex.bytes += size;
                    ex.cached += 1;
                    ex.unread += 1;
                    add(i, r, true)?;
                }
            }
            next = upto;
            if let Some((r, hit)) = extracted {
                add(upto, r, hit)?;
                next = upto + 1;
            }
            Ok(())
        };
        let sink = &mut |r: ArticleRecord, hit: bool| hand(Some((r, hit)));
        let part = extract_entries_into(&rest, extractor, pool, &lookup, progress, sink)?;
        hand(None)?;
        // The chunk's unreadable files first, then its records' own warnings, as before.
        warnings.extend(part.warnings);
        warnings.extend(record_warnings);
        ex.bytes += part.bytes;
        ex.cached += part.cached;
        ex.times += part.times;
    }
    if let Some(cache) = cache {
        let live: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        warnings.extend(cache.finish(&live)?);
    }
    warnings.extend(corpus.merge_warnings());
    Ok(CorpusRun {
        corpus,
        warnings,
        extraction: ex,
    })
}

/// `kgx dict suggest`: parses every file under `paths` (in parallel) and mines its prose for
/// dictionary suggestions against `dict`. Each paragraph is one piece, with its source line.
pub fn suggest_paths(
    paths: &[PathBuf],
    dict: &crate::dict::Dictionary,
    pool: &rayon::ThreadPool,
    options: &crate::suggest::SuggestOptions,
) -> (crate::suggest::Suggestions, Vec<Warning>) {
    let (entries, mut warnings) = input::walk(paths);
    let docs: Vec<(crate::document::Document, Vec<Warning>)> = pool.install(|| {
        entries
            .par_iter()
            .filter_map(|entry| {
                let loaded = input::read(entry);
                let mut warnings = loaded.warnings;
                let text = loaded.text?;
                let (doc, w) = crate::document::parse(&entry.id, &text);
                warnings.extend(w);
                Some((doc, warnings))
            })
            .collect()
    });
    let mut pieces = Vec::new();
    for (doc, w) in &docs {
        warnings.extend(w.iter().cloned());
        for section in &doc.sections {
            let prose = &section.prose;
            let mut at = 0;
            for block in prose.text.split('\n') {
                if !block.trim().is_empty() {
                    let line = doc.lines.line(prose.source_offset(at));
                    pieces.push(crate::suggest::TextPiece {
                        article: &doc.id,
                        line,
                        text: block,
                    });
                }
                at += block.len() + 1;
            }
        }
    }
    let matcher = crate::matcher::Matcher::new(dict);
    (
        crate::suggest::suggest(dict, &matcher, &pieces, options),
        warnings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records extracted in parallel while jieba's dictionary loads (segmentation deferred,
    /// records handed on as they complete) equal those extracted one by one once it is loaded.
    #[test]
    fn deferred_segmentation_gives_the_same_records() {
        let dict = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data"));
        let (entries, _) = input::walk(&[data]);
        assert!(entries.len() > 5);
        let pool = pool(2);
        let extractor = Extractor::new(dict.clone(), true);
        let none = |_: &str, _: &str| None;
        let mut order = Vec::new();
        let sink = &mut |r: ArticleRecord, hit: bool| -> Result<(), ()> {
            assert!(!hit);
            order.push(r);
            Ok(())
        };
        extract_entries_into(&entries, &extractor, &pool, &none, &|_| {}, sink).unwrap();
        let one_by_one = Extractor::new(dict, true);
        let expected: Vec<ArticleRecord> = entries
            .iter()
            .filter_map(|e| {
                let loaded = input::read(e);
                let text = loaded.text?;
                let hash = content_hash(text.as_bytes());
                Some(one_by_one.extract(&e.id, &text, hash, loaded.warnings))
            })
            .collect();
        assert_eq!(order.len(), expected.len());
        for (got, want) in order.iter().zip(&expected) {
            assert_eq!(got.id, want.id);
            assert!(!want.terms.is_empty() || want.words == 0, "{}", want.id);
            assert_eq!(got.terms, want.terms, "{}", want.id);
            assert_eq!(got.mentions, want.mentions, "{}", want.id);
        }
    }

    /// A small run fits jieba's dictionary to the text it reads, and its records are those of
    /// an extractor on the whole dictionary.
    #[test]
    fn a_small_run_fits_jieba_to_its_text_with_the_same_records() {
        let dict = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data"));
        let pool = pool(2);
        let none = |_: &str, _: &str| None;
        let whole = Extractor::new(dict.clone(), true);
        let (_, want) = extract_paths(std::slice::from_ref(&data), &whole, &pool, &none, &|_| {});
        assert!(!whole.segmenter_fitted());
        let fitted = Extractor::on_demand(dict);
        let (_, got) = extract_paths(&[data], &fitted, &pool, &none, &|_| {});
        assert!(fitted.segmenter_fitted() && fitted.segmenter_started());
        assert!(want.records.iter().any(|r| !r.terms.is_empty()));
        assert_eq!(got.records, want.records);
    }

    /// A fitted run of more files than [`build_corpus`] extracts at a time fits jieba to each
    /// chunk's text (the last chunk has words the first has not) and never loads the whole
    /// dictionary; its records are those of a run on the whole dictionary.
    #[test]
    fn each_chunk_of_a_fitted_run_is_fitted_to_its_own_text() {
        let tmp = tempfile::tempdir().unwrap();
        let words = ["区块链", "去中心化金融", "供应链", "数字人民币", "智能合约"];
        for i in 0..CORPUS_CHUNK + 3 {
            let prose = if i < CORPUS_CHUNK {
                format!("{}与{}的第{i}次结合。", words[i % 5], words[i / 5 % 5])
            } else {
                "沃尔玛的食品溯源系统让消费者扫描二维码，查询蔬菜的产地。".to_string()
            };
            let text = format!("---\ntitle: 第{i}篇\n---\n\n## 小节\n\n{prose}\n");
            std::fs::write(tmp.path().join(format!("p{i:05}.md")), text).unwrap();
        }
        let dict = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let pool = pool(2);
        let paths = [tmp.path().to_path_buf()];
        let whole = Extractor::new(dict.clone(), true);
        let want = build_corpus(&paths, &whole, &pool, None, &|_| {}).unwrap();
        let fitted = Extractor::on_demand(dict);
        let got = build_corpus(&paths, &fitted, &pool, None, &|_| {}).unwrap();
        assert!(fitted.segmenter_fitted());
        assert!(!fitted.whole_segmenter_loaded());
        let records = |run: &CorpusRun| run.corpus.records().collect::<Vec<_>>();
        let (got, want) = (records(&got), records(&want));
        assert_eq!(got.len(), CORPUS_CHUNK + 3);
        assert!(want
            .last()
            .unwrap()
            .terms
            .iter()
            .any(|(t, _)| t == "二维码"));
        assert_eq!(got, want);
    }

    /// An extractor that loads jieba's dictionary on demand loads it for the first article
    /// that needs segmenting, never when every record comes from the cache, and gives the
    /// records of one that loaded it from the start.
    #[test]
    fn on_demand_segmenter_loads_only_for_an_article_that_needs_it() {
        let dict = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data"));
        let (entries, _) = input::walk(&[data]);
        let pool = pool(2);
        let none = |_: &str, _: &str| None;
        let eager = Extractor::new(dict.clone(), true);
        let want = extract_entries(&entries, &eager, &pool, &none, &|_| {}).records;
        assert!(want.iter().any(|r| !r.terms.is_empty()));
        let cached = |id: &str, _: &str| want.iter().find(|r| r.id == id).cloned();

        let lazy = Extractor::on_demand(dict.clone());
        let got = extract_entries(&entries, &lazy, &pool, &cached, &|_| {});
        assert!(!lazy.segmenter_started(), "every record was cached");
        assert_eq!(got.records, want);

        // The last file changed: only it is extracted, and it needs jieba.
        let last = &entries.last().unwrap().id;
        assert!(want.iter().any(|r| &r.id == last && !r.terms.is_empty()));
        let all_but_last = |id: &str, hash: &str| (id != last).then(|| cached(id, hash)).flatten();
        let lazy = Extractor::on_demand(dict);
        let got = extract_entries(&entries, &lazy, &pool, &all_but_last, &|_| {});
        assert!(lazy.segmenter_started());
        assert_eq!(got.cached, want.len() - 1);
        assert_eq!(got.records, want);
    }

    /// Through a cache, a file whose stamp (size, inode, times) is the one its record was kept
    /// with is not read again; a changed one is, and the records are those of a run without
    /// a cache, in the same order, warnings included.
    #[test]
    fn unchanged_files_are_not_read_again() {
        let tmp = tempfile::tempdir().unwrap();
        let posts = tmp.path().join("posts");
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data"));
        for e in walkdir::WalkDir::new(&data) {
            let e = e.unwrap();
            let to = posts.join(e.path().strip_prefix(&data).unwrap());
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(e.path(), &to).unwrap();
            }
        }
        // Older than any file system's time granularity, so that the stamps are kept.
        std::thread::sleep(Duration::from_millis(2100));
        let dict = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let pool = pool(2);
        let cache = tmp.path().join("cache");
        // Through the cache, as `kgx build --cache` does, jieba's dictionary loads on demand;
        // whether it was loaded comes with the run.
        let build = |cache: Option<&Path>| {
            let extractor = match cache {
                Some(_) => Extractor::on_demand(dict.clone()),
                None => Extractor::new(dict.clone(), true),
            };
            let run = build_corpus(
                std::slice::from_ref(&posts),
                &extractor,
                &pool,
                cache,
                &|_| {},
            )
            .unwrap();
            (run, extractor.segmenter_started())
        };
        let records = |run: &CorpusRun| run.corpus.records().collect::<Vec<_>>();
        let (first, loaded) = build(Some(&cache));
        let n = first.corpus.len();
        assert!(n > 5);
        assert_eq!((first.extraction.cached, first.extraction.unread), (0, 0));
        assert!(loaded);
        assert!(!first.warnings.is_empty(), "data/ has files with problems");

        let (second, loaded) = build(Some(&cache));
        assert_eq!((second.extraction.cached, second.extraction.unread), (n, n));
        assert!(!loaded, "no file needed segmenting");
        assert_eq!(records(&second), records(&first));
        assert_eq!(second.warnings, first.warnings);

        let changed = posts.join("walmart-supply-chain.md");
        let mut text = std::fs::read_to_string(&changed).unwrap();
        text.push_str("\nIBM 与沃尔玛的新合作。\n");
        std::fs::write(&changed, text).unwrap();
        let (third, loaded) = build(Some(&cache));
        assert_eq!(
            (third.extraction.cached, third.extraction.unread),
            (n - 1, n - 1)
        );
        assert!(loaded);
        let (clean, _) = build(None);
        assert_eq!(records(&third), records(&clean));
        assert_eq!(third.warnings, clean.warnings);
    }

    /// The first error of the sink stops the records handed on and is returned.
    #[test]
    fn sink_error_stops_the_hand_over() {
        let dict = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data"));
        let (entries, _) = input::walk(&[data]);
        let extractor = Extractor::new(dict, true);
        let mut seen = 0;
        let sink = &mut |_: ArticleRecord, _: bool| {
            seen += 1;
            if seen == 2 {
                Err("full")
            } else {
                Ok(())
            }
        };
        let none = |_: &str, _: &str| None;
        let got = extract_entries_into(&entries, &extractor, &pool(2), &none, &|_| {}, sink);
        assert_eq!(got.err(), Some("full"));
        assert_eq!(seen, 2);
    }
}
