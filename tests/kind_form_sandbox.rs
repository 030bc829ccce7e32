//! The onboarding shape built with the guided forms only (two nodes, a router, a route 90/10, a
//! service on the router, a gateway and a gateway route), each request sent to the sandbox's
//! own handler; then the canary shifted to 50/50 with an edit. What the sandbox holds
//! afterwards is exactly what the forms sent.

use appmesh_tui::kind::{Key, Kind, Verb};
use appmesh_tui::kind_form::{Answer, FormOutcome, KindForm, Stop};
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::model::Tag;
use appmesh_tui::sandbox::{Config, Harness, StateLocation};
use appmesh_tui::shape::{self, Location};
use appmesh_tui::template::Rules;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

fn press(f: &mut KindForm, code: KeyCode) -> FormOutcome {
    f.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(f: &mut KindForm, c: char) -> FormOutcome {
    f.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn type_in(f: &mut KindForm, s: &str) {
    for c in s.chars() {
        press(f, KeyCode::Char(c));
    }
}

/// Moves the focus to the place labelled `label` with Tab, as a user would.
fn tab_to(f: &mut KindForm, label: &str) {
    for _ in 0..200 {
        if f.stop_label(f.focus) == label {
            return;
        }
        press(f, KeyCode::Tab);
    }
    let labels: Vec<String> = f.stops().into_iter().map(|s| f.stop_label(s)).collect();
    panic!("no {label:?} in {labels:?}");
}

/// Clears the focused text and types `s`.
fn retype(f: &mut KindForm, s: &str) {
    ctrl(f, 'u');
    type_in(f, s);
}

struct Service {
    harness: Harness,
    rt: tokio::runtime::Runtime,
}

impl Service {
    fn new() -> Service {
        Service {
            harness: Harness::new(&Config::new("us-east-1", StateLocation::Ephemeral)),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// Calls `operation` with `input` the way the service's REST binding says (URI labels,
    /// body members).
    fn call(&self, operation: &str, input: &Value) -> (u16, Value) {
        let m = shape::model();
        let op = m.operation(operation).unwrap();
        let shape = m.structure(op.input.as_deref().unwrap()).unwrap();
        let mut uri = op.uri.clone();
        let mut body = serde_json::Map::new();
        for member in &shape.members {
            let Some(v) = input.get(&member.name) else {
                continue;
            };
            match member.location {
                Location::Uri => {
                    uri = uri.replace(
                        &format!("{{{}}}", member.location_name),
                        v.as_str().unwrap(),
                    )
                }
                Location::Body => {
                    body.insert(member.name.clone(), v.clone());
                }
                _ => {}
            }
        }
        let body = serde_json::to_vec(&body).unwrap();
        let resp = self
            .rt
            .block_on(self.harness.handle(&op.method, &uri, &body))
            .unwrap();
        (
            resp.status,
            serde_json::from_slice(&resp.body).unwrap_or(Value::Null),
        )
    }

    fn key_input(key: &Key) -> serde_json::Map<String, Value> {
        let mut input = serde_json::Map::new();
        input.insert("meshName".into(), json!(key.mesh));
        input.insert(key.kind.info().name_member.into(), json!(key.name));
        if let Some(p) = key.kind.info().parent {
            input.insert(p.info().name_member.into(), json!(key.parent));
        }
        input
    }

    /// Sends what a form submitted: CreateX or UpdateX. The answer goes back onto the form.
    fn send(&self, form: &mut KindForm, out: FormOutcome) -> (Key, u16, Value) {
        let FormOutcome::Submit {
            key,
            spec,
            tags,
            client_token,
        } = out
        else {
            panic!("not submitted: {:?} {:?}", form.notice, form.check.problems);
        };
        let mut input = Self::key_input(&key);
        input.insert("spec".into(), spec);
        input.insert("clientToken".into(), json!(client_token));
        let verb = if form.is_edit() {
            Verb::Update
        } else {
            if !tags.is_empty() {
                input.insert(
                    "tags".into(),
                    tags.iter()
                        .map(|t: &Tag| json!({"key": t.key, "value": t.value}))
                        .collect(),
                );
            }
            Verb::Create
        };
        let op = key.kind.operation(verb);
        let (status, body) = self.call(&op, &Value::Object(input));
        form.show_answer(if status == 200 {
            Answer::Ok(format!("{op} ✓"))
        } else {
            Answer::Err(format!("{op}: {body}"))
        });
        (key, status, body)
    }

    fn describe(&self, key: &Key) -> Value {
        let (status, body) = self.call(
            &key.kind.operation(Verb::Describe),
            &Value::Object(Self::key_input(key)),
        );
        assert_eq!(status, 200, "{body}");
        body["spec"].clone()
    }
}

#[test]
fn the_onboarding_shape_with_forms_only() {
    let svc = Service::new();
    let (status, body) = svc.call("CreateMesh", &json!({"meshName": "shop", "spec": {}}));
    assert_eq!(status, 200, "{body}");
    let mut mesh = MeshModel::new("shop");
    let rules = Rules::default();
    let mut sent: Vec<(Key, Value)> = Vec::new();
    let mut remember = |mesh: &mut MeshModel, key: Key, spec: Value| {
        mesh.items.insert(key.clone(), Item::new(spec.clone()));
        sent.push((key, spec));
    };

    // Two nodes with DNS discovery; blue calls the service it will be part of.
    for (name, host) in [("blue", "blue.shop.local"), ("green", "green.shop.local")] {
        let mut f = KindForm::new(Kind::VirtualNode, &mesh, None, &rules);
        type_in(&mut f, name);
        tab_to(&mut f, "Service discovery");
        press(&mut f, KeyCode::Right);
        tab_to(&mut f, "DNS hostname");
        type_in(&mut f, host);
        if name == "blue" {
            tab_to(&mut f, "Backends");
            press(&mut f, KeyCode::Char('a'));
            assert_eq!(
                f.stop_label(f.focus),
                "Backends › backend 1 › Virtual service"
            );
            type_in(&mut f, "web.shop.local");
            assert!(
                f.check
                    .warning_at(f.focus)
                    .unwrap()
                    .contains("can be created later"),
                "a backend may name a service that does not exist yet"
            );
        }
        let out = ctrl(&mut f, 's');
        let (key, status, body) = svc.send(&mut f, out);
        assert_eq!(status, 200, "{body}");
        assert_eq!(f.answer, Some(Answer::Ok("CreateVirtualNode ✓".into())));
        remember(&mut mesh, key, body["spec"].clone());
    }

    // A router on 8080.
    let mut f = KindForm::new(Kind::VirtualRouter, &mesh, None, &rules);
    type_in(&mut f, "web-router");
    let out = ctrl(&mut f, 's');
    let (key, status, body) = svc.send(&mut f, out);
    assert_eq!(status, 200, "{body}");
    remember(&mut mesh, key, body["spec"].clone());

    // A route 90/10 from the router's list (the router is given).
    let mut f = KindForm::new(Kind::Route, &mesh, None, &rules).with_parent("web-router");
    type_in(&mut f, "split");
    tab_to(&mut f, "Weighted targets › target 1 › Weight");
    retype(&mut f, "90");
    tab_to(&mut f, "Weighted targets");
    press(&mut f, KeyCode::Enter);
    assert_eq!(
        f.stop_label(f.focus),
        "Weighted targets › target 2 › Virtual node"
    );
    // It starts on green: blue is target 1's already.
    tab_to(&mut f, "Weighted targets › target 2 › Weight");
    retype(&mut f, "10");
    let out = ctrl(&mut f, 's');
    let (route_key, status, body) = svc.send(&mut f, out);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["spec"]["httpRoute"]["action"]["weightedTargets"],
        json!([{"virtualNode": "blue", "weight": 90}, {"virtualNode": "green", "weight": 10}])
    );
    remember(&mut mesh, route_key.clone(), body["spec"].clone());

    // The service on the router.
    let mut f = KindForm::new(Kind::VirtualService, &mesh, None, &rules);
    type_in(&mut f, "web.shop.local");
    tab_to(&mut f, "Provider");
    press(&mut f, KeyCode::End);
    tab_to(&mut f, "virtual router");
    let out = ctrl(&mut f, 's');
    let (key, status, body) = svc.send(&mut f, out);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["spec"],
        json!({"provider": {"virtualRouter": {"virtualRouterName": "web-router"}}})
    );
    remember(&mut mesh, key, body["spec"].clone());

    // A gateway and a gateway route to the service.
    let mut f = KindForm::new(Kind::VirtualGateway, &mesh, None, &rules);
    type_in(&mut f, "edge");
    let out = ctrl(&mut f, 's');
    let (key, status, body) = svc.send(&mut f, out);
    assert_eq!(status, 200, "{body}");
    remember(&mut mesh, key, body["spec"].clone());
    let mut f = KindForm::new(Kind::GatewayRoute, &mesh, None, &rules).with_parent("edge");
    type_in(&mut f, "to-web");
    let out = ctrl(&mut f, 's');
    let (key, status, body) = svc.send(&mut f, out);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["spec"]["httpRoute"]["action"]["target"]["virtualService"]["virtualServiceName"],
        "web.shop.local"
    );
    remember(&mut mesh, key, body["spec"].clone());

    // The canary to 50/50: edit the route, change both weights.
    let spec = mesh.get(&route_key).unwrap().clone();
    let mut f = KindForm::new(Kind::Route, &mesh, Some((&route_key, &spec)), &rules);
    tab_to(&mut f, "Weighted targets › target 1 › Weight");
    retype(&mut f, "50");
    tab_to(&mut f, "Weighted targets › target 2 › Weight");
    retype(&mut f, "50");
    let out = ctrl(&mut f, 's');
    let (_, status, body) = svc.send(&mut f, out);
    assert_eq!(status, 200, "{body}");
    let mut expected = spec.spec.value();
    expected["httpRoute"]["action"]["weightedTargets"][0]["weight"] = json!(50);
    expected["httpRoute"]["action"]["weightedTargets"][1]["weight"] = json!(50);
    assert_eq!(svc.describe(&route_key), expected);
    for (key, spec) in sent.iter().filter(|(k, _)| *k != route_key) {
        assert_eq!(&svc.describe(key), spec, "{}", key.describe());
    }
}

#[test]
fn a_refused_request_leaves_the_form_as_it_was_and_a_retry_reuses_its_token() {
    let svc = Service::new();
    svc.call("CreateMesh", &json!({"meshName": "shop", "spec": {}}));
    let (s, b) = svc.call(
        "CreateVirtualRouter",
        &json!({"meshName": "shop", "virtualRouterName": "r", "spec": {"listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]}}),
    );
    assert_eq!(s, 200, "{b}");
    let mesh = MeshModel::new("shop");
    // The route names a node the mesh does not hold: flagged, sent, refused.
    let mut f = KindForm::new(Kind::Route, &mesh, None, &Rules::default()).with_parent("r");
    type_in(&mut f, "canary");
    tab_to(&mut f, "Weighted targets › target 1 › Virtual node");
    type_in(&mut f, "ghost");
    assert!(f.check.warning_at(f.focus).unwrap().contains("refuses"));
    let focus = f.focus;
    let out = ctrl(&mut f, 's');
    let first_token = match &out {
        FormOutcome::Submit { client_token, .. } => client_token.clone(),
        o => panic!("{o:?}"),
    };
    let (_, status, body) = svc.send(&mut f, out);
    assert_eq!(status, 404, "{body}");
    assert!(
        matches!(&f.answer, Some(Answer::Err(e)) if e.contains("ghost")),
        "{:?}",
        f.answer
    );
    assert_eq!(f.focus, focus);
    let view = f.view();
    assert!(view.iter().any(|r| r.stop == Some(Stop::Field(0))));
    // Nothing typed is lost, and the unchanged form retries with the same token.
    match ctrl(&mut f, 's') {
        FormOutcome::Submit {
            key,
            spec,
            client_token,
            ..
        } => {
            assert_eq!(key.name, "canary");
            assert_eq!(
                spec["httpRoute"]["action"]["weightedTargets"][0]["virtualNode"],
                "ghost"
            );
            assert_eq!(client_token, first_token);
        }
        o => panic!("{o:?}"),
    }
}
