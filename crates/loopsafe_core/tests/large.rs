//! Large inputs complete without stack overflow or quadratic blow-up: a 10 MB generated
//! file, deep nesting, and a 50,000-file tree with a chain of helpers across modules.
//! No timing is asserted (timings live in `bench/`); the findings are.

use std::fmt::Write;

use loopsafe_core::config::Settings;
use loopsafe_core::rules::Rule;

#[test]
fn a_ten_megabyte_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("import time\n\n");
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        writeln!(text, "async def handler_{i}(x):\n    y = [x * {i} for _ in range(3)]\n    time.sleep(0.1)\n    return y\n").unwrap();
        i += 1;
    }
    // One very long expression and some deep nesting too.
    text.push_str("TOTAL = 0");
    for k in 0..20_000 {
        write!(text, " + {k}").unwrap();
    }
    text.push('\n');
    text.push_str(&format!("DEEP = {}1{}\n", "(".repeat(200), ")".repeat(200)));
    std::fs::write(dir.path().join("big.py"), &text).unwrap();
    let result = loopsafe_core::check(
        &[dir.path().to_path_buf()],
        &Settings::defaults(dir.path().into()),
    )
    .unwrap();
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    let sleeps = result
        .diagnostics
        .iter()
        .filter(|d| d.rule == Rule::TimeSleep)
        .count();
    assert_eq!(sleeps, i);
    // Every output shows each finding; a format that looked up each finding's line by
    // scanning its file from the top took minutes here.
    let cwd = dir.path();
    let code = Rule::TimeSleep.code();
    let text = loopsafe_core::render::text(&result, cwd, false);
    assert_eq!(text.matches(&format!(" {code} ")).count(), i);
    let concise = loopsafe_core::render::concise(&result, cwd);
    assert_eq!(concise.matches(&format!(" {code} ")).count(), i);
    let github = loopsafe_core::render::github(&result, cwd);
    assert_eq!(github.matches(&format!("::{code} ")).count(), i);
}

#[test]
fn fifty_thousand_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("pkg");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("__init__.py"), "").unwrap();
    const N: usize = 50_000;
    for i in 0..N {
        let text = if i == 0 {
            "import time\n\n\ndef step():\n    time.sleep(1)\n".to_string()
        } else if i % 100 == 0 {
            // Every hundredth module adds a hop to a chain back to module 0.
            format!(
                "from pkg.m{} import step as previous\n\n\ndef step():\n    previous()\n\n\nasync def handler():\n    step()\n",
                i - 100
            )
        } else {
            format!("def helper_{i}(x):\n    return x + {i}\n")
        };
        std::fs::write(root.join(format!("m{i}.py")), text).unwrap();
    }
    let result = loopsafe_core::check(
        &[dir.path().to_path_buf()],
        &Settings::defaults(dir.path().into()),
    )
    .unwrap();
    assert_eq!(result.files_checked, N + 1);
    let helpers: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.rule == Rule::BlockingCallThroughHelper)
        .collect();
    // Every handler reaches module 0's `time.sleep`, through its own chain.
    assert_eq!(helpers.len(), N / 100 - 1);
    let longest = helpers.iter().map(|d| d.chain.len()).max().unwrap();
    assert_eq!(longest, N / 100 + 1);
    assert!(helpers.iter().all(|d| d.root == helpers[0].root));
}
