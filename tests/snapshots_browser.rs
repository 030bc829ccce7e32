//! The Meshes view, on every kind: screens with ratatui's `TestBackend` and insta, and the
//! flows behind them, against the sandbox's own state as the service (`testing::Service`: the
//! rules between resources included), answered the way the runtime answers.

use appmesh_tui::app::{App, Call, Effect, Msg, Overlay, Pane, View};
use appmesh_tui::explore::{Focus, Where};
use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::model::Tag;
use appmesh_tui::testing::{self, Service, connected_app, ctrl, draw, key, settle, type_text};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

fn app(w: u16, h: u16) -> App {
    connected_app(w, h, "/home/dev/.local/share/appmesh-tui/sandbox.json")
}

/// Two meshes: `payments` with the onboarding shape, `checkout` empty.
fn service() -> Service {
    let mut s = Service::new();
    s.add_mesh("payments", true).add_mesh("checkout", false);
    s
}

fn press(a: &mut App, code: KeyCode, s: &mut Service) {
    testing::press(a, code, s);
}

fn typed(a: &mut App, text: &str, s: &mut Service) {
    for c in text.chars() {
        press(a, KeyCode::Char(c), s);
    }
}

/// F3, then Enter on `payments` (the meshes list is sorted by name: checkout, payments).
fn inside(w: u16, h: u16, s: &mut Service) -> App {
    let mut a = app(w, h);
    press(&mut a, KeyCode::F(3), s);
    press(&mut a, KeyCode::Down, s);
    press(&mut a, KeyCode::Enter, s);
    // At narrow widths the describe opens full screen: close it to see the list.
    if a.overlay == Some(Overlay::Result) {
        press(&mut a, KeyCode::Esc, s);
    }
    a
}

/// Inside `payments`, the list of `kind` (routes and gateway routes inside their parent).
fn at_kind(a: &mut App, kind: Kind, s: &mut Service) {
    press(a, KeyCode::Char(':'), s);
    typed(a, kind.info().aliases[0], s);
    press(a, KeyCode::Enter, s);
}

fn selected(a: &App) -> String {
    a.explorer
        .selected_key()
        .map(|k| k.name.to_string())
        .unwrap_or_default()
}

#[test]
fn meshes_list_and_an_empty_one() {
    let mut s = service();
    let mut a = app(120, 40);
    press(&mut a, KeyCode::F(3), &mut s);
    insta::assert_snapshot!("meshes_list_120x40", draw(&a));
    let mut a = app(80, 24);
    press(&mut a, KeyCode::F(3), &mut s);
    insta::assert_snapshot!("meshes_list_80x24", draw(&a));
    let mut empty = Service::new();
    let mut a = app(80, 24);
    press(&mut a, KeyCode::F(3), &mut empty);
    let screen = draw(&a);
    assert!(
        screen.contains("No meshes in this account and region yet."),
        "{screen}"
    );
    assert!(screen.contains("F2"), "{screen}");
}

/// Every kind's list and describe, at 120×40 (pane beside the list) and 80×24 (describe full
/// screen).
#[test]
fn every_kind_lists_and_describes() {
    for (w, h) in [(120, 40), (80, 24)] {
        for kind in Kind::IN_MESH {
            let mut s = service();
            let mut a = inside(w, h, &mut s);
            at_kind(&mut a, kind, &mut s);
            let list = draw(&a);
            let plural = kind.info().plural;
            insta::assert_snapshot!(format!("{}_list_{w}x{h}", plural.replace(' ', "_")), list);
            // Routers and gateways open their children on Enter and are described in the
            // pane; at 80 columns the describe opens full screen.
            press(&mut a, KeyCode::Enter, &mut s);
            let describe = draw(&a);
            let verb = format!("Describe{}", kind.info().name);
            assert!(describe.contains(&verb), "{kind} at {w}x{h}:\n{describe}");
            insta::assert_snapshot!(
                format!("{}_describe_{w}x{h}", plural.replace(' ', "_")),
                describe
            );
        }
    }
}

#[test]
fn inside_a_mesh_the_kinds_have_counts_and_the_breadcrumb_says_where() {
    let mut s = service();
    let mut a = inside(160, 50, &mut s);
    let screen = draw(&a);
    assert!(screen.contains("payments › virtual services"), "{screen}");
    let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    for count in [
        "Virtual services 2",
        "Virtual nodes 3",
        "Virtual routers 1",
        "Virtual gateways 1",
    ] {
        assert!(flat.contains(count), "{count}: {screen}");
    }
    // The router opens to its routes.
    at_kind(&mut a, Kind::VirtualRouter, &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    let screen = draw(&a);
    assert!(
        screen.contains("payments › virtual routers › web-router › routes"),
        "{screen}"
    );
    assert!(screen.contains("canary"), "{screen}");
    assert!(screen.contains("web-v1 90%"), "{screen}");
    // Backspace goes up, and again up to the meshes.
    press(&mut a, KeyCode::Backspace, &mut s);
    assert_eq!(a.explorer.at, Where::Kind(Kind::VirtualRouter));
    assert_eq!(selected(&a), "web-router");
    press(&mut a, KeyCode::Backspace, &mut s);
    assert_eq!(a.explorer.at, Where::Meshes);
    assert_eq!(selected(&a), "payments");
    // Esc goes up too, and quits only at the top.
    press(&mut a, KeyCode::Enter, &mut s);
    press(&mut a, KeyCode::Esc, &mut s);
    assert_eq!(a.explorer.at, Where::Meshes);
    assert!(!a.quit);
}

#[test]
fn references_are_links_both_ways() {
    let mut s = service();
    let mut a = inside(160, 50, &mut s);
    at_kind(&mut a, Kind::VirtualRouter, &mut s);
    press(&mut a, KeyCode::Enter, &mut s); // into the router: its routes
    press(&mut a, KeyCode::Enter, &mut s); // describe the route
    let screen = draw(&a);
    assert!(
        screen.contains("→ virtual node web-v1 · weight 90"),
        "{screen}"
    );
    // Tab gives the pane the keys; the cursor moves between links; Enter follows one.
    press(&mut a, KeyCode::Tab, &mut s);
    assert_eq!(a.explorer.focus, Focus::Detail);
    // The cursor starts on the first link (the mesh); then the router, then the targets.
    press(&mut a, KeyCode::Down, &mut s);
    press(&mut a, KeyCode::Down, &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    let Pane::Resource(d) = &a.pane else {
        panic!("{:?}", a.pane)
    };
    assert_eq!(
        d.resource.key,
        Key::new(Kind::VirtualNode, "payments", "", "web-v1")
    );
    assert_eq!(a.explorer.at, Where::Kind(Kind::VirtualNode));
    assert_eq!(selected(&a), "web-v1");
    // The node shows what refers to it.
    let screen = draw(&a);
    assert!(
        screen.contains("→ route canary (virtual router web-router) · weight 90"),
        "{screen}"
    );
    // And a service opens its provider.
    at_kind(&mut a, Kind::VirtualService, &mut s);
    press(&mut a, KeyCode::Down, &mut s); // web.payments.local
    press(&mut a, KeyCode::Enter, &mut s);
    let screen = draw(&a);
    assert!(screen.contains("→ virtual router web-router"), "{screen}");
    assert!(
        screen.contains("→ gateway route web (virtual gateway ingress)"),
        "{screen}"
    );
}

#[test]
fn a_reference_to_nothing_is_marked() {
    let mut s = service();
    // Another client made a node whose backend names a service that is not there.
    s.add(
        Key::new(Kind::VirtualNode, "payments", "", "orphan"),
        json!({"backends": [{"virtualService": {"virtualServiceName": "gone.local"}}]}),
    );
    let mut a = inside(160, 50, &mut s);
    at_kind(&mut a, Kind::VirtualNode, &mut s);
    press(&mut a, KeyCode::Char('/'), &mut s);
    typed(&mut a, "orphan", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    let screen = draw(&a);
    assert!(
        screen.contains("virtual service gone.local  — does not exist"),
        "{screen}"
    );
    assert!(
        screen.contains("no virtual service reaches virtual node"),
        "{screen}"
    );
    insta::assert_snapshot!("missing_reference_marked", screen);
}

#[test]
fn delete_in_use_names_the_holders_and_keeps_the_resource() {
    let mut s = service();
    let mut a = inside(160, 50, &mut s);
    at_kind(&mut a, Kind::VirtualNode, &mut s);
    press(&mut a, KeyCode::Down, &mut s); // web-v1 (api, web-v1, web-v2)
    assert_eq!(selected(&a), "web-v1");
    press(&mut a, KeyCode::Char('d'), &mut s);
    assert_eq!(a.overlay, Some(Overlay::ConfirmDelete));
    insta::assert_snapshot!("delete_confirmation", draw(&a));
    typed(&mut a, "web-v1", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    let screen = draw(&a);
    assert!(screen.contains("DeleteVirtualNode failed"), "{screen}");
    assert!(screen.contains("ResourceInUseException"), "{screen}");
    let Pane::Error { error, .. } = &a.pane else {
        panic!("{:?}", a.pane)
    };
    assert!(
        error
            .message
            .ends_with("is the target of one or more routes (web-router/canary)"),
        "{}",
        error.message
    );
    assert!(s.holds(&Key::new(Kind::VirtualNode, "payments", "", "web-v1")));
    assert_eq!(selected(&a), "web-v1", "still listed");
}

#[test]
fn delete_with_the_exact_name_removes_the_resource() {
    let mut s = service();
    let mut a = inside(120, 40, &mut s);
    at_kind(&mut a, Kind::Route, &mut s);
    assert_eq!(selected(&a), "canary");
    press(&mut a, KeyCode::Char('d'), &mut s);
    typed(&mut a, "canar", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    assert!(draw(&a).contains("Not the name"), "{}", draw(&a));
    typed(&mut a, "y", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    assert!(!s.holds(&Key::new(Kind::Route, "payments", "web-router", "canary")));
    let screen = draw(&a);
    assert!(screen.contains("DeleteRoute ✓ canary"), "{screen}");
    assert!(screen.contains("Routes (0)"), "{screen}");
    assert_eq!(a.status.as_deref(), Some("Deleted route canary."));
}

#[test]
fn deleting_a_mesh_that_holds_resources_deletes_everything_in_order() {
    let mut s = service();
    let mut a = app(120, 40);
    press(&mut a, KeyCode::F(3), &mut s);
    press(&mut a, KeyCode::Down, &mut s);
    assert_eq!(selected(&a), "payments");
    press(&mut a, KeyCode::Char('d'), &mut s);
    // The mesh's contents are listed in the background; the window shows the plan.
    let screen = draw(&a);
    assert!(screen.contains("holds 9 resources"), "{screen}");
    insta::assert_snapshot!("delete_mesh_plan", screen);
    typed(&mut a, "payments", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    let screen = draw(&a);
    assert!(screen.contains("10/10"), "{screen}");
    assert!(screen.contains("Deleted: 10 of 10"), "{screen}");
    assert!(!s.holds(&Key::mesh("payments")));
    assert!(s.holds(&Key::mesh("checkout")));
    assert_eq!(
        a.status.as_deref(),
        Some("Deleted the mesh and everything in it: 10 resources.")
    );
    press(&mut a, KeyCode::Esc, &mut s);
    assert_eq!(a.overlay, None);
    let screen = draw(&a);
    assert!(screen.contains("Meshes (1)"), "{screen}");
}

#[test]
fn a_whole_mesh_delete_stops_at_the_first_error_and_says_what_is_left() {
    let mut s = service();
    let mut a = app(120, 40);
    press(&mut a, KeyCode::F(3), &mut s);
    press(&mut a, KeyCode::Down, &mut s);
    press(&mut a, KeyCode::Char('d'), &mut s);
    typed(&mut a, "payments", &mut s);
    // Another client adds a route to the router after the plan was made: the router cannot
    // go, and the run stops there.
    s.add(
        Key::new(Kind::Route, "payments", "web-router", "late"),
        json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "api", "weight": 1}]}}}),
    );
    press(&mut a, KeyCode::Enter, &mut s);
    let screen = draw(&a);
    assert!(
        screen.contains("Stopped at virtual router web-router"),
        "{screen}"
    );
    assert!(screen.contains("ResourceInUseException"), "{screen}");
    assert!(
        screen.contains("Not deleted: 5, the mesh among them"),
        "{screen}"
    );
    assert!(s.holds(&Key::mesh("payments")));
    assert!(!s.holds(&Key::new(
        Kind::VirtualService,
        "payments",
        "",
        "web.payments.local"
    )));
}

#[test]
fn tags_of_a_nested_resource() {
    let mut s = service();
    let mut a = inside(120, 40, &mut s);
    at_kind(&mut a, Kind::GatewayRoute, &mut s);
    press(&mut a, KeyCode::Char('t'), &mut s);
    assert_eq!(a.overlay, Some(Overlay::Tags));
    type_text(&mut a, "team");
    key(&mut a, KeyCode::Tab);
    type_text(&mut a, "edge");
    key(&mut a, KeyCode::Enter);
    insta::assert_snapshot!("tag_editor", draw(&a));
    let fx = ctrl(&mut a, 's');
    assert!(
        matches!(
            &fx[..],
            [Effect::Call {
                call: Call::Tag { .. },
                ..
            }]
        ),
        "{fx:?}"
    );
    settle(&mut a, fx, &mut s, 100);
    let gr = Key::new(Kind::GatewayRoute, "payments", "ingress", "web");
    assert_eq!(s.tags_of(&gr), [Tag::new("team", "edge")]);
    let screen = draw(&a);
    assert!(
        screen.contains("team") && screen.contains("edge"),
        "{screen}"
    );
}

#[test]
fn jump_prompt_goes_to_a_kind_or_a_name() {
    let mut s = service();
    let mut a = inside(120, 40, &mut s);
    press(&mut a, KeyCode::Char(':'), &mut s);
    typed(&mut a, "v", &mut s);
    let screen = draw(&a);
    assert!(screen.contains("Tab: vs · vn · vr · vg"), "{screen}");
    press(&mut a, KeyCode::Esc, &mut s);
    assert!(a.explorer.jump.is_none());
    // A name anywhere in the mesh.
    press(&mut a, KeyCode::Char(':'), &mut s);
    typed(&mut a, "canary", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    assert_eq!(selected(&a), "canary");
    assert!(matches!(&a.pane, Pane::Resource(d) if d.resource.key.name == "canary"));
    // Something that is not there keeps the prompt open with why.
    press(&mut a, KeyCode::Char(':'), &mut s);
    typed(&mut a, "nope", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    assert!(a.explorer.jump.is_some());
    assert!(draw(&a).contains("Nothing named \"nope\""), "{}", draw(&a));
    press(&mut a, KeyCode::Esc, &mut s);
    // :meshes goes back to the meshes.
    press(&mut a, KeyCode::Char(':'), &mut s);
    typed(&mut a, "meshes", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    assert_eq!(a.explorer.at, Where::Meshes);
}

#[test]
fn filter_sort_and_mouse_work_on_any_kind() {
    let mut s = service();
    let mut a = inside(120, 40, &mut s);
    at_kind(&mut a, Kind::VirtualNode, &mut s);
    press(&mut a, KeyCode::Char('/'), &mut s);
    typed(&mut a, "web", &mut s);
    let screen = draw(&a);
    assert!(screen.contains("2 match"), "{screen}");
    press(&mut a, KeyCode::Esc, &mut s);
    assert_eq!(a.explorer.list().rows.len(), 3);
    press(&mut a, KeyCode::Char('s'), &mut s);
    assert_eq!(
        a.status.as_deref(),
        Some("Sorted by created, newest first.")
    );
    assert_eq!(selected(&a), "api");
    press(&mut a, KeyCode::Home, &mut s);
    assert_eq!(selected(&a), "api", "api was created last");
}

/// Esc and a key typed right after it can reach the app as one Alt+key sequence (a fast
/// typist, a slow link): it is both keys, not a lost one.
#[test]
fn esc_and_the_next_key_together_are_both_keys() {
    let mut s = service();
    let mut a = inside(120, 40, &mut s);
    at_kind(&mut a, Kind::VirtualNode, &mut s);
    press(&mut a, KeyCode::Char('/'), &mut s);
    typed(&mut a, "web", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    assert_eq!(a.explorer.list().rows.len(), 2);
    let effects = a.update(Msg::Key(ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Char(':'),
        ratatui::crossterm::event::KeyModifiers::ALT,
    )));
    settle(&mut a, effects, &mut s, 100);
    assert_eq!(a.explorer.list().rows.len(), 3, "Esc cleared the filter");
    typed(&mut a, "meshes", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    let screen = draw(&a);
    assert!(screen.contains("Meshes (2)"), "{screen}");
}

#[test]
fn editing_a_mesh_opens_the_form_and_sends_update_mesh() {
    let mut s = service();
    let mut a = app(120, 40);
    press(&mut a, KeyCode::F(3), &mut s);
    press(&mut a, KeyCode::Char('e'), &mut s); // checkout
    assert!(a.editing());
    assert_eq!(a.view, View::Create);
    assert_eq!(a.form.name.value(), "checkout");
    press(&mut a, KeyCode::Down, &mut s); // ALLOW_ALL
    let fx = ctrl(&mut a, 's');
    settle(&mut a, fx, &mut s, 10);
    assert_eq!(a.view, View::Meshes, "back to the list");
    let screen = draw(&a);
    assert!(screen.contains("UpdateMesh ✓ checkout"), "{screen}");
    assert!(screen.contains("ALLOW_ALL"), "{screen}");
}

#[test]
fn read_only_refuses_every_change() {
    let mut s = service();
    let mut a = inside(120, 40, &mut s);
    a.read_only = true;
    for k in ['d', 't'] {
        press(&mut a, KeyCode::Char(k), &mut s);
        assert_eq!(a.overlay, None);
        assert!(
            a.status
                .as_deref()
                .unwrap_or("")
                .starts_with("Read-only mode"),
            "{:?}",
            a.status
        );
    }
    let screen = draw(&a);
    assert!(!screen.contains(" d delete"), "{screen}");
}

#[test]
fn a_mesh_whose_name_holds_a_line_break_can_be_deleted() {
    let mut s = Service::new();
    s.add(Key::mesh("bad\nname"), json!({}));
    let mut a = app(120, 40);
    press(&mut a, KeyCode::F(3), &mut s);
    press(&mut a, KeyCode::Char('d'), &mut s);
    let screen = draw(&a);
    assert!(screen.contains("character 4 is U+000A"), "{screen}");
    typed(&mut a, "bad?name", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    assert!(!s.holds(&Key::mesh("bad\nname")));
}

#[test]
fn list_at_80x24_with_ten_thousand_meshes() {
    let plan = appmesh_tui::sandbox::cli::SeedPlan {
        meshes: 10_000,
        prefix: "mesh".into(),
        ..Default::default()
    };
    let mut s = Service::seeded(&plan);
    let mut a = app(80, 24);
    press(&mut a, KeyCode::F(3), &mut s);
    assert_eq!(a.explorer.meshes.items.len(), 10_000);
    press(&mut a, KeyCode::End, &mut s);
    insta::assert_snapshot!("list_at_80x24_with_ten_thousand_meshes", draw(&a));
}

#[test]
fn help_lists_the_meshes_keys() {
    let mut s = service();
    let mut a = inside(120, 40, &mut s);
    press(&mut a, KeyCode::F(1), &mut s);
    let screen = draw(&a);
    assert!(screen.contains("Meshes view"), "{screen}");
    insta::assert_snapshot!("help_lists_the_meshes_keys", screen);
}

#[test]
fn a_call_in_flight_shows_on_the_list_and_esc_cancels() {
    let mut s = service();
    let mut a = inside(80, 24, &mut s);
    let fx = key(&mut a, KeyCode::Enter);
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::Call {
            call: Call::Get { tags: true, .. },
            ..
        }
    )));
    let screen = draw(&a);
    assert!(
        screen.contains("Loading virtual service api.payments…"),
        "{screen}"
    );
    key(&mut a, KeyCode::Esc);
    assert!(a.in_flight.is_none());
    assert_eq!(
        a.status.as_deref(),
        Some("DescribeVirtualService cancelled; its outcome is unknown.")
    );
    // A late answer is ignored.
    let (id, call) = fx
        .into_iter()
        .find_map(|e| match e {
            Effect::Call {
                id,
                call: call @ Call::Get { tags: true, .. },
            } => Some((id, call)),
            _ => None,
        })
        .expect("the describe");
    let r = s.answer(&call);
    a.update(Msg::Done { id, result: r });
    assert!(matches!(a.pane, Pane::Error { .. }));
}

/// Focus on the detail pane, then the terminal narrows below the pane's width: the focus
/// comes back to the list, so arrows move the rows on screen, not links nobody sees.
#[test]
fn narrowing_the_terminal_takes_the_focus_off_a_hidden_pane() {
    let mut s = service();
    let mut a = inside(120, 40, &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    press(&mut a, KeyCode::Tab, &mut s);
    assert!(draw(&a).contains("↑↓ links"), "{}", draw(&a));
    let _ = a.update(appmesh_tui::app::Msg::Resize(80, 24));
    let screen = draw(&a);
    assert!(!screen.contains("↑↓ links"), "{screen}");
    let before = selected(&a);
    press(&mut a, KeyCode::Down, &mut s);
    assert_ne!(selected(&a), before, "Down moves the list's selection");
}
