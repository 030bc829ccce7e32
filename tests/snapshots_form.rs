//! Screens of the create flow, drawn with ratatui's TestBackend and compared with insta
//! snapshots (`cargo insta review` after an intended change).

use appmesh_tui::app::{Action, App, CallResult, Endpoint, MeshResult, Msg};
use appmesh_tui::aws::{ApiError, ErrorKind, Target};
use appmesh_tui::model::{EgressFilter, IpPreference, Mesh, MeshSpec, MeshStatus, Metadata, Tag};
use appmesh_tui::testing::{ctrl, draw, fill_form, key, type_text};
use appmesh_tui::ui::text::epoch_plus;
use ratatui::crossterm::event::KeyCode;

use appmesh_tui::testing::NOW;

fn app(w: u16, h: u16) -> App {
    appmesh_tui::testing::connected_app(w, h, "/home/ops/.local/share/appmesh-tui/sandbox.json")
}

fn filled(w: u16, h: u16) -> App {
    let mut a = app(w, h);
    fill_form(&mut a);
    a
}

fn mesh() -> Mesh {
    Mesh {
        name: "orders-mesh".into(),
        spec: MeshSpec {
            egress_filter: Some(EgressFilter::AllowAll),
            ip_preference: Some(IpPreference::Ipv4Preferred),
        },
        status: MeshStatus::Active,
        metadata: Metadata {
            arn: "arn:aws:appmesh:us-east-1:111122223333:mesh/orders-mesh".into(),
            uid: "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b".into(),
            version: 1,
            created_at: epoch_plus(NOW - 125),
            last_updated_at: epoch_plus(NOW - 125),
            mesh_owner: "111122223333".into(),
            resource_owner: "111122223333".into(),
        },
    }
}

fn submit_and_answer(a: &mut App, result: CallResult) {
    ctrl(a, 's');
    let id = a.in_flight.expect("the submit started a call");
    a.update(Msg::Done { id, result });
}

#[test]
fn empty_form_120x40() {
    insta::assert_snapshot!(draw(&app(120, 40)));
}

#[test]
fn empty_form_80x24() {
    insta::assert_snapshot!(draw(&app(80, 24)));
}

#[test]
fn invalid_fields_are_marked_and_nothing_is_sent() {
    let mut a = app(120, 40);
    key(&mut a, KeyCode::Tab);
    ctrl(&mut a, 's');
    assert_eq!(a.in_flight, None);
    let screen = draw(&a);
    assert!(screen.contains("Mesh name is required"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn too_long_name_shows_counter_and_message() {
    let mut a = app(80, 24);
    type_text(&mut a, &"n".repeat(256));
    let screen = draw(&a);
    assert!(screen.contains("256/255"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn filled_form_in_flight() {
    let mut a = filled(120, 40);
    ctrl(&mut a, 's');
    assert!(a.in_flight.is_some());
    let screen = draw(&a);
    assert!(screen.contains("Creating mesh orders-mesh"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn success_pane() {
    let mut a = filled(120, 40);
    let tags = vec![Tag::new("team", "payments"), Tag::new("env", "dev")];
    submit_and_answer(
        &mut a,
        CallResult::Mesh(Ok(MeshResult {
            action: Action::Create,
            mesh: mesh(),
            tags: Ok(tags),
            request_id: Some("8e1b7c52-7a0e-4d5e-9c55-3a8f3b0d2f11".into()),
        })),
    );
    let screen = draw(&a);
    assert!(screen.contains("2 min ago"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn success_at_80x24_opens_full_screen_result() {
    let mut a = filled(80, 24);
    submit_and_answer(
        &mut a,
        CallResult::Mesh(Ok(MeshResult {
            action: Action::Create,
            mesh: mesh(),
            tags: Ok(vec![]),
            request_id: None,
        })),
    );
    insta::assert_snapshot!(draw(&a));
    key(&mut a, KeyCode::Esc);
    let screen = draw(&a);
    assert!(
        screen.contains("orders-mesh") && screen.contains("Tags (2/50)"),
        "form is intact: {screen}"
    );
}

#[test]
fn error_pane_keeps_the_form() {
    let mut a = filled(120, 40);
    submit_and_answer(
        &mut a,
        CallResult::Mesh(Err(ApiError {
            kind: ErrorKind::Service,
            code: Some("ConflictException".into()),
            message: "Mesh with name orders-mesh already exists".into(),
            http_status: Some(409),
            request_id: Some("c0ffee00-0000-4000-8000-000000000409".into()),
        })),
    );
    let screen = draw(&a);
    assert!(
        screen.contains("already exists") && screen.contains("409"),
        "{screen}"
    );
    assert_eq!(a.form.name.value(), "orders-mesh");
    assert_eq!(a.form.tags.len(), 2);
    insta::assert_snapshot!(screen);
}

#[test]
fn help_overlay() {
    let mut a = app(120, 40);
    key(&mut a, KeyCode::F(1));
    insta::assert_snapshot!(draw(&a));
}

#[test]
fn quit_confirmation_when_input_is_unsaved() {
    let mut a = app(80, 24);
    type_text(&mut a, "x");
    key(&mut a, KeyCode::Esc);
    assert!(!a.quit);
    let screen = draw(&a);
    assert!(screen.contains("Quit and lose it?"), "{screen}");
}

#[test]
fn too_small_terminal_says_so() {
    let a = app(30, 8);
    let screen = draw(&a);
    assert!(screen.contains("terminal too small"), "{screen}");
}

#[test]
fn real_aws_endpoint_shows_end_of_support_notice() {
    let mut a = App::new((120, 40));
    a.update(Msg::Connected(Target {
        profile: Some("prod".into()),
        region: "eu-west-1".into(),
        region_note: None,
        endpoint: None,
    }));
    let screen = draw(&a);
    assert!(
        screen.contains("AWS ended App Mesh support on 2026-09-30"),
        "{screen}"
    );
    assert!(
        screen.contains("profile prod") && screen.contains("default AWS endpoint"),
        "{screen}"
    );
    assert!(matches!(a.endpoint, Endpoint::Ready(_)));
}

/// At every width the sandbox header shows the region, and the state file's path only where
/// its end (the file name) fits: never a path clipped at the right edge.
#[test]
fn sandbox_header_fits_every_width() {
    let mut with_path = 0;
    for w in 60..=140 {
        let a = app(w, 22);
        let screen = draw(&a);
        let header = screen.lines().next().unwrap();
        assert!(
            header.contains("SANDBOX") && header.contains("us-east-1"),
            "{w}: {header}"
        );
        if header.contains("state:") {
            let end = header.trim_end_matches('"').trim_end();
            assert!(end.ends_with(".json"), "{w}: {header}");
            with_path += 1;
        }
    }
    assert!(
        with_path > 60,
        "the path shows on most widths ({with_path})"
    );
}
