//! `--serve 'COMMAND'`: starts the service for the probe and stops it afterwards.
//!
//! The command runs under `sh -c` in a process group of its own, so that stopping it
//! stops everything it started (a reloader, workers), also when the probe fails or is
//! interrupted: dropping [`Served`] stops the group.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{client, send, Config};

pub struct Served {
    child: Child,
    stopped: bool,
}

impl Served {
    /// Starts `command` with the variables `env` added; its output goes to `log` (or
    /// nowhere).
    pub fn start(
        command: &str,
        log: Option<std::fs::File>,
        env: &[(String, std::ffi::OsString)],
    ) -> std::io::Result<Served> {
        let (out, err) = match log {
            Some(f) => (Stdio::from(f.try_clone()?), Stdio::from(f)),
            None => (Stdio::null(), Stdio::null()),
        };
        let child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .process_group(0)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()?;
        Ok(Served {
            child,
            stopped: false,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status, when the command has already ended.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Stops the whole group: SIGTERM, then SIGKILL after five seconds.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let group = -(self.child.id() as i32);
        // SAFETY: signals a process group this process created.
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() && !group_alive(group) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY: as above.
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

fn group_alive(group: i32) -> bool {
    // SAFETY: signal 0 only checks that the group exists.
    unsafe { libc::kill(group, 0) == 0 }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until the canary answers with a success, at most `limit`.
pub async fn wait_ready(
    config: &Config,
    served: &mut Served,
    limit: Duration,
) -> Result<(), String> {
    let client = client(2, config.timeout.min(Duration::from_secs(2)));
    let start = Instant::now();
    loop {
        if let Some(status) = served.exited() {
            return Err(format!(
                "the service exited ({status}) before answering `{}`",
                config.canary
            ));
        }
        let last = match send(&client, config, &config.canary, None).await {
            Ok(status) if status < 400 => return Ok(()),
            Ok(status) => format!("HTTP {status}"),
            Err(e) => e,
        };
        if start.elapsed() > limit {
            return Err(format!(
                "the service did not answer `{}` at {} within {} s (last: {last})",
                config.canary,
                config.base,
                limit.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
