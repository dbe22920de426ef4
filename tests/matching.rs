//! Matching semantics as a table (one row per rule of SPEC §3, each with a case that fails
//! without the rule), dictionary errors one fixture per kind, and properties of every match.

use kgx::dict::{self, DictSource, Dictionary};
use kgx::matcher::Matcher;
use kgx::text::fold_str;
use proptest::prelude::*;
use std::path::Path;
use std::sync::LazyLock;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/dict");

fn source(path: &str) -> DictSource {
    DictSource::read(Path::new(path)).expect("fixture readable")
}

static DICT: LazyLock<Dictionary> = LazyLock::new(|| {
    dict::load(&[source(&format!("{FIXTURES}/rules.toml"))]).expect("rules.toml is valid")
});
static MATCHER: LazyLock<Matcher> = LazyLock::new(|| Matcher::new(&DICT));

/// `(entity id, matched text)` for every match in `text`.
fn found(text: &str) -> Vec<(String, String)> {
    MATCHER
        .find(text)
        .into_iter()
        .map(|m| {
            (
                DICT.entities[m.entity as usize].id.clone(),
                text[m.start..m.end].to_string(),
            )
        })
        .collect()
}

/// One row: a rule, a text, the expected `(id, matched text)` list.
struct Row {
    rule: &'static str,
    text: &'static str,
    want: &'static [(&'static str, &'static str)],
}

macro_rules! t {
    ($rule:expr, $text:expr, [$(($id:expr, $m:expr)),* $(,)?]) => {
        Row { rule: $rule, text: $text, want: &[$(($id, $m)),*] }
    };
}

const ROWS: &[Row] = &[
    t!(
        "plain alias",
        "区块链是一种技术",
        [("blockchain", "区块链")]
    ),
    t!("NFKC: full-width Latin", "ＮＦＴ市场", [("nft", "ＮＦＴ")]),
    t!(
        "NFKC: full-width CJK punctuation does not hide a match",
        "（NFT）",
        [("nft", "NFT")]
    ),
    t!(
        "Traditional to Simplified",
        "區塊鏈技術",
        [("blockchain", "區塊鏈")]
    ),
    t!(
        "Traditional to Simplified, mixed",
        "以太坊虛擬機",
        [("evm", "以太坊虛擬機")]
    ),
    t!(
        "case folding",
        "nft, Nft and NFT",
        [("nft", "nft"), ("nft", "Nft"), ("nft", "NFT")]
    ),
    t!(
        "case folding, multi-word",
        "the ETHEREUM virtual machine",
        [("evm", "ETHEREUM virtual machine")]
    ),
    t!(
        "case_sensitive: exact case matches",
        "NEAR rose 5%",
        [("near", "NEAR")]
    ),
    t!(
        "case_sensitive: other case does not",
        "near the Near bank",
        []
    ),
    t!(
        "case_sensitive: full-width still matches",
        "ＮＥＡＲ",
        [("near", "ＮＥＡＲ")]
    ),
    t!(
        "hyphen = space",
        "Proof-of-Work",
        [("pow", "Proof-of-Work")]
    ),
    t!(
        "hyphen = space, Unicode hyphen",
        "Proof‐of‐Work chains",
        [("pow", "Proof‐of‐Work")]
    ),
    t!(
        "whitespace runs = one space",
        "Proof  of\nWork",
        [("pow", "Proof  of\nWork")]
    ),
    t!("word boundary: not inside OpenAI", "OpenAI released", []),
    t!("word boundary: not inside MAIN", "MAIN net", []),
    t!("word boundary: not inside DAIly", "DAIly news", []),
    t!(
        "word boundary: next to CJK is fine",
        "AI驱动的应用",
        [("ai", "AI")]
    ),
    t!(
        "word boundary: full-width neighbour is a letter",
        "ＯｐｅｎＡＩ",
        []
    ),
    t!(
        "word boundary: digits count",
        "Web30 and Web3",
        [("web3", "Web3")]
    ),
    t!(
        "word boundary: hyphen is a boundary",
        "non-AI tools",
        [("ai", "AI")]
    ),
    t!("plural -s", "NFTs are tokens", [("nft", "NFTs")]),
    t!(
        "plural, multi-word",
        "Smart Contracts run",
        [("smart-contract", "Smart Contracts")]
    ),
    t!("plural -es", "Taxes rise", [("tax", "Taxes")]),
    t!(
        "possessive 's",
        "Walmart's chain",
        [("walmart", "Walmart's")]
    ),
    t!(
        "possessive ’s",
        "Walmart’s chain",
        [("walmart", "Walmart’s")]
    ),
    t!("ending must end the word", "NFTsx Walmartese", []),
    t!(
        "leftmost-longest: EVM, not Ethereum",
        "以太坊虚拟机",
        [("evm", "以太坊虚拟机")]
    ),
    t!(
        "leftmost-longest, Latin",
        "Ethereum Virtual Machine",
        [("evm", "Ethereum Virtual Machine")]
    ),
    t!(
        "leftmost first",
        "以太坊和以太坊虚拟机",
        [("ethereum", "以太坊"), ("evm", "以太坊虚拟机")]
    ),
    t!(
        "context present",
        "Apple sold the iPhone",
        [("apple", "Apple")]
    ),
    t!(
        "context present, folded",
        "苹果公司发布了ＩＰＨＯＮＥ",
        [("apple", "苹果公司")]
    ),
    t!("context absent", "an apple a day", []),
    t!("context term obeys word boundaries", "Apple MacBook", []),
    t!(
        "rejected longer candidate does not hide a shorter one",
        "NFT Market 火热",
        [("nft", "NFT")]
    ),
    t!(
        "longer candidate with its context",
        "NFT Market 交易量",
        [("nft-market", "NFT Market")]
    ),
    t!(
        "alias with a dot and space",
        "Web 3.0 时代",
        [("web3", "Web 3.0")]
    ),
    t!(
        "several entities",
        "沃尔玛和IBM用区块链",
        [("walmart", "沃尔玛"), ("blockchain", "区块链")]
    ),
];

#[test]
fn matching_rules() {
    let mut failures = Vec::new();
    for row in ROWS {
        let got = found(row.text);
        let want: Vec<(String, String)> = row
            .want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        if got != want {
            failures.push(format!(
                "{}: {:?}\n    want {:?}\n    got  {:?}",
                row.rule, row.text, want, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rule(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn matcher_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Matcher>();
    assert_send_sync::<Dictionary>();
}

#[test]
fn matcher_shared_across_threads() {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| found("ＮＦＴ 和 區塊鏈")))
            .collect();
        for h in handles {
            assert_eq!(
                h.join().unwrap(),
                vec![
                    ("nft".into(), "ＮＦＴ".into()),
                    ("blockchain".into(), "區塊鏈".into())
                ]
            );
        }
    });
}

#[test]
fn shipped_dictionaries_load_and_match() {
    let d = dict::load(&dict::default_sources()).expect("shipped dictionaries are valid");
    let m = Matcher::new(&d);
    let hits = m.find("去中心化金融（DeFi）");
    let ids: Vec<&str> = hits
        .iter()
        .map(|h| d.entities[h.entity as usize].id.as_str())
        .collect();
    assert_eq!(ids, ["defi", "defi"]);
}

// ---- dictionary errors: one fixture per kind, message and line ----

fn errors_of(files: &[&str]) -> Vec<kgx::Warning> {
    let sources: Vec<DictSource> = files
        .iter()
        .map(|f| source(&format!("{FIXTURES}/errors/{f}")))
        .collect();
    let checked = dict::check(&sources);
    let loaded = dict::load(&sources).expect_err("fixture is invalid");
    assert_eq!(checked, loaded, "check and load report the same problems");
    checked
}

#[test]
fn dictionary_errors() {
    let cases: &[(&str, u32, &str)] = &[
        ("syntax.toml", 5, "TOML syntax error"),
        ("missing_id.toml", 4, "entity has no `id`"),
        ("missing_label.toml", 4, "entity has no `label`"),
        ("missing_aliases.toml", 4, "entity has no `aliases`"),
        ("bad_id.toml", 5, "invalid id `DeFi Protocol`"),
        (
            "duplicate_id.toml",
            10,
            "duplicate id `a` (first defined at",
        ),
        ("empty_alias.toml", 9, "empty alias"),
        (
            "same_alias.toml",
            13,
            "alias \"NFT\" is also an alias of `a`",
        ),
        (
            "fold_fullwidth.toml",
            13,
            "alias \"ＮＦＴ\" is the same as alias \"NFT\" of `a` after normalisation",
        ),
        (
            "fold_traditional.toml",
            12,
            "alias \"區塊鏈\" is the same as alias \"区块链\" of `a` after normalisation",
        ),
        (
            "broader_missing.toml",
            9,
            "broader id `finance` does not exist",
        ),
        ("unknown_key.toml", 7, "unknown key `alias`"),
        ("empty_context.toml", 8, "empty context term"),
        (
            "alias_type.toml",
            7,
            "`aliases` must be an array of strings",
        ),
    ];
    let mut failures = Vec::new();
    for (file, line, message) in cases {
        let errors = errors_of(&[file]);
        let ok = errors.len() == 1
            && errors[0].line == Some(*line)
            && errors[0].message.contains(message)
            && errors[0].path.ends_with(file);
        if !ok {
            failures.push(format!(
                "{file}: want line {line} {message:?}, got {errors:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let files = [
        "missing_id.toml",
        "bad_id.toml",
        "same_alias.toml",
        "broader_missing.toml",
    ];
    let all = errors_of(&files);
    for file in files {
        for e in errors_of(&[file]) {
            assert!(all.contains(&e), "{e} missing from {all:?}");
        }
    }
    // Across files, the fixtures also clash with each other (ids `a`, alias `A`).
    assert!(
        all.iter()
            .any(|e| e.message.starts_with("duplicate id `a`")),
        "{all:?}"
    );
    let order: Vec<_> = all
        .iter()
        .map(|e| (files.iter().position(|f| e.path.ends_with(f)), e.line))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "file order, then line order: {order:?}"
    );
}

#[test]
fn duplicate_id_across_dictionaries() {
    let a = DictSource {
        path: "a.toml".into(),
        text: "[[entity]]\nid = \"x\"\nlabel = \"X\"\naliases = [\"X\"]\n".into(),
    };
    let b = DictSource {
        path: "b.toml".into(),
        text: "\n[[entity]]\nid = \"x\"\nlabel = \"Y\"\naliases = [\"Y\"]\n".into(),
    };
    let errors = dict::check(&[a, b]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].path.as_str(), errors[0].line),
        ("b.toml", Some(3))
    );
    assert!(
        errors[0].message.contains("first defined at a.toml:1"),
        "{errors:?}"
    );
}

#[test]
fn case_sensitive_entities_may_share_a_folded_alias() {
    let text = "[[entity]]\nid = \"near\"\nlabel = \"NEAR\"\naliases = [\"NEAR\"]\ncase_sensitive = true\n\
                [[entity]]\nid = \"near-word\"\nlabel = \"Near\"\naliases = [\"Near\"]\ncase_sensitive = true\n";
    let d = dict::load(&[DictSource {
        path: "cs.toml".into(),
        text: text.into(),
    }])
    .expect("valid");
    let m = Matcher::new(&d);
    let ids: Vec<&str> = m
        .find("NEAR Near near")
        .iter()
        .map(|h| d.entities[h.entity as usize].id.as_str())
        .collect();
    assert_eq!(ids, ["near", "near-word"]);
}

// ---- properties ----

/// Pieces that exercise the fold and the rules: aliases in several forms, letters that stick
/// to them, CJK, full-width, dashes, spaces, endings, combining marks, NFKC expansions.
const PIECES: &[&str] = &[
    "NFT",
    "ＮＦＴ",
    "nft",
    "s",
    "es",
    "'s",
    "’s",
    "AI",
    "Open",
    "以太坊",
    "虚拟机",
    "虛擬機",
    "区块链",
    "區塊鏈",
    "Proof",
    "-",
    "‐",
    "of",
    "Work",
    " ",
    "  ",
    "\n",
    "Walmart",
    "Smart Contract",
    "x",
    "9",
    "，",
    "（",
    "）",
    "e\u{301}",
    "\u{301}",
    "㎏",
    "\u{AD}",
    "NEAR",
    "near",
    "Apple",
    "iPhone",
    "NFT Market",
    "交易",
    "Web",
    "3",
    " 3.0",
    "Tax",
    "İ",
    "ß",
    "한",
    "\u{1100}\u{1161}",
    "𠀀",
    "\u{FF9E}",
    "ｶ",
];

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..24).prop_map(|v| v.concat())
}

/// The fold written the slow, obvious way: NFKC of the whole string, then per character
/// Traditional→Simplified, simple lowercase, dropping ignorables, the hyphen rule and
/// whitespace collapsing.
fn reference_fold(s: &str) -> String {
    use kgx::text::{is_dash, is_ignorable, is_latin_alnum, t2s_char};
    use unicode_normalization::UnicodeNormalization;
    let lower = |c: char| {
        if c == 'ς' {
            return 'σ';
        }
        let mut l = c.to_lowercase();
        match (l.next(), l.next()) {
            (Some(x), None) => x,
            _ => c,
        }
    };
    let chars: Vec<char> = s
        .nfkc()
        .filter(|&c| !is_ignorable(c))
        .map(|c| lower(t2s_char(c)))
        .collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let c = if is_dash(c)
            && out.chars().next_back().is_some_and(is_latin_alnum)
            && chars.get(i + 1).is_some_and(|&n| is_latin_alnum(n))
        {
            ' '
        } else {
            c
        };
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn folded_aliases(entity: usize) -> Vec<String> {
    DICT.entities[entity]
        .aliases
        .iter()
        .map(|a| fold_str(a, true))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn matches_are_sorted_disjoint_and_point_at_an_alias(text in text_strategy()) {
        let ms = MATCHER.find(&text);
        for w in ms.windows(2) {
            prop_assert!(w[0].end <= w[1].start, "overlap {:?} in {:?}", w, text);
        }
        for m in &ms {
            prop_assert!(m.start < m.end);
            prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
            let got = fold_str(&text[m.start..m.end], true);
            let ok = folded_aliases(m.entity as usize).iter().any(|a| {
                ["", "s", "es", "'s", "’s"].iter().any(|e| got == format!("{a}{e}"))
            });
            prop_assert!(ok, "{:?} (from {:?}) is no alias of {}", got, text, DICT.entities[m.entity as usize].id);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
        let ms = MATCHER.find(&text);
        for m in &ms {
            prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        }
    }

    #[test]
    fn fold_equals_whole_string_reference(text in text_strategy()) {
        prop_assert_eq!(kgx::text::fold(&text, true).text, reference_fold(&text));
    }

    #[test]
    fn fold_map_is_monotone_and_in_bounds(text in text_strategy()) {
        let f = kgx::text::fold(&text, true);
        let mut last = 0;
        for i in 0..=f.text.len() {
            let s = f.source_start(i);
            prop_assert!(s >= last && s <= text.len());
            prop_assert!(text.is_char_boundary(s));
            last = s;
        }
    }
}

// ---- speed (not run by default) ----

/// Reads every file under `dir`, sorted.
fn read_corpus(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md" || x == "markdown") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// A synthetic dictionary of `n` aliases, four per entity: half Latin pseudo-words (one to
/// three words), half CJK strings of 2–5 characters drawn from the corpus's own characters by
/// frequency (so they do occur, as the aliases of a real big dictionary do).
fn synthetic_dictionary(n: usize, corpus: &[String]) -> String {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut cjk: Vec<char> = corpus
        .iter()
        .flat_map(|t| t.chars())
        .filter(|&c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
        .collect();
    cjk.truncate(2_000_000);
    let syllables = [
        "ka", "zor", "lin", "tri", "vex", "mo", "qua", "del", "run", "ix", "pel", "sta", "gon",
        "bu", "ren", "tal",
    ];
    let mut seen = std::collections::HashSet::new();
    let mut out = String::from("name = \"synthetic\"\n");
    let mut aliases = Vec::new();
    while seen.len() < n {
        let alias = if rand() % 2 == 0 {
            let words = 1 + rand() % 3;
            (0..words)
                .map(|_| {
                    let len = 2 + rand() % 3;
                    let w: String = (0..len)
                        .map(|_| syllables[(rand() % 16) as usize])
                        .collect();
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            let len = 2 + rand() % 4;
            (0..len)
                .map(|_| cjk[(rand() as usize) % cjk.len()])
                .collect()
        };
        if seen.insert(kgx::text::fold_str(&alias, true)) {
            aliases.push(alias);
        }
    }
    for (i, chunk) in aliases.chunks(4).enumerate() {
        let list: Vec<String> = chunk.iter().map(|a| format!("{a:?}")).collect();
        out.push_str(&format!(
            "\n[[entity]]\nid = \"e{i}\"\nlabel = {:?}\naliases = [{}]\n",
            chunk[0],
            list.join(", ")
        ));
    }
    out
}

fn mb_per_s(bytes: usize, d: std::time::Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

/// CPU time of this thread (Linux `schedstat`), so a loaded machine does not skew the figure.
fn thread_cpu() -> Option<std::time::Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(std::time::Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// Best of `rounds` runs of `f`, by thread CPU time where available, else wall time.
fn best_time(rounds: usize, f: &dyn Fn() -> usize) -> std::time::Duration {
    (0..rounds)
        .map(|_| {
            let (w, c) = (std::time::Instant::now(), thread_cpu());
            std::hint::black_box(f());
            match (c, thread_cpu()) {
                (Some(a), Some(b)) => b - a,
                _ => w.elapsed(),
            }
        })
        .min()
        .unwrap_or_default()
}

/// `cargo test --release --test matching -- --ignored --nocapture speed`
/// (corpus from `KGX_BENCH_CORPUS`, default `shared/corpus/w3er` beside the checkout).
#[test]
#[ignore = "measures speed; run in release"]
fn speed_on_corpus() {
    let dir = std::env::var("KGX_BENCH_CORPUS").unwrap_or_else(|_| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let candidates = [
            root.join("../shared/corpus/w3er"),
            root.join("../../shared/corpus/w3er"),
        ];
        candidates
            .iter()
            .find(|p| p.is_dir())
            .unwrap_or(&candidates[0])
            .display()
            .to_string()
    });
    let corpus = read_corpus(Path::new(&dir));
    if corpus.is_empty() {
        eprintln!("no corpus at {dir}; set KGX_BENCH_CORPUS");
        return;
    }
    let bytes: usize = corpus.iter().map(String::len).sum();
    let rounds = 5;
    println!(
        "corpus: {} files, {:.1} MB, best of {rounds} by thread CPU time",
        corpus.len(),
        bytes as f64 / 1e6
    );
    let best = |f: &dyn Fn() -> usize| best_time(rounds, f);
    let d = best(&|| {
        corpus
            .iter()
            .map(|t| kgx::text::fold(t, true).text.len())
            .sum()
    });
    println!(
        "fold:                          {:7.1} MB/s",
        mb_per_s(bytes, d)
    );

    let mut shipped_speed = 0.0;
    let mut sources = vec![("shipped".to_string(), dict::default_sources())];
    for n in [2_000, 6_000, 100_000] {
        let text = synthetic_dictionary(n, &corpus);
        sources.push((
            format!("synthetic {}k", n / 1000),
            vec![DictSource {
                path: "synthetic.toml".into(),
                text,
            }],
        ));
    }
    for (name, src) in sources {
        let cpu = || thread_cpu().unwrap_or_default();
        let t = cpu();
        let d = dict::load(&src).unwrap();
        let load = cpu() - t;
        let t = cpu();
        let m = Matcher::new(&d);
        let build = cpu() - t;
        let aliases: usize = d.entities.iter().map(|e| e.aliases.len()).sum();
        let time = best(&|| corpus.iter().map(|t| m.find(t).len()).sum());
        let hits: usize = corpus.iter().map(|t| m.find(t).len()).sum();
        let speed = mb_per_s(bytes, time);
        if name == "shipped" {
            shipped_speed = speed;
        }
        println!(
            "match, {name:>14} ({aliases:>6} aliases): {speed:6.1} MB/s ({:3.0}% of shipped), {hits:>6} matches; load {load:.2?}, matcher build {build:.2?}",
            100.0 * speed / shipped_speed
        );
    }
}
