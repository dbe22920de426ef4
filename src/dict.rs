//! Dictionaries: TOML files of entities with aliases (SPEC §3).
//!
//! The shipped dictionaries under `dictionaries/` are compiled into the binary (every
//! `dictionaries/*.toml`, in file-name order, embedded by `build.rs`) and are the default;
//! `--dict FILE` adds more. Every problem names the file and the line, and a [`Dictionary`] is
//! only built when there are none: an invalid dictionary is fatal.
//!
//! Files are read with toml's spanned document API ([`toml::de::DeTable`]) rather than serde
//! derive, so that one pass reports *every* problem (not the first) with the line of the
//! entity, alias or `broader` entry it is about. Problems, all errors:
//! a TOML syntax error; a key kgx does not know (a typo such as `alias` would otherwise be
//! silently ignored); a missing or mistyped `id`, `label` or `aliases`; an id that is not
//! `[a-z0-9][a-z0-9._-]*`; a duplicate id across all loaded dictionaries; an empty alias or
//! context term (also one that folds to nothing); the same alias in two entities, also when
//! they only become equal after the fold (`ＮＦＴ` and `NFT`, `區塊鏈` and `区块链`, `DeFi` and
//! `defi`) unless both entities are case-sensitive and the aliases differ in case; a `broader`
//! id that does not exist, names the entity itself, or closes a cycle.

use crate::diag::Warning;
use crate::prose::LineIndex;
use crate::text::fold_str;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use toml::de::DeTable;

/// One dictionary source: where it came from (shown in errors) and its text.
#[derive(Debug, Clone)]
pub struct DictSource {
    /// Path as the user named it, or `<default>/NAME.toml` for a shipped one.
    pub path: String,
    /// TOML text.
    pub text: String,
}

impl DictSource {
    /// Reads a dictionary file; a file that cannot be read or is not UTF-8 is a problem
    /// naming the file.
    pub fn read(path: &std::path::Path) -> Result<DictSource, Warning> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| Warning::new(&name, None, format!("cannot read dictionary: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u32
                + 1;
            Warning::new(&name, Some(line), "dictionary is not valid UTF-8")
        })?;
        Ok(DictSource { path: name, text })
    }
}

/// One entity of a dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Unique id: `[a-z0-9][a-z0-9._-]*`.
    pub id: String,
    /// Display name.
    pub label: String,
    /// Entity type (`Organization`, `Concept`, …); `Concept` when the dictionary leaves it out.
    pub entity_type: String,
    /// Surface forms, as written in the dictionary (the label is matched only if listed).
    pub aliases: Vec<String>,
    /// Ids of broader entities.
    pub broader: Vec<String>,
    /// Match aliases case-sensitively.
    pub case_sensitive: bool,
    /// A match counts only if one of these terms is in the same section.
    pub context: Vec<String>,
    /// Free description.
    pub description: Option<String>,
    /// Dictionary file and 1-based line of the `[[entity]]` table.
    pub origin: (String, u32),
}

/// All loaded entities, sorted by id, with a hash that identifies the set.
#[derive(Debug, Clone)]
pub struct Dictionary {
    /// Entities sorted by id.
    pub entities: Vec<Entity>,
    /// blake3 of the canonical form of the entities (hex); records carry it.
    pub hash: String,
}

impl Dictionary {
    /// Index (into [`Dictionary::entities`]) of the entity with id `id`.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.entities
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()
    }

    /// The entity with id `id`.
    pub fn get(&self, id: &str) -> Option<&Entity> {
        self.index_of(id).map(|i| &self.entities[i])
    }

    /// Words to teach a Chinese segmenter (jieba's `add_word`), so that it never splits an
    /// alias: every alias that contains a CJK character, as written and in its simplified,
    /// NFKC form (the form prose is matched in), sorted and without duplicates.
    pub fn user_words(&self) -> Vec<String> {
        let mut words = BTreeSet::new();
        for e in &self.entities {
            for a in &e.aliases {
                if a.chars().any(crate::document::is_cjk) {
                    words.insert(a.trim().to_string());
                    words.insert(fold_str(a, false));
                }
            }
        }
        words.into_iter().filter(|w| !w.is_empty()).collect()
    }

    /// The canonical hash of `entities` (sorted by id): blake3 over a versioned JSON
    /// serialisation of every field that affects matching or output. Where an entity is
    /// defined (file, line) is left out: moving an entry does not change the dictionary.
    pub fn hash_entities(entities: &[Entity]) -> String {
        #[derive(Serialize)]
        struct Canon<'a> {
            id: &'a str,
            label: &'a str,
            entity_type: &'a str,
            aliases: &'a [String],
            broader: &'a [String],
            case_sensitive: bool,
            context: &'a [String],
            description: Option<&'a str>,
        }
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"kgx-dictionary-v1\n");
        for e in entities {
            let canon = Canon {
                id: &e.id,
                label: &e.label,
                entity_type: &e.entity_type,
                aliases: &e.aliases,
                broader: &e.broader,
                case_sensitive: e.case_sensitive,
                context: &e.context,
                description: e.description.as_deref(),
            };
            let json = serde_json::to_string(&canon).unwrap_or_default();
            hasher.update(json.as_bytes());
            hasher.update(b"\n");
        }
        hasher.finalize().to_hex().to_string()
    }
}

/// The shipped dictionaries, compiled in (every `dictionaries/*.toml`, sorted by file name).
pub fn default_sources() -> Vec<DictSource> {
    const EMBEDDED: &[(&str, &str)] =
        include!(concat!(env!("OUT_DIR"), "/default_dictionaries.rs"));
    EMBEDDED
        .iter()
        .map(|(name, text)| DictSource {
            path: format!("<default>/{name}"),
            text: (*text).to_string(),
        })
        .collect()
}

/// Loads and validates dictionaries. Either a dictionary or every problem found.
pub fn load(sources: &[DictSource]) -> Result<Dictionary, Vec<Warning>> {
    let (mut entities, problems) = parse_all(sources);
    if !problems.is_empty() {
        return Err(problems);
    }
    entities.sort_by(|a, b| a.id.cmp(&b.id));
    let hash = Dictionary::hash_entities(&entities);
    Ok(Dictionary { entities, hash })
}

/// Every problem in `sources`, in file order then line order (`kgx dict check`). Empty when
/// the dictionaries load.
pub fn check(sources: &[DictSource]) -> Vec<Warning> {
    parse_all(sources).1
}

/// Is `id` of the form `[a-z0-9][a-z0-9._-]*`?
pub fn is_valid_id(id: &str) -> bool {
    let mut bytes = id.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'))
}

/// An entity while validating: where each part of it is.
struct Parsed {
    entity: Entity,
    source: usize,
    id_line: u32,
    aliases: Vec<(String, u32)>,
    broader: Vec<(String, u32)>,
}

struct Problems {
    list: Vec<(usize, u32, Warning)>,
}

impl Problems {
    fn add(&mut self, sources: &[DictSource], source: usize, line: u32, message: String) {
        self.list.push((
            source,
            line,
            Warning::new(&sources[source].path, Some(line), message),
        ));
    }
}

const TOP_KEYS: &[&str] = &["name", "entity"];
const ENTITY_KEYS: &[&str] = &[
    "id",
    "label",
    "type",
    "aliases",
    "broader",
    "case_sensitive",
    "context",
    "description",
];

fn parse_all(sources: &[DictSource]) -> (Vec<Entity>, Vec<Warning>) {
    let mut problems = Problems { list: Vec::new() };
    let mut parsed: Vec<Parsed> = Vec::new();
    for (si, source) in sources.iter().enumerate() {
        parse_source(sources, si, source, &mut parsed, &mut problems);
    }
    cross_check(sources, &parsed, &mut problems);
    problems.list.sort_by_key(|(s, l, _)| (*s, *l));
    let warnings = problems.list.into_iter().map(|(_, _, w)| w).collect();
    (parsed.into_iter().map(|p| p.entity).collect(), warnings)
}

fn parse_source(
    sources: &[DictSource],
    si: usize,
    source: &DictSource,
    out: &mut Vec<Parsed>,
    problems: &mut Problems,
) {
    let lines = LineIndex::new(&source.text);
    let line_of = |span: std::ops::Range<usize>| lines.line(span.start);
    let (doc, errors) = DeTable::parse_recoverable(&source.text);
    if !errors.is_empty() {
        for e in errors {
            let line = e.span().map_or(1, &line_of);
            problems.add(
                sources,
                si,
                line,
                format!("TOML syntax error: {}", e.message().trim()),
            );
        }
        return;
    }
    let doc = doc.into_inner();
    for (key, value) in doc.iter() {
        let k: &str = key.get_ref();
        let line = line_of(key.span());
        match k {
            "name" => {
                if !value.get_ref().is_str() {
                    problems.add(sources, si, line, "`name` must be a string".into());
                }
            }
            "entity" => {
                let Some(array) = value.get_ref().as_array() else {
                    problems.add(
                        sources,
                        si,
                        line,
                        "`entity` must be an array of tables (`[[entity]]`)".into(),
                    );
                    continue;
                };
                for item in array.iter() {
                    let line = line_of(item.span());
                    let Some(table) = item.get_ref().as_table() else {
                        problems.add(
                            sources,
                            si,
                            line,
                            "`entity` must be an array of tables (`[[entity]]`)".into(),
                        );
                        continue;
                    };
                    if let Some(p) = parse_entity(sources, si, table, line, &line_of, problems) {
                        out.push(p);
                    }
                }
            }
            _ => {
                let hint = if ENTITY_KEYS.contains(&k) {
                    " (entity keys go under `[[entity]]`)"
                } else {
                    ""
                };
                problems.add(
                    sources,
                    si,
                    line,
                    format!(
                        "unknown key `{k}`{hint}; expected one of: {}",
                        TOP_KEYS.join(", ")
                    ),
                );
            }
        }
    }
}

fn parse_entity(
    sources: &[DictSource],
    si: usize,
    table: &DeTable<'_>,
    line: u32,
    line_of: &dyn Fn(std::ops::Range<usize>) -> u32,
    problems: &mut Problems,
) -> Option<Parsed> {
    let get_str = |key: &str, required: bool, problems: &mut Problems| -> Option<(String, u32)> {
        match table.get(key) {
            Some(v) => match v.get_ref().as_str() {
                Some(s) => Some((s.to_string(), line_of(v.span()))),
                None => {
                    problems.add(
                        sources,
                        si,
                        line_of(v.span()),
                        format!("`{key}` must be a string"),
                    );
                    None
                }
            },
            None => {
                if required {
                    problems.add(sources, si, line, format!("entity has no `{key}`"));
                }
                None
            }
        }
    };
    let id = get_str("id", true, problems);
    let label = get_str("label", true, problems);
    let entity_type = get_str("type", false, problems);
    let description = get_str("description", false, problems);
    let id_line = id.as_ref().map_or(line, |(_, l)| *l);
    if let Some((id, l)) = &id {
        if !is_valid_id(id) {
            problems.add(
                sources,
                si,
                *l,
                format!("invalid id `{id}`: must match [a-z0-9][a-z0-9._-]*"),
            );
        }
    }
    if let Some((label, l)) = &label {
        if label.trim().is_empty() {
            problems.add(sources, si, *l, "empty `label`".into());
        }
    }
    let case_sensitive = match table.get("case_sensitive") {
        Some(v) => match v.get_ref().as_bool() {
            Some(b) => b,
            None => {
                problems.add(
                    sources,
                    si,
                    line_of(v.span()),
                    "`case_sensitive` must be true or false".into(),
                );
                false
            }
        },
        None => false,
    };
    let str_list = |key: &str, problems: &mut Problems| -> Option<Vec<(String, u32)>> {
        let v = table.get(key)?;
        let Some(array) = v.get_ref().as_array() else {
            problems.add(
                sources,
                si,
                line_of(v.span()),
                format!("`{key}` must be an array of strings"),
            );
            return None;
        };
        let mut list = Vec::new();
        for item in array.iter() {
            match item.get_ref().as_str() {
                Some(s) => list.push((s.to_string(), line_of(item.span()))),
                None => {
                    problems.add(
                        sources,
                        si,
                        line_of(item.span()),
                        format!("`{key}` must be an array of strings"),
                    );
                }
            }
        }
        Some(list)
    };
    let aliases = str_list("aliases", problems);
    let broader = str_list("broader", problems).unwrap_or_default();
    let context = str_list("context", problems).unwrap_or_default();
    match &aliases {
        None if !table.contains_key("aliases") => {
            problems.add(sources, si, line, "entity has no `aliases`".into());
        }
        Some(list) if list.is_empty() => {
            let l = table.get("aliases").map_or(line, |v| line_of(v.span()));
            problems.add(
                sources,
                si,
                l,
                "`aliases` is empty: the entity could never be matched".into(),
            );
        }
        _ => {}
    }
    for (term, l) in &context {
        if fold_str(term, true).is_empty() {
            problems.add(sources, si, *l, "empty context term".into());
        }
    }
    for (key, _) in table.iter() {
        let k: &str = key.get_ref();
        if !ENTITY_KEYS.contains(&k) {
            problems.add(
                sources,
                si,
                line_of(key.span()),
                format!(
                    "unknown key `{k}` in entity; expected one of: {}",
                    ENTITY_KEYS.join(", ")
                ),
            );
        }
    }
    let (id, _) = id?;
    let (label, _) = label?;
    let aliases = aliases?;
    Some(Parsed {
        entity: Entity {
            id,
            label,
            entity_type: entity_type.map_or_else(|| "Concept".to_string(), |(t, _)| t),
            aliases: aliases.iter().map(|(a, _)| a.clone()).collect(),
            broader: broader.iter().map(|(b, _)| b.clone()).collect(),
            case_sensitive,
            context: context.into_iter().map(|(c, _)| c).collect(),
            description: description.map(|(d, _)| d),
            origin: (sources[si].path.clone(), line),
        },
        source: si,
        id_line,
        aliases,
        broader,
    })
}

fn cross_check(sources: &[DictSource], parsed: &[Parsed], problems: &mut Problems) {
    let here = |p: &Parsed| format!("{}:{}", sources[p.source].path, p.entity.origin.1);
    // Duplicate ids: the first definition wins, later ones are errors.
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, p) in parsed.iter().enumerate() {
        if let Some(&first) = ids.get(p.entity.id.as_str()) {
            problems.add(
                sources,
                p.source,
                p.id_line,
                format!(
                    "duplicate id `{}` (first defined at {})",
                    p.entity.id,
                    here(&parsed[first])
                ),
            );
        } else {
            ids.insert(&p.entity.id, i);
        }
    }
    // Aliases, compared after the fold.
    let mut seen: HashMap<String, Vec<(usize, &str, u32)>> = HashMap::new();
    for (i, p) in parsed.iter().enumerate() {
        for (alias, line) in &p.aliases {
            let key = fold_str(alias, true);
            if key.is_empty() {
                let what = if alias.is_empty() {
                    "empty alias".to_string()
                } else {
                    format!("alias {alias:?} is empty after normalisation")
                };
                problems.add(sources, p.source, *line, what);
                continue;
            }
            let entry = seen.entry(key.clone()).or_default();
            let clash = entry.iter().find(|(j, other, _)| {
                *j != i && {
                    let q = &parsed[*j];
                    !(p.entity.case_sensitive
                        && q.entity.case_sensitive
                        && fold_str(alias, false) != fold_str(other, false))
                }
            });
            if let Some(&(j, other, other_line)) = clash {
                let q = &parsed[j];
                let at = format!("{}:{}", sources[q.source].path, other_line);
                let message = if other == alias {
                    format!(
                        "alias {alias:?} is also an alias of `{}` ({at})",
                        q.entity.id
                    )
                } else {
                    format!("alias {alias:?} is the same as alias {other:?} of `{}` after normalisation (both read {key:?}; {at})", q.entity.id)
                };
                problems.add(sources, p.source, *line, message);
            }
            entry.push((i, alias, *line));
        }
    }
    // Broader ids exist, are not the entity itself, and make no cycle.
    for p in parsed {
        for (b, line) in &p.broader {
            if *b == p.entity.id {
                problems.add(
                    sources,
                    p.source,
                    *line,
                    format!("`{b}` is listed as broader than itself"),
                );
            } else if !ids.contains_key(b.as_str()) {
                problems.add(
                    sources,
                    p.source,
                    *line,
                    format!("broader id `{b}` does not exist"),
                );
            }
        }
    }
    for cycle in broader_cycles(parsed, &ids) {
        let (i, k) = cycle[0];
        let p = &parsed[i];
        let path: Vec<&str> = cycle
            .iter()
            .map(|&(j, _)| parsed[j].entity.id.as_str())
            .chain([p.entity.id.as_str()])
            .collect();
        problems.add(
            sources,
            p.source,
            p.broader[k].1,
            format!("broader cycle: {}", path.join(" → ")),
        );
    }
}

/// Cycles of `broader` (longer than one: self-reference is reported apart). Each cycle once,
/// as a list of (entity, index of its broader entry on the cycle), starting at the entity with
/// the smallest id.
fn broader_cycles(parsed: &[Parsed], ids: &HashMap<&str, usize>) -> Vec<Vec<(usize, usize)>> {
    // Iterative DFS with colours; 0 white, 1 on stack, 2 done.
    let mut colour = vec![0u8; parsed.len()];
    let mut cycles = Vec::new();
    let mut order: Vec<usize> = (0..parsed.len()).collect();
    order.sort_by(|&a, &b| parsed[a].entity.id.cmp(&parsed[b].entity.id));
    for &root in &order {
        if colour[root] != 0 || ids.get(parsed[root].entity.id.as_str()) != Some(&root) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        colour[root] = 1;
        while let Some(&mut (node, ref mut k)) = stack.last_mut() {
            if *k >= parsed[node].broader.len() {
                colour[node] = 2;
                stack.pop();
                continue;
            }
            let edge = *k;
            *k += 1;
            let Some(&next) = ids.get(parsed[node].broader[edge].0.as_str()) else {
                continue;
            };
            if next == node {
                continue;
            }
            match colour[next] {
                0 => {
                    colour[next] = 1;
                    stack.push((next, 0));
                }
                1 => {
                    let from = stack.iter().position(|&(n, _)| n == next).unwrap_or(0);
                    let mut cycle: Vec<(usize, usize)> =
                        stack[from..].iter().map(|&(n, k)| (n, k - 1)).collect();
                    let min = (0..cycle.len())
                        .min_by(|&a, &b| {
                            parsed[cycle[a].0]
                                .entity
                                .id
                                .cmp(&parsed[cycle[b].0].entity.id)
                        })
                        .unwrap_or(0);
                    cycle.rotate_left(min);
                    cycles.push(cycle);
                }
                _ => {}
            }
        }
    }
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Vec<DictSource> {
        vec![DictSource {
            path: "t.toml".into(),
            text: text.into(),
        }]
    }

    #[test]
    fn default_dictionaries_load() {
        let d = load(&default_sources()).expect("shipped dictionaries are valid");
        assert!(d.get("defi").is_some());
        assert_eq!(d.hash.len(), 64);
    }

    #[test]
    fn entity_lines_are_table_lines() {
        let d = load(&src("name = \"x\"\n\n[[entity]]\nid = \"a\"\nlabel = \"A\"\naliases = [\"A\"]\n\n[[entity]]\nid = \"b\"\nlabel = \"B\"\naliases = [\"B\"]\n")).unwrap();
        assert_eq!(d.entities[0].origin.1, 3);
        assert_eq!(d.entities[1].origin.1, 8);
    }

    #[test]
    fn hash_ignores_position_not_content() {
        let a = load(&src(
            "[[entity]]\nid = \"a\"\nlabel = \"A\"\naliases = [\"A\"]\n",
        ))
        .unwrap();
        let b = load(&src(
            "\n\n[[entity]]\nid = \"a\"\nlabel = \"A\"\naliases = [\"A\"]\n",
        ))
        .unwrap();
        let c = load(&src(
            "[[entity]]\nid = \"a\"\nlabel = \"A\"\naliases = [\"A\", \"AA\"]\n",
        ))
        .unwrap();
        assert_eq!(a.hash, b.hash);
        assert_ne!(a.hash, c.hash);
    }

    #[test]
    fn broader_cycle_is_reported_once() {
        let w = check(&src("[[entity]]\nid = \"a\"\nlabel = \"A\"\naliases = [\"A\"]\nbroader = [\"b\"]\n[[entity]]\nid = \"b\"\nlabel = \"B\"\naliases = [\"B\"]\nbroader = [\"a\"]\n"));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].message.contains("a → b → a"), "{w:?}");
        assert_eq!(w[0].line, Some(5));
    }

    #[test]
    fn user_words_are_cjk_aliases() {
        let d = load(&src(
            "[[entity]]\nid = \"a\"\nlabel = \"A\"\naliases = [\"DeFi\", \"區塊鏈\"]\n",
        ))
        .unwrap();
        assert_eq!(
            d.user_words(),
            vec!["区块链".to_string(), "區塊鏈".to_string()]
        );
    }
}
