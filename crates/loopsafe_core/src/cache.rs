//! The on-disk cache of per-file facts, like ruff's `.ruff_cache`: a file whose text,
//! module name and package status are unchanged is not parsed again.
//!
//! One file per build of the library and user catalogue (the blocking builtins change
//! what extraction keeps), in `.loopsafe_cache/` at the project root. It is read once and
//! written once, atomically; a cache that cannot be read is ignored, never trusted. A
//! second, small file keeps what the last walk of the project found
//! ([`crate::discover::Listing`]).
//!
//! Layout: the length of the index, the index (one entry per file, in the order of the
//! project's modules), the length of the memo, the memo, then each file's encoded facts
//! one after the other. Opening reads the index only; each file's facts are decoded
//! from the buffer when they are needed, in parallel.
//!
//! The memo is what the whole-project analysis concluded from exactly these facts (see
//! `Analysis` in the crate root), under a key naming the settings it ran with. A run
//! whose files all have the facts recorded here, or facts of the same shape
//! ([`ModuleFacts::same_shape`]), reuses it instead of analysing the project again.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::discover::Listing;
use crate::facts::ModuleFacts;
pub use crate::fingerprint::{content_hash, Stamp};

/// This build of the library, named by a hash of its sources (see `build.rs`). The
/// encoding is not self-describing, so a cache written with another layout of the facts
/// must not even be read; and the facts and the analysis kept depend on the extraction,
/// the catalogue and the analysis of the build that wrote them, whatever its version.
pub(crate) const BUILD: &str = env!("LOOPSAFE_SOURCE_HASH");

/// The cache folder's name at the project root.
pub const DIR: &str = ".loopsafe_cache";

#[derive(Serialize, Deserialize)]
struct Entry {
    path: PathBuf,
    hash: u64,
    /// None when the file was modified too close to the writing of the cache for its
    /// time to tell a later edit apart (see [`Cache::save`]).
    stamp: Option<Stamp>,
    module: String,
    is_package: bool,
    /// Where its encoded facts are, after the index.
    start: u64,
    len: u64,
}

pub struct Cache {
    file: PathBuf,
    bytes: Bytes,
    /// Where the facts start in `bytes`.
    base: usize,
    /// Names the writing of the cache file: an overlay is of one writing.
    generation: u64,
    /// In the order of the modules of the run that wrote them, with the overlay's
    /// entries in place of those they replace.
    index: Vec<Entry>,
    /// Parallel to `index`: whether the entry is the overlay's.
    in_overlay: Vec<bool>,
    /// Position in `index`, by path.
    positions: HashMap<PathBuf, usize>,
    /// Where the memo is: in the overlay's bytes when there is one.
    memo: std::ops::Range<usize>,
    overlay: Option<Overlay>,
}

/// What runs since the cache file was written changed: the facts of the files edited
/// since, and the last memo, in a small file beside it. Writing it costs little, where
/// rewriting the cache file means writing every file's facts again; the cache file is
/// rewritten once the overlay grows (see [`Cache::save`]).
struct Overlay {
    bytes: Vec<u8>,
    base: usize,
}

/// A file's facts in the cache, decoded only when asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored(usize);

/// The cache file's bytes: mapped, so that a warm run does not copy ~25 MB into fresh
/// memory before decoding the parts it needs; read when the file cannot be mapped.
enum Bytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl Bytes {
    fn of(file: &Path) -> Bytes {
        let Ok(f) = std::fs::File::open(file) else {
            return Bytes::Read(vec![]);
        };
        // SAFETY: loopsafe replaces the file by renaming a new one over it, never writes
        // into it, so the mapped bytes do not change while they are read.
        match unsafe { memmap2::Mmap::map(&f) } {
            Ok(map) => Bytes::Mapped(map),
            Err(_) => Bytes::Read(std::fs::read(file).unwrap_or_default()),
        }
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Read(bytes) => bytes,
        }
    }
}

/// What one file's facts are saved with.
pub struct SavedModule<'a> {
    pub path: &'a Path,
    pub hash: u64,
    pub stamp: Option<Stamp>,
    pub module: &'a str,
    pub is_package: bool,
    /// None when they are `stored`.
    pub facts: Option<&'a ModuleFacts>,
    /// Where the same facts are in this cache: copied as they are, not encoded again.
    pub stored: Option<Stored>,
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

impl Cache {
    /// The cache under `root` for this build and these blocking builtins.
    pub fn open(root: &Path, blocking_builtins: &[&str]) -> Cache {
        // Extraction depends on the user's catalogue rows too: facts kept under another
        // configuration are stale.
        let key = content_hash(&format!("{BUILD}:{}", blocking_builtins.join(",")));
        let file = root.join(DIR).join(format!(
            "facts-{}-{key:016x}.bin",
            env!("CARGO_PKG_VERSION")
        ));
        let bytes = Bytes::of(&file);
        let (generation, mut index, mut memo, base) = read_index(&bytes).unwrap_or_default();
        let positions: HashMap<PathBuf, usize> = index
            .iter()
            .enumerate()
            .map(|(i, e)| (e.path.clone(), i))
            .collect();
        let mut in_overlay = vec![false; index.len()];
        let overlay = std::fs::read(overlay_of(&file))
            .ok()
            .and_then(|bytes| {
                let (of, entries, memo, base) = read_index(&bytes)?;
                // Of another writing of the cache file, or naming a file it does not have.
                let places: Option<Vec<usize>> = entries
                    .iter()
                    .map(|e| positions.get(&e.path).copied())
                    .collect();
                (of == generation && !index.is_empty()).then_some(())?;
                Some((bytes, entries, places?, memo, base))
            })
            .map(|(bytes, entries, places, overlay_memo, base)| {
                for (entry, at) in entries.into_iter().zip(places) {
                    index[at] = entry;
                    in_overlay[at] = true;
                }
                memo = overlay_memo;
                Overlay { bytes, base }
            });
        Cache {
            file,
            bytes,
            base,
            generation,
            index,
            in_overlay,
            positions,
            memo,
            overlay,
        }
    }

    /// The facts of a file whose size and modification time are as they were when the
    /// cache was written, with the hash of its text then.
    pub fn unchanged(
        &self,
        path: &Path,
        stamp: Stamp,
        module: &str,
        is_package: bool,
    ) -> Option<(u64, Stored)> {
        let at = self.entry(path, module, is_package)?;
        let entry = &self.index[at.0];
        if entry.stamp != Some(stamp) {
            return None;
        }
        Some((entry.hash, at))
    }

    /// The facts of a file whose text hashes as it did when the cache was written.
    pub fn get(&self, path: &Path, hash: u64, module: &str, is_package: bool) -> Option<Stored> {
        let at = self.entry(path, module, is_package)?;
        (self.index[at.0].hash == hash).then_some(at)
    }

    /// The facts the file had when the cache was written, whatever its text is now.
    pub fn previous(&self, path: &Path, module: &str, is_package: bool) -> Option<Stored> {
        self.entry(path, module, is_package)
    }

    /// The file's entry, if it was recorded under the same module name and kind.
    fn entry(&self, path: &Path, module: &str, is_package: bool) -> Option<Stored> {
        let at = *self.positions.get(path)?;
        let entry = &self.index[at];
        (entry.module == module && entry.is_package == is_package).then_some(Stored(at))
    }

    /// Whether the cache was written for exactly these modules, in this order: the
    /// numbering the memo's function ids use.
    pub fn same_modules<'m>(
        &self,
        mut modules: impl ExactSizeIterator<Item = (&'m Path, &'m str, bool)>,
    ) -> bool {
        modules.len() == self.index.len()
            && self.index.iter().all(|e| {
                modules.next().is_some_and(|(path, module, is_package)| {
                    e.path == path && e.module == module && e.is_package == is_package
                })
            })
    }

    /// What the analysis concluded when the cache was written, if it ran under `key`.
    pub fn memo<T: serde::de::DeserializeOwned>(&self, key: u64) -> Option<T> {
        self.memo_and_rest(key).map(|(memo, _)| memo)
    }

    /// The memo, and where what was saved after it starts.
    fn memo_and_rest<T: serde::de::DeserializeOwned>(&self, key: u64) -> Option<(T, usize)> {
        let bytes = self.memo_bytes().get(self.memo.clone())?;
        let ((saved_key, memo), read): ((u64, T), _) =
            bincode::serde::decode_from_slice(bytes, config()).ok()?;
        (saved_key == key).then_some((memo, self.memo.start + read))
    }

    /// The memo and what was saved after it (decoded only when the memo is read whole:
    /// it is larger, and most runs that reuse the memo need only its first part).
    pub fn memo_with<T, R>(&self, key: u64) -> Option<(T, R)>
    where
        T: serde::de::DeserializeOwned,
        R: serde::de::DeserializeOwned,
    {
        let (memo, rest) = self.memo_and_rest::<T>(key)?;
        let bytes = self.memo_bytes().get(rest..self.memo.end)?;
        let (more, _) = bincode::serde::decode_from_slice(bytes, config()).ok()?;
        Some((memo, more))
    }

    /// The stored facts; None when the cache is damaged.
    pub fn decode(&self, at: Stored) -> Option<ModuleFacts> {
        bincode::serde::decode_from_slice(self.encoded(at)?, config())
            .ok()
            .map(|(facts, _)| facts)
    }

    fn encoded(&self, at: Stored) -> Option<&[u8]> {
        let entry = self.index.get(at.0)?;
        let (bytes, base): (&[u8], usize) = match (&self.overlay, self.in_overlay[at.0]) {
            (Some(o), true) => (&o.bytes, o.base),
            _ => (&self.bytes, self.base),
        };
        let start = base.checked_add(usize::try_from(entry.start).ok()?)?;
        let end = start.checked_add(usize::try_from(entry.len).ok()?)?;
        bytes.get(start..end)
    }

    fn memo_bytes(&self) -> &[u8] {
        match &self.overlay {
            Some(o) => &o.bytes,
            None => &self.bytes,
        }
    }

    /// How many files the cache knows.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Keeps exactly these files' facts (the project as it is now, in the order of its
    /// modules) and what the analysis concluded from them under `key`, and writes the
    /// cache. `more` is saved after the memo, for [`Cache::memo_with`].
    pub fn save<T: Serialize, R: Serialize>(
        &self,
        root: &Path,
        files: Vec<SavedModule>,
        memo: (u64, &T),
        more: Option<&R>,
    ) -> std::io::Result<()> {
        let mut memo =
            bincode::serde::encode_to_vec(memo, config()).map_err(std::io::Error::other)?;
        if let Some(more) = more {
            memo.extend(
                bincode::serde::encode_to_vec(more, config()).map_err(std::io::Error::other)?,
            );
        }
        let dir = folder(root)?;
        // Files whose entry differs from the cache file's: new facts, a new time, or
        // facts the overlay has already.
        let same_files = files.len() == self.index.len()
            && files.iter().zip(&self.index).all(|(f, e)| {
                f.path == e.path && f.module == e.module && f.is_package == e.is_package
            });
        let differ = |i: usize, f: &SavedModule| {
            f.stored != Some(Stored(i))
                || self.in_overlay[i]
                || f.stamp != self.index[i].stamp
                || f.hash != self.index[i].hash
        };
        if same_files {
            let changed: Vec<&SavedModule> = (files.iter().enumerate())
                .filter(|(i, f)| differ(*i, f))
                .map(|(_, f)| f)
                .collect();
            if changed.len() <= OVERLAY_MAX.max(files.len() / 50) {
                let overlay = overlay_of(&self.file);
                return self.write(&dir, &overlay, self.generation, &changed, &memo);
            }
        }
        let all: Vec<&SavedModule> = files.iter().collect();
        let generation = new_generation(self.generation);
        self.write(&dir, &self.file, generation, &all, &memo)?;
        // Caches of other builds or catalogues are stale, and so is the overlay of the
        // last writing of this one (a reader would see its generation is not this one's).
        remove_others(&dir, "facts-", &self.file);
        remove_others(&dir, "overlay-", &dir);
        Ok(())
    }

    /// Writes `to` atomically: a cache file, or an overlay of the cache file of this
    /// `generation`, with these files' facts and the memo.
    fn write(
        &self,
        dir: &Path,
        to: &Path,
        generation: u64,
        files: &[&SavedModule],
        memo: &[u8],
    ) -> std::io::Result<()> {
        use rayon::prelude::*;
        let encoded: Vec<std::borrow::Cow<[u8]>> = files
            .par_iter()
            .map(
                |f| match (f.stored.and_then(|at| self.encoded(at)), f.facts) {
                    (Some(bytes), _) => Ok(std::borrow::Cow::Borrowed(bytes)),
                    (None, Some(facts)) => bincode::serde::encode_to_vec(facts, config())
                        .map(Into::into)
                        .map_err(std::io::Error::other),
                    (None, None) => Err(std::io::Error::other("facts to save are missing")),
                },
            )
            .collect::<Result<_, _>>()?;
        let racy = racy_before();
        let mut start = 0u64;
        let index: Vec<Entry> = files
            .iter()
            .zip(&encoded)
            .map(|(f, facts)| {
                let entry = Entry {
                    path: f.path.to_path_buf(),
                    hash: f.hash,
                    stamp: f.stamp.filter(|s| s.modified < racy),
                    module: f.module.to_string(),
                    is_package: f.is_package,
                    start,
                    len: facts.len() as u64,
                };
                start += facts.len() as u64;
                entry
            })
            .collect();
        let index =
            bincode::serde::encode_to_vec(&index, config()).map_err(std::io::Error::other)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        {
            let mut out = std::io::BufWriter::new(tmp.as_file_mut());
            out.write_all(&generation.to_le_bytes())?;
            out.write_all(&(index.len() as u64).to_le_bytes())?;
            out.write_all(&index)?;
            out.write_all(&(memo.len() as u64).to_le_bytes())?;
            out.write_all(memo)?;
            for facts in &encoded {
                out.write_all(facts)?;
            }
            out.flush()?;
        }
        tmp.persist(to).map_err(|e| e.error)?;
        Ok(())
    }
}

/// A number for a new writing of the cache file: not the last one's, and, as two runs
/// may write it one after the other having read the same one, not the same for both.
fn new_generation(last: u64) -> u64 {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    let mixed = now ^ (u64::from(std::process::id()) << 32);
    if mixed == last || mixed == 0 {
        last.wrapping_add(1).max(1)
    } else {
        mixed
    }
}

/// At most this many files' facts (or a fiftieth of the project's, if more) go to the
/// overlay; beyond, the cache file is written again.
const OVERLAY_MAX: usize = 50;

/// The overlay of a cache file ([`Overlay`]).
fn overlay_of(file: &Path) -> PathBuf {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("facts");
    file.with_file_name(format!("overlay-{name}"))
}

/// A file modified after this time could be modified again without its time changing
/// (coarse file system clocks): its text is hashed next time.
pub(crate) fn racy_before() -> Duration {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_sub(Duration::from_secs(2))
}

/// The cache folder under `root`, made if need be.
fn folder(root: &Path) -> std::io::Result<PathBuf> {
    let dir = root.join(DIR);
    std::fs::create_dir_all(&dir)?;
    // Like ruff: the folder says it is not to be committed.
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Automatically created by loopsafe.\n*\n")?;
    }
    Ok(dir)
}

fn listing_file(root: &Path) -> PathBuf {
    root.join(DIR)
        .join(format!("listing-{BUILD}-{}.bin", env!("CARGO_PKG_VERSION")))
}

/// What the last walk of the project found (see [`Listing`]); None when there is none
/// or it cannot be read.
pub fn read_listing(root: &Path) -> Option<Listing> {
    let bytes = std::fs::read(listing_file(root)).ok()?;
    bincode::serde::decode_from_slice(&bytes, config())
        .ok()
        .map(|(listing, _)| listing)
}

/// Keeps what a walk found, for the next run.
pub fn write_listing(root: &Path, listing: &Listing) -> std::io::Result<()> {
    let bytes = bincode::serde::encode_to_vec(listing, config()).map_err(std::io::Error::other)?;
    let dir = folder(root)?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(&bytes)?;
    let file = listing_file(root);
    tmp.persist(&file).map_err(|e| e.error)?;
    remove_others(&dir, "listing-", &file);
    Ok(())
}

/// Removes the files of other builds, whose contents this one cannot use.
fn remove_others(dir: &Path, prefix: &str, keep: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let p = entry.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with(prefix) && p != keep {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
}

/// The generation of a cache file (or of the one an overlay is of), its index, where the
/// memo is, and where the facts start.
fn read_index(bytes: &[u8]) -> Option<(u64, Vec<Entry>, std::ops::Range<usize>, usize)> {
    let generation = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let section = |at: usize| -> Option<std::ops::Range<usize>> {
        let len = bytes.get(at..at.checked_add(8)?)?;
        let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
        let start = at + 8;
        let end = start.checked_add(len)?;
        (end <= bytes.len()).then_some(start..end)
    };
    let index = section(8)?;
    let memo = section(index.end)?;
    let (entries, _) = bincode::serde::decode_from_slice(&bytes[index], config()).ok()?;
    let base = memo.end;
    Some((generation, entries, memo, base))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(name: &str) -> ModuleFacts {
        crate::extract::extract(
            "import time\n\nasync def f():\n    time.sleep(1)\n",
            name,
            false,
            &[],
        )
        .unwrap()
    }

    #[test]
    fn edits_go_to_an_overlay_until_the_cache_file_is_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let (pa, pb, pc) = (root.join("a.py"), root.join("b.py"), root.join("c.py"));
        let (a, b, c) = (facts("a"), facts("b"), facts("c"));
        let edited = crate::extract::extract("def g():\n    pass\n", "a", false, &[]).unwrap();
        let stamp = Some(Stamp {
            size: 10,
            modified: Duration::from_secs(1_000),
        });
        let saved = |path, module, hash, facts, stored| SavedModule {
            path,
            hash,
            stamp,
            module,
            is_package: false,
            facts,
            stored,
        };
        let overlay = || {
            std::fs::read_dir(root.join(DIR))
                .unwrap()
                .filter(|e| {
                    let name = e.as_ref().unwrap().file_name();
                    name.to_string_lossy().starts_with("overlay-")
                })
                .count()
        };
        let none: Option<&u8> = None;
        let files = vec![
            saved(&pa, "a", 1, Some(&a), None),
            saved(&pb, "b", 2, Some(&b), None),
        ];
        Cache::open(root, &[])
            .save(root, files, (1, &"one"), none)
            .unwrap();
        assert_eq!(overlay(), 0);

        // One file edited: its facts and the memo go to the overlay.
        let cache = Cache::open(root, &[]);
        let b_at = cache.get(&pb, 2, "b", false);
        let files = vec![
            saved(&pa, "a", 3, Some(&edited), None),
            saved(&pb, "b", 2, None, b_at),
        ];
        let main = std::fs::read(&cache.file).unwrap();
        cache.save(root, files, (1, &"two"), none).unwrap();
        assert_eq!(overlay(), 1);
        assert_eq!(std::fs::read(&cache.file).unwrap(), main, "rewritten");
        let cache = Cache::open(root, &[]);
        assert_eq!(cache.memo::<String>(1).as_deref(), Some("two"));
        assert!(cache.get(&pa, 1, "a", false).is_none());
        let a_at = cache.get(&pa, 3, "a", false).unwrap();
        assert_eq!(cache.decode(a_at).unwrap().functions, edited.functions);
        let b_at = cache.get(&pb, 2, "b", false).unwrap();
        assert_eq!(cache.decode(b_at).unwrap().functions, b.functions);

        // Another edit: the overlay keeps the first one too.
        let files = vec![
            saved(&pa, "a", 3, None, Some(a_at)),
            saved(&pb, "b", 4, Some(&a), None),
        ];
        cache.save(root, files, (1, &"three"), none).unwrap();
        let cache = Cache::open(root, &[]);
        assert_eq!(cache.memo::<String>(1).as_deref(), Some("three"));
        let a_at = cache.get(&pa, 3, "a", false).unwrap();
        assert_eq!(cache.decode(a_at).unwrap().functions, edited.functions);
        let stale_overlay = std::fs::read(overlay_of(&cache.file)).unwrap();

        // A new file: the cache file is written again, with everything, and the overlay
        // goes.
        let files = vec![
            saved(&pa, "a", 3, None, Some(a_at)),
            saved(&pb, "b", 4, None, cache.get(&pb, 4, "b", false)),
            saved(&pc, "c", 5, Some(&c), None),
        ];
        cache.save(root, files, (1, &"four"), none).unwrap();
        assert_eq!(overlay(), 0);
        let cache = Cache::open(root, &[]);
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.memo::<String>(1).as_deref(), Some("four"));
        let a_at = cache.get(&pa, 3, "a", false).unwrap();
        assert_eq!(cache.decode(a_at).unwrap().functions, edited.functions);

        // An overlay of an earlier writing of the cache file is not read.
        std::fs::write(overlay_of(&cache.file), stale_overlay).unwrap();
        let cache = Cache::open(root, &[]);
        assert_eq!(cache.memo::<String>(1).as_deref(), Some("four"));
        assert!(cache.overlay.is_none());
    }

    #[test]
    fn round_trip_and_damaged_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let path = root.join("a.py");
        let a = facts("a");
        let cache = Cache::open(root, &[]);
        assert!(cache.is_empty());
        let stamp = Stamp {
            size: 10,
            modified: Duration::from_secs(1_000),
        };
        let saved = SavedModule {
            path: &path,
            hash: 7,
            stamp: Some(stamp),
            module: "a",
            is_package: false,
            facts: Some(&a),
            stored: None,
        };
        cache
            .save(root, vec![saved], (42, &"memo"), Some(&vec![1u32, 2]))
            .unwrap();

        let cache = Cache::open(root, &[]);
        assert_eq!(cache.len(), 1);
        let by_stamp = cache.unchanged(&path, stamp, "a", false).unwrap();
        assert_eq!(by_stamp.0, 7);
        assert_eq!(cache.decode(by_stamp.1).unwrap().functions, a.functions);
        assert!(cache.get(&path, 7, "a", false).is_some());
        assert_eq!(cache.memo::<String>(42).as_deref(), Some("memo"));
        assert_eq!(
            cache.memo_with::<String, Vec<u32>>(42),
            Some(("memo".to_string(), vec![1, 2]))
        );
        // Saved under other settings: not this run's analysis.
        assert_eq!(cache.memo::<String>(43), None);
        assert!(cache.same_modules([(path.as_path(), "a", false)].into_iter()));
        assert!(!cache.same_modules([(path.as_path(), "b", false)].into_iter()));
        assert!(!cache.same_modules(std::iter::empty()));
        // Another text, time, module name or package status: not this file's facts.
        assert!(cache.get(&path, 8, "a", false).is_none());
        assert!(cache.get(&path, 7, "b", false).is_none());
        assert!(cache.get(&path, 7, "a", true).is_none());
        let later = Stamp {
            modified: Duration::from_secs(1_001),
            ..stamp
        };
        assert!(cache.unchanged(&path, later, "a", false).is_none());

        // A cache cut short or overwritten is ignored, not trusted, and never panics.
        let file = cache.file.clone();
        let bytes = std::fs::read(&file).unwrap();
        for len in [0, 4, 8, 20, bytes.len() - 3] {
            std::fs::write(&file, &bytes[..len]).unwrap();
            let cut = Cache::open(root, &[]);
            let facts = cut.get(&path, 7, "a", false).and_then(|at| cut.decode(at));
            assert!(facts.is_none(), "cut at {len}");
            if len < 20 {
                assert_eq!(cut.memo::<String>(42), None, "cut at {len}");
            }
        }
        std::fs::write(&file, vec![0xff; 64]).unwrap();
        assert!(Cache::open(root, &[]).is_empty());
    }
}
