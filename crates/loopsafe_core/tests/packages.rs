//! Following calls into installed packages: what the `installed_packages` fixture's
//! check says it followed and skipped, and that the package cache is reused.

use std::path::{Path, PathBuf};

use loopsafe_core::config::Settings;
use loopsafe_core::packages::PackagesReport;
use loopsafe_core::CheckOptions;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/fixtures/installed_packages")
}

fn check(root: &Path, packages_cache: Option<PathBuf>) -> loopsafe_core::CheckResult {
    let settings = Settings::defaults(root.to_path_buf());
    let options = CheckOptions {
        packages_cache,
        ..CheckOptions::default()
    };
    loopsafe_core::check_with(&[root.to_path_buf()], &settings, &options).unwrap()
}

#[test]
fn says_what_it_followed_and_skipped() {
    let result = check(&fixture(), None);
    let report = result.packages.expect("the fixture has a .venv");
    eprintln!("{report:#?}");
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
