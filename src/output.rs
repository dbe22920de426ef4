//! Atomic output files: a failed run never leaves a half-written file.
//!
//! Every output is written to a temporary file beside its target (same folder, so the final
//! rename never crosses a file system), flushed and synced, and only then renamed over the
//! target. On any error the temporary file is removed when it is dropped and the old target, if
//! there was one, is untouched. [`commit_all`] finishes a batch of files (all exports of one
//! run) before it renames the first one, so an error while writing any of them replaces none.
//!
//! [`check_writable`] proves the output folder usable before any work is done, so a run that
//! cannot write fails in milliseconds rather than after the whole pipeline.

use crate::diag::{Error, Result};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Buffer size of the writer in front of each temporary file.
const BUFFER: usize = 256 * 1024;

fn output_error(path: &Path, source: io::Error) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `dir` (and its parents) if needed and proves it writable by creating and removing a
/// temporary file in it.
pub fn check_writable(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| output_error(dir, e))?;
    let probe = temp_builder()
        .tempfile_in(dir)
        .map_err(|e| output_error(dir, e))?;
    probe.close().map_err(|e| output_error(dir, e))
}

fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kgx-").suffix(".tmp");
    // tempfile's default is 0o600; outputs are ordinary files, so ask for 0o666 and let the
    // umask narrow it, as `File::create` would.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    builder
}

/// A file being written: a buffered temporary file that becomes `path` on [`commit`].
///
/// Dropping it without committing removes the temporary file and leaves `path` as it was.
///
/// [`commit`]: AtomicFile::commit
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    writer: BufWriter<NamedTempFile>,
}

impl AtomicFile {
    /// Starts writing `path`: creates a temporary file in the same folder.
    pub fn create(path: impl Into<PathBuf>) -> Result<AtomicFile> {
        let path = path.into();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = temp_builder()
            .tempfile_in(&dir)
            .map_err(|e| output_error(&path, e))?;
        Ok(AtomicFile {
            path,
            writer: BufWriter::with_capacity(BUFFER, tmp),
        })
    }

    /// The target path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Wraps an I/O error of this file as [`Error::Output`] naming the target.
    pub fn error(&self, source: io::Error) -> Error {
        output_error(&self.path, source)
    }

    /// Flushes the temporary file, without renaming it yet.
    ///
    /// No fsync: the rename is what makes the write atomic for a run that fails or is killed
    /// (the target is the old file or the whole new one); surviving a power cut mid-run is not
    /// what a graph export needs, and an fsync per file cost more than writing the files.
    fn finish(self) -> Result<(PathBuf, NamedTempFile)> {
        let AtomicFile { path, writer } = self;
        let tmp = writer
            .into_inner()
            .map_err(|e| output_error(&path, e.into_error()))?;
        Ok((path, tmp))
    }

    /// Finishes the file and renames it over the target.
    pub fn commit(self) -> Result<PathBuf> {
        let (path, tmp) = self.finish()?;
        persist(path, tmp)
    }
}

fn persist(path: PathBuf, tmp: NamedTempFile) -> Result<PathBuf> {
    match tmp.persist(&path) {
        Ok(_) => Ok(path),
        // The PersistError still owns the temporary file; dropping it removes it.
        Err(e) => Err(output_error(&path, e.error)),
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Finishes every file of a batch (flush), then renames them over their targets in
/// order. An error while finishing any file renames none; an error while renaming stops at that
/// file (earlier targets are replaced, whole; later ones untouched; no temporary file remains).
pub fn commit_all(files: Vec<AtomicFile>) -> Result<Vec<PathBuf>> {
    let mut finished = Vec::with_capacity(files.len());
    for file in files {
        finished.push(file.finish()?);
    }
    finished
        .into_iter()
        .map(|(path, tmp)| persist(path, tmp))
        .collect()
}

/// Writes `path` atomically with `fill`, which writes the whole content.
pub fn write_file<F>(path: impl Into<PathBuf>, fill: F) -> Result<PathBuf>
where
    F: FnOnce(&mut AtomicFile) -> io::Result<()>,
{
    let mut file = AtomicFile::create(path)?;
    fill(&mut file).map_err(|e| file.error(e))?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn write_file_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        fs::write(&path, "old").unwrap();
        write_file(&path, |w| w.write_all(b"new content")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new content");
        assert_eq!(entries(dir.path()), ["a.txt"]);
    }

    #[test]
    fn failed_fill_keeps_old_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        fs::write(&path, "old").unwrap();
        let err = write_file(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        match err {
            Error::Output { path: p, .. } => assert_eq!(p, path),
            other => panic!("unexpected error {other:?}"),
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(entries(dir.path()), ["a.txt"]);
    }

    #[test]
    fn check_writable_creates_nested_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x/y/z");
        check_writable(&out).unwrap();
        assert!(out.is_dir());
        assert!(entries(&out).is_empty());
    }

    #[test]
    fn check_writable_fails_on_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, "x").unwrap();
        let err = check_writable(&file.join("sub")).unwrap_err();
        assert!(matches!(err, Error::Output { .. }), "{err:?}");
    }

    #[test]
    fn commit_all_stops_at_rename_failure() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the first target should go: the rename fails.
        fs::create_dir(dir.path().join("first")).unwrap();
        fs::write(dir.path().join("second"), "old").unwrap();
        let mut a = AtomicFile::create(dir.path().join("first")).unwrap();
        a.write_all(b"1").unwrap();
        let mut b = AtomicFile::create(dir.path().join("second")).unwrap();
        b.write_all(b"2").unwrap();
        assert!(commit_all(vec![a, b]).is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("second")).unwrap(),
            "old"
        );
        assert_eq!(entries(dir.path()), ["first", "second"]);
    }
}
