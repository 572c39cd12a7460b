//! What goes wrong in a check, typed. An error ends the run (the CLI prints it and exits
//! with status 2); a [`Warning`] skips one file, finding, fix or cache write, and the run
//! goes on. The `Display` texts are the messages users read and scripts match: they are
//! kept word for word.

use std::path::PathBuf;

pub use crate::config::{ConfigError, ConfigProblem, UnknownSelector, ValueProblem};
pub use crate::discover::{DiscoverError, WalkWarning};
pub use crate::source::SourceError;

/// Something a check skipped, reported after its findings.
#[derive(Debug, thiserror::Error)]
pub enum Warning {
    /// A file that was not checked.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A directory or link the walk could not follow.
    #[error(transparent)]
    Walk(#[from] WalkWarning),
    /// The results stand; the next run finds less in the cache.
    #[error("cannot write the cache in {dir}: {error}")]
    CacheNotWritten { dir: PathBuf, error: std::io::Error },
    /// The Python environment named (`--python`, `python = `) is none: the installed
    /// packages are not followed.
    #[error("{0}: not a Python environment (no lib/python3.*/site-packages in it): calls into installed packages are not followed")]
    NoEnvironment(PathBuf),
    /// A file edited while it was checked no longer holds a finding's text.
    #[error("{0}: skipped a finding: the file changed while it was being checked")]
    FileChanged(PathBuf),
    /// A fix dropped because the fixed file would not parse.
    #[error(
        "{path}:{row}:{column}: the fix for {code} was not applied: the result would not parse ({error})"
    )]
    FixNotApplied {
        path: PathBuf,
        row: u32,
        column: u32,
        code: &'static str,
        /// The parser's message.
        error: String,
    },
}

/// A fixed file that could not be written: it is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: cannot write the fixes: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: cannot write the fixes: the file is read-only")]
    ReadOnly { path: PathBuf },
}
