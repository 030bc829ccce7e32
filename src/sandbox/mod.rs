//! The built-in App Mesh sandbox: an App Mesh-compatible HTTP endpoint (rest-json, the
//! `2019-01-25` API) for all 38 operations on the seven resource kinds, so that aws-sdk-appmesh,
//! the AWS CLI, boto3 and the other SDKs work against it unchanged. Routes, input members and
//! their checks come from the service model (`crate::shape`), kinds from `crate::kind`.
//!
//! - [`wire`]: errors, requests checked against the model, answer bodies.
//! - [`state`]: every resource of every region, the rules between resources, idempotency,
//!   pagination (pure, no I/O).
//! - [`quota`]: the service quotas, AWS's defaults, adjustable.
//! - [`token`]: tamper-evident pagination tokens.
//! - [`store`]: the state file (format, lock, atomic writes) and the durable [`store::Store`].
//! - [`journal`]: the changes since the state file was written, appended per group commit.
//! - [`server`]: routing, group commit, request logging.
//! - [`cli`]: `appmesh-tui sandbox serve|seed`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), appmesh_tui::sandbox::SandboxError> {
//! use appmesh_tui::sandbox::{Config, Sandbox, StateLocation};
//! let sandbox = Sandbox::start(Config::new("us-east-1", StateLocation::Ephemeral)).await?;
//! println!("endpoint: {}", sandbox.endpoint());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub mod cli;
pub mod journal;
pub mod quota;
pub mod server;
pub mod state;
pub mod store;
pub mod token;
pub mod wire;

/// The account ID the sandbox reports as mesh and resource owner (unless `--account`).
pub const ACCOUNT_ID: &str = "111122223333";
/// Fixed fake credentials the app uses against the sandbox.
pub const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7SANDBOX";
pub const SECRET_ACCESS_KEY: &str = "sandbox/secret/not-a-real-key";

/// Where the sandbox keeps its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateLocation {
    File(PathBuf),
    Ephemeral,
}

/// How to run a sandbox.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    /// The region of requests that are not signed (signed ones name theirs).
    pub region: String,
    /// The account that owns every resource.
    pub account: String,
    pub state: StateLocation,
    /// The service quotas in force (AWS's defaults unless changed).
    pub quotas: quota::Quotas,
    /// Largest request body accepted; past it the answer is 413 with a JSON error.
    pub max_body_bytes: usize,
    /// Log one line per request to stderr (for `sandbox serve`; never while the TUI runs).
    pub log_requests: bool,
}

/// Default for [`Config::max_body_bytes`]: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

impl Config {
    /// Bind 127.0.0.1 on a free port, account [`ACCOUNT_ID`], AWS's default quotas, 1 MiB
    /// bodies, no logging.
    pub fn new(region: impl Into<String>, state: StateLocation) -> Self {
        Config {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            region: region.into(),
            account: ACCOUNT_ID.to_string(),
            state,
            quotas: quota::Quotas::aws_defaults(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            log_requests: false,
        }
    }
}

/// `dirs::data_dir()/appmesh-tui/sandbox.json` (`$XDG_DATA_HOME/appmesh-tui/sandbox.json`, or
/// `~/.local/share/...`, on Linux).
pub fn default_state_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("appmesh-tui").join("sandbox.json"))
}

/// Why a sandbox could not start. The messages say what to do.
#[derive(Debug)]
pub enum SandboxError {
    /// The address could not be bound.
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The state file exists but cannot be read or parsed. It is left untouched.
    StateUnreadable { path: PathBuf, reason: String },
    /// The journal beside the state file (changes not yet folded into it) cannot be read. It is
    /// left untouched.
    JournalUnreadable {
        path: PathBuf,
        state: PathBuf,
        reason: String,
    },
    /// Another sandbox (or `sandbox seed`) holds the state file's lock.
    StateLocked { path: PathBuf },
    /// The state directory or lock file cannot be created or opened.
    StateDir { path: PathBuf, reason: String },
    /// The state file cannot be written (`sandbox seed`).
    StateWrite { path: PathBuf, reason: String },
}

impl fmt::Display for SandboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SandboxError::Bind { addr, source } => {
                let what = match source.kind() {
                    std::io::ErrorKind::AddrInUse => "address in use".to_string(),
                    std::io::ErrorKind::AddrNotAvailable => {
                        "address not available on this machine".to_string()
                    }
                    std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                    _ => source.to_string(),
                };
                write!(
                    f,
                    "cannot bind {addr}: {what} — pick another --port (0 picks a free one) or --bind address"
                )
            }
            SandboxError::StateUnreadable { path, reason } => write!(
                f,
                "cannot read sandbox state file {}: {reason} — fix or move the file, or start with --ephemeral",
                path.display()
            ),
            SandboxError::JournalUnreadable {
                path,
                state,
                reason,
            } => write!(
                f,
                "cannot read sandbox journal {} (the changes not yet folded into {}): {reason} — move the journal aside to start from the state file alone (without those changes), or start with --ephemeral",
                path.display(),
                state.display()
            ),
            SandboxError::StateLocked { path } => write!(
                f,
                "sandbox state file {} is in use by another appmesh-tui sandbox (lock {} is held) — stop that sandbox, or use another --state file or --ephemeral",
                path.display(),
                store::lock_path(path).display()
            ),
            SandboxError::StateDir { path, reason } => write!(
                f,
                "cannot create {}: {reason} — check the permissions, or use another --state file or --ephemeral",
                path.display()
            ),
            SandboxError::StateWrite { path, reason } => write!(
                f,
                "cannot write sandbox state file {}: {reason} — check free space and permissions",
                path.display()
            ),
        }
    }
}

impl std::error::Error for SandboxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SandboxError::Bind { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A running sandbox.
pub struct Sandbox {
    pub addr: SocketAddr,
    shared: Arc<server::Shared>,
    stop_server: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    stop_writer: Option<oneshot::Sender<()>>,
    writer: Option<JoinHandle<()>>,
}

/// How long shutdown waits for in-flight requests before dropping their connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

impl Sandbox {
    /// Loads the state (taking the state file's lock), binds, and serves on the current tokio
    /// runtime. Returns once the listener accepts connections.
    pub async fn start(config: Config) -> Result<Sandbox, SandboxError> {
        let (data, persist) = match &config.state {
            StateLocation::Ephemeral => (state::Data::empty(), None),
            StateLocation::File(path) => {
                let (store, data) = store::Store::open(path, &config.quotas)?;
                (data, Some(store))
            }
        };
        let mut st = state::State::new(data, &config.account, config.quotas.clone());
        let has_file = persist.is_some();
        if has_file {
            st.track_changes();
        }
        let shared = Arc::new(server::Shared::new(
            st,
            persist,
            config.log_requests,
            config.max_body_bytes,
            config.region.clone(),
        ));

        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: config.bind,
            source,
        })?;

        let (stop_writer, writer) = if has_file {
            let (tx, rx) = oneshot::channel();
            (
                Some(tx),
                Some(tokio::spawn(server::writer(shared.clone(), rx))),
            )
        } else {
            (None, None)
        };

        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let app = axum::Router::new()
            .fallback(server::handle)
            .with_state(shared.clone());
        let (stop_server, stop_rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop_rx.await;
                })
                .await;
        });

        Ok(Sandbox {
            addr,
            shared,
            stop_server: Some(stop_server),
            server: Some(server),
            stop_writer,
            writer,
        })
    }

    /// `http://ADDR`, for an SDK's or the AWS CLI's endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The names of the meshes the sandbox holds now (every region), in name order.
    pub fn mesh_names(&self) -> Vec<String> {
        self.shared.mesh_names()
    }

    /// What the sandbox holds: `3 meshes, 12 virtual nodes, …`.
    pub fn summary(&self) -> String {
        self.shared.summary()
    }

    /// Stops accepting connections, lets in-flight requests finish (up to 10 s), writes any
    /// pending state and releases the state file.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop_server.take() {
            let _ = tx.send(());
        }
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
                .await
                .is_err()
        {
            server.abort();
            let _ = server.await;
        }
        if let Some(tx) = self.stop_writer.take() {
            let _ = tx.send(());
        }
        if let Some(writer) = self.writer.take() {
            let _ = writer.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Dropped without shutdown: stop serving. Pending writes finish on the runtime if it
        // keeps running; acknowledged changes are durable already.
        if let Some(tx) = self.stop_server.take() {
            let _ = tx.send(());
        }
        if let Some(tx) = self.stop_writer.take() {
            let _ = tx.send(());
        }
    }
}

/// The sandbox's request handling without a socket, for fuzzing (`fuzz/`) and tests: each
/// [`Harness::handle`] runs one request through exactly the handler `Sandbox` serves, against
/// an ephemeral state that lives as long as the harness. No listener, no writer task, no files.
pub struct Harness {
    shared: Arc<server::Shared>,
}

/// One answer from [`Harness::handle`].
#[derive(Clone, Debug)]
pub struct HarnessResponse {
    pub status: u16,
    /// The `x-amzn-ErrorType` header (the modeled error's code), if any.
    pub error_type: Option<String>,
    /// The `content-type` header, if any.
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Harness {
    /// An empty ephemeral sandbox with `config`'s region, account, quotas and body limit
    /// (`config.state`, `config.bind` and `config.log_requests` are ignored).
    pub fn new(config: &Config) -> Self {
        let st = state::State::new(state::Data::empty(), &config.account, config.quotas.clone());
        Harness {
            shared: Arc::new(server::Shared::new(
                st,
                None,
                false,
                config.max_body_bytes,
                config.region.clone(),
            )),
        }
    }

    /// Handles `method path_and_query` with `body` (sent with its `Content-Length`). `None` when
    /// the method or the path and query are not valid HTTP, which the HTTP layer rejects before
    /// the sandbox sees the request. Needs a tokio runtime (a current-thread one is enough).
    pub async fn handle(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
    ) -> Option<HarnessResponse> {
        use axum::http::{Method, Uri, header};
        let method = Method::from_bytes(method.as_bytes()).ok()?;
        let uri: Uri = path_and_query.parse().ok()?;
        if uri.scheme().is_some() || uri.authority().is_some() || uri.path_and_query().is_none() {
            return None;
        }
        let req = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_LENGTH, body.len())
            .body(axum::body::Body::from(body.to_vec()))
            .ok()?;
        let resp = server::handle(axum::extract::State(self.shared.clone()), req).await;
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let error_type = header("x-amzn-ErrorType");
        let content_type = header("content-type");
        let status = resp.status().as_u16();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        Some(HarnessResponse {
            status,
            error_type,
            content_type,
            body,
        })
    }

    /// The names of the meshes the harness holds now, in ListMeshes order.
    pub fn mesh_names(&self) -> Vec<String> {
        self.shared.mesh_names()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn usable_from_spawned_tasks() {
        // The TUI starts and stops the sandbox from spawned tasks.
        let f = Sandbox::start(Config::new("us-east-1", StateLocation::Ephemeral));
        assert_send(&f);
        assert_send_sync::<Sandbox>();
        assert_send_sync::<SandboxError>();
    }

    #[tokio::test]
    async fn harness_handles_requests_without_a_socket() {
        let h = Harness::new(&Config::new("us-east-1", StateLocation::Ephemeral));
        let r = h
            .handle("PUT", "/v20190125/meshes", br#"{"meshName":"m"}"#)
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.error_type, None);
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
        assert_eq!(h.mesh_names(), vec!["m".to_string()]);
        let r = h
            .handle("GET", "/v20190125/meshes/nope", b"")
            .await
            .unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(r.error_type.as_deref(), Some("NotFoundException"));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert!(v["message"].is_string());
        assert!(h.handle("GE T", "/", b"").await.is_none());
        assert!(h.handle("GET", "http://x/", b"").await.is_none());
        assert!(h.handle("GET", "/a b", b"").await.is_none());
    }

    #[test]
    fn config_defaults() {
        let c = Config::new("eu-west-1", StateLocation::Ephemeral);
        assert_eq!(c.bind, SocketAddr::from(([127, 0, 0, 1], 0)));
        assert_eq!(c.quotas, quota::Quotas::aws_defaults());
        assert_eq!(c.account, ACCOUNT_ID);
        assert_eq!(c.max_body_bytes, 1024 * 1024);
        assert!(!c.log_requests);
        assert_eq!(c.region, "eu-west-1");
    }

    #[test]
    fn bind_errors_say_what_to_do() {
        let e = SandboxError::Bind {
            addr: SocketAddr::from(([127, 0, 0, 1], 4566)),
            source: std::io::Error::from(std::io::ErrorKind::AddrInUse),
        };
        assert_eq!(
            e.to_string(),
            "cannot bind 127.0.0.1:4566: address in use — pick another --port (0 picks a free one) or --bind address"
        );
    }

    #[test]
    fn default_state_path_is_under_the_data_dir() {
        if let Some(p) = default_state_path() {
            assert!(p.ends_with("appmesh-tui/sandbox.json"), "{}", p.display());
        }
    }
}
