//! Conformance with clients we did not write: runs `tests/conformance/boto3_suite.py` (boto3)
//! and `tests/conformance/awscli_suite.py` (the AWS CLI) against the real
//! `appmesh-tui sandbox serve --ephemeral --port 0`, and shows their output when they fail.
//!
//! Needs python3 with boto3, and `aws` on PATH. Set APPMESH_SKIP_CONFORMANCE=1 to skip on a
//! machine without them (the test fails rather than passing silently otherwise).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use support::serve::Serve;

fn suite(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance")
        .join(name)
}

fn spawn_suite(name: &str, endpoint: &str) -> Child {
    Command::new("python3")
        .arg(suite(name))
        .env("SANDBOX_ENDPOINT", endpoint)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run python3 for {name}: {e}"))
}

fn report(name: &str, out: &Output) -> Option<String> {
    if out.status.success() {
        return None;
    }
    Some(format!(
        "{name} failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

fn tools_present() -> Result<(), String> {
    let boto3 = Command::new("python3")
        .args(["-c", "import boto3"])
        .output()
        .map_err(|e| format!("python3 is not available: {e}"))?;
    if !boto3.status.success() {
        return Err("python3 cannot import boto3".into());
    }
    let aws = Command::new("aws")
        .arg("--version")
        .output()
        .map_err(|e| format!("the aws CLI is not available: {e}"))?;
    if !aws.status.success() {
        return Err("`aws --version` failed".into());
    }
    Ok(())
}

#[test]
fn boto3_and_aws_cli_suites_pass() {
    if std::env::var_os("APPMESH_SKIP_CONFORMANCE").is_some() {
        eprintln!("skipped: APPMESH_SKIP_CONFORMANCE is set");
        return;
    }
    if let Err(e) = tools_present() {
        panic!("{e}; install them or set APPMESH_SKIP_CONFORMANCE=1");
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sandbox.log");
    let server = Serve::start_logged(&["--ephemeral", "--quota", "meshes=none"], &log);
    // Both suites at once (they use distinct name prefixes), to keep the test short.
    let boto3 = spawn_suite("boto3_suite.py", &server.endpoint);
    let cli = spawn_suite("awscli_suite.py", &server.endpoint);
    let boto3 = boto3.wait_with_output().unwrap();
    let cli = cli.wait_with_output().unwrap();
    drop(server);
    let failures: Vec<String> = [
        report("boto3_suite.py", &boto3),
        report("awscli_suite.py", &cli),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !failures.is_empty() {
        panic!(
            "{}\n--- sandbox request log ---\n{}",
            failures.join("\n\n"),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }
    // The suites really ran their tests (unittest prints "Ran N tests").
    for (name, out) in [("boto3", &boto3), ("aws cli", &cli)] {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("Ran ") && err.contains("OK"), "{name}: {err}");
    }
}
