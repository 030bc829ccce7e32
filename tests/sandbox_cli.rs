//! `appmesh-tui sandbox serve|seed` as a user runs them: what they print, how they fail, and
//! that a seeded state file is served.

mod support;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use aws_sdk_appmesh::Client;
use support::sdk::{mesh_names, sandbox_client};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_appmesh-tui"));
    c.stdin(Stdio::null());
    c
}

struct Serve {
    child: Child,
    endpoint: String,
    /// Everything printed on stdout up to and including the "try it" block.
    banner: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// The child is handed to the caller, which kills and waits for it.
#[allow(clippy::zombie_processes)]
fn serve(args: &[&str], log: &Path) -> Serve {
    let mut child = bin()
        .args(["sandbox", "serve", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    let mut endpoint = None;
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            let _ = child.wait();
            panic!(
                "serve exited early; stdout:\n{banner}\nstderr:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        banner.push_str(&line);
        if let Some(url) = line.trim().strip_prefix("appmesh sandbox listening on ") {
            endpoint = Some(url.to_string());
        }
        if line.contains("Ctrl-C") {
            break;
        }
    }
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = out.read_to_end(&mut sink);
    });
    Serve {
        child,
        endpoint: endpoint.expect("a listening line before the help"),
        banner,
    }
}

fn client(endpoint: &str) -> Client {
    sandbox_client(endpoint, "us-east-1", true)
}

fn terminate(mut s: Serve) -> std::process::ExitStatus {
    let pid = s.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    s.child.wait().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_state_is_served_and_listed_in_pages() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("data/sandbox.json");
    let out = bin()
        .args([
            "sandbox", "seed", "--count", "1200", "--tags", "3", "--state",
        ])
        .arg(&state)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("added 1200 meshes"), "{said}");
    assert!(
        said.contains("seed-00001") && said.contains("seed-01200"),
        "{said}"
    );
    // A second seed adds after the existing names.
    let out = bin()
        .args([
            "sandbox", "seed", "--count", "5", "--prefix", "extra", "--state",
        ])
        .arg(&state)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    let log = dir.path().join("serve.log");
    let s = serve(&["--state", state.to_str().unwrap()], &log);
    assert!(
        s.banner.contains(&state.display().to_string()),
        "{}",
        s.banner
    );
    assert!(s.banner.contains("1205 meshes"), "{}", s.banner);
    assert!(
        s.banner.contains(&format!(
            "aws --endpoint-url {} appmesh list-meshes",
            s.endpoint
        )),
        "{}",
        s.banner
    );
    for var in [
        "AWS_ACCESS_KEY_ID=",
        "AWS_SECRET_ACCESS_KEY=",
        "AWS_REGION=",
    ] {
        assert!(s.banner.contains(var), "{var} missing:\n{}", s.banner);
    }
    let c = client(&s.endpoint);
    let names = mesh_names(&c).await.unwrap();
    assert_eq!(names.len(), 1205);
    assert_eq!(names[0], "extra-00001");
    assert_eq!(names[5], "seed-00001");
    assert_eq!(names[1204], "seed-01200");
    let tags = c
        .list_tags_for_resource()
        .resource_arn("arn:aws:appmesh:us-east-1:111122223333:mesh/seed-00042")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 3);

    // Seeding while a sandbox holds the file is refused, and the file is not touched.
    let before = std::fs::read(&state).unwrap();
    let out = bin()
        .args(["sandbox", "seed", "--count", "1", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use"), "{err}");
    assert_eq!(std::fs::read(&state).unwrap(), before);

    // One log line per request: operation, method, path, status, error type, duration.
    let _ = c.describe_mesh().mesh_name("missing").send().await;
    let status = terminate(s);
    assert!(status.success(), "{status:?}");
    let log_text = std::fs::read_to_string(&log).unwrap();
    let line = log_text
        .lines()
        .find(|l| l.contains("/v20190125/meshes/missing"))
        .unwrap_or_else(|| panic!("no log line:\n{log_text}"));
    assert!(line.starts_with("DescribeMesh GET "), "{line}");
    assert!(line.contains(" 404 NotFoundException "), "{line}");
    assert!(line.ends_with("ms"), "{line}");
}

#[test]
fn startup_errors_are_actionable() {
    let dir = tempfile::tempdir().unwrap();

    // A broken state file: named, with the way out, and left as it was.
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, b"{\"format\":1,").unwrap();
    let out = bin()
        .args(["sandbox", "serve", "--port", "0", "--state"])
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&broken.display().to_string()), "{err}");
    assert!(err.contains("--ephemeral"), "{err}");
    assert_eq!(std::fs::read(&broken).unwrap(), b"{\"format\":1,");

    // A port in use.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = bin()
        .args(["sandbox", "serve", "--ephemeral", "--port", &port])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(
        err.contains("address in use") && err.contains("--port"),
        "{err}"
    );

    // --state and --ephemeral together.
    let out = bin()
        .args(["sandbox", "serve", "--ephemeral", "--state", "x.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn two_sandboxes_cannot_share_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.json");
    let first = serve(
        &["--state", state.to_str().unwrap()],
        &dir.path().join("1.log"),
    );
    let out = bin()
        .args(["sandbox", "serve", "--port", "0", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another"), "{err}");
    // Once the first one stops, the file is free again.
    assert!(terminate(first).success());
    let second = serve(
        &["--state", state.to_str().unwrap()],
        &dir.path().join("2.log"),
    );
    assert!(second.banner.contains("0 meshes"), "{}", second.banner);
}

#[test]
fn sigterm_right_after_start_stops_cleanly() {
    // The signal handlers are in place before the listening line is printed, so a supervisor
    // may stop the sandbox as soon as it has read the line.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..5 {
        let log = dir.path().join(format!("{i}.log"));
        let s = serve(
            &["--state", dir.path().join("s.json").to_str().unwrap()],
            &log,
        );
        let status = terminate(s);
        assert!(status.success(), "run {i}: {status:?}");
        assert!(std::fs::read_to_string(&log).unwrap().contains("stopped"));
    }
}
