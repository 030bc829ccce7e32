//! The Meshes view end to end: the real binary in a pseudo-terminal against the sandbox (a
//! separate `sandbox serve` process) and against moto behind its timestamp proxy. Each change
//! is checked afterwards with the AWS CLI against the same server.

mod support;

use serde_json::{Value, json};
use support::moto::{Moto, TEST_ENV, aws_cli, cli_tags};
use support::pty::{Key, Tui};
use support::serve::Serve;

fn cli(endpoint: &str, args: &[&str]) -> Value {
    aws_cli(endpoint, args).ok().json()
}

fn describe(endpoint: &str, name: &str) -> Value {
    cli(endpoint, &["appmesh", "describe-mesh", "--mesh-name", name])["mesh"].clone()
}

fn names(endpoint: &str, args: &[&str], list: &str, member: &str) -> Vec<String> {
    let out = cli(endpoint, args);
    let mut names: Vec<String> = out[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m[member].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn mesh_names(endpoint: &str) -> Vec<String> {
    names(endpoint, &["appmesh", "list-meshes"], "meshes", "meshName")
}

fn seed_meshes(endpoint: &str) {
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

/// The onboarding shape in mesh `payments`, made with the AWS CLI: nodes web-v1, web-v2 and
/// api; router web-router with route canary (90/10); with `services`, the virtual services
/// web.local (on the router) and api.local (on api), gateway ingress and its route to web.local.
fn seed_onboarding(endpoint: &str, services: bool) {
    let run = |args: Vec<String>| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        aws_cli(endpoint, &a).ok();
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    run(s(&["appmesh", "create-mesh", "--mesh-name", "payments"]));
    let listener = json!([{"portMapping": {"port": 8080, "protocol": "http"}}]);
    for n in ["web-v1", "web-v2", "api"] {
        let spec = json!({"listeners": listener, "serviceDiscovery": {"dns": {"hostname": format!("{n}.local")}}});
        run(s(&[
            "appmesh",
            "create-virtual-node",
            "--mesh-name",
            "payments",
            "--virtual-node-name",
            n,
            "--spec",
        ])
        .into_iter()
        .chain([spec.to_string()])
        .collect());
    }
    run(s(&[
        "appmesh",
        "create-virtual-router",
        "--mesh-name",
        "payments",
        "--virtual-router-name",
        "web-router",
        "--spec",
    ])
    .into_iter()
    .chain([json!({"listeners": listener}).to_string()])
    .collect());
    let route = json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"weightedTargets": [
        {"virtualNode": "web-v1", "weight": 90}, {"virtualNode": "web-v2", "weight": 10}]}}});
    run(s(&[
        "appmesh",
        "create-route",
        "--mesh-name",
        "payments",
        "--virtual-router-name",
        "web-router",
        "--route-name",
        "canary",
        "--spec",
    ])
    .into_iter()
    .chain([route.to_string()])
    .collect());
    if !services {
        return; // moto: no virtual services, and no virtual gateways through its proxy
    }
    let gw_listener = json!([{"portMapping": {"port": 8080, "protocol": "http"}}]);
    run(s(&[
        "appmesh",
        "create-virtual-gateway",
        "--mesh-name",
        "payments",
        "--virtual-gateway-name",
        "ingress",
        "--spec",
    ])
    .into_iter()
    .chain([json!({"listeners": gw_listener}).to_string()])
    .collect());
    if services {
        run(s(&[
            "appmesh",
            "create-virtual-service",
            "--mesh-name",
            "payments",
            "--virtual-service-name",
            "web.local",
            "--spec",
        ])
        .into_iter()
        .chain([
            json!({"provider": {"virtualRouter": {"virtualRouterName": "web-router"}}}).to_string(),
        ])
        .collect());
        run(s(&[
            "appmesh",
            "create-virtual-service",
            "--mesh-name",
            "payments",
            "--virtual-service-name",
            "api.local",
            "--spec",
        ])
        .into_iter()
        .chain([json!({"provider": {"virtualNode": {"virtualNodeName": "api"}}}).to_string()])
        .collect());
        let gr = json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"target": {"virtualService": {"virtualServiceName": "web.local"}}}}});
        run(s(&[
            "appmesh",
            "create-gateway-route",
            "--mesh-name",
            "payments",
            "--virtual-gateway-name",
            "ingress",
            "--gateway-route-name",
            "web",
            "--spec",
        ])
        .into_iter()
        .chain([gr.to_string()])
        .collect());
    }
}

/// At narrow widths a describe opens full screen: close it.
fn close_result(tui: &Tui, cols: u16, shown: &str) {
    if cols < 110 {
        tui.wait_for(shown);
        tui.key(Key::Esc);
        // The window's footer hint goes with it (the status line may keep the title's words).
        tui.wait_gone("back to the list");
    }
}

fn jump(tui: &Tui, word: &str) {
    tui.key(Key::Char(':'));
    tui.type_text(word);
    tui.key(Key::Enter);
}

/// The meshes: list → filter → open (describes) → up → copy ARN → update egress → tags →
/// delete, each change checked with the AWS CLI.
fn browse_meshes(endpoint: &str, cols: u16, rows: u16) {
    seed_meshes(endpoint);
    let tui = Tui::spawn(&["--endpoint-url", endpoint], TEST_ENV, cols, rows);
    tui.wait_for("F3 Meshes");
    tui.key(Key::F(3));
    tui.wait_until("three meshes listed", |s| {
        s.contains("Meshes (3)")
            && ["│alpha-mesh ", "│beta-mesh ", "│gamma-mesh "]
                .iter()
                .all(|n| s.contains(n))
    });

    // Filter, then Enter opens the mesh and describes it.
    tui.type_text("/bet");
    tui.wait_until("the filtered list", |s| {
        s.contains("1 match") && s.contains("│beta-mesh ") && !s.contains("│gamma-mesh ")
    });
    tui.key(Key::Enter); // keep the filter
    tui.key(Key::Enter); // open
    tui.wait_until("beta-mesh described", |s| {
        s.contains("DescribeMesh ✓ beta-mesh") && s.contains("team") && s.contains("DROP_ALL")
    });
    close_result(&tui, cols, "DescribeMesh ✓");
    tui.wait_for("beta-mesh › virtual services");
    tui.key(Key::Backspace);
    tui.wait_for("Meshes (3)");

    // Copy the ARN.
    let arn = describe(endpoint, "beta-mesh")["metadata"]["arn"]
        .as_str()
        .unwrap()
        .to_string();
    tui.key(Key::Char('y'));
    tui.wait_for("Copied the ARN of mesh beta-mesh");
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
    close_result(&tui, cols, "UpdateMesh ✓");

    // Tags: change stage, add owner, remove team.
    tui.key(Key::Char('t'));
    tui.wait_for("Tags of mesh beta-mesh");
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
    tui.wait_for("TagResource ✓ beta-mesh");
    assert_eq!(
        cli_tags(endpoint, &arn),
        [
            ("owner".to_string(), "payments".to_string()),
            ("stage".to_string(), "prod".to_string())
        ]
    );
    close_result(&tui, cols, "TagResource ✓");

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
    close_result(&tui, cols, "DeleteMesh ✓");
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

/// Inside the onboarding mesh: every level and kind, a link followed both ways, a tag on a
/// route, a gateway route deleted, and (on the sandbox) the whole mesh deleted with its
/// contents. `services`: the server has virtual services (moto has not).
fn walk_the_mesh(endpoint: &str, cols: u16, rows: u16, services: bool) {
    seed_onboarding(endpoint, services);
    let tui = Tui::spawn(&["--endpoint-url", endpoint], TEST_ENV, cols, rows);
    tui.wait_for("F3 Meshes");
    tui.key(Key::F(3));
    tui.wait_for("│payments ");
    tui.key(Key::Enter);
    tui.wait_for("DescribeMesh ✓ payments");
    close_result(&tui, cols, "DescribeMesh ✓");
    tui.wait_until("the kinds with their counts", |s| {
        let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
        flat.contains("Virtual nodes 3") && flat.contains("Virtual routers 1")
    });

    // Nodes: the columns come from each node's spec.
    jump(&tui, "vn");
    tui.wait_until("the nodes with their hostnames", |s| {
        s.contains("payments › virtual nodes")
            && s.contains("web-v1.local")
            && s.contains("http:8080")
    });
    // The router opens to its routes; the route shows its targets.
    jump(&tui, "vr");
    tui.wait_for("│web-router ");
    tui.key(Key::Enter);
    tui.wait_for("DescribeVirtualRouter ✓ web-router");
    close_result(&tui, cols, "DescribeVirtualRouter ✓");
    tui.wait_until("the routes of web-router", |s| {
        s.contains("web-router › routes") && s.contains("│canary ") && s.contains("web-v1 90")
    });
    tui.key(Key::Enter);
    tui.wait_until("the route described", |s| {
        s.contains("DescribeRoute ✓ canary") && s.contains("web-v1 90% · web-v2 10%")
    });
    if cols >= 110 {
        // Follow the first weighted target to its node, which shows the route among its users.
        tui.key(Key::Tab);
        tui.key(Key::Down);
        tui.key(Key::Down);
        tui.key(Key::Enter);
        tui.wait_until("the target node described", |s| {
            s.contains("DescribeVirtualNode ✓ web-v1")
                && s.contains("→ route canary (virtual router web-")
                && s.contains("payments › virtual nodes")
        });
        // Following a link gives the list the keys again; back to the route by name.
        jump(&tui, "canary");
        tui.wait_for("DescribeRoute ✓ canary");
    } else {
        close_result(&tui, cols, "DescribeRoute ✓");
    }

    // Tag the route; the CLI sees it.
    tui.key(Key::Char('t'));
    tui.wait_for("Tags of route canary");
    tui.type_text("release");
    tui.key(Key::Tab);
    tui.type_text("canary-1");
    tui.key(Key::Enter);
    tui.key(Key::Ctrl('s'));
    tui.wait_for("TagResource ✓ canary");
    close_result(&tui, cols, "TagResource ✓");
    let route_arn = cli(
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
    )["route"]["metadata"]["arn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        cli_tags(endpoint, &route_arn),
        [("release".to_string(), "canary-1".to_string())]
    );

    if !services {
        // Delete the route (moto has no virtual services or gateway routes to go first).
        tui.key(Key::Char('d'));
        tui.wait_for("Delete route?");
        tui.type_text("canary");
        tui.key(Key::Enter);
        tui.wait_for("DeleteRoute ✓ canary");
        let left = names(
            endpoint,
            &[
                "appmesh",
                "list-routes",
                "--mesh-name",
                "payments",
                "--virtual-router-name",
                "web-router",
            ],
            "routes",
            "routeName",
        );
        assert!(left.is_empty(), "{left:?}");
        tui.key(Key::Ctrl('c'));
        tui.wait_exit();
        return;
    }

    // The gateway route goes; the service it targeted can then go too.
    jump(&tui, "gr");
    tui.wait_for("│web ");
    tui.key(Key::Char('d'));
    tui.wait_for("Delete gateway route?");
    tui.type_text("web");
    tui.key(Key::Enter);
    tui.wait_for("DeleteGatewayRoute ✓ web");
    close_result(&tui, cols, "DeleteGatewayRoute ✓");
    let left = names(
        endpoint,
        &[
            "appmesh",
            "list-gateway-routes",
            "--mesh-name",
            "payments",
            "--virtual-gateway-name",
            "ingress",
        ],
        "gatewayRoutes",
        "gatewayRouteName",
    );
    assert!(left.is_empty(), "{left:?}");

    // A node in use cannot go: the answer names what holds it.
    jump(&tui, "vn");
    tui.wait_for("│web-v1 ");
    tui.key(Key::Char('/'));
    tui.type_text("web-v1");
    tui.key(Key::Enter);
    tui.key(Key::Char('d'));
    tui.type_text("web-v1");
    tui.key(Key::Enter);
    tui.wait_until("the refusal", |s| {
        s.contains("DeleteVirtualNode failed") && s.contains("ResourceInUseException")
    });
    close_result(&tui, cols, "DeleteVirtualNode failed");
    tui.key(Key::Esc); // clear the filter

    // The whole mesh, with its contents, in the order the service requires.
    jump(&tui, "meshes");
    tui.wait_for("Meshes (1)");
    tui.key(Key::Char('d'));
    tui.wait_for("holds 8 resources");
    tui.type_text("payments");
    tui.key(Key::Enter);
    tui.wait_until("everything deleted", |s| s.contains("Deleted: 9 of 9"));
    assert!(mesh_names(endpoint).is_empty());
    tui.key(Key::Esc);
    tui.wait_for("Meshes (0)");
    tui.key(Key::Ctrl('c'));
    tui.wait_exit();
}

#[test]
fn browse_the_sandbox_and_the_cli_agrees() {
    let serve = Serve::ephemeral();
    browse_meshes(&serve.endpoint, 120, 40);
}

#[test]
fn browse_the_sandbox_at_80x24() {
    let serve = Serve::ephemeral();
    browse_meshes(&serve.endpoint, 80, 24);
}

#[test]
fn browse_moto_and_the_cli_agrees() {
    let moto = Moto::start();
    browse_meshes(&moto.endpoint(), 120, 40);
}

#[test]
fn walk_a_mesh_on_the_sandbox() {
    let serve = Serve::ephemeral();
    walk_the_mesh(&serve.endpoint, 120, 40, true);
}

#[test]
fn walk_a_mesh_on_the_sandbox_at_80x24() {
    let serve = Serve::ephemeral();
    walk_the_mesh(&serve.endpoint, 80, 24, true);
}

#[test]
fn walk_a_mesh_on_moto() {
    let moto = Moto::start();
    walk_the_mesh(&moto.endpoint(), 120, 40, false);
}

#[test]
fn read_only_lists_and_describes_but_changes_nothing() {
    let serve = Serve::ephemeral();
    seed_meshes(&serve.endpoint);
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
    tui.key(Key::Backspace);
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
