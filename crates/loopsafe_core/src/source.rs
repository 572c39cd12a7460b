//! Reading a file as Python source text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Files larger than this are skipped with a warning: generated data, not code.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Why a file was not read as source: it is then skipped, with a warning.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: cannot read: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{path}: skipped: {} MiB is larger than the {} MiB limit",
        bytes >> 20,
        MAX_FILE_BYTES >> 20
    )]
    TooLarge { path: PathBuf, bytes: usize },
    #[error("{path}: skipped: binary file")]
    Binary { path: PathBuf },
    #[error("{path}: skipped: not UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 { path: PathBuf, offset: usize },
}

// Files are read inside a parse scope, whose memory is freed with the next file: an error
// made there is cloned out of it. `io::Error` is not `Clone`; a copy that prints the same
// does.
impl Clone for SourceError {
    fn clone(&self) -> Self {
        match self {
            SourceError::Read { path, error } => SourceError::Read {
                path: path.clone(),
                error: match error.raw_os_error() {
                    Some(code) => std::io::Error::from_raw_os_error(code),
                    None => std::io::Error::new(error.kind(), error.to_string()),
                },
            },
            SourceError::TooLarge { path, bytes } => SourceError::TooLarge {
                path: path.clone(),
                bytes: *bytes,
            },
            SourceError::Binary { path } => SourceError::Binary { path: path.clone() },
            SourceError::NotUtf8 { path, offset } => SourceError::NotUtf8 {
                path: path.clone(),
                offset: *offset,
            },
        }
    }
}

/// Reads a file as Python source: UTF-8 text, without a byte-order mark.
pub fn read_source(path: &Path) -> Result<String, SourceError> {
    let bytes = std::fs::read(path).map_err(|error| SourceError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SourceError::TooLarge {
            path: path.to_path_buf(),
            bytes: bytes.len(),
        });
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(SourceError::Binary {
            path: path.to_path_buf(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| SourceError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
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
) -> Result<String, SourceError> {
    match overrides.get(path) {
        Some(text) => Ok(text.clone()),
        None => read_source(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_says_what_the_error_said() {
        let path = PathBuf::from("a.py");
        for error in [
            std::io::Error::from_raw_os_error(13),
            std::io::Error::other("disk on fire"),
        ] {
            let e = SourceError::Read {
                path: path.clone(),
                error,
            };
            assert_eq!(e.clone().to_string(), e.to_string());
        }
        let e = SourceError::Read {
            path,
            error: std::io::Error::from_raw_os_error(13),
        };
        assert_eq!(
            e.to_string(),
            "a.py: cannot read: Permission denied (os error 13)"
        );
    }

    #[test]
    fn files_that_are_not_source_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        };
        let binary = write("bin.py", b"a\0b");
        let latin = write("latin.py", b"x = '\xe9'\n");
        let bom = write("bom.py", b"\xef\xbb\xbfx = 1\n");
        assert_eq!(
            read_source(&binary).unwrap_err().to_string(),
            format!("{}: skipped: binary file", binary.display())
        );
        assert_eq!(
            read_source(&latin).unwrap_err().to_string(),
            format!(
                "{}: skipped: not UTF-8 (invalid byte at offset 5)",
                latin.display()
            )
        );
        assert_eq!(read_source(&bom).unwrap(), "x = 1\n");
        let large = SourceError::TooLarge {
            path: "big.py".into(),
            bytes: 65 << 20,
        };
        assert_eq!(
            large.to_string(),
            "big.py: skipped: 65 MiB is larger than the 64 MiB limit"
        );
    }
}
