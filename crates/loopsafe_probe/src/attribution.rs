//! Where the loop stalled: a watchdog loaded into the served Python process samples the
//! loop thread's stack while the loop is stalled (`python/loopsafe_watchdog.py`); this
//! module prepares it and groups what it wrote by the blocking site.
//!
//! The site is the innermost frame in the project's own code (the line a developer can
//! change); the library call is the frame it called, down to the innermost frame.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const WATCHDOG: &str = include_str!("../python/loopsafe_watchdog.py");
const SITECUSTOMIZE: &str = include_str!("../python/sitecustomize.py");

/// A temporary folder with the watchdog, put first on the served process's
/// `PYTHONPATH`; removed when dropped. Nothing is written into the user's project.
pub struct Watchdog {
    dir: PathBuf,
    out: PathBuf,
    threshold_ms: f64,
}

impl Watchdog {
    pub fn prepare(threshold_ms: f64) -> std::io::Result<Watchdog> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("loopsafe-watchdog-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("loopsafe_watchdog.py"), WATCHDOG)?;
        std::fs::write(dir.join("sitecustomize.py"), SITECUSTOMIZE)?;
        let out = dir.join("stalls.jsonl");
        std::fs::write(&out, "")?;
        Ok(Watchdog {
            dir,
            out,
            threshold_ms,
        })
    }

    /// The variables the served command runs with: our folder first on `PYTHONPATH`,
    /// the existing path after it.
    pub fn env(&self) -> Vec<(String, OsString)> {
        let mut path = OsString::from(&self.dir);
        if let Some(existing) = std::env::var_os("PYTHONPATH").filter(|p| !p.is_empty()) {
            path.push(":");
            path.push(existing);
        }
        vec![
            ("PYTHONPATH".into(), path),
            ("LOOPSAFE_WATCHDOG_OUT".into(), self.out.clone().into()),
            (
                "LOOPSAFE_STALL_THRESHOLD_MS".into(),
                self.threshold_ms.to_string().into(),
            ),
        ]
    }

    pub fn threshold_ms(&self) -> f64 {
        self.threshold_ms
    }

    /// What the watchdog wrote so far.
    pub fn read(&self) -> Records {
        Records::parse(&std::fs::read_to_string(&self.out).unwrap_or_default())
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One frame of a stack: `[filename, row, function]` as the watchdog writes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Frame {
    pub filename: String,
    pub row: u32,
    pub function: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Sample {
    stack: Vec<(String, u32, String)>,
    n: u32,
}

/// One stall the watchdog saw: when it began (`CLOCK_MONOTONIC` seconds), how long it
/// lasted, and the stacks sampled during it.
#[derive(Debug, Clone, Deserialize)]
pub struct Stall {
    pub at: f64,
    pub ms: f64,
    /// How long the watchdog sampled (the stall past the threshold), and how much CPU
    /// the loop thread used meanwhile.
    #[serde(default)]
    sampled_ms: Option<f64>,
    #[serde(default)]
    cpu_ms: Option<f64>,
    samples: Vec<Sample>,
}

impl Stall {
    /// The loop thread waited for the CPU or the interpreter lock while other threads
    /// or processes had them: no line of its own held it. A thread blocked in a call
    /// releases the lock, so the watchdog samples it about every millisecond; a thread
    /// running code on the loop uses the CPU; a starved one does neither.
    pub fn starved(&self) -> bool {
        let (Some(sampled), Some(cpu)) = (self.sampled_ms, self.cpu_ms) else {
            return false;
        };
        let samples: u32 = self.samples.iter().map(|s| s.n).sum();
        sampled >= 2.0 && f64::from(samples) < 0.5 * sampled && cpu < 0.25 * sampled
    }
}

/// The stalls no line is to blame for (see [`Stall::starved`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Starved {
    pub count: u64,
    pub total_ms: f64,
}

pub fn starved(stalls: &[Stall]) -> Starved {
    let starved: Vec<&Stall> = stalls.iter().filter(|s| s.starved()).collect();
    Starved {
        count: starved.len() as u64,
        total_ms: (starved.iter().map(|s| s.ms).sum::<f64>() * 10.0).round() / 10.0,
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Record {
    Start { cwd: String },
    Stall(Stall),
}

/// Everything the watchdog wrote: the served process's working directory (the
/// project, unless told otherwise) and the stalls.
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub cwd: Option<PathBuf>,
    pub stalls: Vec<Stall>,
}

impl Records {
    pub fn parse(text: &str) -> Records {
        let mut records = Records::default();
        // A line cut short by a process killed mid-write is skipped.
        for record in text.lines().filter_map(|l| serde_json::from_str(l).ok()) {
            match record {
                Record::Start { cwd } => {
                    records.cwd.get_or_insert(PathBuf::from(cwd));
                }
                Record::Stall(s) => records.stalls.push(s),
            }
        }
        records
    }
}

/// A finding of `loopsafe check` that a stall site matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRef {
    pub code: String,
    pub filename: String,
    pub row: u32,
}

/// The stalls that one site caused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StallSite {
    /// The innermost frame in the project's code; when the stack has none, the
    /// innermost frame.
    pub site: Frame,
    pub in_project: bool,
    /// The loop was importing a module (a library's lazy import on first use): a
    /// one-time stall per process, listed apart from the calls that block every time.
    #[serde(default)]
    pub importing: bool,
    /// The call the project made there, down to where it waited:
    /// `requests.api.get → socket.SocketIO.readinto`.
    pub library_call: Option<String>,
    pub total_ms: f64,
    pub count: u64,
    pub max_ms: f64,
    /// The stack of the longest stall, innermost frame first.
    pub stack: Vec<Frame>,
    /// The static finding at the site, when `loopsafe check` reports one.
    pub finding: Option<FindingRef>,
}

/// Where a stack's frames are: the project's own files, or not.
struct Classifier<'a> {
    project: &'a Path,
}

impl Classifier<'_> {
    fn in_project(&self, filename: &str) -> bool {
        let path = Path::new(filename);
        path.is_absolute()
            && path.starts_with(self.project)
            && !filename.contains("/site-packages/")
            && !filename.contains("/dist-packages/")
            && !path
                .strip_prefix(self.project)
                .is_ok_and(|rest| rest.components().any(|c| is_venv_dir(c.as_os_str())))
    }

    /// A project file relative to the project; others as they are.
    fn display(&self, filename: &str) -> String {
        match Path::new(filename).strip_prefix(self.project) {
            Ok(rest) if self.in_project(filename) => rest.to_string_lossy().into_owned(),
            _ => filename.to_string(),
        }
    }

    fn frame(&self, (filename, row, function): &(String, u32, String)) -> Frame {
        Frame {
            filename: self.display(filename),
            row: *row,
            function: function.clone(),
        }
    }
}

fn is_venv_dir(name: &std::ffi::OsStr) -> bool {
    matches!(
        name.to_str(),
        Some(".venv" | "venv" | ".tox" | ".nox" | "node_modules")
    )
}

/// The loop's own machinery (waiting for events, or uvloop's C code between two
/// callbacks, whose stack ends where the loop was started): a heartbeat was late
/// without a callback on the loop being at fault (another thread held the interpreter
/// lock).
fn in_loop_machinery(stack: &[(String, u32, String)]) -> bool {
    stack.first().is_some_and(|(file, _, _)| {
        [
            "/selectors.py",
            "/asyncio/base_events.py",
            "/asyncio/runners.py",
            "/uvloop/__init__.py",
        ]
        .iter()
        .any(|m| file.ends_with(m))
    })
}

fn importing(stack: &[(String, u32, String)]) -> bool {
    stack
        .iter()
        .any(|(file, _, _)| file.starts_with("<frozen importlib"))
}

/// Python module name for a file outside the project: `requests.api` for
/// `.../site-packages/requests/api.py`, `socket` for the standard library's.
fn module_name(filename: &str) -> String {
    if let Some(frozen) = filename.strip_prefix("<frozen ") {
        return frozen.trim_end_matches('>').to_string();
    }
    let tail = ["/site-packages/", "/dist-packages/"]
        .iter()
        .find_map(|m| filename.rsplit_once(m).map(|(_, t)| t.to_string()))
        .or_else(|| {
            // The standard library: `.../lib/python3.11/socket.py`.
            let (_, t) = filename.rsplit_once("/lib/python3")?;
            t.split_once('/').map(|(_, t)| t.to_string())
        })
        .unwrap_or_else(|| {
            let path = Path::new(filename);
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
            match (stem.as_deref(), path.parent().and_then(Path::file_name)) {
                (Some("__init__"), Some(dir)) => dir.to_string_lossy().into_owned(),
                (Some(stem), Some(dir)) => format!("{}/{stem}", dir.to_string_lossy()),
                (Some(stem), None) => stem.to_string(),
                _ => filename.to_string(),
            }
        });
    let tail = tail.strip_suffix(".py").unwrap_or(&tail);
    let tail = tail.strip_suffix("/__init__").unwrap_or(tail);
    tail.replace('/', ".")
}

fn qualified(frame: &(String, u32, String)) -> String {
    format!("{}.{}", module_name(&frame.0), frame.2)
}

/// The site of one sampled stack, and the library call made there.
fn site_of(
    stack: &[(String, u32, String)],
    classify: &Classifier,
) -> Option<(Frame, bool, Option<String>)> {
    let first = stack.first()?;
    let Some(i) = stack.iter().position(|f| classify.in_project(&f.0)) else {
        return Some((classify.frame(first), false, None));
    };
    let library = (i > 0).then(|| {
        let entry = qualified(&stack[i - 1]);
        let innermost = qualified(first);
        if i == 1 {
            entry
        } else {
            format!("{entry} → {innermost}")
        }
    });
    Some((classify.frame(&stack[i]), true, library))
}

/// Groups the stalls by site, the one that cost the most first. Each stall goes to
/// the site most of its samples were at.
pub fn aggregate(stalls: &[Stall], project: &Path) -> Vec<StallSite> {
    let classify = Classifier { project };
    let mut sites: BTreeMap<(Frame, bool), StallSite> = BTreeMap::new();
    for stall in stalls.iter().filter(|s| !s.starved()) {
        type Weight = (u32, bool, Option<String>, usize);
        let mut weights: BTreeMap<(Frame, bool), Weight> = BTreeMap::new();
        for (k, sample) in stall.samples.iter().enumerate() {
            if in_loop_machinery(&sample.stack) {
                continue;
            }
            if let Some((site, in_project, library)) = site_of(&sample.stack, &classify) {
                let key = (site, importing(&sample.stack));
                weights.entry(key).or_insert((0, in_project, library, k)).0 += sample.n;
            }
        }
        let Some((site, (_, in_project, library, k))) =
            weights.into_iter().max_by_key(|(_, w)| w.0)
        else {
            continue;
        };
        let stack = || {
            stall.samples[k]
                .stack
                .iter()
                .map(|f| classify.frame(f))
                .collect::<Vec<_>>()
        };
        let entry = sites.entry(site.clone()).or_insert_with(|| StallSite {
            site: site.0,
            in_project,
            importing: site.1,
            library_call: library,
            total_ms: 0.0,
            count: 0,
            max_ms: 0.0,
            stack: stack(),
            finding: None,
        });
        entry.total_ms += stall.ms;
        entry.count += 1;
        if stall.ms > entry.max_ms {
            entry.max_ms = stall.ms;
            entry.stack = stack();
        }
    }
    let mut out: Vec<StallSite> = sites
        .into_values()
        .map(|mut s| {
            s.total_ms = (s.total_ms * 10.0).round() / 10.0;
            s.max_ms = (s.max_ms * 10.0).round() / 10.0;
            s
        })
        .collect();
    out.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms));
    out
}

impl StallSite {
    /// `app/middleware/tenant.py:73 in TenantMiddleware._lookup_org`
    pub fn place(&self) -> String {
        format!(
            "{}:{} in {}",
            self.site.filename, self.site.row, self.site.function
        )
    }

    pub fn same_site(&self, other: &StallSite) -> bool {
        self.site == other.site && self.importing == other.importing
    }

    /// Whether `loopsafe check` reports the site, in words.
    pub fn static_match(&self) -> String {
        match (&self.finding, self.in_project) {
            _ if self.importing => {
                "importing a module on first use: once per process, not on every request".into()
            }
            (Some(f), _) => format!("confirmed: {} at {}:{}", f.code, f.filename, f.row),
            (None, true) => {
                "not found statically: if this call blocks, add it to `extend-blocking-calls`"
                    .into()
            }
            (None, false) => "outside the project's code".into(),
        }
    }
}

/// The text output's section: the five costliest sites.
pub fn text(sites: &[StallSite], starved: Option<&Starved>, threshold_ms: f64) -> String {
    let mut out = format!(
        "where the loop stalled (stacks sampled while a heartbeat was over {} late)\n",
        crate::human_ms(threshold_ms)
    );
    let starved_line = starved.filter(|s| s.count > 0).map(|s| {
        format!(
            "  {} in {} the loop thread waited for the CPU or the interpreter lock (other threads or processes were busy): no line to blame\n",
            crate::human_ms(s.total_ms),
            stalls(s.count)
        )
    });
    if sites.is_empty() {
        out.push_str("  no line held the loop over the threshold\n");
        out.push_str(starved_line.as_deref().unwrap_or_default());
        return out;
    }
    for (i, s) in sites.iter().take(5).enumerate() {
        out.push_str(&format!("  {}. {}\n", i + 1, s.place()));
        if let Some(call) = &s.library_call {
            out.push_str(&format!("     calls {call}\n"));
        }
        out.push_str(&format!(
            "     {} stalled in {}, longest {}\n     {}\n",
            crate::human_ms(s.total_ms),
            stalls(s.count),
            crate::human_ms(s.max_ms),
            s.static_match()
        ));
    }
    if sites.len() > 5 {
        out.push_str(&format!(
            "  and {} more site(s) in the JSON output\n",
            sites.len() - 5
        ));
    }
    out.push_str(starved_line.as_deref().unwrap_or_default());
    out
}

fn stalls(n: u64) -> String {
    format!("{n} stall{}", if n == 1 { "" } else { "s" })
}

/// `probe compare`: each stall site before, and what became of it after.
pub fn compare(before: &[StallSite], after: &[StallSite]) -> String {
    if before.is_empty() && after.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nwhere the loop stalled\n");
    for s in before {
        let now = after.iter().find(|a| a.same_site(s));
        let then = format!("{} in {}", crate::human_ms(s.total_ms), stalls(s.count));
        match now {
            None => out.push_str(&format!("  gone      {} ({then})\n", s.place())),
            Some(a) => out.push_str(&format!(
                "  remains   {} ({then}, now {} in {})\n",
                s.place(),
                crate::human_ms(a.total_ms),
                stalls(a.count)
            )),
        }
    }
    for a in after
        .iter()
        .filter(|a| !before.iter().any(|b| b.same_site(a)))
    {
        out.push_str(&format!(
            "  new       {} ({} in {})\n",
            a.place(),
            crate::human_ms(a.total_ms),
            stalls(a.count)
        ));
    }
    out
}

/// The seconds since boot on the clock the watchdog's `time.monotonic()` reads.
pub fn monotonic_now() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given, which lives here.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORDS: &str = r#"{"kind":"start","pid":1,"cwd":"/srv/app"}
{"kind":"stall","pid":1,"at":10.0,"ms":200.5,"samples":[{"stack":[["/usr/lib/python3.11/socket.py",705,"SocketIO.readinto"],["/v/lib/python3.11/site-packages/requests/api.py",73,"get"],["/srv/app/app/mw.py",64,"Mw._lookup"],["/srv/app/app/mw.py",30,"Mw.dispatch"]],"n":190}]}
{"kind":"stall","pid":1,"at":11.0,"ms":50.0,"samples":[{"stack":[["/srv/app/app/mw.py",64,"Mw._lookup"]],"n":2},{"stack":[["/usr/lib/python3.11/socket.py",705,"SocketIO.readinto"],["/v/lib/python3.11/site-packages/requests/api.py",73,"get"],["/srv/app/app/mw.py",64,"Mw._lookup"]],"n":40}]}
{"kind":"stall","pid":1,"at":12.0,"ms":20.0,"samples":[{"stack":[["/usr/lib/python3.11/selectors.py",468,"EpollSelector.select"]],"n":9}]}
{"kind":"stall","pid":1,"at":13.0,"ms":30.0,"samples":[{"stack":[["/srv/app/.venv/lib/python3.11/site-packages/slow/__init__.py",3,"work"],["/srv/app/app/routes.py",9,"handler"]],"n":20}]}
{"kind":"stall","pid":1,"at":13.5,"ms":15.0,"samples":[{"stack":[["<frozen importlib._bootstrap_external>",1,"_path_stat"],["/v/lib/python3.11/site-packages/httpx/_client.py",9,"AsyncClient.get"],["/srv/app/app/mw.py",64,"Mw._lookup"]],"n":5}]}
{"kind":"stall","pid":1,"at":13.6,"ms":12.0,"samples":[{"stack":[["/usr/lib/python3.11/asyncio/runners.py",118,"Runner.run"]],"n":2}]}
{"kind":"stall","pid":1,"at":14.0,"ms":"#;

    #[test]
    fn stalls_group_by_the_innermost_project_frame() {
        let records = Records::parse(RECORDS);
        assert_eq!(records.cwd.as_deref(), Some(Path::new("/srv/app")));
        assert_eq!(records.stalls.len(), 6, "the cut line is skipped");
        let sites = aggregate(&records.stalls, Path::new("/srv/app"));
        assert_eq!(sites.len(), 3, "{sites:#?}");
        // A lazy import at the same line is a site of its own; the loop's machinery none.
        assert!(
            sites[2].importing && sites[2].site == sites[0].site,
            "{sites:#?}"
        );
        assert_eq!(
            sites[2].library_call.as_deref(),
            Some("httpx._client.AsyncClient.get → importlib._bootstrap_external._path_stat")
        );
        let top = &sites[0];
        assert_eq!(
            top.site,
            Frame {
                filename: "app/mw.py".into(),
                row: 64,
                function: "Mw._lookup".into()
            }
        );
        assert!(top.in_project);
        assert_eq!(
            top.library_call.as_deref(),
            Some("requests.api.get → socket.SocketIO.readinto")
        );
        assert_eq!((top.count, top.total_ms, top.max_ms), (2, 250.5, 200.5));
        assert_eq!(top.stack.len(), 4);
        // A package in the project's virtualenv is a library, not project code.
        assert_eq!(sites[1].site.filename, "app/routes.py");
        assert_eq!(sites[1].library_call.as_deref(), Some("slow.work"));
    }

    #[test]
    fn text_says_whether_the_check_found_each_site() {
        let records = Records::parse(RECORDS);
        let mut sites = aggregate(&records.stalls, Path::new("/srv/app"));
        sites[0].finding = Some(FindingRef {
            code: "LS201".into(),
            filename: "app/mw.py".into(),
            row: 64,
        });
        let shown = text(&sites, None, 10.0);
        assert!(shown.contains("1. app/mw.py:64 in Mw._lookup\n"), "{shown}");
        assert!(
            shown.contains("confirmed: LS201 at app/mw.py:64"),
            "{shown}"
        );
        assert!(shown.contains("2. app/routes.py:9 in handler\n"), "{shown}");
        assert!(shown.contains("not found statically"), "{shown}");
        let compared = compare(&sites[..2], &sites[1..]);
        assert!(compared.contains("gone      app/mw.py:64"), "{compared}");
        assert!(compared.contains("remains   app/routes.py:9"), "{compared}");
        assert!(compared.contains("new       app/mw.py:64"), "{compared}");
        assert!(text(&sites, None, 10.0).contains("importing a module on first use"));
    }

    #[test]
    fn a_starved_loop_thread_names_no_line() {
        let line = |sampled: f64, cpu: f64, n: u32| {
            format!(
                r#"{{"kind":"stall","at":1.0,"ms":{},"sampled_ms":{sampled},"cpu_ms":{cpu},"samples":[{{"stack":[["/srv/app/app/mw.py",9,"f"]],"n":{n}}}]}}"#,
                sampled + 10.0
            )
        };
        let records = Records::parse(
            &[
                line(40.0, 0.5, 36), // blocked in a call: sampled every millisecond
                line(40.0, 30.0, 6), // running code on the loop
                line(40.0, 0.5, 3),  // waiting for the CPU or the lock
            ]
            .join("\n"),
        );
        let flags: Vec<bool> = records.stalls.iter().map(Stall::starved).collect();
        assert_eq!(flags, [false, false, true]);
        let sites = aggregate(&records.stalls, Path::new("/srv/app"));
        assert_eq!((sites[0].count, sites[0].total_ms), (2, 100.0));
        assert_eq!(
            starved(&records.stalls),
            Starved {
                count: 1,
                total_ms: 50.0
            }
        );
        let shown = text(&sites, Some(&starved(&records.stalls)), 10.0);
        assert!(
            shown.contains("50 ms in 1 stall the loop thread waited for the CPU"),
            "{shown}"
        );
    }

    #[test]
    fn module_names() {
        assert_eq!(
            module_name("/v/lib/python3.11/site-packages/requests/__init__.py"),
            "requests"
        );
        assert_eq!(
            module_name("/usr/lib/python3.11/asyncio/events.py"),
            "asyncio.events"
        );
        assert_eq!(module_name("/tmp/x/libs/slowlib/__init__.py"), "slowlib");
    }
}
