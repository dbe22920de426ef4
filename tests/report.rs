//! `report`: statistics read back from a hand-built graph, and the HTML dashboard's safety
//! rules (one offline file, every corpus text escaped).
//!
//! `dashboard_fixture_for_the_browser_check` also writes `target/tmp/report-fixture/report.html`
//! (a corpus with hostile titles), which `scripts/browser_check.sh` renders in Chromium.

mod common;

use kgx::graph::{EdgeKind, KnowledgeGraph, NodeKind, Value};
use kgx::report::{build, html, Report};
use petgraph::graph::NodeIndex;
use std::collections::HashMap;

const HOSTILE_TITLE: &str = "<script>alert(1)</script>";

#[derive(Default)]
struct Builder {
    graph: KnowledgeGraph,
    index: HashMap<String, NodeIndex>,
    sections: HashMap<String, i64>,
}

impl Builder {
    fn node(
        &mut self,
        id: &str,
        kind: NodeKind,
        label: &str,
        attrs: Vec<(&'static str, Value)>,
    ) -> NodeIndex {
        common::node(&mut self.graph, &mut self.index, id, kind, label, attrs)
    }

    fn edge(
        &mut self,
        from: NodeIndex,
        to: NodeIndex,
        kind: EdgeKind,
        weight: f64,
        attrs: Vec<(&'static str, Value)>,
    ) {
        common::edge(&mut self.graph, from, to, kind, weight, attrs);
    }

    fn article(&mut self, id: &str, title: &str, date: &str) -> NodeIndex {
        let attrs = vec![
            ("path", Value::Str(id.into())),
            ("title", Value::Str(title.into())),
            ("date", Value::Str(date.into())),
        ];
        self.node(&format!("article:{id}"), NodeKind::Article, title, attrs)
    }

    fn entity(&mut self, id: &str, label: &str, kind: &str) -> NodeIndex {
        let attrs = vec![("entity_type", Value::Str(kind.into()))];
        self.node(&format!("entity:{id}"), NodeKind::Entity, label, attrs)
    }

    /// A section of `article` with `heading_path`; returns its node.
    fn section(&mut self, article: &str, heading_path: &str) -> NodeIndex {
        let n = self.sections.entry(article.to_string()).or_insert(0);
        *n += 1;
        let order = *n;
        let attrs = vec![
            ("article", Value::Str(format!("article:{article}"))),
            (
                "level",
                Value::Int(heading_path.matches(" > ").count() as i64 + 1),
            ),
            ("order", Value::Int(order)),
            ("heading_path", Value::Str(heading_path.into())),
            ("line", Value::Int(order * 10)),
        ];
        let s = self.node(
            &format!("section:{article}#{order}"),
            NodeKind::Section,
            heading_path,
            attrs,
        );
        let a = self.index[&format!("article:{article}")];
        self.edge(a, s, EdgeKind::HasSection, 1.0, vec![]);
        s
    }

    /// `article` mentions `entity` in the given sections (heading path, count).
    fn mention(&mut self, article: &str, entity: &str, sections: &[(&str, i64)]) {
        let a = self.index[&format!("article:{article}")];
        let e = self.index[&format!("entity:{entity}")];
        let total: i64 = sections.iter().map(|s| s.1).sum();
        self.edge(
            a,
            e,
            EdgeKind::Mentions,
            total as f64,
            vec![("count", Value::Int(total))],
        );
        for &(heading, count) in sections {
            let s = self.section(article, heading);
            let attrs = vec![
                ("count", Value::Int(count)),
                ("in_heading", Value::Bool(false)),
            ];
            self.edge(s, e, EdgeKind::Mentions, count as f64, attrs);
        }
    }

    fn co_occurs(&mut self, a: &str, b: &str, sections: f64, articles: i64) {
        let (a, b) = (
            self.index[&format!("entity:{a}")],
            self.index[&format!("entity:{b}")],
        );
        self.edge(
            a,
            b,
            EdgeKind::CoOccurs,
            sections,
            vec![("articles", Value::Int(articles))],
        );
    }

    fn topic(&mut self, article: &str, topic: &str) {
        let a = self.index[&format!("article:{article}")];
        let t = self.node(&format!("topic:{topic}"), NodeKind::Topic, topic, vec![]);
        self.edge(a, t, EdgeKind::InTopic, 1.0, vec![]);
    }
}

/// Three posts over three months: DeFi 6 mentions, Ethereum 3, Solidity 1.
fn sample() -> KnowledgeGraph {
    let mut b = Builder::default();
    b.article("defi-101.md", "释放 DeFi：金融交易的革命", "2024-01-15");
    b.article("eth.md", "Ethereum basics", "2024-03-02");
    b.article("evil.md", HOSTILE_TITLE, "2024-03-20");
    b.article("undated.md", "No date", "");
    b.entity("defi", "DeFi", "Concept");
    b.entity("ethereum", "以太坊", "Blockchain");
    b.entity("solidity", "Solidity", "Technology");
    b.entity("unused", "Unused", "Concept");
    b.mention(
        "defi-101.md",
        "defi",
        &[("", 1), ("释放 DeFi > 去中心化金融", 3)],
    );
    b.mention(
        "defi-101.md",
        "ethereum",
        &[("释放 DeFi > 去中心化金融", 1)],
    );
    b.mention("evil.md", "defi", &[("Intro > <b>bold</b>", 2)]);
    b.mention("eth.md", "ethereum", &[("Basics", 2)]);
    b.mention("eth.md", "solidity", &[("Basics", 1)]);
    b.mention("undated.md", "solidity", &[("", 1)]);
    b.co_occurs("defi", "ethereum", 1.0, 1);
    b.co_occurs("ethereum", "solidity", 2.0, 1);
    b.topic("defi-101.md", "区块链");
    b.topic("eth.md", "区块链");
    b.topic("eth.md", "<img src=x onerror=alert(2)>");
    b.graph
}

fn subject<'a>(report: &'a Report, id: &str) -> &'a kgx::report::Subject {
    report
        .entities
        .iter()
        .chain(&report.topics)
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

#[test]
fn entity_statistics() {
    let report = build(&sample());
    let ids: Vec<&str> = report.entities.iter().map(|e| e.id.as_str()).collect();
    // Ranked by mentions; an entity nobody mentions is left out.
    assert_eq!(
        ids,
        vec!["entity:defi", "entity:ethereum", "entity:solidity"]
    );
    let defi = subject(&report, "entity:defi");
    assert_eq!(defi.label, "DeFi");
    assert_eq!(defi.kind, "Concept");
    assert_eq!(defi.mentions, 6);
    assert_eq!(defi.articles, 2);
    assert_eq!(defi.first_seen.as_deref(), Some("2024-01-15"));
    assert_eq!(defi.last_seen.as_deref(), Some("2024-03-20"));
    let monthly: Vec<(&str, i64)> = defi.monthly.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(monthly, vec![("2024-01", 4), ("2024-03", 2)]);
    // An undated article counts in the totals but in no month.
    let solidity = subject(&report, "entity:solidity");
    assert_eq!((solidity.mentions, solidity.articles), (2, 2));
    assert_eq!(solidity.monthly.values().sum::<i64>(), 1);
}

#[test]
fn co_occurring_entities_by_weight() {
    let report = build(&sample());
    let eth = subject(&report, "entity:ethereum");
    let partners: Vec<(&str, f64)> = eth
        .co_occurring
        .iter()
        .map(|c| (c.id.as_str(), c.weight))
        .collect();
    assert_eq!(
        partners,
        vec![("entity:solidity", 2.0), ("entity:defi", 1.0)]
    );
    assert_eq!(eth.co_occurring[1].label, "DeFi");
    assert_eq!(
        report.network.nodes,
        vec!["entity:defi", "entity:ethereum", "entity:solidity"]
    );
    assert_eq!(report.network.edges, vec![(1, 2, 2.0), (0, 1, 1.0)]);
}

#[test]
fn top_articles_and_heading_paths() {
    let report = build(&sample());
    let defi = subject(&report, "entity:defi");
    let top: Vec<(&str, i64, Option<&str>)> = defi
        .top_articles
        .iter()
        .map(|a| (a.id.as_str(), a.count, a.date.as_deref()))
        .collect();
    assert_eq!(
        top,
        vec![
            ("defi-101.md", 4, Some("2024-01-15")),
            ("evil.md", 2, Some("2024-03-20"))
        ]
    );
    assert_eq!(defi.top_articles[0].title, "释放 DeFi：金融交易的革命");
    let first = &defi.mentioned_in[0];
    let paths: Vec<(&str, i64)> = first
        .sections
        .iter()
        .map(|s| (s.heading_path.as_str(), s.count))
        .collect();
    assert_eq!(paths, vec![("", 1), ("释放 DeFi > 去中心化金融", 3)]);
    assert_eq!(
        defi.mentioned_in[1].sections[0].heading_path,
        "Intro > <b>bold</b>"
    );
}

#[test]
fn topic_statistics() {
    let report = build(&sample());
    let topic = subject(&report, "topic:区块链");
    assert_eq!(topic.kind, "Topic");
    assert_eq!((topic.mentions, topic.articles), (2, 2));
    assert_eq!(topic.first_seen.as_deref(), Some("2024-01-15"));
    assert_eq!(topic.last_seen.as_deref(), Some("2024-03-02"));
    // Entities mentioned by most of the topic's articles.
    assert_eq!(topic.co_occurring[0].id, "entity:ethereum");
    assert_eq!(topic.co_occurring[0].weight, 2.0);
}

#[test]
fn summary_and_months() {
    let report = build(&sample());
    assert_eq!(report.summary.articles, 4);
    assert_eq!(report.summary.dated_articles, 3);
    assert_eq!(report.summary.mentions, 11);
    assert_eq!(report.months, vec!["2024-01", "2024-02", "2024-03"]);
}

#[test]
fn report_json_is_deterministic() {
    let one = serde_json::to_string(&build(&sample())).unwrap();
    let two = serde_json::to_string(&build(&sample())).unwrap();
    assert_eq!(one, two);
    let json: serde_json::Value = serde_json::from_str(&one).unwrap();
    let defi = &json["entities"][0];
    for key in [
        "id",
        "label",
        "type",
        "mentions",
        "articles",
        "first_seen",
        "last_seen",
        "monthly",
        "co_occurring",
        "top_articles",
        "mentioned_in",
    ] {
        assert!(defi.get(key).is_some(), "{key} missing");
    }
}

#[test]
fn empty_graph_report() {
    let report = build(&KnowledgeGraph::default());
    assert!(report.entities.is_empty() && report.months.is_empty());
    let page = html(&report);
    assert!(page.contains("<meta charset=\"utf-8\">"));
}

/// The JSON data block of a page.
fn data_block(page: &str) -> &str {
    let start = page
        .find("<script type=\"application/json\" id=\"kgx-data\">")
        .unwrap();
    let rest = &page[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</script>").unwrap();
    &rest[open..close]
}

#[test]
fn html_escapes_corpus_text() {
    let page = html(&build(&sample()));
    assert!(!page.contains(HOSTILE_TITLE));
    assert!(!page.contains("<img src=x"));
    assert!(!page.contains("<b>bold</b>"));
    // Exactly the two script elements of the template.
    assert_eq!(page.matches("<script").count(), 2);
    assert_eq!(page.matches("</script").count(), 2);
    let data = data_block(&page);
    for c in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
        assert!(!data.contains(c), "{c:?} left in the data block");
    }
    // The block still reads back as the same text.
    let json: serde_json::Value = serde_json::from_str(data).unwrap();
    let titles: Vec<&str> = json["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[1].as_str().unwrap())
        .collect();
    assert!(titles.contains(&HOSTILE_TITLE));
    // The script never parses data as HTML.
    assert!(
        !page.contains("innerHTML")
            && !page.contains("outerHTML")
            && !page.contains("insertAdjacentHTML")
    );
    assert!(!page.contains("document.write"));
}

#[test]
fn html_escapes_line_separators() {
    let mut b = Builder::default();
    b.article("a.md", "line\u{2028}sep\u{2029}para & more", "2024-01-01");
    b.entity("x", "X", "Concept");
    b.mention("a.md", "x", &[("", 1)]);
    let page = html(&build(&b.graph));
    let data = data_block(&page);
    assert!(
        data.contains("line\\u2028sep\\u2029para \\u0026 more"),
        "{data}"
    );
}

#[test]
fn html_is_one_offline_file() {
    let page = html(&build(&sample()));
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains("\"Noto Sans CJK SC\", \"PingFang SC\", \"Microsoft YaHei\", \"WenQuanYi Micro Hei\", sans-serif"));
    // No external resource: the only URL is the SVG namespace name, which is never fetched.
    let urls = page.matches("http://").count() + page.matches("https://").count();
    assert_eq!(urls, page.matches("http://www.w3.org/2000/svg").count());
    let code = page.replace(data_block(&page), "");
    for needle in [
        "src=",
        "href=",
        "@import",
        "url(",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!code.contains(needle), "{needle} in page");
    }
    // CSS and JS are inlined, not linked.
    assert!(page.contains("<style>") && page.contains("data-kgx-ready"));
    assert!(
        !page.contains("KGX_DATA") && !page.contains("/*KGX_CSS*/") && !page.contains("/*KGX_JS*/")
    );
}

#[test]
fn html_keeps_chinese_text() {
    let page = html(&build(&sample()));
    assert!(page.contains("释放 DeFi：金融交易的革命"));
    assert!(page.contains("以太坊"));
}

#[test]
fn dashboard_fixture_for_the_browser_check() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-fixture");
    std::fs::create_dir_all(&dir).unwrap();
    let report = build(&sample());
    std::fs::write(
        dir.join("report.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("report.html"), html(&report)).unwrap();
}

#[test]
fn bad_dates_count_in_totals_but_in_no_month() {
    let mut b = Builder::default();
    for (i, date) in ["2024-13-01", "二〇二四年", "24-1-1", "2024-02-30", ""]
        .iter()
        .enumerate()
    {
        let id = format!("p{i}.md");
        b.article(&id, "t", date);
    }
    b.entity("x", "X", "Concept");
    for i in 0..5 {
        b.mention(&format!("p{i}.md"), "x", &[("", 1)]);
    }
    let report = build(&b.graph);
    let x = subject(&report, "entity:x");
    assert_eq!((x.mentions, x.articles), (5, 5));
    // 2024-02-30 is not a day, but its month is real.
    let months: Vec<&str> = x.monthly.keys().map(|k| k.as_str()).collect();
    assert_eq!(months, vec!["2024-02"]);
    assert_eq!(report.months, vec!["2024-02"]);
    assert!(html(&report).contains("data-kgx-ready"));
}

#[test]
fn html_stays_small_on_big_corpora() {
    let mut b = Builder::default();
    b.entity("x", "X", "Concept");
    for i in 0..600 {
        let id = format!("p{i:03}.md");
        b.article(&id, &format!("Post {i}"), "2024-01-01");
        let sections: Vec<(String, i64)> = (0..20).map(|s| (format!("H{s}"), 1)).collect();
        let sections: Vec<(&str, i64)> = sections.iter().map(|(h, c)| (h.as_str(), *c)).collect();
        b.mention(&id, "x", &sections);
    }
    let report = build(&b.graph);
    // report.json counts every article and lists the first REPORT_ARTICLES, all sections ...
    assert_eq!(report.entities[0].articles, 600);
    assert_eq!(report.entities[0].mentions, 600 * 20);
    assert_eq!(
        report.entities[0].mentioned_in.len(),
        kgx::report::REPORT_ARTICLES
    );
    assert_eq!(report.entities[0].mentioned_in[0].sections.len(), 20);
    // ... the page the first posts, each with its first heading paths.
    let page = html(&report);
    let json: serde_json::Value = serde_json::from_str(data_block(&page)).unwrap();
    assert_eq!(
        json["articles"].as_array().unwrap().len(),
        kgx::report::HTML_ARTICLES
    );
    let first = &json["entities"][0]["mentioned_in"][0];
    assert_eq!(
        first[2].as_array().unwrap().len(),
        kgx::report::HTML_SECTIONS
    );
    assert_eq!(first[3], 20 - kgx::report::HTML_SECTIONS);
}
