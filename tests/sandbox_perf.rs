//! Measurements, not checks (ignored by default; they print numbers and assert only that every
//! request succeeded):
//!
//! ```text
//! cargo test --release --test sandbox_perf -- --ignored --nocapture
//! APPMESH_BIN=target/release/appmesh-tui cargo test --test sandbox_perf -- --ignored --nocapture
//! ```
//!
//! - `describe_throughput`: DescribeMesh over keep-alive connections against
//!   `appmesh-tui sandbox serve --ephemeral`: requests/s and latency percentiles.
//! - `durable_create_throughput`: 8 concurrent clients creating meshes against a file-backed
//!   sandbox: durable creates/s (group commit).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// The child is handed to the caller, which kills and waits for it.
#[allow(clippy::zombie_processes)]
fn start(args: &[&str], log: &Path) -> Server {
    let bin = std::env::var("APPMESH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_appmesh-tui").to_string());
    let mut child = Command::new(bin)
        .args(["sandbox", "serve", "--port", "0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
        .spawn()
        .expect("spawn appmesh-tui");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "sandbox did not start"
        );
        if let Some(url) = line
            .trim()
            .strip_prefix("appmesh sandbox listening on http://")
        {
            let addr = url.to_string();
            std::thread::spawn(move || {
                let mut sink = String::new();
                while out.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                    sink.clear();
                }
            });
            return Server { child, addr };
        }
    }
}

/// One keep-alive HTTP/1.1 connection; returns the status of each exchange.
struct Conn {
    r: tokio::io::BufReader<tokio::net::tcp::OwnedReadHalf>,
    w: tokio::net::tcp::OwnedWriteHalf,
    host: String,
}

impl Conn {
    async fn open(addr: &str) -> Conn {
        let s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.set_nodelay(true).unwrap();
        let (r, w) = s.into_split();
        Conn {
            r: tokio::io::BufReader::new(r),
            w,
            host: addr.to_string(),
        }
    }

    async fn call(&mut self, method: &str, path: &str, body: &str) -> u16 {
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        self.w.write_all(req.as_bytes()).await.unwrap();
        let mut line = String::new();
        self.r.read_line(&mut line).await.unwrap();
        let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut len = 0usize;
        loop {
            line.clear();
            self.r.read_line(&mut line).await.unwrap();
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                len = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        self.r.read_exact(&mut body).await.unwrap();
        status
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run with --ignored --nocapture"]
async fn describe_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&["--ephemeral"], &dir.path().join("log"));
    let mut c = Conn::open(&server.addr).await;
    assert_eq!(
        c.call("PUT", "/v20190125/meshes", r#"{"meshName":"perf"}"#)
            .await,
        200
    );
    let connections = 8;
    let run_for = Duration::from_secs(3);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let addr = server.addr.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(&addr).await;
            let mut lat = Vec::with_capacity(100_000);
            let start = Instant::now();
            while start.elapsed() < run_for {
                let t = Instant::now();
                let s = c.call("GET", "/v20190125/meshes/perf", "").await;
                lat.push(t.elapsed());
                assert_eq!(s, 200);
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    println!(
        "DescribeMesh: {} requests over {connections} connections in {:?}: {:.0} req/s; p50 {:?} p99 {:?} max {:?}",
        all.len(),
        run_for,
        all.len() as f64 / run_for.as_secs_f64(),
        percentile(&all, 0.50),
        percentile(&all, 0.99),
        all.last().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run with --ignored --nocapture"]
async fn durable_create_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    // APPMESH_PERF_SEED=N: start from N meshes (the rate should not depend on it).
    let seeded: usize = std::env::var("APPMESH_PERF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if seeded > 0 {
        let bin = std::env::var("APPMESH_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_appmesh-tui").to_string());
        let out = Command::new(bin)
            .args(["sandbox", "seed", "--count", &seeded.to_string(), "--state"])
            .arg(&state)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let server = start(
        &["--state", state.to_str().unwrap()],
        &dir.path().join("log"),
    );
    let per_client = 250;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..8 {
        let addr = server.addr.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(&addr).await;
            for i in 0..per_client {
                let body = format!(r#"{{"meshName":"p{t}-{i:05}"}}"#);
                assert_eq!(c.call("PUT", "/v20190125/meshes", &body).await, 200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let took = start.elapsed();
    let n = 8 * per_client;
    println!(
        "CreateMesh (durable, 8 clients, starting from {seeded} meshes): {n} creates in {took:?}: {:.0} creates/s",
        n as f64 / took.as_secs_f64()
    );
    // For context: with one request in flight per client, a write can carry at most 8 creates,
    // so the rate is bounded by 8 / (time of one durable write): one journal record appended
    // and fdatasynced. Measure such an append here.
    let record = vec![b'x'; 8 * 300];
    let probe = dir.path().join("probe.journal");
    let mut f = std::fs::File::create(&probe).unwrap();
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let t = Instant::now();
            std::io::Write::write_all(&mut f, &record).unwrap();
            f.sync_data().unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "one durable append of {} bytes (write, fdatasync) on this disk now: p50 {:?}",
        record.len(),
        percentile(&times, 0.5)
    );
    // Everything acknowledged is on disk: the state file with its journal.
    let on_disk =
        appmesh_tui::sandbox::store::load(&state, &appmesh_tui::sandbox::quota::Quotas::none())
            .unwrap()
            .unwrap();
    assert_eq!(on_disk.mesh_names().len(), seeded + n);
    if let Ok(keep) = std::env::var("APPMESH_PERF_LOG") {
        // The server's request log, for a closer look.
        std::fs::copy(dir.path().join("log"), keep).unwrap();
    }
}
