//! Front matter: YAML (`---`), TOML (`+++`) or JSON (`{`) at byte 0 of a post.
//!
//! The block is split off here ([`split`]), never by pulldown-cmark's metadata option (which
//! also takes a `---` block in the middle of a document): only a delimiter at byte 0 (after an
//! optional BOM) opens front matter, so a `---` later in the body stays a thematic break.
//! [`parse`] reads the fields kgx uses through one tolerant intermediate value (a private
//! `Flex` type) shared by the three formats, so `author: x` and `author: [x, y]`,
//! `description: null`, TOML datetimes and unknown fields all just work. Broken front matter is
//! a warning with the line in the *file* (the parser's line shifted by the opening delimiter);
//! the article is still read.

use crate::diag::Warning;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The fields of front matter that kgx uses (SPEC §2). Missing fields are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontMatter {
    /// `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `date`, normalised to `YYYY-MM-DD` (the calendar date as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `lastmod`, normalised like `date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lastmod: Option<String>,
    /// `author` and `authors`, in order, without duplicates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// `tags`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `categories`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// `keywords`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// `slug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `draft`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
}

/// The syntax of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `---` … `---`
    Yaml,
    /// `+++` … `+++`
    Toml,
    /// `{` … `}` (a JSON object)
    Json,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Yaml => "YAML",
            Format::Toml => "TOML",
            Format::Json => "JSON",
        }
    }
}

/// A post split into front matter and body. Offsets are byte offsets into the whole file, so
/// the body can be parsed alone and its events mapped back by adding [`Split::body_offset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The front matter's syntax; `None` when the file has none.
    pub format: Option<Format>,
    /// The front matter text: between the delimiter lines for YAML and TOML, the whole object
    /// (braces included) for JSON; empty when there is none.
    pub matter: &'a str,
    /// Byte offset of `matter` in the file.
    pub matter_offset: usize,
    /// 1-based line of the file where `matter` starts.
    pub matter_line: u32,
    /// Everything after the front matter (after the BOM when there is none).
    pub body: &'a str,
    /// Byte offset of `body` in the file.
    pub body_offset: usize,
    /// An opening `---` / `+++` at byte 0 that is never closed. The block is then read as
    /// Markdown body (`format` is `None`) and [`parse`] warns.
    pub unclosed: Option<Format>,
}

const BOM: &str = "\u{FEFF}";

/// Splits front matter off a post. Only a delimiter at byte 0 (after an optional UTF-8 BOM)
/// opens front matter: `---` or `+++` alone on the first line, closed by the same delimiter
/// alone on a later line (trailing spaces and CRLF allowed); or a JSON object starting with
/// `{`, ending at the end of the object (or, when the JSON is broken, at the first line that is
/// `}` alone, so the warning names the real error). Never fails and never panics.
pub fn split(text: &str) -> Split<'_> {
    let start = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let rest = &text[start..];
    let none = Split {
        format: None,
        matter: "",
        matter_offset: start,
        matter_line: 1,
        body: rest,
        body_offset: start,
        unclosed: None,
    };
    let (format, delim) = if rest.starts_with("---") {
        (Format::Yaml, "---")
    } else if rest.starts_with("+++") {
        (Format::Toml, "+++")
    } else if rest.starts_with('{') {
        return split_json(text, start).unwrap_or(none);
    } else {
        return none;
    };
    // The opening line must be the delimiter alone.
    let first_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_end].trim_end() != delim {
        return none;
    }
    let matter_offset = start + first_end;
    let mut pos = matter_offset;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == delim {
            return Split {
                format: Some(format),
                matter: &text[matter_offset..pos],
                matter_offset,
                matter_line: 2,
                body: &text[end..],
                body_offset: end,
                unclosed: None,
            };
        }
        pos = end;
    }
    Split {
        unclosed: Some(format),
        ..none
    }
}

fn split_json(text: &str, start: usize) -> Option<Split<'_>> {
    let rest = &text[start..];
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<IgnoredAny>();
    let end = match stream.next() {
        Some(Ok(_)) => stream.byte_offset(),
        // Broken JSON: the block still ends at a `}` line, if there is one.
        _ => {
            let mut pos = 0;
            let mut found = None;
            while pos < rest.len() {
                let end = rest[pos..].find('\n').map_or(rest.len(), |i| pos + i + 1);
                if rest[pos..end].trim_end() == "}" {
                    found = Some(pos + 1);
                    break;
                }
                pos = end;
            }
            found?
        }
    };
    // The body starts on the line after the object.
    let body_offset = start + rest[end..].find('\n').map_or(rest.len(), |i| end + i + 1);
    Some(Split {
        format: Some(Format::Json),
        matter: &rest[..end],
        matter_offset: start,
        matter_line: 1,
        body: &text[body_offset..],
        body_offset,
        unclosed: None,
    })
}

/// Reads the fields kgx uses from a split post. `id` names the article in warnings. Syntax
/// errors give one warning with the file line and empty fields; a field of the wrong shape (a
/// map where a list is expected, a date that is not a date) gives a warning and is left out.
pub fn parse(id: &str, split: &Split<'_>) -> (FrontMatter, Vec<Warning>) {
    let mut warnings = Vec::new();
    if let Some(format) = split.unclosed {
        let delim = if format == Format::Yaml { "---" } else { "+++" };
        warnings.push(Warning::new(
            id,
            Some(1),
            format!("front matter opened by `{delim}` is never closed; read as Markdown"),
        ));
        return (FrontMatter::default(), warnings);
    }
    let Some(format) = split.format else {
        return (FrontMatter::default(), warnings);
    };
    if format != Format::Json && split.matter.trim().is_empty() {
        return (FrontMatter::default(), warnings);
    }
    let raw: Result<Raw, (Option<u32>, String)> = match format {
        Format::Yaml => match simple_yaml(split.matter) {
            Some(raw) => Ok(raw),
            None => serde_saphyr::from_str(split.matter).map_err(|e| {
                let line = e.location().map(|l| l.line() as u32);
                (line, first_line(&e.to_string()))
            }),
        },
        Format::Toml => toml::from_str(split.matter).map_err(|e| {
            let line = e.span().map(|s| line_in(split.matter, s.start));
            (line, first_line(e.message()))
        }),
        Format::Json => serde_json::from_str(split.matter).map_err(|e| {
            let line = (e.line() > 0).then_some(e.line() as u32);
            (line, first_line(&e.to_string()))
        }),
    };
    let raw = match raw {
        Ok(raw) => raw,
        Err((line, msg)) => {
            let line = line.unwrap_or(1).max(1) + split.matter_line - 1;
            warnings.push(Warning::new(
                id,
                Some(line),
                format!(
                    "front matter is not valid {}: {msg}; fields ignored",
                    format.name()
                ),
            ));
            return (FrontMatter::default(), warnings);
        }
    };
    let mut w = FieldWarn {
        id,
        split,
        warnings: &mut warnings,
    };
    let mut fm = FrontMatter {
        title: w.string("title", raw.title),
        date: w.date("date", raw.date),
        lastmod: w.date("lastmod", raw.lastmod),
        slug: w.string("slug", raw.slug),
        description: w.string("description", raw.description),
        draft: w.boolean("draft", raw.draft),
        ..FrontMatter::default()
    };
    fm.title = fm
        .title
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    w.list("author", raw.author, &mut fm.authors);
    w.list("authors", raw.authors, &mut fm.authors);
    w.list("tags", raw.tags, &mut fm.tags);
    w.list("categories", raw.categories, &mut fm.categories);
    w.list("keywords", raw.keywords, &mut fm.keywords);
    (fm, warnings)
}

/// The first line of a parser's message, without its own `error:` and `line N column M:`
/// prefixes (those count lines in the block, not in the file, and would mislead).
fn first_line(msg: &str) -> String {
    let mut m = msg.lines().next().unwrap_or("").trim();
    m = m.strip_prefix("error:").unwrap_or(m).trim_start();
    if let Some(rest) = m.strip_prefix("line ") {
        if let Some(colon) = rest.find(": ") {
            if rest[..colon]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b' ' || b.is_ascii_lowercase())
            {
                m = &rest[colon + 2..];
            }
        }
    }
    // serde_json appends " at line N column M".
    if let Some(at) = m.rfind(" at line ") {
        m = &m[..at];
    }
    m.to_string()
}

/// 1-based line of byte `at` in `s`.
fn line_in(s: &str, at: usize) -> u32 {
    let at = at.min(s.len());
    s.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() as u32 + 1
}

/// Byte offset (in the file) of the line where `key` is set in the front matter: a line that
/// starts with the key (optionally quoted) followed by `:` or `=`. Used to point warnings and
/// the title's prose at the right line.
pub fn key_offset(split: &Split<'_>, key: &str) -> Option<usize> {
    let m = split.matter;
    let mut pos = 0;
    while pos < m.len() {
        let end = m[pos..].find('\n').map_or(m.len(), |i| pos + i + 1);
        let line = m[pos..end].trim_start_matches([' ', '\t', '{']);
        let line = line.strip_prefix('"').unwrap_or(line);
        if let Some(after) = line.strip_prefix(key) {
            let after = after.strip_prefix('"').unwrap_or(after).trim_start();
            if after.starts_with(':') || after.starts_with('=') {
                return Some(split.matter_offset + pos);
            }
        }
        pos = end;
    }
    None
}

/// Field-level problems: a warning on the field's line, the field left out.
struct FieldWarn<'a, 'b> {
    id: &'a str,
    split: &'a Split<'b>,
    warnings: &'a mut Vec<Warning>,
}

impl FieldWarn<'_, '_> {
    fn warn(&mut self, key: &str, msg: String) {
        let line = key_offset(self.split, key)
            .map(|off| {
                let before = off - self.split.matter_offset;
                self.split.matter_line + line_in(self.split.matter, before) - 1
            })
            .or(Some(self.split.matter_line));
        self.warnings.push(Warning::new(self.id, line, msg));
    }

    fn string(&mut self, key: &str, v: Flex) -> Option<String> {
        match v {
            Flex::Null => None,
            Flex::Str(s) | Flex::Date(s) => Some(s),
            Flex::Num(s) => Some(s),
            Flex::Bool(b) => Some(b.to_string()),
            Flex::List(_) | Flex::Other => {
                self.warn(
                    key,
                    format!("front matter `{key}` should be a string; ignored"),
                );
                None
            }
        }
    }

    fn date(&mut self, key: &str, v: Flex) -> Option<String> {
        let s = match v {
            Flex::Null => return None,
            Flex::Str(s) | Flex::Date(s) | Flex::Num(s) => s,
            Flex::Bool(_) | Flex::List(_) | Flex::Other => {
                self.warn(
                    key,
                    format!("front matter `{key}` should be a date; ignored"),
                );
                return None;
            }
        };
        if s.trim().is_empty() {
            return None;
        }
        let d = normalise_date(&s);
        if d.is_none() {
            self.warn(
                key,
                format!("front matter `{key}` is not a date (`{s}`); ignored"),
            );
        }
        d
    }

    fn boolean(&mut self, key: &str, v: Flex) -> bool {
        match v {
            Flex::Null => false,
            Flex::Bool(b) => b,
            Flex::Str(s) if s.eq_ignore_ascii_case("true") => true,
            Flex::Str(s) if s.eq_ignore_ascii_case("false") || s.is_empty() => false,
            _ => {
                self.warn(
                    key,
                    format!("front matter `{key}` should be true or false; ignored"),
                );
                false
            }
        }
    }

    /// Appends the items of a string-or-list field to `out`, trimmed, without empties or
    /// duplicates. A single string is split at commas (`,` or `，`).
    fn list(&mut self, key: &str, v: Flex, out: &mut Vec<String>) {
        let add = |s: String, out: &mut Vec<String>| {
            let s = s.trim();
            if !s.is_empty() && !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        };
        match v {
            Flex::Null => {}
            // `tags: a, b` means two tags: a tag with a comma in it is never what was meant.
            Flex::Str(s) => s.split([',', '，']).for_each(|t| add(t.to_string(), out)),
            Flex::Num(s) | Flex::Date(s) => add(s, out),
            Flex::List(items) => {
                let mut bad = false;
                for item in items {
                    match item {
                        Flex::Str(s) | Flex::Num(s) | Flex::Date(s) => add(s, out),
                        Flex::Null => {}
                        _ => bad = true,
                    }
                }
                if bad {
                    self.warn(
                        key,
                        format!("front matter `{key}` has items that are not strings; left out"),
                    );
                }
            }
            Flex::Bool(_) | Flex::Other => self.warn(
                key,
                format!("front matter `{key}` should be a string or a list of strings; ignored"),
            ),
        }
    }
}

/// Normalises a date as written to `YYYY-MM-DD`: the calendar date at the start of the value,
/// whatever follows (`T16:52:24.493Z`, ` 10:00:00 +0800`, nothing). `-` or `/` separators;
/// one- or two-digit month and day. The zone is never applied: the date is the one the author
/// wrote. Returns `None` for anything that is not a valid calendar date.
pub fn normalise_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = |from: usize, max: usize| {
        let n = b[from..]
            .iter()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .count();
        (n > 0).then(|| (s[from..from + n].parse::<i16>().ok(), from + n))
    };
    let (year, i) = digits(0, 4)?;
    if i != 4 {
        return None;
    }
    let sep = *b.get(i)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let (month, j) = digits(i + 1, 2)?;
    if b.get(j) != Some(&sep) {
        return None;
    }
    let (day, k) = digits(j + 1, 2)?;
    if let Some(&c) = b.get(k) {
        if !matches!(c, b'T' | b't' | b' ' | b'_') {
            return None;
        }
    }
    let date = jiff::civil::Date::new(year?, month? as i8, day? as i8).ok()?;
    Some(date.strftime("%Y-%m-%d").to_string())
}

/// The fields kgx reads, each as a tolerant [`Flex`]; everything else is ignored.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
struct Raw {
    title: Flex,
    date: Flex,
    lastmod: Flex,
    author: Flex,
    authors: Flex,
    tags: Flex,
    categories: Flex,
    keywords: Flex,
    slug: Flex,
    description: Flex,
    draft: Flex,
}

impl Raw {
    /// The field named `key`, for the YAML fast path; `None` for a key kgx does not read.
    fn field(&mut self, key: &str) -> Option<&mut Flex> {
        Some(match key {
            "title" => &mut self.title,
            "date" => &mut self.date,
            "lastmod" => &mut self.lastmod,
            "author" => &mut self.author,
            "authors" => &mut self.authors,
            "tags" => &mut self.tags,
            "categories" => &mut self.categories,
            "keywords" => &mut self.keywords,
            "slug" => &mut self.slug,
            "description" => &mut self.description,
            "draft" => &mut self.draft,
            _ => return None,
        })
    }
}

/// Reads the plainest YAML front matter without a YAML parser: `key: plain scalar`,
/// `key: []`, and `key:` followed by `- plain scalar` items. That is the shape nearly every
/// post has, and a general YAML parser costs as much as the Markdown parse of a typical post.
/// Anything else (quotes, comments, flow collections, nested maps, numbers, YAML 1.1 booleans,
/// repeated keys, tabs, CR) returns `None`, and serde-saphyr reads the block: its result, and
/// its errors with their lines, are the reference. A test checks both agree wherever this
/// function answers.
fn simple_yaml(m: &str) -> Option<Raw> {
    if m.contains([
        '\t', '\r', '#', '"', '\'', '&', '*', '!', '|', '>', '%', '@', '`', '{', '}', '\\', '?',
    ]) {
        return None;
    }
    let mut raw = Raw::default();
    let mut seen: Vec<&str> = Vec::new();
    let mut lines = m.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim_matches(' ').is_empty() {
            continue;
        }
        let (key, rest) = line.split_once(':')?;
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return None;
        }
        if !rest.is_empty() && !rest.starts_with(' ') || seen.contains(&key) {
            return None;
        }
        seen.push(key);
        let value = rest.trim_matches(' ');
        let read = raw.field(key).is_some();
        let flex = if value.is_empty() {
            let mut items = Vec::new();
            let mut indent = None;
            while let Some(next) = lines.peek() {
                let item = next.trim_start_matches(' ');
                let ind = next.len() - item.len();
                if !item.starts_with('-') {
                    if ind == 0 {
                        break;
                    }
                    return None; // a nested map or a continued scalar
                }
                if indent.is_some_and(|i| i != ind) {
                    return None;
                }
                indent = Some(ind);
                items.push(plain_scalar(
                    item.strip_prefix("- ")?.trim_matches(' '),
                    read,
                )?);
                lines.next();
            }
            if indent.is_some() {
                Flex::List(items)
            } else {
                Flex::Null
            }
        } else if value == "[]" {
            Flex::List(Vec::new())
        } else {
            plain_scalar(value, read)?
        };
        if let Some(field) = raw.field(key) {
            *field = flex;
        }
    }
    Some(raw)
}

/// A plain YAML scalar that cannot be anything but a string, `null` or a boolean; `None` for
/// anything a YAML parser might read otherwise. For a field kgx does not `read`, only the
/// structure matters (the value is dropped), so numbers are fine.
fn plain_scalar(v: &str, read: bool) -> Option<Flex> {
    let first = v.chars().next()?;
    if "-?:,[]{}#&*!|>'\"%@`.+".contains(first)
        || v.contains(": ")
        || v.ends_with(':')
        || v.contains(['[', ']'])
    {
        return None;
    }
    if !read {
        return Some(Flex::Other);
    }
    match v {
        "null" | "Null" | "NULL" | "~" => return Some(Flex::Null),
        "true" | "True" | "TRUE" => return Some(Flex::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Flex::Bool(false)),
        _ => {}
    }
    if ["yes", "no", "on", "off", "y", "n"]
        .iter()
        .any(|w| v.eq_ignore_ascii_case(w))
    {
        return None;
    }
    if first.is_ascii_digit() {
        // A date-like value (`2024-02-01…`) is surely a string; numbers are the parser's.
        let b = v.as_bytes();
        let date_like = b.len() >= 10
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[5..7].iter().all(u8::is_ascii_digit)
            && b[7] == b'-'
            && b[8..10].iter().all(u8::is_ascii_digit);
        // Non-ASCII or a space (`2024年…`, `3 ways`) cannot be a number either.
        let number_like = v.bytes().all(|b| b.is_ascii_graphic());
        if number_like && !date_like {
            return None;
        }
    }
    Some(Flex::Str(v.to_string()))
}

/// Any front matter value, kept in the few shapes kgx distinguishes. Deserialising it never
/// fails on a well-formed document, so one odd field cannot hide the others.
#[derive(Debug, Default, PartialEq)]
enum Flex {
    #[default]
    Null,
    Str(String),
    /// A number, kept as written.
    Num(String),
    Bool(bool),
    /// A TOML datetime, in its RFC 3339 text.
    Date(String),
    List(Vec<Flex>),
    /// A map or anything else kgx does not read.
    Other,
}

/// The key under which the toml crate hands a datetime to `deserialize_any`.
const TOML_DATETIME: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Flex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flex;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Flex, E> {
                Ok(Flex::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Flex, E> {
                Ok(Flex::Num(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Flex, E> {
                Ok(Flex::Num(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Flex, E> {
                Ok(Flex::Num(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Flex, E> {
                Ok(Flex::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Flex, E> {
                Ok(Flex::Str(v))
            }
            fn visit_unit<E>(self) -> Result<Flex, E> {
                Ok(Flex::Null)
            }
            fn visit_none<E>(self) -> Result<Flex, E> {
                Ok(Flex::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Flex, D::Error> {
                Flex::deserialize(d)
            }
            fn visit_bytes<E>(self, _: &[u8]) -> Result<Flex, E> {
                Ok(Flex::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Flex, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Flex>()? {
                    items.push(item);
                }
                Ok(Flex::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Flex, A::Error> {
                // A TOML datetime arrives as a one-entry map; an `{name: …}` map (some themes
                // write authors so) reads as its name.
                let mut out = Flex::Other;
                while let Some(key) = map.next_key::<KeyName>()? {
                    let value = map.next_value::<Flex>()?;
                    match (key.0.as_deref(), value) {
                        (Some(TOML_DATETIME), Flex::Str(s)) => out = Flex::Date(s),
                        (Some("name"), Flex::Str(s)) if out == Flex::Other => out = Flex::Str(s),
                        _ => {}
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

/// A map key: its text when it is a string, nothing otherwise (YAML allows any key).
struct KeyName(Option<String>);

impl<'de> Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Flex::deserialize(d)? {
            Flex::Str(s) => Ok(KeyName(Some(s))),
            _ => Ok(KeyName(None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(text: &str) -> (FrontMatter, Vec<Warning>) {
        parse("t.md", &split(text))
    }

    #[test]
    fn yaml_seed_shape() {
        let (m, w) = fm("---\ntitle: 标题\ndescription: null\nauthor: 李\nweight: 0\ndate: 2023-12-03T16:52:24.493Z\ntags: []\ncategories:\n    - 区块链\n---\nbody");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(m.title.as_deref(), Some("标题"));
        assert_eq!(m.description, None);
        assert_eq!(m.authors, ["李"]);
        assert_eq!(m.date.as_deref(), Some("2023-12-03"));
        assert!(m.tags.is_empty());
        assert_eq!(m.categories, ["区块链"]);
    }

    #[test]
    fn toml_datetimes_keep_the_written_date() {
        let (m, w) = fm("+++\ntitle = \"T\"\ndate = 2024-02-01T23:30:00-08:00\nlastmod = 2024-03-05\nauthors = [\"A\", \"B\"]\nauthor = \"A\"\n+++\n");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(m.date.as_deref(), Some("2024-02-01"));
        assert_eq!(m.lastmod.as_deref(), Some("2024-03-05"));
        assert_eq!(m.authors, ["A", "B"]);
    }

    #[test]
    fn json_front_matter() {
        let (m, w) =
            fm("{\n  \"title\": \"J\",\n  \"tags\": \"one\",\n  \"draft\": true\n}\n# Body\n");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(m.title.as_deref(), Some("J"));
        assert_eq!(m.tags, ["one"]);
        assert!(m.draft);
        assert_eq!(split("{\n\"a\": 1\n}\nrest").body, "rest");
    }

    #[test]
    fn dates() {
        for (i, o) in [
            ("2023-12-03T16:52:24.493Z", Some("2023-12-03")),
            ("2024-02-01", Some("2024-02-01")),
            ("2024-02-01 10:00:00 +0800", Some("2024-02-01")),
            ("2024/2/1", Some("2024-02-01")),
            ("2024-02-30", None),
            ("yesterday", None),
            ("20240201", None),
            ("2024-02-01x", None),
        ] {
            assert_eq!(normalise_date(i).as_deref(), o, "{i}");
        }
    }

    #[test]
    fn broken_yaml_warns_with_file_line() {
        let (m, w) = fm("---\ntitle: ok\ntags: [a, b\ndate: 2024-01-01\n---\n# H\n");
        assert_eq!(m, FrontMatter::default());
        assert_eq!(w.len(), 1, "{w:?}");
        let line = w[0].line.unwrap();
        assert!((3..=5).contains(&line), "{w:?}");
    }

    #[test]
    fn broken_toml_warns_with_file_line() {
        let (_, w) = fm("+++\ntitle = \"ok\"\ndate = = 3\n+++\n");
        assert_eq!(w[0].line, Some(3), "{w:?}");
    }

    #[test]
    fn unclosed_is_body() {
        let s = split("---\ntitle: x\n\nHello");
        assert_eq!(s.format, None);
        assert_eq!(s.unclosed, Some(Format::Yaml));
        assert_eq!(s.body, "---\ntitle: x\n\nHello");
        assert_eq!(fm("---\ntitle: x\n").1[0].line, Some(1));
    }

    #[test]
    fn only_at_byte_zero() {
        assert_eq!(split("\n---\na: b\n---\n").format, None);
        assert_eq!(
            split("\u{FEFF}---\na: b\n---\nx").format,
            Some(Format::Yaml)
        );
        assert_eq!(split("---x\na\n---\n").format, None);
        assert_eq!(split("---\r\na: b\r\n---\r\nbody").body, "body");
    }

    /// The YAML fast path must read exactly what serde-saphyr reads, wherever it answers.
    fn agrees(m: &str) -> bool {
        let fast = simple_yaml(m);
        if let Some(fast) = &fast {
            let slow: Raw = serde_saphyr::from_str(m)
                .unwrap_or_else(|e| panic!("{m:?}: fast path read invalid YAML: {e}"));
            assert_eq!(fast, &slow, "{m:?}");
        }
        fast.is_some()
    }

    #[test]
    fn simple_yaml_agrees_with_serde_saphyr() {
        let answered = [
            "title: 2024年最热门的区块链趋势\ndescription: null\nauthor: 李\nweight: 0\ndate: 2023-12-03T16:52:24.493Z\ntags: []\ncategories:\n    - 区块链\nfeaturedImage: https://example.com/a.png\n",
            "title: T\ncategories:\n- A\n- B\ndraft: true\n",
            "title: Web3.0 术语\ndate: 2024-02-20 10:00:00 +0800\ndescription:\n",
            "tags:\n  - DeFi\n  - NFT\n\nauthor: Lena Hart\ndraft: False\n",
            "title: 2024年趋势\nslug: 3 ways\n",
        ];
        for m in answered {
            assert!(agrees(m), "fast path declined {m:?}");
        }
        let declined = [
            "title: \"quoted\"\n",
            "title: it's\n",
            "tags: [a, b]\n",
            "draft: 0\n",
            "title: 2024\n",
            "draft: yes\n",
            "params:\n  a: 1\n",
            "title: a\n  continued\n",
            "title: a\ntitle: b\n",
            "tags:\n  - a\n    - b\n",
            "title: a # comment\n",
            "title: x: y\n",
            "date: 2024-02-01\r\n",
            "- a\n",
            "title: .5\n",
        ];
        for m in declined {
            assert!(!agrees(m), "fast path answered {m:?}");
        }
    }

    /// Every post of the shared corpus, when it is there: the fast path and serde-saphyr agree.
    #[test]
    fn simple_yaml_agrees_on_the_shared_corpus() {
        // `../shared` beside the checkout (or beside the folder of worktrees).
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let Some(dir) = [
            root.join("../shared/corpus"),
            root.join("../../shared/corpus"),
        ]
        .into_iter()
        .find(|d| d.exists()) else {
            println!("skipped: ../shared does not exist");
            return;
        };
        let (entries, _) = crate::input::walk(&[dir]);
        let mut answered = 0;
        for e in &entries {
            let Some(text) = crate::input::read(e).text else {
                continue;
            };
            let s = split(&text);
            if s.format == Some(Format::Yaml) && agrees(s.matter) {
                answered += 1;
            }
        }
        println!("fast path answered {answered} of {} posts", entries.len());
    }

    #[test]
    fn wrong_shapes_warn_and_keep_the_rest() {
        let (m, w) = fm("---\ntitle: T\ntags:\n  a: 1\ndate: soon\n---\n");
        assert_eq!(m.title.as_deref(), Some("T"));
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0].line, Some(5)); // date
        assert_eq!(w[1].line, Some(3)); // tags
    }
}
