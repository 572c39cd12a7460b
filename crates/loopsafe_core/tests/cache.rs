//! The cache changes how fast a check is, never what it finds: for every fixture project,
//! a run from a cold cache, a warm one, and one after an edit print what a run without
//! the cache prints (JSON, notes included, since every field of the facts shows there).
//! Without notes, a warm run reuses the last analysis when every file keeps its shape;
//! that too must print what a run without the cache prints.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use loopsafe_core::config::Settings;
use loopsafe_core::severity::Severity;
use loopsafe_core::{check_with, render, CheckOptions};

#[path = "support/files.rs"]
mod files;
#[path = "support/fs.rs"]
mod fs;
use files::python_files;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/fixtures")
}

/// Sets the modification time of everything below `root` to an hour ago, as for a
/// project checked out earlier: a run with the cache trusts no time from the last two
/// seconds, so without this it would walk the project every time.
fn age(root: &Path) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut paths = vec![root.to_path_buf()];
    while let Some(path) = paths.pop() {
        if path.is_dir() {
            paths.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
        std::fs::File::open(&path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }
}

fn run(root: &Path, cache: bool) -> String {
    run_with(root, cache, true).0
}

/// The output, and whether the analysis was reused from the cache.
fn run_with(root: &Path, cache: bool, notes: bool) -> (String, bool) {
    let settings = Settings {
        min_severity: Severity::Low,
        ..Settings::defaults(root.to_path_buf())
    };
    let options = CheckOptions {
        notes,
        cache: cache.then(|| root.to_path_buf()),
        ..CheckOptions::default()
    };
    let result = check_with(&[root.to_path_buf()], &settings, &options).unwrap();
    let reused = result.analysis_reused;
    let notes: Vec<String> = result
        .notes
        .iter()
        .map(|n| format!("{:?}", (&n.path, n.location, &n.call, &n.api, n.reason)))
        .collect();
    let text = format!("{}\n{}", render::json(&result, root), notes.join("\n"));
    (text, reused)
}

fn fixture_projects() -> Vec<(String, tempfile::TempDir)> {
    let mut out = vec![];
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let fixture = entry.unwrap().path();
        let name = fixture.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        if fixture.is_dir() {
            fs::copy(&fixture, &root);
        } else if fixture.extension().is_some_and(|e| e == "py") {
            std::fs::create_dir_all(&root).unwrap();
            fs::copy(&fixture, &root.join(fixture.file_name().unwrap()));
        } else {
            continue;
        }
        age(&root);
        out.push((name, dir));
    }
    out
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
        "{what}: line {} differs: {:?} (expected: {:?})",
        at + 1,
        got.lines().nth(at),
        want.lines().nth(at)
    );
}

#[test]
fn every_fixture_prints_the_same_from_the_cache() {
    let mut checked = 0;
    for (name, dir) in fixture_projects() {
        let root = dir.path().join("project");
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

/// Edits that keep every function's calls (lines inserted above everything, inside every
/// block, and after it) move every finding; the analysis is reused, and
/// the output is what a run without the cache prints. An edit that adds a call is
/// analysed again.
#[test]
fn a_reused_analysis_prints_what_a_fresh_one_does() {
    let mut reused_after_edit = 0;
    for (name, dir) in fixture_projects() {
        let root = dir.path().join("project");
        let (cold, _) = run_with(&root, false, false);
        let (first, reused) = run_with(&root, true, false);
        assert!(!reused, "{name}: nothing to reuse yet");
        let kept_walk = std::fs::read_dir(root.join(".loopsafe_cache"))
            .unwrap()
            .any(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("listing-")
            });
        assert!(kept_walk, "{name}: what the walk found was not kept");
        assert_same(
            &first,
            &cold,
            &format!("{name}: the run that writes the cache"),
        );
        let (warm, reused) = run_with(&root, true, false);
        assert_same(&warm, &cold, &format!("{name}: a run from the cache"));
        if cold.contains("LS001") {
            continue;
        }
        assert!(
            reused,
            "{name}: nothing changed, yet the analysis ran again"
        );

        // Every line of the project moves down. (An empty file that gets a comment
        // changes shape: its module's code went from nothing to something.)
        for file in python_files(&root) {
            let text = std::fs::read_to_string(&file).unwrap();
            if text.is_empty() {
                continue;
            }
            // And lines inside: a comment line after each line that opens a block.
            let mut edited = String::from("# edited\n\n\n");
            for line in text.split_inclusive('\n') {
                edited.push_str(line);
                if line.trim_end().ends_with(':') && line.ends_with('\n') {
                    edited.push_str("# inside\n");
                }
            }
            edited.push_str("\n# the end\n");
            std::fs::write(&file, edited).unwrap();
        }
        let (cold, _) = run_with(&root, false, false);
        let (warm, reused) = run_with(&root, true, false);
        assert_same(
            &warm,
            &cold,
            &format!("{name}: a run after moving every line"),
        );
        assert!(
            reused,
            "{name}: the shape did not change, yet the analysis ran again"
        );
        reused_after_edit += 1;

        // A new call: analysed again, and saved, so the run after reuses that.
        let first = python_files(&root)[0].clone();
        let text = std::fs::read_to_string(&first).unwrap();
        let edited = format!(
            "{text}\nimport time as _edit_time\n\n\nasync def _edited():\n    _edit_time.sleep(1)\n"
        );
        std::fs::write(&first, edited).unwrap();
        let (cold, _) = run_with(&root, false, false);
        let (warm, reused) = run_with(&root, true, false);
        assert!(
            !reused,
            "{name}: a call was added, yet the analysis was reused"
        );
        assert_same(&warm, &cold, &format!("{name}: a run after adding a call"));
        let (again, reused) = run_with(&root, true, false);
        assert!(reused, "{name}: the analysis after the edit was not kept");
        assert_same(&again, &cold, &format!("{name}: the run after that"));
    }
    assert!(
        reused_after_edit > 30,
        "reused in {reused_after_edit} fixtures"
    );
}

/// The output, and whether the last analysis was picked up with only the edited
/// modules' calls resolved again.
fn run_resumed(root: &Path) -> (String, bool) {
    let settings = Settings {
        min_severity: Severity::Low,
        ..Settings::defaults(root.to_path_buf())
    };
    let options = CheckOptions {
        cache: Some(root.to_path_buf()),
        ..CheckOptions::default()
    };
    let result = check_with(&[root.to_path_buf()], &settings, &options).unwrap();
    // As `run_with` prints it, with no notes.
    (
        format!("{}\n", render::json(&result, root)),
        result.analysis_resumed,
    )
}

/// `open(...)` written first in the body of the first function of `text` that has a body
/// of its own lines.
fn call_in_first_body(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let is_def = trimmed.starts_with("def ") || trimmed.starts_with("async def ");
        if !is_def || !line.trim_end().ends_with(':') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let body = lines[i + 1..].iter().find(|l| !l.trim().is_empty())?;
        let body_indent = body.len() - body.trim_start().len();
        if body_indent <= indent || body.trim_start().starts_with(['"', '\'', '#']) {
            continue;
        }
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        out.insert(
            i + 1,
            format!("{}open(\"_edit_body\")", " ".repeat(body_indent)),
        );
        return Some(out.join("\n"));
    }
    None
}

/// Edits that change calls but nothing other modules read (a call added in a function,
/// a coroutine added at the end of a module) are analysed again from the last analysis,
/// resolving only the edited module's calls; the output must be what a run without the
/// cache prints, and so must the run after undoing the edit.
#[test]
fn a_resumed_analysis_prints_what_a_fresh_one_does() {
    let mut resumed = 0;
    for (name, dir) in fixture_projects() {
        let root = dir.path().join("project");
        let (original, _) = run_with(&root, false, false);
        if original.contains("LS001") {
            continue;
        }
        run_resumed(&root);
        for file in python_files(&root) {
            let text = std::fs::read_to_string(&file).unwrap();
            let appended = format!("{text}\n\nasync def _edit_appended():\n    open(\"_edit\")\n");
            for edited in [Some(appended), call_in_first_body(&text)]
                .into_iter()
                .flatten()
            {
                std::fs::write(&file, &edited).unwrap();
                let (cold, _) = run_with(&root, false, false);
                let (warm, was_resumed) = run_resumed(&root);
                let what = format!("{name}: {} edited", file.display());
                assert_same(&warm, &cold, &what);
                resumed += usize::from(was_resumed);
                std::fs::write(&file, &text).unwrap();
                let (back, _) = run_resumed(&root);
                assert_same(&back, &original, &format!("{what}, then undone"));
            }
        }
    }
    assert!(resumed > 100, "resumed {resumed} times");
}

/// A check resolves only the calls of functions the event loop can reach; the report,
/// to list the blocking calls that run off the loop too, resolves every call. Both must
/// find the same.
#[test]
fn resolving_what_the_loop_reaches_finds_what_resolving_everything_does() {
    let mut compared = 0;
    for (name, dir) in fixture_projects() {
        let root = dir.path().join("project");
        let findings = |notes: bool| {
            let settings = Settings {
                min_severity: Severity::Low,
                ..Settings::defaults(root.clone())
            };
            let options = CheckOptions {
                notes,
                ..CheckOptions::default()
            };
            let result = check_with(std::slice::from_ref(&root), &settings, &options).unwrap();
            render::json(&result, &root)
        };
        assert_same(
            &findings(false),
            &findings(true),
            &format!("{name}: resolving what the loop reaches"),
        );
        compared += 1;
    }
    assert!(compared > 30, "compared {compared} fixtures");
}

/// As `run_with` without notes, on the text of `overrides` instead of the files': the
/// output, and whether the last analysis was reused or resumed.
fn run_over(root: &Path, cache: bool, overrides: &HashMap<PathBuf, String>) -> (String, bool) {
    let settings = Settings {
        min_severity: Severity::Low,
        ..Settings::defaults(root.to_path_buf())
    };
    let options = CheckOptions {
        cache: cache.then(|| root.to_path_buf()),
        overrides: overrides.clone(),
        ..CheckOptions::default()
    };
    let result = check_with(&[root.to_path_buf()], &settings, &options).unwrap();
    (
        format!("{}\n", render::json(&result, root)),
        result.analysis_reused || result.analysis_resumed,
    )
}

/// An editor's unsaved buffers (`overrides`, what `loopsafe server` checks) are compared
/// with the cache like text on disk: lines moved reuse the last analysis, a call added
/// is analysed again, and either way the output is what a run without the cache prints.
#[test]
fn unsaved_text_builds_on_the_cache_as_text_on_disk_does() {
    let mut reused = 0;
    for (name, dir) in fixture_projects() {
        let root = dir.path().join("project");
        let (cold, _) = run_over(&root, false, &HashMap::new());
        if cold.contains("LS001") {
            continue;
        }
        run_over(&root, true, &HashMap::new());
        let moved: HashMap<PathBuf, String> = python_files(&root)
            .into_iter()
            .map(|file| {
                let text = std::fs::read_to_string(&file).unwrap();
                (file, format!("# unsaved\n\n{text}"))
            })
            .collect();
        let (want, _) = run_over(&root, false, &moved);
        let (got, from_cache) = run_over(&root, true, &moved);
        assert_same(&got, &want, &format!("{name}: unsaved text, lines moved"));
        reused += usize::from(from_cache);

        let first = python_files(&root)[0].clone();
        let mut added = moved.clone();
        added.get_mut(&first).unwrap().push_str(
            "\nimport time as _edit_time\n\n\nasync def _edited():\n    _edit_time.sleep(1)\n",
        );
        let (want, _) = run_over(&root, false, &added);
        let (got, _) = run_over(&root, true, &added);
        assert_same(&got, &want, &format!("{name}: unsaved text, a call added"));
        assert!(
            got.contains("_edited"),
            "{name}: the unsaved call was not checked"
        );
    }
    assert!(reused > 30, "reused in {reused} fixtures");
}

/// An attribute typed from what the project's constructions pass (`Fetcher(shared)`)
/// changes when a construction in another module changes what it passes: the edit is
/// not resumed from the last analysis, whose resolution of the class's module assumed
/// the old argument.
#[test]
fn a_construction_edited_elsewhere_retypes_the_attribute() {
    let (_, dir) = fixture_projects()
        .into_iter()
        .find(|(name, _)| name == "constructor_params")
        .unwrap();
    let root = dir.path().join("project");
    let main = root.join("app/main.py");
    let text = std::fs::read_to_string(&main).unwrap();
    let (before, _) = run_resumed(&root);
    assert!(before.contains("requests.Session.get"), "{before}");
    for edited in [
        text.replace(
            "Fetcher(shared, retries=5)",
            "Fetcher(FakeSession(), retries=5)",
        ),
        // A second construction that disagrees with the first.
        text.replace("mixed_a = ", "other = Fetcher(FakeSession())\nmixed_a = "),
    ] {
        assert_ne!(edited, text);
        std::fs::write(&main, &edited).unwrap();
        let (cold, _) = run_with(&root, false, false);
        let (warm, was_resumed) = run_resumed(&root);
        assert!(!was_resumed, "a construction changed: analysed afresh");
        assert_same(&warm, &cold, "constructor_params: a construction edited");
        assert!(!warm.contains("Fetcher.fetch"), "{warm}");
        std::fs::write(&main, &text).unwrap();
        let (back, _) = run_resumed(&root);
        assert_same(&back, &before, "constructor_params: undone");
    }
}
