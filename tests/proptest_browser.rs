//! The Meshes view against the sandbox's state as the service, under random keys, resizes and
//! answers that arrive late, out of order, failed, or not at all. After every step the view's
//! invariants hold and it draws; at the end, once every call is answered and the lists are
//! refreshed, what the view lists is exactly what the service holds.

use std::collections::{BTreeSet, HashSet};

use appmesh_tui::app::{App, Call, CallResult, Effect, Msg};
use appmesh_tui::aws::{ApiError, ErrorKind};
use appmesh_tui::explore::{BG_LIMIT, Scope, Where};
use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::testing::{Service, connected_app, draw, push_calls};
use proptest::prelude::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

#[derive(Clone, Debug)]
enum Step {
    Key(KeyCode),
    Resize(u16, u16),
    /// Answer the pending call at this position (modulo), as the service would.
    Answer(usize),
    /// Fail the pending call at this position.
    Fail(usize),
    /// Answer every pending call, newest first.
    AnswerAllReversed,
}

fn step() -> impl Strategy<Value = Step> {
    let keys = prop_oneof![
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::Enter),
        Just(KeyCode::Backspace),
        Just(KeyCode::Esc),
        Just(KeyCode::Tab),
        Just(KeyCode::BackTab),
        Just(KeyCode::PageDown),
        Just(KeyCode::End),
        Just(KeyCode::Left),
        Just(KeyCode::Right),
        Just(KeyCode::F(3)),
        Just(KeyCode::Char(':')),
        Just(KeyCode::Char('/')),
        Just(KeyCode::Char('r')),
        Just(KeyCode::Char('s')),
        Just(KeyCode::Char('d')),
        Just(KeyCode::Char('t')),
        Just(KeyCode::Char('v')),
        Just(KeyCode::Char('n')),
        Just(KeyCode::Char('z')),
        Just(KeyCode::Char(' ')),
    ];
    prop_oneof![
        6 => keys.prop_map(Step::Key),
        1 => (20u16..200, 5u16..60).prop_map(|(w, h)| Step::Resize(w, h)),
        5 => any::<usize>().prop_map(Step::Answer),
        1 => any::<usize>().prop_map(Step::Fail),
        1 => Just(Step::AnswerAllReversed),
    ]
}

fn service() -> Service {
    let mut s = Service::new();
    s.page = 2;
    s.add_mesh("payments", true).add_mesh("checkout", false);
    for i in 0..5 {
        s.add(
            Key::new(Kind::VirtualNode, "payments", "", format!("extra-{i}")),
            json!({"serviceDiscovery": {"dns": {"hostname": format!("x{i}.local")}}}),
        );
    }
    s
}

fn failure() -> ApiError {
    ApiError {
        kind: ErrorKind::Service,
        code: Some("InternalServerErrorException".into()),
        message: "try later".into(),
        http_status: Some(500),
        request_id: None,
    }
}

fn failed(call: &Call) -> CallResult {
    match call {
        Call::List {
            scope, generation, ..
        } => CallResult::Page {
            scope: scope.clone(),
            generation: *generation,
            result: Err(failure()),
        },
        Call::Get { key, .. }
        | Call::Remove { key }
        | Call::Tag { key, .. }
        | Call::Write { key, .. } => CallResult::Resource {
            key: key.clone(),
            result: Err(failure()),
        },
        Call::Create(_) | Call::Update { .. } => CallResult::Mesh(Err(failure())),
    }
}

/// What the view must always hold to.
fn invariants(a: &App) -> Result<(), TestCaseError> {
    let e = &a.explorer;
    let l = e.list();
    prop_assert!(
        l.rows.is_empty() || l.selected < l.rows.len(),
        "selection off the list"
    );
    let names: HashSet<&str> = l.items.iter().map(|s| s.key.name.as_str()).collect();
    prop_assert_eq!(names.len(), l.items.len(), "a row is held twice");
    prop_assert!(l.rows.iter().all(|&i| i < l.items.len()));
    // The mesh's work is limited; the meshes list's own page may run beside it.
    prop_assert!(
        e.background() <= BG_LIMIT + 1,
        "{} background calls",
        e.background()
    );
    match &e.at {
        Where::Meshes => {}
        _ => prop_assert!(e.open.is_some(), "inside a mesh that is not open"),
    }
    if let Some(o) = &e.open {
        for (scope, list) in &o.lists {
            prop_assert_eq!(&scope.mesh, &o.name);
            for s in &list.items {
                prop_assert_eq!(&Scope::of(&s.key), scope, "a row in the wrong list");
            }
        }
    }
    Ok(())
}

fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut svc = service();
    let mut a = connected_app(120, 40, "/tmp/s.json");
    let mut pending: Vec<(u64, Call)> = Vec::new();
    let take = |effects: Vec<Effect>, pending: &mut Vec<(u64, Call)>| {
        for e in effects {
            match e {
                Effect::Call { id, call } => pending.push((id, call)),
                Effect::Cancel(id) => pending.retain(|(i, _)| *i != id),
                _ => {}
            }
        }
    };
    for s in steps {
        match s {
            Step::Key(code) => {
                let fx = a.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
                take(fx, &mut pending);
            }
            Step::Resize(w, h) => {
                let fx = a.update(Msg::Resize(w, h));
                take(fx, &mut pending);
            }
            Step::Answer(i) | Step::Fail(i) if !pending.is_empty() => {
                let (id, call) = pending.remove(i % pending.len());
                let result = if matches!(s, Step::Fail(_)) {
                    failed(&call)
                } else {
                    svc.answer(&call)
                };
                let fx = a.update(Msg::Done { id, result });
                take(fx, &mut pending);
            }
            Step::AnswerAllReversed => {
                let all: Vec<(u64, Call)> = pending.drain(..).rev().collect();
                for (id, call) in all {
                    let result = svc.answer(&call);
                    let fx = a.update(Msg::Done { id, result });
                    take(fx, &mut pending);
                }
            }
            _ => {}
        }
        invariants(&a)?;
        let _ = draw(&a);
    }
    // Everything answered, in order, then every list refreshed: the view holds what the
    // service holds.
    while !pending.is_empty() {
        let (id, call) = pending.remove(0);
        let result = svc.answer(&call);
        let fx = a.update(Msg::Done { id, result });
        take(fx, &mut pending);
    }
    for code in [KeyCode::Esc, KeyCode::Esc, KeyCode::Esc] {
        // Close windows and go up to the meshes (a typed filter or prompt is cleared too).
        let fx = a.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        take(fx, &mut pending);
    }
    if a.overlay.is_some() || a.in_flight.is_some() {
        return Ok(()); // a window asking a question; nothing more to compare
    }
    let fx = a.explorer.refresh_meshes();
    let fx: Vec<Effect> = fx
        .into_iter()
        .filter_map(|act| match act {
            appmesh_tui::explore::Act::Effect(e) => Some(e),
            _ => None,
        })
        .collect();
    take(fx, &mut pending);
    while !pending.is_empty() {
        let (id, call) = pending.remove(0);
        let result = svc.answer(&call);
        let fx = a.update(Msg::Done { id, result });
        take(fx, &mut pending);
    }
    let listed: BTreeSet<String> = a
        .explorer
        .meshes
        .items
        .iter()
        .map(|s| s.key.name.to_string())
        .collect();
    let held: BTreeSet<String> = svc.state.data().mesh_names().into_iter().collect();
    prop_assert_eq!(listed, held);
    invariants(&a)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn navigation_survives_late_and_out_of_order_answers(steps in proptest::collection::vec(step(), 1..80)) {
        run(steps)?;
    }
}

/// A fixed run that opens a mesh, moves around while pages arrive out of order, and checks
/// that the lists inside end up complete.
#[test]
fn a_mesh_opened_with_pages_out_of_order_lists_everything() {
    let mut svc = service();
    let mut a = connected_app(120, 40, "/tmp/s.json");
    let mut pending: Vec<(u64, Call)> = Vec::new();
    let fx = a.update(Msg::Key(KeyEvent::new(KeyCode::F(3), KeyModifiers::NONE)));
    push_calls(fx, &mut pending);
    // Answer the meshes' pages, then open payments.
    while let Some((id, call)) = pending.pop() {
        let r = svc.answer(&call);
        let fx = a.update(Msg::Done { id, result: r });
        push_calls(fx, &mut pending);
    }
    for code in [KeyCode::Down, KeyCode::Enter] {
        let fx = a.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        push_calls(fx, &mut pending);
    }
    // Newest first, always: pages of every list arrive out of order with describes.
    while let Some((id, call)) = pending.pop() {
        let r = svc.answer(&call);
        let fx = a.update(Msg::Done { id, result: r });
        push_calls(fx, &mut pending);
    }
    let open = a.explorer.open.as_ref().expect("payments is open");
    assert_eq!(open.count(Kind::VirtualNode), (8, false));
    assert_eq!(open.count(Kind::Route), (1, false));
    assert!(open.complete(), "every resource described");
    // 14 resources inside, and the mesh itself (described when it was opened).
    assert_eq!(open.model.items.len(), 15);
}
