//! Documents: one Markdown post as fields, sections and prose.
//!
//! One function owns the Markdown options ([`markdown_options`]); front matter is split off at
//! byte 0 by [`crate::frontmatter`] and only the body is given to pulldown-cmark, whose offsets
//! are shifted back to file offsets. [`parse`] makes one pass over the events: prose is pushed
//! straight into the current section with its source offset (verbatim runs map byte for byte),
//! so nothing is parsed or copied twice.
//!
//! Sections come from ATX and setext headings and from top-level paragraphs made only of bold
//! text: such a paragraph is a sub-heading one level below the latest real heading (or under
//! the lead section), as real posts write them; it never nests under another bold sub-heading
//! nor parents a real heading. A bold *sentence* (ending in `。`, `.`, `；`, `;`) or a bold
//! paragraph longer than [`MAX_BOLD_HEADING_CHARS`] is emphasis, not a heading: real posts use
//! both forms, and a 150-character warning in bold is not a section title.
//!
//! Prose is what a reader sees: inline markup never splits a word, a soft break is a space,
//! a block boundary is a newline; code, URLs, raw HTML tags, HTML comments and `<script>` /
//! `<style>` content are left out, while text between HTML tags (inline or in an HTML block)
//! is kept. See `tests/spec/prose.md` for every rule as an example.

use crate::diag::Warning;
use crate::frontmatter::{self, FrontMatter};
use crate::prose::{LineIndex, Piece, Prose};
use pulldown_cmark::{CowStr, Event, LinkType, Parser, Tag, TagEnd};
use std::ops::Range;

/// One article, parsed.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Article id: path relative to the PATH argument, `/`-separated.
    pub id: String,
    /// Front matter fields.
    pub meta: FrontMatter,
    /// Title: front matter `title`, else the first heading, else the file stem.
    pub title: String,
    /// The title as prose, mapped to where it stands in the source.
    pub title_prose: Prose,
    /// Sections in document order. The lead section (text before the first heading), when it
    /// has prose, comes first with level 0 and an empty heading.
    pub sections: Vec<Section>,
    /// Line starts of the source, for turning prose offsets into lines.
    pub lines: LineIndex,
}

/// One section: a heading and the prose up to the next heading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// 1-based order in the article.
    pub order: u32,
    /// Heading level: 1–6 for ATX/setext headings; one below the enclosing heading for a bold
    /// sub-heading; 0 for the lead section.
    pub level: u8,
    /// Index (into [`Document::sections`]) of the enclosing section.
    pub parent: Option<usize>,
    /// Heading text as a reader sees it, inline code included (empty for the lead section).
    /// Inline code is not prose, so it is the only difference from the heading's prose.
    pub heading: String,
    /// Headings from the top down to this one, joined with ` > `.
    pub heading_path: String,
    /// 1-based source line of the heading (of the first prose for the lead section).
    pub line: u32,
    /// The heading followed by the section's body prose; the first `heading_len` bytes are the
    /// heading.
    pub prose: Prose,
    /// Length in bytes of the heading at the start of `prose` (a separator follows it).
    pub heading_len: usize,
}

impl Document {
    /// Number of words in the prose: each CJK character counts as one word, each run of Latin
    /// letters or digits as one.
    /// A title taken from the first heading is counted once, in its section.
    pub fn words(&self) -> u64 {
        let title = if self.meta.title.is_some() {
            count_words(&self.title)
        } else {
            0
        };
        title
            + self
                .sections
                .iter()
                .map(|s| count_words(&s.prose.text))
                .sum::<u64>()
    }
}

/// Counts words: CJK ideographs one each, runs of other alphanumerics one each.
pub fn count_words(text: &str) -> u64 {
    let mut n = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_cjk(c) {
            n += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                n += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    n
}

/// Whether `c` is a CJK ideograph, kana or hangul syllable.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F)
}

/// The pulldown-cmark options every parse uses: tables, strikethrough, footnotes, task lists;
/// no metadata blocks (front matter is split at byte 0 by [`crate::frontmatter`]) and no smart
/// punctuation (it rewrites what authors wrote).
pub fn markdown_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
}

/// Parses one post. `id` is its article id; `text` its whole content. Problems (broken front
/// matter, empty file) come back as warnings; a document is always produced.
///
/// The title's prose ([`Document::title_prose`]) points at the front matter `title` value (its
/// line when the value is not verbatim in the file); when the title is the first heading, it
/// is a copy of that heading's prose (the same source bytes, so counting by source position
/// never counts a mention twice); when it is the file stem, it is empty (the stem is not in
/// the file).
pub fn parse(id: &str, text: &str) -> (Document, Vec<Warning>) {
    let split = frontmatter::split(text);
    let (meta, mut warnings) = frontmatter::parse(id, &split);
    if text.trim_start_matches('\u{FEFF}').trim().is_empty() {
        warnings.push(Warning::new(id, None, "empty article: no text"));
    }
    let lines = LineIndex::new(text);
    let mut b = Builder::new(&lines, split.body, split.body_offset);
    for (event, range) in Parser::new_ext(split.body, markdown_options()).into_offset_iter() {
        b.event(event, range);
    }
    let (sections, first_heading) = b.finish();

    let (title, title_prose) = if let Some(t) = &meta.title {
        (t.clone(), title_from_matter(text, &split, t))
    } else if let Some(i) = first_heading {
        let s = &sections[i];
        let p = Prose {
            text: s.prose.text[..s.heading_len].to_string(),
            pieces: s
                .prose
                .pieces
                .iter()
                .take_while(|pc| (pc.prose as usize) < s.heading_len)
                .copied()
                .collect(),
        };
        (s.heading.clone(), p)
    } else {
        (file_stem(id).to_string(), Prose::default())
    };
    let doc = Document {
        id: id.to_string(),
        meta,
        title,
        title_prose,
        sections,
        lines,
    };
    (doc, warnings)
}

/// The file name of `id` without its Markdown extension.
fn file_stem(id: &str) -> &str {
    let name = id.rsplit('/').next().unwrap_or(id);
    match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    }
}

/// The front matter title as prose: verbatim at the value when it stands as written on the
/// `title` line, else at the start of that line.
fn title_from_matter(text: &str, split: &frontmatter::Split<'_>, title: &str) -> Prose {
    let mut p = Prose::default();
    let Some(line_start) = frontmatter::key_offset(split, "title") else {
        p.push(title, split.matter_offset, false);
        return p;
    };
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    match text[line_start..line_end].find(title) {
        Some(at) => p.push(title, line_start + at, true),
        None => p.push(title, line_start, false),
    }
    p
}

/// The state of one top-level paragraph while it is read: whether everything in it so far is
/// bold, so that at its end it can become a sub-heading.
struct Para {
    text_start: usize,
    piece_start: usize,
    source: usize,
    bold_only: bool,
    has_bold: bool,
}

/// A bold-only paragraph longer than this (in characters) is emphasis, not a sub-heading.
pub const MAX_BOLD_HEADING_CHARS: usize = 80;

/// Where the HTML block reader stands between two `Html` events.
#[derive(Default)]
struct HtmlState {
    /// Inside `<!-- … -->`.
    comment: bool,
    /// Inside a tag, between `<` and `>`.
    tag: bool,
    /// The tag being read opens a `<script>` or `<style>`.
    tag_opens_raw: bool,
    /// Inside `<script>` / `<style>`: nothing is prose until the closing tag.
    raw: bool,
}

/// One pass over the events: prose goes straight into the last section; a bold-only paragraph
/// is cut off the end of its section's prose when it closes and becomes a section itself.
struct Builder<'a> {
    lines: &'a LineIndex,
    body: &'a str,
    offset: usize,
    /// Index 0 is the lead section while building; dropped at the end when it has no prose.
    sections: Vec<Section>,
    /// The latest real (ATX/setext) heading's section.
    current_real: Option<usize>,
    first_heading: Option<usize>,
    /// Collecting a top-level heading's text.
    in_heading: bool,
    /// The heading or bold paragraph as a reader sees it (inline code included); one buffer
    /// reused for the whole document.
    label: String,
    /// Inside a code block or an autolink (whose only text is its URL): text is not prose.
    in_code: bool,
    /// Depth of block quotes, list items, footnote definitions: headings and bold paragraphs
    /// inside them are prose, not sections.
    containers: u32,
    strong: u32,
    para: Option<Para>,
    html: HtmlState,
    /// A block ended: the next prose starts on a new line.
    pending_break: bool,
    /// Something that separates words (soft break, inline code, image) was skipped: the next
    /// prose is preceded by one space.
    pending_space: bool,
}

impl<'a> Builder<'a> {
    fn new(lines: &'a LineIndex, body: &'a str, offset: usize) -> Self {
        Builder {
            lines,
            body,
            offset,
            sections: vec![Section::default()],
            current_real: None,
            first_heading: None,
            in_heading: false,
            label: String::new(),
            in_code: false,
            containers: 0,
            strong: 0,
            para: None,
            html: HtmlState::default(),
            pending_break: false,
            pending_space: false,
        }
    }

    fn prose(&mut self) -> &mut Prose {
        &mut self
            .sections
            .last_mut()
            .expect("the lead section is always there")
            .prose
    }

    /// Whether the label of a heading or top-level paragraph is being collected.
    fn labelling(&self) -> bool {
        self.in_heading || self.para.as_ref().is_some_and(|p| p.bold_only)
    }

    /// Appends prose text at source byte `source` (file offset), after any pending separator.
    fn push(&mut self, s: &str, source: usize, verbatim: bool) {
        if s.is_empty() {
            return;
        }
        let (brk, space) = (self.pending_break, self.pending_space);
        self.pending_break = false;
        self.pending_space = false;
        if self.labelling() {
            if space && !self.label.is_empty() && !self.label.ends_with(' ') && !s.starts_with(' ')
            {
                self.label.push(' ');
            }
            self.label.push_str(s);
        }
        let prose = self.prose();
        if !prose.text.is_empty() {
            if brk {
                if !prose.text.ends_with('\n') {
                    prose.push("\n", source, false);
                }
            } else if space && !prose.text.ends_with([' ', '\n']) && !s.starts_with(' ') {
                prose.push(" ", source, false);
            }
        }
        prose.push(s, source, verbatim);
    }

    fn block_boundary(&mut self) {
        self.pending_break = true;
        self.pending_space = false;
    }

    fn not_bold(&mut self) {
        if self.strong == 0 {
            if let Some(p) = &mut self.para {
                p.bold_only = false;
            }
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Text(t) => {
                if self.in_code {
                    return;
                }
                if let Some(p) = &mut self.para {
                    // Only look at the text while the answer can still change.
                    let outside = self.strong == 0;
                    if p.bold_only && (outside || !p.has_bold) && !t.trim().is_empty() {
                        if outside {
                            p.bold_only = false;
                        } else {
                            p.has_bold = true;
                        }
                    }
                }
                let verbatim = is_verbatim(&t, self.body, &range);
                let start = range.start + self.offset;
                // A bare URL in text (or a link whose text is its URL) is not prose: it reads
                // as a gap between words.
                let mut rest = 0;
                for (a, b) in bare_urls(&t) {
                    let at = if verbatim { start + rest } else { start };
                    self.push(&t[rest..a], at, verbatim);
                    self.pending_space = true;
                    rest = b;
                }
                let at = if verbatim { start + rest } else { start };
                self.push(&t[rest..], at, verbatim);
            }
            Event::Code(code) => {
                self.not_bold();
                if self.labelling() {
                    // Not prose, but part of what a reader sees as the heading.
                    if self.pending_space && !self.label.is_empty() && !self.label.ends_with(' ') {
                        self.label.push(' ');
                    }
                    self.label.push_str(&code);
                }
                self.pending_space = true;
            }
            Event::InlineMath(_) => {
                self.not_bold();
                self.pending_space = true;
            }
            Event::SoftBreak | Event::HardBreak => self.pending_space = true,
            Event::InlineHtml(tag) => {
                self.not_bold();
                if html_separates(&tag) {
                    self.pending_space = true;
                }
            }
            Event::Html(html) => {
                let verbatim = is_verbatim(&html, self.body, &range);
                self.html_text(&html, range.start + self.offset, verbatim);
            }
            Event::FootnoteReference(_) => self.not_bold(),
            Event::DisplayMath(_) | Event::TaskListMarker(_) => {}
            Event::Rule => self.block_boundary(),
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag),
        }
    }

    /// The text of an HTML block between its tags, as a browser would show it: comments,
    /// tags and `<script>` / `<style>` content are left out; block tags and `<br>` separate
    /// lines. One `Html` event is one line of the block; the state carries over.
    fn html_text(&mut self, s: &str, source: usize, verbatim: bool) {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if self.html.comment {
                match s[i..].find("-->") {
                    Some(at) => {
                        self.html.comment = false;
                        i += at + 3;
                    }
                    None => return,
                }
            } else if self.html.tag {
                match s[i..].find('>') {
                    Some(at) => {
                        self.html.tag = false;
                        self.html.raw =
                            self.html.tag_opens_raw && (i + at == 0 || b[i + at - 1] != b'/');
                        i += at + 1;
                    }
                    None => return,
                }
            } else if self.html.raw {
                match find_raw_end(&s[i..]) {
                    Some(at) => {
                        self.html.raw = false;
                        i += at;
                    }
                    None => return,
                }
            } else {
                // Text up to the next tag or comment (a `<` not followed by a name is text).
                let mut end = b.len();
                let mut from = i;
                while let Some(at) = s[from..].find('<') {
                    let lt = from + at;
                    if b.get(lt + 1)
                        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?'))
                    {
                        end = lt;
                        break;
                    }
                    from = lt + 1;
                }
                let run = &s[i..end];
                let trimmed = run.trim_start();
                let lead = run.len() - trimmed.len();
                let text = trimmed.trim_end();
                if lead > 0 {
                    self.pending_space = true;
                }
                if !text.is_empty() {
                    self.push(text, source + i + lead, verbatim);
                    if text.len() < trimmed.len() {
                        self.pending_space = true;
                    }
                }
                i = end;
                if i < b.len() {
                    if s[i..].starts_with("<!--") {
                        self.html.comment = true;
                        i += 4;
                    } else {
                        let rest = &s[i + 1..];
                        let closing = rest.starts_with('/');
                        let name = rest.trim_start_matches('/');
                        let name_len = name
                            .find(|c: char| !c.is_ascii_alphanumeric())
                            .unwrap_or(name.len());
                        let name = &name[..name_len];
                        self.html.tag_opens_raw = !closing
                            && (name.eq_ignore_ascii_case("script")
                                || name.eq_ignore_ascii_case("style"));
                        if html_separates(&s[i..]) {
                            self.block_boundary();
                        }
                        self.html.tag = true;
                        i += 1;
                    }
                }
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Heading { level, .. } if self.containers == 0 => {
                let level = level as u8;
                let mut parent = self.current_real;
                while let Some(i) = parent {
                    if self.sections[i].level < level {
                        break;
                    }
                    parent = self.sections[i].parent;
                }
                let line = self.lines.line(range.start + self.offset);
                self.sections.push(Section {
                    level,
                    parent,
                    line,
                    ..Section::default()
                });
                self.in_heading = true;
                self.label.clear();
                self.pending_break = false;
                self.pending_space = false;
            }
            Tag::Paragraph => {
                self.block_boundary();
                if self.containers == 0 {
                    let prose = &self.sections.last().expect("lead").prose;
                    self.para = Some(Para {
                        text_start: prose.text.len(),
                        piece_start: prose.pieces.len(),
                        source: range.start + self.offset,
                        bold_only: true,
                        has_bold: false,
                    });
                    self.label.clear();
                }
            }
            Tag::CodeBlock(_) => {
                self.in_code = true;
                self.block_boundary();
            }
            Tag::HtmlBlock => {
                self.html = HtmlState::default();
                self.block_boundary();
            }
            Tag::BlockQuote(_) | Tag::Item | Tag::FootnoteDefinition(_) => {
                self.containers += 1;
                self.block_boundary();
            }
            Tag::Strong => self.strong += 1,
            Tag::Link { link_type, .. } => {
                self.not_bold();
                if matches!(link_type, LinkType::Autolink | LinkType::Email) {
                    self.in_code = true;
                }
            }
            Tag::Image { .. } => {
                self.not_bold();
                self.pending_space = true;
            }
            Tag::Emphasis | Tag::Strikethrough | Tag::Superscript | Tag::Subscript => {}
            _ => self.block_boundary(),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) if self.in_heading => {
                self.in_heading = false;
                let idx = self.sections.len() - 1;
                let heading = self.label.trim().to_string();
                let path = self.path_under(self.sections[idx].parent, &heading);
                let s = &mut self.sections[idx];
                s.heading_len = s.prose.text.len();
                s.heading_path = path;
                if self.first_heading.is_none() && !heading.is_empty() {
                    self.first_heading = Some(idx);
                }
                s.heading = heading;
                self.current_real = Some(idx);
                self.block_boundary();
            }
            TagEnd::Paragraph => {
                self.block_boundary();
                if let Some(p) = self.para.take() {
                    if p.bold_only && p.has_bold {
                        self.bold_heading(p);
                    }
                }
            }
            TagEnd::CodeBlock => {
                self.in_code = false;
                self.block_boundary();
            }
            TagEnd::BlockQuote(_) | TagEnd::Item | TagEnd::FootnoteDefinition => {
                self.containers = self.containers.saturating_sub(1);
                self.block_boundary();
            }
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Image => self.pending_space = true,
            TagEnd::Link => {
                // Links never hold code blocks, so this only ends an autolink.
                self.in_code = false;
            }
            TagEnd::Emphasis | TagEnd::Strikethrough | TagEnd::Superscript | TagEnd::Subscript => {}
            _ => self.block_boundary(),
        }
    }

    /// `A > B > heading` for a section under `parent` (the lead adds nothing).
    fn path_under(&self, parent: Option<usize>, heading: &str) -> String {
        match parent.map(|i| &self.sections[i]) {
            Some(p) if p.level > 0 => format!("{} > {}", p.heading_path, heading),
            _ => heading.to_string(),
        }
    }

    /// Turns the bold-only paragraph that just closed into a sub-heading one level below the
    /// latest real heading (or the lead): its prose moves off the end of the current section.
    /// A bold sentence (ending in `。` or `.`) or a long bold paragraph is emphasis and stays.
    fn bold_heading(&mut self, p: Para) {
        let label = self.label.trim();
        if label.ends_with(['。', '.', '；', ';']) || label.chars().count() > MAX_BOLD_HEADING_CHARS
        {
            return;
        }
        let heading = label.to_string();
        let cur = self.sections.len() - 1;
        let prose = &mut self.sections[cur].prose;
        if p.text_start > prose.text.len() || p.piece_start > prose.pieces.len() {
            return;
        }
        let mut text = prose.text.split_off(p.text_start);
        let mut pieces = prose.pieces.split_off(p.piece_start);
        let mut cut = p.text_start;
        // The block separator pushed before the paragraph stays behind.
        if text.starts_with('\n') && pieces.len() > 1 {
            text.remove(0);
            pieces.remove(0);
            cut += 1;
        }
        for pc in &mut pieces {
            pc.prose -= cut as u32;
        }
        let parent = self.current_real.unwrap_or(0);
        let level = self.sections[parent].level + 1;
        let heading_path = self.path_under(Some(parent), &heading);
        self.sections.push(Section {
            level,
            parent: Some(parent),
            heading,
            heading_path,
            line: self.lines.line(p.source),
            heading_len: text.len(),
            prose: Prose { text, pieces },
            ..Section::default()
        });
        self.block_boundary();
    }

    /// Drops an empty lead section and numbers the sections.
    fn finish(mut self) -> (Vec<Section>, Option<usize>) {
        let mut first = self.first_heading;
        if self.sections[0].prose.is_empty() {
            self.sections.remove(0);
            for s in &mut self.sections {
                s.parent = s.parent.and_then(|p| p.checked_sub(1));
            }
            first = first.map(|i| i - 1);
        } else {
            let lead = &mut self.sections[0];
            lead.line = self.lines.line(
                lead.prose
                    .pieces
                    .first()
                    .map_or(0, |p: &Piece| p.source as usize),
            );
        }
        for (i, s) in self.sections.iter_mut().enumerate() {
            s.order = i as u32 + 1;
        }
        (self.sections, first)
    }
}

/// Offset in `s` of the `</script` or `</style` that ends raw HTML text.
fn find_raw_end(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = s[from..].find("</") {
        let lt = from + at;
        let name = s.as_bytes().get(lt + 2..).unwrap_or(&[]);
        let is =
            |tag: &[u8]| name.len() >= tag.len() && name[..tag.len()].eq_ignore_ascii_case(tag);
        if is(b"script") || is(b"style") {
            return Some(lt);
        }
        from = lt + 2;
    }
    None
}

/// Whether a text event is the source bytes as they stand (then offsets inside it map 1:1).
fn is_verbatim(t: &CowStr<'_>, body: &str, range: &Range<usize>) -> bool {
    let Some(src) = body.get(range.clone()) else {
        return false;
    };
    match t {
        CowStr::Borrowed(s) => (s.as_ptr() == src.as_ptr() && s.len() == src.len()) || *s == src,
        other => other.as_ref() == src,
    }
}

/// Whether an HTML tag separates words as a reader sees them (`<br>`, `<img>`, block tags);
/// inline tags (`<span>`, `<b>`, `<a>`) and comments do not.
fn html_separates(tag: &str) -> bool {
    let name = tag.trim_start_matches('<').trim_start_matches('/');
    let end = name
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(name.len());
    let name = &name[..end];
    const BREAKING: &[&str] = &[
        "br",
        "hr",
        "img",
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "td",
        "th",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "iframe",
        "video",
        "audio",
        "source",
        "center",
        "dd",
        "dt",
        "dl",
        "details",
        "summary",
        "script",
        "style",
    ];
    BREAKING.iter().any(|b| b.eq_ignore_ascii_case(name))
}

/// Byte ranges of bare URLs in `text`: `http://`, `https://` or `www.` up to white space, a
/// non-ASCII character or a quote or bracket that closes it; trailing punctuation is left to
/// the prose.
fn bare_urls(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = memchr::memchr2(b'h', b'w', &b[i..]) {
        let start = i + at;
        let rest = &b[start..];
        let scheme = if rest.starts_with(b"https://") {
            8
        } else if rest.starts_with(b"http://") {
            7
        } else if rest.starts_with(b"www.") && (start == 0 || !b[start - 1].is_ascii_alphanumeric())
        {
            4
        } else {
            i = start + 1;
            continue;
        };
        let mut end = start + scheme;
        while end < b.len()
            && b[end].is_ascii()
            && !b[end].is_ascii_whitespace()
            && !b"<>\"'`()[]{}".contains(&b[end])
        {
            end += 1;
        }
        while end > start + scheme && b".,;:!?".contains(&b[end - 1]) {
            end -= 1;
        }
        if end > start + scheme {
            out.push((start, end));
        }
        i = end.max(start + 1);
    }
    out
}

#[cfg(test)]
mod url_tests {
    use super::bare_urls;

    #[test]
    fn bare_urls_are_found_and_end_where_prose_resumes() {
        let t = "原文：https://blog.example.com/a-b?x=1。见 www.example.org, 或 http://x.io/p) 完";
        let got: Vec<&str> = bare_urls(t).into_iter().map(|(a, b)| &t[a..b]).collect();
        assert_eq!(
            got,
            [
                "https://blog.example.com/a-b?x=1",
                "www.example.org",
                "http://x.io/p"
            ]
        );
        assert!(bare_urls("the www.  http:// hwww.x").is_empty());
    }
}
