//! Test support: the `loopsafe` binary run as a user runs it, in the repository or in a
//! scratch project. Each test file uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs loopsafe in `dir`, without the cache: tests must not leave caches in the
/// repository (the cache tests run it with one).
pub fn loopsafe(dir: &Path, args: &[&str]) -> Output {
    loopsafe_with_cache(dir, args, false)
}

pub fn loopsafe_with_cache(dir: &Path, args: &[&str], cache: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loopsafe"));
    // An active virtualenv of the developer's would have its packages followed; and
    // the packages a fixture's environment holds are kept out of the user's cache.
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache"),
        )
        .env_remove("VIRTUAL_ENV");
    if !cache {
        cmd.env("LOOPSAFE_NO_CACHE", "1");
    }
    cmd.output().expect("loopsafe runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Writes the files (path, text) under `dir`, making folders as needed.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}
