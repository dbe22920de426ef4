//! The `kgx` binary end to end: exit codes, `path:line` in warnings, nothing half-written
//! after a failure, byte-identical output across runs, `--jobs`, the cache and the
//! extract/merge halves.

use assert_cmd::Command;
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn kgx() -> Command {
    Command::cargo_bin("kgx").unwrap()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data() -> PathBuf {
    root().join("data")
}

/// Every file of a folder (recursively), relative path → bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

/// Runs `kgx ARGS... --quiet` and asserts it succeeds.
fn ok<I, S>(args: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    kgx().args(args).arg("--quiet").assert().success();
}

const EXPORTS: [&str; 6] = [
    "edges.csv",
    "graph.gexf",
    "graph.graphml",
    "graph.graphology.json",
    "graph.json",
    "nodes.csv",
];

#[test]
fn build_writes_every_export_and_a_summary() {
    let out = tempfile::tempdir().unwrap();
    kgx()
        .args(["build"])
        .arg(data())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("articles").and(predicate::str::contains("sections")));
    let got: Vec<String> = files(out.path()).into_keys().collect();
    assert_eq!(got, EXPORTS);
}

#[test]
fn output_is_byte_identical_across_runs_and_jobs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    for (dir, jobs) in [(&a, "1"), (&b, "2"), (&c, "4")] {
        kgx()
            .arg("build")
            .arg(data())
            .arg("--out")
            .arg(dir.path())
            .args(["--jobs", jobs, "--quiet"])
            .assert()
            .success();
    }
    let fa = files(a.path());
    assert_eq!(fa.len(), 6);
    assert_eq!(fa, files(b.path()));
    assert_eq!(fa, files(c.path()));
}

#[test]
fn bad_input_is_a_warning_with_file_and_line_and_the_rest_is_processed() {
    let out = tempfile::tempdir().unwrap();
    let assert = kgx()
        .arg("build")
        .arg(data())
        .arg(root().join("tests/fixtures/bad"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("invalid-utf8.md:"), "{stderr}");
    assert!(stderr.contains("broken-yaml.md:"), "{stderr}");
    assert!(stderr.contains("binary.md"), "{stderr}");
    assert!(stderr.contains("empty.md"), "{stderr}");
    // `path:line: warning:` for the ones that have a line.
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("broken-yaml.md:") && l.contains(": warning: ")),
        "{stderr}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("graph.json")).unwrap()).unwrap();
    let ids: Vec<&str> = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"article:broken-yaml.md"),
        "an article with broken front matter is still read"
    );
    assert!(
        ids.contains(&"article:invalid-utf8.md"),
        "invalid UTF-8 is read lossily"
    );
    assert!(ids.contains(&"article:walmart-supply-chain.md"));
}

#[test]
fn strict_turns_warnings_into_errors_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("o");
    kgx()
        .arg("build")
        .arg(root().join("tests/fixtures/bad"))
        .arg("--out")
        .arg(&target)
        .arg("--strict")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(": error: "));
    assert!(files(&target).is_empty());
}

#[test]
fn an_unwritable_output_is_an_error_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a folder").unwrap();
    kgx()
        .arg("build")
        .arg(data())
        .arg("--out")
        .arg(blocker.join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write"));
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "not a folder");
}

#[test]
fn no_input_and_usage_errors_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    kgx()
        .arg("build")
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no readable Markdown"));
    kgx().args(["build", "--no-such-flag"]).assert().code(2);
    kgx().args(["frobnicate"]).assert().code(2);
}

#[test]
fn an_invalid_dictionary_is_fatal_and_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"bad\"\n\n[[entity]]\nid = \"x\"\nlabel = \"X\"\ntype = \"Concept\"\naliases = [\"\"]\n").unwrap();
    kgx()
        .arg("build")
        .arg(data())
        .arg("--dict")
        .arg(&bad)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.toml:"));
    kgx()
        .args(["dict", "check"])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.toml:7"));
    for f in std::fs::read_dir(root().join("dictionaries")).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_some_and(|x| x == "toml") {
            kgx().args(["dict", "check"]).arg(path).assert().success();
        }
    }
}

#[test]
fn extract_then_merge_equals_build() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    ok([
        std::ffi::OsStr::new("build"),
        data().as_os_str(),
        "--out".as_ref(),
        whole.as_os_str(),
    ]);
    let records = dir.path().join("records.jsonl");
    ok([
        std::ffi::OsStr::new("extract"),
        data().as_os_str(),
        "--out".as_ref(),
        records.as_os_str(),
    ]);
    let merged = dir.path().join("merged");
    ok([
        std::ffi::OsStr::new("merge"),
        records.as_os_str(),
        "--out".as_ref(),
        merged.as_os_str(),
    ]);
    assert_eq!(files(&whole), files(&merged));

    // Through stdin, as Spark pipes records.
    let mut lines = String::new();
    for (rel, bytes) in files(&data()) {
        let content = String::from_utf8_lossy(&bytes).to_string();
        lines += &serde_json::json!({"path": rel, "content": content}).to_string();
        lines += "\n";
    }
    lines += "this line is not JSON\n";
    let out = kgx()
        .args(["extract", "--stdin"])
        .write_stdin(lines)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("<stdin>:"),
        "a malformed line names its line: {stderr}"
    );
    let piped = dir.path().join("piped.jsonl");
    std::fs::write(&piped, &out.get_output().stdout).unwrap();
    let merged2 = dir.path().join("merged2");
    ok([
        std::ffi::OsStr::new("merge"),
        piped.as_os_str(),
        "--out".as_ref(),
        merged2.as_os_str(),
    ]);
    assert_eq!(files(&whole), files(&merged2));
}

#[test]
fn merge_refuses_records_of_other_dictionaries() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("r.jsonl");
    ok([
        std::ffi::OsStr::new("extract"),
        data().as_os_str(),
        "--out".as_ref(),
        records.as_os_str(),
    ]);
    let extra = dir.path().join("extra.toml");
    std::fs::write(&extra, "name = \"extra\"\n\n[[entity]]\nid = \"zz-extra\"\nlabel = \"Zzyzx\"\ntype = \"Concept\"\naliases = [\"Zzyzx\"]\n").unwrap();
    kgx()
        .arg("merge")
        .arg(&records)
        .arg("--dict")
        .arg(&extra)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("dictionaries"));
}

/// A copy of `data/` in `dir/corpus`, to edit.
fn copy_of_data(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    for (rel, bytes) in files(&data()) {
        let p = corpus.join(&rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    corpus
}

/// `kgx build CORPUS --out DIR/OUT -v ARGS...`: the files written and stderr.
fn build_verbose(
    corpus: &Path,
    dir: &Path,
    out: &str,
    args: &[&std::ffi::OsStr],
) -> (BTreeMap<String, Vec<u8>>, Vec<u8>) {
    let mut c = kgx();
    c.arg("build")
        .arg(corpus)
        .arg("--out")
        .arg(dir.join(out))
        .arg("-v")
        .args(args);
    let stderr = c.assert().success().get_output().stderr.clone();
    (files(&dir.join(out)), stderr)
}

#[test]
fn a_cached_rebuild_writes_what_a_clean_build_writes() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = copy_of_data(dir.path());
    let cache = dir.path().join("cache");
    let run = |out: &str, cached: bool| {
        let mut c = kgx();
        c.arg("build")
            .arg(&corpus)
            .arg("--out")
            .arg(dir.path().join(out));
        if cached {
            c.arg("--cache").arg(&cache);
        }
        c.assert().success();
        files(&dir.path().join(out))
    };
    assert_eq!(run("a", true), run("clean-a", false));
    // Edit one post, delete one, add one.
    let edited = corpus.join("walmart-supply-chain.md");
    let text = std::fs::read_to_string(&edited).unwrap() + "\n\nIBM 与沃尔玛继续合作。\n";
    std::fs::write(&edited, text).unwrap();
    std::fs::remove_file(corpus.join("nft-art-market.md")).unwrap();
    std::fs::write(
        corpus.join("new-post.md"),
        "---\ntitle: New\n---\n\n# DeFi news\n\nDeFi and NFT again.\n",
    )
    .unwrap();
    let cached = kgx()
        .arg("build")
        .arg(&corpus)
        .arg("--out")
        .arg(dir.path().join("b"))
        .arg("--cache")
        .arg(&cache)
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&cached.get_output().stderr).contains("from cache"));
    assert_eq!(files(&dir.path().join("b")), run("clean-b", false));
    // A corrupt cache is a warning and is rebuilt.
    for f in std::fs::read_dir(&cache).unwrap() {
        let p = f.unwrap().path();
        if !p.is_file() {
            continue;
        }
        let mut bytes = std::fs::read(&p).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x20;
        std::fs::write(&p, bytes).unwrap();
    }
    let out = kgx()
        .arg("build")
        .arg(&corpus)
        .arg("--out")
        .arg(dir.path().join("c"))
        .arg("--cache")
        .arg(&cache)
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("warning"));
    assert_eq!(
        files(&dir.path().join("c")),
        files(&dir.path().join("clean-b"))
    );
}

#[test]
fn related_and_report_write_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let related = dir.path().join("related.json");
    kgx()
        .arg("related")
        .arg(data())
        .args(["--top", "3", "--out"])
        .arg(&related)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&related).unwrap()).unwrap();
    let list = json["walmart-supply-chain.md"]
        .as_array()
        .expect("an entry per article id");
    assert!(!list.is_empty() && list.len() <= 3);
    assert!(list[0]["shared"].as_array().is_some_and(|s| !s.is_empty()));
    kgx()
        .arg("report")
        .arg(data())
        .arg("--out")
        .arg(dir.path().join("r"))
        .assert()
        .success();
    let html = std::fs::read_to_string(dir.path().join("r/report.html")).unwrap();
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "corpus text is escaped"
    );
    assert!(dir.path().join("r/report.json").exists());
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("kgx"))
        .arg("extract")
        .arg(data())
        .arg("--quiet")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with('{'));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_entity_projection_is_small_and_valid_json() {
    let dir = tempfile::tempdir().unwrap();
    kgx()
        .arg("build")
        .arg(data())
        .args(["--graph", "entities", "--format", "json", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("graph.json")).unwrap()).unwrap();
    for n in json["nodes"].as_array().unwrap() {
        let kind = n["kind"].as_str().unwrap();
        assert!(kind == "entity" || kind == "topic", "{kind}");
    }
    assert_eq!(files(dir.path()).len(), 1, "only the asked format");
}

#[test]
fn dict_suggest_mines_definitions_and_missing_aliases() {
    let dir = tempfile::tempdir().unwrap();
    for (i, extra) in ["", "再次说明。"].iter().enumerate() {
        std::fs::write(
            dir.path().join(format!("p{i}.md")),
            format!(
                "# 货币\n\n央行数码货币（CBDC）正在试点。{extra}\n\nThe Zeta Quantum Ledger (ZQL) settles trades. ZQL is fast.\n"
            ),
        )
        .unwrap();
    }
    let out = kgx()
        .args(["dict", "suggest", "--json"])
        .arg(dir.path())
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let aliases = json["aliases"].as_array().unwrap();
    assert!(
        aliases.iter().any(|a| a["entity"] == "cbdc"
            && a["alias"] == "央行数码货币"
            && a["example"].as_str().unwrap().starts_with("p0.md:3")),
        "{aliases:?}"
    );
    let entries = json["entries"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["label"] == "ZQL"
            && e["aliases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "Zeta Quantum Ledger")),
        "{entries:?}"
    );
    let text = kgx()
        .args(["dict", "suggest"])
        .arg(dir.path())
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&text.get_output().stdout).contains("[[entity]]"));
}

/// The bytes `kgx build -v` says it copied from the last build's exports.
fn copied(stderr: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .find(|l| l.contains("rows copied from the last build"))
        .unwrap_or_else(|| panic!("no rows line in {text}"));
    line.split("build: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_rebuild_copies_the_rows_of_unchanged_articles_and_trusts_no_changed_file() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = copy_of_data(dir.path());
    let cache = dir.path().join("cache");
    let with_cache = [std::ffi::OsStr::new("--cache"), cache.as_os_str()];
    let build = |out: &str, cached: bool| {
        build_verbose(
            &corpus,
            dir.path(),
            out,
            if cached { &with_cache } else { &[] },
        )
    };
    let (_, first) = build("a", true);
    assert_eq!(copied(&first), 0, "nothing to copy from yet");
    let edited = corpus.join("walmart-supply-chain.md");
    let text =
        std::fs::read_to_string(&edited).unwrap() + "\n\n## 新的一节\n\nIBM 与沃尔玛继续合作。\n";
    std::fs::write(&edited, text).unwrap();
    std::fs::remove_file(corpus.join("nft-art-market.md")).unwrap();
    let (b, second) = build("b", true);
    let (clean, _) = build("clean", false);
    assert_eq!(b, clean);
    let all: u64 = b.values().map(|f| f.len() as u64).sum();
    let reused = copied(&second);
    assert!(reused > all / 4, "copied {reused} of {all} bytes");

    // A kept export changed in place is not trusted: its rows are rendered again.
    let kept = cache.join("exports").join("graph.gexf");
    let mut bytes = std::fs::read(&kept).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(&kept, bytes).unwrap();
    let (c, third) = build("c", true);
    assert_eq!(c, clean);
    let gexf = clean["graph.gexf"].len() as u64;
    assert!(
        copied(&third) > 0 && copied(&third) < all - gexf / 2,
        "{}",
        copied(&third)
    );

    // An index that does not check out is a warning; everything is rendered, the same bytes.
    let index = cache.join("exports.idx");
    let mut bytes = std::fs::read(&index).unwrap();
    bytes[10] ^= 0x01;
    std::fs::write(&index, bytes).unwrap();
    let (d, fourth) = build("d", true);
    assert_eq!(d, clean);
    assert_eq!(copied(&fourth), 0);
    let text = String::from_utf8_lossy(&fourth);
    assert!(
        text.contains("exports.idx") && text.contains("checksum"),
        "{text}"
    );
    // And the rows are kept again for the next build.
    let (_, fifth) = build("e", true);
    assert!(copied(&fifth) > all / 2);

    // Other dictionaries make other rows from the same files: nothing is copied.
    let extra = dir.path().join("extra.toml");
    std::fs::write(
        &extra,
        "name = \"extra\"\n\n[[entity]]\nid = \"kgx-test-cooperation\"\nlabel = \"Cooperation\"\ntype = \"Concept\"\naliases = [\"继续合作\"]\n",
    )
    .unwrap();
    let with_extra = |out: &str, cached: bool| {
        let dict = [std::ffi::OsStr::new("--dict"), extra.as_os_str()];
        let args: Vec<&std::ffi::OsStr> = if cached {
            dict.iter().chain(&with_cache).copied().collect()
        } else {
            dict.to_vec()
        };
        build_verbose(&corpus, dir.path(), out, &args)
    };
    let (f, sixth) = with_extra("f", true);
    assert_eq!(copied(&sixth), 0);
    assert_eq!(f, with_extra("clean-f", false).0);
    assert_ne!(f, clean, "the extra entity is found");

    // Exports written where the cache keeps them stay there, and are copied from next time.
    let (g, _) = build_verbose(&corpus, &cache, "exports", &with_cache);
    let (again, seventh) = build_verbose(&corpus, &cache, "exports", &with_cache);
    assert_eq!(g, clean);
    assert_eq!(again, clean);
    assert!(copied(&seventh) > all / 2);
}
