//! `loopsafe probe` and `loopsafe probe compare`: the command-line side of the probe.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use loopsafe_core::report::{Impact, StallRow};
use loopsafe_probe::attribution::{self, StallSite, Watchdog};
use loopsafe_probe::serve::{wait_ready, Served};
use loopsafe_probe::{Config, ProbeResult, Progress, Target};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ProbeCommand {
    #[command(subcommand)]
    sub: Option<ProbeSub>,
    #[command(flatten)]
    run: ProbeArgs,
}

#[derive(Subcommand)]
enum ProbeSub {
    /// Compare two probe results (JSON) side by side, with ratios.
    Compare { before: PathBuf, after: PathBuf },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ProbeFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct ProbeArgs {
    /// The service's base URL: http://127.0.0.1:8000
    url: Option<String>,
    /// A request to load the service with, `METHOD /path` (repeat for several).
    #[arg(long = "load", value_name = "METHOD /PATH")]
    load: Vec<String>,
    /// The cheap request that measures the stall, `GET /health`.
    #[arg(long, value_name = "METHOD /PATH")]
    canary: Option<String>,
    /// A header for every request, `Name: value` (repeat for several).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The body of the load requests: a string, or @file.
    #[arg(long)]
    body: Option<String>,
    /// How many connections load the service at once.
    #[arg(long, default_value_t = 10)]
    concurrency: usize,
    /// How long to load it (at most 10 minutes): 10s, 500ms, 2m.
    #[arg(long, default_value = "10s")]
    duration: String,
    /// Stop after this many load requests, if that comes first.
    #[arg(long)]
    requests: Option<u64>,
    /// How often the canary is sent.
    #[arg(long, default_value = "20ms")]
    canary_interval: String,
    /// How long the canary runs alone first, for the idle baseline.
    #[arg(long, default_value = "2s")]
    idle: String,
    /// The longest a request may take before it counts as failed.
    #[arg(long, default_value = "5s")]
    timeout: String,
    #[arg(long, value_enum, default_value = "text")]
    output_format: ProbeFormat,
    /// Write the result to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Start the service with this shell command, probe it, then stop it.
    #[arg(long, value_name = "COMMAND")]
    serve: Option<String>,
    /// How long to wait for the served service to answer the canary.
    #[arg(long, default_value = "30s")]
    serve_timeout: String,
    /// Where the served command's output goes (default: nowhere).
    #[arg(long)]
    serve_log: Option<PathBuf>,
    /// With --serve: a heartbeat on the loop this late counts as a stall, and the loop
    /// thread's stack is sampled until the loop answers.
    #[arg(long, default_value = "10ms")]
    stall_threshold: String,
    /// With --serve: do not load the watchdog that finds where the loop stalled.
    #[arg(long)]
    no_attribution: bool,
    /// The project whose code the stalls are attributed to (default: the folder the
    /// served command runs in).
    #[arg(long)]
    project: Option<PathBuf>,
    /// Draw the canary's latency over time to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

pub fn run(cmd: ProbeCommand) -> ExitCode {
    match cmd.sub {
        Some(ProbeSub::Compare { before, after }) => compare(&before, &after),
        None => match probe(cmd.run) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("loopsafe: error: {e}");
                ExitCode::from(2)
            }
        },
    }
}

/// Reads a probe result written with `--output-format json`.
pub fn read_result(path: &Path) -> Result<ProbeResult, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a probe result (`loopsafe probe --output-format json`): {e}",
            path.display()
        )
    })
}

/// `report --impact`: the measured figures, the stall sites before and after, and,
/// when the report goes to a file, the canary chart beside it.
pub fn impact(before: &Path, after: &Path, output: Option<&Path>) -> Result<Impact, String> {
    let (b, a) = (read_result(before)?, read_result(after)?);
    let chart = match output {
        Some(report) => Some(write_chart(&b, &a, report)?),
        None => None,
    };
    let watched = b.config.stall_threshold_ms.is_some() || a.config.stall_threshold_ms.is_some();
    Ok(Impact {
        rows: loopsafe_probe::compare_rows(&b, &a)
            .into_iter()
            .map(|(what, before, after, _)| (what, before, after))
            .collect(),
        setting: format!(
            "{} connections for {} s on {}, canary `{}` every {} ms{}",
            a.config.concurrency,
            a.config.duration_s,
            a.config.load.join(", "),
            a.config.canary,
            a.config.canary_interval_ms,
            if a.config.machine.is_empty() {
                String::new()
            } else {
                format!("; {}", a.config.machine)
            }
        ),
        stalls: watched.then(|| stall_rows(&b.stalls, &a.stalls)),
        chart,
    })
}

/// Writes `NAME-canary.svg` beside the report `NAME.md`; the name the report links.
fn write_chart(b: &ProbeResult, a: &ProbeResult, report: &Path) -> Result<String, String> {
    let stem = report
        .file_stem()
        .map_or("report".into(), |s| s.to_string_lossy().into_owned());
    let name = format!("{stem}-canary.svg");
    let path = report.with_file_name(&name);
    let svg = loopsafe_probe::plot::canary_svg(&[("before", b), ("after", a)])?;
    std::fs::write(&path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(name)
}

fn stall_rows(before: &[StallSite], after: &[StallSite]) -> Vec<StallRow> {
    let both = before.iter().chain(
        after
            .iter()
            .filter(|a| !before.iter().any(|b| b.same_site(a))),
    );
    let figure = |list: &[StallSite], site: &StallSite| {
        list.iter()
            .find(|s| s.same_site(site))
            .map_or("none".to_string(), |s| {
                let plural = if s.count == 1 { "" } else { "s" };
                format!(
                    "{} ({} stall{plural})",
                    loopsafe_probe::human_ms(s.total_ms),
                    s.count
                )
            })
    };
    both.take(10)
        .map(|s| StallRow {
            site: format!(
                "`{}:{}` in `{}`",
                s.site.filename, s.site.row, s.site.function
            ),
            library_call: s
                .library_call
                .as_ref()
                .map_or(String::new(), |c| format!("`{c}`")),
            before: figure(before, s),
            after: figure(after, s),
            finding: match (&s.finding, s.in_project) {
                _ if s.importing => "a lazy import on first use (once per process)".into(),
                (Some(f), _) => format!("{} at `{}:{}`", f.code, f.filename, f.row),
                (None, true) => "not found statically".into(),
                (None, false) => "outside the project".into(),
            },
        })
        .collect()
}

fn compare(before: &Path, after: &Path) -> ExitCode {
    match (read_result(before), read_result(after)) {
        (Ok(b), Ok(a)) => {
            print!("{}", loopsafe_probe::compare(&b, &a));
            ExitCode::SUCCESS
        }
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("loopsafe: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `10s`, `500ms`, `2m`, `1.5s`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (like 10s, 500ms, 2m)"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        _ => return Err(format!("`{s}`: the unit must be ms, s or m")),
    };
    if !seconds.is_finite() || !(0.0..=86_400.0).contains(&seconds) {
        return Err(format!("`{s}` is out of range"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn config(args: &ProbeArgs) -> Result<Config, String> {
    let Some(url) = &args.url else {
        return Err("give the service's URL: `loopsafe probe http://127.0.0.1:8000 --load 'GET /' --canary 'GET /health'`".into());
    };
    let Some(canary) = &args.canary else {
        return Err("give a cheap request as the canary: --canary 'GET /health'".into());
    };
    let load = args
        .load
        .iter()
        .map(|l| l.parse::<Target>())
        .collect::<Result<Vec<_>, _>>()?;
    let headers = args
        .headers
        .iter()
        .map(|h| match h.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => {
                Ok((name.trim().to_string(), value.trim().to_string()))
            }
            _ => Err(format!("`{h}`: a header is `Name: value`")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let body = match &args.body {
        Some(b) => Some(match b.strip_prefix('@') {
            Some(path) => std::fs::read(path)
                .map_err(|e| format!("cannot read the body from {path}: {e}"))?
                .into(),
            None => b.clone().into_bytes().into(),
        }),
        None => None,
    };
    Ok(Config {
        base: url.clone(),
        load,
        canary: canary.parse()?,
        headers,
        body,
        concurrency: args.concurrency,
        duration: parse_duration(&args.duration)?,
        requests: args.requests,
        canary_interval: parse_duration(&args.canary_interval)?,
        timeout: parse_duration(&args.timeout)?,
        idle: parse_duration(&args.idle)?,
    })
}

/// Starts the served command, with the watchdog unless told not to.
fn start(args: &ProbeArgs) -> Result<(Option<Served>, Option<Watchdog>), String> {
    let Some(command) = &args.serve else {
        return Ok((None, None));
    };
    let log = match &args.serve_log {
        Some(path) => Some(
            std::fs::File::create(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let watchdog = if args.no_attribution {
        None
    } else {
        let threshold = parse_duration(&args.stall_threshold)?;
        if threshold < Duration::from_millis(1) {
            return Err("--stall-threshold must be at least 1 ms".into());
        }
        Some(
            Watchdog::prepare(threshold.as_secs_f64() * 1000.0)
                .map_err(|e| format!("cannot prepare the stall watchdog: {e}"))?,
        )
    };
    let env = watchdog.as_ref().map(Watchdog::env).unwrap_or_default();
    let served =
        Served::start(command, log, &env).map_err(|e| format!("cannot run `{command}`: {e}"))?;
    Ok((Some(served), watchdog))
}

/// Groups what the watchdog sampled during the probe by site, and matches each site
/// with `loopsafe check`'s findings on the project.
fn attribute(result: &mut ProbeResult, watchdog: &Watchdog, since: f64, project: Option<&Path>) {
    let records = watchdog.read();
    if records.cwd.is_none() {
        eprintln!(
            "loopsafe: warning: the stall watchdog did not start in the served process (is it Python? does the command set PYTHONPATH instead of adding to it?): no stall is attributed"
        );
        return;
    }
    let stalls: Vec<_> = records
        .stalls
        .into_iter()
        .filter(|s| s.at >= since)
        .collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let project = project
        .map(Path::to_path_buf)
        .or(records.cwd)
        .unwrap_or(cwd);
    let project = std::fs::canonicalize(&project).unwrap_or(project);
    result.stalls = attribution::aggregate(&stalls, &project);
    result.starved = Some(attribution::starved(&stalls));
    result.config.stall_threshold_ms = Some(watchdog.threshold_ms());
    if result.stalls.iter().any(|s| s.in_project) {
        match_findings(&mut result.stalls, &project);
    }
}

/// Each site in the project's code gets the finding `loopsafe check` reports there.
fn match_findings(sites: &mut [attribution::StallSite], project: &Path) {
    let selection = crate::SelectionArgs {
        min_severity: Some(crate::MinSeverity::Low),
        no_cache: true,
        ..Default::default()
    };
    let Ok((paths, settings, options)) =
        crate::prepare(&[project.to_path_buf()], &selection, false)
    else {
        return;
    };
    let Ok(checked) = loopsafe_core::check_with(&paths, &settings, &options) else {
        return;
    };
    let absolute =
        |p: &Path| std::fs::canonicalize(project.join(p)).unwrap_or_else(|_| project.join(p));
    for site in sites.iter_mut().filter(|s| s.in_project && !s.importing) {
        let file = absolute(Path::new(&site.site.filename));
        let row = site.site.row;
        let found = checked.diagnostics.iter().find(|d| {
            let here =
                absolute(&d.path) == file && (d.location.row == row || d.end_location.row == row);
            here || d
                .chain
                .iter()
                .any(|h| h.location.row == row && absolute(&h.path) == file)
        });
        site.finding = found.map(|d| attribution::FindingRef {
            code: d.rule.code().to_string(),
            filename: absolute(&d.path).strip_prefix(project).map_or_else(
                |_| d.path.display().to_string(),
                |p| p.display().to_string(),
            ),
            row: d.location.row,
        });
    }
}

fn probe(args: ProbeArgs) -> Result<ExitCode, String> {
    let config = config(&args)?;
    config.validate().map_err(|e| e.to_string())?;
    let serve_timeout = parse_duration(&args.serve_timeout)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the probe: {e}"))?;
    let (mut served, watchdog) = start(&args)?;
    let mut since = f64::INFINITY;
    let live = std::io::stderr().is_terminal();
    let show = |p: Progress| {
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K  {:>5.1} s  {} load requests  canary slowest so far {}",
            p.elapsed.as_secs_f64(),
            p.requests,
            loopsafe_probe::human_ms(p.canary_max_ms)
        );
        let _ = err.flush();
    };
    let progress: Option<&(dyn Fn(Progress) + Sync)> = if live { Some(&show) } else { None };
    let outcome = runtime.block_on(async {
        let work = async {
            if let Some(s) = served.as_mut() {
                wait_ready(&config, s, serve_timeout).await?;
            }
            since = attribution::monotonic_now();
            loopsafe_probe::run(&config, progress)
                .await
                .map_err(|e| e.to_string())
        };
        tokio::select! {
            r = work => Some(r),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    if live {
        eprint!("\r\x1b[2K");
    }
    // Stops the served command and everything it started, whatever happened.
    drop(served.take());
    runtime.shutdown_timeout(Duration::from_secs(1));
    let mut result = match outcome {
        None => {
            eprintln!("loopsafe: interrupted");
            return Ok(ExitCode::from(130));
        }
        Some(r) => r?,
    };
    if let Some(watchdog) = &watchdog {
        attribute(&mut result, watchdog, since, args.project.as_deref());
    }
    if let Some(path) = &args.plot {
        let svg = loopsafe_probe::plot::canary_svg(&[("canary", &result)])?;
        std::fs::write(path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let text = match args.output_format {
        ProbeFormat::Text => loopsafe_probe::text(&result),
        ProbeFormat::Json => {
            let mut t = serde_json::to_string_pretty(&result).expect("results serialize");
            t.push('\n');
            t
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5h").is_err());
    }
}
