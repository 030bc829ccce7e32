//! Conformance with clients we did not write: the scenarios of `tests/conformance/data.json`
//! (all 38 App Mesh operations on all seven kinds, the rules between resources, validation,
//! quotas, tags, regions, pagination) run through boto3 (`boto3_suite.py`), the AWS CLI
//! (`awscli_suite.py`) and the AWS SDK for JavaScript v3 (`js/suite.mjs`), each against its own
//! `appmesh-tui sandbox serve --ephemeral --port 0`, one per server of data.json's "servers"
//! (default quotas, low quotas, --no-quotas, --account, ...). A failing suite shows its output
//! (one line per check) and the sandboxes' request logs.
//!
//! Needs python3 with boto3, the `aws` CLI, and node with `tests/conformance/js/node_modules`
//! (`npm ci --prefix tests/conformance/js`; scripts/test installs all of them). Set
//! APPMESH_SKIP_CONFORMANCE=1 to skip on a machine without them (the tests fail rather than
//! pass silently otherwise).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::serve::Serve;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

/// The sandboxes a suite needs: data.json's "servers", each with its extra flags.
fn servers() -> BTreeMap<String, Vec<String>> {
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("data.json")).unwrap())
            .expect("tests/conformance/data.json is JSON");
    data["servers"]
        .as_object()
        .expect("data.json has servers")
        .iter()
        .map(|(name, server)| {
            let flags = server["flags"].as_array().expect("a server has flags");
            let flags = flags.iter().map(|f| f.as_str().unwrap().to_string());
            (name.clone(), flags.collect())
        })
        .collect()
}

fn skip() -> bool {
    let skip = std::env::var_os("APPMESH_SKIP_CONFORMANCE").is_some();
    if skip {
        eprintln!("skipped: APPMESH_SKIP_CONFORMANCE is set");
    }
    skip
}

fn require(program: &str, args: &[&str], what: &str) {
    let ok = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "{what} is missing (`{program} {}` failed); scripts/test installs it, or set APPMESH_SKIP_CONFORMANCE=1",
        args.join(" ")
    );
}

/// Starts one sandbox per server, runs `program args` with their endpoints in
/// SANDBOX_ENDPOINTS, and fails with the suite's output and the sandboxes' logs unless every
/// check passed.
fn run_suite(name: &str, program: &str, args: &[&str]) {
    let logs = tempfile::tempdir().unwrap();
    let mut sandboxes = Vec::new();
    let mut endpoints = serde_json::Map::new();
    for (server, flags) in servers() {
        let log = logs.path().join(format!("{server}.log"));
        let mut all = vec!["--ephemeral"];
        all.extend(flags.iter().map(String::as_str));
        let sandbox = Serve::start_logged(&all, &log);
        endpoints.insert(server.clone(), sandbox.endpoint.clone().into());
        sandboxes.push((server, flags, log, sandbox));
    }
    let out: Output = Command::new(program)
        .args(args)
        .env(
            "SANDBOX_ENDPOINTS",
            serde_json::Value::Object(endpoints).to_string(),
        )
        .env_remove("SANDBOX_ENDPOINT")
        .env_remove("CONFORMANCE_ONLY")
        .env_remove("CLI_MODE")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        // The pinned SDK runs on the machine's node 20; its notice about node 22 is noise here.
        .env("AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED", "true")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} for the {name} suite: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The suite's last line: "NAME: N passed, M failed".
    let summary = stdout
        .lines()
        .rev()
        .find_map(|l| {
            l.strip_prefix(&format!("{name}: "))
                .filter(|s| s.contains(" passed, "))
        })
        .map(str::to_string);
    let passed: usize = summary
        .as_deref()
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if out.status.success() && passed >= 100 {
        eprintln!("{name}: {}", summary.unwrap_or_default());
        return;
    }
    let mut report = format!(
        "the {name} conformance suite failed ({}; {}):\n--- what failed ---\n",
        out.status,
        summary.as_deref().unwrap_or("no summary line")
    );
    for line in stdout.lines().filter(|l| !l.starts_with("ok ")) {
        report.push_str(line);
        report.push('\n');
    }
    report.push_str(&format!("--- stderr ---\n{stderr}\n"));
    for (server, flags, log, sandbox) in sandboxes {
        drop(sandbox);
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(40)..];
        report.push_str(&format!(
            "--- sandbox {server:?} (--ephemeral {}): last {} of {} log lines ---\n{}\n",
            flags.join(" "),
            tail.len(),
            lines.len(),
            tail.join("\n")
        ));
    }
    panic!("{report}");
}

/// The test data itself: what the model allows where a step expects success, what it forbids
/// where a step is marked raw, and every union branch, spec member, enum value and operation
/// covered (`check_data.py`, a validator apart from the sandbox's).
#[test]
fn data_json_is_valid_and_covers_the_model() {
    if skip() {
        return;
    }
    let out = Command::new("python3")
        .arg(dir().join("check_data.py"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run python3 tests/conformance/check_data.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("data: 5 passed, 0 failed"),
        "tests/conformance/data.json: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn boto3_suite_passes() {
    if skip() {
        return;
    }
    require("python3", &["-c", "import boto3"], "boto3");
    let suite = dir().join("boto3_suite.py");
    run_suite("boto3", "python3", &[suite.to_str().unwrap()]);
}

#[test]
fn aws_cli_suite_passes() {
    if skip() {
        return;
    }
    require("aws", &["--version"], "the AWS CLI");
    require(
        "python3",
        &["-c", "import awscli.clidriver"],
        "the AWS CLI's Python package",
    );
    let suite = dir().join("awscli_suite.py");
    run_suite("cli", "python3", &[suite.to_str().unwrap()]);
}

#[test]
fn javascript_sdk_suite_passes() {
    if skip() {
        return;
    }
    require("node", &["--version"], "node");
    let js = dir().join("js");
    assert!(
        js.join("node_modules/@aws-sdk/client-app-mesh").is_dir(),
        "@aws-sdk/client-app-mesh is not installed: run `npm ci --prefix tests/conformance/js` (scripts/test does), or set APPMESH_SKIP_CONFORMANCE=1"
    );
    let suite = js.join("suite.mjs");
    run_suite("js", "node", &[suite.to_str().unwrap()]);
}
