//! The fixes' public path, kept for the CLI and the tests: the fixer lives in `fixer/`.

pub use crate::fixer::*;
