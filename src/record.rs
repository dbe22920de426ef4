//! Extract records: everything the graph needs from one article alone (SPEC §8).
//!
//! A record is made from one file and nothing else, so it can be made on any thread, any
//! machine, at any time, and cached by content hash. Everything corpus-wide (IDF, statistics,
//! co-occurrence) is left to [`crate::merge`]. Records are versioned and carry the hash of the
//! dictionaries they were extracted with; a merge refuses mixes.

use crate::diag::Warning;
use serde::{Deserialize, Serialize};

/// Version of the record and partial-state format; bump on any change of their meaning.
pub const FORMAT_VERSION: u32 = 1;

/// One article, extracted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRecord {
    /// [`FORMAT_VERSION`] of the writer.
    pub format: u32,
    /// Hash of the dictionaries the mentions were found with.
    pub dict: String,
    /// Whether `terms` were segmented (keywords on).
    pub keywords: bool,
    /// Article id (relative path, `/`-separated).
    pub id: String,
    /// blake3 of the file's bytes (hex).
    pub hash: String,
    /// Title as shown.
    pub title: String,
    /// Front matter `date` (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Front matter `lastmod` (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lastmod: Option<String>,
    /// Authors.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Categories.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Front matter keywords.
    #[serde(default)]
    pub fm_keywords: Vec<String>,
    /// Words of prose (see [`crate::document::count_words`]).
    pub words: u64,
    /// Sections in order.
    pub sections: Vec<SectionRecord>,
    /// Entity mentions in prose order.
    pub mentions: Vec<MentionRecord>,
    /// Segmented term counts, sorted by term (empty without keywords).
    #[serde(default)]
    pub terms: Vec<(String, u32)>,
    /// Problems found while reading this article.
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

/// One section of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionRecord {
    /// 1-based order.
    pub order: u32,
    /// Heading level (0 for the lead section).
    pub level: u8,
    /// Order of the enclosing section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u32>,
    /// Heading text.
    pub heading: String,
    /// `A > B > C`.
    pub heading_path: String,
    /// 1-based source line.
    pub line: u32,
}

/// One mention of an entity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MentionRecord {
    /// Entity id.
    pub entity: String,
    /// Order of the section it is in; `None` for the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<u32>,
    /// Whether it is in the section's heading (or the title).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_heading: bool,
    /// 1-based source line.
    pub line: u32,
    /// Source byte offset of the mention's first byte.
    pub byte: u32,
    /// Source byte length (the span in the file, which may include markup).
    pub len: u32,
}

/// The compact binary form of a record that the incremental cache keeps (JSON lines stay the
/// form records travel in between processes and engines). Integers are LEB128 varints, strings
/// and lists are a varint length and their items, options and booleans a byte; fields in
/// declaration order. It encodes faster than JSON and decodes with no escapes to scan, which
/// is most of loading the cache.
pub mod binary {
    use super::{ArticleRecord, MentionRecord, SectionRecord};
    use crate::diag::Warning;

    /// Appends `record` to `out`.
    pub fn encode(record: &ArticleRecord, out: &mut Vec<u8>) {
        let w = &mut Writer(out);
        w.uint(record.format.into());
        w.str(&record.dict);
        w.bool(record.keywords);
        w.str(&record.id);
        w.str(&record.hash);
        w.str(&record.title);
        w.opt_str(record.date.as_deref());
        w.opt_str(record.lastmod.as_deref());
        for list in [
            &record.authors,
            &record.tags,
            &record.categories,
            &record.fm_keywords,
        ] {
            w.uint(list.len() as u64);
            list.iter().for_each(|s| w.str(s));
        }
        w.uint(record.words);
        w.uint(record.sections.len() as u64);
        for s in &record.sections {
            w.uint(s.order.into());
            w.uint(s.level.into());
            w.opt_uint(s.parent);
            w.str(&s.heading);
            w.str(&s.heading_path);
            w.uint(s.line.into());
        }
        w.uint(record.mentions.len() as u64);
        for m in &record.mentions {
            w.str(&m.entity);
            w.opt_uint(m.section);
            w.bool(m.in_heading);
            w.uint(m.line.into());
            w.uint(m.byte.into());
            w.uint(m.len.into());
        }
        w.uint(record.terms.len() as u64);
        for (term, count) in &record.terms {
            w.str(term);
            w.uint((*count).into());
        }
        w.uint(record.warnings.len() as u64);
        for warning in &record.warnings {
            w.str(&warning.path);
            w.opt_uint(warning.line);
            w.str(&warning.message);
        }
    }

    /// The record encoded in the whole of `bytes`, or what is wrong with them. Never panics,
    /// whatever the bytes.
    pub fn decode(bytes: &[u8]) -> Result<ArticleRecord, String> {
        let r = &mut Reader { bytes, at: 0 };
        let record = ArticleRecord {
            format: r.u32()?,
            dict: r.str()?,
            keywords: r.bool()?,
            id: r.str()?,
            hash: r.str()?,
            title: r.str()?,
            date: r.opt_str()?,
            lastmod: r.opt_str()?,
            authors: r.list(Reader::str)?,
            tags: r.list(Reader::str)?,
            categories: r.list(Reader::str)?,
            fm_keywords: r.list(Reader::str)?,
            words: r.uint()?,
            sections: r.list(|r| {
                Ok(SectionRecord {
                    order: r.u32()?,
                    level: u8::try_from(r.uint()?).map_err(|_| r.error("level out of range"))?,
                    parent: r.opt_u32()?,
                    heading: r.str()?,
                    heading_path: r.str()?,
                    line: r.u32()?,
                })
            })?,
            mentions: r.list(|r| {
                Ok(MentionRecord {
                    entity: r.str()?,
                    section: r.opt_u32()?,
                    in_heading: r.bool()?,
                    line: r.u32()?,
                    byte: r.u32()?,
                    len: r.u32()?,
                })
            })?,
            terms: r.list(|r| Ok((r.str()?, r.u32()?)))?,
            warnings: r.list(|r| {
                Ok(Warning {
                    path: r.str()?,
                    line: r.opt_u32()?,
                    message: r.str()?,
                })
            })?,
        };
        if r.at != bytes.len() {
            return Err(r.error("bytes after the record"));
        }
        Ok(record)
    }

    struct Writer<'a>(&'a mut Vec<u8>);

    impl Writer<'_> {
        fn uint(&mut self, mut v: u64) {
            while v >= 0x80 {
                self.0.push(v as u8 | 0x80);
                v >>= 7;
            }
            self.0.push(v as u8);
        }

        fn bool(&mut self, b: bool) {
            self.0.push(b as u8);
        }

        fn str(&mut self, s: &str) {
            self.uint(s.len() as u64);
            self.0.extend_from_slice(s.as_bytes());
        }

        fn opt_str(&mut self, s: Option<&str>) {
            self.bool(s.is_some());
            if let Some(s) = s {
                self.str(s);
            }
        }

        fn opt_uint(&mut self, v: Option<u32>) {
            self.bool(v.is_some());
            if let Some(v) = v {
                self.uint(v.into());
            }
        }
    }

    struct Reader<'a> {
        bytes: &'a [u8],
        at: usize,
    }

    impl Reader<'_> {
        fn error(&self, what: &str) -> String {
            format!("{what} at byte {}", self.at)
        }

        fn byte(&mut self) -> Result<u8, String> {
            let b = *self
                .bytes
                .get(self.at)
                .ok_or_else(|| self.error("truncated"))?;
            self.at += 1;
            Ok(b)
        }

        fn uint(&mut self) -> Result<u64, String> {
            let mut v = 0u64;
            for shift in (0..64).step_by(7) {
                let b = self.byte()?;
                v |= u64::from(b & 0x7F) << shift;
                if b < 0x80 {
                    return Ok(v);
                }
            }
            Err(self.error("varint too long"))
        }

        fn u32(&mut self) -> Result<u32, String> {
            u32::try_from(self.uint()?).map_err(|_| self.error("number out of range"))
        }

        fn bool(&mut self) -> Result<bool, String> {
            match self.byte()? {
                0 => Ok(false),
                1 => Ok(true),
                _ => Err(self.error("not a boolean")),
            }
        }

        fn str(&mut self) -> Result<String, String> {
            let len = usize::try_from(self.uint()?).map_err(|_| self.error("length"))?;
            let end = self
                .at
                .checked_add(len)
                .filter(|&end| end <= self.bytes.len())
                .ok_or_else(|| self.error("truncated string"))?;
            let s = std::str::from_utf8(&self.bytes[self.at..end])
                .map_err(|_| self.error("string not UTF-8"))?;
            self.at = end;
            Ok(s.to_owned())
        }

        fn opt_str(&mut self) -> Result<Option<String>, String> {
            Ok(if self.bool()? {
                Some(self.str()?)
            } else {
                None
            })
        }

        fn opt_u32(&mut self) -> Result<Option<u32>, String> {
            Ok(if self.bool()? {
                Some(self.u32()?)
            } else {
                None
            })
        }

        fn list<T>(
            &mut self,
            item: impl Fn(&mut Self) -> Result<T, String>,
        ) -> Result<Vec<T>, String> {
            let n = usize::try_from(self.uint()?).map_err(|_| self.error("length"))?;
            // Every item takes a byte at least: a count larger than the bytes left is corrupt,
            // and never reserves more than they could hold.
            if n > self.bytes.len() - self.at {
                return Err(self.error("list longer than the bytes left"));
            }
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                out.push(item(self)?);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::binary::{decode, encode};
    use super::*;

    /// Records of `data/`, extracted with keywords.
    fn records() -> Vec<ArticleRecord> {
        let dict = crate::dict::load(&crate::dict::default_sources()).unwrap();
        let extractor = crate::extract::Extractor::new(dict, true);
        let data = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data"));
        let pool = crate::pipeline::pool(1);
        let none = |_: &str, _: &str| None;
        crate::pipeline::extract_paths(&[data], &extractor, &pool, &none, &|_| {})
            .1
            .records
    }

    #[test]
    fn binary_records_decode_to_what_was_encoded() {
        let mut records = records();
        assert!(records.len() > 5);
        // Every optional field both ways, and a warning with and without a line.
        records[0].date = None;
        records[0].warnings = vec![
            Warning::new("a.md", Some(3), "x"),
            Warning::new("a.md", None, "y"),
        ];
        assert!(records.iter().any(|r| !r.terms.is_empty()));
        assert!(records
            .iter()
            .any(|r| r.mentions.iter().any(|m| m.in_heading)));
        assert!(records
            .iter()
            .any(|r| r.sections.iter().any(|s| s.parent.is_some())));
        for r in &records {
            let mut bytes = Vec::new();
            encode(r, &mut bytes);
            assert_eq!(decode(&bytes).as_ref(), Ok(r), "{}", r.id);
        }
    }

    #[test]
    fn damaged_binary_records_are_errors_not_panics() {
        let record = records()
            .into_iter()
            .max_by_key(|r| r.mentions.len())
            .unwrap();
        let mut bytes = Vec::new();
        encode(&record, &mut bytes);
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end]).is_err(), "cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        // Any byte changed: an error or another record, never a panic or a huge allocation.
        for at in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xFF] {
                let mut bad = bytes.clone();
                bad[at] ^= flip;
                let _ = decode(&bad);
            }
        }
    }
}
