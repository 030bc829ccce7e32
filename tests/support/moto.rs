//! `moto_server` behind the translating proxy `moto_proxy.py`, and helpers
//! to run the AWS CLI or boto3 against an endpoint.
//!
//! ```ignore
//! let moto = Moto::start();
//! // SDK clients and the app use the proxy:
//! let tui = Tui::spawn(&["--endpoint-url", &moto.endpoint()], &moto.app_env(), 100, 30);
//! // Check what the service holds, through the proxy (epoch timestamps,
//! // modeled errors, UntagResource emulated) ...
//! let out = aws_cli(&moto.endpoint(), &["appmesh", "describe-mesh", "--mesh-name", "m1"]);
//! assert!(out.status.success(), "{}", out.stderr);
//! assert_eq!(out.json()["mesh"]["spec"]["egressFilter"]["type"], "DROP_ALL");
//! // ... or raw moto as it is.
//! let out = boto3(&moto.moto_endpoint(), "out(client.list_meshes())");
//! ```
//!
//! What moto 5.2.1 does differently from the service model, and which of it
//! the proxy fixes, is written at the top of `moto_proxy.py`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{DEADLINE, free_port};

/// The proxy script.
pub const PROXY_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/moto_proxy.py");

/// Environment for SDK-based programs (the app) pointed at moto: static test
/// credentials and region.
pub const TEST_ENV: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_REGION", "us-east-1"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
];

/// A running moto_server and proxy; both are killed on drop.
pub struct Moto {
    moto: Child,
    proxy: Child,
    moto_port: u16,
    proxy_port: u16,
    dir: tempfile::TempDir,
}

impl Moto {
    /// Start moto_server on a free port and the proxy in front of it; returns
    /// once both answer. Panics (with their logs) if that takes longer than
    /// the deadline.
    pub fn start() -> Moto {
        let dir = tempfile::Builder::new()
            .prefix("moto-")
            .tempdir()
            .expect("tempdir");
        let deadline = Instant::now() + DEADLINE;
        // The port is chosen before moto binds it, so another process can
        // take it in between: try again with a new port in that case.
        let mut attempt = 0;
        let (mut moto, moto_port) = loop {
            attempt += 1;
            let port = free_port();
            let mut child = spawn_moto(dir.path(), port);
            match wait_http(&mut child, port, "/moto-api/", deadline) {
                Ok(()) => break (child, port),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    if attempt >= 3 || Instant::now() >= deadline {
                        panic!(
                            "moto_server did not come up on port {port}: {e}\n--- moto log ---\n{}",
                            read_log(&dir.path().join("moto.log"))
                        );
                    }
                }
            }
        };

        let (mut proxy, proxy_port) = spawn_proxy(dir.path(), moto_port, deadline);
        if let Err(e) = wait_http(&mut proxy, proxy_port, "/__proxy/health", deadline) {
            let _ = proxy.kill();
            let _ = moto.kill();
            let _ = proxy.wait();
            let _ = moto.wait();
            panic!(
                "moto proxy did not come up: {e}\n--- proxy log ---\n{}",
                read_log(&dir.path().join("proxy.log"))
            );
        }
        Moto {
            moto,
            proxy,
            moto_port,
            proxy_port,
            dir,
        }
    }

    /// The proxy: use this for SDK clients and the app.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.proxy_port)
    }

    /// moto itself, untranslated (string timestamps, moto's error codes, no
    /// UntagResource).
    pub fn moto_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.moto_port)
    }

    /// Environment for the app: [`TEST_ENV`] (add the endpoint flag or
    /// variable the app takes).
    pub fn app_env(&self) -> Vec<(&'static str, &'static str)> {
        TEST_ENV.to_vec()
    }

    /// A request straight to moto (no proxy), signed well enough for moto
    /// to route it to App Mesh in us-east-1; (status, body).
    ///
    /// `moto.raw_request("GET", "/v20190125/meshes", "")`
    pub fn raw_request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        http_request_with(
            self.moto_port,
            method,
            path,
            body,
            &[("Authorization", MOTO_AUTH)],
        )
        .unwrap_or_else(|e| panic!("{method} {path} to moto: {e}"))
    }

    /// The same request through the proxy.
    pub fn proxy_request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        http_request_with(
            self.proxy_port,
            method,
            path,
            body,
            &[("Authorization", MOTO_AUTH)],
        )
        .unwrap_or_else(|e| panic!("{method} {path} to the proxy: {e}"))
    }

    /// Forget all state in moto and in the proxy.
    pub fn reset(&self) {
        let (status, body) =
            http_request(self.proxy_port, "POST", "/moto-api/reset", "").expect("reset moto");
        assert_eq!(status, 200, "moto reset failed: {body}");
    }

    /// moto's and the proxy's logs so far, for failure messages.
    pub fn logs(&self) -> String {
        format!(
            "--- moto log ---\n{}\n--- proxy log ---\n{}",
            read_log(&self.dir.path().join("moto.log")),
            read_log(&self.dir.path().join("proxy.log"))
        )
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.proxy.kill();
        let _ = self.moto.kill();
        let _ = self.proxy.wait();
        let _ = self.moto.wait();
    }
}

/// The directory holding the Python interpreter that has moto, boto3 and the
/// AWS CLI (resolved once, so pyenv shims and their environment needs are
/// out of the way).
pub fn python_bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3 on PATH");
        assert!(out.status.success(), "python3 failed");
        let exe = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        exe.parent().expect("python3 dir").to_path_buf()
    })
}

fn tool(name: &str) -> PathBuf {
    let p = python_bin_dir().join(name);
    if p.exists() { p } else { PathBuf::from(name) }
}

/// A command with an environment that has no AWS_* from outside.
fn clean_command(program: &Path) -> Command {
    let mut cmd = Command::new(program);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("TZ", "UTC")
        .stdin(Stdio::null());
    cmd
}

fn spawn_moto(dir: &Path, port: u16) -> Child {
    let log = std::fs::File::create(dir.join("moto.log")).expect("moto.log");
    clean_command(&tool("moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        // moto writes naive local times; the proxy reads them as UTC.
        .env("TZ", "UTC")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start moto_server")
}

fn spawn_proxy(dir: &Path, moto_port: u16, deadline: Instant) -> (Child, u16) {
    let log = std::fs::File::create(dir.join("proxy.log")).expect("proxy.log");
    let mut child = clean_command(&tool("python3"))
        .args([
            PROXY_SCRIPT,
            "--upstream",
            &format!("127.0.0.1:{moto_port}"),
            "--port",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start moto_proxy.py");
    // The proxy prints `LISTENING <port>` once it accepts connections.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .unwrap_or_default();
    let port = line
        .trim()
        .strip_prefix("LISTENING ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "moto proxy did not start (said {line:?})\n--- proxy log ---\n{}",
                read_log(&dir.join("proxy.log"))
            )
        });
    (child, port)
}

/// Poll `GET path` until it answers 200, the child exits, or the deadline.
fn wait_http(child: &mut Child, port: u16, path: &str, deadline: Instant) -> Result<(), String> {
    loop {
        if let Ok((200, _)) = http_request(port, "GET", path, "") {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited with {status}"));
        }
        if Instant::now() >= deadline {
            return Err("no answer before the deadline".into());
        }
        // Poll interval while the server starts (it has no way to tell us).
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An Authorization header moto accepts (it reads the service and region
/// from the credential scope; it checks no signature).
pub const MOTO_AUTH: &str = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/appmesh/aws4_request, SignedHeaders=host, Signature=0";

/// A minimal HTTP/1.1 request to 127.0.0.1:port; (status, body).
pub fn http_request(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    http_request_with(port, method, path, body, &[])
}

pub fn http_request_with(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let text = String::from_utf8_lossy(&resp).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad response {text:?}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| format!("({}: {e})", path.display()))
}

/// What a CLI or boto3 run printed.
#[derive(Debug)]
pub struct CliOutput {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl CliOutput {
    /// stdout parsed as JSON; panics with both streams if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "output is not JSON ({e}); status {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                self.status, self.stdout, self.stderr
            )
        })
    }

    /// Panics with stderr unless the command succeeded; returns self.
    pub fn ok(self) -> CliOutput {
        assert!(
            self.status.success(),
            "command failed with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }
}

fn isolated(cmd: &mut Command) {
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_PAGER", "")
        .env("AWS_MAX_ATTEMPTS", "1");
}

fn run(mut cmd: Command) -> CliOutput {
    let out = cmd.output().expect("run command");
    CliOutput {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The tags of `arn` as the AWS CLI reads them from `endpoint`, sorted by key.
pub fn cli_tags(endpoint: &str, arn: &str) -> Vec<(String, String)> {
    let out = aws_cli(
        endpoint,
        &["appmesh", "list-tags-for-resource", "--resource-arn", arn],
    )
    .ok();
    let mut tags: Vec<(String, String)> = out.json()["tags"]
        .as_array()
        .expect("a tags array")
        .iter()
        .map(|t| {
            (
                t["key"].as_str().expect("a key").to_string(),
                t["value"].as_str().expect("a value").to_string(),
            )
        })
        .collect();
    tags.sort();
    tags
}

/// Run `aws --endpoint-url <endpoint> --output json <args>` with test
/// credentials, region us-east-1, no config files, no pager, one attempt.
///
/// `aws_cli(&moto.endpoint(), &["appmesh", "describe-mesh", "--mesh-name", "x"])`
pub fn aws_cli(endpoint: &str, args: &[&str]) -> CliOutput {
    let mut cmd = clean_command(&tool("aws"));
    isolated(&mut cmd);
    cmd.args(["--endpoint-url", endpoint, "--output", "json"])
        .args(args);
    run(cmd)
}

/// Run a Python snippet with `client` = a boto3 App Mesh client for
/// `endpoint` (same isolated environment as [`aws_cli`]) and `out(obj)` that
/// prints `obj` as JSON (datetimes as ISO strings, ResponseMetadata dropped).
///
/// `boto3(&moto.endpoint(), "out(client.describe_mesh(meshName='m1')['mesh'])")`
pub fn boto3(endpoint: &str, snippet: &str) -> CliOutput {
    let script = [
        "import json, boto3, botocore.config".to_string(),
        format!(
            "client = boto3.client('appmesh', endpoint_url={endpoint:?}, region_name='us-east-1', \
             config=botocore.config.Config(retries={{'max_attempts': 1, 'mode': 'standard'}}))"
        ),
        "def out(obj):".to_string(),
        "    if isinstance(obj, dict):".to_string(),
        "        obj = {k: v for k, v in obj.items() if k != 'ResponseMetadata'}".to_string(),
        "    print(json.dumps(obj, default=lambda o: o.isoformat() if hasattr(o, 'isoformat') else str(o)))"
            .to_string(),
        snippet.to_string(),
    ]
    .join("\n");
    let mut cmd = clean_command(&tool("python3"));
    isolated(&mut cmd);
    cmd.args(["-c", &script]);
    run(cmd)
}
