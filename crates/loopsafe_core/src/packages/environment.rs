//! Where a project's Python environment is and what is installed in it, read from the
//! file system alone: no interpreter is run.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap as HashMap;

use crate::config::Settings;

/// A Python environment: its folder and its site-packages folders.
#[derive(Debug, Clone)]
pub struct Environment {
    pub dir: PathBuf,
    pub site_packages: Vec<PathBuf>,
    /// What each site-packages folder holds at its top, by import name.
    listings: Vec<HashMap<String, Entry>>,
    /// Each site-packages folder's `*.dist-info` folders, by normalised project name.
    dists: Vec<HashMap<String, PathBuf>>,
    /// Each folder's distributions by the top-level names they install, read from their
    /// `top_level.txt` or `RECORD` once, when a name is not its distribution's.
    installers: Vec<std::sync::OnceLock<HashMap<String, PathBuf>>>,
}

/// What a name at the top of site-packages is.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    /// `name/` with Python files (or none at all: a namespace package's folder).
    source_dir: bool,
    /// `name.py`.
    source_file: bool,
    /// `name.cpython-311-x86_64-linux-gnu.so`, `name.pyd`, or `name/` with only those.
    compiled: bool,
}

/// What a dotted name is under a site-packages folder.
#[derive(Debug, Clone)]
pub(crate) enum Located {
    /// `a/b/__init__.py`.
    Package(PathBuf),
    /// `a/b.py`.
    Module(PathBuf),
    /// `a/b/` without an `__init__.py`: its modules are found one by one.
    Namespace,
    Missing,
}

/// What an imported top-level name is in the environment.
pub(crate) enum Found {
    /// Python source, under the site-packages folder of this index.
    Source(usize),
    /// Installed as compiled code only.
    Compiled,
    Absent,
}

impl Environment {
    /// The environment of a check: the one the settings name (`--python`, `python = `),
    /// else a `.venv` or `venv` folder with a `pyvenv.cfg` at the project root. Err
    /// with the path when the one named is no environment.
    pub fn find(settings: &Settings) -> Option<Result<Environment, PathBuf>> {
        if let Some(named) = &settings.python {
            return Some(Environment::at(named).ok_or_else(|| named.clone()));
        }
        [".venv", "venv"]
            .iter()
            .map(|name| settings.root.join(name))
            .find(|dir| dir.join("pyvenv.cfg").is_file())
            .and_then(|dir| Environment::at(&dir))
            .map(Ok)
    }

    /// The environment at `path`: a folder, or the `python` in its `bin/` (`Scripts\`
    /// on Windows). None when it has no site-packages folder.
    pub fn at(path: &Path) -> Option<Environment> {
        // Not canonicalised: a venv's `bin/python` is a link to the interpreter it was
        // made from, outside the venv.
        let dir = if path.is_file() {
            path.parent()?.parent()?.to_path_buf()
        } else {
            path.to_path_buf()
        };
        let mut site_packages = vec![];
        if dir.file_name().is_some_and(|n| n == "site-packages") {
            site_packages.push(dir.clone());
        }
        let mut versions: Vec<PathBuf> = std::fs::read_dir(dir.join("lib"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
            .map(|e| e.path().join("site-packages"))
            .filter(|p| p.is_dir())
            .collect();
        versions.sort();
        site_packages.extend(versions);
        let windows = dir.join("Lib").join("site-packages");
        if windows.is_dir() && !site_packages.contains(&windows) {
            site_packages.push(windows);
        }
        if site_packages.is_empty() {
            return None;
        }
        let (listings, dists): (Vec<_>, Vec<_>) = site_packages.iter().map(|s| list(s)).unzip();
        let installers = dists.iter().map(|_| std::sync::OnceLock::new()).collect();
        Some(Environment {
            dir,
            site_packages,
            listings,
            dists,
            installers,
        })
    }

    pub(crate) fn find_top(&self, top: &str) -> Found {
        let mut compiled = false;
        for (i, listing) in self.listings.iter().enumerate() {
            if let Some(e) = listing.get(top) {
                if e.source_dir || e.source_file {
                    return Found::Source(i);
                }
                compiled |= e.compiled;
            }
        }
        if compiled {
            Found::Compiled
        } else {
            Found::Absent
        }
    }

    /// `name-version` of the distribution that installed the top-level package `top`:
    /// from its `*.dist-info` folder's name, found by the package's name, else by the
    /// names its `top_level.txt` or `RECORD` list.
    pub(crate) fn distribution(&self, site: usize, top: &str) -> Option<String> {
        let dists = self.dists.get(site)?;
        let dir = dists.get(&normalise(top)).or_else(|| {
            self.installers[site]
                .get_or_init(|| installers(dists))
                .get(top)
        })?;
        let name = dir.file_name()?.to_str()?.strip_suffix(".dist-info")?;
        Some(name.to_string())
    }
}

/// The top-level names each distribution installs, by name (the first distribution in
/// name order, for a name two install).
fn installers(dists: &HashMap<String, PathBuf>) -> HashMap<String, PathBuf> {
    let mut all: Vec<&PathBuf> = dists.values().collect();
    all.sort();
    let mut out = HashMap::default();
    for dist in all {
        for top in installed_tops(dist) {
            out.entry(top).or_insert_with(|| dist.clone());
        }
    }
    out
}

/// The top-level names the distribution whose metadata is in `dist_info` installs.
fn installed_tops(dist_info: &Path) -> Vec<String> {
    if let Ok(text) = std::fs::read_to_string(dist_info.join("top_level.txt")) {
        return text.lines().map(|l| l.trim().to_string()).collect();
    }
    let Ok(text) = std::fs::read_to_string(dist_info.join("RECORD")) else {
        return vec![];
    };
    let mut tops: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let path = l.split(',').next()?;
            let top = match path.split_once('/') {
                Some((dir, _)) => dir,
                None => path.strip_suffix(".py")?,
            };
            is_identifier(top).then(|| top.to_string())
        })
        .collect();
    tops.sort();
    tops.dedup();
    tops
}

/// A project name as pip compares them: `Foo.Bar-baz` is `foo_bar_baz`.
fn normalise(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The top of a site-packages folder: importable names, and the distributions.
fn list(site: &Path) -> (HashMap<String, Entry>, HashMap<String, PathBuf>) {
    let mut names: HashMap<String, Entry> = HashMap::default();
    let mut dists = HashMap::default();
    for e in std::fs::read_dir(site).into_iter().flatten().flatten() {
        let file_name = e.file_name();
        let Some(name) = file_name.to_str() else {
            continue;
        };
        let path = e.path();
        if let Some(dist) = name.strip_suffix(".dist-info") {
            let project = dist.split('-').next().unwrap_or(dist);
            dists.insert(normalise(project), path);
            continue;
        }
        if path.is_dir() {
            if !is_identifier(name) {
                continue;
            }
            let (source, compiled) = dir_contents(&path);
            let entry = names.entry(name.to_string()).or_default();
            entry.source_dir |= source || !compiled;
            entry.compiled |= compiled && !source;
        } else if let Some(stem) = name.strip_suffix(".py") {
            if is_identifier(stem) {
                names.entry(stem.to_string()).or_default().source_file = true;
            }
        } else if is_extension(name) {
            let stem = name.split('.').next().unwrap_or(name);
            if is_identifier(stem) {
                names.entry(stem.to_string()).or_default().compiled = true;
            }
        }
    }
    (names, dists)
}

/// Whether a package folder holds Python files, and whether it holds compiled modules.
fn dir_contents(dir: &Path) -> (bool, bool) {
    let (mut source, mut compiled) = (false, false);
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        source |= name.ends_with(".py");
        compiled |= is_extension(&name);
    }
    (source, compiled)
}

fn is_extension(name: &str) -> bool {
    name.ends_with(".so") || name.ends_with(".pyd")
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c == '_' || c.is_alphanumeric())
}
