//! Screens of the guided walkthrough, the export window and the template window, drawn with
//! ratatui's TestBackend and compared with insta snapshots (`cargo insta review` after an
//! intended change). Every step is reached with keys, as a user would.

use std::path::Path;

use appmesh_tui::app::{Action, App, CallResult, Effect, MeshResult, Msg, Overlay};
use appmesh_tui::model::{EgressFilter, IpPreference, Mesh, MeshSpec, MeshStatus, Metadata, Tag};
use appmesh_tui::testing::{ctrl, draw, key, type_text};
use appmesh_tui::ui::text::epoch_plus;
use appmesh_tui::walkthrough::Step;
use ratatui::crossterm::event::KeyCode;

use appmesh_tui::testing::NOW;

fn app(w: u16, h: u16) -> App {
    let mut a = appmesh_tui::testing::connected_app(w, h, "memory only (--ephemeral)");
    a.open_walkthrough();
    a
}

/// Walks from the start to `step`, filling in orders-dev, ALLOW_ALL, IPv4_PREFERRED and the
/// tag team=payments on the way.
fn walk_to(app: &mut App, step: Step) {
    let mut guard = 0;
    while app.walkthrough.step != step {
        guard += 1;
        assert!(guard < 20, "stuck at {:?}", app.walkthrough.step);
        match app.walkthrough.step {
            Step::Intro => {
                key(app, KeyCode::Enter);
            }
            Step::Name => {
                if app.form.name.value().is_empty() {
                    type_text(app, "orders-dev");
                }
                key(app, KeyCode::Enter);
            }
            Step::Egress => {
                key(app, KeyCode::Down);
                key(app, KeyCode::Enter);
            }
            Step::IpPreference => {
                key(app, KeyCode::Down);
                key(app, KeyCode::Down);
                key(app, KeyCode::Enter);
            }
            Step::Tags => {
                type_text(app, "team");
                key(app, KeyCode::Tab);
                type_text(app, "payments");
                key(app, KeyCode::Enter);
                ctrl(app, 'n');
            }
            Step::Review => {
                key(app, KeyCode::Enter);
            }
            Step::Submit => {
                let effects = key(app, KeyCode::Enter);
                assert!(
                    matches!(effects.as_slice(), [Effect::Call { .. }]),
                    "{effects:?}"
                );
                let id = app.in_flight.expect("CreateMesh in flight");
                app.update(Msg::Done {
                    id,
                    result: created(&app.form.tags.clone()),
                });
            }
            Step::Result => unreachable!(),
        }
    }
}

fn created(tags: &[Tag]) -> CallResult {
    CallResult::Mesh(Ok(MeshResult {
        action: Action::Create,
        mesh: Mesh {
            name: "orders-dev".into(),
            spec: MeshSpec {
                egress_filter: Some(EgressFilter::AllowAll),
                ip_preference: Some(IpPreference::Ipv4Preferred),
            },
            status: MeshStatus::Active,
            metadata: Metadata {
                arn: "arn:aws:appmesh:us-east-1:111122223333:mesh/orders-dev".into(),
                uid: "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b".into(),
                version: 1,
                created_at: epoch_plus(NOW - 5),
                last_updated_at: epoch_plus(NOW - 5),
                mesh_owner: "111122223333".into(),
                resource_owner: "111122223333".into(),
            },
        },
        tags: Ok(tags.to_vec()),
        request_id: Some("7d0c53c2-8a4b-4b8e-9d55-2f0c8c1f6a10".into()),
    }))
}

fn step_at_80x24(step: Step) -> String {
    let mut a = app(80, 24);
    walk_to(&mut a, step);
    draw(&a)
}

#[test]
fn step_1_intro_80x24() {
    let screen = step_at_80x24(Step::Intro);
    assert!(screen.contains("▸ 1 What a mesh is"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn step_2_name_80x24() {
    let screen = step_at_80x24(Step::Name);
    assert!(screen.contains("Step 2 of 8"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn step_3_egress_80x24() {
    let screen = step_at_80x24(Step::Egress);
    assert!(screen.contains("*.amazonaws.com"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn step_4_ip_preference_80x24() {
    insta::assert_snapshot!(step_at_80x24(Step::IpPreference));
}

#[test]
fn step_5_tags_80x24() {
    insta::assert_snapshot!(step_at_80x24(Step::Tags));
}

#[test]
fn step_6_review_80x24() {
    let screen = step_at_80x24(Step::Review);
    assert!(screen.contains("! ALLOW_ALL"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn step_7_submit_80x24() {
    let screen = step_at_80x24(Step::Submit);
    assert!(screen.contains("Ready: Enter sends CreateMesh"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn step_8_result_80x24() {
    let screen = step_at_80x24(Step::Result);
    assert!(screen.contains("Step 8 of 8"), "{screen}");
    assert!(screen.contains("mesh/orders-dev"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn step_8_result_explains_the_fields_further_down() {
    let mut a = app(80, 24);
    walk_to(&mut a, Step::Result);
    for _ in 0..4 {
        key(&mut a, KeyCode::PageDown);
    }
    let screen = draw(&a);
    assert!(screen.contains("aws-us-gov: GovCloud"), "{screen}");
    insta::assert_snapshot!(screen);
}

/// The template's rules forbid ALLOW_ALL and IPv6_ONLY and require the tags team and env
/// (the walk adds only team): the review lists each broken rule, and Enter on Submit sends
/// nothing.
#[test]
fn review_120x40_with_team_rules_broken() {
    let mut a = app(120, 40);
    a.load_template(Path::new("assets/templates/team-dev.json"));
    a.form.tags.clear();
    a.form.egress = 1;
    walk_to(&mut a, Step::Review);
    let screen = draw(&a);
    for expected in [
        "✗ Team rule: egress filter `ALLOW_ALL` is not allowed",
        "✗ Team rule: IP preference `IPv6_ONLY` is not allowed",
        "✗ Team rule: tag `env` is required",
        "Nothing can be sent until",
    ] {
        assert!(screen.contains(expected), "{expected:?} missing:\n{screen}");
    }
    insta::assert_snapshot!(screen);
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.walkthrough.step, Step::Submit);
    assert_eq!(key(&mut a, KeyCode::Enter), Vec::new(), "nothing sent");
    assert_eq!(a.walkthrough.step, Step::Review, "back to what to fix");
    assert!(
        a.status
            .as_deref()
            .unwrap()
            .starts_with("Not sent: team rule")
    );
}

#[test]
fn review_120x40_clean() {
    let mut a = app(120, 40);
    walk_to(&mut a, Step::Review);
    insta::assert_snapshot!(draw(&a));
}

#[test]
fn export_menu_from_the_review() {
    let mut a = app(80, 24);
    walk_to(&mut a, Step::Review);
    key(&mut a, KeyCode::Char('x'));
    assert_eq!(a.overlay, Some(Overlay::Export));
    insta::assert_snapshot!(draw(&a));
}

#[test]
fn export_text_of_the_created_mesh_with_terraform_import() {
    let mut a = app(80, 24);
    walk_to(&mut a, Step::Result);
    key(&mut a, KeyCode::Char('x'));
    key(&mut a, KeyCode::Char('4'));
    let screen = draw(&a);
    assert!(screen.contains("import {"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn export_cli_command_names_the_sandbox_endpoint() {
    let mut a = app(80, 24);
    walk_to(&mut a, Step::Review);
    key(&mut a, KeyCode::Char('x'));
    key(&mut a, KeyCode::Enter);
    let screen = draw(&a);
    assert!(
        screen.contains("--endpoint-url http://127.0.0.1:41234"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn template_problems_window() {
    let mut a = App::new((80, 24));
    a.now = epoch_plus(NOW);
    a.load_template(Path::new("assets/templates/broken.json"));
    assert_eq!(a.overlay, Some(Overlay::Template));
    let screen = draw(&a);
    assert!(screen.contains("$.tags[1].key"), "{screen}");
    insta::assert_snapshot!(screen);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.overlay, None);
}

#[test]
fn template_that_is_not_there_still_opens_the_form() {
    let mut a = App::new((80, 24));
    a.now = epoch_plus(NOW);
    a.load_template(Path::new("assets/templates/missing.json"));
    let screen = draw(&a);
    assert!(
        screen.contains("template assets/templates/missing.json does not exist"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    // The status line cuts the message and points to F1, which shows it whole.
    assert!(screen.contains("… F1 shows all"), "{screen}");
    key(&mut a, KeyCode::Esc); // the template window
    key(&mut a, KeyCode::F(1));
    let help = draw(&a);
    assert!(help.contains("Last message"), "{help}");
    assert!(
        help.contains("check the path given to --template"),
        "{help}"
    );
}

#[test]
fn esc_leaves_to_the_form_with_the_values_and_f6_returns() {
    let mut a = app(80, 24);
    walk_to(&mut a, Step::Review);
    key(&mut a, KeyCode::Esc);
    assert!(!a.walkthrough_shown());
    let screen = draw(&a);
    assert!(screen.contains("orders-dev"), "{screen}");
    assert!(screen.contains("team = payments"), "{screen}");
    assert!(screen.contains("F6 walkthrough"), "{screen}");
    key(&mut a, KeyCode::F(6));
    assert!(a.walkthrough_shown());
    assert_eq!(
        a.walkthrough.step,
        Step::Review,
        "resumes where it was left"
    );
}
