//! Random sequences of keys, pastes, mouse events, resizes (1×1 to 300×100) and API results
//! fed into the app's update and render: no panic, and the state's invariants hold.

use appmesh_tui::app::{Action, App, CallResult, MeshResult, Msg, View};
use appmesh_tui::aws::{ApiError, ErrorKind};
use appmesh_tui::model::{self, Mesh, MeshSpec, MeshStatus, Metadata, TAGS_MAX, Tag};
use appmesh_tui::ui::{self, layout, text::epoch_plus};
use proptest::prelude::*;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::{Terminal, backend::TestBackend};

fn key_code() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        Just(KeyCode::Tab),
        Just(KeyCode::BackTab),
        Just(KeyCode::Enter),
        Just(KeyCode::Esc),
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::Left),
        Just(KeyCode::Right),
        Just(KeyCode::Home),
        Just(KeyCode::End),
        Just(KeyCode::PageUp),
        Just(KeyCode::PageDown),
        Just(KeyCode::Backspace),
        Just(KeyCode::Delete),
        (1u8..=6).prop_map(KeyCode::F),
        prop::sample::select(vec![
            'a', 'd', 'j', 'k', 'e', 't', 'y', 'r', 's', '/', '?', 'x', ' ', '🦀', '網', 'é'
        ])
        .prop_map(KeyCode::Char),
        any::<char>().prop_map(KeyCode::Char),
    ]
}

fn modifiers() -> impl Strategy<Value = KeyModifiers> {
    prop_oneof![
        6 => Just(KeyModifiers::NONE),
        1 => Just(KeyModifiers::SHIFT),
        1 => Just(KeyModifiers::ALT),
        // Ctrl-C quits (which ends the sequence) and Ctrl-Z asks to suspend: both allowed.
        1 => Just(KeyModifiers::CONTROL),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{0,40}",
        prop::collection::vec(any::<char>(), 0..300).prop_map(|c| c.into_iter().collect()),
        Just("\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}\u{202e}".to_string()),
    ]
}

fn mesh(name: String) -> Mesh {
    Mesh {
        name,
        spec: MeshSpec::default(),
        status: MeshStatus::Active,
        metadata: Metadata {
            arn: "arn:aws:appmesh:us-east-1:111122223333:mesh/x".into(),
            uid: "u".into(),
            version: 1,
            created_at: epoch_plus(1_700_000_000),
            last_updated_at: epoch_plus(1_700_000_000),
            mesh_owner: "111122223333".into(),
            resource_owner: "111122223333".into(),
        },
    }
}

fn result() -> impl Strategy<Value = CallResult> {
    prop_oneof![
        (text(), prop::collection::vec((text(), text()), 0..60)).prop_map(|(name, tags)| {
            CallResult::Mesh(Ok(MeshResult {
                action: Action::Create,
                mesh: mesh(name),
                tags: Ok(tags.into_iter().map(|(k, v)| Tag::new(k, v)).collect()),
                request_id: Some("r".into()),
            }))
        }),
        (text(), any::<Option<u16>>()).prop_map(|(message, http_status)| {
            CallResult::Mesh(Err(ApiError {
                kind: ErrorKind::Service,
                code: Some("ConflictException".into()),
                message,
                http_status,
                request_id: None,
            }))
        }),
    ]
}

// A step is built once and moved once: boxing the big variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
enum Step {
    Key(KeyCode, KeyModifiers),
    Paste(String),
    Mouse(MouseEventKind, u16, u16),
    Resize(u16, u16),
    /// Answer the call in flight (or a stale id when nothing is in flight).
    Answer(CallResult, bool),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        12 => (key_code(), modifiers()).prop_map(|(k, m)| Step::Key(k, m)),
        2 => text().prop_map(Step::Paste),
        2 => (
            prop_oneof![
                Just(MouseEventKind::Down(MouseButton::Left)),
                Just(MouseEventKind::ScrollUp),
                Just(MouseEventKind::ScrollDown),
                Just(MouseEventKind::Moved),
            ],
            0u16..300,
            0u16..100
        )
            .prop_map(|(k, c, r)| Step::Mouse(k, c, r)),
        1 => (1u16..=300, 1u16..=100).prop_map(|(w, h)| Step::Resize(w, h)),
        2 => (result(), any::<bool>()).prop_map(|(r, stale)| Step::Answer(r, stale)),
    ]
}

fn msg(app: &App, step: Step) -> Msg {
    match step {
        Step::Key(code, mods) => Msg::Key(KeyEvent::new(code, mods)),
        Step::Paste(t) => Msg::Paste(t),
        Step::Mouse(kind, column, row) => Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }),
        Step::Resize(w, h) => Msg::Resize(w, h),
        Step::Answer(result, stale) => {
            let id = match (app.in_flight, stale) {
                (Some(id), false) => id,
                (Some(id), true) => id + 1000,
                (None, _) => 999_999,
            };
            Msg::Done { id, result }
        }
    }
}

fn render(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|f| ui::render(app, f)).unwrap();
    terminal.backend().to_string()
}

fn check_invariants(app: &App) {
    let f = &app.form;
    assert!(f.tags.len() <= TAGS_MAX, "{} tags", f.tags.len());
    assert!(f.egress < 2);
    assert!(f.ip_preference < 5);
    assert!(f.tag_selected < f.tags.len().max(1));
    let keys: std::collections::HashSet<_> = f.tags.iter().map(|t| &t.key).collect();
    assert_eq!(keys.len(), f.tags.len(), "tag keys are unique");
    for t in &f.tags {
        assert!(
            model::tag_key_problem(&t.key).is_none()
                && model::tag_value_problem(&t.value).is_none()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_input_never_panics_and_keeps_invariants(
        size in (1u16..=300, 1u16..=100),
        steps in prop::collection::vec(step(), 1..80),
    ) {
        let mut app = App::new(size);
        app.now = epoch_plus(1_700_000_100);
        for s in steps {
            let m = msg(&app, s);
            app.update(m);
            check_invariants(&app);
            let screen = render(&app);
            let (w, h) = app.size;
            let big_enough = w >= layout::MIN_WIDTH && h >= layout::MIN_HEIGHT;
            // What is shown matches what is held.
            if big_enough && app.overlay.is_none() && app.walkthrough_shown() {
                // The walkthrough shows its step and, beside it, what the form holds.
                let step = format!("Step {} of 8", app.walkthrough.step.number());
                prop_assert!(screen.contains(&step), "{step} not in\n{screen}");
                let tags = format!("Tags ({})", app.form.tags.len());
                prop_assert!(screen.contains(&tags), "{tags} not in\n{screen}");
            } else if big_enough && app.overlay.is_none() && app.view == View::Create {
                let tags = format!("Tags ({}/{TAGS_MAX})", app.form.tags.len());
                prop_assert!(screen.contains(&tags), "{tags} not in\n{screen}");
                let count = format!("{}/255", model::char_len(app.form.name.value()));
                prop_assert!(screen.contains(&count), "{count} not in\n{screen}");
            }
            if !big_enough {
                prop_assert!(!screen.contains("Mesh name"), "no broken layout below the minimum");
            }
            // Nothing drawn may carry a control character to the terminal.
            prop_assert!(!screen.chars().any(|c| c.is_control() && c != '\n'), "control character drawn");
            if app.quit {
                break;
            }
        }
    }
}
