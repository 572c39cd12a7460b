//! Test support: copying a fixture or an example to a scratch directory.

use std::path::Path;

/// Copies a file, or a directory and everything below it (but no loopsafe cache and no
/// bytecode, which other tests may have left there).
pub fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == ".loopsafe_cache" || entry.file_name() == "__pycache__" {
                continue;
            }
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}
