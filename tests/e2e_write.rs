//! Writing inside a mesh end to end: the real binary in a pseudo-terminal against the sandbox
//! (a separate `sandbox serve` process) and against moto. A virtual node created with `c`, a canary shifted
//! with `+`, and a route's spec edited with `E` in an `EDITOR` script, each checked afterwards
//! with the AWS CLI against the same server.

mod support;

use serde_json::{Value, json};
use support::moto::{Moto, TEST_ENV, aws_cli};
use support::pty::{Key, Tui};
use support::serve::Serve;

fn cli(endpoint: &str, args: &[&str]) -> Value {
    aws_cli(endpoint, args).ok().json()
}

/// `payments`: nodes web-v1 and web-v2, router web-router, route canary 90/10.
fn seed(endpoint: &str) {
    let listener = json!([{"portMapping": {"port": 8080, "protocol": "http"}}]).to_string();
    aws_cli(
        endpoint,
        &["appmesh", "create-mesh", "--mesh-name", "payments"],
    )
    .ok();
    for n in ["web-v1", "web-v2"] {
        let spec = json!({"listeners": serde_json::from_str::<Value>(&listener).unwrap(), "serviceDiscovery": {"dns": {"hostname": format!("{n}.local")}}});
        aws_cli(
            endpoint,
            &[
                "appmesh",
                "create-virtual-node",
                "--mesh-name",
                "payments",
                "--virtual-node-name",
                n,
                "--spec",
                &spec.to_string(),
            ],
        )
        .ok();
    }
    aws_cli(
        endpoint,
        &[
            "appmesh",
            "create-virtual-router",
            "--mesh-name",
            "payments",
            "--virtual-router-name",
            "web-router",
            "--spec",
            &json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]})
                .to_string(),
        ],
    )
    .ok();
    let route = json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"weightedTargets": [
        {"virtualNode": "web-v1", "weight": 90}, {"virtualNode": "web-v2", "weight": 10}]}}});
    aws_cli(
        endpoint,
        &[
            "appmesh",
            "create-route",
            "--mesh-name",
            "payments",
            "--virtual-router-name",
            "web-router",
            "--route-name",
            "canary",
            "--spec",
            &route.to_string(),
        ],
    )
    .ok();
}

fn weights(endpoint: &str) -> Vec<i64> {
    let r = cli(
        endpoint,
        &[
            "appmesh",
            "describe-route",
            "--mesh-name",
            "payments",
            "--virtual-router-name",
            "web-router",
            "--route-name",
            "canary",
        ],
    );
    r["route"]["spec"]["httpRoute"]["action"]["weightedTargets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["weight"].as_i64().unwrap())
        .collect()
}

fn jump(tui: &Tui, word: &str) {
    tui.key(Key::Char(':'));
    tui.type_text(word);
    tui.key(Key::Enter);
}

#[test]
fn create_a_node_shift_the_canary_and_edit_the_spec_on_the_sandbox() {
    let serve = Serve::ephemeral();
    write_flow(&serve.endpoint);
}

/// The same against moto (an App Mesh emulator nobody here wrote), behind the timestamp proxy.
#[test]
fn create_a_node_shift_the_canary_and_edit_the_spec_on_moto() {
    let moto = Moto::start();
    write_flow(&moto.endpoint());
}

fn write_flow(endpoint: &str) {
    let endpoint = endpoint.to_string();
    seed(&endpoint);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("edit.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nsed -i '0,/weight: 50/s//weight: 35/' \"$1\"\nsed -i 's/weight: 50/weight: 65/' \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let script = script.display().to_string();
    let mut env: Vec<(&str, &str)> = TEST_ENV.to_vec();
    env.push(("EDITOR", &script));
    env.push(("VISUAL", ""));
    let tui = Tui::spawn(&["--endpoint-url", &endpoint], &env, 120, 40);
    tui.wait_for("F3 Meshes");
    tui.key(Key::F(3));
    tui.wait_for("│payments");
    tui.key(Key::Enter);
    tui.wait_for("Virtual nodes        2");
    // Nothing else changes while a call is in flight: the mesh's describe ends first.
    tui.wait_for("DescribeMesh ✓");

    // c in the virtual nodes: the create form; a name and Ctrl-S.
    jump(&tui, "vn");
    tui.wait_for("Virtual nodes (2)");
    tui.key(Key::Char('c'));
    tui.wait_for("New virtual node in mesh \"payments\"");
    tui.type_text("web-v3");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("Created virtual node \"web-v3\"");
    tui.wait_for("Virtual nodes (3)");
    let node = cli(
        &endpoint,
        &[
            "appmesh",
            "describe-virtual-node",
            "--mesh-name",
            "payments",
            "--virtual-node-name",
            "web-v3",
        ],
    );
    assert_eq!(node["virtualNode"]["status"]["status"], json!("ACTIVE"));

    // + on the route: the canary control; web-v2 up to 50.
    jump(&tui, "routes");
    tui.wait_for("Routes (1)");
    tui.key(Key::Char('+'));
    tui.wait_for("Canary: route \"canary\"");
    tui.key(Key::Down);
    for _ in 0..8 {
        tui.key(Key::Char('+'));
    }
    tui.wait_for("10 → 50");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("Updated route \"canary\"");
    assert_eq!(weights(&endpoint), vec![50, 50]);

    // E: the spec in $EDITOR (the script), the terminal handed over and taken back.
    tui.key(Key::Char('E'));
    tui.wait_for("version 3");
    assert_eq!(weights(&endpoint), vec![35, 65]);
    assert!(tui.alternate_screen(), "the app has the screen again");
    tui.wait_for("F3 Meshes");

    tui.key(Key::Ctrl('c'));
    tui.wait_exit();
    tui.assert_restored();
}
