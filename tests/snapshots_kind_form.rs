//! The create/edit forms of the six kinds inside a mesh, drawn with ratatui's TestBackend at
//! 80x24 and 120x40, new and editing an existing resource (`cargo insta review` after an
//! intended change).

use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::kind_form::{Answer, FormOutcome, KindForm};
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::template::Rules;
use appmesh_tui::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

fn mesh() -> MeshModel {
    let mut m = MeshModel::new("shop");
    for (kind, name) in [
        (Kind::VirtualNode, "blue"),
        (Kind::VirtualNode, "green"),
        (Kind::VirtualRouter, "web-router"),
        (Kind::VirtualService, "web.shop.local"),
        (Kind::VirtualGateway, "edge"),
    ] {
        m.items
            .insert(Key::new(kind, "shop", "", name), Item::new(json!({})));
    }
    m
}

fn parent_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Route => "web-router",
        Kind::GatewayRoute => "edge",
        _ => "",
    }
}

fn spec(kind: Kind) -> Value {
    match kind {
        Kind::VirtualNode => json!({
            "listeners": [{"portMapping": {"port": 8080, "protocol": "http"},
                           "healthCheck": {"healthyThreshold": 2, "intervalMillis": 5000, "protocol": "http",
                                           "path": "/ping", "timeoutMillis": 2000, "unhealthyThreshold": 3},
                           "tls": {"mode": "PERMISSIVE", "certificate": {"file": {"certificateChain": "/c", "privateKey": "/k"}}}}],
            "serviceDiscovery": {"dns": {"hostname": "blue.shop.local", "responseType": "ENDPOINTS"}},
            "backends": [{"virtualService": {"virtualServiceName": "db.shop.local"}}],
            "logging": {"accessLog": {"file": {"path": "/dev/stdout"}}}
        }),
        Kind::VirtualService => {
            json!({"provider": {"virtualRouter": {"virtualRouterName": "web-router"}}})
        }
        Kind::VirtualRouter => {
            json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]})
        }
        Kind::Route => json!({
            "priority": 10,
            "httpRoute": {
                "match": {"prefix": "/api", "method": "GET",
                          "headers": [{"name": "x-canary", "match": {"exact": "1"}}]},
                "action": {"weightedTargets": [{"virtualNode": "blue", "weight": 90},
                                               {"virtualNode": "green", "weight": 10}]},
                "retryPolicy": {"maxRetries": 3, "perRetryTimeout": {"unit": "ms", "value": 250},
                                "httpRetryEvents": ["server-error", "gateway-error"]}
            }
        }),
        Kind::VirtualGateway => json!({
            "listeners": [{"portMapping": {"port": 443, "protocol": "http"}}],
            "logging": {"accessLog": {"file": {"path": "/dev/stdout"}}}
        }),
        Kind::GatewayRoute => json!({
            "httpRoute": {
                "match": {"prefix": "/shop/", "hostname": {"suffix": ".example.com"}},
                "action": {"target": {"virtualService": {"virtualServiceName": "web.shop.local"}},
                           "rewrite": {"prefix": {"defaultPrefix": "DISABLED"}}}
            }
        }),
        Kind::Mesh => json!({}),
    }
}

fn new_form(kind: Kind) -> KindForm {
    KindForm::new(kind, &mesh(), None, &Rules::default()).with_parent(parent_of(kind))
}

fn edit_form(kind: Kind) -> KindForm {
    let k = Key::new(kind, "shop", parent_of(kind), "canary");
    KindForm::new(
        kind,
        &mesh(),
        Some((&k, &Item::new(spec(kind)))),
        &Rules::default(),
    )
}

fn draw(form: &KindForm, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| form.render(f, f.area(), &Theme::default()))
        .unwrap();
    t.backend().to_string()
}

fn press(form: &mut KindForm, code: KeyCode) -> FormOutcome {
    form.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::VirtualNode => "node",
        Kind::VirtualService => "service",
        Kind::VirtualRouter => "router",
        Kind::Route => "route",
        Kind::VirtualGateway => "gateway",
        Kind::GatewayRoute => "gateway_route",
        Kind::Mesh => "mesh",
    }
}

#[test]
fn every_kind_new_and_edit_at_both_sizes() {
    for kind in Kind::IN_MESH {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut f = new_form(kind);
            for c in "web".chars() {
                press(&mut f, KeyCode::Char(c));
            }
            insta::assert_snapshot!(format!("{}_new_{w}x{h}", name(kind)), draw(&f, w, h));
            let f = edit_form(kind);
            insta::assert_snapshot!(format!("{}_edit_{w}x{h}", name(kind)), draw(&f, w, h));
        }
    }
}

#[test]
fn the_focus_scrolls_into_view_at_80x24() {
    let mut f = edit_form(Kind::Route);
    // To the last field: the body scrolls, the focused row is on screen.
    press(&mut f, KeyCode::BackTab);
    press(&mut f, KeyCode::BackTab);
    let screen = draw(&f, 80, 24);
    assert!(screen.contains("▸ Idle timeout"), "{screen}");
    assert!(
        screen.contains(" of "),
        "the scroll position shows: {screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn a_refused_submit_marks_the_fields_and_keeps_the_input() {
    let mut f = new_form(Kind::VirtualNode);
    // Listener port out of range, then submit without a name.
    press(&mut f, KeyCode::Tab);
    press(&mut f, KeyCode::Tab);
    press(&mut f, KeyCode::Tab);
    for c in "9".chars() {
        press(&mut f, KeyCode::Char(c));
    }
    let out = f.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert_eq!(out, FormOutcome::Stay);
    let screen = draw(&f, 80, 24);
    assert!(screen.contains("80809"), "the typed port stays: {screen}");
    assert!(screen.contains("✗ is required"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn the_services_error_shows_on_the_form() {
    let mut f = new_form(Kind::VirtualRouter);
    for c in "web".chars() {
        press(&mut f, KeyCode::Char(c));
    }
    f.show_answer(Answer::Err(
        "ConflictException: a virtual router named web already exists (HTTP 409, request 1234)"
            .into(),
    ));
    let screen = draw(&f, 80, 24);
    assert!(screen.contains("ConflictException"));
    assert!(screen.contains("web"));
    insta::assert_snapshot!(screen);
}

#[test]
fn a_long_reference_list_folds_into_one_line() {
    let mut m = mesh();
    for i in 0..60 {
        m.items.insert(
            Key::new(Kind::VirtualNode, "shop", "", format!("node-{i:02}")),
            Item::new(json!({})),
        );
    }
    let mut f = KindForm::new(Kind::Route, &m, None, &Rules::default()).with_parent("web-router");
    for _ in 0..10 {
        press(&mut f, KeyCode::Tab);
    }
    assert_eq!(
        f.stop_label(f.focus),
        "Weighted targets › target 1 › Virtual node"
    );
    press(&mut f, KeyCode::Right);
    let screen = draw(&f, 80, 24);
    assert!(screen.contains("‹ (•) green ›  2/63"), "{screen}");
    insta::assert_snapshot!(screen);
}
