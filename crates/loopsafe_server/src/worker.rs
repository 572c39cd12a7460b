//! The analysis thread: checks the projects on a snapshot of the open buffers while the
//! main loop goes on reading the client's messages.
//!
//! A run cannot be stopped half-way, so a stale one is dropped instead: each run carries
//! the generation it was started for, and the main loop discards a result whose
//! generation an edit made since has passed.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use loopsafe_core::config::Settings;
use loopsafe_core::{check_with, CheckOptions, CheckResult};

/// One project to check: a workspace root, its settings and the unsaved text of its open
/// buffers (by path, as the walk of the root spells them).
pub struct ProjectJob {
    pub root: PathBuf,
    pub settings: Settings,
    pub overrides: HashMap<PathBuf, String>,
    /// Use the cache under the settings' root (`.loopsafe_cache`).
    pub cache: bool,
    /// Keep installed packages' facts in this folder.
    pub packages_cache: Option<PathBuf>,
}

pub struct Job {
    pub generation: u64,
    pub projects: Vec<ProjectJob>,
}

/// What one run found, project by project.
pub struct Done {
    pub generation: u64,
    pub results: Vec<(ProjectJob, Result<CheckResult, String>)>,
    pub elapsed: Duration,
}

pub struct Worker {
    pub jobs: Sender<Job>,
    pub done: Receiver<Done>,
    pub handle: JoinHandle<()>,
}

/// Starts the analysis thread. It ends when `jobs` is dropped.
pub fn spawn() -> Worker {
    let (jobs, job_rx) = crossbeam_channel::unbounded::<Job>();
    let (done_tx, done) = crossbeam_channel::unbounded();
    let handle = std::thread::Builder::new()
        .name("loopsafe-analysis".into())
        .spawn(move || {
            for job in job_rx {
                if done_tx.send(run(job)).is_err() {
                    break;
                }
            }
        })
        .expect("the analysis thread starts");
    Worker { jobs, done, handle }
}

fn run(job: Job) -> Done {
    let start = Instant::now();
    let results = job
        .projects
        .into_iter()
        .map(|project| {
            let result = check_one(&project);
            (project, result)
        })
        .collect();
    Done {
        generation: job.generation,
        results,
        elapsed: start.elapsed(),
    }
}

/// A check of one project. A panic in the analysis is caught and becomes an error the
/// log shows: the server goes on serving with the last good result.
fn check_one(project: &ProjectJob) -> Result<CheckResult, String> {
    let options = CheckOptions {
        overrides: project.overrides.clone(),
        cache: project.cache.then(|| project.settings.root.clone()),
        // Each check finds the installed modules again: kept, they are not parsed again.
        packages_cache: project.packages_cache.clone(),
        ..CheckOptions::default()
    };
    let paths = [project.root.clone()];
    let checked = catch_unwind(AssertUnwindSafe(|| {
        check_with(&paths, &project.settings, &options)
    }));
    match checked {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(e)) => Err(format!("cannot check {}: {e}", project.root.display())),
        Err(panic) => Err(format!(
            "the analysis of {} failed (a bug in loopsafe): {}",
            project.root.display(),
            crate::log::panic_message(&panic)
        )),
    }
}
