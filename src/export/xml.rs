//! XML text and ids shared by the GraphML and GEXF writers.
//!
//! quick-xml escapes markup but keeps characters XML 1.0 forbids (a control character in a
//! label makes every XML consumer reject the file), and it leaves tab, CR and LF literal in
//! attribute values, where parsers normalise them to spaces. So values are escaped here, once,
//! and handed to quick-xml as already escaped.

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Whether XML 1.0 allows `c` in a document (Rust strings hold no surrogates).
fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// `s` escaped for an XML attribute value, without characters XML 1.0 forbids. Tab, LF and CR
/// are written as character references: literal ones are normalised to spaces by parsers.
pub(crate) fn escape(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

/// `s` escaped for XML element text (only `&`, `<`, `>` and CR need it), without characters
/// XML 1.0 forbids.
pub(crate) fn escape_text(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

fn escape_with(s: &str, attr: bool) -> Cow<'_, str> {
    let special = |c: char| match c {
        '&' | '<' | '>' | '\r' => true,
        '"' | '\'' | '\t' | '\n' => attr,
        c => !is_xml_char(c),
    };
    // Fast path on bytes: every character that needs work is ASCII, or U+FFFE/U+FFFF
    // (EF BF BE / EF BF BF in UTF-8).
    let bytes = s.as_bytes();
    let needs = bytes.iter().enumerate().any(|(i, &b)| match b {
        b'&' | b'<' | b'>' | b'\r' => true,
        b'"' | b'\'' | b'\t' | b'\n' => attr,
        0..=0x1F => true,
        0xEF => bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)),
        _ => false,
    });
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if !special(c) {
            out.push(c);
            continue;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            _ => {} // forbidden in XML 1.0: dropped
        }
    }
    Cow::Owned(out)
}

/// Whether `c` is kept as it is in an XML id. A conservative subset of the NMTOKEN characters
/// of XML 1.0 (the editions before the fifth, which libxml2's XSD validation uses): ASCII
/// letters, digits, `.`, `-`, `:`, Latin-1 letters, CJK unified ideographs of Unicode 1.1,
/// kana, Hangul syllables and the ideographic extenders. Everything else is escaped, which is
/// always valid.
fn is_id_char(c: char) -> bool {
    matches!(c, 'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | ':' | '\u{B7}')
        || matches!(c as u32,
            0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0xFF
            | 0x3005 | 0x3007 | 0x3021..=0x3029 | 0x3031..=0x3035
            | 0x3041..=0x3094 | 0x309D..=0x309E | 0x30A1..=0x30FA | 0x30FC..=0x30FE
            | 0x4E00..=0x9FA5 | 0xAC00..=0xD7A3)
}

/// A node id as an XML NMTOKEN, for GraphML and GEXF.
///
/// Characters outside a safe NMTOKEN set are written `_xHHHH_` (4 hex digits, 6 above U+FFFF;
/// the `_xHHHH_` convention of .NET's `XmlConvert.EncodeName`), and `_` is written `_x005F_`
/// when an `x` follows it, so every `_x` in the result starts an escape and
/// [`xml_id_decode`] gives the id back: `article:blog/a_b.md` → `article:blog_x002F_a_b.md`,
/// `section:a.md#3` → `section:a.md_x0023_3`, CJK stays as it is. The empty id is `_x_`.
pub fn xml_id(id: &str) -> Cow<'_, str> {
    if id.is_empty() {
        return Cow::Borrowed("_x_");
    }
    let mut chars = id.chars().peekable();
    let plain = {
        let mut ok = true;
        let mut it = id.chars().peekable();
        while let Some(c) = it.next() {
            if !(is_id_char(c) || (c == '_' && it.peek() != Some(&'x'))) {
                ok = false;
                break;
            }
        }
        ok
    };
    if plain {
        return Cow::Borrowed(id);
    }
    let mut out = String::with_capacity(id.len() + 16);
    while let Some(c) = chars.next() {
        if is_id_char(c) || (c == '_' && chars.peek() != Some(&'x')) {
            out.push(c);
        } else {
            // Writing to a String cannot fail.
            let _ = if (c as u32) <= 0xFFFF {
                write!(out, "_x{:04X}_", c as u32)
            } else {
                write!(out, "_x{:06X}_", c as u32)
            };
        }
    }
    Cow::Owned(out)
}

/// The id [`xml_id`] encoded, or `None` when `s` is not an output of [`xml_id`].
pub fn xml_id_decode(s: &str) -> Option<String> {
    if s == "_x_" {
        return Some(String::new());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let end = tail.find('_')?;
        let hex = &tail[..end];
        if !(hex.len() == 4 || hex.len() == 6) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// A start tag whose attribute values are escaped by [`escape`]. Used once (`Tag::new(..)
/// .attr(..).empty(w)`) or reused for every element of a kind (`reset`, `push`, `write_*`),
/// which keeps the tag's buffer and saves an allocation per element.
pub(crate) struct Tag {
    name: &'static str,
    start: BytesStart<'static>,
}

impl Tag {
    pub(crate) fn new(name: &'static str) -> Tag {
        Tag {
            name,
            start: BytesStart::new(name),
        }
    }

    /// Adds `key="value"`, escaping the value.
    pub(crate) fn attr(mut self, key: &'static str, value: &str) -> Tag {
        self.push(key, value);
        self
    }

    /// Removes every attribute, keeping the buffer.
    pub(crate) fn reset(&mut self) -> &mut Tag {
        self.start.clear_attributes();
        self
    }

    /// Adds `key="value"`, escaping the value.
    pub(crate) fn push(&mut self, key: &'static str, value: &str) -> &mut Tag {
        // push_attribute copies the value into the tag's buffer.
        let value = escape(value);
        self.start.push_attribute(Attribute {
            key: QName(key.as_bytes()),
            value: Cow::Borrowed(value.as_bytes()),
        });
        self
    }

    /// Writes `<tag .../>`.
    pub(crate) fn write_empty<W: Write>(&self, w: &mut Writer<W>) -> io::Result<()> {
        w.write_event(Event::Empty(self.start.borrow()))
    }

    /// Writes `<tag ...>`.
    pub(crate) fn write_open<W: Write>(&self, w: &mut Writer<W>) -> io::Result<()> {
        w.write_event(Event::Start(self.start.borrow()))
    }

    /// Writes `<tag ...>text</tag>`, escaping the text.
    pub(crate) fn write_text<W: Write>(&self, w: &mut Writer<W>, text: &str) -> io::Result<()> {
        w.write_event(Event::Start(self.start.borrow()))?;
        w.write_event(Event::Text(BytesText::from_escaped(escape_text(text))))?;
        close(w, self.name)
    }

    /// Writes `<tag .../>`.
    pub(crate) fn empty<W: Write>(self, w: &mut Writer<W>) -> io::Result<()> {
        self.write_empty(w)
    }

    /// Writes `<tag ...>`.
    pub(crate) fn open<W: Write>(self, w: &mut Writer<W>) -> io::Result<()> {
        self.write_open(w)
    }

    /// Writes `<tag ...>text</tag>`, escaping the text.
    pub(crate) fn text<W: Write>(self, w: &mut Writer<W>, text: &str) -> io::Result<()> {
        self.write_text(w, text)
    }
}

/// Writes `</name>`.
pub(crate) fn close<W: Write>(w: &mut Writer<W>, name: &'static str) -> io::Result<()> {
    w.write_event(Event::End(BytesEnd::new(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let ids = [
            "article:blockchain/foo.md",
            "section:a.md#3",
            "entity:defi",
            "topic:machine learning",
            "keyword:区块链",
            "author:_x005F_tricky_x",
            "a_b",
            "_x",
            "x_",
            "emoji:😀",
            "ctl:\u{1}",
            "",
        ];
        for id in ids {
            let enc = xml_id(id);
            assert_eq!(xml_id_decode(&enc).as_deref(), Some(id), "{id} -> {enc}");
            assert!(!enc.is_empty());
            assert!(enc.chars().all(|c| is_id_char(c) || c == '_'), "{enc}");
        }
        assert_eq!(xml_id("article:blog/a_b.md"), "article:blog_x002F_a_b.md");
        assert_eq!(xml_id("section:a.md#3"), "section:a.md_x0023_3");
        assert_eq!(xml_id("keyword:区块链"), "keyword:区块链");
        assert_eq!(xml_id("a_xb"), "a_x005F_xb");
    }

    #[test]
    fn escape_drops_forbidden_and_protects_whitespace() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(escape("a\u{1}b\u{FFFE}c"), "abc");
        assert_eq!(escape("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
        assert!(matches!(escape("plain 中文"), Cow::Borrowed(_)));
        assert_eq!(
            escape_text("a\t\"b\"\n<c>\r\u{1}"),
            "a\t\"b\"\n&lt;c&gt;&#13;"
        );
    }
}
