//! Exporters: every format read back with an independent parser and compared with the graph.

#[path = "fixtures/export/sample.rs"]
mod sample;

use kgx::export::{self, xml_id, xml_id_decode, EdgeIds, Format};
use kgx::graph::{Edge, KnowledgeGraph, Node, Value, ValueRef};
use kgx::Error;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;

type Attrs = BTreeMap<String, String>;

/// One XML element with its attributes, as read.
#[derive(Debug, Clone)]
struct Element {
    name: String,
    attrs: Attrs,
}

/// A flat reading of an XML document: elements in order, each with its text content (for
/// `<data>`), and the path of parents.
#[derive(Debug)]
struct Item {
    el: Element,
    parents: Vec<String>,
    text: String,
}

fn read_xml(xml: &str) -> Vec<Item> {
    let mut reader = Reader::from_str(xml);
    let mut items: Vec<Item> = Vec::new();
    let mut stack: Vec<(String, usize)> = Vec::new();
    let element = |e: &quick_xml::events::BytesStart| Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().unwrap().into_owned(),
                )
            })
            .collect(),
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                let el = element(&e);
                let parents = stack.iter().map(|(n, _)| n.clone()).collect();
                stack.push((el.name.clone(), items.len()));
                items.push(Item {
                    el,
                    parents,
                    text: String::new(),
                });
            }
            Event::Empty(e) => {
                let parents = stack.iter().map(|(n, _)| n.clone()).collect();
                items.push(Item {
                    el: element(&e),
                    parents,
                    text: String::new(),
                });
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                if let Some((_, i)) = stack.last() {
                    items[*i].text.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().unwrap().unwrap().to_string()
                } else {
                    match r.decode().unwrap().as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => panic!("unknown entity {other}"),
                    }
                };
                if let Some((_, i)) = stack.last() {
                    items[*i].text.push_str(&c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    items
}

/// What XML keeps of a string: characters XML 1.0 forbids are dropped.
fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
        })
        .collect()
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Double(d) => {
            let s = d.to_string();
            if s.contains('.') {
                s
            } else {
                format!("{s}.0")
            }
        }
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => s.clone(),
        Value::List(l) => l.join(";"),
        Value::Lines(l) => l.iter().map(u32::to_string).collect::<Vec<_>>().join(";"),
    }
}

fn xml_type(v: &Value, list: &'static str) -> &'static str {
    match v {
        Value::Int(_) => "long",
        Value::Double(_) => "double",
        Value::Bool(_) => "boolean",
        Value::Str(_) => "string",
        Value::List(_) | Value::Lines(_) => list,
    }
}

fn render<F: Fn(&KnowledgeGraph, &mut Vec<u8>) -> std::io::Result<()>>(
    g: &KnowledgeGraph,
    f: F,
) -> String {
    let mut buf = Vec::new();
    f(g, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

fn graphml(g: &KnowledgeGraph) -> String {
    render(g, |g, w| export::to_graphml(g, w))
}
fn gexf(g: &KnowledgeGraph) -> String {
    render(g, |g, w| export::to_gexf(g, w))
}
fn node_link(g: &KnowledgeGraph) -> String {
    render(g, |g, w| export::to_node_link(g, w))
}
fn graphology(g: &KnowledgeGraph) -> String {
    render(g, |g, w| export::to_graphology(g, w))
}
fn nodes_csv(g: &KnowledgeGraph) -> String {
    render(g, |g, w| export::to_nodes_csv(g, w))
}
fn edges_csv(g: &KnowledgeGraph) -> String {
    render(g, |g, w| export::to_edges_csv(g, w))
}

fn nodes(g: &KnowledgeGraph) -> Vec<&Node> {
    g.graph.node_weights().collect()
}

/// `(source id, target id, edge)` in graph order.
fn edges(g: &KnowledgeGraph) -> Vec<(&str, &str, &kgx::graph::Edge)> {
    let gr = &g.graph;
    gr.raw_edges()
        .iter()
        .map(|e| {
            (
                gr[e.source()].id.as_str(),
                gr[e.target()].id.as_str(),
                &e.weight,
            )
        })
        .collect()
}

/// XML NMTOKEN characters of the editions libxml2 validates against, for the ids we write.
fn is_nmtoken(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '.' | '-' | '_' | ':')
                || ('\u{4E00}'..='\u{9FA5}').contains(&c)
                || ('\u{C0}'..='\u{FF}').contains(&c) && c != '\u{D7}' && c != '\u{F7}'
        })
}

fn check_graphml(g: &KnowledgeGraph) {
    let items = read_xml(&graphml(g));
    // Keys: per target, typed, declared once, never for="all".
    let mut keys: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for it in items.iter().filter(|i| i.el.name == "key") {
        let a = &it.el.attrs;
        let id = a["id"].clone();
        assert!(is_nmtoken(&id), "key id {id}");
        assert!(is_nmtoken(&a["attr.name"]));
        assert!(a["for"] == "node" || a["for"] == "edge", "{a:?}");
        let v = (
            a["for"].clone(),
            a["attr.name"].clone(),
            a["attr.type"].clone(),
        );
        assert!(keys.insert(id, v).is_none(), "duplicate key");
    }
    let graph_el = items.iter().find(|i| i.el.name == "graph").unwrap();
    assert_eq!(graph_el.el.attrs["edgedefault"], "directed");
    assert!(items
        .iter()
        .all(|i| !(i.el.name == "data" && i.parents.last().unwrap() == "graph")));

    let key = |data: &Item| keys[&data.el.attrs["key"]].clone();
    let children = |idx: usize| {
        let depth = items[idx].parents.len();
        items[idx + 1..]
            .iter()
            .take_while(move |i| i.parents.len() > depth)
            .filter(|i| i.el.name == "data")
    };

    let xml_nodes: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].el.name == "node")
        .collect();
    assert_eq!(xml_nodes.len(), g.graph.node_count());
    let mut seen = HashSet::new();
    for (&idx, node) in xml_nodes.iter().zip(nodes(g)) {
        let id = &items[idx].el.attrs["id"];
        assert!(is_nmtoken(id), "{id}");
        assert!(seen.insert(id.clone()));
        assert_eq!(xml_id_decode(id).as_deref(), Some(node.id.as_str()));
        let mut data: BTreeMap<String, (String, String)> = BTreeMap::new();
        for d in children(idx) {
            let (target, name, ty) = key(d);
            assert_eq!(target, "node");
            data.insert(name, (ty, d.text.clone()));
        }
        assert_eq!(data["label"], ("string".into(), xml_text(&node.label)));
        assert_eq!(
            data["kind"],
            ("string".into(), node.kind.as_str().to_string())
        );
        let mut expected = 2;
        for (name, value) in &node.attrs {
            if matches!(value, Value::List(l) if l.is_empty()) {
                assert!(!data.contains_key(*name), "empty list {name} left out");
                continue;
            }
            expected += 1;
            let (ty, text) = &data[*name];
            assert_eq!(ty, xml_type(value, "string"), "{}.{name}", node.id);
            assert_eq!(text, &xml_text(&text_of(value)), "{}.{name}", node.id);
        }
        assert_eq!(data.len(), expected, "{}: {data:?}", node.id);
    }

    let xml_edges: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].el.name == "edge")
        .collect();
    assert_eq!(xml_edges.len(), g.graph.edge_count());
    let edge_ids = EdgeIds::new(g);
    for (n, (&idx, (s, t, edge))) in xml_edges.iter().zip(edges(g)).enumerate() {
        let a = &items[idx].el.attrs;
        assert_eq!(a["id"], edge_ids.get(n));
        assert_eq!(a["source"], xml_id(s));
        assert_eq!(a["target"], xml_id(t));
        let data: BTreeMap<String, (String, String)> = children(idx)
            .map(|d| {
                let (target, name, ty) = key(d);
                assert_eq!(target, "edge");
                (name, (ty, d.text.clone()))
            })
            .collect();
        assert_eq!(data["label"].1, edge.kind.as_str());
        assert_eq!(data["kind"].1, edge.kind.as_str());
        assert_eq!(data["weight"].0, "double");
        assert_eq!(data["weight"].1.parse::<f64>().unwrap(), edge.weight);
        for (name, value) in &owned(edge) {
            assert_eq!(
                data[*name],
                (xml_type(value, "string").into(), text_of(value)),
                "{name}"
            );
        }
        assert_eq!(data.len(), 3 + edge.attr_count());
    }
}

/// An edge's attributes as owned named values, typed or not.
fn owned(edge: &Edge) -> Vec<(&'static str, Value)> {
    edge.attrs().map(|(k, v)| (k, v.to_value())).collect()
}

/// Reads a GEXF `liststring` value the way Gephi and graphology do for our quoted form.
fn parse_list(s: &str) -> Vec<String> {
    let inner = s.strip_prefix('[').unwrap().strip_suffix(']').unwrap();
    let mut items = Vec::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut item = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => item.push(chars.next().unwrap()),
                        '"' => break,
                        c => item.push(c),
                    }
                }
                items.push(item);
            }
            ',' | ' ' => {}
            c => panic!("unquoted list item at {c:?} in {s}"),
        }
    }
    items
}

fn check_gexf(g: &KnowledgeGraph) {
    let xml = gexf(g);
    assert!(
        xml.contains(r#"<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz""#)
    );
    let items = read_xml(&xml);
    assert_eq!(
        items.iter().find(|i| i.el.name == "gexf").unwrap().el.attrs["version"],
        "1.3"
    );
    let graph_el = items.iter().find(|i| i.el.name == "graph").unwrap();
    assert_eq!(graph_el.el.attrs["defaultedgetype"], "directed");
    // Attribute declarations per class: numeric ids with titles.
    let mut decl: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    let mut class = String::new();
    for it in &items {
        match it.el.name.as_str() {
            "attributes" => class = it.el.attrs["class"].clone(),
            "attribute" => {
                let a = &it.el.attrs;
                assert!(a["id"].parse::<u32>().is_ok());
                let key = (class.clone(), a["id"].clone());
                assert!(decl
                    .insert(key, (a["title"].clone(), a["type"].clone()))
                    .is_none());
            }
            _ => {}
        }
    }
    let read = |idx: usize, class: &str| -> BTreeMap<String, (String, String)> {
        let depth = items[idx].parents.len();
        items[idx + 1..]
            .iter()
            .take_while(|i| i.parents.len() > depth)
            .filter(|i| i.el.name == "attvalue")
            .map(|i| {
                let (title, ty) = decl[&(class.to_string(), i.el.attrs["for"].clone())].clone();
                (title, (ty, i.el.attrs["value"].clone()))
            })
            .collect()
    };
    let viz = |idx: usize, name: &str| -> Attrs {
        let depth = items[idx].parents.len();
        items[idx + 1..]
            .iter()
            .take_while(|i| i.parents.len() > depth)
            .find(|i| i.el.name == name)
            .unwrap()
            .el
            .attrs
            .clone()
    };
    let xml_nodes: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].el.name == "node")
        .collect();
    assert_eq!(xml_nodes.len(), g.graph.node_count());
    let graphml_ids: Vec<String> = read_xml(&graphml(g))
        .into_iter()
        .filter(|i| i.el.name == "node")
        .map(|i| i.el.attrs["id"].clone())
        .collect();
    for (n, (&idx, node)) in xml_nodes.iter().zip(nodes(g)).enumerate() {
        let a = &items[idx].el.attrs;
        assert_eq!(a["id"], graphml_ids[n], "same XML ids as GraphML");
        assert_eq!(xml_id_decode(&a["id"]).as_deref(), Some(node.id.as_str()));
        assert_eq!(a["label"], xml_text(&node.label));
        let values = read(idx, "node");
        assert_eq!(values["kind"], ("string".into(), node.kind.as_str().into()));
        for (name, value) in &node.attrs {
            let (ty, text) = &values[*name];
            assert_eq!(ty, xml_type(value, "liststring"), "{name}");
            match value {
                Value::List(l) => assert_eq!(&parse_list(text), l, "{name}"),
                v => assert_eq!(text, &xml_text(&text_of(v))),
            }
        }
        assert_eq!(values.len(), 1 + node.attrs.len());
        let color = viz(idx, "viz:color");
        assert_eq!(color.len(), 3, "r g b, no alpha");
        for ch in ["r", "g", "b"] {
            color[ch].parse::<u8>().unwrap();
        }
        let size: f64 = viz(idx, "viz:size")["value"].parse().unwrap();
        assert!(size > 0.0);
        if let Some(ValueRef::Int(m)) = node.attr("mentions") {
            assert!((size - (5.0 + 3.0 * (m as f64).sqrt())).abs() < 0.01);
        }
        let pos = viz(idx, "viz:position");
        pos["x"].parse::<f64>().unwrap();
        pos["y"].parse::<f64>().unwrap();
    }
    // Colour by kind: one colour a kind, different kinds different colours.
    let mut by_kind: BTreeMap<&str, String> = BTreeMap::new();
    for (&idx, node) in xml_nodes.iter().zip(nodes(g)) {
        let c = viz(idx, "viz:color");
        let rgb = format!("{},{},{}", c["r"], c["g"], c["b"]);
        assert_eq!(
            by_kind
                .entry(node.kind.as_str())
                .or_insert_with(|| rgb.clone()),
            &rgb
        );
    }
    let distinct: HashSet<&String> = by_kind.values().collect();
    assert_eq!(distinct.len(), by_kind.len());

    let xml_edges: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].el.name == "edge")
        .collect();
    assert_eq!(xml_edges.len(), g.graph.edge_count());
    let edge_ids = EdgeIds::new(g);
    for (n, (&idx, (s, t, edge))) in xml_edges.iter().zip(edges(g)).enumerate() {
        let a = &items[idx].el.attrs;
        assert_eq!(a["id"], edge_ids.get(n));
        assert_eq!(a["source"], xml_id(s));
        assert_eq!(a["target"], xml_id(t));
        assert_eq!(a["kind"], edge.kind.as_str());
        assert_eq!(a["weight"].parse::<f64>().unwrap(), edge.weight);
        let values = read(idx, "edge");
        assert_eq!(values["kind"].1, edge.kind.as_str());
        for (name, value) in &owned(edge) {
            let (ty, text) = &values[*name];
            assert_eq!(ty, xml_type(value, "liststring"));
            match value {
                Value::List(l) => assert_eq!(&parse_list(text), l),
                Value::Lines(l) => assert_eq!(
                    parse_list(text),
                    l.iter().map(u32::to_string).collect::<Vec<_>>()
                ),
                v => assert_eq!(text, &text_of(v)),
            }
        }
    }
}

fn json_value(v: &Value) -> serde_json::Value {
    match v {
        Value::Int(i) => (*i).into(),
        Value::Double(d) => (*d).into(),
        Value::Bool(b) => (*b).into(),
        Value::Str(s) => s.as_str().into(),
        Value::List(l) => l.iter().map(|s| s.as_str()).collect::<Vec<_>>().into(),
        Value::Lines(l) => l.iter().map(u32::to_string).collect::<Vec<_>>().into(),
    }
}

fn check_node_link(g: &KnowledgeGraph, multi: bool) {
    let doc: serde_json::Value = serde_json::from_str(&node_link(g)).unwrap();
    assert_eq!(doc["directed"], true);
    assert_eq!(doc["multigraph"], multi);
    assert_eq!(doc["graph"], serde_json::json!({}));
    let json_nodes = doc["nodes"].as_array().unwrap();
    assert_eq!(json_nodes.len(), g.graph.node_count());
    for (j, node) in json_nodes.iter().zip(nodes(g)) {
        let o = j.as_object().unwrap();
        assert_eq!(o["id"], node.id.as_str());
        assert_eq!(o["kind"], node.kind.as_str());
        assert_eq!(o["label"], node.label.as_str());
        for (name, value) in &node.attrs {
            assert_eq!(o[*name], json_value(value), "{name}");
            // Integers stay integers, doubles stay doubles.
            assert_eq!(o[*name].is_i64(), matches!(value, Value::Int(_)));
        }
        assert_eq!(o.len(), 3 + node.attrs.len());
    }
    let json_edges = doc["edges"].as_array().unwrap();
    assert_eq!(json_edges.len(), g.graph.edge_count());
    for (j, (s, t, edge)) in json_edges.iter().zip(edges(g)) {
        let o = j.as_object().unwrap();
        assert_eq!(o["source"], s);
        assert_eq!(o["target"], t);
        assert_eq!(o["kind"], edge.kind.as_str());
        assert_eq!(o["weight"].as_f64().unwrap(), edge.weight);
        assert_eq!(o.contains_key("key"), multi);
        for (name, value) in &owned(edge) {
            assert_eq!(o[*name], json_value(value));
        }
    }
}

fn check_graphology(g: &KnowledgeGraph, multi: bool) {
    let doc: serde_json::Value = serde_json::from_str(&graphology(g)).unwrap();
    assert_eq!(
        doc["options"],
        serde_json::json!({"type": "directed", "multi": multi, "allowSelfLoops": true})
    );
    assert!(doc["attributes"].is_object());
    let json_nodes = doc["nodes"].as_array().unwrap();
    assert_eq!(json_nodes.len(), g.graph.node_count());
    let mut positions = HashSet::new();
    for (j, node) in json_nodes.iter().zip(nodes(g)) {
        assert_eq!(j["key"], node.id.as_str());
        let a = j["attributes"].as_object().unwrap();
        assert_eq!(a["label"], node.label.as_str());
        assert_eq!(a["kind"], node.kind.as_str());
        assert!(a["size"].as_f64().unwrap() > 0.0);
        let color = a["color"].as_str().unwrap();
        assert!(color.len() == 7 && color.starts_with('#'));
        positions.insert((a["x"].as_i64().unwrap(), a["y"].as_i64().unwrap()));
        for (name, value) in &node.attrs {
            assert_eq!(a[*name], json_value(value));
        }
    }
    assert!(
        positions.len() > g.graph.node_count() / 2,
        "nodes are spread out"
    );
    let json_edges = doc["edges"].as_array().unwrap();
    assert_eq!(json_edges.len(), g.graph.edge_count());
    let mut keys = HashSet::new();
    let edge_ids = EdgeIds::new(g);
    for (n, (j, (s, t, edge))) in json_edges.iter().zip(edges(g)).enumerate() {
        assert!(keys.insert(j["key"].as_str().unwrap().to_string()));
        assert_eq!(j["key"], edge_ids.get(n));
        assert_eq!(j["source"], s);
        assert_eq!(j["target"], t);
        let a = &j["attributes"];
        assert_eq!(a["kind"], edge.kind.as_str());
        assert_eq!(a["weight"].as_f64().unwrap(), edge.weight);
        for (name, value) in &owned(edge) {
            assert_eq!(a[*name], json_value(value));
        }
    }
}

fn unformula(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn csv_text(v: &Value) -> String {
    match v {
        Value::Str(_) | Value::List(_) => unformula(&text_of(v)),
        v => text_of(v),
    }
}

fn check_csv(g: &KnowledgeGraph) {
    let nodes_text = nodes_csv(g);
    let mut r = csv::Reader::from_reader(nodes_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..3], ["Id", "Label", "Kind"]);
    assert!(
        header
            .iter()
            .all(|h| !h.eq_ignore_ascii_case("source") && !h.eq_ignore_ascii_case("target")),
        "a nodes table must not look like an edge table to Gephi: {header:?}"
    );
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name || *h == format!("attr_{name}"))
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), g.graph.node_count());
    for (row, node) in rows.iter().zip(nodes(g)) {
        assert_eq!(&row[0], node.id);
        assert_eq!(row[1], unformula(&node.label));
        assert_eq!(&row[2], node.kind.as_str());
        let mut filled = 3;
        for (name, value) in &node.attrs {
            let cell = &row[col(name)];
            assert_eq!(cell, csv_text(value), "{}.{name}", node.id);
            filled += usize::from(!cell.is_empty());
        }
        assert_eq!(row.iter().filter(|c| !c.is_empty()).count(), filled);
    }

    let edges_text = edges_csv(g);
    let mut r = csv::Reader::from_reader(edges_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..5], ["Source", "Target", "Type", "Kind", "Weight"]);
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), g.graph.edge_count());
    for (row, (s, t, edge)) in rows.iter().zip(edges(g)) {
        assert_eq!(
            (&row[0], &row[1], &row[2], &row[3]),
            (s, t, "Directed", edge.kind.as_str())
        );
        assert_eq!(row[4].parse::<f64>().unwrap(), edge.weight);
        for (name, value) in &owned(edge) {
            let i = header.iter().position(|h| h == name).unwrap();
            assert_eq!(row[i], csv_text(value));
        }
    }
}

#[test]
fn graphml_reads_back() {
    check_graphml(&sample::sample());
    check_graphml(&sample::entities_only());
}

#[test]
fn gexf_reads_back() {
    check_gexf(&sample::sample());
    check_gexf(&sample::entities_only());
}

#[test]
fn node_link_reads_back() {
    check_node_link(&sample::sample(), true);
    check_node_link(&sample::entities_only(), false);
}

#[test]
fn graphology_reads_back() {
    check_graphology(&sample::sample(), true);
    check_graphology(&sample::entities_only(), false);
}

#[test]
fn csv_reads_back() {
    check_csv(&sample::sample());
    check_csv(&sample::entities_only());
}

#[test]
fn xml_is_clean_and_escaped() {
    let g = sample::sample();
    for xml in [graphml(&g), gexf(&g)] {
        assert!(!xml.contains('\u{1}'), "control character written");
        assert!(!xml.contains("<script>"), "markup not escaped");
        assert!(xml.contains("&lt;script&gt;"));
        assert!(xml.contains("区块链"), "CJK written as is");
        assert!(!xml.contains("for=\"all\""));
    }
    let keys = graphml(&g);
    assert!(keys.contains(r#"<key id="label" for="node" attr.name="label" attr.type="string"/>"#));
    assert!(keys.contains(r#"for="edge" attr.name="label" attr.type="string"/>"#));
    assert!(keys.contains(r#"<key id="weight" for="edge" attr.name="weight" attr.type="double"/>"#));
    assert!(keys.contains(r#"<key id="words" for="node" attr.name="words" attr.type="long"/>"#));
}

#[test]
fn csv_escapes_formulas() {
    let g = sample::sample();
    let nodes = nodes_csv(&g);
    assert!(nodes.contains("'=cmd|"), "{nodes}");
    assert!(nodes.contains(",'-dash,"));
    assert!(nodes.contains(",'+1,"));
    assert!(!nodes.contains(",=cmd"));
}

#[test]
fn exports_are_deterministic() {
    let a = sample::sample();
    let b = sample::sample();
    assert_eq!(graphml(&a), graphml(&b));
    assert_eq!(gexf(&a), gexf(&b));
    assert_eq!(node_link(&a), node_link(&b));
    assert_eq!(graphology(&a), graphology(&b));
    assert_eq!(nodes_csv(&a), nodes_csv(&b));
    assert_eq!(edges_csv(&a), edges_csv(&b));

    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let p1 = export::write(&a, d1.path(), &Format::ALL).unwrap();
    let p2 = export::write(&b, d2.path(), &Format::ALL).unwrap();
    assert_eq!(p1.len(), 6);
    for (x, y) in p1.iter().zip(&p2) {
        assert_eq!(x.file_name(), y.file_name());
        assert_eq!(
            fs::read(x).unwrap(),
            fs::read(y).unwrap(),
            "{}",
            x.display()
        );
    }
    // The files are the `to_*` outputs.
    assert_eq!(
        fs::read_to_string(d1.path().join("graph.gexf")).unwrap(),
        gexf(&a)
    );
    assert_eq!(
        fs::read_to_string(d1.path().join("edges.csv")).unwrap(),
        edges_csv(&a)
    );
}

#[test]
fn write_names_files_and_honours_formats() {
    let g = sample::sample();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/nested");
    let formats = Format::parse_list("csv, graphology,csv").unwrap();
    assert_eq!(formats, [Format::Csv, Format::Graphology]);
    let paths = export::write(&g, &out, &formats).unwrap();
    let names: Vec<_> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, ["nodes.csv", "edges.csv", "graph.graphology.json"]);
    let mut listed: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    listed.sort();
    assert_eq!(listed, ["edges.csv", "graph.graphology.json", "nodes.csv"]);
    assert!(Format::parse_list("graphml,svg")
        .unwrap_err()
        .to_string()
        .contains("svg"));
    assert_eq!("GEXF".parse::<Format>().unwrap(), Format::Gexf);
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn unwritable_folder_is_an_output_error() {
    let g = sample::sample();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let err = export::write(&g, &file.join("out"), &Format::ALL).unwrap_err();
    assert!(
        matches!(&err, Error::Output { path, .. } if path.starts_with(&file)),
        "{err:?}"
    );
    assert_eq!(listing(dir.path()), ["a-file"]);

    // A read-only folder (meaningless for root, who may write anyway).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = dir.path().join("ro");
        fs::create_dir(&ro).unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
        if fs::write(ro.join("probe"), "x").is_err() {
            let err = export::write(&g, &ro, &Format::ALL).unwrap_err();
            assert!(matches!(err, Error::Output { .. }), "{err:?}");
            assert!(listing(&ro).is_empty());
        }
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn failed_write_leaves_old_files_and_no_partial_file() {
    let g = sample::sample();
    let dir = tempfile::tempdir().unwrap();
    // graph.graphml cannot be replaced (a folder is in its place); graph.json is an old export.
    fs::create_dir(dir.path().join("graph.graphml")).unwrap();
    fs::write(dir.path().join("graph.json"), "old").unwrap();
    let err = export::write(&g, dir.path(), &[Format::GraphMl, Format::Json]).unwrap_err();
    assert!(
        matches!(&err, Error::Output { path, .. } if path.ends_with("graph.graphml")),
        "{err:?}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("graph.json")).unwrap(),
        "old"
    );
    assert_eq!(
        listing(dir.path()),
        ["graph.graphml", "graph.json"],
        "no temporary file left"
    );
}

#[test]
fn weights_are_never_zero() {
    let mut g = sample::sample();
    for e in g.graph.edge_weights_mut() {
        e.weight = 0.0;
    }
    let doc: serde_json::Value = serde_json::from_str(&node_link(&g)).unwrap();
    assert!(doc["edges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["weight"].as_f64().unwrap() > 0.0));
    assert!(!gexf(&g).contains("weight=\"0"));
    assert!(!graphml(&g).contains("<data key=\"weight\">0"));
}

#[test]
fn non_finite_doubles_are_left_out() {
    let mut g = sample::sample();
    for n in g.graph.node_weights_mut() {
        for (_, v) in n.attrs.iter_mut() {
            if let Value::Double(d) = v {
                *d = f64::NAN;
            }
        }
    }
    let text = node_link(&g);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n.get("score").is_none()));
    assert!(!text.contains("NaN") && !gexf(&g).contains("NaN") && !graphml(&g).contains("NaN"));
    assert!(!nodes_csv(&g).contains("NaN"));
}

/// With `KGX_VALIDATE=/path/to/validate.sh`, every export of the sample graph is checked by
/// the consumers of `../shared/validate` (xmllint, networkx, igraph, graphology, Gephi rules).
#[test]
fn consumers_accept_exports() {
    let Ok(script) = std::env::var("KGX_VALIDATE") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    export::write(&sample::sample(), dir.path(), &Format::ALL).unwrap();
    let d = dir.path();
    let out = std::process::Command::new("bash")
        .arg(script)
        .args([
            "graph.graphml",
            "graph.gexf",
            "graph.json",
            "graph.graphology.json",
            ".",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The one expected warning: GraphML cannot type edges, so Gephi merges co_occurs and
    // broader between the same two entities.
    let warns: Vec<&str> = stdout.lines().filter(|l| l.starts_with("WARN")).collect();
    assert_eq!(warns.len(), 1, "{warns:?}");
    assert!(warns[0].contains("parallel edge"));
}

#[test]
fn edge_ids_name_the_edge_and_stay_unique_when_it_repeats() {
    use kgx::graph::{EdgeKind, NodeKind};
    let mut g = KnowledgeGraph::default();
    let node = |g: &mut KnowledgeGraph, id: &str| {
        g.graph.add_node(Node {
            id: id.into(),
            kind: NodeKind::Entity,
            label: id.into(),
            attrs: Vec::new(),
        })
    };
    let (a, b) = (node(&mut g, "entity:a"), node(&mut g, "entity:b"));
    for kind in [
        EdgeKind::CoOccurs,
        EdgeKind::Broader,
        EdgeKind::CoOccurs,
        EdgeKind::CoOccurs,
    ] {
        g.graph.add_edge(a, b, Edge::new(kind, 1.0, Vec::new()));
    }
    g.graph
        .add_edge(b, a, Edge::new(EdgeKind::CoOccurs, 1.0, Vec::new()));
    let ids = EdgeIds::new(&g);
    let all: Vec<String> = (0..5).map(|i| ids.get(i)).collect();
    for id in &all {
        let hex = id[1..].split('-').next().unwrap();
        assert!(id.starts_with('e') && hex.len() == 16, "{id}");
        assert!(hex
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
    // The same kind, source and target: one hash, told apart by -1, -2 in graph order.
    assert_eq!(all[2], format!("{}-1", all[0]));
    assert_eq!(all[3], format!("{}-2", all[0]));
    // Kind and direction are part of what an edge is.
    assert_ne!(all[1], all[0]);
    assert_ne!(all[4], all[0]);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 5);
    // An edge keeps its id when the edges before it go.
    let mut h = KnowledgeGraph::default();
    let (a, b) = (node(&mut h, "entity:a"), node(&mut h, "entity:b"));
    h.graph
        .add_edge(b, a, Edge::new(EdgeKind::CoOccurs, 1.0, Vec::new()));
    assert_eq!(EdgeIds::new(&h).get(0), all[4]);
    for xml in [graphml(&g), gexf(&g)] {
        for id in &all {
            assert!(xml.contains(&format!("<edge id=\"{id}\"")), "{id}");
        }
    }
}

#[test]
fn initial_positions_hold_until_the_graph_doubles() {
    use kgx::export::node_position;
    let ids: Vec<String> = (0..200)
        .map(|i| format!("section:post-{i}.md#{i}"))
        .collect();
    let mut changes = 0;
    for n in 1..5000usize {
        let (now, next): (Vec<_>, Vec<_>) = ids
            .iter()
            .map(|id| (node_position(id, n), node_position(id, n + 1)))
            .unzip();
        if now != next {
            changes += 1;
        }
        // Inside a disc of at least 12·√n, at most 12·√(2n) (rounded up).
        let r = now.iter().map(|&(x, y)| x * x + y * y).max().unwrap() as f64;
        assert!(
            r.sqrt() <= (12.0 * ((2 * n) as f64).sqrt()).max(100.0) + 1.0,
            "n={n}"
        );
    }
    // The radius steps through 100·√2ᵏ: it grows past 100 at n = 70, then at every doubling
    // (139, 278, 556, 1112, 2223, 4445), seven times below 5000 nodes.
    assert_eq!(changes, 7, "positions moved {changes} times");
    let spread: HashSet<_> = ids.iter().map(|id| node_position(id, 100)).collect();
    assert!(spread.len() > 190, "distinct ids get distinct places");
}
