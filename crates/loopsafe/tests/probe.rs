//! `loopsafe probe` stops by itself: duration and request caps, an unreachable server,
//! and Ctrl-C while it serves the service. The server here is a small keep-alive HTTP
//! server on a thread per connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Serves `200 ok` to every request, keeping connections alive; returns the port.
fn serve_ok() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    port
}

fn answer(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        if stream.write_all(reply).is_err() {
            return;
        }
    }
}

/// A port nothing listens on.
fn unused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn probe(args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_loopsafe"))
        .env("LOOPSAFE_NO_CACHE", "1")
        .arg("probe")
        .args(args)
        .output()
        .unwrap();
    (out, start.elapsed())
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn the_request_cap_is_exact() {
    let url = format!("http://127.0.0.1:{}", serve_ok());
    let (out, _) = probe(&[
        &url,
        "--load",
        "POST /jobs",
        "--canary",
        "GET /health",
        "--body",
        "{}",
        "--requests",
        "50",
        "--duration",
        "30s",
        "--idle",
        "200ms",
        "--concurrency",
        "4",
        "--output-format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let r = json(&out);
    assert_eq!(r["load"]["requests"], 50, "{r}");
    assert_eq!(r["load"]["ok"], 50, "{r}");
    assert!(
        r["canary"]["idle"]["requests"].as_u64().unwrap() >= 5,
        "{r}"
    );
}

#[test]
fn the_duration_cap_ends_the_load() {
    let url = format!("http://127.0.0.1:{}", serve_ok());
    let (out, took) = probe(&[
        &url,
        "--load",
        "GET /",
        "--canary",
        "GET /health",
        "--duration",
        "700ms",
        "--idle",
        "300ms",
        "--output-format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(took < Duration::from_secs(8), "took {took:?}");
    let r = json(&out);
    assert!(r["load"]["requests"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(r["load"]["errors"], serde_json::json!({}), "{r}");
    assert!(
        r["verdict"].as_str().unwrap().starts_with("No stall"),
        "{r}"
    );
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let port = unused_port();
    let url = format!("http://127.0.0.1:{port}");
    let (out, took) = probe(&[
        &url,
        "--load",
        "GET /",
        "--canary",
        "GET /health",
        "--duration",
        "1s",
        "--idle",
        "300ms",
        "--timeout",
        "1s",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("never answered"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let (bad, _) = probe(&["ftp://example.com", "--load", "GET /", "--canary", "GET /"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("http"));
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

#[test]
fn ctrl_c_while_serving_stops_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let port = unused_port();
    // A "service" that never answers and starts a child of its own.
    let serve = format!("sleep 60 & echo $! > '{}'; wait", pid_file.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_loopsafe"))
        .env("LOOPSAFE_NO_CACHE", "1")
        .args(["probe", &format!("http://127.0.0.1:{port}")])
        .args([
            "--load",
            "GET /",
            "--canary",
            "GET /health",
            "--serve",
            &serve,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !pid_file.exists()
        || std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .is_empty()
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the service never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let served: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(alive(served));
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: interrupts the probe this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the probe did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    // Everything the service started is gone too.
    let gone = Instant::now() + Duration::from_secs(5);
    while alive(served) && Instant::now() < gone {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !alive(served),
        "the served process {served} outlived the probe"
    );
}
