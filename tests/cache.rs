//! The incremental cache: hits and misses, invalidation, deletion, corruption.
//!
//! Records are made by hand: the cache must not care how they were extracted.

use kgx::cache::{content_hash, Cache, CACHE_FILE};
use kgx::record::{ArticleRecord, MentionRecord, SectionRecord, FORMAT_VERSION};
use kgx::Warning;
use std::path::Path;

const DICT: &str = "d1c7";

fn record(id: &str, content: &str, keywords: bool) -> ArticleRecord {
    ArticleRecord {
        format: FORMAT_VERSION,
        dict: DICT.to_string(),
        keywords,
        id: id.to_string(),
        hash: content_hash(content.as_bytes()),
        title: format!("标题 {id}"),
        date: Some("2024-01-02".into()),
        lastmod: None,
        authors: vec!["w3er".into()],
        tags: vec!["DeFi".into()],
        categories: vec![],
        fm_keywords: vec![],
        words: content.chars().count() as u64,
        sections: vec![SectionRecord {
            order: 1,
            level: 0,
            parent: None,
            heading: String::new(),
            heading_path: String::new(),
            line: 3,
        }],
        mentions: vec![MentionRecord {
            entity: "defi".into(),
            section: Some(1),
            in_heading: false,
            line: 3,
            byte: 7,
            len: 4,
        }],
        terms: if keywords {
            vec![("区块链".into(), 2), ("金融".into(), 1)]
        } else {
            vec![]
        },
        warnings: vec![Warning::new(
            id,
            Some(1),
            "a warning that must survive the cache",
        )],
    }
}

/// A cache holding `a.md`, `b/c.md` and `d.md`, written and closed.
fn populated(dir: &Path, keywords: bool) -> Vec<ArticleRecord> {
    let records = vec![
        record("a.md", "alpha", keywords),
        record("b/c.md", "gamma", keywords),
        record("d.md", "delta", keywords),
    ];
    let (cache, warnings) = Cache::open(dir, DICT, keywords);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(cache.is_empty());
    for r in &records {
        assert_eq!(cache.get(&r.id, &r.hash), None);
        cache.put(r);
    }
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(cache.finish(&ids).unwrap(), vec![]);
    records
}

#[test]
fn a_missing_folder_is_an_empty_cache_without_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, warnings) = Cache::open(&dir.path().join("not/yet"), DICT, true);
    assert!(warnings.is_empty());
    assert!(cache.is_empty());
    assert_eq!(cache.get("a.md", &content_hash(b"alpha")), None);
}

#[test]
fn records_come_back_identical_for_the_same_content() {
    let dir = tempfile::tempdir().unwrap();
    let records = populated(dir.path(), true);
    let (cache, warnings) = Cache::open(dir.path(), DICT, true);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(cache.len(), 3);
    for r in &records {
        assert_eq!(cache.get(&r.id, &r.hash).as_ref(), Some(r));
    }
    let stats = cache.stats();
    assert_eq!((stats.loaded, stats.hits, stats.misses), (3, 3, 0));
}

#[test]
fn changed_content_or_another_id_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    populated(dir.path(), true);
    let (cache, _) = Cache::open(dir.path(), DICT, true);
    assert_eq!(cache.get("a.md", &content_hash(b"alpha, edited")), None);
    // Same bytes under another name: records name their article, so no reuse.
    assert_eq!(cache.get("renamed.md", &content_hash(b"alpha")), None);
    assert_eq!(cache.stats().misses, 2);
}

#[test]
fn a_rebuild_replaces_changed_drops_deleted_and_adds_new() {
    let dir = tempfile::tempdir().unwrap();
    let records = populated(dir.path(), true);

    // Second run: a.md edited, d.md deleted, e.md new, b/c.md unchanged.
    let (cache, _) = Cache::open(dir.path(), DICT, true);
    let edited = record("a.md", "alpha, edited", true);
    let new = record("e.md", "epsilon", true);
    assert_eq!(cache.get("a.md", &edited.hash), None);
    assert_eq!(cache.get("e.md", &new.hash), None);
    assert_eq!(
        cache.get("b/c.md", &records[1].hash).as_ref(),
        Some(&records[1])
    );
    cache.put(&edited);
    cache.put(&new);
    cache.finish(&["a.md", "b/c.md", "e.md"]).unwrap();

    let (cache, warnings) = Cache::open(dir.path(), DICT, true);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(cache.len(), 3);
    assert_eq!(cache.get("a.md", &edited.hash), Some(edited));
    assert_eq!(
        cache.get("a.md", &records[0].hash),
        None,
        "the old version is gone"
    );
    assert_eq!(
        cache.get("b/c.md", &records[1].hash).as_ref(),
        Some(&records[1])
    );
    assert_eq!(
        cache.get("d.md", &records[2].hash),
        None,
        "deleted files are dropped"
    );
    assert_eq!(cache.get("e.md", &new.hash), Some(new));
}

#[test]
fn the_cache_file_is_deterministic() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    populated(a.path(), true);
    // Put in another order.
    let (cache, _) = Cache::open(b.path(), DICT, true);
    for id in ["d.md", "b/c.md", "a.md"] {
        let content = match id {
            "a.md" => "alpha",
            "b/c.md" => "gamma",
            _ => "delta",
        };
        cache.put(&record(id, content, true));
    }
    cache.finish(&["d.md", "a.md", "b/c.md", "a.md"]).unwrap();
    assert_eq!(
        std::fs::read(a.path().join(CACHE_FILE)).unwrap(),
        std::fs::read(b.path().join(CACHE_FILE)).unwrap()
    );
}

#[test]
fn other_dictionaries_invalidate_everything() {
    let dir = tempfile::tempdir().unwrap();
    let records = populated(dir.path(), true);
    let (cache, warnings) = Cache::open(dir.path(), "another-dict", true);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].message.contains("dictionaries changed"),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].path.ends_with(CACHE_FILE));
    assert!(cache.is_empty());
    assert_eq!(cache.get(&records[0].id, &records[0].hash), None);
}

#[test]
fn the_keywords_flag_invalidates_everything() {
    let dir = tempfile::tempdir().unwrap();
    populated(dir.path(), true);
    let (cache, warnings) = Cache::open(dir.path(), DICT, false);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].message.contains("with keywords"),
        "{}",
        warnings[0]
    );
    assert!(cache.is_empty());
}

/// Rewrites the manifest (first line) of a cache file with `edit`, and the checksum with it,
/// so that only the manifest check can reject it.
fn rewrite_manifest(dir: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let path = dir.join(CACHE_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let (manifest, rest) = text.split_once('\n').unwrap();
    let mut value: serde_json::Value = serde_json::from_str(manifest).unwrap();
    edit(&mut value);
    let body_end = rest.trim_end_matches('\n').rfind('\n').unwrap() + 1;
    let body = format!("{}\n{}", value, &rest[..body_end]);
    let sum = blake3::hash(body.as_bytes()).to_hex();
    std::fs::write(&path, format!("{body}blake3:{sum}\n")).unwrap();
}

#[test]
fn another_record_format_invalidates_everything() {
    let dir = tempfile::tempdir().unwrap();
    populated(dir.path(), true);
    rewrite_manifest(dir.path(), |m| m["format"] = (FORMAT_VERSION + 1).into());
    let (cache, warnings) = Cache::open(dir.path(), DICT, true);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.contains("format"), "{}", warnings[0]);
    assert!(cache.is_empty());
}

#[test]
fn another_kgx_version_invalidates_everything() {
    let dir = tempfile::tempdir().unwrap();
    populated(dir.path(), true);
    rewrite_manifest(dir.path(), |m| m["kgx"] = "0.0.0-old".into());
    let (cache, warnings) = Cache::open(dir.path(), DICT, true);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.contains("0.0.0-old"), "{}", warnings[0]);
    assert!(cache.is_empty());
}

#[test]
fn a_rewritten_manifest_with_a_good_checksum_is_read() {
    // The control for the two tests above: the rewriting itself keeps the cache valid.
    let dir = tempfile::tempdir().unwrap();
    populated(dir.path(), true);
    rewrite_manifest(dir.path(), |_| {});
    let (cache, warnings) = Cache::open(dir.path(), DICT, true);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(cache.len(), 3);
}

fn assert_discarded(dir: &Path, what: &str) {
    let (cache, warnings) = Cache::open(dir, DICT, true);
    assert_eq!(warnings.len(), 1, "{what}: {warnings:?}");
    assert!(
        warnings[0].message.contains("rebuilding the cache"),
        "{what}: {}",
        warnings[0]
    );
    assert!(cache.is_empty(), "{what}");
    // And it heals: the next run writes a good cache.
    cache.put(&record("a.md", "alpha", true));
    cache.finish(&["a.md"]).unwrap();
    let (cache, warnings) = Cache::open(dir, DICT, true);
    assert!(warnings.is_empty(), "{what}: {warnings:?}");
    assert!(
        cache.get("a.md", &content_hash(b"alpha")).is_some(),
        "{what}"
    );
}

#[test]
fn a_truncated_cache_is_discarded_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    populated(dir.path(), true);
    let path = dir.path().join(CACHE_FILE);
    let full = std::fs::read(&path).unwrap();
    for cut in [
        0,
        1,
        full.len() / 3,
        full.len() / 2,
        full.len() - 2,
        full.len() - 1,
    ] {
        std::fs::write(&path, &full[..cut]).unwrap();
        assert_discarded(dir.path(), &format!("truncated at {cut}"));
        std::fs::write(&path, &full).unwrap();
    }
}

#[test]
fn a_flipped_byte_anywhere_is_discarded_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    populated(dir.path(), true);
    let path = dir.path().join(CACHE_FILE);
    let full = std::fs::read(&path).unwrap();
    // In the manifest, in a record, in the checksum line.
    for at in [5, full.len() / 2, full.len() - 5] {
        let mut bad = full.clone();
        bad[at] ^= 0x01;
        std::fs::write(&path, &bad).unwrap();
        assert_discarded(dir.path(), &format!("byte {at} flipped"));
        std::fs::write(&path, &full).unwrap();
    }
}

#[test]
fn garbage_is_discarded_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(CACHE_FILE), "not a cache\nblake3:00\n").unwrap();
    assert_discarded(dir.path(), "garbage");
}

#[test]
fn a_record_that_does_not_match_its_index_is_a_miss_and_a_warning() {
    // A well-formed file whose record lies about its article: valid checksum, so only
    // the per-record check can catch it.
    let dir = tempfile::tempdir().unwrap();
    populated(dir.path(), true);
    let path = dir.path().join(CACHE_FILE);
    let bytes = std::fs::read(&path).unwrap();
    let body_end = bytes[..bytes.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    let mut body = bytes[..body_end].to_vec();
    // The first record's id, after the manifest line: "a.md" → "x.md" keeps every length, so
    // the index still fits.
    let manifest_end = body.iter().position(|&b| b == b'\n').unwrap();
    let id = body[manifest_end..]
        .windows(5)
        .position(|w| w == b"\x04a.md")
        .unwrap()
        + manifest_end;
    body[id + 1] = b'x';
    body.extend_from_slice(format!("blake3:{}\n", blake3::hash(&body).to_hex()).as_bytes());
    std::fs::write(&path, &body).unwrap();

    let (cache, warnings) = Cache::open(dir.path(), DICT, true);
    assert!(warnings.is_empty());
    assert_eq!(cache.get("a.md", &content_hash(b"alpha")), None);
    assert!(cache.get("d.md", &content_hash(b"delta")).is_some());
    let late = cache.finish(&["a.md", "d.md"]).unwrap();
    assert_eq!(late.len(), 1, "{late:?}");
    assert!(late[0].message.contains("a.md"), "{}", late[0]);
}

#[test]
fn records_of_another_run_configuration_are_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, _) = Cache::open(dir.path(), DICT, true);
    cache.put(&record("a.md", "alpha", false));
    let mut other = record("b.md", "beta", true);
    other.dict = "other".into();
    cache.put(&other);
    assert_eq!(cache.stats().stored, 0);
}

#[test]
fn no_temporary_file_is_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    populated(dir.path(), true);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from(CACHE_FILE)]);
}

#[cfg(unix)]
#[test]
fn a_rebuild_with_nothing_changed_leaves_the_file_alone() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let records = populated(dir.path(), true);
    let inode = || {
        std::fs::metadata(dir.path().join(CACHE_FILE))
            .unwrap()
            .ino()
    };
    let before = inode();
    let (cache, _) = Cache::open(dir.path(), DICT, true);
    for r in &records {
        assert!(cache.get(&r.id, &r.hash).is_some());
    }
    cache.finish(&["a.md", "b/c.md", "d.md"]).unwrap();
    assert_eq!(inode(), before, "not rewritten");

    // One deletion is a change: rewritten.
    let (cache, _) = Cache::open(dir.path(), DICT, true);
    cache.finish(&["a.md", "b/c.md"]).unwrap();
    assert_ne!(inode(), before);
    let (cache, _) = Cache::open(dir.path(), DICT, true);
    assert_eq!(cache.len(), 2);
}

#[cfg(unix)]
#[test]
fn the_cache_file_is_readable_like_the_outputs() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    populated(dir.path(), true);
    let mode = std::fs::metadata(dir.path().join(CACHE_FILE))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}
