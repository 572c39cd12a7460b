//! Test support: the sources of a crate from crates.io, fetched with cargo into cargo's
//! own cache (nothing is committed). Peers' test suites and data ship inside crates.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"))
}

fn find_in_registry(kind: &str, name: &str) -> Option<PathBuf> {
    let dir = cargo_home().join("registry").join(kind);
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join(name))
        .find(|p| p.exists())
}

/// The unpacked sources of `name` at exactly `version`, unpacked under `tmp` when cargo
/// has not unpacked them already.
pub fn sources(name: &str, version: &str, tmp: &Path) -> PathBuf {
    let full = format!("{name}-{version}");
    if let Some(src) = find_in_registry("src", &full) {
        return src;
    }
    let unpacked = tmp.join(&full);
    if unpacked.join("Cargo.toml").exists() {
        return unpacked;
    }
    let crate_file = format!("{full}.crate");
    if find_in_registry("cache", &crate_file).is_none() {
        let manifest_dir = tmp.join(format!("fetch-{name}"));
        std::fs::create_dir_all(manifest_dir.join("src")).unwrap();
        std::fs::write(
            manifest_dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"fetch-{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\n{name} = \"={version}\"\n\n[workspace]\n"
            ),
        )
        .unwrap();
        std::fs::write(manifest_dir.join("src/lib.rs"), "").unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .arg("fetch")
            .arg("--manifest-path")
            .arg(manifest_dir.join("Cargo.toml"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo fetch of {full} failed");
    }
    let archive = find_in_registry("cache", &crate_file).expect("cargo fetch stored the crate");
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&archive)
        .arg("-C")
        .arg(tmp)
        .status()
        .expect("tar runs");
    assert!(status.success(), "could not unpack {}", archive.display());
    unpacked
}
