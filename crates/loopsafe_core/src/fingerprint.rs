//! How loopsafe tells that something is unchanged without looking at it again: a file's
//! size and modification time ([`Stamp`]), a text's hash ([`content_hash`]) and a name's
//! ([`name_hash`]).

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// A file's size and modification time: when both are as recorded, its text is taken
/// to be unchanged without reading it, as ruff and git do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub(crate) size: u64,
    pub(crate) modified: Duration,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            size: meta.len(),
            modified: meta
                .modified()
                .ok()?
                .duration_since(SystemTime::UNIX_EPOCH)
                .ok()?,
        })
    }
}

/// The hash a file's text is known by.
pub fn content_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// The hash a name is kept under in [`crate::facts::ModuleFacts::mentions`].
/// Two names with one hash only make an edit look like it touches a name in use (the
/// analysis then runs whole), never the other way round.
pub fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name)
}
