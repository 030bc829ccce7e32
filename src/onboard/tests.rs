use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::testing::Service;
use crate::ui::theme::Theme;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn press(o: &mut Onboard, k: KeyEvent) -> Outcome {
    o.handle_key(k)
}

fn type_in(o: &mut Onboard, s: &str) {
    for c in s.chars() {
        press(o, key(KeyCode::Char(c)));
    }
}

/// Tabs through the current step's form until the focus is on the field labelled `label`.
fn focus(o: &mut Onboard, label: &str) {
    for _ in 0..60 {
        let f = o.form(o.step).expect("a form step");
        if f.stop_label(f.focus).trim() == label {
            return;
        }
        press(o, key(KeyCode::Tab));
    }
    panic!("no field {label:?} in {:?}", o.step);
}

fn draw(o: &Onboard, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| o.render(f, f.area(), &Theme::default()))
        .unwrap();
    t.backend().to_string()
}

/// The "shop" mesh with the realistic contents (a gateway among them) on a fresh service.
fn shop(realistic: bool) -> (Service, MeshModel) {
    let mut svc = Service::new();
    svc.add_mesh("shop", realistic);
    let m = svc.mesh_model("shop");
    (svc, m)
}

/// Fills the node step (name, hostname) and goes through every step to the review.
fn to_review(o: &mut Onboard) {
    press(o, key(KeyCode::Enter));
    assert_eq!(o.step, Step::Node);
    type_in(o, "orders-v1");
    focus(o, "DNS hostname");
    type_in(o, "orders.shop.svc.cluster.local");
    for want in [
        Step::Service,
        Step::Router,
        Step::Route,
        Step::GatewayRoute,
        Step::Review,
    ] {
        press(o, ctrl('n'));
        assert_eq!(o.step, want, "status: {:?}", o.status);
    }
}

/// Runs every request the walkthrough asks for against `svc`, as a host would.
/// `r` sent to `svc`, and what the walkthrough does with the answer.
fn send_to(o: &mut Onboard, svc: &mut Service, r: &Request) -> Outcome {
    let res = svc.create(&r.key, &r.spec, &r.tags, Some(&r.client_token));
    o.on_result(&r.key, res)
}

fn run(o: &mut Onboard, svc: &mut Service, mut out: Outcome) -> usize {
    let mut n = 0;
    while let Outcome::Send(reqs) = out {
        out = Outcome::Stay;
        for r in reqs {
            assert_eq!(r.problems(), Vec::<String>::new(), "{r:?}");
            n += 1;
            out = send_to(o, svc, &r);
        }
        assert!(n < 20, "sends forever");
    }
    n
}

#[test]
fn limits_come_from_the_model_and_the_quota_sheet() {
    assert_eq!(range("ResourceName"), "1-255");
    assert_eq!(range("PercentInt"), "0-100");
    assert_eq!(range("PortNumber"), "1-65535");
    let text = |s: Step| -> String { explanation(s).into_iter().map(|(_, t)| t).collect() };
    assert!(text(Step::Node).contains("1-255 characters"));
    assert!(text(Step::Node).contains("200 virtual nodes per mesh"));
    assert!(text(Step::Route).contains("Weights: 0-100"));
    assert!(text(Step::Route).contains("1-10 targets per route (10, not adjustable)"));
    assert!(text(Step::GatewayRoute).contains("10 gateway routes per gateway"));
    for s in Step::FORMS {
        let titles: Vec<&str> = explanation(s).iter().map(|(t, _)| *t).collect();
        for needed in ["In practice", "Limits", "Why it matters"] {
            assert!(titles.contains(&needed), "{s:?} lacks {needed}");
        }
    }
}

#[test]
fn suggestions_follow_the_node() {
    assert_eq!(base_name("orders-v12"), "orders");
    assert_eq!(base_name("orders"), "orders");
    assert_eq!(base_name("-v1"), "-v1");
    let (_, m) = shop(true);
    let mut o = Onboard::new(&m, &Rules::default());
    to_review(&mut o);
    let keys: Vec<String> = o
        .sends
        .iter()
        .map(|(r, _)| format!("{} {}/{}", r.key.kind, r.key.parent, r.key.name))
        .collect();
    assert_eq!(
        keys,
        [
            "virtual node /orders-v1",
            "virtual router /orders-router",
            "virtual service /orders.shop.local",
            "route orders-router/orders-route",
            "gateway route gateway/orders-gateway-route",
        ]
        .map(|s| s.replace("gateway/", &format!("{}/", o.gateway().unwrap()))),
        "sent in the order the service accepts"
    );
    let route = &o.sends[3].0.spec;
    assert_eq!(
        route.pointer("/httpRoute/action/weightedTargets/0/virtualNode"),
        Some(&json!("orders-v1"))
    );
    assert_eq!(o.review_warnings(), Vec::<Warning>::new());
}

#[test]
fn onboarding_on_the_sandbox_leaves_the_service_reachable() {
    let (mut svc, m) = shop(true);
    let mut o = Onboard::new(&m, &Rules::default());
    to_review(&mut o);
    let out = press(&mut o, key(KeyCode::Enter));
    assert_eq!(out, Outcome::Stay);
    assert_eq!(o.step, Step::Send);
    let out = press(&mut o, key(KeyCode::Enter));
    assert_eq!(run(&mut o, &mut svc, out), 5);
    assert_eq!(o.step, Step::Result);
    assert!(o.all_sent());
    let held = svc.mesh_model("shop");
    for (r, _) in &o.sends {
        assert!(svc.holds(&r.key), "{} not created", r.key.describe());
    }
    let service = o.service_key().unwrap();
    let bad: Vec<String> = held
        .findings()
        .iter()
        .filter(|f| o.sends.iter().any(|(r, _)| &r.key == f.key()))
        .map(Finding::describe)
        .collect();
    assert_eq!(bad, Vec::<String>::new());
    // The gateway route reaches the service, the service the router, the route the node.
    assert!(
        held.used_by(&service)
            .iter()
            .any(|l| l.from.kind == Kind::GatewayRoute)
    );
    // The result explains each resource; Enter opens the topology on the service.
    let screen = draw(&o, 120, 40);
    assert!(screen.contains("APPMESH_RESOURCE_ARN"), "{screen}");
    assert_eq!(
        press(&mut o, key(KeyCode::Enter)),
        Outcome::ShowTopology(service.clone())
    );
    let mut topo = crate::topology::view::Topology::new(&held);
    assert!(topo.select(&service));
    assert_eq!(topo.selected_key(), Some(&service));
    assert!(
        topo.status().contains("orders.shop.local"),
        "{}",
        topo.status()
    );
}

#[test]
fn without_a_gateway_the_gateway_route_is_explained_and_skipped() {
    let (mut svc, m) = shop(false);
    let mut o = Onboard::new(&m, &Rules::default());
    press(&mut o, key(KeyCode::Enter));
    type_in(&mut o, "pay");
    focus(&mut o, "DNS hostname");
    type_in(&mut o, "pay.local");
    for _ in 0..4 {
        press(&mut o, ctrl('n'));
    }
    assert_eq!(o.step, Step::GatewayRoute);
    assert!(!o.active(Step::GatewayRoute));
    let screen = draw(&o, 80, 24);
    assert!(screen.contains("has no virtual"), "{screen}");
    press(&mut o, key(KeyCode::Enter));
    assert_eq!(o.step, Step::Review);
    assert_eq!(o.sends.len(), 4);
    let out = o.send();
    assert_eq!(run(&mut o, &mut svc, out), 4);
    let held = svc.mesh_model("shop");
    assert_eq!(held.findings(), Vec::<Finding>::new());
}

#[test]
fn a_node_as_provider_skips_the_router_and_route() {
    let (mut svc, m) = shop(false);
    let mut o = Onboard::new(&m, &Rules::default());
    press(&mut o, key(KeyCode::Enter));
    type_in(&mut o, "pay");
    focus(&mut o, "DNS hostname");
    type_in(&mut o, "pay.local");
    press(&mut o, ctrl('n'));
    assert_eq!(o.step, Step::Service);
    focus(&mut o, "Provider");
    press(&mut o, key(KeyCode::Left)); // virtual router → virtual node
    let f = o.form(Step::Service).unwrap();
    assert_eq!(f.stop_label(f.focus), "Provider");
    focus(&mut o, "virtual node");
    type_in(&mut o, "pay");
    press(&mut o, ctrl('n'));
    assert_eq!(o.step, Step::GatewayRoute, "router and route skipped");
    press(&mut o, ctrl('p'));
    assert_eq!(o.step, Step::Service, "back skips them too");
    press(&mut o, ctrl('s'));
    assert_eq!(o.step, Step::Review);
    let kinds: Vec<Kind> = o.sends.iter().map(|(r, _)| r.key.kind).collect();
    assert_eq!(kinds, [Kind::VirtualNode, Kind::VirtualService]);
    let out = o.send();
    assert_eq!(run(&mut o, &mut svc, out), 2);
    assert_eq!(svc.mesh_model("shop").findings(), Vec::<Finding>::new());
}

#[test]
fn a_step_with_a_problem_stays_and_names_the_field() {
    let (_, m) = shop(false);
    let mut o = Onboard::new(&m, &Rules::default());
    press(&mut o, key(KeyCode::Enter));
    press(&mut o, ctrl('n'));
    assert_eq!(o.step, Step::Node);
    let s = o.status.clone().unwrap();
    assert!(s.contains("Name") && s.contains("problem"), "{s}");
    // Ctrl-S to the review checks every step and goes back to the first with a problem.
    type_in(&mut o, "x");
    press(&mut o, ctrl('s'));
    assert_eq!(o.step, Step::Node);
    assert!(
        o.status.clone().unwrap().contains("DNS hostname"),
        "{:?}",
        o.status
    );
    // Port 0 is refused with the field named.
    focus(&mut o, "DNS hostname");
    type_in(&mut o, "x.local");
    focus(&mut o, "Listeners › listener 1 › Port");
    press(&mut o, ctrl('u'));
    type_in(&mut o, "0");
    press(&mut o, ctrl('n'));
    let s = o.status.clone().unwrap();
    assert!(s.contains("Port") && s.contains("1 and 65535"), "{s}");
}

#[test]
fn a_name_the_mesh_holds_blocks_the_review() {
    let (mut svc, m) = shop(false);
    svc.add(
        Key::new(Kind::VirtualRouter, "shop", "", "orders-router"),
        json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]}),
    );
    let m2 = svc.mesh_model("shop");
    assert_ne!(m, m2);
    let mut o = Onboard::new(&m2, &Rules::default());
    press(&mut o, key(KeyCode::Enter));
    type_in(&mut o, "orders-v1");
    focus(&mut o, "DNS hostname");
    type_in(&mut o, "orders.local");
    press(&mut o, ctrl('s'));
    assert_eq!(o.step, Step::Review);
    let w = o.review_warnings();
    assert!(
        w[0].blocking && w[0].text.contains("already exists"),
        "{w:?}"
    );
    assert_eq!(o.send(), Outcome::Stay);
    assert!(
        o.status.clone().unwrap().starts_with("Not sent"),
        "{:?}",
        o.status
    );
}

#[test]
fn a_failed_send_stops_says_what_was_created_and_retries_with_the_same_tokens() {
    let (mut svc, m) = shop(false);
    let mut o = Onboard::new(&m, &Rules::default());
    to_review(&mut o);
    // Someone else takes the service's name between the review and the send.
    let service = o.service_key().unwrap();
    let out = o.send();
    let Outcome::Send(first) = out else {
        panic!("{out:?}")
    };
    let out = send_to(&mut o, &mut svc, &first[0]);
    let Outcome::Send(second) = out else {
        panic!("{out:?}")
    };
    let router_token = second[0].client_token.clone();
    let out = send_to(&mut o, &mut svc, &second[0]);
    let Outcome::Send(third) = out else {
        panic!("{out:?}")
    };
    assert_eq!(third[0].key, service);
    svc.add(service.clone(), json!({}));
    let res = svc.create(
        &third[0].key,
        &third[0].spec,
        &third[0].tags,
        Some(&third[0].client_token),
    );
    assert!(res.is_err());
    assert_eq!(o.on_result(&third[0].key, res), Outcome::Stay);
    let s = o.status.clone().unwrap();
    assert!(
        s.contains("Created: virtual node orders-v1, virtual router orders-router")
            && s.contains("not created: virtual service orders.shop.local, route orders-route"),
        "{s}"
    );
    assert!(draw(&o, 80, 24).contains("failed"));
    // Retry with the same values: the created ones are not sent again; the failing one keeps
    // its token.
    let token = third[0].client_token.clone();
    let out = press(&mut o, key(KeyCode::Enter));
    let Outcome::Send(again) = out else {
        panic!("{out:?}")
    };
    assert_eq!(again[0].key, service);
    assert_eq!(again[0].client_token, token);
    assert_ne!(token, router_token);
    o.on_result(&again[0].key, Err(ApiError::cancelled()));
    // Change the name: a new request, a new token.
    press(&mut o, ctrl('p'));
    press(&mut o, ctrl('p'));
    while o.step != Step::Service {
        press(&mut o, ctrl('p'));
    }
    focus(&mut o, "Name");
    type_in(&mut o, "x");
    press(&mut o, ctrl('s'));
    let out = o.send();
    let Outcome::Send(renamed) = out else {
        panic!("{out:?} {:?}", o.status)
    };
    assert_eq!(renamed[0].key.name, "orders.shop.localx");
    assert_ne!(renamed[0].client_token, token);
    assert_eq!(run(&mut o, &mut svc, Outcome::Send(renamed)), 2);
    assert!(o.all_sent());
}

#[test]
fn esc_closes_and_keeps_the_values() {
    let (_, m) = shop(false);
    let mut o = Onboard::new(&m, &Rules::default());
    press(&mut o, key(KeyCode::Enter));
    type_in(&mut o, "keep");
    assert_eq!(press(&mut o, key(KeyCode::Esc)), Outcome::Close);
    assert_eq!(o.step, Step::Node);
    assert_eq!(o.key(Step::Node).unwrap().name, "keep");
}

// ---- snapshots of every step ----

fn snapshots_of(w: u16, h: u16) -> Vec<(String, String)> {
    let (mut svc, m) = shop(true);
    let mut o = Onboard::new(&m, &Rules::default());
    let mut out = vec![("1_intro".to_string(), draw(&o, w, h))];
    press(&mut o, key(KeyCode::Enter));
    type_in(&mut o, "orders-v1");
    focus(&mut o, "DNS hostname");
    type_in(&mut o, "orders.shop.svc.cluster.local");
    out.push(("2_node".into(), draw(&o, w, h)));
    for name in [
        "3_service",
        "4_router",
        "5_route",
        "6_gateway_route",
        "7_review",
    ] {
        press(&mut o, ctrl('n'));
        out.push((name.into(), draw(&o, w, h)));
    }
    press(&mut o, key(KeyCode::Enter));
    out.push(("8_send".into(), draw(&o, w, h)));
    let first = press(&mut o, key(KeyCode::Enter));
    let Outcome::Send(reqs) = &first else {
        panic!("{first:?}")
    };
    // The router's name taken meanwhile: the send stops at it.
    let next = send_to(&mut o, &mut svc, &reqs[0]);
    let Outcome::Send(reqs) = &next else {
        panic!("{next:?}")
    };
    svc.add(reqs[0].key.clone(), json!({}));
    send_to(&mut o, &mut svc, &reqs[0]);
    out.push(("8_send_failed".into(), draw(&o, w, h)));
    let _ = svc;
    // A fresh service where everything goes through.
    let (mut svc, m) = shop(true);
    let mut o = Onboard::new(&m, &Rules::default());
    to_review(&mut o);
    let first = o.send();
    run(&mut o, &mut svc, first);
    out.push(("9_result".into(), draw(&o, w, h)));
    // Without a gateway: the skipped step.
    let (_, m) = shop(false);
    let mut o = Onboard::new(&m, &Rules::default());
    press(&mut o, key(KeyCode::Enter));
    type_in(&mut o, "pay");
    focus(&mut o, "DNS hostname");
    type_in(&mut o, "pay.local");
    for _ in 0..4 {
        press(&mut o, ctrl('n'));
    }
    out.push(("6_gateway_route_skipped".into(), draw(&o, w, h)));
    out
}

#[test]
fn snapshots_80x24() {
    for (name, screen) in snapshots_of(80, 24) {
        insta::assert_snapshot!(format!("onboard_{name}_80x24"), screen);
    }
}

#[test]
fn snapshots_120x40() {
    for (name, screen) in snapshots_of(120, 40) {
        insta::assert_snapshot!(format!("onboard_{name}_120x40"), screen);
    }
}

// ---- any keys ----

fn any_key() -> impl Strategy<Value = KeyEvent> {
    let codes = prop_oneof![
        Just(KeyCode::Enter),
        Just(KeyCode::Tab),
        Just(KeyCode::BackTab),
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::Left),
        Just(KeyCode::Right),
        Just(KeyCode::Backspace),
        Just(KeyCode::Delete),
        Just(KeyCode::PageUp),
        Just(KeyCode::PageDown),
        Just(KeyCode::Home),
        Just(KeyCode::End),
        Just(KeyCode::Esc),
        prop::char::range('a', 'z').prop_map(KeyCode::Char),
        prop::char::range('0', '9').prop_map(KeyCode::Char),
        Just(KeyCode::Char(' ')),
        Just(KeyCode::Char('/')),
        Just(KeyCode::Char('.')),
    ];
    let mods = prop_oneof![
        6 => Just(KeyModifiers::NONE),
        1 => Just(KeyModifiers::SHIFT),
        2 => Just(KeyModifiers::CONTROL),
    ];
    (codes, mods).prop_map(|(c, m)| KeyEvent::new(c, m))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Any keys: no panic, every request produced validates against the model, a refused
    /// step names what is wrong, and the screen draws at both sizes.
    #[test]
    fn any_keys_never_panic_and_every_request_validates(
        keys in prop::collection::vec(any_key(), 0..160),
        gateway in any::<bool>(),
        fail in any::<bool>(),
    ) {
        let (mut svc, m) = shop(gateway);
        let mut o = Onboard::new(&m, &Rules::default());
        for k in keys {
            let before = o.step;
            let mut out = o.handle_key(k);
            let mut sent = 0;
            while let Outcome::Send(reqs) = out {
                out = Outcome::Stay;
                for r in reqs {
                    prop_assert_eq!(r.problems(), Vec::<String>::new());
                    sent += 1;
                    prop_assert!(sent <= 5);
                    let res = if fail {
                        Err(ApiError::cancelled())
                    } else {
                        svc.create(&r.key, &r.spec, &r.tags, Some(&r.client_token))
                    };
                    out = o.on_result(&r.key, res);
                }
            }
            if k == ctrl('n') && o.step == before && before.kind().is_some() && o.active(before) {
                prop_assert!(o.status.is_some(), "a refused step says why");
            }
        }
        let _ = draw(&o, 80, 24);
        let _ = draw(&o, 120, 40);
    }
}
