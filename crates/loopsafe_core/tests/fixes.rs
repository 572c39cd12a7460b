//! Fix fixtures: every `.py` file or folder under `resources/test/fixes` is fixed with
//! `--unsafe-fixes` in a scratch copy. The snapshot shows each finding's fix (or why it
//! is only a suggestion) and the fixed text of every file that changed.

use std::path::{Path, PathBuf};

use loopsafe_core::apply::fix_project;
use loopsafe_core::config::Settings;
use loopsafe_core::fixer::{self, Applicability};
use loopsafe_core::CheckOptions;

#[path = "support/fs.rs"]
mod fs;
use fs::copy;

fn fixes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/fixes")
}

/// Fixes the fixture at `root` and returns the snapshot text.
fn fixed(root: &Path, options: &CheckOptions) -> (String, Vec<(PathBuf, String)>) {
    let settings = Settings::defaults(root.to_path_buf());
    let paths = [root.to_path_buf()];
    let before = loopsafe_core::check_with(&paths, &settings, options).unwrap();
    let mut out = String::from("--- findings ---\n");
    for d in &before.diagnostics {
        let rel = d.path.strip_prefix(root).unwrap().display();
        let fix = match &d.fix {
            Some(f) => format!("[{}] {}", f.applicability.as_str(), f.message),
            None => "[none]".into(),
        };
        out.push_str(&format!(
            "{rel}:{}:{} {} {fix}\n",
            d.location.row,
            d.location.column,
            d.code()
        ));
    }
    let outcome = fix_project(&paths, &settings, options, Applicability::Unsafe).unwrap();
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let mut changed = vec![];
    for file in &outcome.changed {
        let rel = file.path.strip_prefix(root).unwrap().display().to_string();
        fixer::parses(&file.fixed).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
        out.push_str(&format!("--- {rel} (fixed) ---\n{}", file.fixed));
        changed.push((file.path.clone(), file.fixed.clone()));
    }
    out.push_str("--- left after fixing ---\n");
    for d in &outcome.result.diagnostics {
        let rel = d.path.strip_prefix(root).unwrap().display();
        out.push_str(&format!(
            "{rel}:{}:{} {}\n",
            d.location.row,
            d.location.column,
            d.code()
        ));
    }
    (out, changed)
}

#[test]
fn fix_fixtures() {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(fixes_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    entries.sort();
    assert!(entries.len() >= 5, "fix fixtures went missing");
    for fixture in entries {
        let name = fixture.file_stem().unwrap().to_string_lossy().to_string();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(&name);
        if fixture.is_dir() {
            copy(&fixture, &root);
        } else {
            std::fs::create_dir(&root).unwrap();
            copy(&fixture, &root.join(fixture.file_name().unwrap()));
        }
        let (text, changed) = fixed(&root, &CheckOptions::default());
        insta::assert_snapshot!(format!("fix_{name}"), text);

        // Asked for no fixes (an output that shows none): the same findings, without.
        let settings = Settings::defaults(root.clone());
        let check = |options: &CheckOptions| {
            loopsafe_core::check_with(std::slice::from_ref(&root), &settings, options).unwrap()
        };
        let with = check(&CheckOptions::default());
        let without = check(&CheckOptions {
            without_fixes: true,
            ..CheckOptions::default()
        });
        assert!(with.diagnostics.iter().any(|d| d.fix.is_some()), "{name}");
        assert!(
            without.diagnostics.iter().all(|d| d.fix.is_none()),
            "{name}"
        );
        let stripped: Vec<_> = with
            .diagnostics
            .into_iter()
            .map(|d| loopsafe_core::diagnostic::Diagnostic { fix: None, ..d })
            .collect();
        assert_eq!(stripped, without.diagnostics, "{name}");

        // Fixing the fixed text changes nothing more.
        let again = CheckOptions {
            overrides: changed.into_iter().collect(),
            ..CheckOptions::default()
        };
        let settings = Settings::defaults(root.clone());
        let second = fix_project(
            std::slice::from_ref(&root),
            &settings,
            &again,
            Applicability::Unsafe,
        )
        .unwrap();
        for file in &second.changed {
            assert_eq!(
                again.overrides.get(&file.path),
                Some(&file.original),
                "{name}: a second run started from something else"
            );
        }
        assert!(
            second.fixed.is_empty(),
            "{name}: a second run fixed more: {:?}",
            second.fixed
        );
    }
}

#[test]
fn crlf_files_keep_their_line_endings() {
    let source = std::fs::read_to_string(fixes_dir().join("sleep.py")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sleep.py"), source.replace('\n', "\r\n")).unwrap();
    let (_, changed) = fixed(dir.path(), &CheckOptions::default());
    let (_, text) = &changed[0];
    assert!(text.contains("await asyncio.sleep(0.1)"), "{text}");
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "{text:?}"
    );
}
