//! Inside a mesh: the topology (`g`), the Migrate view (`M`) and the export of any kind (`x`),
//! opened from the explorer against the sandbox's state as the service (`testing::Service`),
//! with screens from ratatui's `TestBackend`.

use appmesh_tui::app::{App, Overlay, Pane};
use appmesh_tui::kind::Kind;
use appmesh_tui::testing::{self, Service, connected_app, draw};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn press(a: &mut App, code: KeyCode, s: &mut Service) {
    testing::press(a, code, s);
}

fn typed(a: &mut App, text: &str, s: &mut Service) {
    for c in text.chars() {
        press(a, KeyCode::Char(c), s);
    }
}

/// The `payments` mesh of the onboarding shape, opened, every resource described.
fn inside(w: u16, h: u16, s: &mut Service) -> App {
    s.add_mesh("payments", true);
    let mut a = connected_app(w, h, "/home/dev/.local/share/appmesh-tui/sandbox.json");
    press(&mut a, KeyCode::F(3), s);
    press(&mut a, KeyCode::Enter, s);
    if a.overlay == Some(Overlay::Result) {
        press(&mut a, KeyCode::Esc, s);
    }
    assert!(
        a.explorer.open.as_ref().is_some_and(|o| o.complete()),
        "every resource described"
    );
    a
}

#[test]
fn g_draws_the_mesh_and_enter_describes_the_box() {
    let mut s = Service::new();
    let mut a = inside(120, 40, &mut s);
    press(&mut a, KeyCode::Char('g'), &mut s);
    assert_eq!(a.overlay, Some(Overlay::Topology));
    let screen = draw(&a);
    for name in [
        "Topology · payments",
        "ingress",
        "web-router",
        "canary",
        "90%",
        "10%",
    ] {
        assert!(screen.contains(name), "{name}: {screen}");
    }
    insta::assert_snapshot!("topology_120x40", screen);

    // Right moves box by box towards the nodes; Enter there describes the node.
    let mut guard = 0;
    while a
        .views
        .topology
        .as_ref()
        .and_then(|t| t.selected_key())
        .is_none_or(|k| k.kind != Kind::VirtualNode)
    {
        press(&mut a, KeyCode::Right, &mut s);
        guard += 1;
        assert!(guard < 20, "no node reached: {}", draw(&a));
    }
    let node = a
        .views
        .topology
        .as_ref()
        .unwrap()
        .selected_key()
        .unwrap()
        .clone();
    press(&mut a, KeyCode::Enter, &mut s);
    assert_eq!(a.overlay, None, "back in the explorer");
    match &a.pane {
        Pane::Resource(d) => assert_eq!(d.resource.key, node),
        other => panic!("the node is described: {other:?}"),
    }
    assert!(draw(&a).contains(&format!("DescribeVirtualNode ✓ {}", node.name)));
}

#[test]
fn topology_at_80x24_and_esc_closes_it() {
    let mut s = Service::new();
    let mut a = inside(80, 24, &mut s);
    press(&mut a, KeyCode::Char('g'), &mut s);
    insta::assert_snapshot!("topology_80x24", draw(&a));
    press(&mut a, KeyCode::Esc, &mut s);
    assert_eq!(a.overlay, None);
    assert!(draw(&a).contains("payments › virtual services"));
}

#[test]
fn m_shows_the_migration_and_writes_terraform_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Service::new();
    let mut a = inside(120, 40, &mut s);
    press(&mut a, KeyCode::Char('M'), &mut s);
    assert_eq!(a.overlay, Some(Overlay::Migrate));
    let screen = draw(&a);
    assert!(screen.contains("Migrate mesh payments"), "{screen}");
    assert!(screen.contains("virtual gateway ingress"), "{screen}");
    insta::assert_snapshot!("migrate_120x40", screen);

    press(&mut a, KeyCode::Char('w'), &mut s);
    press(&mut a, KeyCode::Char('t'), &mut s);
    // The prompt holds a default name: clear it, type a path in the temporary directory.
    let _ = a.update(appmesh_tui::app::Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    let path = dir.path().join("lattice.tf");
    typed(&mut a, &path.display().to_string(), &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    let written = std::fs::read_to_string(&path).expect("the file is written");
    assert!(
        written.contains("aws_vpclattice_service_network"),
        "{written}"
    );
    assert!(draw(&a).contains("Wrote"), "{}", draw(&a));

    // Writing again asks before replacing; n keeps the file as it was.
    std::fs::write(&path, "mine").unwrap();
    press(&mut a, KeyCode::Char('w'), &mut s);
    press(&mut a, KeyCode::Char('t'), &mut s);
    let _ = a.update(appmesh_tui::app::Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut a, &path.display().to_string(), &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    press(&mut a, KeyCode::Char('n'), &mut s);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    press(&mut a, KeyCode::Esc, &mut s);
    press(&mut a, KeyCode::Esc, &mut s);
    assert_eq!(a.overlay, None);
}

#[test]
fn x_exports_any_kind_in_five_formats() {
    let mut s = Service::new();
    let mut a = inside(120, 40, &mut s);
    press(&mut a, KeyCode::Char(':'), &mut s);
    typed(&mut a, "vn", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    let Pane::Resource(d) = &a.pane else {
        panic!("a node is described: {}", draw(&a));
    };
    let name = d.resource.key.name.clone();
    press(&mut a, KeyCode::Char('x'), &mut s);
    assert_eq!(a.overlay, Some(Overlay::Export));
    let screen = draw(&a);
    assert!(
        screen.contains(&format!("virtual node {name} as the service returned it")),
        "{screen}"
    );
    assert!(
        screen.contains("5 Kubernetes (App Mesh controller)"),
        "{screen}"
    );
    insta::assert_snapshot!("export_node_menu", screen);
    press(&mut a, KeyCode::Char('5'), &mut s);
    let text = a.export.as_ref().unwrap().text();
    assert!(text.contains("kind: \"VirtualNode\""), "{text}");
    press(&mut a, KeyCode::Esc, &mut s);
    press(&mut a, KeyCode::Char('4'), &mut s);
    let text = a.export.as_ref().unwrap().text();
    assert!(
        text.contains("resource \"aws_appmesh_virtual_node\""),
        "{text}"
    );
    assert!(
        text.contains("import {"),
        "an existing node gets an import block: {text}"
    );
}

fn ctrl(a: &mut App, c: char, s: &mut Service) {
    let fx = a.update(appmesh_tui::app::Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
    testing::settle(a, fx, s, 1_000);
}

/// F6 inside a mesh: "Onboard a service" from the first step to the topology, every request
/// sent through the app's calls, and the service then holds each resource.
#[test]
fn f6_onboards_a_service_and_ends_on_its_topology() {
    let mut s = Service::new();
    let mut a = inside(120, 40, &mut s);
    press(&mut a, KeyCode::F(6), &mut s);
    assert_eq!(a.overlay, Some(Overlay::Onboard));
    assert!(draw(&a).contains("Onboard a service"), "{}", draw(&a));
    press(&mut a, KeyCode::Enter, &mut s);
    typed(&mut a, "orders-v1", &mut s);
    // The node needs a DNS hostname: Ctrl-N refuses, naming it, and moves there.
    ctrl(&mut a, 'n', &mut s);
    assert!(
        draw(&a).contains("DNS hostname: is required"),
        "{}",
        draw(&a)
    );
    typed(&mut a, "orders.payments.local", &mut s);
    for _ in 0..6 {
        ctrl(&mut a, 'n', &mut s);
    }
    assert!(draw(&a).contains("Step 8 of 9 · Send"), "{}", draw(&a));
    press(&mut a, KeyCode::Enter, &mut s);
    let screen = draw(&a);
    assert!(screen.contains("Everything was created"), "{screen}");
    let mesh = s.mesh_model("payments");
    for (kind, name) in [
        (Kind::VirtualNode, "orders-v1"),
        (Kind::VirtualRouter, "orders-router"),
        (Kind::VirtualService, "orders.payments.local"),
    ] {
        assert!(
            mesh.items.keys().any(|k| k.kind == kind && k.name == name),
            "{kind:?} {name} on the service: {:?}",
            mesh.items.keys().collect::<Vec<_>>()
        );
    }
    assert!(
        mesh.items
            .keys()
            .any(|k| k.kind == Kind::Route && k.parent == "orders-router")
    );
    assert!(
        mesh.items
            .keys()
            .any(|k| k.kind == Kind::GatewayRoute && k.parent == "ingress")
    );
    // The explorer lists what was created.
    let open = a.explorer.open.as_ref().unwrap();
    assert!(open.model.items.keys().any(|k| k.name == "orders-v1"));
    // Enter: the topology, the new service selected.
    press(&mut a, KeyCode::Enter, &mut s);
    assert_eq!(a.overlay, Some(Overlay::Topology));
    let selected = a.views.topology.as_ref().unwrap().selected_key().cloned();
    assert_eq!(
        selected.map(|k| (k.kind, k.name.to_string())),
        Some((Kind::VirtualService, "orders.payments.local".to_string()))
    );
}
