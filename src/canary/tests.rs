use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use super::*;
use crate::ui::theme::Theme;

fn key() -> Key {
    Key::new(Kind::Route, "shop", "web-router", "canary")
}

fn route(protocol: &str, weights: &[i64]) -> Value {
    let targets: Vec<Value> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| json!({"virtualNode": format!("web-v{}", i + 1), "weight": w}))
        .collect();
    let mut spec = json!({"priority": 5});
    spec[protocol] = json!({"action": {"weightedTargets": targets}});
    if protocol != "tcpRoute" {
        spec[protocol]["match"] = json!({"prefix": "/"});
    }
    if protocol == "grpcRoute" {
        spec[protocol]["match"] = json!({"serviceName": "pkg.Svc"});
    }
    spec
}

fn press(c: &mut Canary, code: KeyCode) -> Outcome {
    c.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl_s(c: &mut Canary) -> Outcome {
    c.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
}

fn draw(c: &Canary, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| c.render(f, f.area(), &Theme::default()))
        .unwrap();
    t.backend().to_string()
}

#[test]
fn routes_without_something_to_shift_say_why() {
    let none = Canary::new(&key(), &json!({"httpRoute": {"match": {"prefix": "/"}}})).unwrap_err();
    assert!(none.contains("no weighted targets"), "{none}");
    let one = Canary::new(&key(), &route("httpRoute", &[100])).unwrap_err();
    assert!(one.contains("one weighted target (web-v1)"), "{one}");
    let zero = Canary::new(&key(), &route("tcpRoute", &[0, 0])).unwrap_err();
    assert!(zero.contains("weight 0"), "{zero}");
}

#[test]
fn ninety_ten_to_fifty_fifty_to_zero_hundred_and_send() {
    let spec = route("httpRoute", &[90, 10]);
    let mut c = Canary::new(&key(), &spec).unwrap();
    assert_eq!(
        (c.min, c.max, c.total),
        (0, 100, 100),
        "range from the model"
    );
    for _ in 0..8 {
        press(&mut c, KeyCode::Char('-'));
    }
    assert_eq!(c.weights, vec![50, 50]);
    insta::assert_snapshot!("canary_50_50_80x24", draw(&c, 80, 24));
    let Outcome::Send(sent) = ctrl_s(&mut c) else {
        panic!("nothing sent")
    };
    let mut want = spec.clone();
    want["httpRoute"]["action"]["weightedTargets"][0]["weight"] = json!(50);
    want["httpRoute"]["action"]["weightedTargets"][1]["weight"] = json!(50);
    assert_eq!(sent, want, "only the weights changed");
    // The second target, typed: 100.
    press(&mut c, KeyCode::Down);
    for ch in "100".chars() {
        press(&mut c, KeyCode::Char(ch));
    }
    press(&mut c, KeyCode::Enter);
    assert_eq!(c.weights, vec![0, 100]);
    let Outcome::Send(sent) = ctrl_s(&mut c) else {
        panic!("nothing sent")
    };
    assert_eq!(
        sent["httpRoute"]["action"]["weightedTargets"][0]["weight"],
        0
    );
    assert_eq!(
        sent["httpRoute"]["action"]["weightedTargets"][1]["weight"],
        100
    );
    assert_eq!(sent["priority"], 5);
    assert_eq!(sent["httpRoute"]["match"], json!({"prefix": "/"}));
}

#[test]
fn every_route_protocol_works_and_ports_are_kept() {
    for protocol in ["httpRoute", "http2Route", "grpcRoute", "tcpRoute"] {
        let mut spec = route(protocol, &[70, 20, 10]);
        spec[protocol]["action"]["weightedTargets"][1]["port"] = json!(8080);
        let mut c = Canary::new(&key(), &spec).unwrap();
        assert_eq!(c.protocol, protocol);
        assert_eq!(c.targets[1].port, Some(8080));
        press(&mut c, KeyCode::Char('+'));
        assert_eq!(c.weights, vec![75, 17, 8], "{protocol}: 25 shared 2:1");
        let Outcome::Send(sent) = ctrl_s(&mut c) else {
            panic!()
        };
        assert_eq!(sent[protocol]["action"]["weightedTargets"][1]["port"], 8080);
        assert_eq!(sent[protocol]["action"]["weightedTargets"][2]["weight"], 8);
        let model = crate::shape::model();
        assert_eq!(
            crate::shape::validate(model, "RouteSpec", &sent, ""),
            vec![],
            "{protocol}"
        );
    }
}

#[test]
fn moving_away_and_back_restores_the_weights() {
    let mut c = Canary::new(&key(), &route("httpRoute", &[80, 15, 5])).unwrap();
    c.selected = 2;
    for _ in 0..6 {
        press(&mut c, KeyCode::Char('+'));
    }
    assert_eq!(c.weights[2], 35);
    assert_eq!(c.weights.iter().sum::<i64>(), 100);
    for _ in 0..6 {
        press(&mut c, KeyCode::Char('-'));
    }
    assert_eq!(c.weights, vec![80, 15, 5]);
    assert_eq!(
        ctrl_s(&mut c),
        Outcome::Stay,
        "nothing changed: nothing sent"
    );
    assert!(c.message.as_deref().unwrap().contains("nothing to send"));
}

#[test]
fn the_others_at_zero_share_equally_and_clamps_are_explained() {
    let mut c = Canary::new(&key(), &route("httpRoute", &[100, 0, 0])).unwrap();
    for ch in "40".chars() {
        press(&mut c, KeyCode::Char(ch));
    }
    press(&mut c, KeyCode::Enter);
    assert_eq!(c.weights, vec![40, 30, 30]);
    for ch in "250".chars() {
        press(&mut c, KeyCode::Char(ch));
    }
    press(&mut c, KeyCode::Enter);
    assert_eq!(c.weights, vec![100, 0, 0]);
    assert!(
        c.message.as_deref().unwrap().contains("can take 0 to 100"),
        "{:?}",
        c.message
    );
    // Esc drops typed digits first, then closes.
    press(&mut c, KeyCode::Char('7'));
    assert_eq!(press(&mut c, KeyCode::Esc), Outcome::Stay);
    assert!(c.typed.is_empty());
    assert_eq!(press(&mut c, KeyCode::Esc), Outcome::Cancel);
}

#[test]
fn a_total_under_100_is_kept() {
    // The model lets the total be anything up to 100; the canary keeps it.
    let mut c = Canary::new(&key(), &route("tcpRoute", &[3, 1])).unwrap();
    press(&mut c, KeyCode::Char('+'));
    assert_eq!(c.weights, vec![4, 0], "clamped at the total");
    press(&mut c, KeyCode::Char('-'));
    assert_eq!(c.weights, vec![0, 4]);
}

#[test]
fn snapshot_120x40_with_typed_digits() {
    let mut spec = route("http2Route", &[60, 25, 10, 5]);
    spec["http2Route"]["action"]["weightedTargets"][3]["virtualNode"] =
        json!("web-v4-a-rather-long-canary-name-for-a-node");
    spec["http2Route"]["action"]["weightedTargets"][3]["port"] = json!(9090);
    let mut c = Canary::new(&key(), &spec).unwrap();
    press(&mut c, KeyCode::Down);
    press(&mut c, KeyCode::Down);
    press(&mut c, KeyCode::Down);
    press(&mut c, KeyCode::Char('+'));
    press(&mut c, KeyCode::Char('+'));
    press(&mut c, KeyCode::Char('3'));
    insta::assert_snapshot!("canary_typing_120x40", draw(&c, 120, 40));
}

fn weights_strategy() -> impl Strategy<Value = Vec<i64>> {
    proptest::collection::vec(0i64..=100, 2..=10)
        .prop_filter("some traffic", |w| w.iter().sum::<i64>() > 0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any keys: the total is kept and every weight stays in the model's range.
    #[test]
    fn total_and_range_hold_for_any_keys(
        weights in weights_strategy(),
        keys in proptest::collection::vec(0u8..8, 0..40),
    ) {
        let mut c = Canary::new(&key(), &route("httpRoute", &weights)).unwrap();
        for k in keys {
            let code = match k {
                0 | 1 => KeyCode::Char('+'),
                2 | 3 => KeyCode::Char('-'),
                4 => KeyCode::Down,
                5 => KeyCode::Char('7'),
                6 => KeyCode::Enter,
                _ => KeyCode::Up,
            };
            press(&mut c, code);
            prop_assert_eq!(c.weights.iter().sum::<i64>(), c.total);
            prop_assert!(c.weights.iter().all(|w| (c.min..=c.max).contains(w)), "{:?}", c.weights);
        }
        let sent = c.spec();
        let got: Vec<i64> = sent["httpRoute"]["action"]["weightedTargets"]
            .as_array().unwrap().iter().map(|t| t["weight"].as_i64().unwrap()).collect();
        prop_assert_eq!(&got, &c.weights);
        prop_assert_eq!(crate::shape::validate(crate::shape::model(), "RouteSpec", &sent, ""), vec![]);
    }

    /// Each step moves the selected target toward the requested share: `+` up to the next
    /// multiple of 5 unless at the top, `-` down unless at the bottom; a typed number lands
    /// exactly when possible. The others never move the same way as the selected one.
    #[test]
    fn each_step_moves_toward_the_request(
        weights in weights_strategy(),
        sel in 0usize..10,
        up in any::<bool>(),
        typed in proptest::option::of(0i64..=100),
    ) {
        let mut c = Canary::new(&key(), &route("httpRoute", &weights)).unwrap();
        c.selected = sel % weights.len();
        let s = c.selected;
        let (lo, hi) = c.bounds();
        let before = c.weights.clone();
        match typed {
            Some(t) => {
                for ch in t.to_string().chars() {
                    press(&mut c, KeyCode::Char(ch));
                }
                press(&mut c, KeyCode::Enter);
                prop_assert_eq!(c.weights[s], t.clamp(lo, hi));
            }
            None if up => {
                press(&mut c, KeyCode::Char('+'));
                let want = ((before[s] / STEP) + 1) * STEP;
                prop_assert_eq!(c.weights[s], want.min(hi));
                prop_assert!(c.weights[s] >= before[s]);
                prop_assert!(c.weights[s] > before[s] || before[s] == hi);
            }
            None => {
                press(&mut c, KeyCode::Char('-'));
                let want = ((before[s] + STEP - 1) / STEP - 1) * STEP;
                prop_assert_eq!(c.weights[s], want.max(lo));
                prop_assert!(c.weights[s] < before[s] || before[s] == lo);
            }
        }
        let delta = c.weights[s] - before[s];
        for (i, (a, b)) in c.weights.iter().zip(&before).enumerate() {
            if i != s {
                prop_assert!(delta == 0 || (a - b) * delta.signum() <= 0, "{:?} → {:?}", before, c.weights);
            }
        }
        prop_assert_eq!(c.weights.iter().sum::<i64>(), c.total);
    }

    /// The others share in proportion to their starting weights, to within one.
    #[test]
    fn the_others_keep_their_proportions(weights in weights_strategy(), sel in 0usize..10, new in 0i64..=100) {
        let s = sel % weights.len();
        let total: i64 = weights.iter().sum();
        let others = weights.len() as i64 - 1;
        let lo = (total - 100 * others).max(0);
        let hi = total.min(100);
        let new = new.clamp(lo, hi);
        let out = rebalance(&weights, s, new, 0, 100);
        prop_assert_eq!(out.iter().sum::<i64>(), total);
        prop_assert_eq!(out[s], new);
        let base: i64 = weights.iter().enumerate().filter(|(i, _)| *i != s).map(|(_, w)| w).sum();
        let rest = total - new;
        if base > 0 && out.iter().all(|w| *w < 100) {
            for (i, w) in weights.iter().enumerate().filter(|(i, _)| *i != s) {
                let exact = rest as f64 * *w as f64 / base as f64;
                prop_assert!((out[i] as f64 - exact).abs() < 1.0, "{} vs {}", out[i], exact);
            }
        }
        // Deterministic.
        prop_assert_eq!(rebalance(&weights, s, new, 0, 100), out);
    }
}
