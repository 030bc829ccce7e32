//! Writing resources from inside a mesh (`c`, `e`, `+`/`-`, `E`): the windows opened from the
//! explorer as screens (ratatui's `TestBackend` and insta), and the flows behind them against
//! the sandbox's own state as the service (`testing::Service`), answered the way the runtime
//! answers. What the service holds afterwards is what is checked.

use appmesh_tui::app::{App, Call, Effect, Msg, Overlay, Pane};
use appmesh_tui::app_write::Writer;
use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::kind_form::Answer;
use appmesh_tui::spec_edit::{Editor, TerminalHandover, edit_in_terminal, render_buffer};
use appmesh_tui::testing::{self, Service, connected_app, ctrl, draw, settle};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

fn service() -> Service {
    let mut s = Service::new();
    s.add_mesh("payments", true);
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

fn ctrl_s(a: &mut App, s: &mut Service) {
    let effects = ctrl(a, 's');
    settle(a, effects, s, 1000);
}

/// F3, Enter on `payments`, then the list of `kind` (routes: inside the only router).
fn at(w: u16, h: u16, kind: Kind, s: &mut Service) -> App {
    let mut a = connected_app(w, h, "/home/dev/.local/share/appmesh-tui/sandbox.json");
    press(&mut a, KeyCode::F(3), s);
    press(&mut a, KeyCode::Enter, s);
    if a.overlay == Some(Overlay::Result) {
        press(&mut a, KeyCode::Esc, s);
    }
    press(&mut a, KeyCode::Char(':'), s);
    typed(&mut a, kind.info().aliases[0], s);
    press(&mut a, KeyCode::Enter, s);
    a
}

fn route() -> Key {
    Key::new(Kind::Route, "payments", "web-router", "canary")
}

fn weights(spec: &serde_json::Value) -> Vec<i64> {
    spec["httpRoute"]["action"]["weightedTargets"]
        .as_array()
        .expect("weighted targets")
        .iter()
        .map(|t| t["weight"].as_i64().unwrap())
        .collect()
}

#[test]
fn c_creates_a_node_with_the_form_and_the_list_and_the_service_have_it() {
    let mut s = service();
    let mut a = at(120, 40, Kind::VirtualNode, &mut s);
    press(&mut a, KeyCode::Char('c'), &mut s);
    assert_eq!(a.overlay, Some(Overlay::Write));
    assert!(
        matches!(&a.write.as_ref().unwrap().writer, Writer::Form(f) if f.kind == Kind::VirtualNode && !f.is_edit())
    );
    typed(&mut a, "web-v3", &mut s);
    insta::assert_snapshot!("create_node_form", draw(&a));
    ctrl_s(&mut a, &mut s);
    let key = Key::new(Kind::VirtualNode, "payments", "", "web-v3");
    assert!(s.holds(&key), "the service holds the new node");
    assert_eq!(a.overlay, None, "the form closed");
    assert!(a.write.is_none());
    assert!(
        matches!(&a.pane, Pane::Resource(d) if d.resource.key == key && d.verb == "CreateVirtualNode")
    );
    assert!(
        a.explorer.list().items.iter().any(|r| r.key == key),
        "the list shows the new node"
    );
    assert!(
        a.explorer
            .mesh_model("payments")
            .unwrap()
            .get(&key)
            .is_some(),
        "the mesh's model knows it"
    );
    assert_eq!(
        a.status.as_deref(),
        Some("Created virtual node \"web-v3\" in mesh \"payments\".")
    );
}

#[test]
fn a_route_is_created_in_the_router_its_list_is_in() {
    let mut s = service();
    let mut a = at(120, 40, Kind::Route, &mut s);
    press(&mut a, KeyCode::Char('c'), &mut s);
    let Some(Writer::Form(f)) = a.write.as_ref().map(|w| &w.writer) else {
        panic!("a form");
    };
    assert_eq!(f.kind, Kind::Route);
    assert_eq!(f.check.doc["virtualRouterName"], json!("web-router"));
}

#[test]
fn an_error_keeps_the_form_input_and_a_retry_reuses_the_client_token() {
    let mut s = service();
    let mut a = at(120, 40, Kind::VirtualNode, &mut s);
    press(&mut a, KeyCode::Char('c'), &mut s);
    // web-v1 exists: the service refuses a second one.
    typed(&mut a, "web-v1", &mut s);
    let first = ctrl(&mut a, 's');
    let token = |effects: &[Effect]| match effects.first() {
        Some(Effect::Call {
            call: Call::Write { client_token, .. },
            ..
        }) => client_token.clone(),
        other => panic!("a write call, not {other:?}"),
    };
    let t1 = token(&first);
    settle(&mut a, first, &mut s, 10);
    assert_eq!(a.overlay, Some(Overlay::Write), "the form stays open");
    let Some(Writer::Form(f)) = a.write.as_ref().map(|w| &w.writer) else {
        panic!("the form");
    };
    assert_eq!(
        f.check.doc["virtualNodeName"],
        json!("web-v1"),
        "input kept"
    );
    match &f.answer {
        Some(Answer::Err(e)) => assert!(e.contains("ConflictException"), "{e}"),
        other => panic!("the error on the form, not {other:?}"),
    }
    insta::assert_snapshot!("create_node_error", draw(&a));
    let again = ctrl(&mut a, 's');
    assert_eq!(
        token(&again),
        t1,
        "an unchanged retry reuses the clientToken"
    );
}

#[test]
fn e_edits_a_node_from_its_described_spec() {
    let mut s = service();
    let mut a = at(120, 40, Kind::VirtualNode, &mut s);
    // The list is sorted by name: api, web-v1, web-v2.
    press(&mut a, KeyCode::Char('e'), &mut s);
    let Some(Writer::Form(f)) = a.write.as_ref().map(|w| &w.writer) else {
        panic!("the edit form");
    };
    assert!(f.is_edit());
    assert_eq!(f.existing.as_ref().unwrap().name, "api");
    let before = s.spec_of(&Key::new(Kind::VirtualNode, "payments", "", "api"));
    ctrl_s(&mut a, &mut s);
    assert!(a.write.is_none(), "the update went through");
    let after = s.spec_of(&Key::new(Kind::VirtualNode, "payments", "", "api"));
    assert_eq!(
        before, after,
        "an unchanged edit sends the spec it started from"
    );
}

#[test]
fn the_canary_shifts_the_weights_and_the_service_holds_them() {
    let mut s = service();
    let mut a = at(120, 40, Kind::Route, &mut s);
    press(&mut a, KeyCode::Char('+'), &mut s);
    assert_eq!(a.overlay, Some(Overlay::Write), "opened after a describe");
    press(&mut a, KeyCode::Down, &mut s);
    for _ in 0..8 {
        press(&mut a, KeyCode::Char('+'), &mut s);
    }
    insta::assert_snapshot!("canary_window", draw(&a));
    ctrl_s(&mut a, &mut s);
    assert_eq!(weights(&s.spec_of(&route()).unwrap()), vec![50, 50]);
    assert!(a.write.is_none());
    assert!(a.status.as_deref().unwrap().starts_with("Updated route"));
}

#[test]
fn a_refused_canary_update_keeps_the_window_and_its_weights() {
    let mut s = service();
    let mut a = at(120, 40, Kind::Route, &mut s);
    press(&mut a, KeyCode::Char('-'), &mut s);
    for _ in 0..2 {
        press(&mut a, KeyCode::Char('-'), &mut s);
    }
    // Someone deletes the route meanwhile.
    s.state
        .delete(
            &appmesh_tui::sandbox::state::Loc::new("us-east-1", route()),
            None,
        )
        .unwrap();
    ctrl_s(&mut a, &mut s);
    let Some(Writer::Canary(c)) = a.write.as_ref().map(|w| &w.writer) else {
        panic!("the canary stays open");
    };
    assert_eq!(c.weights, vec![80, 20], "weights kept");
    assert!(c.message.as_deref().unwrap().contains("NotFoundException"));
}

#[test]
fn plus_on_anything_but_a_route_says_what_it_is_for() {
    let mut s = service();
    let mut a = at(120, 40, Kind::VirtualNode, &mut s);
    press(&mut a, KeyCode::Char('+'), &mut s);
    assert_eq!(a.overlay, None);
    assert!(
        a.status
            .as_deref()
            .unwrap()
            .contains("shifts the weights of a route")
    );
}

#[test]
fn read_only_offers_no_writing() {
    let mut s = service();
    let mut a = at(120, 40, Kind::Route, &mut s);
    a.read_only = true;
    for c in ['c', 'e', 'E', '+', '-'] {
        press(&mut a, KeyCode::Char(c), &mut s);
        assert_eq!(a.overlay, None, "{c}");
        assert!(
            a.status.as_deref().unwrap().starts_with("Read-only mode"),
            "{c}"
        );
    }
}

/// The terminal side of the hand-over, as the test has no terminal.
struct NoTerminal;

impl TerminalHandover for NoTerminal {
    fn leave(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn restore(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Carries out an `EditSpec` effect as the runtime does, with `editor`.
fn run_editor(a: &mut App, effects: Vec<Effect>, editor: Option<&Editor>, s: &mut Service) {
    let Some(Effect::EditSpec { key, spec }) = effects.into_iter().next() else {
        panic!("E hands the spec to the editor");
    };
    let result = editor
        .map(|e| edit_in_terminal(key.kind, render_buffer(key.kind, &spec), e, &mut NoTerminal));
    let effects = a.update(Msg::SpecEdited {
        key,
        original: spec,
        result,
    });
    settle(a, effects, s, 100);
}

/// `E` on the selected route, settling the describe it starts; returns the hand-over.
fn press_e(a: &mut App, s: &mut Service) -> Vec<Effect> {
    let mut effects = testing::key(a, KeyCode::Char('E'));
    // The pane does not hold the route yet: a describe first.
    while let Some(Effect::Call { id, call }) = effects.first().cloned() {
        let result = s.answer(&call);
        effects = a.update(Msg::Done { id, result });
    }
    effects
}

#[test]
fn e_with_an_editor_sends_the_edited_spec() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("edit.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nsed -i 's/weight: 90/weight: 70/; s/weight: 10/weight: 30/' \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let editor = Editor {
        command: script.display().to_string(),
        source: "EDITOR",
    };
    let mut s = service();
    let mut a = at(120, 40, Kind::Route, &mut s);
    let effects = press_e(&mut a, &mut s);
    run_editor(&mut a, effects, Some(&editor), &mut s);
    assert_eq!(weights(&s.spec_of(&route()).unwrap()), vec![70, 30]);
    assert!(a.write.is_none(), "nothing left open");
    assert!(matches!(&a.pane, Pane::Resource(d) if d.verb == "UpdateRoute"));
}

/// On a terminal narrower than the detail pane needs (100×30), a describe opens full screen
/// over the list; the list's keys close it and act, as a person typing `E` or `:` there
/// expects (they did nothing before).
#[test]
fn on_a_narrow_terminal_the_list_keys_work_over_the_full_screen_describe() {
    let mut s = service();
    let mut a = at(100, 30, Kind::Route, &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    assert_eq!(
        a.overlay,
        Some(Overlay::Result),
        "the describe is full screen"
    );
    assert!(matches!(&a.pane, Pane::Resource(d) if d.resource.key == route()));
    // E: the spec editor on the described route, no describe needed.
    let effects = testing::key(&mut a, KeyCode::Char('E'));
    assert_eq!(a.overlay, None, "the describe closed");
    assert!(
        matches!(effects.first(), Some(Effect::EditSpec { key, .. }) if *key == route()),
        "E hands the route's spec to the editor: {effects:?}"
    );
    let editor = Editor {
        command: "true".into(),
        source: "EDITOR",
    };
    run_editor(&mut a, effects, Some(&editor), &mut s);
    assert!(a.status.as_deref().unwrap().starts_with("Nothing changed"));
    // `:` over the describe opens the jump prompt.
    press(&mut a, KeyCode::F(4), &mut s);
    assert_eq!(a.overlay, Some(Overlay::Result));
    press(&mut a, KeyCode::Char(':'), &mut s);
    assert_eq!(a.overlay, None);
    assert!(a.explorer.jump.is_some(), "the jump prompt is open");
    typed(&mut a, "vn", &mut s);
    press(&mut a, KeyCode::Enter, &mut s);
    assert!(
        a.explorer
            .list()
            .items
            .iter()
            .all(|r| r.key.kind == Kind::VirtualNode),
        "the jump went to the virtual nodes"
    );
    // j and k still scroll the describe.
    press(&mut a, KeyCode::F(4), &mut s);
    press(&mut a, KeyCode::Char('j'), &mut s);
    assert_eq!(a.overlay, Some(Overlay::Result));
    assert_eq!(a.pane_scroll, 1);
}

#[test]
fn e_unchanged_sends_nothing() {
    let editor = Editor {
        command: "true".into(),
        source: "EDITOR",
    };
    let mut s = service();
    let mut a = at(120, 40, Kind::Route, &mut s);
    let effects = press_e(&mut a, &mut s);
    let before = s.spec_of(&route());
    run_editor(&mut a, effects, Some(&editor), &mut s);
    assert_eq!(s.spec_of(&route()), before);
    assert!(a.status.as_deref().unwrap().starts_with("Nothing changed"));
}

#[test]
fn e_without_an_editor_opens_the_in_app_editor_and_its_save_updates() {
    let mut s = service();
    let mut a = at(120, 40, Kind::Route, &mut s);
    let effects = press_e(&mut a, &mut s);
    run_editor(&mut a, effects, None, &mut s);
    assert_eq!(a.overlay, Some(Overlay::Write));
    insta::assert_snapshot!("in_app_spec_editor", draw(&a));
    // Paste a new spec over the whole text: select all is not a key here, so clear the
    // buffer with the editor's own keys is long; paste a priority line at the cursor (the
    // first spec line) instead.
    a.update(Msg::Paste("priority: 7\n".into()));
    ctrl_s(&mut a, &mut s);
    assert_eq!(s.spec_of(&route()).unwrap()["priority"], json!(7));
    assert!(a.write.is_none());
}

#[test]
fn a_failed_editor_leaves_its_text_in_the_in_app_editor() {
    let editor = Editor {
        command: "false".into(),
        source: "EDITOR",
    };
    let mut s = service();
    let mut a = at(120, 40, Kind::Route, &mut s);
    let effects = press_e(&mut a, &mut s);
    run_editor(&mut a, effects, Some(&editor), &mut s);
    let Some(Writer::Spec { editor, .. }) = a.write.as_ref().map(|w| &w.writer) else {
        panic!("the in-app editor");
    };
    assert!(editor.text().contains("weight: 90"));
}

#[test]
fn ctrl_c_in_a_window_with_changes_asks_once() {
    let mut s = service();
    let mut a = at(120, 40, Kind::VirtualNode, &mut s);
    press(&mut a, KeyCode::Char('c'), &mut s);
    typed(&mut a, "x", &mut s);
    let first = ctrl(&mut a, 'c');
    assert!(first.is_empty() && !a.quit, "the first Ctrl-C warns");
    let second = ctrl(&mut a, 'c');
    assert_eq!(second, vec![Effect::Quit]);
}
