//! The `loopsafe` command: a thin layer over `loopsafe_core`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use loopsafe_core::config::{self, Settings};
use loopsafe_core::rules::{render_doc, Rule, RULES};
use loopsafe_core::{check_with, render, ParseScope};

mod alloc;

// Analysis allocates many small objects from two threads; the system allocator spends
// a third of the run in malloc and free (measured with perf on the benchmark corpus).
#[global_allocator]
static GLOBAL: alloc::Allocator = alloc::Allocator;

#[derive(Parser)]
#[command(
    name = "loopsafe",
    version,
    about = "Find the blocking calls that stall your asyncio event loop."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check Python files for blocking calls that run on the event loop.
    Check(CheckArgs),
    /// Explain one rule (by code, like LS201, or by name).
    Rule { code: String },
    /// List every rule, or explain them all with --all.
    Rules {
        /// Print each rule's full documentation.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Concise,
    Json,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check (default: the current directory).
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    output_format: OutputFormat,
    /// Rule codes or prefixes to check (replaces the configured selection).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Rule codes or prefixes to add to the selection.
    #[arg(long, value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Rule codes or prefixes to leave out.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Exit with status 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Print findings only: no summary line, no warnings.
    #[arg(long, short)]
    quiet: bool,
    /// Use this configuration file instead of looking for one.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long, conflicts_with = "config")]
    isolated: bool,
}

fn main() -> ExitCode {
    alloc::disable_huge_pages();
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => run_check(args),
        Command::Rule { code } => {
            match Rule::from_code(&code) {
                Some(rule) => {
                    print!("{}", render_doc(rule.info()));
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("loopsafe: error: `{code}` is not a rule code or name (see `loopsafe rules`)");
                    ExitCode::from(2)
                }
            }
        }
        Command::Rules { all } => {
            let mut out = String::new();
            for info in RULES {
                if all {
                    out.push_str(&render_doc(info));
                    out.push('\n');
                } else {
                    out.push_str(&format!(
                        "{:<6} {:<34} {}\n",
                        info.code, info.name, info.doc.what
                    ));
                }
            }
            print!("{out}");
            ExitCode::SUCCESS
        }
    }
}

fn settings_for(args: &CheckArgs, paths: &[PathBuf]) -> Result<Settings, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    let config_file = if args.isolated {
        None
    } else if let Some(path) = &args.config {
        Some(path.clone())
    } else {
        config::find_config(paths.first().map(PathBuf::as_path).unwrap_or(&cwd))
    };
    let mut settings = match config_file {
        Some(path) => config::load(&path).map_err(|e| e.to_string())?,
        None => Settings::defaults(cwd),
    };
    for selector in args
        .select
        .iter()
        .chain(&args.extend_select)
        .chain(&args.ignore)
    {
        config::validate_selector(selector)?;
    }
    if !args.select.is_empty() {
        settings.select = args.select.clone();
    }
    settings
        .extend_select
        .extend(args.extend_select.iter().cloned());
    settings.ignore.extend(args.ignore.iter().cloned());
    Ok(settings)
}

fn run_check(args: CheckArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let settings = match settings_for(&args, &paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("loopsafe: error: {e}");
            return ExitCode::from(2);
        }
    };
    let scope = ParseScope {
        enter: alloc::enter_scratch,
        leave: alloc::leave_scratch,
    };
    let result = match check_with(&paths, &settings, Some(scope)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("loopsafe: error: {e}");
            return ExitCode::from(2);
        }
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = String::new();
    match args.output_format {
        OutputFormat::Json => out.push_str(&render::json(&result, &cwd)),
        OutputFormat::Text | OutputFormat::Concise => {
            if args.output_format == OutputFormat::Text {
                out.push_str(&render::text(&result, &cwd, color));
            } else {
                out.push_str(&render::concise(&result, &cwd));
            }
            if !args.quiet {
                out.push_str(&render::summary(&result));
                out.push('\n');
            }
        }
    }
    let mut lock = stdout.lock();
    // A closed pipe (`loopsafe check | head`) is not an error worth a panic.
    let _ = lock.write_all(out.as_bytes());
    let _ = lock.flush();
    if !args.quiet {
        for w in &result.warnings {
            eprintln!("loopsafe: warning: {w}");
        }
    }
    if result.diagnostics.is_empty() || args.exit_zero {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
