//! The documents stage: walking, reading, front matter, sections and prose (SPEC §1, §2).
//!
//! `spec_cases` runs the readable Markdown → sections/prose cases of `tests/spec/prose.md`;
//! the other tests check each rule on the sample posts of `data/` and the bad inputs of
//! `tests/fixtures/bad/`, and a property test feeds arbitrary text to the parser.

use kgx::document::{self, Document};
use kgx::frontmatter;
use kgx::input::{self, SourceEntry};
use proptest::prelude::*;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Parses a post of `data/` by its article id, asserting it has no warnings.
fn post(id: &str) -> Document {
    let (doc, warnings) = post_with_warnings(id);
    assert!(
        warnings.is_empty(),
        "{id}: unexpected warnings {warnings:?}"
    );
    doc
}

fn post_with_warnings(id: &str) -> (Document, Vec<kgx::Warning>) {
    let text = std::fs::read_to_string(root().join("data").join(id)).unwrap();
    document::parse(id, &text)
}

fn section<'a>(doc: &'a Document, heading: &str) -> &'a document::Section {
    doc.sections
        .iter()
        .find(|s| s.heading == heading)
        .unwrap_or_else(|| panic!("{}: no section {heading:?}", doc.id))
}

/// The spec file's rendering of a document: title, then each section's header and prose.
fn render(doc: &Document) -> String {
    let mut out = format!("title: {}\n", doc.title);
    for s in &doc.sections {
        let parent = s
            .parent
            .map_or("-".to_string(), |p| doc.sections[p].order.to_string());
        out += &format!(
            "§{} level={} line={} parent={} path={}\n",
            s.order, s.level, s.line, parent, s.heading_path
        );
        out += &s.prose.text;
        out.push('\n');
    }
    out
}

fn normalise(s: &str) -> String {
    s.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

#[test]
fn spec_cases() {
    let spec = std::fs::read_to_string(root().join("tests/spec/prose.md")).unwrap();
    let mut name = String::new();
    let mut block: Option<(&str, String)> = None;
    let mut input = None;
    let mut failures = Vec::new();
    let mut cases = 0;
    for line in spec.lines() {
        if let Some((kind, text)) = &mut block {
            if line == "````" {
                match *kind {
                    "markdown" => input = Some(std::mem::take(text)),
                    _ => {
                        let md = input
                            .take()
                            .unwrap_or_else(|| panic!("case {name:?}: expected before markdown"));
                        cases += 1;
                        let (doc, _) = document::parse("case.md", &md);
                        let got = normalise(&render(&doc));
                        let want = normalise(text);
                        if got != want {
                            failures.push(format!("## {name}\n--- want\n{want}\n--- got\n{got}\n"));
                        }
                        check_offsets(&md, &doc);
                    }
                }
                block = None;
            } else {
                text.push_str(line);
                text.push('\n');
            }
        } else if let Some(h) = line.strip_prefix("## ") {
            name = h.to_string();
        } else if line == "````markdown" {
            block = Some(("markdown", String::new()));
        } else if line == "````expected" {
            block = Some(("expected", String::new()));
        }
    }
    assert!(cases >= 25, "only {cases} spec cases found");
    assert!(
        failures.is_empty(),
        "{} of {cases} spec cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every prose byte maps into the file, and every verbatim run is the source bytes.
fn check_offsets(text: &str, doc: &Document) {
    let proses = std::iter::once(&doc.title_prose).chain(doc.sections.iter().map(|s| &s.prose));
    for p in proses {
        for (i, piece) in p.pieces.iter().enumerate() {
            let end = p
                .pieces
                .get(i + 1)
                .map_or(p.text.len(), |n| n.prose as usize);
            let run = &p.text[piece.prose as usize..end];
            if piece.verbatim {
                let src = piece.source as usize;
                assert_eq!(
                    text.get(src..src + run.len()),
                    Some(run),
                    "{}: verbatim run {run:?}",
                    doc.id
                );
            }
        }
        for at in 0..p.text.len() {
            assert!(
                p.source_offset(at) < text.len().max(1),
                "{}: prose byte {at} maps outside the file",
                doc.id
            );
        }
    }
}

// ---- walking and reading -------------------------------------------------------------------

#[test]
fn walk_finds_every_post_sorted_with_relative_ids() {
    let (entries, warnings) = input::walk(&[root().join("data")]);
    assert!(warnings.is_empty(), "{warnings:?}");
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert!(ids.len() >= 12, "{ids:?}");
    assert!(
        ids.contains(&"enterprise/hyperledger-fabric-intro.md"),
        "{ids:?}"
    );
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert!(ids
        .iter()
        .all(|id| !id.contains('\\') && !id.starts_with('/')));
}

#[test]
fn walk_skips_hidden_folders_node_modules_and_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for f in [
        "a.md",
        "b.markdown",
        "C.MD",
        "notes.txt",
        "sub/deep/c.md",
        ".hidden/x.md",
        ".git/y.md",
        "node_modules/pkg/readme.md",
        "sub/node_modules/z.md",
    ] {
        let p = d.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "# x\n").unwrap();
    }
    let (entries, warnings) = input::walk(&[d.to_path_buf()]);
    assert!(warnings.is_empty(), "{warnings:?}");
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["C.MD", "a.md", "b.markdown", "sub/deep/c.md"]);
}

#[test]
fn walk_file_arguments_missing_paths_and_duplicates() {
    let data = root().join("data");
    let file = data.join("enterprise/cbdc-cross-border.md");
    let missing = root().join("no-such-folder");
    let (entries, warnings) = input::walk(&[file.clone(), missing, data.clone(), data.clone()]);
    // The file argument's id is its name; the folder's copy has another id; the folder named
    // twice is deduplicated silently.
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.id == "cbdc-cross-border.md")
            .count(),
        1
    );
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.id == "enterprise/cbdc-cross-border.md")
            .count(),
        1
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].path.ends_with("no-such-folder"));
    let ids: Vec<&String> = entries.iter().map(|e| &e.id).collect();
    let mut dedup = ids.clone();
    dedup.dedup();
    assert_eq!(ids, dedup);

    // Two folders with the same relative path: the first argument wins, with a warning.
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    std::fs::write(a.path().join("same.md"), "a").unwrap();
    std::fs::write(b.path().join("same.md"), "b").unwrap();
    let (entries, warnings) = input::walk(&[a.path().to_path_buf(), b.path().to_path_buf()]);
    assert_eq!(entries.len(), 1);
    assert!(entries[0].path.starts_with(a.path()));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
}

fn bad(name: &str) -> input::Loaded {
    let entry = SourceEntry {
        id: name.to_string(),
        path: root().join("tests/fixtures/bad").join(name),
    };
    input::read(&entry)
}

#[test]
fn invalid_utf8_is_read_lossily_with_the_line() {
    let l = bad("invalid-utf8.md");
    let text = l.text.expect("still read");
    assert_eq!(l.warnings.len(), 1);
    assert_eq!(l.warnings[0].path, "invalid-utf8.md");
    assert_eq!(l.warnings[0].line, Some(7));
    let (doc, w) = document::parse("invalid-utf8.md", &text);
    assert!(w.is_empty());
    assert_eq!(doc.title, "坏字节");
    assert!(doc.sections[0]
        .prose
        .text
        .contains("\u{FFFD}\u{FFFD}之后继续"));
}

#[test]
fn empty_and_binary_files_are_skipped_with_a_warning() {
    for name in ["empty.md", "binary.md"] {
        let l = bad(name);
        assert!(l.text.is_none(), "{name}");
        assert_eq!(l.warnings.len(), 1, "{name}");
        assert_eq!(l.warnings[0].path, name);
    }
    assert_eq!(bad("binary.md").warnings[0].line, Some(3)); // the NUL after two newlines
    let l = bad("whitespace-only.md");
    let (doc, w) = document::parse("whitespace-only.md", &l.text.unwrap());
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(doc.sections.is_empty());
    assert_eq!(doc.title, "whitespace-only");
}

#[test]
fn unreadable_path_is_a_warning() {
    let entry = SourceEntry {
        id: "gone.md".into(),
        path: root().join("tests/fixtures/bad/gone.md"),
    };
    let l = input::read(&entry);
    assert!(l.text.is_none());
    assert_eq!(l.warnings[0].path, "gone.md");
}

#[test]
fn a_very_large_file_is_read_and_parsed() {
    let para =
        "区块链与以太坊上的去中心化金融（DeFi）正在改变支付。Smart contracts run on Ethereum.\n\n";
    let mut text = String::from("---\ntitle: Big\n---\n");
    let mut n = 0;
    while text.len() < 24 << 20 {
        n += 1;
        text += &format!("## Part {n}\n\n**Bold {n}**\n\n");
        for _ in 0..40 {
            text += para;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.md");
    std::fs::write(&path, &text).unwrap();
    let l = input::read(&SourceEntry {
        id: "big.md".into(),
        path,
    });
    assert!(l.warnings.is_empty());
    let (doc, w) = document::parse("big.md", &l.text.unwrap());
    assert!(w.is_empty());
    assert_eq!(doc.sections.len(), 2 * n);
    let last = doc.sections.last().unwrap();
    assert_eq!(last.heading, format!("Bold {n}"));
    assert_eq!(last.level, 3);
    assert_eq!(doc.lines.line(last.prose.source_offset(0)), last.line);
}

// ---- front matter on the sample posts ------------------------------------------------------

#[test]
fn yaml_front_matter_fields() {
    let d = post("defi-2024-outlook.md");
    assert_eq!(d.title, "2024 年去中心化金融展望");
    assert_eq!(d.meta.date.as_deref(), Some("2024-01-15"));
    assert_eq!(d.meta.lastmod.as_deref(), Some("2024-01-18"));
    assert_eq!(d.meta.authors, ["林知秋"]);
    assert_eq!(d.meta.tags, ["DeFi", "以太坊"]);
    assert_eq!(d.meta.categories, ["Web3.0"]);
    assert_eq!(d.meta.description, None); // `description: null`
}

#[test]
fn dates_with_zone_and_space_keep_the_written_calendar_date() {
    let d = post("nft-art-market.md"); // 2024-02-20 10:00:00 +0800
    assert_eq!(d.meta.date.as_deref(), Some("2024-02-20"));
    assert_eq!(d.meta.lastmod.as_deref(), Some("2024-02-21"));
    let t = post("cbdc-digital-yuan.md"); // TOML 2023-11-08T09:30:00+08:00 (still 11-08 in UTC+8)
    assert_eq!(t.meta.date.as_deref(), Some("2023-11-08"));
    let j = post("layer2-rollups.md");
    assert_eq!(j.meta.date.as_deref(), Some("2024-04-02"));
}

#[test]
fn toml_front_matter_with_authors_and_nested_tables() {
    let d = post("ibm-food-trust.md");
    assert_eq!(d.title, "IBM Food Trust, Five Years On");
    assert_eq!(d.meta.authors, ["Lena Hart", "林知秋"]);
    assert_eq!(d.meta.tags, ["Supply Chain", "Hyperledger", "IBM"]);
    assert_eq!(d.meta.lastmod.as_deref(), Some("2024-03-20"));
    let c = post("cbdc-digital-yuan.md");
    assert!(!c.meta.draft);
    assert_eq!(c.meta.categories, ["区块链"]);
}

#[test]
fn json_front_matter() {
    let d = post("layer2-rollups.md");
    assert_eq!(d.title, "Layer 2 Rollups Explained");
    assert_eq!(d.meta.tags, ["Layer 2", "Rollups"]);
    assert_eq!(d.meta.categories, ["Ethereum"]);
    assert_eq!(d.sections[0].line, 11);
}

#[test]
fn string_fields_where_lists_are_usual() {
    let d = post("smart-contract-security.md");
    assert_eq!(d.meta.tags, ["智能合约"]);
    assert_eq!(d.meta.keywords, ["以太坊", "安全审计"]);
    let c = post("enterprise/cbdc-cross-border.md");
    assert_eq!(c.meta.categories, ["Enterprise"]);
}

#[test]
fn categories_differ_only_in_case_across_posts() {
    assert_eq!(post("web3-glossary.md").meta.categories, ["Web3.0"]);
    assert_eq!(post("ai-meets-blockchain.md").meta.categories, ["WEB3.0"]);
}

#[test]
fn broken_front_matter_warns_with_file_line_and_reads_the_article() {
    let (d, w) = post_with_warnings("broken-front-matter.md");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].path, "broken-front-matter.md");
    // The unclosed `[` is on file line 4; the parser notices on line 5.
    assert!(matches!(w[0].line, Some(4..=5)), "{w:?}");
    assert!(w[0].message.contains("YAML"));
    assert_eq!(d.title, "DeFi 与 NFT 的交叉");
    assert_eq!(d.meta.date, None);
    assert_eq!(d.sections.len(), 2);
}

#[test]
fn broken_fixture_front_matter() {
    for (name, line, title) in [
        ("broken-yaml.md", 3..=4, "Heading Title"),
        ("broken-toml.md", 4..=5, "broken-toml"),
        ("unclosed.md", 1..=1, "unclosed"),
    ] {
        let text = bad(name).text.unwrap();
        let (d, w) = document::parse(name, &text);
        assert_eq!(w.len(), 1, "{name}: {w:?}");
        assert!(line.contains(&w[0].line.unwrap()), "{name}: {w:?}");
        assert_eq!(d.title, title, "{name}");
        assert!(!d.sections.is_empty(), "{name}: the body is still read");
    }
}

#[test]
fn title_from_heading_when_there_is_no_front_matter() {
    let d = post("notes-without-front-matter.md");
    assert_eq!(d.title, "Smart Contracts Notes");
    assert_eq!(d.meta, frontmatter::FrontMatter::default());
    assert_eq!(d.title_prose.text, "Smart Contracts Notes");
    assert_eq!(d.lines.line(d.title_prose.source_offset(0)), 3);
}

#[test]
fn title_prose_points_at_the_front_matter_value() {
    for id in [
        "defi-2024-outlook.md",
        "cbdc-digital-yuan.md",
        "layer2-rollups.md",
        "script-title.md",
    ] {
        let text = std::fs::read_to_string(root().join("data").join(id)).unwrap();
        let (d, _) = document::parse(id, &text);
        let at = d.title_prose.source_offset(0);
        assert!(
            text[at..].starts_with(&d.title),
            "{id}: title prose at {at}"
        );
        assert!(d.lines.line(at) <= 3, "{id}");
    }
}

#[test]
fn script_title_is_kept_as_written() {
    let d = post("script-title.md");
    assert_eq!(d.title, "<script>alert(1)</script>");
    assert_eq!(d.meta.tags, ["<b>bold</b>"]);
    let s = section(&d, "A heading with inline HTML & an entity");
    assert!(s.prose.text.ends_with("about Ethereum."));
}

// ---- sections ------------------------------------------------------------------------------

#[test]
fn atx_sections_nest_with_bold_sub_headings() {
    let d = post("defi-2024-outlook.md");
    let lead = &d.sections[0];
    assert_eq!((lead.level, lead.heading.as_str(), lead.order), (0, "", 1));
    let risk = section(&d, "风险依然存在");
    assert_eq!(risk.level, 3);
    assert_eq!(risk.heading_path, "为什么 DeFi 仍然重要 > 风险依然存在");
    assert_eq!(
        d.sections[risk.parent.unwrap()].heading,
        "为什么 DeFi 仍然重要"
    );
    assert_eq!(risk.line, 29);
    let table = section(&d, "Optimistic Rollup 与 ZK Rollup");
    assert_eq!(
        table.heading_path,
        "Layer 2 让交易更便宜 > Optimistic Rollup 与 ZK Rollup"
    );
    for (i, s) in d.sections.iter().enumerate() {
        assert_eq!(s.order as usize, i + 1);
        assert_eq!(&s.prose.text[..s.heading_len], s.heading);
    }
}

#[test]
fn setext_sections_and_bold_under_setext() {
    let d = post("cbdc-digital-yuan.md");
    let headings: Vec<(u8, &str)> = d
        .sections
        .iter()
        .map(|s| (s.level, s.heading.as_str()))
        .collect();
    assert_eq!(
        headings,
        [
            (0, ""),
            (1, "试点城市与场景"),
            (2, "技术路线"),
            (3, "与区块链的关系"),
            (2, "跨境支付"),
            (3, "隐私与可控匿名")
        ]
    );
    assert_eq!(
        section(&d, "隐私与可控匿名").heading_path,
        "试点城市与场景 > 跨境支付 > 隐私与可控匿名"
    );
    assert_eq!(section(&d, "技术路线").line, 18);
    let i = post("ibm-food-trust.md");
    assert_eq!(section(&i, "Cost").heading_path, "Open questions > Cost");
}

#[test]
fn thematic_breaks_in_the_body_are_not_front_matter() {
    let d = post("web3-glossary.md");
    assert_eq!(d.title, "Web3.0 术语小词典");
    let headings: Vec<&str> = d.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(headings, ["", "钱包", "Gas", "预言机", "跨链桥"]);
}

// ---- prose ---------------------------------------------------------------------------------

#[test]
fn inline_markup_never_splits_a_word() {
    let d = post("defi-2024-outlook.md");
    assert!(d.sections[0]
        .prose
        .text
        .contains("2024 年去中心化金融值得关注"));
    assert!(section(&d, "为什么 DeFi 仍然重要")
        .prose
        .text
        .contains("交给智能合约。"));
}

#[test]
fn soft_breaks_are_spaces_and_blocks_are_lines() {
    let d = post("defi-2024-outlook.md");
    let s = section(&d, "无需许可的市场");
    assert_eq!(s.prose.text, "无需许可的市场\n在无需许可的市场里，做市商和借款人直接与合约交互。 流动性池的规则公开透明，代码即规则。");
    let q = section(&d, "监管与中央银行数字货币");
    assert!(q
        .prose
        .text
        .contains("链上的清算协议。\n监管的方向决定了 DeFi 能走多远。 合规的稳定币"));
}

#[test]
fn code_is_not_prose() {
    let d = post("walmart-supply-chain.md");
    let s = section(&d, "What the data looks like");
    assert!(!s.prose.text.contains("Ethereum"), "{:?}", s.prose.text);
    assert!(!s.prose.text.contains("IBM"), "{:?}", s.prose.text);
    assert!(!s.prose.text.contains("Hyperledger"), "{:?}", s.prose.text);
    assert!(!s.prose.text.contains("indented"), "{:?}", s.prose.text);
    assert!(s.prose.text.contains("client library writes it"));
    let c = post("smart-contract-security.md");
    let r = section(&c, "重入攻击");
    assert!(
        !r.prose.text.contains("以太坊") && !r.prose.text.contains("withdraw"),
        "{:?}",
        r.prose.text
    );
    assert!(!section(&c, "权限控制缺失").prose.text.contains("onlyOwner"));
}

#[test]
fn tables_lists_and_alt_text_are_prose() {
    let d = post("nft-art-market.md");
    let m = section(&d, "市场数据");
    assert!(
        m.prose
            .text
            .contains("\n成交额（百万美元）\n活跃钱包\n2023 年 12 月\n410\n"),
        "{:?}",
        m.prose.text
    );
    let w = section(&d, "NFT 是什么");
    assert!(w.prose.text.contains("一幅在以太坊上铸造的像素头像 NFT"));
    assert!(!w.prose.text.contains("example.com"));
    let a = section(&d, "艺术家怎么看");
    assert!(a.prose.text.contains("定价权；\n也有人担心"));
    assert!(a.prose.text.contains("\n尤其是短期投机；\n"));
}

#[test]
fn raw_html_is_not_prose_but_text_between_inline_tags_is() {
    let d = post("ai-meets-blockchain.md");
    let all: String = d.sections.iter().map(|s| s.prose.text.as_str()).collect();
    assert!(!all.contains("IBM"), "<script> text counted");
    assert!(!all.contains("NFT"), "<style> or comment text counted");
    assert!(!all.contains("color"), "<style> text counted");
    assert!(
        d.sections[0]
            .prose
            .text
            .starts_with("本文是“AI 与区块链”系列的第一篇。\n人工智能"),
        "{:?}",
        d.sections[0].prose.text
    );
    assert!(!all.contains("span") && !all.contains("<br>"));
    assert!(section(&d, "数据来源可验证")
        .prose
        .text
        .contains("。去中心化的存储网络"));
    assert!(section(&d, "AI 代理与 DeFi")
        .prose
        .text
        .contains("调仓。 这也带来了"));
    assert_eq!(d.sections[0].line, 13); // the <center> line
}

#[test]
fn links_keep_text_and_drop_urls() {
    let d = post("walmart-supply-chain.md");
    let r = section(&d, "Results");
    assert!(r.prose.text.contains("See the case study for the numbers."));
    assert!(!r.prose.text.contains("https"));
}

#[test]
fn sample_posts_map_every_prose_byte_into_the_file() {
    let (entries, _) = input::walk(&[root().join("data")]);
    for e in entries {
        let text = std::fs::read_to_string(&e.path).unwrap();
        let (doc, _) = document::parse(&e.id, &text);
        check_offsets(&text, &doc);
        for s in &doc.sections {
            if s.level > 0 {
                // The heading's first prose byte is on the section's line.
                assert_eq!(
                    doc.lines.line(s.prose.source_offset(0)),
                    s.line,
                    "{} {:?}",
                    e.id,
                    s.heading
                );
            }
        }
    }
}

// ---- the seed post -------------------------------------------------------------------------

#[test]
fn seed_post() {
    // `../shared` beside the checkout (or beside the folder of worktrees).
    let Some(shared) = [root().join("../shared"), root().join("../../shared")]
        .into_iter()
        .find(|d| d.exists())
    else {
        println!("skipped: ../shared does not exist");
        return;
    };
    let path = shared.join("corpus/w3er/blockchain/hottest-blockchain-trends-of-2024.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (d, w) = document::parse("blockchain/hottest-blockchain-trends-of-2024.md", &text);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(d.title, "2024年最热门的区块链趋势");
    assert_eq!(d.meta.authors, ["李留白"]);
    assert_eq!(d.meta.date.as_deref(), Some("2023-12-03"));
    assert_eq!(d.meta.categories, ["区块链"]);
    assert!(d.meta.tags.is_empty());
    let level2: Vec<&str> = d
        .sections
        .iter()
        .filter(|s| s.level == 2)
        .map(|s| s.heading.as_str())
        .collect();
    assert_eq!(
        &level2[..5],
        [
            "为什么2024年将是区块链的关键一年？",
            "去中心化金融（DeFi）的主导地位",
            "NFT 发展：艺术革命",
            "企业区块链采用",
            "中央银行数字货币（CBDC）"
        ]
    );
    let defi_i = d
        .sections
        .iter()
        .position(|s| s.heading == "去中心化金融（DeFi）的主导地位")
        .unwrap();
    let defi = &d.sections[defi_i];
    assert!(defi.prose.text[defi.heading_len..].contains("去中心化金融"));
    let sub = section(&d, "释放 DeFi：金融交易的革命");
    assert_eq!((sub.level, sub.parent), (3, Some(defi_i)));
    assert_eq!(
        sub.heading_path,
        "去中心化金融（DeFi）的主导地位 > 释放 DeFi：金融交易的革命"
    );
    // Every bold-only paragraph under a level-2 heading is one of its level-3 sub-sections:
    // read the `**…**` lines of the source between the level-2 headings as the oracle.
    let mut expected: Vec<(String, String)> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            current = h.trim().to_string();
        } else if !current.is_empty()
            && line.len() > 4
            && line.starts_with("**")
            && line.ends_with("**")
        {
            expected.push((current.clone(), line[2..line.len() - 2].to_string()));
        }
    }
    let got: Vec<(String, String)> = d
        .sections
        .iter()
        .filter(|s| s.level == 3)
        .map(|s| {
            (
                d.sections[s.parent.unwrap()].heading.clone(),
                s.heading.clone(),
            )
        })
        .collect();
    assert!(expected.len() >= 15, "{expected:?}");
    assert_eq!(got, expected);
    check_offsets(&text, &d);
}

// ---- properties ----------------------------------------------------------------------------

fn markdownish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("---\n"),
        Just("+++\n"),
        Just("{\n"),
        Just("}\n"),
        Just("title: x\n"),
        Just("# "),
        Just("## "),
        Just("\n"),
        Just("\n\n"),
        Just("**"),
        Just("*"),
        Just("`"),
        Just("```\n"),
        Just("    "),
        Just("> "),
        Just("- "),
        Just("1. "),
        Just("| a | b |\n|---|---|\n"),
        Just("[x](u)"),
        Just("![alt](i.png)"),
        Just("<span>"),
        Just("</div>"),
        Just("<!--"),
        Just("&amp;"),
        Just("\\"),
        Just("[^1]"),
        Just("[^1]: note\n"),
        Just("===\n"),
        Just("去中心化"),
        Just("DeFi "),
        Just("\u{FEFF}"),
        Just("\r\n"),
        Just("title = \"t\"\n"),
        Just("date: 2024-13-45\n"),
    ];
    prop::collection::vec(token, 0..60).prop_map(|v| v.concat())
}

fn parse_checks(text: &str) {
    let split = frontmatter::split(text);
    assert!(split.body_offset <= text.len());
    assert_eq!(&text[split.body_offset..], split.body);
    let (doc, _) = document::parse("p.md", text);
    check_offsets(text, &doc);
    for (i, s) in doc.sections.iter().enumerate() {
        assert!(s.parent.is_none_or(|p| p < i));
        assert!(s.heading_len <= s.prose.text.len());
        assert!(s.line >= 1 && (s.line as usize) <= doc.lines.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_markdownish_input_panics(text in markdownish()) {
        parse_checks(&text);
    }

    #[test]
    fn no_arbitrary_input_panics(text in any::<String>()) {
        parse_checks(&text);
    }
}

#[test]
fn crlf_files_read_like_lf_files() {
    let lf =
        "---\ntitle: T\ntags:\n  - a\n---\n\n## 标题\n\n第一行\n第二行\n\n**小标题**\n\n正文\n";
    let crlf = lf.replace('\n', "\r\n");
    let (a, wa) = document::parse("a.md", lf);
    let (b, wb) = document::parse("b.md", &crlf);
    assert!(wa.is_empty() && wb.is_empty(), "{wa:?} {wb:?}");
    assert_eq!(a.meta, b.meta);
    let view = |d: &Document| {
        d.sections
            .iter()
            .map(|s| (s.level, s.line, s.prose.text.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(view(&a), view(&b));
    assert_eq!(a.sections[0].prose.text, "标题\n第一行 第二行");
    check_offsets(&crlf, &b);
}

/// Every post of the shared corpus (when it is there) parses, and its prose maps back into
/// the file: the rules above hold on real text, not only on the samples written for them.
#[test]
fn shared_corpus_parses_with_offsets_in_the_file() {
    let Some(shared) = [root().join("../shared"), root().join("../../shared")]
        .into_iter()
        .find(|d| d.exists())
    else {
        println!("skipped: ../shared does not exist");
        return;
    };
    let (entries, mut warnings) = input::walk(&[shared.join("corpus")]);
    assert!(!entries.is_empty());
    let mut sections = 0;
    for e in &entries {
        let loaded = input::read(e);
        warnings.extend(loaded.warnings);
        let Some(text) = loaded.text else { continue };
        let (doc, w) = document::parse(&e.id, &text);
        warnings.extend(w);
        check_offsets(&text, &doc);
        assert!(!doc.title.is_empty(), "{}", e.id);
        sections += doc.sections.len();
    }
    println!(
        "{} posts, {sections} sections, {} warnings",
        entries.len(),
        warnings.len()
    );
    for w in &warnings {
        assert!(!w.path.is_empty() && !w.message.is_empty());
        println!("  {w}");
    }
}
