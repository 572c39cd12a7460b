//! Checking some files of a project (a pre-commit hook, an editor): the whole project
//! is analysed, since a chain from a route to a blocking call crosses modules, and only
//! the findings in those files, or whose chain passes through one of them, are reported.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

/// The files and folders a check reports on, within the project it analyses.
#[derive(Debug, Clone, Default)]
pub struct Focus {
    /// Canonical paths: a finding in one of them, or below one, is reported.
    pub paths: Vec<PathBuf>,
    /// The files named, spelt as the walk of their project spells them: checked even
    /// where the walk leaves them out (an excluded or ignored file named on the command
    /// line is checked, as in a plain check).
    pub files: Vec<PathBuf>,
}

/// What to analyse for the paths given on the command line.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The paths to discover: the projects' roots.
    pub paths: Vec<PathBuf>,
    pub focus: Focus,
}

/// The projects the paths belong to, and the paths as the focus; `None` when every path
/// is a project of its own (a folder that is not a package, as `loopsafe check` with no
/// argument checks `.`): the check is the plain one.
pub fn scope(paths: &[PathBuf], cwd: &Path) -> Option<Scope> {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let mut focus = vec![];
    let mut roots: Vec<PathBuf> = vec![];
    let mut widened = false;
    for path in paths {
        // A missing path is left to discovery, which names it in its error.
        let path = path.canonicalize().ok()?;
        let root = project_root(&path, &cwd);
        widened |= root != path;
        roots.push(root);
        focus.push(path);
    }
    if !widened {
        return None;
    }
    roots.sort();
    roots.dedup();
    // A root inside another is walked with it.
    let outer: Vec<PathBuf> = roots
        .iter()
        .filter(|r| !roots.iter().any(|o| o != *r && r.starts_with(o)))
        .cloned()
        .collect();
    let walk: Vec<PathBuf> = outer.iter().map(|r| shown(r, &cwd)).collect();
    // Spelt as the walk of their root spells them, so that a file the walk finds is
    // known as the same file.
    let files = focus
        .iter()
        .filter(|f| f.is_file())
        .filter_map(|file| {
            let root = outer.iter().find(|r| file.starts_with(r))?;
            let rel = file.strip_prefix(root).unwrap_or(file);
            Some(shown(root, &cwd).join(rel))
        })
        .collect();
    Some(Scope {
        paths: walk,
        focus: Focus {
            paths: focus,
            files,
        },
    })
}

/// A path as the user would have typed it: relative to the working directory when below
/// it (`.` for itself), so that findings read as in a plain check, and the cache, keyed
/// by the paths a plain check uses, serves both.
fn shown(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => Path::new(".").join(rel),
        Err(_) => path.to_path_buf(),
    }
}

fn is_package(dir: &Path) -> bool {
    dir.join("__init__.py").is_file()
}

/// The project a file or package folder belongs to: the folder holding its top package,
/// or, when the file is in no package or its packages sit in a `src/` folder, the
/// nearest folder above with a `pyproject.toml` or `loopsafe.toml`; failing both, the
/// working directory (when the path is below it). A folder that is not a package is a
/// project of its own.
///
/// The package's folder wins over a configuration file further up: in a repository
/// with one `pyproject.toml` and several services, each with its own `app` package,
/// analysing them together would mix up their modules.
fn project_root(path: &Path, cwd: &Path) -> PathBuf {
    if path.is_dir() && !is_package(path) {
        return path.to_path_buf();
    }
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(path)
    };
    let package_parent = is_package(dir).then(|| {
        let mut top = dir;
        while let Some(parent) = top.parent().filter(|p| is_package(p)) {
            top = parent;
        }
        top.parent().unwrap_or(top).to_path_buf()
    });
    let configured = dir
        .ancestors()
        .find(|d| d.join("pyproject.toml").is_file() || d.join("loopsafe.toml").is_file())
        .map(Path::to_path_buf);
    match (package_parent, configured) {
        (Some(packages), Some(config))
            if packages.starts_with(&config)
                && !(packages.file_name().is_some_and(|n| n == "src")
                    && packages.parent() == Some(config.as_path())) =>
        {
            packages
        }
        (Some(_), Some(config)) | (None, Some(config)) => config,
        (Some(packages), None) => packages,
        (None, None) if dir.starts_with(cwd) => cwd.to_path_buf(),
        (None, None) => dir.to_path_buf(),
    }
}

/// Keeps the findings located in the focus, and those whose chain passes through it
/// (marked with the file it passes through); drops the others.
pub(crate) fn retain(diagnostics: &mut Vec<Diagnostic>, focus: &Focus) {
    let mut canonical: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut inside = |path: &Path| -> bool {
        let real = canonical
            .entry(path.to_path_buf())
            .or_insert_with(|| path.canonicalize().ok());
        real.as_ref()
            .is_some_and(|real| focus.paths.iter().any(|f| real.starts_with(f)))
    };
    diagnostics.retain_mut(|d| {
        if inside(&d.path) {
            return true;
        }
        match d.chain.iter().find(|hop| inside(&hop.path)) {
            Some(hop) => {
                d.through = Some(hop.path.clone());
                true
            }
            None => false,
        }
    });
}
