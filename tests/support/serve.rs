//! `appmesh-tui sandbox serve` as a separate process, for tests that need a server other
//! clients (the AWS CLI, boto3, a second app) reach too.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running `appmesh-tui sandbox serve --port 0 …`; killed on drop.
pub struct Serve {
    child: Child,
    /// `http://127.0.0.1:N`, read from the server's first line of output.
    pub endpoint: String,
}

impl Serve {
    /// State in memory only.
    pub fn ephemeral() -> Serve {
        Serve::start(&["--ephemeral"])
    }

    /// State in `path` (which may hold meshes from an earlier run).
    pub fn with_state(path: &Path) -> Serve {
        Serve::start(&["--state", path.to_str().expect("a UTF-8 path")])
    }

    /// `sandbox serve --port 0` plus `extra`; returns once it listens.
    pub fn start(extra: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_appmesh-tui"))
            .args(["sandbox", "serve", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sandbox serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("read the endpoint line");
        let endpoint = line
            .trim()
            .strip_prefix("appmesh sandbox listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        Serve { child, endpoint }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
