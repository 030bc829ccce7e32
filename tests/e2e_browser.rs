//! The mesh browser end to end: the real binary in a pseudo-terminal against the sandbox (a
//! separate `sandbox serve` process) and against moto behind its timestamp proxy. Each step
//! (list, filter, describe, copy the ARN, update the egress filter, tag and untag, delete) is
//! checked afterwards with the AWS CLI against the same server.

mod support;

use serde_json::Value;
use support::moto::{Moto, TEST_ENV, aws_cli, cli_tags};
use support::pty::{Key, Tui};
use support::serve::Serve;

fn cli(endpoint: &str, args: &[&str]) -> Value {
    aws_cli(endpoint, args).ok().json()
}

fn describe(endpoint: &str, name: &str) -> Value {
    cli(endpoint, &["appmesh", "describe-mesh", "--mesh-name", name])["mesh"].clone()
}

fn mesh_names(endpoint: &str) -> Vec<String> {
    let out = cli(endpoint, &["appmesh", "list-meshes"]);
    let mut names: Vec<String> = out["meshes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["meshName"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn seed(endpoint: &str) {
    for name in ["alpha-mesh", "gamma-mesh"] {
        aws_cli(endpoint, &["appmesh", "create-mesh", "--mesh-name", name]).ok();
    }
    aws_cli(
        endpoint,
        &[
            "appmesh",
            "create-mesh",
            "--mesh-name",
            "beta-mesh",
            "--spec",
            r#"{"egressFilter":{"type":"DROP_ALL"}}"#,
            "--tags",
            "key=team,value=ops",
            "key=stage,value=test",
        ],
    )
    .ok();
}

/// list → filter → describe → copy ARN → update egress → tag/untag → delete, each step
/// checked with the AWS CLI.
fn browse(endpoint: &str, cols: u16, rows: u16) {
    seed(endpoint);
    let tui = Tui::spawn(&["--endpoint-url", endpoint], TEST_ENV, cols, rows);
    tui.wait_for("F3 Meshes");
    tui.key(Key::F(3));
    tui.wait_until("three meshes listed", |s| {
        s.contains("Meshes (3)")
            && ["│alpha-mesh ", "│beta-mesh ", "│gamma-mesh "]
                .iter()
                .all(|n| s.contains(n))
    });

    // Filter, then describe.
    tui.type_text("/bet");
    tui.wait_until("the filtered list", |s| {
        s.contains("1 match") && s.contains("│beta-mesh ") && !s.contains("│gamma-mesh ")
    });
    tui.key(Key::Enter); // keep the filter
    tui.key(Key::Enter); // describe
    tui.wait_until("beta-mesh described", |s| {
        s.contains("DescribeMesh ✓ beta-mesh") && s.contains("team = ops") && s.contains("DROP_ALL")
    });
    if cols < 110 {
        tui.key(Key::Esc); // the full-screen result
        tui.wait_gone("DescribeMesh ✓");
    }

    // Copy the ARN.
    let arn = describe(endpoint, "beta-mesh")["metadata"]["arn"]
        .as_str()
        .unwrap()
        .to_string();
    tui.key(Key::Char('y'));
    tui.wait_for("Copied the ARN of beta-mesh");
    assert!(
        tui.clipboard_writes()
            .iter()
            .any(|(_, data)| String::from_utf8_lossy(data).contains(&arn)
                || data == base64(arn.as_bytes()).as_bytes()),
        "no OSC 52 write of {arn}: {:?}",
        tui.clipboard_writes()
    );

    // Update the egress filter.
    tui.key(Key::Char('e'));
    tui.wait_for("[ Update ]");
    tui.key(Key::Down); // ALLOW_ALL
    tui.key(Key::Ctrl('s'));
    tui.wait_until("beta-mesh updated", |s| {
        s.contains("UpdateMesh ✓ beta-mesh") && s.contains("ALLOW_ALL")
    });
    let mesh = describe(endpoint, "beta-mesh");
    assert_eq!(mesh["spec"]["egressFilter"]["type"], "ALLOW_ALL");
    assert_eq!(mesh["metadata"]["version"], 2);
    if cols < 110 {
        tui.key(Key::Esc);
        tui.wait_gone("UpdateMesh ✓");
    }

    // Tags: change stage, add owner, remove team.
    tui.key(Key::Char('t'));
    tui.wait_for("Tags of beta-mesh");
    tui.type_text("stage");
    tui.key(Key::Tab);
    tui.type_text("prod");
    tui.key(Key::Enter);
    tui.type_text("owner");
    tui.key(Key::Tab);
    tui.type_text("payments");
    tui.key(Key::Enter);
    tui.wait_for("owner = payments");
    tui.key(Key::BackTab); // the tag list
    tui.key(Key::Home);
    tui.wait_for("▸ Tags (3/50)");
    // The list is in the order the service returned; find team's row (unchanged tags
    // are drawn as `│  key = value` right under the list's title).
    let screen = tui.screen();
    let lines: Vec<&str> = screen.lines().collect();
    let title = lines
        .iter()
        .position(|l| l.contains("▸ Tags (3/50)"))
        .unwrap();
    let team_row = lines[title + 1..title + 4]
        .iter()
        .position(|l| l.contains("│  team = ops"))
        .unwrap_or_else(|| panic!("team not listed:\n{screen}"));
    for _ in 0..team_row {
        tui.key(Key::Down);
    }
    tui.key(Key::Char('d'));
    tui.wait_for("removes team");
    tui.key(Key::Ctrl('s'));
    if cols >= 110 {
        tui.wait_until("the saved tags in the pane", |s| {
            s.contains("TagResource ✓ beta-mesh")
                && s.contains("stage = prod")
                && s.contains("owner = payments")
                && !s.contains("team = ops")
        });
    } else {
        tui.wait_for("TagResource ✓ beta-mesh");
    }
    assert_eq!(
        cli_tags(endpoint, &arn),
        [
            ("owner".to_string(), "payments".to_string()),
            ("stage".to_string(), "prod".to_string())
        ]
    );
    if cols < 110 {
        tui.key(Key::Esc);
        tui.wait_gone("TagResource ✓");
    }

    // Delete: a wrong name sends nothing, the right one deletes.
    tui.key(Key::Char('d'));
    tui.wait_for("Delete mesh?");
    tui.type_text("beta");
    tui.key(Key::Enter);
    tui.wait_for("Not the name");
    tui.type_text("-mesh");
    tui.wait_for("name matches");
    tui.key(Key::Enter);
    tui.wait_until("beta-mesh deleted", |s| {
        s.contains("DeleteMesh ✓ beta-mesh") && s.contains("DELETED")
    });
    if cols < 110 {
        tui.key(Key::Esc);
    }
    tui.wait_for("Meshes (2)");
    assert_eq!(mesh_names(endpoint), ["alpha-mesh", "gamma-mesh"]);

    // Refresh shows what the server holds now; Esc clears the filter, then quits.
    tui.key(Key::Esc);
    tui.wait_gone("Filter:");
    aws_cli(
        endpoint,
        &["appmesh", "create-mesh", "--mesh-name", "delta-mesh"],
    )
    .ok();
    tui.key(Key::Char('r'));
    tui.wait_until("the refreshed list", |s| {
        s.contains("Meshes (3)")
            && s.contains("│delta-mesh ")
            && s.contains("│alpha-mesh ")
            && !s.contains("│beta-mesh ")
    });
    tui.key(Key::Esc);
    assert!(tui.wait_exit().success());
}

fn base64(data: &[u8]) -> String {
    appmesh_tui::export::base64_encode(data)
}

#[test]
fn browse_the_sandbox_and_the_cli_agrees() {
    let serve = Serve::ephemeral();
    browse(&serve.endpoint, 120, 40);
}

#[test]
fn browse_the_sandbox_at_80x24() {
    let serve = Serve::ephemeral();
    browse(&serve.endpoint, 80, 24);
}

#[test]
fn browse_moto_and_the_cli_agrees() {
    let moto = Moto::start();
    browse(&moto.endpoint(), 120, 40);
}

#[test]
fn read_only_lists_and_describes_but_changes_nothing() {
    let serve = Serve::ephemeral();
    seed(&serve.endpoint);
    let tui = Tui::spawn(
        &["--endpoint-url", &serve.endpoint, "--read-only"],
        TEST_ENV,
        120,
        40,
    );
    tui.wait_for("READ-ONLY");
    tui.key(Key::F(3));
    tui.wait_for("Meshes (3)");
    tui.key(Key::Enter);
    tui.wait_for("DescribeMesh ✓ alpha-mesh");
    for k in ['e', 't', 'd'] {
        tui.key(Key::Char(k));
        tui.wait_for("Read-only mode");
    }
    tui.key(Key::Delete);
    let screen = tui.screen();
    assert!(
        !screen.contains("Delete mesh?") && !screen.contains("Tags of"),
        "{screen}"
    );
    assert_eq!(mesh_names(&serve.endpoint).len(), 3);
    tui.key(Key::Ctrl('c'));
    tui.wait_exit();
}
