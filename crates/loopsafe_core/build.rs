//! Names this build of the library for the cache: facts and conclusions kept by one build
//! must not be read by another whose extraction, catalogue or analysis differs, even when
//! the version number did not change (a development build, a patched one).
//!
//! Also lists the fixtures under `resources/test/fixtures` for `tests/fixtures.rs`, one
//! test each, so that adding a fixture needs no Rust.

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
    list_fixtures();
}

/// Writes `$OUT_DIR/fixtures.rs`: `fixtures! { name => "file or folder", ... }`, a line
/// for each fixture, named after it (`network.py` is `network`), for `tests/fixtures.rs`
/// to `include!`.
fn list_fixtures() {
    let dir = Path::new("resources/test/fixtures");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<String> = std::fs::read_dir(dir)
        .expect("the fixtures can be listed")
        .map(|e| e.expect("the fixtures can be listed").path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "py"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    let mut names = std::collections::BTreeMap::new();
    let mut out = String::new();
    for entry in &entries {
        let name = test_name(entry);
        if let Some(other) = names.insert(name.clone(), entry) {
            panic!("fixtures {other} and {entry} would both be the test {name}: rename one");
        }
        out.push_str(&format!("    {name} => {entry:?},\n"));
    }
    let out = format!("fixtures! {{\n{out}}}\n");
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("fixtures.rs"), out)
        .expect("the list of fixtures can be written");
}

/// A test function's name for a fixture: its name without `.py`, as an identifier.
fn test_name(entry: &str) -> String {
    let stem = entry.strip_suffix(".py").unwrap_or(entry);
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    // Rust's keywords, as far as a fixture's name could be one.
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try",
        "type", "unsafe", "use", "where", "while", "yield",
    ];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) || KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "fixture_");
    }
    name
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
