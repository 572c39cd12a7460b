//! Finding the Python files to check and naming their modules.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use globset::GlobSet;
use rayon::prelude::*;

use crate::config::Settings;
use crate::fingerprint::Stamp;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Dotted module name (`app.routes.users`).
    pub module: String,
    pub is_package: bool,
}

/// A path to check that cannot be: the run stops.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{0}: no such file or directory")]
    Missing(String),
}

/// Part of a tree the walk skipped. Kept in the cache's listing; in the order of the
/// messages (what `ignore` says follows the same prefix).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    thiserror::Error,
)]
pub enum WalkWarning {
    #[error("could not read: {0}")]
    Unreadable(String),
    #[error("skipped a symbolic link loop: {0}")]
    SymlinkLoop(String),
}

fn relative<'p>(path: &'p Path, root: &Path) -> &'p Path {
    path.strip_prefix(root).unwrap_or(path)
}

/// The exclusions: plain names (`.venv`, `build`: most of them, checked against each
/// entry's name without any glob matching), and real glob patterns.
#[derive(Clone)]
struct Excludes {
    names: std::collections::HashSet<String>,
    globs: GlobSet,
}

impl Excludes {
    fn new(settings: &Settings) -> Self {
        let mut names = std::collections::HashSet::new();
        let mut patterns = vec![];
        for p in settings.exclude.iter().chain(&settings.extend_exclude) {
            let p = p.trim_end_matches('/');
            if p.contains(['/', '*', '?', '[', '{', '\\']) {
                patterns.push(p.to_string());
            } else {
                names.insert(p.to_string());
            }
        }
        Excludes {
            names,
            globs: crate::config::build_globset(&patterns),
        }
    }

    fn name_excluded(&self, path: &Path) -> bool {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| self.names.contains(n))
    }
}

fn is_excluded(path: &Path, root: &Path, excludes: &GlobSet) -> bool {
    if excludes.is_empty() {
        return false;
    }
    let rel = relative(path, root);
    excludes.is_match(rel)
        || path
            .file_name()
            .is_some_and(|name| excludes.is_match(Path::new(name)))
}

/// Walks the given paths. Explicitly named files are always checked; directories are
/// walked honouring `.gitignore` and the exclusions. Problems (unreadable directories,
/// symlink loops) become warnings.
pub fn discover(
    paths: &[PathBuf],
    settings: &Settings,
) -> Result<(Vec<SourceFile>, Vec<WalkWarning>), DiscoverError> {
    let found = walk(paths, settings, false)?;
    Ok((found.files, found.warnings))
}

/// What [`discover_with_listing`] found.
pub struct Discovered {
    pub files: Vec<SourceFile>,
    pub warnings: Vec<WalkWarning>,
    /// To keep for next time: None when it would be the same as the one given, or is
    /// not to be trusted.
    pub listing: Option<Listing>,
}

/// The same as [`discover`], without walking when `previous` (what an earlier walk found)
/// still holds: see [`Listing`].
pub fn discover_with_listing(
    paths: &[PathBuf],
    settings: &Settings,
    previous: Option<Listing>,
) -> Result<Discovered, DiscoverError> {
    let key = listing_key(paths, settings);
    let walker = Walker::new(settings);
    if let Some(mut previous) = previous.filter(|l| l.key == key) {
        match previous.refresh(&walker, paths) {
            Some(false) => {
                return Ok(Discovered {
                    files: previous.files,
                    warnings: previous.warnings,
                    listing: None,
                })
            }
            // Kept again, with the folders' new times.
            Some(true) => {
                return Ok(Discovered {
                    files: previous.files.clone(),
                    warnings: previous.warnings.clone(),
                    listing: Some(previous),
                });
            }
            None => {}
        }
    }
    let mut found = walk(paths, settings, true)?;
    // A listing with a time too recent to trust is not kept: the next run walks again.
    // Nor is one of a walk that could not read everything: a folder that becomes
    // readable (`chmod`) keeps its modification time.
    found.listing = found
        .listing
        .filter(|l| !l.racy && l.warnings.is_empty())
        .map(|l| Listing { key, ..l });
    Ok(found)
}

/// What the walk depends on besides the disk: the paths as given, the working directory
/// they are relative to, and the settings that name files and modules.
fn listing_key(paths: &[PathBuf], settings: &Settings) -> u64 {
    // (The build is in the listing file's name.)
    let text = format!(
        "{:?}:{:?}:{:?}:{:?}:{:?}:{:?}:{}",
        std::env::current_dir().ok(),
        paths,
        settings.root,
        settings.exclude,
        settings.extend_exclude,
        settings.src,
        settings.respect_gitignore
    );
    crate::fingerprint::content_hash(&text)
}

/// The walker's configuration: where the project root is, what is excluded.
struct Walker<'s> {
    settings: &'s Settings,
    excludes: Excludes,
    root: PathBuf,
}

impl<'s> Walker<'s> {
    fn new(settings: &'s Settings) -> Self {
        let root = settings
            .root
            .canonicalize()
            .unwrap_or(settings.root.clone());
        Walker {
            settings,
            excludes: Excludes::new(settings),
            root,
        }
    }

    /// A walk of `start`, a directory at or below `walk_root` (one of the paths asked
    /// for): exclusions are matched as a walk of `walk_root` would match them.
    fn builder(&self, start: &Path, walk_root: &Path) -> ignore::WalkBuilder {
        let settings = self.settings;
        let excludes = self.excludes.clone();
        let walk_root = walk_root.to_path_buf();
        let abs_walk_root = std::path::absolute(&walk_root).unwrap_or_else(|_| walk_root.clone());
        let abs_root = self.root.clone();
        let mut builder = ignore::WalkBuilder::new(start);
        builder
            .follow_links(true)
            .git_ignore(settings.respect_gitignore)
            .git_global(false)
            .git_exclude(settings.respect_gitignore)
            .ignore(settings.respect_gitignore)
            .require_git(false)
            .filter_entry(move |entry| {
                if entry.depth() == 0 {
                    return true;
                }
                let p = entry.path();
                if excludes.name_excluded(p) {
                    return false;
                }
                if excludes.globs.is_empty() {
                    return true;
                }
                // Exclusion globs are relative to the project root; the walk may start
                // below it, so the path is rebuilt from the walk's start without asking
                // the filesystem (no canonicalize per entry).
                let rel = p.strip_prefix(&walk_root).unwrap_or(p);
                let abs = abs_walk_root.join(rel);
                !is_excluded(&abs, &abs_root, &excludes.globs)
                    && !is_excluded(p, &walk_root, &excludes.globs)
            });
        builder
    }
}

/// What a walk took from one directory: its `.py` files and its directories.
fn kept(entry: &ignore::DirEntry) -> Option<(String, bool)> {
    let kind = entry.file_type()?;
    let is_py = kind.is_file() && entry.path().extension().is_some_and(|e| e == "py");
    (is_py || kind.is_dir()).then(|| {
        (
            entry.file_name().to_string_lossy().into_owned(),
            kind.is_dir(),
        )
    })
}

fn walk(paths: &[PathBuf], settings: &Settings, record: bool) -> Result<Discovered, DiscoverError> {
    let walker = Walker::new(settings);
    let mut files = vec![];
    let mut warnings = vec![];
    let mut dirs: Vec<Walked> = vec![];
    let mut listable = record;
    for path in paths {
        if !path.exists() && path.symlink_metadata().is_err() {
            return Err(DiscoverError::Missing(path.display().to_string()));
        }
        if path.is_file() {
            // A file named on the command line is not in any directory's listing.
            listable = false;
            files.push(path.clone());
            continue;
        }
        // Walked on several threads, as ruff does: on a large tree the walk is a fair
        // share of a cold run. The result is sorted below, so order does not matter.
        let found = std::sync::Mutex::new(Found::default());
        walker.builder(path, path).build_parallel().run(|| {
            let found = &found;
            Box::new(move |entry| {
                let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
                match entry {
                    Ok(entry) => {
                        if record {
                            if entry.file_type().is_some_and(|t| t.is_dir()) {
                                found.dirs.push(entry.path().to_path_buf());
                            }
                            if let (Some(kept), Some(parent), true) =
                                (kept(&entry), entry.path().parent(), entry.depth() > 0)
                            {
                                found.entries.push((parent.to_path_buf(), kept));
                            }
                        }
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if is_file && entry.path().extension().is_some_and(|e| e == "py") {
                            found.files.push(entry.into_path());
                        }
                    }
                    Err(err) => found.warnings.push(walk_error(&err)),
                }
                ignore::WalkState::Continue
            })
        });
        let found = found.into_inner().unwrap_or_else(|e| e.into_inner());
        files.extend(found.files);
        warnings.extend(found.warnings);
        if record {
            let mut by_dir: HashMap<PathBuf, Vec<(String, bool)>> = HashMap::new();
            for (parent, entry) in found.entries {
                by_dir.entry(parent).or_default().push(entry);
            }
            for dir in found.dirs {
                let mut entries = by_dir.remove(&dir).unwrap_or_default();
                entries.sort();
                dirs.push(Walked {
                    walk_root: path.clone(),
                    path: dir,
                    entries,
                });
            }
        }
    }
    warnings.sort();
    // Sorting and naming run on the calling thread's rayon pool: for a large project they
    // took a quarter of the discovery on one thread.
    files.par_sort_by_cached_key(|p| sort_key(p));
    files.dedup();
    let files = name_modules(paths, settings, files);
    let listing = listable.then(|| Listing::new(paths, &files, &warnings, dirs));
    Ok(Discovered {
        files,
        warnings,
        listing,
    })
}

/// Paths in the order of their components (as `Path`'s own order), as bytes: a
/// separator sorts before any other byte. Comparing paths component by component took
/// most of the sorting's time.
fn sort_key(path: &Path) -> Vec<u8> {
    let mut key = path.as_os_str().as_encoded_bytes().to_vec();
    for b in &mut key {
        if std::path::is_separator(char::from(*b)) {
            *b = 0;
        }
    }
    key
}

/// A directory walked, with what was taken from it.
struct Walked {
    /// The path asked for that it is below.
    walk_root: PathBuf,
    path: PathBuf,
    entries: Vec<(String, bool)>,
}

#[derive(Default)]
struct Found {
    files: Vec<PathBuf>,
    warnings: Vec<WalkWarning>,
    dirs: Vec<PathBuf>,
    entries: Vec<(PathBuf, (String, bool))>,
}

fn name_modules(paths: &[PathBuf], settings: &Settings, files: Vec<PathBuf>) -> Vec<SourceFile> {
    let roots: Vec<PathBuf> = settings
        .src
        .iter()
        .chain(paths.iter().filter(|p| p.is_dir()))
        .filter_map(|p| std::path::absolute(p).ok())
        .collect();
    // Made absolute against the working directory read once: `std::path::absolute` asks
    // the system for it on every relative path (a `getcwd` per file).
    let cwd = std::env::current_dir().ok();
    let absolute = |path: &Path| match &cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    // The directories the walk found an `__init__.py` in need no look on disk.
    let packages: HashSet<PathBuf> = files
        .par_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "__init__.py"))
        .filter_map(|p| {
            std::path::absolute(absolute(p))
                .ok()?
                .parent()
                .map(Path::to_path_buf)
        })
        .collect();
    files
        .into_par_iter()
        .map_init(Default::default, |(checked, prefixes), path| {
            let abs = absolute(&path);
            let mut init_cache = InitCache {
                packages: &packages,
                checked,
                prefixes,
            };
            let (module, is_package) = module_name(&abs, &roots, &mut init_cache);
            SourceFile {
                path,
                module,
                is_package,
            }
        })
        .collect()
}

/// What a walk found, kept (in the cache folder) so that the next run need not walk
/// again: reading every directory of a large tree is most of a warm run's time, and
/// asking each directory's modification time is a small part of that.
///
/// A directory's time changes when an entry is added, removed or renamed in it; an
/// editor that saves by renaming a new file over the old one changes it too. So a
/// directory whose time changed is read again, alone, and the listing holds when what
/// the walk takes from it (its `.py` files and directories) is the same. Ignore files
/// (`.gitignore`, `.ignore`, `.git/info/exclude`) can change in place, so their own
/// times are kept; so are the files above the paths walked that decide module names
/// (`__init__.py`) or what is ignored.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Listing {
    key: u64,
    files: Vec<SourceFile>,
    warnings: Vec<WalkWarning>,
    dirs: Vec<Dir>,
    /// The directories above each path walked.
    above: Vec<Above>,
    /// Set while recording: an ignore file's time was too recent to be trusted.
    #[serde(skip)]
    racy: bool,
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Dir {
    /// The path asked for that this directory is in (exclusions are matched from it).
    walk_root: PathBuf,
    path: PathBuf,
    /// None when too recent to be trusted: the directory is read again every time.
    stamp: Option<Stamp>,
    /// What the walk took from it, sorted: `(name, is a directory)`.
    entries: Vec<(String, bool)>,
    marks: Marks,
}

/// The files in a directory that decide what is ignored below it.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Marks {
    gitignore: Option<Stamp>,
    ignore: Option<Stamp>,
    git: bool,
    git_exclude: Option<Stamp>,
}

impl Marks {
    fn of(dir: &Path) -> Marks {
        let git = dir.join(".git");
        let is_repo = git.exists();
        Marks {
            gitignore: Stamp::of(&dir.join(".gitignore")),
            ignore: Stamp::of(&dir.join(".ignore")),
            git: is_repo,
            git_exclude: is_repo
                .then(|| Stamp::of(&git.join("info").join("exclude")))
                .flatten(),
        }
    }

    /// Whether one of the files was changed within `racy` of now.
    fn racy(&self, racy: std::time::Duration) -> bool {
        [self.gitignore, self.ignore, self.git_exclude]
            .iter()
            .flatten()
            .any(|s| s.modified >= racy)
    }
}

/// A directory above a path walked: its ignore files, and whether it is a package.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Above {
    path: PathBuf,
    marks: Marks,
    package: bool,
}

impl Above {
    fn of(path: PathBuf) -> Above {
        Above {
            marks: Marks::of(&path),
            package: path.join("__init__.py").is_file(),
            path,
        }
    }
}

/// The time before which a modification is old enough to be told apart from a later one.
fn racy_before() -> std::time::Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_sub(std::time::Duration::from_secs(2))
}

impl Listing {
    fn new(
        paths: &[PathBuf],
        files: &[SourceFile],
        warnings: &[WalkWarning],
        dirs: Vec<Walked>,
    ) -> Listing {
        let racy = racy_before();
        let dirs: Vec<Dir> = dirs
            .into_par_iter()
            .map(|d| {
                let marks = Marks::of(&d.path);
                let stamp = Stamp::of(&d.path).filter(|s| s.modified < racy);
                Dir {
                    walk_root: d.walk_root,
                    path: d.path,
                    stamp,
                    entries: d.entries,
                    marks,
                }
            })
            .collect();
        let above = above(paths);
        Listing {
            key: 0,
            files: files.to_vec(),
            warnings: warnings.to_vec(),
            // An ignore file's recent time cannot tell a later edit apart: such a
            // listing is not kept.
            racy: above.iter().any(|a| a.marks.racy(racy))
                || dirs.iter().any(|d| d.marks.racy(racy)),
            dirs,
            above,
        }
    }

    /// Whether the listing still holds: None when the project must be walked again,
    /// else whether the times of some folders changed (they are updated).
    fn refresh(&mut self, walker: &Walker, paths: &[PathBuf]) -> Option<bool> {
        if above(paths) != self.above {
            return None;
        }
        // Which directories changed, by their times and their ignore files'.
        let changed: Vec<bool> = self
            .dirs
            .par_iter()
            .map(|dir| {
                let stamp = Stamp::of(&dir.path);
                if stamp.is_none() || stamp != dir.stamp {
                    return true;
                }
                // Only ignore files that exist can change without their directory's time
                // changing (an `exclude` file is in `.git/info`).
                let same = |stamp: Option<Stamp>, path: PathBuf| {
                    stamp.is_none() || Stamp::of(&path) == stamp
                };
                let exclude = dir.path.join(".git").join("info").join("exclude");
                !(same(dir.marks.gitignore, dir.path.join(".gitignore"))
                    && same(dir.marks.ignore, dir.path.join(".ignore"))
                    && (!dir.marks.git || Stamp::of(&exclude) == dir.marks.git_exclude))
            })
            .collect();
        let count = changed.iter().filter(|c| **c).count();
        if count == 0 {
            return Some(false);
        }
        // Right after a checkout, most are: one walk is faster than reading each alone.
        if count * 8 > self.dirs.len() {
            return None;
        }
        let racy = racy_before();
        let holds = self
            .dirs
            .par_iter_mut()
            .zip(changed)
            .filter(|(_, changed)| *changed)
            .all(|(dir, _)| {
                // Read this directory again, alone, as the walk read it.
                let stamp = Stamp::of(&dir.path);
                let marks = Marks::of(&dir.path);
                let mut entries: Vec<(String, bool)> = walker
                    .builder(&dir.path, &dir.walk_root)
                    .max_depth(Some(1))
                    .build()
                    .filter_map(Result::ok)
                    .filter(|e| e.depth() == 1)
                    .filter_map(|e| kept(&e))
                    .collect();
                entries.sort();
                // Changed ignore files may ignore other things deeper down; one changed
                // too recently may change again unseen.
                if entries != dir.entries || marks != dir.marks || marks.racy(racy) {
                    return false;
                }
                dir.stamp = stamp.filter(|s| s.modified < racy);
                true
            });
        holds.then_some(true)
    }
}

/// The directories above the paths walked, each once.
fn above(paths: &[PathBuf]) -> Vec<Above> {
    let mut dirs: Vec<PathBuf> = paths
        .iter()
        .filter_map(|p| std::path::absolute(p).ok())
        .flat_map(|p| {
            p.ancestors()
                .skip(1)
                .map(Path::to_path_buf)
                .collect::<Vec<_>>()
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs.into_iter().map(Above::of).collect()
}

fn walk_error(err: &ignore::Error) -> WalkWarning {
    let text = err.to_string();
    if text.contains("loop") {
        WalkWarning::SymlinkLoop(text)
    } else {
        WalkWarning::Unreadable(text)
    }
}

/// Which directories are packages: those the walk found an `__init__.py` in, and those
/// looked at on disk so far.
pub struct InitCache<'a> {
    pub packages: &'a HashSet<PathBuf>,
    pub checked: &'a mut HashMap<PathBuf, bool>,
    /// Each directory's part of its files' module names (for one set of source roots).
    pub prefixes: &'a mut HashMap<PathBuf, String>,
}

fn has_init(dir: &Path, cache: &mut InitCache) -> bool {
    if cache.packages.contains(dir) {
        return true;
    }
    if let Some(known) = cache.checked.get(dir) {
        return *known;
    }
    let found = dir.join("__init__.py").is_file();
    cache.checked.insert(dir.to_path_buf(), found);
    found
}

/// The dotted module name of a file: its chain of packages (directories with an
/// `__init__.py`), or, for a file outside any package, its path below the deepest source
/// root that holds it (namespace packages), or just its stem.
pub fn module_name(path: &Path, roots: &[PathBuf], init_cache: &mut InitCache) -> (String, bool) {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let stem = abs
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let is_package = stem == "__init__";
    // The files of a directory share its part of the name: it is worked out once.
    let prefix = match abs.parent() {
        Some(dir) => match init_cache.prefixes.get(dir) {
            Some(prefix) => prefix.clone(),
            None => {
                let prefix = package_prefix(dir, roots, init_cache);
                init_cache
                    .prefixes
                    .insert(dir.to_path_buf(), prefix.clone());
                prefix
            }
        },
        None => String::new(),
    };
    let name = match (is_package, prefix.is_empty()) {
        (true, _) => prefix,
        (false, true) => stem,
        (false, false) => format!("{prefix}.{stem}"),
    };
    (name, is_package)
}

/// The name of a directory with no `__init__.py` that sits inside a regular package
/// (`myint/api/` in `custom_components/myint/`): Python imports it as a namespace part
/// of that package (`myint.api`), which is what `from .api.client import X` in
/// `myint/__init__.py` names. Looks up a few directories at most, and only below a
/// source root that holds it (a file checked alone has none): a folder of scripts or
/// of test fixtures is not made part of a package far above what was asked for.
fn inside_package(dir: &Path, roots: &[PathBuf], init_cache: &mut InitCache) -> Option<String> {
    let root = roots
        .iter()
        .filter(|r| dir.starts_with(r))
        .max_by_key(|r| r.components().count())?;
    let mut parts = vec![dir.file_name()?.to_string_lossy().into_owned()];
    let mut up = dir.parent()?;
    for _ in 0..3 {
        if !up.starts_with(root) {
            return None;
        }
        if has_init(up, init_cache) {
            parts.reverse();
            let prefix = package_prefix(up, roots, init_cache);
            return Some(format!("{prefix}.{}", parts.join(".")));
        }
        parts.push(up.file_name()?.to_string_lossy().into_owned());
        up = up.parent()?;
    }
    None
}

/// The dotted name of the package a directory is (empty when it is none), or of the
/// namespace package it is below a source root.
fn package_prefix(dir: &Path, roots: &[PathBuf], init_cache: &mut InitCache) -> String {
    let mut parts: Vec<String> = vec![];
    let mut dir = Some(dir.to_path_buf());
    let mut in_package = false;
    while let Some(d) = dir {
        if !has_init(&d, init_cache) {
            if !in_package {
                if let Some(name) = inside_package(&d, roots, init_cache) {
                    return name;
                }
                // Outside any regular package: a namespace package below a source root.
                if let Some(root) = roots
                    .iter()
                    .filter(|r| d.starts_with(r))
                    .max_by_key(|r| r.components().count())
                {
                    let rel = d.strip_prefix(root).unwrap_or(Path::new(""));
                    let ns: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    return ns.join(".");
                }
            }
            break;
        }
        in_package = true;
        if let Some(name) = d.file_name() {
            parts.push(name.to_string_lossy().into_owned());
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    parts.reverse();
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sets a file's or directory's modification time to `secs` seconds ago: the walk
    /// trusts no time from the last two seconds, and a test cannot wait that long at
    /// every step.
    fn age(path: &Path, secs: u64) {
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
        std::fs::File::open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    fn age_tree(path: &Path, secs: u64) {
        for entry in ignore::WalkBuilder::new(path).hidden(false).build() {
            age(entry.unwrap().path(), secs);
        }
    }

    /// Checks with the listing kept from the last run, as a run with the cache does, and
    /// compares with a walk from scratch.
    fn run(paths: &[PathBuf], settings: &Settings, kept: &mut Option<Listing>) {
        let found = discover_with_listing(paths, settings, kept.clone()).unwrap();
        let fresh = discover(paths, settings).unwrap();
        assert_eq!((found.files, found.warnings), fresh);
        if found.listing.is_some() {
            *kept = found.listing;
        }
    }

    fn has(kept: &Option<Listing>, path: &Path) -> bool {
        kept.as_ref().unwrap().files.iter().any(|f| f.path == path)
    }

    #[cfg(unix)]
    #[test]
    fn a_walk_that_could_not_read_everything_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("proj");
        std::fs::create_dir_all(root.join("pkg")).unwrap();
        std::fs::write(root.join("pkg/mod.py"), "").unwrap();
        std::os::unix::fs::symlink(&root, root.join("pkg/back")).unwrap();
        age_tree(&root, 3600);
        let settings = Settings::defaults(root.clone());
        let found = discover_with_listing(std::slice::from_ref(&root), &settings, None).unwrap();
        assert!(
            found
                .warnings
                .iter()
                .any(|w| w.to_string().contains("loop")),
            "{:?}",
            found.warnings
        );
        assert!(found.listing.is_none());
    }

    #[test]
    fn a_kept_listing_is_used_only_while_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().canonicalize().unwrap().join("outer");
        let root = top.join("proj");
        for d in ["app/api", "app/models", "scripts"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let files = [
            "__init__.py",
            "app/__init__.py",
            "app/api/users.py",
            "app/models/db.py",
            "scripts/run.py",
        ];
        for f in files {
            std::fs::write(root.join(f), "x = 1\n").unwrap();
        }
        age_tree(&top, 3600);
        let settings = Settings::defaults(root.clone());
        let paths = [root.clone()];
        let mut kept = None;
        run(&paths, &settings, &mut kept);
        let listing = kept
            .clone()
            .expect("a listing of old enough directories is kept");
        assert_eq!(listing.files.len(), 5);

        // Nothing changed: no walk, and nothing new to keep.
        let again = discover_with_listing(&paths, &settings, Some(listing.clone())).unwrap();
        assert!(again.listing.is_none());

        // An editor saves by writing a new file and renaming it over the old one: the
        // directory's time changes, what it holds does not.
        let users = root.join("app/api/users.py");
        std::fs::write(root.join("app/api/.users.py.tmp"), "x = 2\n").unwrap();
        std::fs::rename(root.join("app/api/.users.py.tmp"), &users).unwrap();
        age(&root.join("app/api"), 3000);
        let refreshed = discover_with_listing(&paths, &settings, Some(listing.clone())).unwrap();
        let refreshed = refreshed.listing.expect("the directory's new time is kept");
        assert_eq!(refreshed.files, listing.files);
        kept = Some(refreshed);

        // A new module, a removed one, a new package, an ignore file, an exclusion: each
        // time the result is what a fresh walk finds.
        std::fs::write(root.join("app/api/orders.py"), "").unwrap();
        age(&root.join("app/api"), 2900);
        run(&paths, &settings, &mut kept);
        assert!(has(&kept, &root.join("app/api/orders.py")));

        std::fs::remove_file(root.join("app/models/db.py")).unwrap();
        age(&root.join("app/models"), 2800);
        run(&paths, &settings, &mut kept);
        assert!(!has(&kept, &root.join("app/models/db.py")));

        std::fs::write(root.join("app/api/__init__.py"), "").unwrap();
        age(&root.join("app/api"), 2700);
        run(&paths, &settings, &mut kept);
        assert!(kept
            .as_ref()
            .unwrap()
            .files
            .iter()
            .any(|f| f.module == "proj.app.api.users"));

        std::fs::write(root.join("scripts/.gitignore"), "run.py\n").unwrap();
        age(&root.join("scripts/.gitignore"), 2600);
        age(&root.join("scripts"), 2600);
        run(&paths, &settings, &mut kept);
        assert!(!has(&kept, &root.join("scripts/run.py")));

        // The ignore file edited in place: its directory's time does not change.
        std::fs::write(root.join("scripts/.gitignore"), "other.py\n").unwrap();
        age(&root.join("scripts/.gitignore"), 2500);
        run(&paths, &settings, &mut kept);
        assert!(has(&kept, &root.join("scripts/run.py")));

        // Above the project (a package): a parent that becomes a package renames every
        // module.
        std::fs::write(top.join("__init__.py"), "").unwrap();
        age(&top.join("__init__.py"), 2400);
        age(&top, 2400);
        run(&paths, &settings, &mut kept);
        let files = &kept.as_ref().unwrap().files;
        assert!(files.iter().any(|f| f.module == "outer.proj.app.api.users"));

        // An ignore file edited just now: what the walk finds is right, but not kept, as
        // the file could change again within its time's resolution.
        std::fs::write(root.join("scripts/.gitignore"), "run.py\n").unwrap();
        let found = discover_with_listing(&paths, &settings, kept.clone()).unwrap();
        assert!(found.listing.is_none());
        let fresh = discover(&paths, &settings).unwrap();
        assert_eq!((found.files, found.warnings), fresh);
        age(&root.join("scripts/.gitignore"), 2300);

        // Other settings: walked again.
        let mut excluding = settings.clone();
        excluding.extend_exclude.push("scripts".into());
        run(&paths, &excluding, &mut kept);
        assert!(!has(&kept, &root.join("scripts/run.py")));
    }

    #[test]
    fn module_names_follow_packages_and_roots() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let pkg = root.join("proj/app/routes");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(root.join("proj/app/__init__.py"), "").unwrap();
        std::fs::write(pkg.join("__init__.py"), "").unwrap();
        std::fs::write(pkg.join("users.py"), "").unwrap();
        let ns = root.join("src/ns/inner");
        std::fs::create_dir_all(&ns).unwrap();
        std::fs::write(ns.join("mod.py"), "").unwrap();
        let packages = HashSet::new();
        let mut checked = HashMap::new();
        let mut prefixes = HashMap::new();
        let mut cache = InitCache {
            packages: &packages,
            checked: &mut checked,
            prefixes: &mut prefixes,
        };
        assert_eq!(
            module_name(&pkg.join("users.py"), &[], &mut cache),
            ("app.routes.users".into(), false)
        );
        assert_eq!(
            module_name(&pkg.join("__init__.py"), &[], &mut cache),
            ("app.routes".into(), true)
        );
        assert_eq!(
            module_name(&ns.join("mod.py"), &[root.join("src")], &mut cache),
            ("ns.inner.mod".into(), false)
        );
        // Without the source root: a cache of its own, the prefixes depend on the roots.
        let (mut checked, mut prefixes) = (HashMap::new(), HashMap::new());
        let mut cache = InitCache {
            packages: &packages,
            checked: &mut checked,
            prefixes: &mut prefixes,
        };
        assert_eq!(
            module_name(&ns.join("mod.py"), &[], &mut cache),
            ("mod".into(), false)
        );
    }
}
