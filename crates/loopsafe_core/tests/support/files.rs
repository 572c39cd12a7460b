//! Test support: the files of a tree.

use std::path::{Path, PathBuf};

/// Every `.py` file under `dir`, sorted.
pub fn python_files(dir: &Path) -> Vec<PathBuf> {
    files_ending(dir, "py")
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
