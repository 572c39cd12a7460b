//! Following calls into installed packages: what the `installed_packages` fixture's
//! check says it followed and skipped, and that the package cache is reused.

#[path = "support/fs.rs"]
mod fs;

use std::path::{Path, PathBuf};

use loopsafe_core::config::Settings;
use loopsafe_core::CheckOptions;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/fixtures/installed_packages")
}

fn check(root: &Path, packages_cache: Option<PathBuf>) -> loopsafe_core::CheckResult {
    check_with(root, packages_cache, false)
}

fn check_with(
    root: &Path,
    packages_cache: Option<PathBuf>,
    project_cache: bool,
) -> loopsafe_core::CheckResult {
    let settings = Settings::defaults(root.to_path_buf());
    let options = CheckOptions {
        packages_cache,
        cache: project_cache.then(|| root.to_path_buf()),
        ..CheckOptions::default()
    };
    loopsafe_core::check_with(&[root.to_path_buf()], &settings, &options).unwrap()
}

#[test]
fn says_what_it_followed_and_skipped() {
    let result = check(&fixture(), None);
    let report = result.packages.expect("the fixture has a .venv");
    assert_eq!(report.environment, fixture().join(".venv"));
    // `requests` is the catalogue's; `typing`, `json` and `socket` are not installed.
    assert_eq!(report.followed, ["geofake", "slowgeo"]);
    assert_eq!(report.compiled_only, ["fastthing"]);
    assert!(report.over_budget.is_empty());
    // geofake, .api, .transport, .offline (not ._debug: for type checkers only);
    // slowgeo, .client.
    assert_eq!(report.modules, 6);
    assert_eq!(report.from_cache, 0);
    // Nothing is reported in the environment.
    for d in &result.diagnostics {
        assert!(!d.path.starts_with(fixture().join(".venv")), "{d:?}");
    }
}

/// What a check reports, as text: where each finding is and its chain.
fn findings(result: &loopsafe_core::CheckResult, root: &Path) -> Vec<String> {
    result
        .diagnostics
        .iter()
        .map(|d| {
            let hops: Vec<String> = d
                .chain
                .iter()
                .map(|h| {
                    let file = h.path.strip_prefix(root).unwrap_or(&h.path);
                    format!("{}:{}", file.display(), h.location.row)
                })
                .collect();
            format!(
                "{}:{} {} {}",
                d.path.display(),
                d.location.row,
                d.code(),
                hops.join(" > ")
            )
        })
        .collect()
}

#[test]
fn a_second_check_takes_the_packages_from_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let first = check(&fixture(), Some(cache.path().to_path_buf()));
    let report = first.packages.as_ref().unwrap();
    assert_eq!((report.modules, report.from_cache), (6, 0));
    // One file per package, named by its version when its metadata says it.
    let mut files: Vec<String> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].starts_with("geofake-geofake-1.0.2-"), "{files:?}");
    let second = check(&fixture(), Some(cache.path().to_path_buf()));
    let report = second.packages.as_ref().unwrap();
    // slowgeo has no metadata, so no version to keep it under: parsed every time.
    assert_eq!((report.modules, report.from_cache), (6, 4));
    assert_eq!(findings(&first, &fixture()), findings(&second, &fixture()));
    assert!(!first.diagnostics.is_empty());
}

#[test]
fn an_installed_file_edited_is_parsed_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    fs::copy(&fixture(), &root);
    let cache = tempfile::tempdir().unwrap();
    let before = check(&root, Some(cache.path().to_path_buf()));
    let transport = root.join(".venv/lib/python3.11/site-packages/geofake/transport.py");
    let text = std::fs::read_to_string(&transport).unwrap();
    std::fs::write(
        &transport,
        text.replace("socket.create_connection(", "make_connection("),
    )
    .unwrap();
    let after = check(&root, Some(cache.path().to_path_buf()));
    let report = after.packages.as_ref().unwrap();
    assert_eq!((report.modules, report.from_cache), (6, 3));
    // The two chains through `transport.py` are gone.
    assert_eq!(before.diagnostics.len() - 2, after.diagnostics.len());
}

#[test]
fn the_project_cache_reuses_the_analysis_with_the_same_packages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    fs::copy(&fixture(), &root);
    let first = check_with(&root, None, true);
    let second = check_with(&root, None, true);
    assert!(second.analysis_reused);
    assert_eq!(findings(&first, &root), findings(&second, &root));
    // Another version of a package: the analysis is not the last run's.
    let client = root.join(".venv/lib/python3.11/site-packages/slowgeo/client.py");
    let text = std::fs::read_to_string(&client).unwrap();
    std::fs::write(&client, text.replace("time.sleep(5)", "pass")).unwrap();
    let third = check_with(&root, None, true);
    assert!(!third.analysis_reused);
    assert_eq!(first.diagnostics.len() - 1, third.diagnostics.len());
}

#[test]
fn without_an_environment_nothing_is_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    fs::copy(&fixture().join("app"), &root.join("app"));
    let result = check(&root, None);
    assert!(result.packages.is_none());
    // Only `requests.get`, the catalogue's, is found.
    assert_eq!(result.diagnostics.len(), 1);
}

#[test]
fn a_python_that_is_no_environment_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    fs::copy(&fixture().join("app"), &root.join("app"));
    let mut settings = Settings::defaults(root.clone());
    settings.python = Some(root.join("nowhere"));
    let result = loopsafe_core::check_with(
        std::slice::from_ref(&root),
        &settings,
        &CheckOptions::default(),
    )
    .unwrap();
    assert!(result.packages.is_none());
    let warnings: Vec<String> = result.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("not a Python environment"),
        "{warnings:?}"
    );
}

#[test]
fn the_python_binary_names_its_environment() {
    let mut settings = Settings::defaults(PathBuf::from("/nonexistent"));
    settings.python = Some(fixture().join(".venv"));
    let env = loopsafe_core::packages::Environment::find(&settings)
        .unwrap()
        .unwrap();
    assert_eq!(
        env.site_packages,
        [fixture().join(".venv/lib/python3.11/site-packages")]
    );
    // `python` in `bin/` (a link to the interpreter the venv was made from, elsewhere).
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("env/lib/python3.12/site-packages");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::create_dir_all(dir.path().join("env/bin")).unwrap();
    std::fs::write(dir.path().join("env/bin/python"), "").unwrap();
    settings.python = Some(dir.path().join("env/bin/python"));
    let env = loopsafe_core::packages::Environment::find(&settings)
        .unwrap()
        .unwrap();
    assert_eq!(env.dir, dir.path().join("env"));
    assert_eq!(env.site_packages, [site]);
}

#[test]
fn broken_installed_files_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    fs::copy(&fixture(), &root);
    let site = root.join(".venv/lib/python3.11/site-packages");
    // Not UTF-8, and not Python.
    std::fs::write(site.join("geofake/offline.py"), b"def reverse(\xff\xfe):\n").unwrap();
    std::fs::write(site.join("slowgeo/client.py"), "def wait(:\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(site.join("loop"), site.join("loop")).unwrap();
    let result = check(&root, None);
    let report = result.packages.unwrap();
    assert_eq!((report.modules, report.unreadable), (4, 2));
}
