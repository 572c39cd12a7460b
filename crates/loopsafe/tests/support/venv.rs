//! Test support: a venv built from PyPI with a requirements file's pins, in the target's
//! temporary folder, once per target directory (again only when the pins change).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process::run;

/// The venv `name` with the pins of `requirements` installed.
pub fn pinned(name: &str, requirements: &Path) -> PathBuf {
    let wanted = std::fs::read_to_string(requirements).unwrap();
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let marker = venv.join("loopsafe-requirements.txt");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return venv;
    }
    let _ = std::fs::remove_dir_all(&venv);
    let made = run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        Duration::from_secs(120),
    );
    assert!(made.status.success(), "{made:?}");
    let pip = run(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(requirements),
        Duration::from_secs(600),
    );
    assert!(
        pip.status.success(),
        "pip install failed:\n{}",
        String::from_utf8_lossy(&pip.stderr)
    );
    std::fs::write(&marker, wanted).unwrap();
    venv
}
