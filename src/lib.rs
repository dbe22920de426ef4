//! kgx turns a folder of Markdown articles into a knowledge graph of the entities and topics
//! they mention.
//!
//! The pipeline, one module a stage:
//! [`input`] (files) → [`frontmatter`] + [`document`] ([`document::Document`], prose with a map
//! back to the source) → [`text`] (the fold) + [`dict`] + [`matcher`] (entity mentions) →
//! [`segment`] (jieba terms) → [`record`] ([`record::ArticleRecord`], one file in, one
//! serialisable record out) → [`merge`] (order-independent) → [`graph`]
//! ([`graph::KnowledgeGraph`]) → [`export`], [`related`], [`report`].
#![deny(missing_docs)]

pub mod diag;
pub mod dict;
pub mod document;
pub mod frontmatter;
pub mod graph;
pub mod matcher;
pub mod prose;
pub mod record;
pub mod suggest;
pub mod text;

pub use diag::{Error, Result, Warning};
