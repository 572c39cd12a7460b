//! Parity with ruff's own flake8-async test suite.
//!
//! The `ruff_linter` crate on crates.io ships ruff's fixtures and insta snapshots. This
//! test fetches it with cargo (into cargo's own cache; nothing is committed), reads every
//! position ruff's snapshots flag for the blocking-call rules, and checks that loopsafe
//! flags the same line and column with a rule of the same family. What loopsafe flags
//! beyond ruff is printed, to be reviewed by hand.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use loopsafe_core::config::Settings;
use loopsafe_core::severity::Severity;

#[path = "support/crates_io.rs"]
mod crates_io;

/// ruff's rule -> the loopsafe code prefix that covers it.
const FAMILIES: &[(&str, &str)] = &[
    ("ASYNC210", "LS2"),
    ("ASYNC212", "LS2"),
    ("ASYNC220", "LS4"),
    ("ASYNC221", "LS4"),
    ("ASYNC222", "LS4"),
    ("ASYNC230", "LS5"),
    ("ASYNC240", "LS5"),
    ("ASYNC250", "LS8"),
    ("ASYNC251", "LS3"),
];

/// The unpacked `ruff_linter` sources, fetched with cargo when not already cached.
fn ruff_linter_sources() -> PathBuf {
    crates_io::sources(
        "ruff_linter",
        "0.16.4",
        Path::new(env!("CARGO_TARGET_TMPDIR")),
    )
}

/// (fixture file, row, column, ruff code) for every diagnostic in ruff's snapshots.
fn ruff_positions(snapshots: &Path) -> BTreeSet<(String, u32, u32, String)> {
    let mut out = BTreeSet::new();
    for (code, _) in FAMILIES {
        for entry in std::fs::read_dir(snapshots).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !name.starts_with(&format!("ruff_linter__rules__flake8_async__tests__{code}_")) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut current = None;
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix(code) {
                    if rest.starts_with(' ') {
                        current = Some(code.to_string());
                    }
                }
                if let (Some(c), Some(loc)) = (&current, line.trim_start().strip_prefix("--> ")) {
                    let mut parts = loc.rsplitn(3, ':');
                    let col: u32 = parts.next().unwrap().parse().unwrap();
                    let row: u32 = parts.next().unwrap().parse().unwrap();
                    let file = parts.next().unwrap().to_string();
                    out.insert((file, row, col, c.clone()));
                    current = None;
                }
            }
        }
    }
    out
}

#[test]
fn loopsafe_flags_every_line_ruff_flags() {
    let src = ruff_linter_sources();
    let fixtures = src.join("resources/test/fixtures/flake8_async");
    let expected = ruff_positions(&src.join("src/rules/flake8_async/snapshots"));
    assert!(
        expected.len() > 100,
        "ruff's snapshots should hold well over 100 findings, read {}",
        expected.len()
    );
    let files: BTreeSet<&String> = expected.iter().map(|e| &e.0).collect();
    let mut missing = vec![];
    let mut extra = vec![];
    for file in files {
        let settings = Settings {
            min_severity: Severity::Low,
            ..Settings::defaults(fixtures.clone())
        };
        let result = loopsafe_core::check(&[fixtures.join(file)], &settings).unwrap();
        let ours: Vec<_> = result
            .diagnostics
            .iter()
            .map(|d| (d.location.row, d.location.column, d.code()))
            .collect();
        for (f, row, col, code) in expected.iter().filter(|e| &e.0 == file) {
            let family = FAMILIES.iter().find(|(c, _)| c == code).unwrap().1;
            if !ours
                .iter()
                .any(|(r, c, ls)| r == row && c == col && ls.starts_with(family))
            {
                missing.push(format!("{f}:{row}:{col} {code}"));
            }
        }
        for d in &result.diagnostics {
            let theirs = expected
                .iter()
                .any(|e| &e.0 == file && e.1 == d.location.row && e.2 == d.location.column);
            if !theirs {
                extra.push(format!(
                    "{file}:{}:{} {} {}",
                    d.location.row,
                    d.location.column,
                    d.code(),
                    d.message
                ));
            }
        }
    }
    println!("loopsafe flags {} positions ruff does not:", extra.len());
    for e in &extra {
        println!("  {e}");
    }
    assert!(
        missing.is_empty(),
        "ruff flags these and loopsafe does not:\n{}",
        missing.join("\n")
    );
}

/// ruff's fixtures for all its rules are 1,600 files of odd but parseable Python
/// (and some that does not parse): loopsafe checks them all without a panic, with a
/// syntax error for each file that does not parse.
#[test]
fn every_ruff_fixture_is_checked_without_a_panic() {
    let fixtures = ruff_linter_sources().join("resources/test/fixtures");
    let settings = Settings {
        min_severity: Severity::Low,
        ..Settings::defaults(fixtures.clone())
    };
    let result = loopsafe_core::check(std::slice::from_ref(&fixtures), &settings)
        .expect("the fixtures directory exists");
    assert!(
        result.files_checked > 1500,
        "ruff ships 1,600 fixtures, checked {}",
        result.files_checked
    );
    let syntax_errors = result
        .diagnostics
        .iter()
        .filter(|d| d.rule == loopsafe_core::rules::Rule::SyntaxError)
        .count();
    assert!(
        syntax_errors > 0,
        "ruff's fixtures include files that do not parse"
    );
}
