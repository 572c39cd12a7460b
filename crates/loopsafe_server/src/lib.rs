//! `loopsafe server`: a language server over stdio. The editor sees the whole project's
//! findings while the developer types, with the unsaved buffers in place of the files on
//! disk: an edit in `services/pricing.py` that makes a route in `routes/orders.py` block
//! the loop puts a diagnostic on the route at once.
//!
//! `server` holds the state and the main loop: it reads the client's messages, keeps the
//! open buffers, and hands snapshots to the analysis thread (`worker`), debounced; a run
//! whose generation an edit has passed is dropped. `convert` turns findings into LSP
//! diagnostics and hovers, `actions` offers the fixes, `text` converts positions.

mod actions;
mod capabilities;
mod convert;
mod docs;
mod log;
mod results;
mod server;
mod settings;
mod text;
mod worker;

use std::time::Duration;

pub use lsp_server::Connection;
pub use settings::ClientSettings;

/// How the server runs, besides what the client asks for.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long the buffers must stay unchanged before the project is checked again.
    pub debounce: Duration,
    /// Keep per-file facts in the project's cache (`.loopsafe_cache`), as the CLI does:
    /// what makes a re-check after an edit take a fraction of a cold one.
    pub cache: bool,
    /// Keep the facts of installed packages' modules in this folder (the CLI's
    /// `~/.cache/loopsafe/packages`); none: read them again on every check.
    pub packages_cache: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            debounce: Duration::from_millis(60),
            cache: true,
            packages_cache: None,
        }
    }
}

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Serves the client on standard input and output until it says `exit`.
pub fn run_stdio(options: Options) -> Result<(), Error> {
    let (connection, io_threads) = Connection::stdio();
    server::run(connection, options)?;
    io_threads.join()?;
    Ok(())
}

/// Serves the client on a connection (`Connection::memory()` in tests) until it says
/// `exit` or goes away.
pub fn run(connection: Connection, options: Options) -> Result<(), Error> {
    server::run(connection, options)
}
