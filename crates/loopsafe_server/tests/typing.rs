//! Every fixture of the core's tests typed into the server one character at a time,
//! each an incremental `didChange`: the server checks the half-typed project whenever it
//! is free, never fails, and once typing stops publishes what `loopsafe check` finds in
//! the same files.

#[path = "support/client.rs"]
mod client;
#[path = "../../loopsafe_core/tests/support/fs.rs"]
mod fs;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use client::Client;
use loopsafe_core::config::{self, Settings};
use loopsafe_server::{Connection, Options};
use serde_json::json;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../loopsafe_core/resources/test/fixtures")
}

/// (file, line, code, message) of each finding, sorted.
type Findings = Vec<(PathBuf, u32, String, String)>;

/// What `loopsafe check` reports for the folder: its configuration read as the CLI
/// reads it. Syntax errors (LS001) aside: in the editor a buffer that does not parse is
/// analysed as its last text that parsed, and the server does not repeat what the
/// editor's own Python support says about syntax.
fn checked(root: &Path) -> Findings {
    let mut settings = match config::find_config(root) {
        Some(file) => config::load(&file).unwrap(),
        None => Settings::defaults(root.to_path_buf()),
    };
    settings.console_scripts = config::console_scripts(root);
    let result = loopsafe_core::check(&[root.to_path_buf()], &settings).unwrap();
    let mut out: Findings = result
        .diagnostics
        .iter()
        .filter(|d| d.code() != "LS001")
        .map(|d| {
            let path = d.path.strip_prefix(root).unwrap().to_path_buf();
            (
                path,
                d.location.row,
                d.code().to_string(),
                d.message.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

fn published(client: &Client, root: &Path) -> Findings {
    let mut out: Findings = vec![];
    for (url, list) in &client.published {
        let path = url.to_file_path().unwrap();
        let path = path.strip_prefix(root).unwrap().to_path_buf();
        for d in list {
            let code = client::code(d);
            out.push((
                path.clone(),
                d.range.start.line + 1,
                code,
                d.message.clone(),
            ));
        }
    }
    out.sort();
    out
}

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            python_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

/// Opens each file empty and types it in; returns the log line that names the last
/// versions of every buffer, for which the final diagnostics are published.
fn type_in(client: &mut Client, files: &[PathBuf]) -> String {
    let mut buffers = vec![];
    for path in files {
        let text = std::fs::read_to_string(path).unwrap();
        client.open(path, "");
        let (mut line, mut character, mut version) = (0u32, 0u32, 1);
        for c in text.chars() {
            version += 1;
            let at = (line, character);
            client.change(path, version, [at, at], c.encode_utf8(&mut [0; 4]));
            if c == '\n' {
                (line, character) = (line + 1, 0);
            } else {
                character += c.len_utf16() as u32;
            }
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        buffers.push(format!("{name}@{version}"));
    }
    buffers.sort();
    format!("(buffers: {})", buffers.join(", "))
}

/// Types the fixture in; returns how many findings it has, how many runs the server made
/// (on half-typed text, most of them), and how many of those it finished from the
/// cache's last analysis (reused or resumed) rather than afresh.
fn type_fixture(fixture: &Path) -> Result<(usize, usize, usize), String> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    if fixture.is_dir() {
        fs::copy(fixture, &root);
    } else {
        fs::copy(fixture, &root.join(fixture.file_name().unwrap()));
    }
    let expected = checked(&root);
    let (server_side, client_side) = Connection::memory();
    let server = std::thread::spawn(move || {
        let options = Options {
            debounce: Duration::ZERO,
            cache: true,
            packages_cache: None,
        };
        loopsafe_server::run(server_side, options)
    });
    let mut client = Client::new(client_side.sender, client_side.receiver);
    client.initialize(&[&root], json!({}), json!({}));
    let mut files = vec![];
    python_files(&root, &mut files);
    files.sort();
    let last = type_in(&mut client, &files);
    let done = |c: &Client| c.log.iter().any(|l| l.contains(&last));
    if !client.wait_until(done) {
        return Err(format!("no run of the typed text: {:#?}", client.log));
    }
    let failures: Vec<&String> = client.log.iter().filter(|l| l.contains("a bug")).collect();
    if !failures.is_empty() {
        return Err(format!("the server failed: {failures:#?}"));
    }
    let got = published(&client, &root);
    let runs = client
        .log
        .iter()
        .filter(|l| l.starts_with("checked in") || l.starts_with("dropped a run"))
        .count();
    let cached = client
        .log
        .iter()
        .filter(|l| l.contains("analysis reused") || l.contains("analysis resumed"))
        .count();
    client.shutdown();
    server.join().unwrap().map_err(|e| e.to_string())?;
    if got != expected {
        return Err(format!(
            "published {got:#?}\n`loopsafe check` finds {expected:#?}"
        ));
    }
    Ok((expected.len(), runs, cached))
}

#[test]
fn every_fixture_typed_a_character_at_a_time_ends_with_what_check_finds() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "py"))
        .collect();
    names.sort();
    let mut failures = BTreeMap::new();
    let start = std::time::Instant::now();
    let (mut findings, mut runs, mut cached) = (0, 0, 0);
    for fixture in &names {
        match type_fixture(fixture) {
            Ok((f, r, c)) => (findings, runs, cached) = (findings + f, runs + r, cached + c),
            Err(e) => {
                failures.insert(
                    fixture.file_name().unwrap().to_string_lossy().to_string(),
                    e,
                );
            }
        }
    }
    eprintln!(
        "{} fixtures typed in {:?}: {findings} findings, {runs} runs, {cached} from the cache",
        names.len(),
        start.elapsed()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    // The fixtures have findings to agree on, and the server checked half-typed text.
    assert!(findings > 100, "{findings} findings");
    assert!(runs >= 2 * names.len(), "{runs} runs");
    // Some finished from the cache's analysis: the final findings, equal to a check
    // without the cache, hold for those too.
    assert!(cached > 0, "no run used the cache's analysis");
}
