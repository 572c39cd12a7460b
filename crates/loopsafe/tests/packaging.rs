//! loopsafe as Python developers install it: a wheel built by maturin (from PyPI) and
//! installed in a fresh venv, and the pre-commit hooks, installed by pre-commit (from
//! PyPI) from a snapshot of this checkout.
//!
//! Both build the binary with the `wheel-test` profile (no optimisation: see the
//! workspace's Cargo.toml) into one target directory under `target/tmp`, so the second
//! build reuses the first's dependencies, and a run after an unchanged one builds
//! nothing: the hook repository's commit has fixed dates, so its hash, and the
//! environment pre-commit installed for it, stay the same.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const PROFILE: &str = "wheel-test";

#[path = "support/cli.rs"]
mod cli;
use cli::repo_root;
#[path = "support/process.rs"]
mod process;
use process::run;

fn tmp() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// Where the wheels' binaries are compiled, shared by both tests.
fn shared_target() -> PathBuf {
    tmp().join("python-build")
}

/// Held by each test while it builds: maturin copies the binary it built to one place
/// in the target directory (`maturin/loopsafe`) to strip it, so two builds at once
/// take each other's file away.
fn one_build_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    BUILD
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn succeeded(o: Output) -> Output {
    assert!(o.status.success(), "{}", text(&o));
    o
}

/// A fresh venv at `path`.
fn fresh_venv(path: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(path);
    succeeded(run(
        Command::new("python3").args(["-m", "venv"]).arg(path),
        Duration::from_secs(120),
    ));
    path.to_path_buf()
}

/// A venv with `requirement` installed from PyPI, made once per target directory.
fn tool_venv(name: &str, requirement: &str) -> PathBuf {
    let venv = tmp().join(name);
    let marker = venv.join("loopsafe-requirement.txt");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(requirement) {
        return venv;
    }
    fresh_venv(&venv);
    succeeded(run(
        Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .arg(requirement),
        Duration::from_secs(600),
    ));
    std::fs::write(&marker, requirement).unwrap();
    venv
}

#[test]
fn the_wheel_installs_in_a_fresh_venv_and_runs_as_a_command_and_a_module() {
    let build = one_build_at_a_time();
    let started = Instant::now();
    let maturin = tool_venv("maturin-venv", "maturin>=1.5,<2").join("bin/maturin");
    let out = tmp().join("wheels");
    let _ = std::fs::remove_dir_all(&out);
    succeeded(run(
        Command::new(&maturin)
            .args(["build", "--profile", PROFILE, "--out"])
            .arg(&out)
            .current_dir(repo_root())
            .env("CARGO_TARGET_DIR", shared_target()),
        Duration::from_secs(1200),
    ));
    let wheel = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("maturin wrote a wheel");
    drop(build);
    let name = wheel.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with(&format!("loopsafe-{}-py3-none-", env!("CARGO_PKG_VERSION"))),
        "{name}"
    );
    eprintln!(
        "{name}: {} bytes ({PROFILE} profile), built in {:?}",
        std::fs::metadata(&wheel).unwrap().len(),
        started.elapsed()
    );

    let venv = fresh_venv(&tmp().join("wheel-venv"));
    succeeded(run(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--no-deps",
            ])
            .arg(&wheel),
        Duration::from_secs(300),
    ));
    let check = run(
        Command::new(venv.join("bin/loopsafe"))
            .args([
                "check",
                "examples/sales_calls",
                "--output-format",
                "concise",
            ])
            .current_dir(repo_root())
            .env("LOOPSAFE_NO_CACHE", "1"),
        Duration::from_secs(120),
    );
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    let findings = String::from_utf8_lossy(&check.stdout)
        .lines()
        .filter(|l| l.contains(": LS"))
        .count();
    assert_eq!(findings, 6, "{}", text(&check));

    let version = succeeded(run(
        Command::new(venv.join("bin/python")).args(["-m", "loopsafe", "--version"]),
        Duration::from_secs(60),
    ));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("loopsafe {}", env!("CARGO_PKG_VERSION"))
    );
    // The module passes the command's exit status on.
    let module = run(
        Command::new(venv.join("bin/python"))
            .args(["-m", "loopsafe", "check", "examples/sales_calls", "-q"])
            .current_dir(repo_root())
            .env("LOOPSAFE_NO_CACHE", "1"),
        Duration::from_secs(120),
    );
    assert_eq!(module.status.code(), Some(1), "{}", text(&module));
}

fn git(dir: &Path, args: &[&str]) -> Output {
    succeeded(run(
        Command::new("git")
            .args([
                "-c",
                "user.name=loopsafe tests",
                "-c",
                "user.email=tests@loopsafe.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            // Fixed dates: the same tree makes the same commit, run after run.
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z"),
        Duration::from_secs(120),
    ))
}

/// This checkout as it is on disk (tracked and new files, not ignored ones), committed
/// in a repository of its own: what pre-commit installs the hooks from. Returns the
/// repository and its commit.
fn hook_repository() -> (PathBuf, String) {
    let snapshot = tmp().join("pre-commit-hook-repo");
    let _ = std::fs::remove_dir_all(&snapshot);
    std::fs::create_dir_all(&snapshot).unwrap();
    let root = repo_root();
    let listed = git(
        &root,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    for path in listed.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let rel = Path::new(std::str::from_utf8(path).unwrap());
        let from = root.join(rel);
        // Listed but deleted since.
        if !from.is_file() {
            continue;
        }
        let to = snapshot.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    git(&snapshot, &["init", "-q"]);
    git(&snapshot, &["add", "-A"]);
    git(&snapshot, &["commit", "-q", "-m", "snapshot"]);
    let head = git(&snapshot, &["rev-parse", "HEAD"]);
    let sha = String::from_utf8(head.stdout).unwrap().trim().to_string();
    (snapshot, sha)
}

const ROUTES: &str = "\
import time

from fastapi import FastAPI

app = FastAPI()


@app.get(\"/slow\")
async def slow():
    time.sleep(1)
    return {\"ok\": True}
";

#[test]
fn the_pre_commit_hooks_fail_on_a_staged_blocking_call_and_pass_once_it_is_fixed() {
    let started = Instant::now();
    let (hooks, rev) = hook_repository();
    // The environment of an older commit is of no more use: each holds a binary.
    let home = tmp().join("pre-commit-home");
    let last = tmp().join("pre-commit-home.rev");
    if std::fs::read_to_string(&last).ok().as_deref() != Some(rev.as_str()) {
        let _ = std::fs::remove_dir_all(&home);
        std::fs::write(&last, &rev).unwrap();
    }
    let pre_commit = tool_venv("pre-commit-venv", "pre-commit>=3,<5").join("bin/pre-commit");
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: loopsafe\n      - id: loopsafe-fix\n",
        hooks.display()
    );
    for (path, text) in [
        (".pre-commit-config.yaml", config.as_str()),
        ("app/__init__.py", ""),
        ("app/routes.py", ROUTES),
        ("app/clean.py", "async def ok():\n    return 1\n"),
    ] {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    let hook = |id: &str| {
        run(
            Command::new(&pre_commit)
                .args(["run", id])
                .current_dir(dir)
                // One installed environment per hook commit, kept between runs.
                .env("PRE_COMMIT_HOME", &home)
                .env("CARGO_TARGET_DIR", shared_target())
                .env("MATURIN_PEP517_ARGS", format!("--profile {PROFILE}"))
                .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
            Duration::from_secs(1500),
        )
    };
    // The staged blocking call fails the commit (this run installs the hooks).
    let build = one_build_at_a_time();
    let blocked = hook("loopsafe");
    drop(build);
    let out = text(&blocked);
    assert_eq!(blocked.status.code(), Some(1), "{out}");
    assert!(out.contains("app/routes.py:10:5: LS301"), "{out}");
    eprintln!("hooks installed and run in {:?}", started.elapsed());

    // The fixing hook rewrites the file: pre-commit fails the run, as files changed.
    let fixed = hook("loopsafe-fix");
    assert_eq!(fixed.status.code(), Some(1), "{}", text(&fixed));
    assert!(
        text(&fixed).contains("files were modified by this hook"),
        "{}",
        text(&fixed)
    );
    let routes = std::fs::read_to_string(dir.join("app/routes.py")).unwrap();
    assert!(routes.contains("    await asyncio.sleep(1)\n"), "{routes}");

    git(dir, &["add", "-A"]);
    let passed = hook("loopsafe");
    assert_eq!(passed.status.code(), Some(0), "{}", text(&passed));
    assert!(text(&passed).contains("Passed"), "{}", text(&passed));
    eprintln!("pre-commit test took {:?}", started.elapsed());
}
