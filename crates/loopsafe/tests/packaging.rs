//! loopsafe as Python developers install it: a wheel built by maturin (from PyPI) and
//! installed in a fresh venv.
//!
//! The binary is built with the `wheel-test` profile (no optimisation: see the
//! workspace's Cargo.toml) into a target directory of its own under `target/tmp`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PROFILE: &str = "wheel-test";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

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

/// Runs a command, killing it past `limit`; its output is read as it runs.
fn run(cmd: &mut Command, limit: Duration) -> Output {
    use std::io::Read;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = vec![];
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
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
