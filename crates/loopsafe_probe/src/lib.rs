//! `loopsafe probe`: measures how long a running service's event loop stalls.
//!
//! Load generators measure the endpoint they load. A blocked event loop hurts every
//! other request too, so the probe also sends a *canary*, a cheap request on a fixed
//! schedule, first alone (the idle baseline) and then while `concurrency` connections
//! load the suspect endpoints. Each canary's latency counts from when it was *meant* to
//! be sent, so a stalled loop cannot hide its stall by delaying the canaries
//! (no coordinated omission). The stall is the loaded canary p99 minus the idle one.
//!
//! Everything is bounded: a duration or request cap, a timeout per request, and the
//! canary schedule ends with the load.

pub mod attribution;
pub mod plot;
pub mod serve;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};

/// The longest a probe may run, whatever it is asked.
pub const MAX_DURATION: Duration = Duration::from_secs(600);

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("{0}")]
    Usage(String),
    #[error("the canary `{0}` never answered during the idle phase: is the service up at {1}?")]
    CanaryNeverAnswered(String, String),
}

/// `METHOD /path`, as written on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub method: String,
    pub path: String,
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.split_whitespace();
        let (Some(method), Some(path), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "`{s}`: expected `METHOD /path`, like `GET /health`"
            ));
        };
        Method::from_bytes(method.as_bytes())
            .map_err(|_| format!("`{method}` is not an HTTP method"))?;
        if !path.starts_with('/') {
            return Err(format!("`{path}`: the path must start with `/`"));
        }
        Ok(Target {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `http://host:port` (or https), without a path.
    pub base: String,
    pub load: Vec<Target>,
    pub canary: Target,
    pub headers: Vec<(String, String)>,
    pub body: Option<Bytes>,
    pub concurrency: usize,
    /// Stop the load after this long...
    pub duration: Duration,
    /// ...or after this many load requests, whichever comes first.
    pub requests: Option<u64>,
    pub canary_interval: Duration,
    pub timeout: Duration,
    /// How long the canary runs alone first.
    pub idle: Duration,
}

impl Config {
    pub fn validate(&self) -> Result<(), ProbeError> {
        let uri: Uri = self
            .base
            .parse()
            .map_err(|e| ProbeError::Usage(format!("`{}` is not a URL: {e}", self.base)))?;
        match uri.scheme_str() {
            Some("http") | Some("https") => {}
            _ => {
                return Err(ProbeError::Usage(format!(
                    "`{}`: only http:// and https:// URLs can be probed",
                    self.base
                )))
            }
        }
        if uri.host().is_none() {
            return Err(ProbeError::Usage(format!("`{}` has no host", self.base)));
        }
        if self.load.is_empty() {
            return Err(ProbeError::Usage("give at least one --load request".into()));
        }
        if self.concurrency == 0 || self.concurrency > 1024 {
            return Err(ProbeError::Usage(
                "--concurrency must be between 1 and 1024".into(),
            ));
        }
        if self.duration.is_zero() || self.duration > MAX_DURATION {
            return Err(ProbeError::Usage(format!(
                "--duration must be between 1 ms and {} s",
                MAX_DURATION.as_secs()
            )));
        }
        if self.canary_interval < Duration::from_millis(1) {
            return Err(ProbeError::Usage(
                "--canary-interval must be at least 1 ms".into(),
            ));
        }
        Ok(())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.trim_end_matches('/'))
    }
}

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadStats {
    /// Requests that got an answer or failed, in all.
    pub requests: u64,
    /// Answers with a 2xx or 3xx status.
    pub ok: u64,
    /// Failures by kind: `HTTP 500`, `timeout`, `connection refused`, ...
    pub errors: BTreeMap<String, u64>,
    /// Successful answers per second.
    pub rps: f64,
    pub latency_ms: Latency,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CanaryStats {
    pub requests: u64,
    pub errors: u64,
    pub latency_ms: Latency,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Canaries {
    pub idle: CanaryStats,
    pub loaded: CanaryStats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigEcho {
    pub url: String,
    pub load: Vec<String>,
    pub canary: String,
    pub concurrency: usize,
    pub duration_s: f64,
    pub requests: Option<u64>,
    pub canary_interval_ms: f64,
    pub timeout_ms: f64,
    pub idle_s: f64,
    /// Where the probe ran: operating system, architecture, CPUs. The generator and
    /// the service share them when the service runs on the same machine.
    #[serde(default)]
    pub machine: String,
    /// The late heartbeat that counts as a stall (ms); absent when the loop was not
    /// watched.
    #[serde(default)]
    pub stall_threshold_ms: Option<f64>,
}

/// What a probe measured. Serialized as the documented JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub load: LoadStats,
    pub canary: Canaries,
    /// Loaded canary p99 minus idle canary p99.
    pub stall_ms: f64,
    pub verdict: String,
    pub config: ConfigEcho,
    /// Where the loop stalled, sampled while it was stalled (`--serve` only), the
    /// costliest site first.
    #[serde(default)]
    pub stalls: Vec<attribution::StallSite>,
    /// The stalls in which the loop thread waited for the CPU or the interpreter lock
    /// that other threads or processes held: no line of the loop's is to blame.
    #[serde(default)]
    pub starved: Option<attribution::Starved>,
    /// Every canary: when it was meant to be sent (seconds from the start of the
    /// probe) and how long it took (ms); the idle phase comes first.
    #[serde(default)]
    pub canary_series: Vec<(f64, f64)>,
}

/// A snapshot for a live progress line.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub elapsed: Duration,
    pub loading: bool,
    pub requests: u64,
    pub canary_max_ms: f64,
}

struct Recorder {
    hist: Histogram<u64>,
    requests: u64,
    ok: u64,
    errors: BTreeMap<String, u64>,
}

impl Recorder {
    fn new() -> Self {
        Recorder {
            // Microseconds, up to an hour, three significant digits.
            hist: Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds"),
            requests: 0,
            ok: 0,
            errors: BTreeMap::new(),
        }
    }

    fn record(&mut self, latency: Duration, outcome: Result<u16, String>) {
        self.requests += 1;
        let _ = self.hist.record((latency.as_micros() as u64).max(1));
        match outcome {
            Ok(status) if status < 400 => self.ok += 1,
            Ok(status) => *self.errors.entry(format!("HTTP {status}")).or_default() += 1,
            Err(kind) => *self.errors.entry(kind).or_default() += 1,
        }
    }

    fn merge(&mut self, other: Recorder) {
        let _ = self.hist.add(&other.hist);
        self.requests += other.requests;
        self.ok += other.ok;
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
    }

    fn latency(&self) -> Latency {
        if self.hist.is_empty() {
            return Latency::default();
        }
        let ms = |v: u64| (v as f64 / 1000.0 * 10.0).round() / 10.0;
        Latency {
            p50: ms(self.hist.value_at_quantile(0.50)),
            p90: ms(self.hist.value_at_quantile(0.90)),
            p99: ms(self.hist.value_at_quantile(0.99)),
            max: ms(self.hist.max()),
        }
    }

    fn canary(&self) -> CanaryStats {
        CanaryStats {
            requests: self.requests,
            errors: self.errors.values().sum(),
            latency_ms: self.latency(),
        }
    }
}

type HttpClient = Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

fn client(pool: usize, timeout: Duration) -> HttpClient {
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(timeout));
    http.set_nodelay(true);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(pool)
        .build(connector)
}

/// One kept-alive HTTP/1.1 connection of a load worker.
type Connection = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// Opens a connection to the service (TLS for https).
async fn connect(config: &Config) -> Result<Connection, String> {
    use tower_service::Service;
    let uri: Uri = config.base.parse().map_err(|e| format!("bad URL: {e}"))?;
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(config.timeout));
    let mut connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    let stream = connector.call(uri).await.map_err(|e| {
        let text = e.to_string().to_lowercase();
        if text.contains("refused") {
            "connection refused".to_string()
        } else if text.contains("dns") || text.contains("lookup") || text.contains("resolve") {
            "DNS failure".to_string()
        } else {
            "connection failed".to_string()
        }
    })?;
    let (sender, conn) = hyper::client::conn::http1::handshake(stream)
        .await
        .map_err(|_| "connection failed".to_string())?;
    tokio::spawn(conn);
    Ok(sender)
}

/// A load request worked out once: method, path, headers.
struct Prepared {
    method: Method,
    path: Uri,
    headers: hyper::HeaderMap,
}

fn prepare(config: &Config, target: &Target) -> Result<Prepared, String> {
    let uri: Uri = config
        .url(&target.path)
        .parse()
        .map_err(|e| format!("bad URL: {e}"))?;
    let mut headers = hyper::HeaderMap::new();
    if let Some(authority) = uri.authority() {
        let host = hyper::header::HeaderValue::from_str(authority.as_str())
            .map_err(|e| format!("bad host: {e}"))?;
        headers.insert(hyper::header::HOST, host);
    }
    for (name, value) in &config.headers {
        let name = hyper::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| format!("bad header name `{name}`: {e}"))?;
        let value = hyper::header::HeaderValue::from_str(value)
            .map_err(|e| format!("bad header value `{value}`: {e}"))?;
        headers.append(name, value);
    }
    Ok(Prepared {
        method: Method::from_bytes(target.method.as_bytes()).expect("validated"),
        path: uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
            .parse()
            .expect("a path parses"),
        headers,
    })
}

/// Sends one load request on the worker's connection, opening it when needed.
async fn send_on(
    conn: &mut Option<Connection>,
    config: &Config,
    prepared: &Prepared,
) -> Result<u16, String> {
    if conn.as_ref().is_none_or(|c| c.is_closed()) {
        *conn = Some(connect(config).await?);
    }
    let sender = conn.as_mut().expect("just connected");
    sender
        .ready()
        .await
        .map_err(|_| "connection reset".to_string())?;
    let mut req = Request::new(Full::new(config.body.clone().unwrap_or_default()));
    *req.method_mut() = prepared.method.clone();
    *req.uri_mut() = prepared.path.clone();
    *req.headers_mut() = prepared.headers.clone();
    let resp = sender.send_request(req).await.map_err(|e| {
        let reset = std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionReset);
        if reset {
            "connection reset by the server".to_string()
        } else if e.is_closed() || e.is_incomplete_message() || e.is_canceled() {
            "connection closed by the server".to_string()
        } else {
            "connection error".to_string()
        }
    })?;
    let status = resp.status().as_u16();
    resp.into_body()
        .collect()
        .await
        .map_err(|_| "connection reset".to_string())?;
    Ok(status)
}

/// Sends one request and reads the whole answer; the status, or what went wrong.
async fn send(
    client: &HttpClient,
    config: &Config,
    target: &Target,
    body: Option<&Bytes>,
) -> Result<u16, String> {
    let mut req = Request::builder()
        .method(Method::from_bytes(target.method.as_bytes()).expect("validated"))
        .uri(config.url(&target.path));
    for (name, value) in &config.headers {
        req = req.header(name.as_str(), value.as_str());
    }
    let req = req
        .body(Full::new(body.cloned().unwrap_or_default()))
        .map_err(|e| format!("bad request: {e}"))?;
    let exchange = async {
        let resp = client.request(req).await.map_err(|e| classify(&e))?;
        let status = resp.status().as_u16();
        resp.into_body()
            .collect()
            .await
            .map_err(|_| "connection reset".to_string())?;
        Ok(status)
    };
    match tokio::time::timeout(config.timeout, exchange).await {
        Ok(r) => r,
        Err(_) => Err("timeout".into()),
    }
}

fn classify(e: &hyper_util::client::legacy::Error) -> String {
    let text = format!("{e:?}").to_lowercase();
    if text.contains("refused") {
        "connection refused".into()
    } else if text.contains("dns") || text.contains("resolve") || text.contains("lookup") {
        "DNS failure".into()
    } else if text.contains("reset") || text.contains("broken pipe") {
        "connection reset".into()
    } else if text.contains("timed out") || text.contains("timeout") {
        "timeout".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        "connection error".into()
    }
}

/// Runs the probe: the canary alone, then the canary under load.
pub async fn run(
    config: &Config,
    progress: Option<&(dyn Fn(Progress) + Sync)>,
) -> Result<ProbeResult, ProbeError> {
    config.validate()?;
    let config = Arc::new(config.clone());
    let client = client(config.concurrency * 2 + 8, config.timeout);
    let idle = Arc::new(Mutex::new(Recorder::new()));
    let loaded = Arc::new(Mutex::new(Recorder::new()));
    let start = Instant::now();
    let load_start = start + config.idle;
    let load_deadline = load_start + config.duration;
    let stop = Arc::new(AtomicBool::new(false));
    let canary_max = Arc::new(AtomicU64::new(0));
    let series = Arc::new(Mutex::new(Vec::new()));

    // The canary: one request per interval, on schedule whatever happens to the others.
    let canary = {
        let (config, client, idle, loaded, stop, canary_max, series) = (
            config.clone(),
            client.clone(),
            idle.clone(),
            loaded.clone(),
            stop.clone(),
            canary_max.clone(),
            series.clone(),
        );
        tokio::spawn(async move {
            let mut inflight = tokio::task::JoinSet::new();
            let mut k: u32 = 0;
            loop {
                let intended = start + config.canary_interval * k;
                k += 1;
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                tokio::time::sleep_until(intended.into()).await;
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let recorder = if intended < load_start {
                    idle.clone()
                } else {
                    loaded.clone()
                };
                let (config, client, canary_max, series) = (
                    config.clone(),
                    client.clone(),
                    canary_max.clone(),
                    series.clone(),
                );
                inflight.spawn(async move {
                    let outcome = send(&client, &config, &config.canary, None).await;
                    let latency = intended.elapsed();
                    canary_max.fetch_max(latency.as_micros() as u64, Ordering::Relaxed);
                    let round = |v: f64, by: f64| (v * by).round() / by;
                    series.lock().unwrap().push((
                        round((intended - start).as_secs_f64(), 1000.0),
                        round(latency.as_secs_f64() * 1000.0, 10.0),
                    ));
                    recorder.lock().unwrap().record(latency, outcome);
                });
                while inflight.try_join_next().is_some() {}
            }
            while inflight.join_next().await.is_some() {}
        })
    };

    tokio::time::sleep_until(load_start.into()).await;
    if idle.lock().unwrap().ok == 0 {
        // One interval more for the first answers to come back.
        tokio::time::sleep(
            config
                .canary_interval
                .max(Duration::from_millis(200))
                .min(config.timeout),
        )
        .await;
        if idle.lock().unwrap().ok == 0 {
            stop.store(true, Ordering::Relaxed);
            canary.abort();
            return Err(ProbeError::CanaryNeverAnswered(
                config.canary.to_string(),
                config.base.clone(),
            ));
        }
    }

    let issued = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..config.concurrency {
        let (config, issued, done) = (config.clone(), issued.clone(), done.clone());
        workers.spawn(async move {
            // Each worker keeps its own connection and its own tallies: nothing is
            // shared per request, so the generator stays faster than what it measures.
            let mut rec = Recorder::new();
            let mut conn: Option<Connection> = None;
            let prepared: Vec<Prepared> = match config
                .load
                .iter()
                .map(|t| prepare(&config, t))
                .collect::<Result<_, _>>()
            {
                Ok(p) => p,
                Err(e) => {
                    rec.record(Duration::ZERO, Err(e));
                    return rec;
                }
            };
            let mut i = w;
            loop {
                if Instant::now() >= load_deadline {
                    break;
                }
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if config.requests.is_some_and(|cap| n >= cap) {
                    break;
                }
                let target = &prepared[i % prepared.len()];
                i += 1;
                let sent = Instant::now();
                let remaining = load_deadline.saturating_duration_since(sent) + config.timeout;
                let limit = remaining.min(config.timeout);
                let outcome =
                    match tokio::time::timeout(limit, send_on(&mut conn, &config, target)).await {
                        Ok(o) => o,
                        Err(_) => {
                            conn = None;
                            Err("timeout".into())
                        }
                    };
                if outcome.is_err() {
                    conn = None;
                }
                rec.record(sent.elapsed(), outcome);
                done.fetch_add(1, Ordering::Relaxed);
            }
            rec
        });
    }
    let ticker = async {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if let Some(report) = progress {
                report(Progress {
                    elapsed: start.elapsed(),
                    loading: true,
                    requests: done.load(Ordering::Relaxed),
                    canary_max_ms: canary_max.load(Ordering::Relaxed) as f64 / 1000.0,
                });
            }
        }
    };
    let mut load = Recorder::new();
    tokio::select! {
        _ = async {
            while let Some(rec) = workers.join_next().await {
                if let Ok(rec) = rec {
                    load.merge(rec);
                }
            }
        } => {}
        _ = ticker => {}
    }
    let load_elapsed = load_start.elapsed().min(config.duration + config.timeout);
    stop.store(true, Ordering::Relaxed);
    // In-flight canaries end within their timeout.
    let _ = tokio::time::timeout(config.timeout + Duration::from_secs(1), canary).await;

    let idle = idle.lock().unwrap().canary();
    let loaded = loaded.lock().unwrap().canary();
    let rps = load.ok as f64 / load_elapsed.as_secs_f64().max(1e-3);
    let stall = (loaded.latency_ms.p99 - idle.latency_ms.p99).max(0.0);
    let verdict = verdict(stall, &idle, &loaded, &load);
    Ok(ProbeResult {
        load: LoadStats {
            requests: load.requests,
            ok: load.ok,
            errors: load.errors.clone(),
            rps: (rps * 10.0).round() / 10.0,
            latency_ms: load.latency(),
        },
        canary: Canaries { idle, loaded },
        stall_ms: (stall * 10.0).round() / 10.0,
        verdict,
        config: ConfigEcho {
            url: config.base.clone(),
            load: config.load.iter().map(Target::to_string).collect(),
            canary: config.canary.to_string(),
            concurrency: config.concurrency,
            duration_s: config.duration.as_secs_f64(),
            requests: config.requests,
            canary_interval_ms: config.canary_interval.as_secs_f64() * 1000.0,
            timeout_ms: config.timeout.as_secs_f64() * 1000.0,
            idle_s: config.idle.as_secs_f64(),
            machine: machine(),
            stall_threshold_ms: None,
        },
        stalls: Vec::new(),
        starved: None,
        canary_series: {
            let mut s = std::mem::take(&mut *series.lock().unwrap());
            s.sort_by(|a, b| a.0.total_cmp(&b.0));
            s
        },
    })
}

fn verdict(stall: f64, idle: &CanaryStats, loaded: &CanaryStats, load: &Recorder) -> String {
    let failing = load.requests > 0 && load.ok * 2 < load.requests;
    let stalls = stall >= 50.0 && loaded.latency_ms.p99 >= 2.0 * idle.latency_ms.p99.max(1.0);
    let mut v = if stalls {
        format!(
            "The event loop stalls under load: the canary waited {} at p99, against {} idle.",
            human_ms(loaded.latency_ms.p99),
            human_ms(idle.latency_ms.p99)
        )
    } else {
        format!(
            "No stall: the canary answered in {} at p99 under load ({} idle).",
            human_ms(loaded.latency_ms.p99),
            human_ms(idle.latency_ms.p99)
        )
    };
    if failing {
        v.push_str(" Most load requests failed: see the errors.");
    }
    v
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "{} {}, {cpus} CPU{}",
        std::env::consts::OS,
        std::env::consts::ARCH,
        if cpus == 1 { "" } else { "s" }
    )
}

pub fn human_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// The human-readable summary of one probe.
pub fn text(r: &ProbeResult) -> String {
    let c = &r.config;
    let mut out = format!(
        "loopsafe probe {}: {} connections for {} s, canary `{}` every {} ms\n\n",
        c.url, c.concurrency, c.duration_s, c.canary, c.canary_interval_ms
    );
    let l = &r.load;
    out.push_str(&format!("load      {}\n", c.load.join(", ")));
    let errors: u64 = l.errors.values().sum();
    out.push_str(&format!(
        "  requests  {} ({} ok, {errors} failed)\n",
        l.requests, l.ok
    ));
    for (kind, n) in &l.errors {
        out.push_str(&format!("            {n} x {kind}\n"));
    }
    out.push_str(&format!("  throughput {:.1} req/s\n", l.rps));
    out.push_str(&format!(
        "  latency   p50 {}  p90 {}  p99 {}  max {}\n",
        human_ms(l.latency_ms.p50),
        human_ms(l.latency_ms.p90),
        human_ms(l.latency_ms.p99),
        human_ms(l.latency_ms.max)
    ));
    out.push_str(&format!("canary    {}\n", c.canary));
    for (name, s) in [("idle", &r.canary.idle), ("loaded", &r.canary.loaded)] {
        out.push_str(&format!(
            "  {name:<8}  p50 {}  p99 {}  max {}  ({} sent, {} failed)\n",
            human_ms(s.latency_ms.p50),
            human_ms(s.latency_ms.p99),
            human_ms(s.latency_ms.max),
            s.requests,
            s.errors
        ));
    }
    out.push_str(&format!(
        "stall     {} (loaded canary p99 minus idle p99)\n\n{}\n",
        human_ms(r.stall_ms),
        r.verdict
    ));
    if let Some(threshold) = c.stall_threshold_ms {
        out.push('\n');
        out.push_str(&attribution::text(&r.stalls, r.starved.as_ref(), threshold));
    }
    out
}

/// `probe compare`: the two runs side by side, with ratios.
pub fn compare(before: &ProbeResult, after: &ProbeResult) -> String {
    let rows = compare_rows(before, after);
    let mut out = format!(
        "{:<24} {:>12} {:>12} {:>8}\n",
        "", "before", "after", "ratio"
    );
    for (what, b, a, ratio) in rows {
        out.push_str(&format!("{what:<24} {b:>12} {a:>12} {ratio:>8}\n"));
    }
    out.push_str(&attribution::compare(&before.stalls, &after.stalls));
    out
}

/// (what, before, after, after/before) for the figures that matter.
pub fn compare_rows(
    before: &ProbeResult,
    after: &ProbeResult,
) -> Vec<(String, String, String, String)> {
    let ratio = |b: f64, a: f64| {
        if b > 0.0 {
            format!("{:.2}x", a / b)
        } else {
            "-".into()
        }
    };
    let errors = |r: &ProbeResult| r.load.errors.values().sum::<u64>();
    let ms = |what: &str, figure: fn(&ProbeResult) -> f64| {
        (
            what.to_string(),
            human_ms(figure(before)),
            human_ms(figure(after)),
            ratio(figure(before), figure(after)),
        )
    };
    vec![
        (
            "throughput".into(),
            format!("{:.1} req/s", before.load.rps),
            format!("{:.1} req/s", after.load.rps),
            ratio(before.load.rps, after.load.rps),
        ),
        (
            "failed load requests".into(),
            errors(before).to_string(),
            errors(after).to_string(),
            "-".into(),
        ),
        ms("load latency p99", |r| r.load.latency_ms.p99),
        ms("canary p99, idle", |r| r.canary.idle.latency_ms.p99),
        ms("canary p99, under load", |r| r.canary.loaded.latency_ms.p99),
        ms("stall", |r| r.stall_ms),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let t: Target = "post /jobs".parse().unwrap();
        assert_eq!(t.to_string(), "POST /jobs");
        assert!("GET".parse::<Target>().is_err());
        assert!("GET health".parse::<Target>().is_err());
        assert!("GET /a /b".parse::<Target>().is_err());
    }

    #[test]
    fn only_http_urls() {
        let mut c = Config {
            base: "ftp://example.com".into(),
            load: vec!["GET /".parse().unwrap()],
            canary: "GET /health".parse().unwrap(),
            headers: vec![],
            body: None,
            concurrency: 1,
            duration: Duration::from_secs(1),
            requests: None,
            canary_interval: Duration::from_millis(20),
            timeout: Duration::from_secs(1),
            idle: Duration::from_millis(100),
        };
        assert!(c.validate().unwrap_err().to_string().contains("http"));
        c.base = "http://127.0.0.1:1".into();
        assert!(c.validate().is_ok());
        c.duration = Duration::from_secs(3600);
        assert!(c.validate().is_err());
    }
}
