//! Every fixture through the path real runs take: the `loopsafe` binary, whose global
//! allocator parses each file in a scratch arena and keeps the facts in another, must
//! print the JSON the library prints for the same fixture without arenas. The binary
//! tests run is a debug build, which fills every arena it resets with a pattern: a block
//! used after its arena was freed changes the output, or crashes the run.

use std::path::{Path, PathBuf};
use std::process::Command;

use loopsafe_core::config::{self, Settings};
use loopsafe_core::severity::Severity;
use loopsafe_core::{check_with, render, CheckOptions};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../loopsafe_core/resources/test/fixtures")
}

/// The fixtures: each `.py` file and each folder.
fn fixtures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().canonicalize().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "py"))
        .collect();
    out.sort();
    out
}

/// Where a fixture is checked from, as a user would: a folder from inside it, a file
/// from its own folder.
fn working_dir(fixture: &Path) -> PathBuf {
    if fixture.is_dir() {
        fixture.to_path_buf()
    } else {
        fixture.parent().unwrap().to_path_buf()
    }
}

/// What `loopsafe check --output-format json --no-cache` prints for the fixture.
fn binary_json(fixture: &Path) -> Result<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_loopsafe"))
        .arg("check")
        .arg(fixture)
        .args([
            // The library is given the fixture alone too.
            "--isolated-files",
            "--output-format",
            "json",
            "--no-cache",
            "--min-severity",
            "low",
            // The library gives the findings by place.
            "--sort",
            "location",
        ])
        .current_dir(working_dir(fixture))
        .env("NO_COLOR", "1")
        .env_remove("VIRTUAL_ENV")
        .output()
        .expect("loopsafe runs");
    match out.status.code() {
        Some(0 | 1) => Ok(String::from_utf8(out.stdout).expect("the output is UTF-8")),
        _ => Err(format!(
            "{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

/// What the library's JSON renderer prints for the fixture, with the settings and
/// options the command line uses (no arenas, no cache).
fn library_json(fixture: &Path) -> String {
    let cwd = working_dir(fixture);
    let mut settings = match config::find_config(fixture) {
        Some(path) => config::load(&path).unwrap(),
        None => Settings::defaults(cwd.clone()),
    };
    settings.min_severity = Severity::Low;
    settings.console_scripts = config::console_scripts(fixture);
    let result = check_with(
        &[fixture.to_path_buf()],
        &settings,
        &CheckOptions::default(),
    )
    .expect("the fixture can be checked");
    render::json(&result, &cwd)
}

#[test]
fn the_binary_prints_what_the_library_prints_for_every_fixture() {
    let fixtures = fixtures();
    assert!(
        fixtures.len() >= 10,
        "fixtures went missing: {}",
        fixtures.len()
    );
    let mut failures = vec![];
    for fixture in &fixtures {
        let name = fixture.file_name().unwrap().to_string_lossy();
        let want = library_json(fixture);
        match binary_json(fixture) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!("{name}: {}", first_difference(&want, &got))),
            Err(e) => failures.push(format!("{name}: the binary failed: {e}")),
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

/// The first line where the binary's output differs from the library's.
fn first_difference(want: &str, got: &str) -> String {
    let (mut want_lines, mut got_lines) = (want.lines(), got.lines());
    for line in 1.. {
        match (want_lines.next(), got_lines.next()) {
            (Some(w), Some(g)) if w == g => {}
            (None, None) => break,
            (w, g) => {
                return format!(
                    "line {line}: the library prints {:?}, the binary {:?}",
                    w.unwrap_or("(end)"),
                    g.unwrap_or("(end)")
                )
            }
        }
    }
    "they differ in line endings".to_string()
}
