//! The package cache: the facts of an installed package's modules, kept per package and
//! version in the user's cache folder, so that a second check (of this project or any
//! other using the same version) parses none of them again.
//!
//! One file per package, version and build of the library (the facts' layout and the
//! blocking builtins change what extraction keeps). Each module's facts are kept with
//! the hash of the text they came from: an edited installed file is parsed again. A file
//! that cannot be read is ignored; it is replaced whole, by renaming.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap as HashMap;

use crate::cache::{content_hash, racy_before, Stamp, BUILD};
use crate::facts::ModuleFacts;

/// `$XDG_CACHE_HOME/loopsafe/packages`, else `~/.cache/loopsafe/packages`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .or_else(|| std::env::var_os("USERPROFILE"))
                .map(|home| PathBuf::from(home).join(".cache"))
        })?;
    Some(base.join("loopsafe").join("packages"))
}

/// What is kept of one module.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    is_package: bool,
    hash: u64,
    /// The file's size and time when it had this text: while they are the same, the
    /// file is not even read (None: modified too close to the writing to tell).
    stamp: Option<Stamp>,
    /// The facts, encoded: decoded only for modules a check loads.
    facts: Vec<u8>,
}

/// One package's cache file, read, and what this check adds to it.
pub(crate) struct PackageStore {
    file: PathBuf,
    modules: HashMap<String, Kept>,
    changed: bool,
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

fn decode(kept: &Kept) -> Option<ModuleFacts> {
    bincode::serde::decode_from_slice(&kept.facts, config())
        .ok()
        .map(|(f, _)| f)
}

/// A stamp that tells a later edit apart: not one of a file modified so recently that
/// it could change again within the same tick of a coarse clock.
fn trusted(stamp: Option<Stamp>) -> Option<Stamp> {
    stamp.filter(|s| s.modified < racy_before())
}

impl PackageStore {
    /// The cache of the package `top` installed by the distribution `dist`
    /// (`name-version`), under `dir`.
    pub(crate) fn open(dir: &Path, top: &str, dist: &str, builtins: &[&str]) -> PackageStore {
        let key = content_hash(&format!("{BUILD}:{}", builtins.join(",")));
        let file = dir.join(format!("{top}-{dist}-{key:016x}.bin"));
        let modules = std::fs::read(&file)
            .ok()
            .and_then(|bytes| {
                bincode::serde::decode_from_slice::<HashMap<String, Kept>, _>(&bytes, config()).ok()
            })
            .map(|(m, _)| m)
            .unwrap_or_default();
        PackageStore {
            file,
            modules,
            changed: false,
        }
    }

    /// The facts kept of `module` when they came from a text of this hash.
    pub(crate) fn get(&self, module: &str, is_package: bool, hash: u64) -> Option<ModuleFacts> {
        let kept = self.modules.get(module)?;
        if kept.hash != hash || kept.is_package != is_package {
            return None;
        }
        decode(kept)
    }

    /// The facts kept of `module`, and its text's hash, when its file has this stamp.
    pub(crate) fn get_by_stamp(
        &self,
        module: &str,
        is_package: bool,
        stamp: Stamp,
    ) -> Option<(ModuleFacts, u64)> {
        let kept = self.modules.get(module)?;
        if kept.stamp != Some(stamp) || kept.is_package != is_package {
            return None;
        }
        Some((decode(kept)?, kept.hash))
    }

    /// Notes the file's stamp for facts found by its text (another environment's copy
    /// of the same version, or a file touched).
    pub(crate) fn restamp(&mut self, module: &str, stamp: Option<Stamp>) {
        if let Some(kept) = self.modules.get_mut(module) {
            kept.stamp = trusted(stamp);
            self.changed = true;
        }
    }

    pub(crate) fn put(
        &mut self,
        module: &str,
        is_package: bool,
        (hash, stamp): (u64, Option<Stamp>),
        facts: &ModuleFacts,
    ) {
        let Ok(facts) = bincode::serde::encode_to_vec(facts, config()) else {
            return;
        };
        self.modules.insert(
            module.to_string(),
            Kept {
                is_package,
                hash,
                stamp: trusted(stamp),
                facts,
            },
        );
        self.changed = true;
    }

    /// Writes the file again when this check parsed modules it did not have.
    pub(crate) fn save(self) -> std::io::Result<()> {
        if !self.changed {
            return Ok(());
        }
        let dir = self.file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let bytes = bincode::serde::encode_to_vec(&self.modules, config())
            .map_err(std::io::Error::other)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, &bytes)?;
        tmp.persist(&self.file).map_err(|e| e.error)?;
        Ok(())
    }
}
