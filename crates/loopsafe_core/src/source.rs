//! Reading a file as Python source text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Files larger than this are skipped with a warning: generated data, not code.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Reads a file as Python source: UTF-8 text, without a byte-order mark.
pub fn read_source(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{}: skipped: {} MiB is larger than the {} MiB limit",
            path.display(),
            bytes.len() >> 20,
            MAX_FILE_BYTES >> 20
        ));
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(format!("{}: skipped: binary file", path.display()));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: skipped: not UTF-8 (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// The text of a file: the one given instead of the disk's, if any.
pub(crate) fn source_of(
    path: &Path,
    overrides: &HashMap<PathBuf, String>,
) -> Result<String, String> {
    match overrides.get(path) {
        Some(text) => Ok(text.clone()),
        None => read_source(path),
    }
}
