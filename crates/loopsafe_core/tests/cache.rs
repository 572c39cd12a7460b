//! The cache changes how fast a check is, never what it finds: for every fixture project,
//! a run from a cold cache, a warm one, and one after an edit print what a run without
//! the cache prints (JSON, notes included, since every field of the facts shows there).

use std::path::{Path, PathBuf};

use loopsafe_core::config::Settings;
use loopsafe_core::{check_with, render, CheckOptions};

#[path = "support/files.rs"]
mod files;
use files::python_files;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/fixtures")
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}

fn run(root: &Path, cache: bool) -> String {
    let settings = Settings::defaults(root.to_path_buf());
    let options = CheckOptions {
        notes: true,
        cache: cache.then(|| root.to_path_buf()),
        ..CheckOptions::default()
    };
    let result = check_with(&[root.to_path_buf()], &settings, &options).unwrap();
    let notes: Vec<String> = result
        .notes
        .iter()
        .map(|n| format!("{:?}", (&n.path, n.location, &n.call, &n.api, n.reason)))
        .collect();
    format!("{}\n{}", render::json(&result, root), notes.join("\n"))
}

/// Fails with the first line that differs, not two whole JSON documents.
fn assert_same(got: &str, want: &str, what: &str) {
    if got == want {
        return;
    }
    let at = got
        .lines()
        .zip(want.lines())
        .position(|(g, w)| g != w)
        .unwrap_or(got.lines().count().min(want.lines().count()));
    panic!(
        "{what}: line {} differs: {:?} (without the cache: {:?})",
        at + 1,
        got.lines().nth(at),
        want.lines().nth(at)
    );
}

#[test]
fn every_fixture_prints_the_same_from_the_cache() {
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let fixture = entry.unwrap().path();
        if fixture
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with('.')
        {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        if fixture.is_dir() {
            copy_tree(&fixture, &root);
        } else if fixture.extension().is_some_and(|e| e == "py") {
            std::fs::create_dir_all(&root).unwrap();
            copy_tree(&fixture, &root.join(fixture.file_name().unwrap()));
        } else {
            continue;
        }
        let name = fixture.file_name().unwrap().to_string_lossy().to_string();
        let cold = run(&root, false);
        assert_same(
            &run(&root, true),
            &cold,
            &format!("{name}: the run that writes the cache"),
        );
        assert!(
            root.join(".loopsafe_cache").exists(),
            "{name}: no cache written"
        );
        assert_same(
            &run(&root, true),
            &cold,
            &format!("{name}: a run from the cache"),
        );

        // An edit that adds a blocking call, at the top so that every span below moves.
        let first = python_files(&root)[0].clone();
        let text = std::fs::read_to_string(&first).unwrap();
        let edited = format!(
            "import time as _edit_time\n\n\nasync def _edited():\n    _edit_time.sleep(1)\n\n\n{text}"
        );
        std::fs::write(&first, edited).unwrap();
        let unparsed = cold.contains("LS001");
        let cold = run(&root, false);
        // (In a file that does not parse, nothing is found, edit or not.)
        assert!(
            unparsed || cold.contains("_edited"),
            "{name}: the edit is found"
        );
        assert_same(
            &run(&root, true),
            &cold,
            &format!("{name}: a run after an edit"),
        );
        checked += 1;
    }
    assert!(checked > 30, "checked {checked} fixtures");
}
