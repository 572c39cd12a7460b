//! Finding the Python files to check and naming their modules.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use globset::GlobSet;
use rayon::prelude::*;

use crate::config::Settings;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Dotted module name (`app.routes.users`).
    pub module: String,
    pub is_package: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{0}: no such file or directory")]
    Missing(String),
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
) -> Result<(Vec<SourceFile>, Vec<String>), DiscoverError> {
    let excludes = Excludes::new(settings);
    let root = settings
        .root
        .canonicalize()
        .unwrap_or(settings.root.clone());
    let mut files = vec![];
    let mut warnings = vec![];
    for path in paths {
        if !path.exists() && path.symlink_metadata().is_err() {
            return Err(DiscoverError::Missing(path.display().to_string()));
        }
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        let walk_root = path.clone();
        let excludes = excludes.clone();
        let abs_walk_root = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let abs_root = root.clone();
        let walker = ignore::WalkBuilder::new(path)
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
            })
            .build_parallel();
        // Walked on several threads, as ruff does: on a large tree the walk is a fair
        // share of a cold run. The result is sorted below, so order does not matter.
        let found = std::sync::Mutex::new((Vec::new(), Vec::new()));
        walker.run(|| {
            let found = &found;
            Box::new(move |entry| {
                let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
                match entry {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if is_file && entry.path().extension().is_some_and(|e| e == "py") {
                            found.0.push(entry.into_path());
                        }
                    }
                    Err(err) => found.1.push(walk_error(&err)),
                }
                ignore::WalkState::Continue
            })
        });
        let (walked, problems) = found.into_inner().unwrap_or_else(|e| e.into_inner());
        files.extend(walked);
        warnings.extend(problems);
    }
    warnings.sort();
    // Sorting and naming run on the calling thread's rayon pool: for a large project they
    // took a quarter of the discovery on one thread.
    files.par_sort();
    files.dedup();
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
    let files = files
        .into_par_iter()
        .map_init(HashMap::new, |checked, path| {
            let abs = absolute(&path);
            let mut init_cache = InitCache {
                packages: &packages,
                checked,
            };
            let (module, is_package) = module_name(&abs, &roots, &mut init_cache);
            SourceFile {
                path,
                module,
                is_package,
            }
        })
        .collect();
    Ok((files, warnings))
}

fn walk_error(err: &ignore::Error) -> String {
    let text = err.to_string();
    if text.contains("loop") {
        format!("skipped a symbolic link loop: {text}")
    } else {
        format!("could not read: {text}")
    }
}

/// Which directories are packages: those the walk found an `__init__.py` in, and those
/// looked at on disk so far.
pub struct InitCache<'a> {
    pub packages: &'a HashSet<PathBuf>,
    pub checked: &'a mut HashMap<PathBuf, bool>,
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
    let mut parts: Vec<String> = if is_package { vec![] } else { vec![stem] };
    let mut dir = abs.parent().map(Path::to_path_buf);
    let mut in_package = false;
    while let Some(d) = dir {
        if !has_init(&d, init_cache) {
            if !in_package {
                // Outside any regular package: a namespace package below a source root.
                if let Some(root) = roots
                    .iter()
                    .filter(|r| d.starts_with(r))
                    .max_by_key(|r| r.components().count())
                {
                    let rel = d.strip_prefix(root).unwrap_or(Path::new(""));
                    let mut ns: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    ns.extend(parts.into_iter().rev());
                    return (ns.join("."), is_package);
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
    (parts.join("."), is_package)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut cache = InitCache {
            packages: &packages,
            checked: &mut checked,
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
        assert_eq!(
            module_name(&ns.join("mod.py"), &[], &mut cache),
            ("mod".into(), false)
        );
    }
}
