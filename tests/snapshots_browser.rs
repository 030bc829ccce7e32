//! The Meshes view: its screens drawn with ratatui's TestBackend and compared with insta
//! snapshots, and its flows driven through `App::update` with the calls it asks for answered
//! by hand (no network, no timing).

use appmesh_tui::app::{
    Action, App, Call, CallResult, Effect, MeshResult, Msg, Overlay, Pane, View,
};
use appmesh_tui::aws::{ApiError, ErrorKind, MeshPage};
use appmesh_tui::model::{
    EgressFilter, IpPreference, Mesh, MeshSpec, MeshStatus, MeshSummary, Metadata, Tag,
};
use appmesh_tui::testing::{ctrl, draw, key as press, type_text};
use appmesh_tui::ui::{self, text::epoch_plus};
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseEvent, MouseEventKind};

use appmesh_tui::testing::NOW;
const OWNER: &str = "111122223333";

fn app(w: u16, h: u16) -> App {
    appmesh_tui::testing::connected_app(w, h, "/tmp/b.json")
}

/// The one call among the effects.
fn call(effects: &[Effect]) -> (u64, Call) {
    let calls: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Call { id, call } => Some((*id, call.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 1, "expected one call in {effects:?}");
    calls[0].clone()
}

fn summary(name: &str, age_secs: u64, version: i64) -> MeshSummary {
    MeshSummary {
        name: name.into(),
        arn: format!("arn:aws:appmesh:us-east-1:{OWNER}:mesh/{name}"),
        version,
        created_at: epoch_plus(NOW - age_secs),
        last_updated_at: epoch_plus(NOW - age_secs / 2),
        mesh_owner: OWNER.into(),
        resource_owner: OWNER.into(),
    }
}

fn full(s: &MeshSummary, spec: MeshSpec, status: MeshStatus) -> Mesh {
    Mesh {
        name: s.name.clone(),
        spec,
        status,
        metadata: Metadata {
            arn: s.arn.clone(),
            uid: "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b".into(),
            version: s.version,
            created_at: s.created_at,
            last_updated_at: s.last_updated_at,
            mesh_owner: OWNER.into(),
            resource_owner: OWNER.into(),
        },
    }
}

/// Answers a ListPage call; returns the next call's effects.
fn answer_page(
    app: &mut App,
    effects: &[Effect],
    meshes: Vec<MeshSummary>,
    next: Option<&str>,
) -> Vec<Effect> {
    let (id, c) = call(effects);
    let Call::ListPage { generation, .. } = c else {
        panic!("not a ListPage: {c:?}");
    };
    app.update(Msg::Done {
        id,
        result: CallResult::Page {
            generation,
            result: Ok(MeshPage {
                meshes,
                next_token: next.map(str::to_string),
            }),
        },
    })
}

fn answer(app: &mut App, effects: &[Effect], result: Result<MeshResult, ApiError>) {
    let (id, _) = call(effects);
    app.update(Msg::Done {
        id,
        result: CallResult::Mesh(result),
    });
}

fn three() -> Vec<MeshSummary> {
    vec![
        summary("payments-mesh", 3 * 86_400, 3),
        summary("orders-mesh", 125, 1),
        summary("inventory", 7200, 2),
    ]
}

/// The Meshes view with `meshes` listed in one page.
fn listed(w: u16, h: u16, meshes: Vec<MeshSummary>) -> App {
    let mut a = app(w, h);
    let fx = press(&mut a, KeyCode::F(3));
    assert!(answer_page(&mut a, &fx, meshes, None).is_empty());
    a
}

fn selected(a: &App) -> String {
    a.browser.selected_mesh().unwrap().name.clone()
}

fn described(w: u16, h: u16) -> App {
    let mut a = listed(w, h, three());
    press(&mut a, KeyCode::Down); // orders-mesh (sorted by name: inventory, orders, payments)
    let fx = press(&mut a, KeyCode::Enter);
    assert!(matches!(call(&fx).1, Call::Describe { ref name } if name == "orders-mesh"));
    let s = &three()[1];
    answer(
        &mut a,
        &fx,
        Ok(MeshResult {
            action: Action::Describe,
            mesh: full(
                s,
                MeshSpec {
                    egress_filter: Some(EgressFilter::DropAll),
                    ip_preference: Some(IpPreference::Ipv4Preferred),
                },
                MeshStatus::Active,
            ),
            tags: Ok(vec![Tag::new("team", "orders"), Tag::new("env", "dev")]),
            request_id: Some("5a1d2b3c-0000-4000-8000-00000000d35c".into()),
        }),
    );
    a
}

// ---------------------------------------------------------------------------------------------
// Screens

#[test]
fn list_empty_points_to_the_create_form() {
    let a = listed(100, 24, vec![]);
    let screen = draw(&a);
    assert!(
        screen.contains("Meshes (0)") && screen.contains("F2"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn list_loading_shows_what_arrived_and_progress() {
    let mut a = app(120, 24);
    let fx = press(&mut a, KeyCode::F(3));
    assert!(draw(&a).contains("Listing the meshes"));
    let next = answer_page(&mut a, &fx, three(), Some("page-2"));
    assert!(matches!(
        call(&next).1,
        Call::ListPage { next_token: Some(ref t), .. } if t == "page-2"
    ));
    let screen = draw(&a);
    assert!(screen.contains("loading: 3 received"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn list_filtered() {
    let mut meshes = three();
    meshes.push(summary("payroll", 400, 1));
    meshes.push(summary("Pay-Legacy", 90_000, 7));
    let mut a = listed(120, 24, meshes);
    type_text(&mut a, "/pay");
    let screen = draw(&a);
    assert!(screen.contains("3 match"), "{screen}");
    assert!(!screen.contains("inventory"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn long_names_are_cut_with_an_ellipsis() {
    let long = format!("{}-tail", "very-long-mesh-name-".repeat(12));
    let meshes = vec![
        summary(&long, 60, 1),
        summary(
            "日本語のメッシュ名はとても長いのでここで切られるはずです",
            60,
            1,
        ),
        summary("short", 60, 1),
    ];
    let a = listed(80, 24, meshes);
    let screen = draw(&a);
    assert!(screen.contains('…'), "{screen}");
    assert!(!screen.contains("-tail"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn describe_shows_the_mesh_in_the_pane() {
    let a = described(120, 32);
    let screen = draw(&a);
    assert!(screen.contains("DescribeMesh ✓ orders-mesh"), "{screen}");
    assert!(screen.contains("IPv4_PREFERRED") && screen.contains("team = orders"));
    insta::assert_snapshot!(screen);
}

#[test]
fn edit_opens_the_form_with_the_mesh_spec() {
    let mut a = described(120, 32);
    assert!(
        press(&mut a, KeyCode::Char('e')).is_empty(),
        "the pane has it"
    );
    assert_eq!(a.view, View::Create);
    assert!(a.form.name_locked);
    let screen = draw(&a);
    assert!(screen.contains("[ Update ]") && screen.contains("read-only"));
    insta::assert_snapshot!(screen);
}

#[test]
fn tag_editor() {
    let mut a = described(120, 32);
    press(&mut a, KeyCode::Char('t'));
    assert_eq!(a.overlay, Some(Overlay::Tags));
    type_text(&mut a, "env");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "prod");
    press(&mut a, KeyCode::Enter);
    type_text(&mut a, "owner");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "ops");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::BackTab); // to the list
    press(&mut a, KeyCode::Home);
    press(&mut a, KeyCode::Char('d')); // team
    let screen = draw(&a);
    assert!(screen.contains("removes team"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn delete_confirmation() {
    let mut a = described(120, 32);
    press(&mut a, KeyCode::Char('d'));
    assert_eq!(a.overlay, Some(Overlay::ConfirmDelete));
    type_text(&mut a, "orders");
    let fx = press(&mut a, KeyCode::Enter);
    assert!(fx.is_empty(), "a partial name sends nothing");
    let screen = draw(&a);
    assert!(screen.contains("Not the name"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn list_at_80x24_with_ten_thousand_meshes() {
    let mut a = app(80, 24);
    let mut fx = press(&mut a, KeyCode::F(3));
    for p in 0..100u64 {
        let meshes = (0..100)
            .map(|i| {
                summary(
                    &format!("seed-{:05}", p * 100 + i + 1),
                    86_400 + p * 100 + i,
                    1,
                )
            })
            .collect();
        let next = (p < 99).then(|| format!("t{p}"));
        fx = answer_page(&mut a, &fx, meshes, next.as_deref());
    }
    assert!(fx.is_empty());
    assert_eq!(a.browser.meshes.len(), 10_000);
    press(&mut a, KeyCode::End);
    press(&mut a, KeyCode::PageUp);
    let screen = draw(&a);
    assert!(screen.contains("Meshes (10000)"), "{screen}");
    assert!(
        screen.contains("seed-09984") && screen.contains("seed-10000"),
        "{screen}"
    );
    assert_eq!(selected(&a), "seed-09984", "PgUp moves one screen up");
    insta::assert_snapshot!(screen);
}

#[test]
fn help_lists_the_meshes_keys() {
    let mut a = listed(100, 40, three());
    press(&mut a, KeyCode::Char('?'));
    let screen = draw(&a);
    for k in [
        "Enter",
        "/",
        "r / F5",
        "copy the selected mesh's ARN",
        "d / Delete",
    ] {
        assert!(screen.contains(k), "{k} missing: {screen}");
    }
    insta::assert_snapshot!(screen);
}

// ---------------------------------------------------------------------------------------------
// Flows

#[test]
fn pages_chain_and_a_refresh_drops_the_old_run() {
    let mut a = listed(120, 30, three());
    a.browser.select_name("payments-mesh");
    let fx = press(&mut a, KeyCode::Char('r'));
    let (old_id, _) = call(&fx);
    let next = answer_page(&mut a, &fx, vec![summary("a-first", 10, 1)], Some("t"));
    // A second refresh while the first is still paging: the old call is cancelled.
    let fx2 = press(&mut a, KeyCode::F(5));
    assert!(
        fx2.iter()
            .any(|e| matches!(e, Effect::Cancel(id) if *id == call(&next).0)),
        "{fx2:?}"
    );
    // The old run's second page arrives late: ignored.
    let late = answer_page(&mut a, &next, vec![summary("stale", 10, 1)], None);
    assert!(late.is_empty());
    assert!(!a.browser.meshes.iter().any(|m| m.name == "stale"));
    assert_ne!(old_id, call(&fx2).0);
    answer_page(&mut a, &fx2, three(), None);
    assert_eq!(a.browser.meshes.len(), 3);
    assert_eq!(selected(&a), "payments-mesh", "selection kept by name");
}

#[test]
fn list_loading_does_not_block_a_describe() {
    let mut a = app(120, 30);
    let fx = press(&mut a, KeyCode::F(3));
    let next = answer_page(&mut a, &fx, three(), Some("t"));
    assert!(a.browser.loading());
    let d = press(&mut a, KeyCode::Enter);
    assert!(matches!(call(&d).1, Call::Describe { .. }));
    // The next page arrives while the describe is in flight; both go on.
    let more = answer_page(&mut a, &next, vec![summary("zeta", 5, 1)], None);
    assert!(more.is_empty());
    assert!(a.in_flight.is_some());
    // Esc cancels the describe, not the listing.
    let esc = press(&mut a, KeyCode::Esc);
    assert!(matches!(esc[..], [Effect::Cancel(_)]));
    assert_eq!(a.browser.meshes.len(), 4);
}

#[test]
fn a_failed_page_is_shown_and_r_retries() {
    let mut a = app(120, 24);
    let fx = press(&mut a, KeyCode::F(3));
    let (id, c) = call(&fx);
    let Call::ListPage { generation, .. } = c else {
        panic!()
    };
    a.update(Msg::Done {
        id,
        result: CallResult::Page {
            generation,
            result: Err(ApiError {
                kind: ErrorKind::Credentials,
                code: None,
                message: "no credentials in the environment".into(),
                http_status: None,
                request_id: None,
            }),
        },
    });
    let screen = draw(&a);
    assert!(screen.contains("Could not list the meshes"), "{screen}");
    assert!(!a.animating());
    let fx = press(&mut a, KeyCode::Char('r'));
    assert!(matches!(
        call(&fx).1,
        Call::ListPage {
            next_token: None,
            ..
        }
    ));
}

#[test]
fn filter_keys_move_and_esc_clears() {
    let mut a = listed(120, 24, three());
    type_text(&mut a, "/mesh");
    assert_eq!(a.browser.rows.len(), 2);
    press(&mut a, KeyCode::Down);
    assert_eq!(selected(&a), "payments-mesh");
    press(&mut a, KeyCode::Enter);
    assert!(
        !a.browser.filtering,
        "Enter keeps the filter, closes the input"
    );
    assert!(a.in_flight.is_none(), "and does not describe");
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.browser.rows.len(), 3, "Esc clears a kept filter");
    assert!(!a.quit);
    type_text(&mut a, "/zzz");
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.browser.rows.len(), 3);
    assert_eq!(selected(&a), "payments-mesh");
}

#[test]
fn sort_key_cycles_and_mouse_wheel_and_click_select() {
    let mut a = listed(120, 24, three());
    press(&mut a, KeyCode::Char('s'));
    assert_eq!(selected(&a), "inventory");
    let names: Vec<_> = a
        .browser
        .rows
        .iter()
        .map(|&i| a.browser.meshes[i].name.clone())
        .collect();
    assert_eq!(
        names,
        ["orders-mesh", "inventory", "payments-mesh"],
        "newest first"
    );
    let rows = ui::layout::screen(ratatui::layout::Rect::new(0, 0, 120, 24))
        .browser
        .rows;
    let mouse = |kind, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column: rows.x + 2,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    a.update(mouse(
        MouseEventKind::Down(ratatui::crossterm::event::MouseButton::Left),
        rows.y,
    ));
    assert_eq!(selected(&a), "orders-mesh");
    a.update(mouse(MouseEventKind::ScrollDown, rows.y));
    assert_eq!(
        selected(&a),
        "payments-mesh",
        "wheel moves, stops at the end"
    );
}

#[test]
fn y_copies_the_arn() {
    let mut a = listed(120, 24, three());
    let fx = press(&mut a, KeyCode::Char('y'));
    assert_eq!(
        fx,
        [Effect::Copy(format!(
            "arn:aws:appmesh:us-east-1:{OWNER}:mesh/inventory"
        ))]
    );
    assert!(
        a.status
            .as_deref()
            .unwrap()
            .contains("Copied the ARN of inventory")
    );
}

#[test]
fn edit_without_a_describe_describes_first_then_updates_with_a_client_token() {
    let mut a = listed(120, 32, three());
    // Something typed in the create form must survive the edit.
    press(&mut a, KeyCode::F(2));
    type_text(&mut a, "my-draft");
    press(&mut a, KeyCode::F(3));
    let fx = press(&mut a, KeyCode::Char('e'));
    assert!(matches!(call(&fx).1, Call::Describe { ref name } if name == "inventory"));
    let s = three()[2].clone();
    answer(
        &mut a,
        &fx,
        Ok(MeshResult {
            action: Action::Describe,
            mesh: full(&s, MeshSpec::default(), MeshStatus::Active),
            tags: Ok(vec![]),
            request_id: None,
        }),
    );
    assert_eq!(a.view, View::Create);
    assert_eq!(a.form.name.value(), "inventory");
    // Tab skips the tag fields: Egress → IP preference → Update → Name → Egress.
    press(&mut a, KeyCode::Down); // ALLOW_ALL
    let tabs: Vec<_> = (0..4)
        .map(|_| {
            press(&mut a, KeyCode::Tab);
            a.form.focus
        })
        .collect();
    use appmesh_tui::form::Field;
    assert_eq!(
        tabs,
        [
            Field::IpPreference,
            Field::Create,
            Field::Name,
            Field::Egress
        ]
    );
    let fx = ctrl(&mut a, 's');
    let (_, c) = call(&fx);
    let Call::Update {
        name,
        spec,
        client_token,
    } = c
    else {
        panic!("{c:?}")
    };
    assert_eq!(name, "inventory");
    assert_eq!(spec.egress_filter, Some(EgressFilter::AllowAll));
    assert!(appmesh_tui::model::client_token_is_valid(&client_token));
    // The service answers a timeout; the retry reuses the token.
    answer(
        &mut a,
        &fx,
        Err(ApiError {
            kind: ErrorKind::Timeout,
            code: None,
            message: "timed out".into(),
            http_status: None,
            request_id: None,
        }),
    );
    assert_eq!(a.view, View::Create, "the edit stays open after an error");
    let fx = ctrl(&mut a, 's');
    let Call::Update {
        client_token: again,
        ..
    } = call(&fx).1
    else {
        panic!()
    };
    assert_eq!(again, client_token);
    let mut updated = full(
        &s,
        MeshSpec {
            egress_filter: Some(EgressFilter::AllowAll),
            ip_preference: None,
        },
        MeshStatus::Active,
    );
    updated.metadata.version = 3;
    updated.metadata.last_updated_at = epoch_plus(NOW);
    answer(
        &mut a,
        &fx,
        Ok(MeshResult {
            action: Action::Update,
            mesh: updated,
            tags: Ok(vec![]),
            request_id: None,
        }),
    );
    assert_eq!(a.view, View::Meshes, "back to the list");
    assert_eq!(a.browser.selected_mesh().unwrap().version, 3);
    let screen = draw(&a);
    assert!(screen.contains("UpdateMesh ✓ inventory") && screen.contains("ALLOW_ALL"));
    assert!(!a.editing());
    assert_eq!(a.form.name.value(), "my-draft", "create input is back");
}

#[test]
fn esc_or_f2_ends_an_edit_and_restores_the_create_form() {
    let mut a = app(120, 32);
    type_text(&mut a, "draft");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Down);
    let fx = press(&mut a, KeyCode::F(3));
    answer_page(&mut a, &fx, three(), None);
    let mut a2 = a.clone();
    for (app, leave) in [(&mut a, KeyCode::Esc), (&mut a2, KeyCode::F(2))] {
        let fx = press(app, KeyCode::Char('e'));
        answer(
            app,
            &fx,
            Ok(MeshResult {
                action: Action::Describe,
                mesh: full(&three()[2], MeshSpec::default(), MeshStatus::Active),
                tags: Ok(vec![]),
                request_id: None,
            }),
        );
        assert!(app.editing());
        press(app, leave);
        assert!(!app.editing() && !app.quit);
        assert_eq!(app.view, View::Create);
        assert_eq!(app.form.name.value(), "draft");
        assert_eq!(app.form.egress, 1);
        assert!(!app.form.name_locked);
    }
}

#[test]
fn saving_tags_sends_the_difference() {
    let mut a = described(120, 32);
    press(&mut a, KeyCode::Char('t'));
    let fx = ctrl(&mut a, 's');
    assert!(fx.is_empty(), "nothing changed: nothing sent");
    type_text(&mut a, "env");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "prod");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::BackTab);
    press(&mut a, KeyCode::Home);
    press(&mut a, KeyCode::Delete); // team
    let fx = ctrl(&mut a, 's');
    let Call::SaveTags { mesh, tag, untag } = call(&fx).1 else {
        panic!()
    };
    assert_eq!(mesh.name, "orders-mesh");
    assert_eq!(tag, [Tag::new("env", "prod")]);
    assert_eq!(untag, ["team"]);
    assert_eq!(a.overlay, None);
    answer(
        &mut a,
        &fx,
        Ok(MeshResult {
            action: Action::Tag,
            mesh: *mesh,
            tags: Ok(vec![Tag::new("env", "prod")]),
            request_id: None,
        }),
    );
    let screen = draw(&a);
    assert!(
        screen.contains("env = prod") && !screen.contains("team = orders"),
        "{screen}"
    );
}

/// The template's team rules hold back an UpdateMesh whose spec breaks them, and a tag edit
/// that newly breaks them (not one that leaves an old break as it was).
#[test]
fn team_rules_hold_back_updates_and_tag_edits_that_break_them() {
    let mut a = described(120, 32);
    a.rules = appmesh_tui::template::Rules {
        allowed_egress_filters: Some(vec![EgressFilter::DropAll]),
        required_tag_keys: vec!["team".into(), "owner".into()],
        allowed_tag_values: [("env".to_string(), vec!["dev".into(), "prod".into()])].into(),
        // Name rules do not apply to an existing mesh's update.
        mesh_name_prefix: Some("payments-".into()),
        ..Default::default()
    };

    // Update: ALLOW_ALL is not allowed; DROP_ALL is, whatever the name.
    press(&mut a, KeyCode::Char('e'));
    assert!(a.editing());
    press(&mut a, KeyCode::Down); // ALLOW_ALL
    assert!(ctrl(&mut a, 's').is_empty(), "nothing is sent");
    let status = a.status.clone().unwrap();
    assert!(
        status.starts_with("Not sent: team rule: egress filter `ALLOW_ALL`"),
        "{status}"
    );
    assert!(draw(&a).contains("Not sent: team rule"), "{}", draw(&a));
    press(&mut a, KeyCode::Up); // DROP_ALL
    let fx = ctrl(&mut a, 's');
    assert!(
        matches!(call(&fx).1, Call::Update { ref name, .. } if name == "orders-mesh"),
        "{fx:?}"
    );
    answer(
        &mut a,
        &fx,
        Ok(MeshResult {
            action: Action::Update,
            mesh: full(
                &three()[1],
                MeshSpec {
                    egress_filter: Some(EgressFilter::DropAll),
                    ip_preference: Some(IpPreference::Ipv4Preferred),
                },
                MeshStatus::Active,
            ),
            tags: Ok(vec![Tag::new("team", "orders"), Tag::new("env", "dev")]),
            request_id: None,
        }),
    );
    press(&mut a, KeyCode::F(3));

    // Tags: the mesh already lacks `owner` (made before the rules); adding an allowed tag is
    // fine, but removing `team` or setting env=qa is refused, with the reason in the editor.
    press(&mut a, KeyCode::Char('t'));
    press(&mut a, KeyCode::BackTab);
    press(&mut a, KeyCode::Home);
    press(&mut a, KeyCode::Delete); // team
    assert!(ctrl(&mut a, 's').is_empty());
    let screen = draw(&a);
    assert!(screen.contains("tag `team` is required"), "{screen}");
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.overlay, None);
    press(&mut a, KeyCode::Char('t'));
    type_text(&mut a, "env");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "qa");
    press(&mut a, KeyCode::Enter);
    assert!(ctrl(&mut a, 's').is_empty());
    let screen = draw(&a);
    assert!(
        screen.contains("Not sent: team rule: tag `env` is `qa`"),
        "{screen}"
    );
    assert_eq!(a.overlay, Some(Overlay::Tags), "the editor stays open");
    type_text(&mut a, "env");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "prod");
    press(&mut a, KeyCode::Enter);
    let fx = ctrl(&mut a, 's');
    let Call::SaveTags { tag, untag, .. } = call(&fx).1 else {
        panic!("{fx:?}")
    };
    assert_eq!(tag, [Tag::new("env", "prod")]);
    assert!(untag.is_empty());
}

#[test]
fn delete_with_the_exact_name_removes_the_mesh() {
    let mut a = described(120, 32);
    press(&mut a, KeyCode::Delete);
    type_text(&mut a, "orders-mesh");
    let fx = press(&mut a, KeyCode::Enter);
    assert!(matches!(call(&fx).1, Call::Delete { ref name } if name == "orders-mesh"));
    let s = &three()[1];
    answer(
        &mut a,
        &fx,
        Ok(MeshResult {
            action: Action::Delete,
            mesh: full(s, MeshSpec::default(), MeshStatus::Deleted),
            tags: Ok(vec![]),
            request_id: None,
        }),
    );
    assert_eq!(a.browser.meshes.len(), 2);
    assert_eq!(selected(&a), "payments-mesh", "the next row is selected");
    let screen = draw(&a);
    assert!(
        screen.contains("DELETED") && screen.contains("Meshes (2)"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn delete_in_use_is_explained_and_keeps_the_mesh() {
    let mut a = described(120, 32);
    press(&mut a, KeyCode::Char('d'));
    type_text(&mut a, "orders-mesh");
    let fx = press(&mut a, KeyCode::Enter);
    answer(
        &mut a,
        &fx,
        Err(ApiError {
            kind: ErrorKind::Service,
            code: Some("ResourceInUseException".into()),
            message: "Mesh orders-mesh has virtual nodes".into(),
            http_status: Some(409),
            request_id: Some("r-409".into()),
        }),
    );
    assert_eq!(a.browser.meshes.len(), 3);
    let screen = draw(&a);
    assert!(screen.contains("ResourceInUseException"), "{screen}");
    assert!(screen.contains("Delete those first"), "{screen}");
}

#[test]
fn read_only_refuses_every_change() {
    let mut a = listed(120, 24, three());
    a.read_only = true;
    for k in ['e', 't', 'd'] {
        let fx = press(&mut a, KeyCode::Char(k));
        assert!(fx.is_empty(), "{k}");
        assert_eq!(a.overlay, None);
        assert!(a.status.as_deref().unwrap().contains("Read-only"), "{k}");
    }
    assert!(press(&mut a, KeyCode::Delete).is_empty());
    let keys = ui::footer_keys(&a);
    assert!(
        !keys.iter().any(|(k, _)| ["e", "t", "d"].contains(k)),
        "{keys:?}"
    );
    let screen = draw(&a);
    assert!(screen.contains("READ-ONLY"), "{screen}");
}

#[test]
fn read_only_offers_no_create_anywhere() {
    let mut a = app(120, 40);
    a.read_only = true;
    let screen = draw(&a);
    assert!(!screen.contains("[ Create ]"), "{screen}");
    assert!(screen.contains("read-only: nothing is sent"), "{screen}");
    let keys = ui::footer_keys(&a);
    assert!(!keys.iter().any(|(_, what)| *what == "create"), "{keys:?}");
    // Focused on the button's place, Enter is not offered either.
    a.form.focus = appmesh_tui::form::Field::Create;
    let keys = ui::footer_keys(&a);
    assert!(!keys.iter().any(|(k, _)| *k == "Enter"), "{keys:?}");
    // The walkthrough's Submit step says it sends nothing, and offers no Enter.
    type_text(&mut a, "ro-mesh");
    a.open_walkthrough();
    a.walk_to(appmesh_tui::walkthrough::Step::Submit);
    let screen = draw(&a);
    assert!(
        screen.contains("Read-only mode (--read-only): this step sends nothing"),
        "{screen}"
    );
    let keys = ui::footer_keys(&a);
    assert!(!keys.iter().any(|(_, what)| *what == "send"), "{keys:?}");
    assert!(press(&mut a, KeyCode::Enter).is_empty(), "nothing is sent");
}

#[test]
fn a_mesh_whose_name_holds_a_line_break_can_be_deleted() {
    // Another client made it; no keyboard types a line feed into the confirmation.
    let mut a = listed(120, 32, vec![summary("two\nlines", 60, 1)]);
    press(&mut a, KeyCode::Char('d'));
    assert_eq!(a.overlay, Some(Overlay::ConfirmDelete));
    let screen = draw(&a);
    assert!(
        screen.contains("U+000A (line feed)") && screen.contains("two?lines"),
        "{screen}"
    );
    type_text(&mut a, "two lines");
    assert!(press(&mut a, KeyCode::Enter).is_empty(), "not the name");
    assert!(draw(&a).contains("type two?lines"), "{}", draw(&a));
    for _ in 0..9 {
        press(&mut a, KeyCode::Backspace);
    }
    type_text(&mut a, "two?lines");
    let fx = press(&mut a, KeyCode::Enter);
    assert!(
        matches!(call(&fx).1, Call::Delete { ref name } if name == "two\nlines"),
        "{fx:?}"
    );
}

#[test]
fn a_created_mesh_is_selected_in_the_list() {
    // Before the list was ever loaded…
    let mut a = app(120, 32);
    type_text(&mut a, "orders-mesh");
    let fx = ctrl(&mut a, 's');
    let s = &three()[1];
    answer(
        &mut a,
        &fx,
        Ok(MeshResult {
            action: Action::Create,
            mesh: full(s, MeshSpec::default(), MeshStatus::Active),
            tags: Ok(vec![]),
            request_id: None,
        }),
    );
    let fx = press(&mut a, KeyCode::F(3));
    answer_page(&mut a, &fx, three(), None);
    assert_eq!(selected(&a), "orders-mesh");

    // …and after.
    let mut a = listed(120, 32, three());
    press(&mut a, KeyCode::F(2));
    type_text(&mut a, "zeta");
    let fx = ctrl(&mut a, 's');
    answer(
        &mut a,
        &fx,
        Ok(MeshResult {
            action: Action::Create,
            mesh: full(
                &summary("zeta", 0, 1),
                MeshSpec::default(),
                MeshStatus::Active,
            ),
            tags: Ok(vec![]),
            request_id: None,
        }),
    );
    assert!(press(&mut a, KeyCode::F(3)).is_empty(), "no reload needed");
    assert_eq!(selected(&a), "zeta");
    assert!(matches!(a.pane, Pane::Mesh(_)));
}

#[test]
fn help_scrolls_to_its_last_line_at_80x24() {
    let mut a = listed(80, 24, three());
    press(&mut a, KeyCode::F(1));
    assert!(
        !draw(&a).contains("closes this window"),
        "taller than the screen"
    );
    for _ in 0..10 {
        press(&mut a, KeyCode::PageDown);
    }
    let screen = draw(&a);
    assert!(
        screen.contains("Esc, F1 or ? closes this window."),
        "{screen}"
    );
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.overlay, None);
}

#[test]
fn a_call_in_flight_shows_on_the_list_at_80x24() {
    let mut a = listed(80, 24, three());
    let fx = press(&mut a, KeyCode::Enter);
    assert!(matches!(call(&fx).1, Call::Describe { .. }));
    let screen = draw(&a);
    assert!(
        screen.contains("Loading mesh inventory… Esc cancels"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    press(&mut a, KeyCode::Esc);
    assert!(a.in_flight.is_none());
    assert!(!draw(&a).contains("Esc cancels"));
}

#[test]
fn a_mesh_deleted_elsewhere_leaves_the_list_when_an_action_finds_it_gone() {
    let mut a = listed(120, 32, three());
    let fx = press(&mut a, KeyCode::Enter);
    answer(
        &mut a,
        &fx,
        Err(ApiError {
            kind: ErrorKind::Service,
            code: Some("NotFoundException".into()),
            message: "mesh inventory not found".into(),
            http_status: Some(404),
            request_id: None,
        }),
    );
    assert_eq!(a.browser.meshes.len(), 2);
    assert_eq!(selected(&a), "orders-mesh");
    assert!(a.status.as_deref().unwrap().contains("no longer exists"));
    // Other errors keep the mesh.
    let fx = press(&mut a, KeyCode::Enter);
    answer(
        &mut a,
        &fx,
        Err(ApiError {
            kind: ErrorKind::Timeout,
            code: None,
            message: "timed out".into(),
            http_status: None,
            request_id: None,
        }),
    );
    assert_eq!(a.browser.meshes.len(), 2);
}
