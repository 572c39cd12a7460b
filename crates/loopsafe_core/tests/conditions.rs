//! Whether each finding of `resources/test/fixtures/conditions.py` is conditional (behind
//! an `if`, an `except`, a `match` case...), as its lines state: `# when: some` for a
//! finding on some requests only, `# when: every` for one on every call. The fixture's
//! `# expect:` lines (the findings themselves) are checked by `tests/fixtures.rs`.

use std::collections::BTreeMap;
use std::path::Path;

use loopsafe_core::config::Settings;

#[test]
fn each_finding_says_whether_a_condition_is_on_its_way() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/fixtures");
    let fixture = dir.join("conditions.py");
    let text = std::fs::read_to_string(&fixture).unwrap();
    let mut expected = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if let Some((_, rest)) = line.split_once("# when: ") {
            let when = rest.split_whitespace().next().unwrap();
            assert!(matches!(when, "some" | "every"), "line {}: {when}", i + 1);
            expected.insert(i as u32 + 1, when == "some");
        }
    }
    let settings = Settings::defaults(dir.clone());
    let result = loopsafe_core::check_with(&[fixture], &settings, &Default::default()).unwrap();
    let actual: BTreeMap<u32, bool> = result
        .diagnostics
        .iter()
        .map(|d| (d.location.row, d.conditional))
        .collect();
    assert_eq!(actual, expected);
    // The words say it too, and never "every request" for a conditional one.
    for d in &result.diagnostics {
        assert_eq!(
            d.message.contains("on some requests only"),
            d.conditional,
            "{}",
            d.message
        );
    }
}
