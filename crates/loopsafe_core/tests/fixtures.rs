//! Runs every fixture under `resources/test/fixtures`: a `.py` file is a one-module
//! project, a folder is a multi-module project (with its own `loopsafe.toml` if it has
//! one). Each line's expected findings are written on it as `# expect: LS201, LS301`,
//! and the findings must match exactly, line by line. Adding a fixture needs no Rust.
//!
//! A finding through helpers (LS901) is written with its chain: the file and line of
//! each call below the coroutine's, down to the blocking one, and `(once)` when it
//! blocks on the first call only: `# expect: LS901 via services.py:8 > clients.py:12`.
//!
//! A fixture that states the other blocking calls one helper finding reaches besides its
//! chain's (`also=os.makedirs+os.unlink`, costliest first) states them for all.
//!
//! A fixture that states the reach of one finding (`reach=3 from=route`: how many
//! routes run it, and the kinds of entry points above it) states it for all. A fixture
//! with `# note: celery` lines (acceptable blocking calls, and why: `celery`,
//! `threadpool`, `sync-view`, `sync-to-thread`, `flask`, `quart-sync`, `test`, `offloaded`, `script`) lists
//! them all.
//!
//! Each fixture is a test of its own, named after it (`network.py` is `network`:
//! `cargo test -p loopsafe_core --test fixtures network`): `build.rs` lists them.

#[path = "support/files.rs"]
mod files;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use loopsafe_core::config::{self, Settings};
use loopsafe_core::notes::Reason;
use loopsafe_core::severity::Severity;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/fixtures")
}

/// (file relative to the fixture, line) -> sorted codes.
type Findings = BTreeMap<(String, u32), Vec<String>>;

fn expected(root: &Path, files: &[PathBuf], marker: &str) -> Findings {
    let mut out = Findings::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let rel = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (i, line) in text.lines().enumerate() {
            if let Some(pos) = line.find(marker) {
                let mut codes: Vec<String> = line[pos + marker.len()..]
                    .split(',')
                    .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|c| !c.is_empty())
                    .collect();
                codes.sort();
                out.insert((rel.clone(), i as u32 + 1), codes);
            }
        }
    }
    out
}

/// The Python files of a fixture: the file itself, or every one in its folder.
fn python_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    files::python_files(path)
}

/// What a fixture's check found: its findings, its notes, and what each says, by line.
struct Found {
    findings: Findings,
    notes: Findings,
    /// `LS201: message` for each finding, `celery: call (api) in function` for each note.
    said: Findings,
}

/// The findings and the notes of a fixture; `reach` adds each finding's reach, `also`
/// the other blocking calls of a helper finding.
fn actual(fixture: &Path, reach: bool, also: bool) -> Found {
    let root = if fixture.is_dir() {
        fixture.to_path_buf()
    } else {
        fixture.parent().unwrap().to_path_buf()
    };
    let mut settings = match fixture.is_dir().then(|| fixture.join("loopsafe.toml")) {
        Some(cfg) if cfg.is_file() => config::load(&cfg).unwrap(),
        _ => Settings::defaults(root.clone()),
    };
    // Every finding a fixture expects, whatever its severity.
    settings.min_severity = Severity::Low;
    // A fixture's own `pyproject.toml` names its console scripts, as the CLI reads them.
    if fixture.join("pyproject.toml").is_file() {
        settings.console_scripts = config::console_scripts(fixture);
    }
    let options = loopsafe_core::CheckOptions {
        notes: true,
        ..Default::default()
    };
    let result = loopsafe_core::check_with(&[fixture.to_path_buf()], &settings, &options).unwrap();
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    let mut out = Findings::new();
    let mut said = Findings::new();
    for d in result.diagnostics {
        let rel = d
            .path
            .strip_prefix(&root)
            .unwrap_or(&d.path)
            .display()
            .to_string();
        let mut code = d.code().to_string();
        if !d.chain.is_empty() {
            let hops: Vec<String> = d.chain[1..]
                .iter()
                .map(|h| {
                    let file = h.path.strip_prefix(&root).unwrap_or(&h.path);
                    format!("{}:{}", file.display(), h.location.row)
                })
                .collect();
            code = format!("{code} via {}", hops.join(" > "));
        }
        if also && !d.other_sinks.is_empty() {
            code = format!("{code} also={}", d.other_sinks.join("+"));
        }
        if d.runs_once {
            code.push_str(" (once)");
        }
        if reach {
            let (n, mut kinds) = match &d.hotspot {
                Some(h) => (
                    h.reach,
                    h.entry_points
                        .iter()
                        .map(|e| e.kind.as_str())
                        .collect::<Vec<_>>(),
                ),
                None => (0, vec![]),
            };
            kinds.sort();
            kinds.dedup();
            let from = if kinds.is_empty() {
                "none".to_string()
            } else {
                kinds.join("+")
            };
            code.push_str(&format!(" reach={n} from={from}"));
        }
        said.entry((rel.clone(), d.location.row))
            .or_default()
            .push(format!("{}: {}", d.code(), d.message));
        out.entry((rel, d.location.row)).or_default().push(code);
    }
    for codes in out.values_mut() {
        codes.sort();
    }
    let mut notes = Findings::new();
    for n in &result.notes {
        let rel = n
            .path
            .strip_prefix(&root)
            .unwrap_or(&n.path)
            .display()
            .to_string();
        let reason = match n.reason {
            Reason::CeleryTask => "celery",
            Reason::SyncRoute => "threadpool",
            Reason::SyncView => "sync-view",
            Reason::Offloaded => "offloaded",
            Reason::Script => "script",
            Reason::SyncToThread => "sync-to-thread",
            Reason::FlaskView => "flask",
            Reason::QuartSyncView => "quart-sync",
            Reason::Test => "test",
            Reason::SyncWrapper => "sync-wrapper",
            Reason::StartedBySyncCode => "started-by-sync",
        };
        said.entry((rel.clone(), n.location.row))
            .or_default()
            .push(format!(
                "{reason}: {} ({}) in {}",
                n.call, n.api, n.function
            ));
        notes
            .entry((rel, n.location.row))
            .or_default()
            .push(reason.to_string());
    }
    for list in notes.values_mut() {
        list.sort();
    }
    Found {
        findings: out,
        notes,
        said,
    }
}

// One test per fixture: `build.rs` writes `fixtures! { network => "network.py", ... }`.
macro_rules! fixtures {
    ($($name:ident => $entry:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check_fixture($entry);
            }
        )*

        /// Every fixture, as `build.rs` listed them.
        const LISTED: &[&str] = &[$($entry),*];
    };
}

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

/// The list the tests were made from is the fixtures on disk (it is made again whenever
/// the folder changes), and none went missing.
#[test]
fn every_fixture_is_a_test() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "py"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(
        LISTED, on_disk,
        "build.rs listed other fixtures than those on disk"
    );
    assert!(
        LISTED.len() >= 10,
        "fixtures went missing: only {} found",
        LISTED.len()
    );
}

/// Checks one fixture (a file or folder under `resources/test/fixtures`) against what
/// its lines expect.
fn check_fixture(entry: &str) {
    let fixture = fixtures_dir().join(entry);
    let root = if fixture.is_dir() {
        fixture.clone()
    } else {
        fixture.parent().unwrap().to_path_buf()
    };
    let files = python_files(&fixture);
    let want = expected(&root, &files, "# expect:");
    let want_notes = expected(&root, &files, "# note:");
    let reach = want.values().flatten().any(|c| c.contains("reach="));
    let also = want.values().flatten().any(|c| c.contains("also="));
    let found = actual(&fixture, reach, also);
    let mut failures = vec![];
    if !want_notes.is_empty() {
        compare(entry, "notes", &want_notes, &found.notes, &mut failures);
    }
    compare(entry, "findings", &want, &found.findings, &mut failures);
    let shown: Vec<String> = failures
        .iter()
        .map(|(message, key)| format!("{message}\n{}", context(&root, key, &found.said)))
        .collect();
    assert!(failures.is_empty(), "\n{}\n", shown.join("\n"));
}

/// The source line of a failure, and what the check said there.
fn context(root: &Path, (file, line): &(String, u32), said: &Findings) -> String {
    let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
    let source = text.lines().nth(*line as usize - 1).unwrap_or("");
    let mut out = format!("    {line:>4} | {source}");
    for s in said.get(&(file.clone(), *line)).into_iter().flatten() {
        out.push_str(&format!("\n         = {s}"));
    }
    out
}

/// Adds to `failures` each line where `got` differs from `want`: what is wrong, and where.
fn compare(
    name: &str,
    what: &str,
    want: &Findings,
    got: &Findings,
    failures: &mut Vec<(String, (String, u32))>,
) {
    for (key, codes) in want {
        match got.get(key) {
            Some(found) if found == codes => {}
            Some(found) => failures.push((
                format!(
                    "{name}: {}:{}: expected {what} {codes:?}, found {found:?}",
                    key.0, key.1
                ),
                key.clone(),
            )),
            None => failures.push((
                format!(
                    "{name}: {}:{}: expected {what} {codes:?}, found nothing",
                    key.0, key.1
                ),
                key.clone(),
            )),
        }
    }
    for (key, found) in got {
        if !want.contains_key(key) {
            failures.push((
                format!("{name}: {}:{}: unexpected {what} {found:?}", key.0, key.1),
                key.clone(),
            ));
        }
    }
}
