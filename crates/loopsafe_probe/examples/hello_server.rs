//! A trivial HTTP/1.1 keep-alive server answering `200 ok` to everything, to measure a
//! load generator's own speed (`bench/probe_vs_wrk.py`) and to test the probe.
//! With `--sleep-ms N`, the whole server stalls N ms per request on one thread, like a
//! blocked event loop.
//!
//!     cargo run --release -p loopsafe_probe --example hello_server -- PORT [--sleep-ms N]

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(8999);
    let sleep_ms: u64 = args
        .iter()
        .position(|a| a == "--sleep-ms")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // One thread, as an asyncio service has one event loop.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut filled = 0;
                loop {
                    let Ok(n) = stream.read(&mut buf[filled..]).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    filled += n;
                    // Answer every complete request head in the buffer (bodies are not
                    // expected here).
                    while let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                        if sleep_ms > 0 {
                            std::thread::sleep(std::time::Duration::from_millis(sleep_ms));
                        }
                        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
                        if stream.write_all(reply).await.is_err() {
                            return;
                        }
                        buf.copy_within(end + 4..filled, 0);
                        filled -= end + 4;
                    }
                    if filled == buf.len() {
                        return;
                    }
                }
            });
        }
    });
}
