//! The walkthrough, exports and templates end to end: the real binary in a pseudo-terminal,
//! against the built-in sandbox or a separate `appmesh-tui sandbox serve`; afterwards the AWS
//! CLI (a client we did not write) checks what the server holds.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::moto::{TEST_ENV, aws_cli, cli_tags, python_bin_dir};
use support::pty::{Key, Tui};
use support::serve::Serve;

/// The mesh as the AWS CLI reads it: (name, spec, sorted tags).
fn mesh_as_cli_sees_it(
    endpoint: &str,
    name: &str,
) -> (String, serde_json::Value, Vec<(String, String)>) {
    let out = aws_cli(endpoint, &["appmesh", "describe-mesh", "--mesh-name", name]).ok();
    let mesh = out.json()["mesh"].clone();
    assert_eq!(mesh["status"]["status"], "ACTIVE", "{mesh}");
    let arn = mesh["metadata"]["arn"].as_str().unwrap().to_string();
    let tags = cli_tags(endpoint, &arn);
    (
        mesh["meshName"].as_str().unwrap().to_string(),
        mesh["spec"].clone(),
        tags,
    )
}

/// Waits for one whole screen that holds every needle (a screen read mid-frame may hold only
/// part of the new frame).
fn wait_all(tui: &Tui, needles: &[&str]) -> String {
    tui.wait_until(&format!("screen to contain all of {needles:?}"), |s| {
        needles.iter().all(|n| s.contains(n))
    })
}

fn mesh_exists(endpoint: &str, name: &str) -> bool {
    let out = aws_cli(endpoint, &["appmesh", "describe-mesh", "--mesh-name", name]);
    if out.status.success() {
        return true;
    }
    assert!(
        out.stderr.contains("NotFoundException"),
        "describe failed for another reason: {}",
        out.stderr
    );
    false
}

/// (a) From nothing to a created mesh on the built-in sandbox, reading every step at 80×24.
#[test]
fn walkthrough_on_the_sandbox_at_80x24_creates_a_mesh() {
    let tui = Tui::spawn(&["--sandbox", "--ephemeral", "--walkthrough"], &[], 80, 24);
    wait_all(
        &tui,
        &[
            "Step 1 of 8 · What a mesh is",
            "▸ 1 What a mesh is",
            "8 Reading the result",
            "built-in sandbox",
            "A service mesh is the boundary",
            "Enter start",
        ],
    );
    tui.key(Key::Enter);
    wait_all(&tui, &["Step 2 of 8 · Mesh name", "▸ 2 Mesh name"]);
    tui.type_text("first-mesh");
    wait_all(&tui, &["✓ valid name", "1 to 255 characters"]);

    tui.key(Key::Enter);
    wait_all(
        &tui,
        &[
            "Step 3 of 8 · Egress filter",
            "▸ 3 Egress filter",
            "(•) DROP_ALL",
            "*.amazonaws.com",
        ],
    );
    tui.key(Key::Enter); // keep DROP_ALL

    tui.wait_for("Step 4 of 8 · IP preference");
    tui.keys(&[Key::Down, Key::Down, Key::Down]);
    wait_all(&tui, &["(•) IPv4_ONLY", "IPv4_ONLY: IPv4 addresses only."]);
    tui.key(Key::Enter);

    wait_all(&tui, &["Step 5 of 8 · Tags", "▸ 5 Tags"]);
    tui.type_text("team");
    tui.key(Key::Tab);
    tui.type_text("onboarding");
    tui.key(Key::Enter);
    tui.wait_for("Added tag team.");
    tui.key(Key::Ctrl('n'));

    wait_all(
        &tui,
        &[
            "Step 6 of 8 · Review",
            "\"meshName\": \"first-mesh\"",
            "\"type\": \"DROP_ALL\"",
        ],
    );
    // Further down: the AWS CLI command.
    tui.keys(&[Key::PageDown, Key::PageDown, Key::PageDown]);
    tui.wait_for("aws appmesh create-mesh");
    tui.key(Key::Enter);

    wait_all(
        &tui,
        &[
            "Step 7 of 8 · Submit",
            "Ready: Enter sends CreateMesh to the built-in sandbox",
        ],
    );
    tui.key(Key::Enter);

    wait_all(
        &tui,
        &[
            "Step 8 of 8 · Reading the result",
            "ACTIVE",
            "mesh/first-mesh",
            "IPv4_ONLY",
            "team = onboarding",
            "Created mesh first-mesh.",
        ],
    );
    tui.keys(&[Key::PageDown, Key::PageDown, Key::PageDown]);
    wait_all(&tui, &["partition", "account"]);

    // Esc leaves to the plain form with the values; the form was created, so Esc quits.
    tui.key(Key::Esc);
    wait_all(
        &tui,
        &["Left the walkthrough", "first-mesh", "team = onboarding"],
    );
    tui.key(Key::Esc);
    assert!(tui.wait_exit().success());
}

/// The environment the exported command runs with: only what the brief's user has.
fn run_exported(script: &Path) -> std::process::Output {
    let mut cmd = Command::new("sh");
    cmd.arg(script);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    let path = format!(
        "{}:{}",
        python_bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("PATH", path)
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_PAGER", "")
        .stdin(Stdio::null());
    cmd.output().expect("run sh")
}

/// (b) The AWS CLI command exported from the UI recreates the mesh.
#[test]
fn exported_cli_command_recreates_the_mesh() {
    let serve = Serve::ephemeral();
    let tui = Tui::spawn(&["--endpoint-url", &serve.endpoint], TEST_ENV, 120, 40);
    tui.wait_for("Mesh name");
    tui.type_text("export-me");
    tui.key(Key::Tab);
    tui.key(Key::Down); // ALLOW_ALL
    tui.key(Key::Tab);
    tui.key(Key::Down); // IPv6_PREFERRED
    tui.key(Key::Tab);
    tui.type_text("team");
    tui.key(Key::Tab);
    tui.type_text("it's \"ops\"");
    tui.key(Key::Enter);
    tui.wait_for("Added tag team");
    tui.type_text("env");
    tui.key(Key::Tab);
    tui.type_text("dev");
    tui.key(Key::Enter);
    tui.wait_for("Added tag env");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓ export-me");
    let before = mesh_as_cli_sees_it(&serve.endpoint, "export-me");

    // Out of the text fields, x exports the mesh in the pane.
    tui.keys(&[Key::Tab, Key::Tab]);
    tui.key(Key::Char('x'));
    tui.wait_for("Export export-me");
    tui.key(Key::Char('1'));
    wait_all(
        &tui,
        &[
            "AWS CLI command · export-me",
            &format!("--endpoint-url {}", serve.endpoint),
        ],
    );
    tui.key(Key::Char('w'));
    tui.wait_for("Write to file");
    tui.key(Key::Enter); // the default name, in the working directory ($HOME here)
    tui.wait_for("Wrote AWS CLI command to export-me.sh");
    let script: PathBuf = tui.home().join("export-me.sh");
    let written = std::fs::read_to_string(&script).expect("the export was written");
    assert!(written.contains("aws appmesh create-mesh"), "{written}");

    // A second write asks before replacing the file, and n keeps it.
    tui.key(Key::Char('w'));
    tui.wait_for("Write to file");
    tui.key(Key::Enter);
    tui.wait_for("already exists. Overwrite it?");
    tui.key(Key::Char('n'));
    tui.wait_for("as it was; choose another name");
    assert_eq!(std::fs::read_to_string(&script).unwrap(), written);
    tui.key(Key::Esc);
    // (Esc and a key sent together read as Alt-key: wait for the prompt to go first.)
    tui.wait_gone("Write to file");
    tui.key(Key::Char('q'));
    tui.wait_gone("AWS CLI command · export-me");

    aws_cli(
        &serve.endpoint,
        &["appmesh", "delete-mesh", "--mesh-name", "export-me"],
    )
    .ok();
    assert!(!mesh_exists(&serve.endpoint, "export-me"));

    let out = run_exported(&script);
    assert!(
        out.status.success(),
        "the exported command failed:\n{written}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mesh_as_cli_sees_it(&serve.endpoint, "export-me"), before);
}

/// (c) The team template requires the tags team and env: without env nothing reaches the
/// server; once env is added the mesh is created.
#[test]
fn template_rules_stop_a_mesh_without_the_required_tags() {
    let serve = Serve::ephemeral();
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates/team-dev.json");
    let tui = Tui::spawn(
        &[
            "--endpoint-url",
            &serve.endpoint,
            "--template",
            template.to_str().unwrap(),
        ],
        TEST_ENV,
        80,
        24,
    );
    wait_all(
        &tui,
        &[
            "Template team-dev.json: loaded with team rules",
            "payments-dev",
            "team = payments",
            "env = dev",
            "(•) IPv4_PREFERRED",
        ],
    );
    // Remove env: Tab to the tag list, select env, d.
    tui.keys(&[Key::Tab, Key::Tab, Key::Tab, Key::Tab, Key::Tab]);
    tui.key(Key::Down);
    tui.key(Key::Char('d'));
    tui.wait_for("Removed tag env");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("Not sent: team rule: tag `env` is required");
    assert!(
        !mesh_exists(&serve.endpoint, "payments-dev"),
        "nothing was sent"
    );
    let listed = aws_cli(&serve.endpoint, &["appmesh", "list-meshes"]).ok();
    assert_eq!(listed.json()["meshes"], serde_json::json!([]));

    // A value the rules do not allow is refused too.
    tui.type_text("env");
    tui.key(Key::Tab);
    tui.type_text("qa");
    tui.key(Key::Enter);
    tui.wait_for("Added tag env");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("Not sent: team rule: tag `env` is `qa`");
    assert!(!mesh_exists(&serve.endpoint, "payments-dev"));

    tui.type_text("env");
    tui.key(Key::Tab);
    tui.type_text("staging");
    tui.key(Key::Enter);
    tui.wait_for("replaced value");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓ payments-dev");
    let (name, spec, tags) = mesh_as_cli_sees_it(&serve.endpoint, "payments-dev");
    assert_eq!(name, "payments-dev");
    assert_eq!(spec["egressFilter"]["type"], "DROP_ALL");
    assert_eq!(spec["serviceDiscovery"]["ipPreference"], "IPv4_PREFERRED");
    assert_eq!(
        tags,
        [
            ("env".to_string(), "staging".to_string()),
            ("team".to_string(), "payments".to_string())
        ]
    );
}

/// A template that is not JSON: the app opens with an empty form and names the file.
#[test]
fn broken_template_file_still_opens_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("team.json");
    std::fs::write(&bad, "{ \"meshName\": ").unwrap();
    let tui = Tui::spawn(
        &[
            "--sandbox",
            "--ephemeral",
            "--template",
            bad.to_str().unwrap(),
        ],
        &[],
        80,
        24,
    );
    wait_all(&tui, &["is not valid JSON", "team.json", "empty form"]);
    tui.key(Key::Esc);
    wait_all(&tui, &["Tags (0/50)", "0/255", "Template not used"]);
    tui.key(Key::Esc);
    assert!(tui.wait_exit().success());
}
