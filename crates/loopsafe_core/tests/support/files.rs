//! Test support: the files of a tree.

use std::path::{Path, PathBuf};

/// Every `.py` file of the project under `dir`, sorted: not those of a fixture's
/// environment (`.venv`), which is installed code, not the project's.
pub fn python_files(dir: &Path) -> Vec<PathBuf> {
    files_ending(dir, "py")
        .into_iter()
        .filter(|p| {
            !p.strip_prefix(dir)
                .is_ok_and(|rel| rel.components().any(|c| c.as_os_str() == ".venv"))
        })
        .collect()
}

/// Every file under `dir` with this extension, sorted.
pub fn files_ending(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_ending(&path, extension));
        } else if path.extension().is_some_and(|e| e == extension) {
            out.push(path);
        }
    }
    out.sort();
    out
}
