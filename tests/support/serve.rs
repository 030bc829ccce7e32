//! `appmesh-tui sandbox serve` as a separate process, for tests that need a server other
//! clients (the AWS CLI, boto3, a second app) reach too, or a server to kill or stop.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

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
        Serve::spawn(extra, Stdio::null(), None)
    }

    /// Like [`Serve::start`], with the server's stderr (one line per request, and what went
    /// wrong) written to `log`.
    pub fn start_logged(extra: &[&str], log: &Path) -> Serve {
        let file = std::fs::File::create(log).expect("create the server's log file");
        Serve::spawn(extra, Stdio::from(file), Some(log))
    }

    fn spawn(extra: &[&str], stderr: Stdio, log: Option<&Path>) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_appmesh-tui"))
            .args(["sandbox", "serve", "--port", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start sandbox serve");
        let mut out = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        out.read_line(&mut line).expect("read the endpoint line");
        let Some(endpoint) = line
            .trim()
            .strip_prefix("appmesh sandbox listening on ")
            .map(str::to_string)
        else {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = log
                .and_then(|l| std::fs::read_to_string(l).ok())
                .unwrap_or_default();
            panic!("unexpected first line {line:?}; stderr:\n{stderr}");
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while out.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        Serve { child, endpoint }
    }

    /// SIGKILL: no chance to save anything on the way out.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, and the exit status once it has stopped.
    pub fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .expect("run kill")
                .success()
        );
        self.child.wait().expect("wait for the sandbox")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
