//! Names this build of the library for the cache: facts and conclusions kept by one build
//! must not be read by another whose extraction, catalogue or analysis differs, even when
//! the version number did not change (a development build, a patched one).

use std::hash::{Hash, Hasher};
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files = vec![];
    collect(Path::new("src"), &mut files);
    files.sort();
    // `DefaultHasher::new()` always starts from the same keys: the same sources give the
    // same name.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in &files {
        file.hash(&mut hasher);
        std::fs::read(file)
            .expect("a source file can be read")
            .hash(&mut hasher);
    }
    println!(
        "cargo:rustc-env=LOOPSAFE_SOURCE_HASH={:016x}",
        hasher.finish()
    );
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src can be listed") {
        let path = entry.expect("src can be listed").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}
