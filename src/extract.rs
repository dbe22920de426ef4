//! Extraction: one article in, one [`ArticleRecord`] out.
//!
//! This is the map half of the map/reduce seam (SPEC §8): it reads nothing but the article it
//! is given and the read-only [`Extractor`] built once per run, so the thread pool, the
//! incremental cache and Spark all call this one function.

use crate::dict::Dictionary;
use crate::document::{self, Document};
use crate::matcher::Matcher;
use crate::record::{ArticleRecord, MentionRecord, SectionRecord, FORMAT_VERSION};
use crate::segment::{Preloaded, Segmenter};
use crate::Warning;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The content hash records are keyed by: blake3 of the file's bytes, hex.
pub fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// Builds the segmenter on a thread of its own, from the jieba dictionary `preloaded` is
/// loading and the aliases of `dict` as user words.
fn load_segmenter(dict: &Dictionary, preloaded: Preloaded) -> JoinHandle<Segmenter> {
    let aliases: Vec<String> = dict
        .entities
        .iter()
        .flat_map(|e| e.aliases.iter().cloned())
        .collect();
    std::thread::spawn(move || {
        Segmenter::from_preloaded(preloaded, aliases.iter().map(String::as_str))
    })
}

/// Time spent in each extraction stage: wall time per article, summed over articles (so over
/// threads) by the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageTimes {
    /// Reading and decoding files.
    pub read: Duration,
    /// Front matter and Markdown.
    pub parse: Duration,
    /// Entity matching.
    pub matching: Duration,
    /// Segmentation.
    pub segment: Duration,
    /// Bytes of prose matched and segmented (titles and sections).
    pub prose_bytes: u64,
}

impl std::ops::AddAssign for StageTimes {
    fn add_assign(&mut self, o: Self) {
        self.read += o.read;
        self.parse += o.parse;
        self.matching += o.matching;
        self.segment += o.segment;
        self.prose_bytes += o.prose_bytes;
    }
}

/// The prose of an article whose segmentation waits for jieba's dictionary (see
/// [`Extractor::extract_deferring`]).
#[derive(Debug)]
pub struct Deferred {
    /// The texts segmented for terms: the title (when the front matter has one), then each
    /// section's prose.
    texts: Vec<String>,
}

/// Everything extraction needs, built once per run and shared by all threads.
///
/// jieba's dictionary takes tens of milliseconds to load, so with keywords on the segmenter is
/// built on a thread of its own while the first files are parsed and matched; the first
/// article that needs it waits for it, or, through [`Extractor::extract_deferring`], leaves its
/// segmentation for later. A driver that knows its run is small has it fitted to the run's
/// text instead ([`Extractor::fit_to_deferred`]). The matcher is built at the first match, once
/// the driver has said how much text the run holds ([`Extractor::expect_text`]).
#[derive(Debug)]
pub struct Extractor {
    dict: Dictionary,
    /// Built at the first match, for the amount of text announced by
    /// [`Extractor::expect_text`] if any.
    matcher: OnceLock<Matcher>,
    /// Bytes of text the run will extract (`u64::MAX`: unknown).
    text_bytes: AtomicU64,
    keywords: bool,
    segmenter: OnceLock<Segmenter>,
    loading: Mutex<Option<JoinHandle<Segmenter>>>,
    /// jieba's dictionary has not started loading and starts at the first article that needs
    /// segmenting (see [`Extractor::on_demand`]).
    on_demand: AtomicBool,
    /// The segmenter is fitted to the texts of the deferred articles (see
    /// [`Extractor::fit_to_deferred`]).
    fitting: AtomicBool,
    /// A fitted segmenter was built.
    fitted: AtomicBool,
}

impl Extractor {
    /// An extractor for `dict` (with `keywords`, jieba's dictionary starts loading).
    pub fn new(dict: Dictionary, keywords: bool) -> Self {
        Extractor::with_preloaded(dict, keywords.then(Preloaded::start))
    }

    /// Like [`Extractor::new`], with keywords on when `preloaded` is given: the segmenter is
    /// built from the jieba dictionary it is already loading.
    pub fn with_preloaded(dict: Dictionary, preloaded: Option<Preloaded>) -> Self {
        let keywords = preloaded.is_some();
        let loading = preloaded.map(|preloaded| load_segmenter(&dict, preloaded));
        Extractor {
            dict,
            matcher: OnceLock::new(),
            text_bytes: AtomicU64::new(u64::MAX),
            keywords,
            segmenter: OnceLock::new(),
            loading: Mutex::new(loading),
            on_demand: AtomicBool::new(false),
            fitting: AtomicBool::new(false),
            fitted: AtomicBool::new(false),
        }
    }

    /// An extractor with keywords on whose jieba dictionary starts loading only when the first
    /// article needs segmenting: for a run that takes most records from a cache, which may
    /// need none (a rebuild where nothing changed then never loads it).
    pub fn on_demand(dict: Dictionary) -> Self {
        let extractor = Extractor::with_preloaded(dict, None);
        Extractor {
            keywords: true,
            on_demand: AtomicBool::new(true),
            ..extractor
        }
    }

    /// Starts loading jieba's dictionary now if it waits for the first article that needs it:
    /// for a driver that knows early that some article will.
    pub fn start_segmenter(&self) {
        self.start_loading();
    }

    /// Starts loading jieba's dictionary if it waits for the first article that needs it.
    fn start_loading(&self) {
        if !self.on_demand.load(Ordering::Acquire) {
            return;
        }
        let mut loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        if self.on_demand.swap(false, Ordering::AcqRel) {
            *loading = Some(load_segmenter(&self.dict, Preloaded::start()));
        }
    }

    /// For a driver that will extract a small run with [`Extractor::extract_deferring`]: jieba's
    /// dictionary, which waits for the first article that needs it, is not loaded whole. Every
    /// article defers its segmentation; [`Extractor::fit_segmenter`] then builds a segmenter
    /// on the part of the dictionary their texts can reach, which cuts them as the whole one
    /// does ([`Segmenter::fitted`]): for a few posts, in a tenth of the time. Returns whether
    /// it will (not if the dictionary started loading, or without keywords).
    pub fn fit_to_deferred(&self) -> bool {
        if !self.keywords {
            return false;
        }
        let _loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        let fit = self.on_demand.swap(false, Ordering::AcqRel);
        self.fitting.store(fit, Ordering::Release);
        fit
    }

    /// A segmenter fitted to the texts of `deferred`, for [`Extractor::finish`] to segment
    /// them (and nothing else) with, if the extractor fits ([`Extractor::fit_to_deferred`]) and
    /// they hold less than `max_bytes`: with more, the whole dictionary is as quick to load, and
    /// `finish` loads it. Uses the current rayon pool.
    pub fn fit_segmenter<'a>(
        &self,
        deferred: impl IntoIterator<Item = &'a Deferred>,
        max_bytes: u64,
    ) -> Option<Segmenter> {
        if !self.fitting.load(Ordering::Acquire) || self.segmenter.get().is_some() {
            return None;
        }
        let texts: Vec<&str> = deferred
            .into_iter()
            .flat_map(|d| d.texts.iter().map(String::as_str))
            .collect();
        if texts.iter().map(|t| t.len() as u64).sum::<u64>() >= max_bytes {
            return None;
        }
        self.fitted.store(true, Ordering::Release);
        Some(Segmenter::fitted(
            &texts,
            self.dict
                .entities
                .iter()
                .flat_map(|e| e.aliases.iter().map(String::as_str)),
        ))
    }

    /// Whether a segmenter fitted to the text of the run was built
    /// ([`Extractor::fit_to_deferred`]).
    pub fn segmenter_fitted(&self) -> bool {
        self.fitted.load(Ordering::Acquire)
    }

    /// Whether jieba's whole dictionary was loaded.
    pub fn whole_segmenter_loaded(&self) -> bool {
        self.segmenter.get().is_some()
    }

    /// Whether jieba's dictionary is loaded or loading (with keywords on, it is unless the
    /// extractor loads on demand or fits it, and no article needed it yet).
    pub fn segmenter_started(&self) -> bool {
        self.keywords
            && !self.on_demand.load(Ordering::Acquire)
            && (!self.fitting.load(Ordering::Acquire)
                || self.fitted.load(Ordering::Acquire)
                || self.segmenter.get().is_some())
    }

    /// The segmenter, once loaded (`None` without keywords).
    fn segmenter(&self) -> Option<&Segmenter> {
        if !self.keywords {
            return None;
        }
        self.start_loading();
        Some(self.segmenter.get_or_init(|| {
            let handle = self
                .loading
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            match handle.map(JoinHandle::join) {
                Some(Ok(segmenter)) => segmenter,
                // The loading thread panicked or was already joined by a thread that then
                // panicked: load here.
                _ => Segmenter::new(
                    self.dict
                        .entities
                        .iter()
                        .flat_map(|e| e.aliases.iter().map(String::as_str)),
                ),
            }
        }))
    }

    /// Tells the extractor how many bytes of Markdown the run will extract, before the first
    /// article: a small run gets an automaton quicker to build than to run (see
    /// [`Matcher::for_text`]). No effect once an article was extracted.
    pub fn expect_text(&self, bytes: u64) {
        self.text_bytes.store(bytes, Ordering::Relaxed);
    }

    /// The matcher, built on first use.
    fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| {
            let bytes = self.text_bytes.load(Ordering::Relaxed);
            Matcher::for_text(&self.dict, (bytes != u64::MAX).then_some(bytes))
        })
    }

    /// The segmenter if it is ready now: `None` while jieba's dictionary is still loading
    /// (which this starts, when it waited for an article that needs it).
    fn ready_segmenter(&self) -> Option<&Segmenter> {
        self.start_loading();
        self.loaded_segmenter()
    }

    /// The segmenter if it is loaded: `None` while jieba's dictionary is loading or waits to.
    fn loaded_segmenter(&self) -> Option<&Segmenter> {
        if let Some(seg) = self.segmenter.get() {
            return Some(seg);
        }
        // No handle: another thread took it and is waiting for the load to end.
        let finished = self
            .loading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(JoinHandle::is_finished);
        if finished {
            self.segmenter()
        } else {
            None
        }
    }

    /// Whether segmentation is on and jieba's whole dictionary is still loading (never while
    /// the extractor fits it to the text: see [`Extractor::fit_to_deferred`]).
    pub fn segmenter_loading(&self) -> bool {
        self.keywords
            && !self.on_demand.load(Ordering::Acquire)
            && !self.fitting.load(Ordering::Acquire)
            && self.loaded_segmenter().is_none()
    }

    /// Waits until jieba's dictionary is loaded (at once without keywords).
    pub fn wait_for_segmenter(&self) {
        let _ = self.segmenter();
    }

    /// The dictionary the extractor matches.
    pub fn dictionary(&self) -> &Dictionary {
        &self.dict
    }

    /// Whether terms are segmented for keywords.
    pub fn keywords(&self) -> bool {
        self.keywords
    }

    /// Extracts the record of article `id` whose content is `text` and content hash `hash`
    /// (see [`content_hash`]); `warnings` are problems already found while reading it (they
    /// travel with the record, so a cached record reports them again).
    pub fn extract(
        &self,
        id: &str,
        text: &str,
        hash: String,
        warnings: Vec<Warning>,
    ) -> ArticleRecord {
        self.extract_timed(id, text, hash, warnings).0
    }

    /// [`Extractor::extract`], also returning the time spent in each stage.
    pub fn extract_timed(
        &self,
        id: &str,
        text: &str,
        hash: String,
        warnings: Vec<Warning>,
    ) -> (ArticleRecord, StageTimes) {
        let (record, times, deferred) = self.extract_inner(id, text, hash, warnings, false);
        debug_assert!(deferred.is_none());
        (record, times)
    }

    /// [`Extractor::extract_timed`] that does not wait for jieba's dictionary: while it is
    /// still loading, the record comes back without its terms and with the prose to segment
    /// later, by [`Extractor::finish`]. The record is then the one `extract_timed` gives.
    pub fn extract_deferring(
        &self,
        id: &str,
        text: &str,
        hash: String,
        warnings: Vec<Warning>,
    ) -> (ArticleRecord, StageTimes, Option<Deferred>) {
        self.extract_inner(id, text, hash, warnings, true)
    }

    /// Completes a record whose segmentation was deferred, with `fitted` (from
    /// [`Extractor::fit_segmenter`] over a set of deferred articles this one is in) or else
    /// jieba's whole dictionary, waiting for it if needed; the time segmenting.
    pub fn finish(
        &self,
        record: &mut ArticleRecord,
        deferred: Deferred,
        fitted: Option<&Segmenter>,
    ) -> Duration {
        let t = Instant::now();
        if let Some(seg) = fitted.or_else(|| self.segmenter()) {
            record.terms = seg.terms(deferred.texts.iter().map(String::as_str));
        }
        t.elapsed()
    }

    fn extract_inner(
        &self,
        id: &str,
        text: &str,
        hash: String,
        mut warnings: Vec<Warning>,
        defer: bool,
    ) -> (ArticleRecord, StageTimes, Option<Deferred>) {
        let mut times = StageTimes::default();
        let t = Instant::now();
        let (mut doc, parse_warnings) = document::parse(id, text);
        times.parse = t.elapsed();
        warnings.extend(parse_warnings);
        let mut record = self.record_of(&doc, hash, &mut times);
        record.warnings = warnings;
        let mut deferred = None;
        if self.keywords {
            let segmenter = if defer {
                self.ready_segmenter()
            } else {
                self.segmenter()
            };
            match segmenter {
                Some(seg) => {
                    let t = Instant::now();
                    record.terms = seg.terms(
                        std::iter::once(doc.title.as_str())
                            .filter(|_| doc.meta.title.is_some())
                            .chain(doc.sections.iter().map(|s| s.prose.text.as_str())),
                    );
                    times.segment = t.elapsed();
                }
                None => {
                    // The texts `terms` would be given, moved out of the spent document.
                    let mut texts = Vec::with_capacity(doc.sections.len() + 1);
                    if doc.meta.title.is_some() {
                        texts.push(std::mem::take(&mut doc.title));
                    }
                    texts.extend(
                        doc.sections
                            .iter_mut()
                            .map(|s| std::mem::take(&mut s.prose.text)),
                    );
                    deferred = Some(Deferred { texts });
                }
            }
        }
        (record, times, deferred)
    }

    fn record_of(&self, doc: &Document, hash: String, times: &mut StageTimes) -> ArticleRecord {
        let t = Instant::now();
        let mut mentions = Vec::new();
        // The title is prose of the article; when it is the first heading it is already counted
        // in that section.
        if doc.meta.title.is_some() {
            let prose = &doc.title_prose;
            for m in self.matcher().find(&prose.text) {
                let start = prose.source_offset(m.start);
                let end = prose.source_offset(m.end - 1) + 1;
                mentions.push(MentionRecord {
                    entity: self.dict.entities[m.entity as usize].id.clone(),
                    section: None,
                    in_heading: true,
                    line: doc.lines.line(start),
                    byte: start as u32,
                    len: end.saturating_sub(start) as u32,
                });
            }
        }
        let mut sections = Vec::with_capacity(doc.sections.len());
        for s in &doc.sections {
            sections.push(SectionRecord {
                order: s.order,
                level: s.level,
                parent: s.parent.map(|p| doc.sections[p].order),
                heading: s.heading.clone(),
                heading_path: s.heading_path.clone(),
                line: s.line,
            });
            for m in self.matcher().find(&s.prose.text) {
                let start = s.prose.source_offset(m.start);
                let end = s.prose.source_offset(m.end - 1) + 1;
                mentions.push(MentionRecord {
                    entity: self.dict.entities[m.entity as usize].id.clone(),
                    section: Some(s.order),
                    in_heading: m.start < s.heading_len,
                    line: doc.lines.line(start),
                    byte: start as u32,
                    len: end.saturating_sub(start) as u32,
                });
            }
        }
        times.matching = t.elapsed();
        times.prose_bytes = (doc.title_prose.text.len()
            + doc
                .sections
                .iter()
                .map(|s| s.prose.text.len())
                .sum::<usize>()) as u64;
        let meta = &doc.meta;
        ArticleRecord {
            format: FORMAT_VERSION,
            dict: self.dict.hash.clone(),
            keywords: self.keywords,
            id: doc.id.clone(),
            hash,
            title: doc.title.clone(),
            date: meta.date.clone(),
            lastmod: meta.lastmod.clone(),
            authors: meta.authors.clone(),
            tags: meta.tags.clone(),
            categories: meta.categories.clone(),
            fm_keywords: meta.keywords.clone(),
            words: doc.words(),
            sections,
            mentions,
            terms: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extractor_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Extractor>();
    }
}
