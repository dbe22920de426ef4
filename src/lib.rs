//! kgx turns a folder of Markdown articles into a knowledge graph of the entities and topics
//! they mention.
//!
//! The pipeline, one module a stage, each a function from one owned type to the next:
//!
//! 1. [`input`]: PATH arguments → [`input::SourceEntry`] files, bytes → text.
//! 2. [`frontmatter`] + [`document`]: text → [`document::Document`] (fields, sections, prose
//!    with a map back to source bytes, [`prose`]).
//! 3. [`text`] (the fold), [`dict`] ([`dict::Dictionary`]) and [`matcher`]
//!    ([`matcher::Matcher`]): prose → entity mentions; [`segment`]: prose → jieba terms.
//! 4. [`extract`]: one article → one serialisable [`record::ArticleRecord`] (the map half).
//! 5. [`merge`]: records in any order → [`merge::Corpus`] → [`graph::KnowledgeGraph`] (the
//!    order-independent reduce half). [`pipeline`] drives it over threads, stdin and record
//!    files; [`cache`] keeps records between runs.
//! 6. [`export`] (GraphML, GEXF, JSON, graphology, CSV, written atomically by [`output`]),
//!    [`related`] (related posts), [`report`] (topic dashboard), [`suggest`] (dictionary work).
//!
//! ```
//! use kgx::{dict, extract::Extractor, merge};
//!
//! let dict = dict::load(&dict::default_sources()).unwrap();
//! let extractor = Extractor::new(dict.clone(), false);
//! let text = "---\ntitle: 沃尔玛与 IBM\n---\n\n## 供应链\n\nWalmart 和 IBM 用区块链追踪食品。\n";
//! let record = extractor.extract("post.md", text, kgx::extract::content_hash(text.as_bytes()), vec![]);
//! let mut corpus = merge::Corpus::new();
//! corpus.add(record).unwrap();
//! let graph = merge::build_graph(&corpus, &dict, &merge::MergeOptions::default());
//! assert!(graph.graph.node_weights().any(|n| n.id == "entity:walmart"));
//! ```
#![deny(missing_docs)]

pub mod diag;

pub mod document;
pub mod frontmatter;
pub mod input;
pub mod prose;

pub mod dict;
pub mod matcher;
pub mod segment;
pub mod text;

pub mod cache;
pub mod extract;
pub mod merge;
pub mod pipeline;
pub mod record;

pub mod export;
pub mod graph;
pub mod output;
pub mod related;
pub mod report;
pub mod suggest;

pub use diag::{Error, Result, Warning};
