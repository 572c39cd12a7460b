//! The on-disk cache of per-file facts, like ruff's `.ruff_cache`: a file whose text,
//! module name and package status are unchanged is not parsed again.
//!
//! One file per tool version and catalogue (the blocking builtins change what
//! extraction keeps), in `.loopsafe_cache/` at the project root. It is read once and
//! written once, atomically; a cache that cannot be read is ignored, never trusted.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::facts::ModuleFacts;

/// The layout of the facts. The encoding is not self-describing, so a cache written
/// with another layout must not even be read: bump this when a facts type changes.
const FORMAT: u32 = 2;

/// The cache folder's name at the project root.
pub const DIR: &str = ".loopsafe_cache";

/// One file's facts, encoded on their own: decoding them is the costly part of a warm
/// run, and it happens in parallel, only for the files that did not change.
#[derive(Serialize, Deserialize)]
struct Entry {
    hash: u64,
    module: String,
    is_package: bool,
    facts: Vec<u8>,
}

#[derive(Default, Serialize, Deserialize)]
struct Stored {
    entries: HashMap<PathBuf, Entry>,
}

/// [`Entry`] and [`Stored`] by reference, for writing: the same encoding.
#[derive(Serialize)]
struct EntryRef<'a> {
    hash: u64,
    module: &'a str,
    is_package: bool,
    facts: Vec<u8>,
}

#[derive(Serialize)]
struct StoredRef<'a> {
    entries: HashMap<&'a Path, EntryRef<'a>>,
}

pub struct Cache {
    file: PathBuf,
    /// Each entry is taken by the thread that checks its file: the facts are moved out,
    /// not copied, so they are in memory once.
    entries: HashMap<PathBuf, Mutex<Option<Entry>>>,
}

/// The hash a file's text is known by.
pub fn content_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

impl Cache {
    /// The cache under `root` for this tool version and these blocking builtins.
    pub fn open(root: &Path, blocking_builtins: &[&str]) -> Cache {
        let key = content_hash(&format!("{FORMAT}:{}", blocking_builtins.join(",")));
        let file = root.join(DIR).join(format!(
            "facts-{}-{key:016x}.bin",
            env!("CARGO_PKG_VERSION")
        ));
        let stored: Stored = std::fs::read(&file)
            .ok()
            .and_then(|bytes| {
                bincode::serde::decode_from_slice(&bytes, bincode::config::standard())
                    .ok()
                    .map(|(s, _)| s)
            })
            .unwrap_or_default();
        let entries = stored
            .entries
            .into_iter()
            .map(|(path, entry)| (path, Mutex::new(Some(entry))))
            .collect();
        Cache { file, entries }
    }

    /// The facts of a file as they were extracted last time, if nothing changed.
    pub fn take(
        &self,
        path: &Path,
        hash: u64,
        module: &str,
        is_package: bool,
    ) -> Option<ModuleFacts> {
        let mut slot = self.entries.get(path)?.lock().ok()?;
        let fresh = slot
            .as_ref()
            .is_some_and(|e| e.hash == hash && e.module == module && e.is_package == is_package);
        if !fresh {
            return None;
        }
        let bytes = slot.take()?.facts;
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard())
            .ok()
            .map(|(facts, _)| facts)
    }

    /// How many files the cache knows.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keeps exactly these files' facts (the project as it is now) and writes the cache.
    /// The facts are written from where they are, not copied.
    pub fn save(
        &self,
        root: &Path,
        entries: Vec<(&Path, u64, &str, bool, &ModuleFacts)>,
    ) -> std::io::Result<()> {
        use rayon::prelude::*;
        let encoded: Vec<(&Path, EntryRef)> = entries
            .into_par_iter()
            .map(|(path, hash, module, is_package, facts)| {
                let facts = bincode::serde::encode_to_vec(facts, bincode::config::standard())
                    .map_err(std::io::Error::other)?;
                Ok((
                    path,
                    EntryRef {
                        hash,
                        module,
                        is_package,
                        facts,
                    },
                ))
            })
            .collect::<std::io::Result<_>>()?;
        let stored = StoredRef {
            entries: encoded.into_iter().collect(),
        };
        let bytes = bincode::serde::encode_to_vec(&stored, bincode::config::standard())
            .map_err(std::io::Error::other)?;
        let file = &self.file;
        let dir = root.join(DIR);
        std::fs::create_dir_all(&dir)?;
        // Like ruff: the folder says it is not to be committed.
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "# Automatically created by loopsafe.\n*\n")?;
        }
        let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
        tmp.write_all(&bytes)?;
        tmp.persist(file).map_err(|e| e.error)?;
        // Caches of other versions or catalogues are stale.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let p = entry.path();
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name.starts_with("facts-") && p != *file {
                    let _ = std::fs::remove_file(&p);
                }
            }
        }
        Ok(())
    }
}

/// Removes the cache under `root` (`loopsafe clean`). Whether there was one.
pub fn clean(root: &Path) -> std::io::Result<bool> {
    let dir = root.join(DIR);
    if !dir.exists() {
        return Ok(false);
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(true)
}
