//! The `kgx` command: parses arguments, calls the library, prints diagnostics, maps the outcome
//! to an exit code (0 success, 1 fatal error, 2 usage error). Nothing here does the work.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use kgx::dict::{self, DictSource, Dictionary};
use kgx::export::{self, Format};
use kgx::extract::Extractor;
use kgx::graph::KnowledgeGraph;
use kgx::merge::{self, Corpus, GraphMode, MergeOptions};
use kgx::segment::Preloaded;
use kgx::{output, pipeline, Warning};
use std::cell::Cell;
use std::io::{BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// mimalloc: a build allocates and frees millions of small strings and vectors across threads
/// (records, terms, attributes). Measured side by side against glibc's allocator on this
/// project's machine: w3er 1.32× faster (median of 20), the 10× corpus 1.15–1.3×, an
/// incremental rebuild 20 % faster, output byte-identical. The library leaves the choice to
/// the program that links it.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "kgx",
    version,
    about = "Markdown articles → a knowledge graph of the entities and topics they mention"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse, match, build the graph, write every export into DIR.
    Build {
        /// Markdown files or folders (walked for *.md, *.markdown).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Keep extract records here and re-extract only new and changed files.
        #[arg(long)]
        cache: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Related-post recommendations (JSON).
    Related {
        /// Markdown files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Recommendations per article.
        #[arg(long, default_value_t = 5)]
        top: usize,
        /// Output file (`-` or none: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Topic statistics (report.json) and a self-contained HTML dashboard (report.html).
    Report {
        /// Markdown files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Dictionary tools.
    Dict {
        #[command(subcommand)]
        command: DictCommand,
    },
    /// Extract one JSON record per article (the first half of `build`).
    Extract {
        /// Markdown files or folders.
        paths: Vec<PathBuf>,
        /// Read JSON lines {"path", "content"} from stdin instead of files.
        #[arg(long)]
        stdin: bool,
        /// Output file (`-` or none: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Merge extract records and partial states into the exports (the second half of `build`).
    Merge {
        /// Record or partial-state files (`-`: stdin).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Write a mergeable partial state to this file (`-`: stdout) instead of the exports.
        #[arg(long)]
        partial: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum DictCommand {
    /// Validate dictionaries; every problem with file:line.
    Check {
        /// Dictionary TOML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Check the files alone, not together with the dictionaries compiled into the binary
        /// (which they may name in `broader` and must not clash with).
        #[arg(long)]
        no_default_dict: bool,
    },
    /// Alias and new-entry suggestions mined from the corpus.
    Suggest {
        /// Markdown files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Suggestions of each kind to show.
        #[arg(long, default_value_t = 30)]
        top: usize,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Args, Clone)]
struct Common {
    /// Add a dictionary (repeatable).
    #[arg(long = "dict", value_name = "FILE")]
    dicts: Vec<PathBuf>,
    /// Leave out the dictionaries compiled into the binary.
    #[arg(long)]
    no_default_dict: bool,
    /// Exports to write: graphml,gexf,json,graphology,csv.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "graphml,gexf,json,graphology,csv"
    )]
    format: Vec<Format>,
    /// Skip segmentation and keyword nodes.
    #[arg(long)]
    no_keywords: bool,
    /// Threads (default: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    jobs: usize,
    /// The full graph, or the entity projection for huge corpora.
    #[arg(long, value_enum, default_value_t = GraphArg::Full)]
    graph: GraphArg,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Print per-stage timings.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Warnings become errors (exit 1, nothing written).
    #[arg(long)]
    strict: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphArg {
    Full,
    Entities,
}

/// The validated options of a run: dictionaries loaded, formats and threads resolved.
struct Options {
    /// jieba's dictionary, loading since the options were made (taken by the extractor).
    preload: Cell<Option<Preloaded>>,
    dict: Dictionary,
    keywords: bool,
    formats: Vec<Format>,
    merge: MergeOptions,
    pool: rayon::ThreadPool,
    quiet: bool,
    verbose: bool,
    strict: bool,
}

impl Options {
    /// The extractor of this run, on the jieba dictionary already loading; `on_demand`: one
    /// whose driver decides when and how it loads (a run over files: the pipeline fits it to
    /// a small run's text, and through a cache there may be no file to segment).
    fn extractor(&self, on_demand: bool) -> Extractor {
        if on_demand && self.keywords && self.preload.take().is_none() {
            return Extractor::on_demand(self.dict.clone());
        }
        let preload = self
            .keywords
            .then(|| self.preload.take().unwrap_or_else(Preloaded::start));
        Extractor::with_preloaded(self.dict.clone(), preload)
    }
}

impl Common {
    /// Validates the flags. `streaming`: the run will extract articles streamed on stdin, so
    /// jieba's whole dictionary (with keywords on) starts loading now, before the dictionaries
    /// are read.
    fn options(&self, streaming: bool) -> Result<Options> {
        let preload = Cell::new((streaming && !self.no_keywords).then(Preloaded::start));
        let mut sources = if self.no_default_dict {
            Vec::new()
        } else {
            dict::default_sources()
        };
        for path in &self.dicts {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read dictionary {}", path.display()))?;
            sources.push(DictSource {
                path: path.display().to_string(),
                text,
            });
        }
        let dict = dict::load(&sources).map_err(kgx::Error::Dictionary)?;
        let mut formats = self.format.clone();
        formats.sort();
        formats.dedup();
        Ok(Options {
            preload,
            dict,
            keywords: !self.no_keywords,
            formats,
            merge: MergeOptions {
                graph: match self.graph {
                    GraphArg::Full => GraphMode::Full,
                    GraphArg::Entities => GraphMode::Entities,
                },
                ..MergeOptions::default()
            },
            pool: pipeline::pool(self.jobs),
            quiet: self.quiet,
            verbose: self.verbose,
            strict: self.strict,
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("kgx: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build {
            paths,
            out,
            cache,
            common,
        } => {
            let opts = common.options(false)?;
            output::check_writable(&out)?;
            let start = Instant::now();
            // With a cache, the exports' rows of unchanged articles are copied from the last
            // build's (see `export::RowStore`); their index is read while the files are.
            let opening = cache
                .clone()
                .map(|dir| std::thread::spawn(move || export::RowStore::open(&dir)));
            let (corpus, mut warnings, stats) = corpus_of(&paths, &opts, cache.as_deref())?;
            let store = opening.map(|t| t.join().expect("opening the rows does not panic"));
            if let (Some(dir), Some(why)) = (&cache, store.as_ref().and_then(|s| s.problem.clone()))
            {
                let file = dir.join("exports.idx").display().to_string();
                warnings.push(Warning::new(
                    file,
                    None,
                    format!("{why}; rendering every row"),
                ));
            }
            finish_warnings(&warnings, &opts)?;
            let graph = timed(&opts, "graph", || {
                opts.pool
                    .install(|| merge::build_graph(&corpus, &opts.dict, &opts.merge))
            });
            let counts = Counts::of(&corpus);
            let runs = store.as_ref().map(|_| {
                // What an article's rows are made from: its file, the dictionaries, keywords.
                let hashes = corpus
                    .headers()
                    .map(|r| {
                        (
                            r.id.clone(),
                            format!("{} {} {}", r.hash, r.dict, r.keywords),
                        )
                    })
                    .collect();
                export::Runs::of(&graph, &hashes)
            });
            // The exports need only the graph: the corpus is freed on another thread meanwhile.
            std::thread::spawn(move || drop(corpus));
            let rows = store.as_ref().zip(runs.as_ref());
            let written = timed(&opts, "export", || {
                opts.pool
                    .install(|| export::write_keeping(&graph, &out, &opts.formats, rows))
            })?;
            if opts.verbose && rows.is_some() {
                eprintln!(
                    "kgx:   rows copied from the last build: {} bytes ({:.1} MB)",
                    written.copied,
                    written.copied as f64 / 1e6
                );
            }
            // A cache on another file system than the output cannot link the exports: rebuilds
            // then render every row, which is no problem worth a warning on every build.
            let elsewhere = |e: &std::io::Error| e.kind() == std::io::ErrorKind::CrossesDevices;
            if let (Some(dir), Some(e)) =
                (&cache, written.not_kept.as_ref().filter(|e| !elsewhere(e)))
            {
                let w = Warning::new(
                    dir.display().to_string(),
                    None,
                    format!("cannot keep this build's export rows for the next one ({e})"),
                );
                print_warnings(&[w], &opts);
            }
            let written = written.paths;
            summary(
                &opts,
                counts,
                &graph,
                &warnings,
                &stats,
                start.elapsed(),
                &out,
                written.len(),
            );
            // The process ends here: freeing millions of small allocations one by one would
            // only cost time.
            std::mem::forget(graph);
        }
        Command::Related {
            paths,
            top,
            out,
            common,
        } => {
            let opts = common.options(false)?;
            if let Some(out) = out.as_deref().filter(|p| *p != Path::new("-")) {
                output::check_writable(
                    out.parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or(Path::new(".")),
                )?;
            }
            let (corpus, warnings, _) = corpus_of(&paths, &opts, None)?;
            finish_warnings(&warnings, &opts)?;
            let graph = opts
                .pool
                .install(|| merge::build_graph(&corpus, &opts.dict, &opts.merge));
            let related = kgx::related::recommend(&graph, top);
            write_to(out.as_deref(), |w| {
                serde_json::to_writer_pretty(&mut *w, &related)?;
                w.write_all(b"\n")
            })?;
        }
        Command::Report { paths, out, common } => {
            let opts = common.options(false)?;
            output::check_writable(&out)?;
            let (corpus, warnings, _) = corpus_of(&paths, &opts, None)?;
            finish_warnings(&warnings, &opts)?;
            let graph = opts
                .pool
                .install(|| merge::build_graph(&corpus, &opts.dict, &opts.merge));
            let report = kgx::report::build(&graph);
            output::write_file(out.join("report.json"), |w| {
                serde_json::to_writer_pretty(&mut *w, &report)?;
                w.write_all(b"\n")
            })?;
            output::write_file(out.join("report.html"), |w| {
                w.write_all(kgx::report::html(&report).as_bytes())
            })?;
            if !opts.quiet {
                eprintln!(
                    "kgx: report of {} articles → {}",
                    corpus.len(),
                    out.display()
                );
            }
        }
        Command::Dict {
            command:
                DictCommand::Check {
                    files,
                    no_default_dict,
                },
        } => {
            let mut sources = Vec::new();
            for path in &files {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                sources.push(DictSource {
                    path: path.display().to_string(),
                    text,
                });
            }
            if !no_default_dict {
                // A shipped dictionary named as a FILE is checked once, under the name given.
                let given: Vec<String> = sources.iter().map(|s| s.text.clone()).collect();
                sources.extend(
                    dict::default_sources()
                        .into_iter()
                        .filter(|d| !given.contains(&d.text)),
                );
            }
            let problems = dict::check(&sources);
            for p in &problems {
                eprintln!("{}", diagnostic(p, "error"));
            }
            if !problems.is_empty() {
                eprintln!(
                    "kgx: {} problem(s) in {} dictionar{}",
                    problems.len(),
                    files.len(),
                    if files.len() == 1 { "y" } else { "ies" }
                );
                return Ok(ExitCode::from(1));
            }
            let dict = dict::load(&sources).map_err(kgx::Error::Dictionary)?;
            eprintln!("kgx: {} entities, no problems", dict.entities.len());
        }
        Command::Dict {
            command:
                DictCommand::Suggest {
                    paths,
                    top,
                    json,
                    common,
                },
        } => {
            let opts = common.options(false)?;
            let options = kgx::suggest::SuggestOptions {
                limit: top,
                ..Default::default()
            };
            let (suggestions, warnings) =
                pipeline::suggest_paths(&paths, &opts.dict, &opts.pool, &options);
            finish_warnings(&warnings, &opts)?;
            let mut stdout = std::io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut stdout, &suggestions)?;
                writeln!(stdout)?;
            } else {
                write!(stdout, "{}", suggestions.to_text())?;
            }
        }
        Command::Extract {
            paths,
            stdin,
            out,
            common,
        } => {
            // Records streamed from stdin need jieba's whole dictionary; files are planned for
            // (see `pipeline::extract_paths`).
            let opts = common.options(stdin)?;
            let extractor = opts.extractor(!stdin);
            if stdin {
                if !paths.is_empty() {
                    bail!("give either PATHs or --stdin, not both");
                }
                let input = std::io::stdin().lock();
                let mut warnings = Vec::new();
                write_to(out.as_deref(), |w| {
                    warnings =
                        pipeline::extract_stream(input, "<stdin>", &extractor, &opts.pool, w)?;
                    Ok(())
                })?;
                finish_warnings(&warnings, &opts)?;
            } else {
                if paths.is_empty() {
                    bail!("give PATHs to extract, or --stdin");
                }
                let (_, ex) =
                    pipeline::extract_paths(&paths, &extractor, &opts.pool, &|_, _| None, &|_| {});
                let mut warnings = ex.warnings.clone();
                warnings.extend(ex.records.iter().flat_map(|r| r.warnings.iter().cloned()));
                if ex.records.is_empty() {
                    print_warnings(&warnings, &opts);
                    return Err(kgx::Error::NoInput(display_paths(&paths)).into());
                }
                finish_warnings(&warnings, &opts)?;
                write_to(out.as_deref(), |w| pipeline::write_records(&ex.records, w))?;
            }
        }
        Command::Merge {
            files,
            out,
            partial,
            common,
        } => {
            let opts = common.options(false)?;
            if partial.is_none() {
                output::check_writable(&out)?;
            }
            let start = Instant::now();
            let mut corpus = Corpus::new();
            let mut warnings = Vec::new();
            for file in &files {
                if file == Path::new("-") {
                    warnings.extend(pipeline::read_records(
                        std::io::stdin().lock(),
                        "<stdin>",
                        &mut corpus,
                    )?);
                } else {
                    let f = std::fs::File::open(file).map_err(|e| kgx::Error::Input {
                        path: file.clone(),
                        source: e,
                    })?;
                    let label = file.display().to_string();
                    warnings.extend(pipeline::read_records(
                        BufReader::new(f),
                        &label,
                        &mut corpus,
                    )?);
                }
            }
            if let Some(partial) = &partial {
                warnings.extend(corpus.merge_warnings());
                finish_warnings(&warnings, &opts)?;
                write_to(Some(partial), |w| pipeline::write_partial(&corpus, w))?;
                return Ok(ExitCode::SUCCESS);
            }
            corpus.check_dictionary(&opts.dict)?;
            warnings.extend(corpus.headers().flat_map(|r| r.warnings.iter().cloned()));
            warnings.extend(corpus.merge_warnings());
            finish_warnings(&warnings, &opts)?;
            if corpus.is_empty() {
                return Err(kgx::Error::NoInput(display_paths(&files)).into());
            }
            let graph = opts
                .pool
                .install(|| merge::build_graph(&corpus, &opts.dict, &opts.merge));
            let written = opts
                .pool
                .install(|| export::write(&graph, &out, &opts.formats))?;
            summary(
                &opts,
                Counts::of(&corpus),
                &graph,
                &warnings,
                &Stats::default(),
                start.elapsed(),
                &out,
                written.len(),
            );
            std::mem::forget((graph, corpus));
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Default)]
struct Stats {
    bytes: u64,
    cached: usize,
}

/// Extracts `paths` (through the cache when given) into a corpus; all warnings.
fn corpus_of(
    paths: &[PathBuf],
    opts: &Options,
    cache_dir: Option<&Path>,
) -> Result<(Corpus, Vec<Warning>, Stats)> {
    let t = Instant::now();
    let extractor = opts.extractor(true);
    let setup = t.elapsed();
    let bar = progress_bar(opts);
    let tick = |bytes: u64| {
        if let Some(b) = &bar {
            b.inc(bytes);
        }
    };
    let t = Instant::now();
    let run = pipeline::build_corpus(paths, &extractor, &opts.pool, cache_dir, &tick)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let ex = &run.extraction;
    if opts.verbose {
        let took = t.elapsed().as_secs_f64();
        let mb = ex.bytes as f64 / 1e6;
        eprintln!(
            "kgx: setup (extractor)            {:>8.3} s",
            setup.as_secs_f64()
        );
        eprintln!(
            "kgx: extract {} files, {mb:.1} MB, {} from cache: {took:.3} s wall, {:.1} MB/s",
            ex.files,
            ex.cached,
            mb / took.max(1e-9)
        );
        let prose_mb = ex.times.prose_bytes as f64 / 1e6;
        for (name, d, bytes) in [
            ("read", ex.times.read, mb),
            ("parse", ex.times.parse, mb),
            ("match", ex.times.matching, prose_mb),
            ("segment", ex.times.segment, prose_mb),
        ] {
            let what = if name == "match" || name == "segment" {
                "of prose"
            } else {
                "of Markdown"
            };
            let secs = d.as_secs_f64();
            eprintln!(
                "kgx:   {name:<8} {secs:>8.3} s busy {:>7.1} MB/s {what}",
                bytes / secs.max(1e-9)
            );
        }
        if ex.unread > 0 {
            eprintln!(
                "kgx:   {} files not read: unchanged since the last build (size, inode, times)",
                ex.unread
            );
        }
        if opts.keywords && !extractor.segmenter_started() {
            eprintln!("kgx:   jieba's dictionary not loaded: no file needed segmenting");
        } else if extractor.segmenter_fitted() {
            eprintln!("kgx:   jieba's dictionary fitted to the text read (a small run)");
        }
    }
    if run.corpus.is_empty() {
        print_warnings(&run.warnings, opts);
        return Err(kgx::Error::NoInput(display_paths(paths)).into());
    }
    let stats = Stats {
        bytes: ex.bytes,
        cached: ex.cached,
    };
    // jieba's trie and the automaton are tens of megabytes in many allocations, and the
    // process ends after the graph and exports: freeing them here would only delay those.
    std::mem::forget(extractor);
    Ok((run.corpus, run.warnings, stats))
}

fn progress_bar(opts: &Options) -> Option<indicatif::ProgressBar> {
    if opts.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} extracting {bytes} {bytes_per_sec} {elapsed}",
        )
        .expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}

fn timed<T>(opts: &Options, stage: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    if opts.verbose {
        eprintln!("kgx: {stage:<10} {:>8.3} s", t.elapsed().as_secs_f64());
    }
    out
}

fn diagnostic(w: &Warning, level: &str) -> String {
    match w.line {
        Some(line) => format!("{}:{}: {level}: {}", w.path, line, w.message),
        None => format!("{}: {level}: {}", w.path, w.message),
    }
}

fn print_warnings(warnings: &[Warning], opts: &Options) {
    if opts.quiet && !opts.strict {
        return;
    }
    let level = if opts.strict { "error" } else { "warning" };
    let stderr = std::io::stderr();
    let mut e = stderr.lock();
    for w in warnings {
        let _ = writeln!(e, "{}", diagnostic(w, level));
    }
}

/// Prints the warnings; with `--strict`, any warning is fatal.
fn finish_warnings(warnings: &[Warning], opts: &Options) -> Result<()> {
    print_warnings(warnings, opts);
    if opts.strict && !warnings.is_empty() {
        return Err(kgx::Error::Strict(warnings.len()).into());
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
/// Articles and sections of a corpus, for the summary line.
#[derive(Clone, Copy)]
struct Counts {
    articles: usize,
    sections: usize,
}

impl Counts {
    fn of(corpus: &Corpus) -> Counts {
        Counts {
            articles: corpus.len(),
            sections: corpus.headers().map(|r| r.sections.len()).sum(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn summary(
    opts: &Options,
    counts: Counts,
    graph: &KnowledgeGraph,
    warnings: &[Warning],
    stats: &Stats,
    took: Duration,
    out: &Path,
    files: usize,
) {
    if opts.quiet {
        return;
    }
    let cached = if stats.cached > 0 {
        format!(" ({} from cache)", stats.cached)
    } else {
        String::new()
    };
    let secs = took.as_secs_f64();
    let speed = if stats.bytes > 0 {
        format!(
            " ({:.1} MB, {:.1} MB/s)",
            stats.bytes as f64 / 1e6,
            stats.bytes as f64 / 1e6 / secs.max(1e-9)
        )
    } else {
        String::new()
    };
    eprintln!(
        "kgx: {} articles{cached}, {} sections, {} nodes, {} edges, {} warnings, {secs:.2} s{speed} → {} files in {}",
        counts.articles,
        counts.sections,
        graph.graph.node_count(),
        graph.graph.edge_count(),
        warnings.len(),
        files,
        out.display()
    );
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes to `path` atomically, or to stdout for `-` / none.
fn write_to(
    path: Option<&Path>,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match path {
        Some(p) if p != Path::new("-") => {
            output::write_file(p, |w| f(w))?;
        }
        _ => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            f(&mut w)?;
            w.flush()?;
        }
    }
    Ok(())
}
