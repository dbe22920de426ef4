//! XML text and ids shared by the GraphML and GEXF writers.
//!
//! quick-xml escapes markup but keeps characters XML 1.0 forbids (a control character in a
//! label makes every XML consumer reject the file), and it leaves tab, CR and LF literal in
//! attribute values, where parsers normalise them to spaces. So values are escaped here, once,
//! and handed to quick-xml as already escaped.
//!
//! quick-xml writes the document's frame (declaration, root, key/attribute declarations, the
//! `<graph>`, `<nodes>`, `<edges>` elements). The hundreds of thousands of `<node>` and
//! `<edge>` elements inside it are rendered by [`XmlBuf`] into memory, in parallel chunks, and
//! written between quick-xml's events: one event and one `BytesStart` per attribute cost more
//! than the rest of an export. [`XmlBuf`] writes elements, never free text: every attribute
//! value and text goes through [`escape_into`] (the same bytes as [`escape`] /
//! [`escape_text`]), except values known to need none (ids from [`xml_id`], kinds, numbers),
//! and it indents exactly as quick-xml's indenting writer, so the output is unchanged byte for
//! byte.

use crate::graph::ValueRef;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;
use std::borrow::Cow;
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

/// Appends `s` to `out` escaped as [`escape`] (`attr`) or [`escape_text`] would, without
/// building an intermediate string: the same bytes, written straight into the output buffer.
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str, attr: bool) {
    let bytes = s.as_bytes();
    let first = first_special(bytes, attr);
    if first == bytes.len() {
        out.extend_from_slice(bytes);
        return;
    }
    out.extend_from_slice(&bytes[..first]);
    let mut start = first;
    let mut i = first;
    while i < bytes.len() {
        let b = bytes[i];
        let replacement: Option<&[u8]> = match b {
            b'&' => Some(b"&amp;"),
            b'<' => Some(b"&lt;"),
            b'>' => Some(b"&gt;"),
            b'\r' => Some(b"&#13;"),
            b'"' if attr => Some(b"&quot;"),
            b'\'' if attr => Some(b"&apos;"),
            b'\t' if attr => Some(b"&#9;"),
            b'\n' if attr => Some(b"&#10;"),
            b'\t' | b'\n' => None,
            0..=0x1F => Some(b""), // forbidden in XML 1.0: dropped
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                // U+FFFE / U+FFFF: forbidden, dropped (three bytes).
                out.extend_from_slice(&bytes[start..i]);
                i += 3;
                start = i;
                continue;
            }
            _ => None,
        };
        if let Some(r) = replacement {
            out.extend_from_slice(&bytes[start..i]);
            out.extend_from_slice(r);
            start = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// The index of the first byte [`escape_into`] may have to change (a control character, `&`,
/// `<`, `>`, the lead byte 0xEF of U+FFFE/U+FFFF and, in attributes, `"` and `'`), or the
/// length: eight bytes at a time, as most text needs nothing.
fn first_special(bytes: &[u8], attr: bool) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has = |x: u64, c: u8| {
        let y = x ^ (LO * u64::from(c));
        y.wrapping_sub(LO) & !y & HI
    };
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        let x = u64::from_le_bytes(word);
        // Bytes below 0x20 (control characters, tab, LF, CR).
        let mut hit = x.wrapping_sub(LO * 0x20) & !x & HI;
        hit |= has(x, b'&') | has(x, b'<') | has(x, b'>') | has(x, 0xEF);
        if attr {
            hit |= has(x, b'"') | has(x, b'\'');
        }
        if hit != 0 {
            break;
        }
        i += 8;
    }
    while i < bytes.len() {
        match bytes[i] {
            0..=0x1F | b'&' | b'<' | b'>' | 0xEF => return i,
            b'"' | b'\'' if attr => return i,
            _ => i += 1,
        }
    }
    i
}

/// Appends a value as one escaped text or attribute value: numbers as [`super::push_int`] and
/// [`super::push_double`] (nothing in them needs escaping), lists `;`-joined, each item escaped.
pub(crate) fn push_value_escaped(out: &mut Vec<u8>, value: ValueRef<'_>, attr: bool) {
    match value {
        ValueRef::Str(s) => escape_into(out, s, attr),
        ValueRef::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b';');
                }
                escape_into(out, item, attr);
            }
        }
        _ => super::push_value_bytes(out, value),
    }
}

/// An XML fragment being rendered into memory: the nodes or edges of a GraphML or GEXF file,
/// indented exactly as quick-xml's indenting [`Writer`] indents (every tag on its own line,
/// `depth` levels of two spaces; text elements on one line), so the fragment can be written
/// between the events quick-xml writes. Every attribute value and text goes through
/// [`escape_into`]; names are the writers' own constants.
pub(crate) struct XmlBuf<'a> {
    /// The rendered bytes.
    pub(crate) out: &'a mut Vec<u8>,
    /// Current indentation in spaces.
    indent: usize,
}

/// Spaces to slice indentation from.
const SPACES: &[u8; 64] = &[b' '; 64];

impl<'a> XmlBuf<'a> {
    /// Renders into `out`, starting `depth` levels deep.
    pub(crate) fn new(out: &'a mut Vec<u8>, depth: usize) -> XmlBuf<'a> {
        XmlBuf {
            out,
            indent: 2 * depth,
        }
    }

    fn line(&mut self) {
        self.out.push(b'\n');
        let mut n = self.indent;
        while n > 0 {
            let k = n.min(SPACES.len());
            self.out.extend_from_slice(&SPACES[..k]);
            n -= k;
        }
    }

    /// Starts a tag on a new line: `<name`.
    pub(crate) fn start(&mut self, name: &str) -> &mut Self {
        self.line();
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        self
    }

    /// Adds ` key="value"`, escaping the value.
    pub(crate) fn attr(&mut self, key: &str, value: &str) -> &mut Self {
        self.out.push(b' ');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"=\"");
        escape_into(self.out, value, true);
        self.out.push(b'"');
        self
    }

    /// Adds ` key="value"` where `value` is known to need no escaping: an [`xml_id`], a
    /// kind's name.
    pub(crate) fn attr_safe(&mut self, key: &str, value: &str) -> &mut Self {
        debug_assert!(matches!(escape(value), Cow::Borrowed(_)), "{value}");
        self.attr_plain(key, value.as_bytes())
    }

    /// Adds ` key="value"` where `value` needs no escaping (digits, `.`, `-`, or see
    /// [`XmlBuf::attr_safe`]).
    pub(crate) fn attr_plain(&mut self, key: &str, value: &[u8]) -> &mut Self {
        debug_assert!(
            std::str::from_utf8(value).is_ok_and(|v| matches!(escape(v), Cow::Borrowed(_)))
        );
        self.out.push(b' ');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"=\"");
        self.out.extend_from_slice(value);
        self.out.push(b'"');
        self
    }

    /// Adds ` key="value"` with a value as [`push_value_escaped`] writes it.
    pub(crate) fn attr_value(&mut self, key: &str, value: ValueRef<'_>) -> &mut Self {
        self.out.push(b' ');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"=\"");
        push_value_escaped(self.out, value, true);
        self.out.push(b'"');
        self
    }

    /// Ends the started tag as an open one: `>`; what follows is one level deeper.
    pub(crate) fn open(&mut self) {
        self.out.push(b'>');
        self.indent += 2;
    }

    /// Ends the started tag as an empty element: `/>`.
    pub(crate) fn empty(&mut self) {
        self.out.extend_from_slice(b"/>");
    }

    /// Ends the started tag with escaped text and the end tag: `>text</name>`.
    pub(crate) fn text(&mut self, name: &str, text: &str) {
        self.out.push(b'>');
        escape_into(self.out, text, false);
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }

    /// Ends the started tag with a value as escaped text and the end tag.
    pub(crate) fn text_value(&mut self, name: &str, value: ValueRef<'_>) {
        self.out.push(b'>');
        push_value_escaped(self.out, value, false);
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }

    /// Writes `</name>` on a new line, one level up.
    pub(crate) fn close(&mut self, name: &str) {
        self.indent -= 2;
        self.line();
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }
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
    let bytes = id.as_bytes();
    // `_` is one byte, so the character after it is an `x` exactly when the next byte is.
    let keep = |i: usize, c: char| is_id_char(c) || (c == '_' && bytes.get(i + 1) != Some(&b'x'));
    let Some((first, _)) = id.char_indices().find(|&(i, c)| !keep(i, c)) else {
        return Cow::Borrowed(id);
    };
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(id.len() + 16);
    out.push_str(&id[..first]);
    for (i, c) in id[first..].char_indices() {
        if keep(first + i, c) {
            out.push(c);
        } else {
            // `_xHHHH_`, or six digits above U+FFFF.
            let v = c as u32;
            let digits = if v <= 0xFFFF { 4 } else { 6 };
            out.push_str("_x");
            for k in (0..digits).rev() {
                out.push(char::from(HEX[((v >> (4 * k)) & 0xF) as usize]));
            }
            out.push('_');
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
        assert_eq!(xml_id("a b😀_x_"), "a_x0020_b_x01F600__x005F_x_");
        assert_eq!(xml_id("区块链/ok"), "区块链_x002F_ok");
    }

    #[test]
    fn escape_drops_forbidden_and_protects_whitespace() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(escape("a\u{1}b\u{FFFE}c"), "abc");
        assert_eq!(escape("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
        assert!(matches!(escape("plain 中文"), Cow::Borrowed(_)));
        for s in [
            "a<b>&\"'",
            "a\u{1}b\u{FFFE}c\u{FFFF}",
            "a\tb\nc\rd",
            "中\u{EFBF}\u{FFFD}文",
            "",
            "long plain text of many words, 中文：too, then & and < at the end\u{1}",
            "0123456\"89abcdef'",
            "0123456789abcde\u{FFFF}x\u{FFFE}",
            "01234567\u{FFFD}\u{FF1A}\u{FFFE}\u{FFFF}",
        ] {
            for attr in [true, false] {
                let mut out = Vec::new();
                escape_into(&mut out, s, attr);
                assert_eq!(out, escape_with(s, attr).as_bytes(), "{s:?} {attr}");
            }
        }
        assert_eq!(
            escape_text("a\t\"b\"\n<c>\r\u{1}"),
            "a\t\"b\"\n&lt;c&gt;&#13;"
        );
    }
}
