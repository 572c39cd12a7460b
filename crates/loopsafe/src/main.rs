//! The `loopsafe` command: a thin layer over `loopsafe_core`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use loopsafe_core::apply::{self, fix_project};
use loopsafe_core::catalogue::docs::render_doc;
use loopsafe_core::config::{self, BadGlob, ConfigError, Settings, UnknownSelector};
use loopsafe_core::fixer::Applicability;
use loopsafe_core::rules::{Rule, RULES};
use loopsafe_core::severity::Severity;
use loopsafe_core::{check_with, render, report, CheckOptions, DiscoverError};

mod adopt;
mod alloc;
mod probe;
mod show_settings;

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
    /// Write a Markdown report: hotspots worst first, Before/After, why, notes.
    Report(ReportArgs),
    /// Measure how long the running service's event loop stalls under load.
    Probe(probe::ProbeCommand),
    /// Remove the cache (`.loopsafe_cache`) in the current directory.
    Clean,
    /// Run the language server for editors (LSP over standard input and output).
    Server {
        /// Do not read or write the cache (`.loopsafe_cache`); also LOOPSAFE_NO_CACHE=1.
        #[arg(long)]
        no_cache: bool,
    },
    /// Only discover, read and parse the files: the floor for `bench/compare_ruff.py`.
    #[command(hide = true)]
    ParseOnly { paths: Vec<PathBuf> },
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
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions annotations.
    Github,
    /// A GitLab Code Quality report (JSON).
    Gitlab,
    /// JUnit XML: a test suite per file, a failed test case per finding.
    Junit,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum SortBy {
    /// Worst first: by severity, then those that run on every request, then by reach.
    Severity,
    /// By file and position.
    Location,
    /// The findings that the most routes run first (middleware first).
    Reach,
}

/// The least severe findings to show.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum MinSeverity {
    Low,
    Medium,
    High,
}

impl From<MinSeverity> for Severity {
    fn from(m: MinSeverity) -> Severity {
        match m {
            MinSeverity::Low => Severity::Low,
            MinSeverity::Medium => Severity::Medium,
            MinSeverity::High => Severity::High,
        }
    }
}

/// Which rules, from which configuration.
#[derive(clap::Args, Default)]
pub(crate) struct SelectionArgs {
    /// Rule codes or prefixes to check (replaces the configured selection).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Rule codes or prefixes to add to the selection.
    #[arg(long, value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Rule codes or prefixes to leave out.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Files and directories to leave out, as globs (replaces the configured `exclude`,
    /// and the defaults such as `.venv`).
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    exclude: Vec<String>,
    /// Files and directories to leave out besides the configured ones, as globs.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    extend_exclude: Vec<String>,
    /// Use this configuration file instead of looking for one.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long, conflicts_with = "config")]
    isolated: bool,
    /// Do not read or write the cache (`.loopsafe_cache`: per-file facts, the last
    /// analysis, what the last walk found; and the installed packages' facts kept in
    /// ~/.cache/loopsafe/packages); also LOOPSAFE_NO_CACHE=1.
    #[arg(long)]
    no_cache: bool,
    /// The project's Python environment (a virtualenv folder, or its `python`): calls
    /// into the packages installed there are followed, so a coroutine that calls a
    /// library function which blocks inside the library is reported, with the
    /// library's lines in its chain. Default: the configuration's `python`, else the
    /// active virtualenv ($VIRTUAL_ENV), else `.venv` or `venv` in the project.
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// Also report blocking calls in test coroutines and async fixtures, which otherwise
    /// are listed as acceptable (they stall the test runner's loop, not the service's).
    #[arg(long)]
    check_tests: bool,
    /// Show only findings of this severity or higher (default: medium, or the
    /// configuration's `min-severity`); `low` shows every finding.
    #[arg(long, value_enum)]
    min_severity: Option<MinSeverity>,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// Files or directories to check (default: the current directory).
    paths: Vec<PathBuf>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// The report's title (default: the checked directory's name).
    #[arg(long)]
    title: Option<String>,
    /// The date to print (default: today), as YYYY-MM-DD.
    #[arg(long)]
    date: Option<String>,
    /// Put measured figures in the Impact section: two `loopsafe probe` results (JSON),
    /// before and after the fixes.
    #[arg(long, num_args = 2, value_names = ["BEFORE", "AFTER"])]
    impact: Vec<PathBuf>,
    #[command(flatten)]
    selection: SelectionArgs,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check (default: the current directory). Files and
    /// package folders are checked within their project (see `--isolated-files`).
    paths: Vec<PathBuf>,
    /// Analyse only the files given, not the project they belong to. By default a file
    /// (or a package folder) is checked within its project, so that a route in another
    /// module that reaches a blocking call through it is reported too.
    #[arg(long)]
    isolated_files: bool,
    #[arg(long, value_enum, default_value = "text")]
    output_format: OutputFormat,
    #[command(flatten)]
    selection: SelectionArgs,
    /// Exit with status 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Print findings only: no summary line, no warnings.
    #[arg(long, short)]
    quiet: bool,
    /// Apply the safe fixes and write the files.
    #[arg(long)]
    fix: bool,
    /// Also apply the unsafe fixes (with --fix or --diff).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them.
    #[arg(long)]
    diff: bool,
    /// List the findings that were fixed.
    #[arg(long)]
    show_fixes: bool,
    /// Order of the findings in text and concise output.
    #[arg(long, value_enum, default_value = "severity")]
    sort: SortBy,
    /// In text output, show the chain of every call site that reaches a blocking call
    /// through helpers (by default the worst 3 of each, and how many more there are).
    #[arg(long)]
    show_all: bool,
    /// Report only the findings not recorded in this baseline (see `--write-baseline`),
    /// and list the recorded ones that no longer occur.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fix", "diff"])]
    baseline: Option<PathBuf>,
    /// Record today's findings in a baseline file (JSON), for `--baseline`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fix", "diff", "add_noqa", "baseline"])]
    write_baseline: Option<PathBuf>,
    /// Add a `# noqa: CODE` comment on the line of each finding (merged into a `# noqa`
    /// already there), so that the next check starts clean.
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    add_noqa: bool,
    /// Print how many findings each rule has instead of the findings.
    #[arg(long, conflicts_with_all = ["fix", "diff", "add_noqa", "write_baseline"])]
    statistics: bool,
    /// Print the settings the check would use, and where each comes from (default,
    /// configuration file, command line), then stop.
    #[arg(long)]
    show_settings: bool,
}

/// How a run ends, as its exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExitStatus {
    /// Nothing found (or `--exit-zero`).
    Success,
    /// Findings (or, with `--diff`, fixes to make).
    Failure,
    /// The run could not do what was asked; the reason is on standard error.
    Error,
}

impl ExitStatus {
    fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}

/// Why a command could not run.
#[derive(Debug, thiserror::Error)]
enum Error {
    #[error("cannot read the working directory: {0}")]
    WorkingDirectory(std::io::Error),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Selector(#[from] UnknownSelector),
    #[error(transparent)]
    Glob(#[from] BadGlob),
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    /// A `loopsafe probe` result that cannot be read (the message names the file).
    #[error("{0}")]
    ProbeResult(String),
    #[error("cannot write {path}: {error}")]
    WriteReport {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot remove the cache: {0}")]
    Clean(std::io::Error),
    #[error("`{0}` is not a rule code or name (see `loopsafe rules`)")]
    UnknownRule(String),
    #[error("the language server stopped: {0}")]
    Server(String),
    #[error(transparent)]
    Baseline(#[from] loopsafe_core::baseline::BaselineError),
}

fn main() -> ExitCode {
    alloc::disable_huge_pages();
    alloc::reserve_arenas();
    let cli = Cli::parse();
    let status = match cli.command {
        // Its own statuses: 130 when interrupted.
        Command::Probe(cmd) => return probe::run(cmd),
        command => run(command).unwrap_or_else(|e| {
            print_error(&e);
            ExitStatus::Error
        }),
    };
    exit_now(status)
}

/// How every error reaches the user.
fn print_error(e: &dyn std::fmt::Display) {
    eprintln!("loopsafe: error: {e}");
}

fn run(command: Command) -> Result<ExitStatus, Error> {
    match command {
        Command::Check(args) => run_check(args),
        Command::Report(args) => run_report(args),
        Command::Probe(_) => unreachable!("probe is run by `main`"),
        Command::ParseOnly { paths } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let cwd = std::env::current_dir().unwrap_or_default();
            // SAFETY: the process runs one check at a time.
            let scope = Some(unsafe { alloc::scratch_scope() });
            let n = loopsafe_core::parse_only(&paths, &Settings::defaults(cwd), scope)?;
            println!("{n} files parsed");
            Ok(ExitStatus::Success)
        }
        Command::Clean => {
            let cwd = std::env::current_dir().unwrap_or_default();
            if loopsafe_core::cache::clean(&cwd).map_err(Error::Clean)? {
                println!("Removed {}", loopsafe_core::cache::DIR);
            } else {
                println!("No cache here.");
            }
            Ok(ExitStatus::Success)
        }
        Command::Server { no_cache } => {
            let cache = !no_cache && std::env::var_os("LOOPSAFE_NO_CACHE").is_none();
            let options = loopsafe_server::Options {
                cache,
                packages_cache: cache
                    .then(loopsafe_core::packages::default_cache_dir)
                    .flatten(),
                ..loopsafe_server::Options::default()
            };
            loopsafe_server::run_stdio(options).map_err(|e| Error::Server(e.to_string()))?;
            Ok(ExitStatus::Success)
        }
        Command::Rule { code } => {
            let rule = Rule::from_code(&code).ok_or(Error::UnknownRule(code))?;
            print!("{}", render_doc(rule.info()));
            Ok(ExitStatus::Success)
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
            Ok(ExitStatus::Success)
        }
    }
}

fn settings_for(args: &SelectionArgs, paths: &[PathBuf]) -> Result<Settings, Error> {
    let cwd = std::env::current_dir().map_err(Error::WorkingDirectory)?;
    let config_file = if args.isolated {
        None
    } else if let Some(path) = &args.config {
        Some(path.clone())
    } else {
        config::find_config(paths.first().map(PathBuf::as_path).unwrap_or(&cwd))
    };
    let mut settings = match config_file {
        Some(path) => config::load(&path)?,
        None => Settings::defaults(cwd.clone()),
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
    for pattern in args.exclude.iter().chain(&args.extend_exclude) {
        config::validate_glob(pattern)?;
    }
    if !args.exclude.is_empty() {
        settings.exclude = args.exclude.clone();
    }
    settings
        .extend_exclude
        .extend(args.extend_exclude.iter().cloned());
    settings.check_tests |= args.check_tests;
    if let Some(min) = args.min_severity {
        settings.min_severity = min.into();
    }
    settings.console_scripts = config::console_scripts(paths.first().unwrap_or(&cwd));
    match &args.python {
        Some(python) => settings.python = Some(cwd.join(python)),
        None if settings.python.is_none() => {
            settings.python = std::env::var_os("VIRTUAL_ENV")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from);
        }
        None => {}
    }
    Ok(settings)
}

/// The paths (default `.`), their settings, and check options for the CLI.
fn prepare(
    paths: &[PathBuf],
    selection: &SelectionArgs,
    notes: bool,
) -> Result<(Vec<PathBuf>, Settings, CheckOptions), Error> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let settings = settings_for(selection, &paths)?;
    let options = CheckOptions {
        // SAFETY: the process runs one check at a time.
        scope: Some(unsafe { alloc::scratch_scope() }),
        notes,
        cache: (!selection.no_cache && std::env::var_os("LOOPSAFE_NO_CACHE").is_none())
            .then(|| settings.root.clone()),
        packages_cache: (!selection.no_cache && std::env::var_os("LOOPSAFE_NO_CACHE").is_none())
            .then(loopsafe_core::packages::default_cache_dir)
            .flatten(),
        ..CheckOptions::default()
    };
    Ok((paths, settings, options))
}

fn run_check(args: CheckArgs) -> Result<ExitStatus, Error> {
    let (paths, settings, mut options) = prepare(&args.paths, &args.selection, false)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    let given = paths.clone();
    let paths = match (
        args.isolated_files,
        loopsafe_core::focus::scope(&paths, &cwd),
    ) {
        (false, Some(scope)) => {
            options.focus = Some(scope.focus);
            scope.paths
        }
        _ => paths,
    };
    if args.show_settings {
        let shown = show_settings::Shown {
            args: &args.selection,
            given: &given,
            analysed: &paths,
            settings: &settings,
            options: &options,
        };
        print_out(&shown.render(&cwd));
        return Ok(ExitStatus::Success);
    }
    if args.fix || args.diff {
        return run_fix(&args, &paths, &settings, &options, &cwd);
    }
    options.without_fixes = !args.statistics
        && matches!(
            args.output_format,
            OutputFormat::Concise
                | OutputFormat::Github
                | OutputFormat::Gitlab
                | OutputFormat::Junit
        );
    // Read before the check: a baseline that cannot be used stops the run at once.
    let baseline = match &args.baseline {
        Some(path) => Some(loopsafe_core::baseline::Baseline::read(path)?),
        None => None,
    };
    let mut result = check_with(&paths, &settings, &options)?;
    if let Some(path) = &args.write_baseline {
        let n = loopsafe_core::baseline::write(&result.diagnostics, &result.sources, path)?;
        if !args.quiet {
            println!(
                "Recorded {n} finding{} in {}: `--baseline {}` reports only new ones.",
                adopt::plural(n),
                path.display(),
                path.display()
            );
        }
        return Ok(ExitStatus::Success);
    }
    let before_baseline = result.diagnostics.len();
    let gone = match &baseline {
        Some(b) => b.apply(&mut result.diagnostics, &result.sources),
        None => vec![],
    };
    let baselined = before_baseline - result.diagnostics.len();
    if args.add_noqa {
        return add_noqa(&result, args.quiet);
    }
    match args.sort {
        SortBy::Severity => render::sort_by_severity(&mut result.diagnostics),
        SortBy::Reach => render::sort_by_reach(&mut result.diagnostics),
        SortBy::Location => {}
    }
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = render::TextOptions {
        color,
        show_all: args.show_all,
    };
    let mut out = match (args.statistics, args.output_format) {
        (true, OutputFormat::Json) => adopt::statistics_json(&result),
        (true, _) => adopt::statistics(&result),
        (false, format) => findings(format, &result, &cwd, text),
    };
    if baseline.is_some() && !args.statistics && args.output_format == OutputFormat::Json {
        out = adopt::json_with_baseline(&out, &gone, &cwd);
    }
    if matches!(
        args.output_format,
        OutputFormat::Text | OutputFormat::Concise
    ) && !args.quiet
    {
        out.push_str(&render::summary(&result));
        out.push('\n');
        if baselined > 0 {
            out.push_str(&format!(
                "{baselined} finding{} recorded in the baseline not shown.\n",
                adopt::plural(baselined)
            ));
        }
        out.push_str(&adopt::gone_note(&gone, &cwd));
    }
    print_out(&out);
    if !args.quiet {
        for w in &result.warnings {
            eprintln!("loopsafe: warning: {w}");
        }
    }
    Ok(if result.diagnostics.is_empty() || args.exit_zero {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// `--add-noqa`: writes the comments, each file parsed again first, and says how many.
fn add_noqa(result: &loopsafe_core::CheckResult, quiet: bool) -> Result<ExitStatus, Error> {
    let outcome = loopsafe_core::noqa::add_noqa(&result.diagnostics, &result.sources);
    let mut failed = false;
    let mut lines = 0;
    let mut files = 0;
    for file in &outcome.files {
        match apply::write_fixed(&file.path, &file.text) {
            Ok(()) => {
                lines += file.lines;
                files += 1;
            }
            Err(e) => {
                print_error(&e);
                failed = true;
            }
        }
    }
    if !quiet {
        let cwd = std::env::current_dir().unwrap_or_default();
        for s in &outcome.skipped {
            eprintln!(
                "loopsafe: warning: {}:{}: no `# noqa` added: {}",
                render::display_path(&s.path, &cwd),
                s.row,
                s.reason
            );
        }
        println!(
            "Added a `# noqa` comment on {lines} line{} in {files} file{}.",
            adopt::plural(lines),
            adopt::plural(files)
        );
    }
    Ok(if failed {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}

fn run_report(args: ReportArgs) -> Result<ExitStatus, Error> {
    let (paths, settings, options) = prepare(&args.paths, &args.selection, true)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    // The files are found once, for the check and for the fixes.
    let discovery = loopsafe_core::Discovery::new(&paths, &settings, &options)?;
    let result = loopsafe_core::check_discovered(&discovery, &options);
    // What the fixes would change, worked out in memory: nothing is written.
    let fixes = apply::fix_discovered(&discovery, &options, Applicability::Unsafe);
    let title = args.title.clone().unwrap_or_else(|| {
        let first = std::path::absolute(&paths[0]).unwrap_or(paths[0].clone());
        first
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "project".into())
    });
    let date = args.date.clone().unwrap_or_else(today);
    let impact = match args.impact.as_slice() {
        [before, after] => {
            Some(probe::impact(before, after, args.output.as_deref()).map_err(Error::ProbeResult)?)
        }
        _ => None,
    };
    let text = report::markdown(&report::ReportInput {
        result: &result,
        changed: &fixes.changed,
        cwd: &cwd,
        title: &title,
        date: &date,
        impact: impact.as_ref(),
    });
    for w in &result.warnings {
        eprintln!("loopsafe: warning: {w}");
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).map_err(|error| Error::WriteReport {
                path: path.clone(),
                error,
            })?;
        }
        None => print_out(&text),
    }
    Ok(ExitStatus::Success)
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The findings in the chosen output format.
fn findings(
    format: OutputFormat,
    result: &loopsafe_core::CheckResult,
    cwd: &std::path::Path,
    text: render::TextOptions,
) -> String {
    match format {
        OutputFormat::Json => render::json(result, cwd),
        OutputFormat::Sarif => render::sarif(result, cwd),
        OutputFormat::Github => render::github(result, cwd),
        OutputFormat::Text => render::text_with(result, cwd, text),
        OutputFormat::Concise => render::concise(result, cwd),
        OutputFormat::Gitlab => loopsafe_core::ci_formats::gitlab(result, cwd),
        OutputFormat::Junit => loopsafe_core::ci_formats::junit(result, cwd),
    }
}

fn print_out(out: &str) {
    let mut lock = std::io::stdout().lock();
    // A closed pipe (`loopsafe check | head`) is not an error worth a panic.
    let _ = lock.write_all(out.as_bytes());
    let _ = lock.flush();
}

/// `--fix` and `--diff`: apply the fixes in memory, then write them or show them.
fn run_fix(
    args: &CheckArgs,
    paths: &[PathBuf],
    settings: &Settings,
    options: &CheckOptions,
    cwd: &std::path::Path,
) -> Result<ExitStatus, Error> {
    let threshold = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let outcome = fix_project(paths, settings, options, threshold)?;
    for w in outcome.result.warnings.iter().chain(&outcome.warnings) {
        if !args.quiet {
            eprintln!("loopsafe: warning: {w}");
        }
    }
    if args.diff {
        print_out(&render::diff(&outcome.changed, cwd));
        if !args.quiet {
            let n = outcome.fixed.len();
            eprintln!(
                "Would fix {n} finding{} in {} file{}.",
                if n == 1 { "" } else { "s" },
                outcome.changed.len(),
                if outcome.changed.len() == 1 { "" } else { "s" }
            );
        }
        return Ok(if outcome.changed.is_empty() || args.exit_zero {
            ExitStatus::Success
        } else {
            ExitStatus::Failure
        });
    }
    let mut failed = false;
    for file in &outcome.changed {
        // A file that cannot be written is told at once, and the others are still written.
        if let Err(e) = apply::write_fixed(&file.path, &file.fixed) {
            print_error(&e);
            failed = true;
        }
    }
    let result = &outcome.result;
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = render::TextOptions {
        color,
        show_all: args.show_all,
    };
    let mut out = findings(args.output_format, result, cwd, text);
    let machine = matches!(
        args.output_format,
        OutputFormat::Json
            | OutputFormat::Sarif
            | OutputFormat::Github
            | OutputFormat::Gitlab
            | OutputFormat::Junit
    );
    if !machine && !args.quiet {
        if args.show_fixes && !outcome.fixed.is_empty() {
            out.push_str("Fixed:\n");
            for f in &outcome.fixed {
                out.push_str(&format!(
                    "  {}:{}:{}: {} {}\n",
                    render::display_path(&f.path, cwd),
                    f.row,
                    f.column,
                    f.code,
                    f.message
                ));
            }
        }
        let n = outcome.fixed.len();
        out.push_str(&format!(
            "Fixed {n} finding{} in {} file{}; {} left.\n",
            if n == 1 { "" } else { "s" },
            outcome.changed.len(),
            if outcome.changed.len() == 1 { "" } else { "s" },
            result.diagnostics.len()
        ));
        let unsafe_left = result
            .diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Unsafe)
            })
            .count();
        if unsafe_left > 0 && !args.unsafe_fixes {
            out.push_str(&format!(
                "{unsafe_left} more can be fixed with `--unsafe-fixes` (review them).\n"
            ));
        }
    }
    print_out(&out);
    Ok(if failed {
        ExitStatus::Error
    } else if result.diagnostics.is_empty() || args.exit_zero {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Ends the process as soon as the output is out. The normal exit runs mimalloc's clean-up,
/// which hands every page back to the system one by one: about 4% of a cached run's wall
/// time and 8% of its CPU (perf, `bench/`), for memory the system takes back anyway.
fn exit_now(status: ExitStatus) -> ExitCode {
    if std::io::stdout().flush().is_err() {
        return status.into();
    }
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` ends the process; nothing the program still needs is left
    // unwritten (output is flushed above; files are written and renamed before this).
    #[cfg(target_os = "linux")]
    unsafe {
        libc::_exit(i32::from(status.code()))
    }
    #[allow(unreachable_code)]
    status.into()
}
