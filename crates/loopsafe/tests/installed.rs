//! Following calls into installed packages, on a real environment: a venv built from PyPI
//! with geopy (pinned in `tests/installed/requirements.txt`), once per target directory,
//! and a tiny FastAPI-style app that calls geopy's urllib adapter from a route. The check
//! reports the route's call with geopy's installed lines in its chain; a second check
//! takes geopy's facts from the package cache instead of parsing them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/cli.rs"]
mod cli;
use cli::repo_root;
#[path = "../../loopsafe_core/tests/support/fs.rs"]
mod fs;
#[path = "support/process.rs"]
mod process;
#[path = "support/venv.rs"]
mod venv;

fn build_venv() -> PathBuf {
    venv::pinned(
        "installed-venv",
        &repo_root().join("crates/loopsafe/tests/installed/requirements.txt"),
    )
}

/// `loopsafe check` of the app with this environment and package cache.
fn check(app: &Path, python: &Path, cache: &Path) -> (String, Output) {
    let out = Command::new(env!("CARGO_BIN_EXE_loopsafe"))
        .args(["check", "--show-all", "--python"])
        .arg(python)
        .current_dir(app)
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", cache)
        .env_remove("VIRTUAL_ENV")
        .output()
        .expect("loopsafe runs");
    (String::from_utf8(out.stdout.clone()).unwrap(), out)
}

#[test]
fn a_route_calling_geopy_is_reported_through_geopys_code() {
    let venv = build_venv();
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("project");
    fs::copy(
        &repo_root().join("crates/loopsafe/tests/installed/app"),
        &app.join("app"),
    );
    let cache = dir.path().join("cache");
    // The python binary names its environment as well as the folder does.
    let (first, out) = check(&app, &venv.join("bin/python"), &cache);
    assert_eq!(out.status.code(), Some(1), "{first}\n{out:?}");
    let site = std::fs::read_dir(venv.join("lib"))
        .unwrap()
        .map(|e| e.unwrap().path().join("site-packages"))
        .find(|p| p.is_dir())
        .unwrap();
    let adapters = site.join("geopy/adapters.py");
    let want = [
        "app/main.py:13:12: LS901 [high] Blocking call through a helper: `http.get_json()` reaches `urllib.request.OpenerDirector.open()` in async function `raw`".to_string(),
        format!("`URLLibAdapter.get_json` calls `self.get_text()` at {}:", adapters.display()),
        format!("`URLLibAdapter.get_text` calls `self.urlopen()` at {}:", adapters.display()),
    ];
    for line in &want {
        assert!(
            first.contains(line.as_str()),
            "missing {line:?} in:\n{first}"
        );
    }
    // Nothing is reported in geopy's own files.
    assert!(
        !first.lines().any(|l| l.starts_with(site.to_str().unwrap())),
        "{first}"
    );
    let summary = |out: &str| {
        out.lines()
            .find(|l| l.starts_with("Followed calls into"))
            .unwrap_or_default()
            .to_string()
    };
    let followed = summary(&first);
    assert!(
        followed.starts_with("Followed calls into 1 installed package ("),
        "{first}"
    );
    assert!(!followed.contains("from the package cache"), "{followed}");
    let kept: Vec<_> = std::fs::read_dir(cache.join("loopsafe/packages"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        kept.len() == 1 && kept[0].starts_with("geopy-geopy-2.4.1-"),
        "{kept:?}"
    );

    // Again, with the environment's folder: the same findings, geopy from the cache.
    let (second, _) = check(&app, &venv, &cache);
    let modules = |line: &str| {
        line.split_once('(')
            .and_then(|(_, rest)| rest.split(' ').next())
            .unwrap_or_default()
            .to_string()
    };
    let again = summary(&second);
    let n = modules(&followed);
    assert!(
        again.contains(&format!("({n} modules, {n} from the package cache)")),
        "{again}"
    );
    let findings = |out: &str| {
        out.lines()
            .filter(|l| !l.starts_with("Followed calls into"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(findings(&first), findings(&second));
}
