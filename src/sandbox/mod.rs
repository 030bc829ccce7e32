//! The built-in App Mesh sandbox (stub: being written).
use std::net::SocketAddr;
use std::path::PathBuf;

/// The account ID the sandbox reports as mesh and resource owner.
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
    pub region: String,
    pub state: StateLocation,
    /// Most meshes the sandbox holds; past it CreateMesh answers LimitExceededException.
    pub max_meshes: usize,
    /// Largest request body accepted; past it the answer is 413 with a JSON error.
    pub max_body_bytes: usize,
    /// Log one line per request to stderr (for `sandbox serve`; never while the TUI runs).
    pub log_requests: bool,
}

/// A running sandbox.
pub struct Sandbox {
    pub addr: SocketAddr,
}

impl Sandbox {
    /// `http://ADDR`, for an SDK's or the AWS CLI's endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}
