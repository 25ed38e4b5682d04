//! Reading and writing model files.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

/// Writes `contents` to `path` atomically: a temporary file in the same directory, flushed to
/// disk, then renamed over the target, so a crash or a full disk never leaves half a file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // The file keeps its permissions; a new one gets a model file's usual (0644, less the
    // umask), not a temporary file's private 0600.
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(
            existing
                .clone()
                .unwrap_or_else(|| std::fs::Permissions::from_mode(0o644)),
        );
    }
    let mut tmp = builder.tempfile_in(dir).with_context(|| {
        format!(
            "cannot write {}: cannot create a file in {}",
            path.display(),
            dir.display()
        )
    })?;
    tmp.write_all(contents)
        .and_then(|()| match &existing {
            Some(perms) => tmp.as_file().set_permissions(perms.clone()),
            None => Ok(()),
        })
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// Reads a model file, with the path in the error.
pub fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("{}: cannot read the file", path.display()))
}

/// Reads and parses a model file; on failure says why (file, line and column) on stderr.
pub(super) fn load_model(path: &Path) -> Option<crate::model::Model> {
    load_model_with_text(path).map(|(model, _)| model)
}

/// [`load_model`], with the text it was read from (to locate diagnostics in, without reading
/// the file again: a pipe reads once).
pub(super) fn load_model_with_text(path: &Path) -> Option<(crate::model::Model, String)> {
    let bytes = match read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("error: {err:#}");
            return None;
        }
    };
    match crate::model::load_bytes(&bytes) {
        Ok(model) => Some((model, String::from_utf8_lossy(&bytes).into_owned())),
        Err(err) => {
            eprintln!(
                "{}:{}:{}: error: {}",
                path.display(),
                err.line,
                err.column,
                err.message
            );
            None
        }
    }
}
