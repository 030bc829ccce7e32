use proptest::prelude::*;
use serde_json::json;

use super::tables::{RowDef, W, rows};
use super::*;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn type_in(f: &mut KindForm, s: &str) {
    for c in s.chars() {
        f.handle_key(key(KeyCode::Char(c)));
    }
}

/// A mesh with two nodes, a router with a route, a service, a gateway.
pub(crate) fn mesh() -> MeshModel {
    let mut m = MeshModel::new("shop");
    let put = |m: &mut MeshModel, kind, parent: &str, name: &str, spec: Value| {
        m.items
            .insert(Key::new(kind, "shop", parent, name), Item::new(spec));
    };
    put(&mut m, Kind::VirtualNode, "", "blue", json!({}));
    put(&mut m, Kind::VirtualNode, "", "green", json!({}));
    put(&mut m, Kind::VirtualRouter, "", "web-router", json!({}));
    put(
        &mut m,
        Kind::VirtualService,
        "",
        "web.shop.local",
        json!({}),
    );
    put(&mut m, Kind::VirtualGateway, "", "edge", json!({}));
    m
}

/// A spec of each kind that sets what the form shows and more that it does not.
pub(crate) fn rich_spec(kind: Kind) -> Value {
    match kind {
        Kind::VirtualNode => json!({
            "listeners": [{
                "portMapping": {"port": 8080, "protocol": "http"},
                "healthCheck": {"healthyThreshold": 2, "intervalMillis": 5000, "protocol": "http",
                                "path": "/ping", "timeoutMillis": 2000, "unhealthyThreshold": 3},
                "timeout": {"http": {"perRequest": {"unit": "s", "value": 30}}},
                "connectionPool": {"http": {"maxConnections": 100, "maxPendingRequests": 10}},
                "outlierDetection": {"baseEjectionDuration": {"unit": "s", "value": 10},
                                     "interval": {"unit": "s", "value": 5},
                                     "maxEjectionPercent": 50, "maxServerErrors": 5},
                "tls": {"mode": "PERMISSIVE", "certificate": {"file": {"certificateChain": "/c", "privateKey": "/k"}}}
            }],
            "serviceDiscovery": {"dns": {"hostname": "blue.shop.local", "responseType": "ENDPOINTS"}},
            "backends": [{"virtualService": {"virtualServiceName": "db.shop.local",
                          "clientPolicy": {"tls": {"enforce": true, "validation": {"trust": {"file": {"certificateChain": "/ca"}}}}}}}],
            "backendDefaults": {"clientPolicy": {"tls": {"ports": [443], "validation": {"trust": {"acm": {"certificateAuthorityArns": ["arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x"]}}}}}},
            "logging": {"accessLog": {"file": {"path": "/dev/stdout", "format": {"text": "%START_TIME%"}}}}
        }),
        Kind::VirtualService => {
            json!({"provider": {"virtualRouter": {"virtualRouterName": "web-router"}}})
        }
        Kind::VirtualRouter => {
            json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http"}},
                                                    {"portMapping": {"port": 9090, "protocol": "grpc"}}]})
        }
        Kind::Route => json!({
            "priority": 10,
            "httpRoute": {
                "match": {"prefix": "/api", "method": "GET",
                          "headers": [{"name": "x-canary", "match": {"exact": "1"}, "invert": false}],
                          "queryParameters": [{"name": "v", "match": {"exact": "2"}}],
                          "port": 80},
                "action": {"weightedTargets": [{"virtualNode": "blue", "weight": 90, "port": 8080},
                                               {"virtualNode": "green", "weight": 10}]},
                "retryPolicy": {"maxRetries": 3, "perRetryTimeout": {"unit": "ms", "value": 250},
                                "httpRetryEvents": ["server-error", "gateway-error"],
                                "tcpRetryEvents": ["connection-error"]},
                "timeout": {"idle": {"unit": "s", "value": 60}}
            }
        }),
        Kind::VirtualGateway => json!({
            "listeners": [{"portMapping": {"port": 443, "protocol": "http"},
                           "healthCheck": {"healthyThreshold": 2, "intervalMillis": 10000, "protocol": "http",
                                           "path": "/health", "timeoutMillis": 5000, "unhealthyThreshold": 2},
                           "connectionPool": {"http": {"maxConnections": 50}}}],
            "backendDefaults": {"clientPolicy": {"tls": {"enforce": false, "validation": {"trust": {"file": {"certificateChain": "/ca.pem"}}}}}},
            "logging": {"accessLog": {"file": {"path": "/dev/stdout"}}}
        }),
        Kind::GatewayRoute => json!({
            "priority": 5,
            "httpRoute": {
                "match": {"prefix": "/shop/", "hostname": {"suffix": ".example.com"},
                          "headers": [{"name": "x-tenant", "match": {"prefix": "a"}}],
                          "queryParameters": [{"name": "q", "match": {"exact": "1"}}]},
                "action": {"target": {"virtualService": {"virtualServiceName": "web.shop.local"}, "port": 80},
                           "rewrite": {"prefix": {"defaultPrefix": "DISABLED"},
                                       "hostname": {"defaultTargetHostname": "ENABLED"}}}
            }
        }),
        Kind::Mesh => json!({}),
    }
}

fn parent_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Route => "web-router",
        Kind::GatewayRoute => "edge",
        _ => "",
    }
}

pub(crate) fn edit_form(kind: Kind, spec: Value) -> KindForm {
    let m = mesh();
    let k = Key::new(kind, "shop", parent_of(kind), "thing");
    let mut item = Item::new(spec);
    item.tags.insert("team".into(), "web".into());
    KindForm::new(kind, &m, Some((&k, &item)), &Rules::default())
}

fn submitted(out: FormOutcome) -> (Key, Value, Vec<Tag>, String) {
    match out {
        FormOutcome::Submit {
            key,
            spec,
            tags,
            client_token,
        } => (key, spec, tags, client_token),
        other => panic!("not submitted: {other:?}"),
    }
}

fn problems_text(f: &KindForm) -> Vec<String> {
    f.check
        .problems
        .iter()
        .map(|(s, p)| format!("{}: {p}", s.map(|s| f.stop_label(s)).unwrap_or_default()))
        .collect()
}

#[test]
fn every_path_is_in_the_model() {
    for kind in Kind::IN_MESH {
        let f = KindForm::new(kind, &mesh(), None, &Rules::default());
        let info = kind.info();
        let mut seen: Vec<&str> = Vec::new();
        for (r, row) in rows(kind).iter().enumerate() {
            let (defs, ctx): (Vec<&FieldDef>, Ctx) = match row {
                RowDef::Field(d) => (vec![d], None),
                RowDef::Group(g) => {
                    // The group's list exists in some branch.
                    let list_ok = f
                        .expand(g.path, None)
                        .iter()
                        .any(|s| f.shape_at(s).is_some());
                    assert!(list_ok, "{kind}: group {} at {}", g.id, g.path);
                    (g.fields.iter().collect(), Some((r, 0)))
                }
            };
            let mut item_seen: Vec<&str> = Vec::new();
            for d in defs {
                // Every `$id` is a field that comes earlier.
                for seg in d.path.split('.').filter_map(|s| s.strip_prefix('$')) {
                    assert!(
                        seen.contains(&seg) || item_seen.contains(&seg),
                        "{kind}: {} uses ${seg} before it is set",
                        d.id
                    );
                }
                if let Some((id, _)) = d.when {
                    assert!(
                        seen.contains(&id) || item_seen.contains(&id),
                        "{kind}: {}",
                        d.id
                    );
                }
                // Some branch of the path is in the model (a group item: under the list).
                let prefix: Vec<Vec<String>> = match ctx {
                    None => vec![Vec::new()],
                    Some((r, _)) => match &rows(kind)[r] {
                        RowDef::Group(g) => f
                            .expand(g.path, None)
                            .into_iter()
                            .map(|mut s| {
                                s.push("[]".into());
                                s
                            })
                            .collect(),
                        _ => unreachable!(),
                    },
                };
                let found = prefix.iter().any(|p| {
                    // Item-level `$id`s expand with the item's fields: use a form with one item.
                    f.expand(d.path, ctx).iter().any(|s| {
                        let mut full = p.clone();
                        full.extend(s.iter().cloned());
                        f.shape_at(&full).is_some()
                    })
                });
                assert!(
                    found,
                    "{kind}: field {} at {} is not in the model",
                    d.id, d.path
                );
                if matches!(d.w, W::Enum { .. }) {
                    let values = prefix.iter().flat_map(|p| {
                        f.expand(d.path, ctx).into_iter().map(move |s| {
                            let mut full = p.clone();
                            full.extend(s);
                            full
                        })
                    });
                    assert!(
                        values.into_iter().any(|s| !f.enum_values(&s).is_empty()),
                        "{kind}: {} is no enum in the model",
                        d.id
                    );
                }
                if ctx.is_some() {
                    item_seen.push(d.id);
                } else {
                    seen.push(d.id);
                }
            }
        }
        // The name and parent fields are the input's members.
        assert!(matches!(rows(kind)[0], RowDef::Field(d) if d.path == info.name_member));
        if let Some(p) = info.parent {
            assert!(
                matches!(rows(kind)[1], RowDef::Field(d) if d.path == p.info().name_member && d.w == W::Ref(p))
            );
        }
    }
    assert!(rows(Kind::Mesh).is_empty());
}

#[test]
fn enums_come_from_the_model() {
    let f = KindForm::new(Kind::VirtualNode, &mesh(), None, &Rules::default());
    let (r, d) = f
        .rows()
        .iter()
        .enumerate()
        .find_map(|(r, row)| match row {
            RowDef::Group(g) if g.id == "listeners" => Some((r, &g.fields[1])),
            _ => None,
        })
        .unwrap();
    let labels: Vec<String> = f
        .options(d, Some((r, 0)))
        .into_iter()
        .map(|o| o.0)
        .collect();
    assert_eq!(labels, ["http", "tcp", "http2", "grpc"]);
    let route = KindForm::new(Kind::Route, &mesh(), None, &Rules::default());
    let method = route
        .rows()
        .iter()
        .find_map(|row| match row {
            RowDef::Field(d) if d.id == "method" => Some(d),
            _ => None,
        })
        .unwrap();
    let opts = route.options(method, None);
    assert_eq!(opts[0].1, "not set");
    assert_eq!(opts.len(), 10, "not set + 9 HTTP methods: {opts:?}");
    // The HTTP retry events are named only in the model's documentation.
    let mut segs: Vec<String> = "spec.httpRoute.retryPolicy.httpRetryEvents"
        .split('.')
        .map(str::to_string)
        .collect();
    assert_eq!(
        route.multi_values(&segs),
        [
            "server-error",
            "gateway-error",
            "client-error",
            "stream-error"
        ]
    );
    segs[1] = "grpcRoute".into();
    segs[3] = "grpcRetryEvents".into();
    assert_eq!(route.multi_values(&segs).len(), 5);
}

#[test]
fn each_kind_creates_a_valid_spec_from_its_defaults_and_a_name() {
    for kind in Kind::IN_MESH {
        let mut f =
            KindForm::new(kind, &mesh(), None, &Rules::default()).with_parent(parent_of(kind));
        assert_eq!(f.focus, Stop::Field(0), "{kind}: the name first");
        // Nothing typed: the name is required, and says so on submit.
        assert_eq!(f.handle_key(ctrl('s')), FormOutcome::Stay);
        assert_eq!(f.focus, Stop::Field(0));
        assert!(f.visible_problem(Stop::Field(0)).is_some(), "{kind}");
        assert!(
            f.notice.as_deref().unwrap().starts_with("Not sent"),
            "{kind}"
        );
        type_in(&mut f, "web.thing");
        let (key, spec, tags, token) = submitted(f.handle_key(ctrl('s')));
        assert_eq!(
            key,
            Key::new(kind, "shop", parent_of(kind), "web.thing"),
            "{kind}"
        );
        assert!(tags.is_empty());
        assert!(crate::model::client_token_is_valid(&token));
        let problems = shape::validate(shape::model(), kind.info().spec_shape, &spec, "");
        assert!(problems.is_empty(), "{kind}: {spec} {problems:?}");
    }
}

#[test]
fn defaults_make_the_usual_specs() {
    let spec = |kind| {
        let mut f =
            KindForm::new(kind, &mesh(), None, &Rules::default()).with_parent(parent_of(kind));
        type_in(&mut f, "x");
        submitted(f.submit()).1
    };
    assert_eq!(
        spec(Kind::VirtualNode),
        json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]})
    );
    assert_eq!(spec(Kind::VirtualService), json!({}));
    assert_eq!(
        spec(Kind::Route),
        json!({"httpRoute": {"match": {"prefix": "/"},
               "action": {"weightedTargets": [{"virtualNode": "blue", "weight": 1}]}}})
    );
    assert_eq!(
        spec(Kind::GatewayRoute),
        json!({"httpRoute": {"match": {"prefix": "/"},
               "action": {"target": {"virtualService": {"virtualServiceName": "web.shop.local"}}}}})
    );
}

#[test]
fn an_unchanged_edit_sends_the_spec_it_started_from() {
    for kind in Kind::IN_MESH {
        let original = rich_spec(kind);
        let p = shape::validate(shape::model(), kind.info().spec_shape, &original, "");
        assert!(p.is_empty(), "{kind}: the fixture is valid: {p:?}");
        let mut f = edit_form(kind, original.clone());
        assert!(f.is_edit());
        let (key, spec, tags, _) = submitted(f.submit());
        assert_eq!(spec, original, "{kind}");
        assert_eq!(key.name, "thing");
        assert!(tags.is_empty(), "UpdateX carries no tags");
    }
}

/// Every spec of the shared fixtures (every member, union branch and enum value of each kind)
/// comes back unchanged from an edit that changes nothing.
#[test]
fn every_fixture_survives_an_unchanged_edit() {
    let text = include_str!("../../tests/fixtures/specs/all-kinds.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    let mut seen = 0;
    let mut failures = Vec::new();
    for r in doc["resources"].as_array().unwrap() {
        let kind = match r["kind"].as_str().unwrap() {
            "VirtualNode" => Kind::VirtualNode,
            "VirtualService" => Kind::VirtualService,
            "VirtualRouter" => Kind::VirtualRouter,
            "Route" => Kind::Route,
            "VirtualGateway" => Kind::VirtualGateway,
            "GatewayRoute" => Kind::GatewayRoute,
            _ => continue,
        };
        seen += 1;
        let original = r["spec"].clone();
        let mut f = edit_form(kind, original.clone());
        match f.submit() {
            FormOutcome::Submit { spec, .. } if spec == original => {}
            FormOutcome::Submit { spec, .. } => failures.push(format!(
                "{kind} {}: sent\n{spec}\ninstead of\n{original}",
                r["name"]
            )),
            _ => failures.push(format!(
                "{kind} {}: refused: {:?}",
                r["name"],
                problems_text(&f)
            )),
        }
    }
    assert!(seen > 40, "{seen}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn edit_keeps_what_the_form_does_not_show() {
    let original = rich_spec(Kind::VirtualNode);
    let mut f = edit_form(Kind::VirtualNode, original.clone());
    // Listener 1's port: the 3rd stop (Name, Listeners, listener 1, Port).
    let port = f
        .stops()
        .into_iter()
        .find(|s| matches!(s, Stop::ItemField(_, 0, 0)))
        .unwrap();
    f.focus = port;
    f.handle_key(key(KeyCode::Backspace));
    f.handle_key(key(KeyCode::Backspace));
    type_in(&mut f, "90");
    let (_, spec, _, _) = submitted(f.submit());
    let mut expected = original.clone();
    expected["listeners"][0]["portMapping"]["port"] = json!(8090);
    assert_eq!(spec, expected);

    // Switching service discovery to none drops only that union.
    let mut f = edit_form(Kind::VirtualNode, original.clone());
    let sd = f
        .stops()
        .into_iter()
        .find(|s| matches!(s, Stop::Field(r) if f.stop_label(*s) == "Service discovery" && *r > 0))
        .unwrap();
    f.focus = sd;
    f.handle_key(key(KeyCode::Home));
    let (_, spec, _, _) = submitted(f.submit());
    let mut expected = original.clone();
    expected.as_object_mut().unwrap().remove("serviceDiscovery");
    assert_eq!(spec, expected);
}

#[test]
fn hidden_fields_keep_what_the_resource_holds() {
    // A TCP health check with a path: the form hides the path (HTTP only) and keeps it.
    let original = json!({"listeners": [{"portMapping": {"port": 7000, "protocol": "tcp"},
        "healthCheck": {"healthyThreshold": 2, "intervalMillis": 5000, "protocol": "tcp",
                        "path": "/x", "timeoutMillis": 2000, "unhealthyThreshold": 2},
        "timeout": {"tcp": {"idle": {"unit": "s", "value": 30}}}}]});
    let mut f = edit_form(Kind::VirtualNode, original.clone());
    assert!(
        !f.stops()
            .iter()
            .any(|s| f.stop_label(*s).ends_with("› path"))
    );
    assert_eq!(submitted(f.submit()).1, original);
    // The listener changes to HTTP: the TCP idle timeout moves with the protocol.
    f.focus = Stop::ItemField(1, 0, 1);
    f.handle_key(key(KeyCode::Home));
    let spec = submitted(f.submit()).1;
    assert_eq!(
        spec["listeners"][0]["timeout"],
        json!({"http": {"idle": {"unit": "s", "value": 30}}})
    );
}

#[test]
fn route_protocol_switch_keeps_targets_and_drops_the_http_match() {
    let mut f = edit_form(Kind::Route, rich_spec(Kind::Route));
    f.focus = Stop::Field(3);
    assert_eq!(f.stop_label(f.focus), "Protocol");
    f.handle_key(key(KeyCode::Right));
    f.handle_key(key(KeyCode::Right));
    // gRPC: a service name is shown, the path match is not.
    let labels: Vec<String> = f.stops().into_iter().map(|s| f.stop_label(s)).collect();
    assert!(labels.contains(&"gRPC service".to_string()), "{labels:?}");
    assert!(!labels.contains(&"path".to_string()));
    let out = f.submit();
    assert!(
        matches!(out, FormOutcome::Submit { .. }),
        "{:?} {}",
        problems_text(&f),
        f.check.doc
    );
    let (_, spec, _, _) = submitted(out);
    assert_eq!(spec["priority"], 10);
    assert!(spec.get("httpRoute").is_none());
    assert_eq!(
        spec["grpcRoute"]["action"]["weightedTargets"],
        json!([{"virtualNode": "blue", "weight": 90, "port": 8080}, {"virtualNode": "green", "weight": 10}])
    );
    // The HTTP-only retry settings shown go; the gRPC policy keeps max retries and timeout.
    assert_eq!(spec["grpcRoute"]["retryPolicy"]["maxRetries"], 3);
}

#[test]
fn problems_are_named_at_the_field_that_holds_the_path() {
    let mut f = KindForm::new(Kind::VirtualRouter, &mesh(), None, &Rules::default());
    type_in(&mut f, "r");
    f.focus = Stop::ItemField(1, 0, 0);
    type_in(&mut f, "0000");
    assert_eq!(
        f.visible_problem(Stop::ItemField(1, 0, 0)),
        Some("must be between 1 and 65535 (got 80800000)")
    );
    assert_eq!(f.submit(), FormOutcome::Stay);
    assert_eq!(
        f.focus,
        Stop::ItemField(1, 0, 0),
        "the focus goes to the problem"
    );
    assert!(
        f.notice
            .as_deref()
            .unwrap()
            .contains("Listeners › listener 1 › Port"),
        "{:?}",
        f.notice
    );
    // Not a number: said so, and the text stays.
    type_in(&mut f, "x");
    assert_eq!(
        f.visible_problem(Stop::ItemField(1, 0, 0)),
        Some("must be a whole number (got \"80800000x\")")
    );
    match &f.slots[1] {
        Slot::Group(items) => match &items[0].vals[0] {
            Val::Text(i) => assert_eq!(i.value(), "80800000x"),
            v => panic!("{v:?}"),
        },
        _ => panic!(),
    }
    // A route without targets: the group says it needs one.
    let mut f =
        KindForm::new(Kind::Route, &mesh(), None, &Rules::default()).with_parent("web-router");
    type_in(&mut f, "r");
    let targets = f
        .stops()
        .into_iter()
        .find(|s| matches!(s, Stop::Item(..)) && f.stop_label(*s).starts_with("Weighted targets"))
        .unwrap();
    f.focus = targets;
    f.handle_key(key(KeyCode::Char('d')));
    assert!(matches!(f.focus, Stop::Group(_)));
    assert_eq!(f.submit(), FormOutcome::Stay);
    assert_eq!(
        problems_text(&f),
        ["Weighted targets: must have at least 1 item (has 0)"]
    );
}

#[test]
fn references_offer_the_mesh_and_flag_a_typed_missing_name() {
    let mut f = KindForm::new(Kind::VirtualService, &mesh(), None, &Rules::default());
    type_in(&mut f, "web.shop.local");
    f.handle_key(key(KeyCode::Tab));
    f.handle_key(key(KeyCode::Right)); // provider: virtual node
    f.handle_key(key(KeyCode::Tab));
    assert_eq!(f.stop_label(f.focus), "virtual node");
    let (_, spec, _, _) = submitted(f.submit());
    assert_eq!(
        spec,
        json!({"provider": {"virtualNode": {"virtualNodeName": "blue"}}})
    );
    f.handle_key(key(KeyCode::Right));
    f.handle_key(key(KeyCode::Right));
    type_in(&mut f, "red");
    let w = f.check.warning_at(f.focus).unwrap();
    assert!(w.contains("no virtual node \"red\""), "{w}");
    let (_, spec, _, _) = submitted(f.submit());
    assert_eq!(
        spec,
        json!({"provider": {"virtualNode": {"virtualNodeName": "red"}}})
    );
    // Backends may name a service that does not exist yet: said, differently.
    let mut f = edit_form(Kind::VirtualNode, rich_spec(Kind::VirtualNode));
    let _ = f.submit();
    let w = &f.check.warnings[0].1;
    assert!(w.contains("can be created later"), "{w}");
}

#[test]
fn a_retry_of_an_unchanged_form_reuses_the_client_token() {
    let mut f = KindForm::new(Kind::VirtualRouter, &mesh(), None, &Rules::default());
    type_in(&mut f, "r");
    let a = submitted(f.submit()).3;
    f.show_answer(Answer::Err("ServiceUnavailableException: try again".into()));
    let b = submitted(f.submit()).3;
    assert_eq!(a, b);
    assert_eq!(
        f.answer,
        Some(Answer::Err("ServiceUnavailableException: try again".into())),
        "the answer stays until the next change"
    );
    type_in(&mut f, "2");
    assert_eq!(f.answer, None);
    let c = submitted(f.submit()).3;
    assert_ne!(a, c);
}

#[test]
fn team_rules_require_tags_on_create() {
    let rules = Rules {
        required_tag_keys: vec!["team".into()],
        allowed_tag_values: [("env".to_string(), vec!["dev".to_string()])].into(),
        ..Rules::default()
    };
    let mut f = KindForm::new(Kind::VirtualRouter, &mesh(), None, &rules);
    type_in(&mut f, "r");
    assert_eq!(f.submit(), FormOutcome::Stay);
    let p = problems_text(&f);
    assert!(
        p.iter().any(|p| p.contains("tag `team` needs a value")),
        "{p:?}"
    );
    let value = f
        .stops()
        .into_iter()
        .find(|s| f.stop_label(*s) == "Tags › tag 1 › Value")
        .unwrap();
    f.focus = value;
    type_in(&mut f, "web");
    let (_, _, tags, _) = submitted(f.submit());
    assert_eq!(tags, [Tag::new("team", "web")]);
    // The rules do not apply to an edit's tags (they are not sent).
    let mut f = edit_form(Kind::VirtualRouter, rich_spec(Kind::VirtualRouter));
    f.rules = rules;
    assert!(matches!(f.submit(), FormOutcome::Submit { .. }));
}

#[test]
fn team_rules_limit_listener_protocols() {
    let rules = Rules {
        allowed_listener_protocols: Some(vec!["http".into(), "grpc".into()]),
        ..Rules::default()
    };
    let mut f = KindForm::new(Kind::VirtualGateway, &mesh(), None, &rules);
    type_in(&mut f, "gw");
    assert!(
        matches!(f.submit(), FormOutcome::Submit { .. }),
        "http is allowed"
    );
    let protocol = Stop::ItemField(1, 0, 1);
    f.focus = protocol;
    f.handle_key(key(KeyCode::Right)); // http2
    assert_eq!(f.submit(), FormOutcome::Stay);
    assert_eq!(f.focus, protocol);
    assert_eq!(
        f.visible_problem(protocol),
        Some(
            "listener protocol `http2` is not allowed by the template's rules; choose `http`, `grpc`"
        )
    );
    // An edit keeps a protocol the resource already had, but cannot change to another one.
    let mut f = edit_form(Kind::VirtualRouter, rich_spec(Kind::VirtualRouter));
    f.rules = Rules {
        allowed_listener_protocols: Some(vec!["grpc".into()]),
        ..Rules::default()
    };
    assert!(
        matches!(f.submit(), FormOutcome::Submit { .. }),
        "{:?}",
        problems_text(&f)
    );
    f.focus = Stop::ItemField(1, 1, 1);
    f.handle_key(key(KeyCode::Left));
    assert_eq!(f.submit(), FormOutcome::Stay);
}

#[test]
fn names_may_not_hold_characters_that_hide_what_they_are() {
    let mut f = KindForm::new(Kind::VirtualRouter, &mesh(), None, &Rules::default());
    type_in(&mut f, "ab\u{202e}c");
    assert_eq!(
        f.visible_problem(Stop::Field(0)),
        Some("character 3 is U+202E (right-to-left override), which this field may not hold")
    );
    assert_eq!(f.submit(), FormOutcome::Stay);
}

#[test]
fn fixed_fields_do_not_change_on_edit() {
    let mut f = edit_form(Kind::Route, rich_spec(Kind::Route));
    f.focus = Stop::Field(0);
    type_in(&mut f, "zzz");
    f.focus = Stop::Field(1);
    f.handle_key(key(KeyCode::Right));
    let (key, _, _, _) = submitted(f.submit());
    assert_eq!(key, Key::new(Kind::Route, "shop", "web-router", "thing"));
    assert!(f.notice.is_none());
}

/// Tabs to the stop labelled `label`.
fn focus_on(f: &mut KindForm, label: &str) {
    for _ in 0..60 {
        if f.stop_label(f.focus) == label {
            return;
        }
        f.handle_key(key(KeyCode::Tab));
    }
    panic!("no stop {label:?}; at {:?}", f.stop_label(f.focus));
}

#[test]
fn an_added_target_or_backend_starts_on_one_no_other_item_names() {
    // A route 90/10 between the two nodes, as a person builds it: the second target starts on
    // green, not on blue again (two targets on one node: rarely meant).
    let mut f = KindForm::new(Kind::Route, &mesh(), None, &Rules::default());
    type_in(&mut f, "canary");
    focus_on(&mut f, "Weighted targets");
    f.handle_key(key(KeyCode::Char('a')));
    let (_, spec, _, _) = submitted(f.submit());
    assert_eq!(
        spec["httpRoute"]["action"]["weightedTargets"],
        json!([{"virtualNode": "blue", "weight": 1}, {"virtualNode": "green", "weight": 1}])
    );
    // A third one: every node is named already, so the first again.
    focus_on(&mut f, "Weighted targets");
    f.handle_key(key(KeyCode::Char('a')));
    let (_, spec, _, _) = submitted(f.submit());
    let nodes: Vec<&Value> = spec["httpRoute"]["action"]["weightedTargets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["virtualNode"])
        .collect();
    assert_eq!(nodes, [&json!("blue"), &json!("green"), &json!("blue")]);

    // Two backends on one service are refused by the service: the second starts on the other.
    let mut m = mesh();
    m.items.insert(
        Key::new(Kind::VirtualService, "shop", "", "db.shop.local"),
        Item::new(json!({})),
    );
    let mut f = KindForm::new(Kind::VirtualNode, &m, None, &Rules::default());
    type_in(&mut f, "blue-v2");
    for _ in 0..2 {
        focus_on(&mut f, "Backends");
        f.handle_key(key(KeyCode::Char('a')));
    }
    let (_, spec, _, _) = submitted(f.submit());
    assert_eq!(
        spec["backends"],
        json!([{"virtualService": {"virtualServiceName": "db.shop.local"}},
               {"virtualService": {"virtualServiceName": "web.shop.local"}}])
    );
}

#[test]
fn weights_show_as_shares() {
    let f = edit_form(Kind::Route, rich_spec(Kind::Route));
    let shares: Vec<f64> = f
        .view()
        .into_iter()
        .filter_map(|r| match r.content {
            Content::Share(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(shares, [0.9, 0.1]);
}

#[test]
fn paste_cleans_and_clips() {
    let mut f = KindForm::new(Kind::VirtualNode, &mesh(), None, &Rules::default());
    let note = f.paste("a\nb").unwrap();
    assert!(note.contains("spaces"));
    let note = f.paste(&"x".repeat(2000)).unwrap();
    assert!(note.contains("clipped"));
    match &f.slots[0] {
        Slot::Field(Val::Text(i)) => assert_eq!(i.value().chars().count(), TEXT_MAX),
        _ => panic!(),
    }
    f.focus = Stop::Submit;
    assert_eq!(f.paste("x"), None);
}

fn any_key() -> impl Strategy<Value = KeyEvent> {
    let codes = prop_oneof![
        Just(KeyCode::Tab),
        Just(KeyCode::BackTab),
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::Left),
        Just(KeyCode::Right),
        Just(KeyCode::Enter),
        Just(KeyCode::Backspace),
        Just(KeyCode::Delete),
        Just(KeyCode::Home),
        Just(KeyCode::End),
        Just(KeyCode::PageUp),
        Just(KeyCode::PageDown),
        Just(KeyCode::Insert),
        prop::sample::select(vec![
            'a', 'd', ' ', 'x', '0', '5', '9', '-', '/', 'h', 'l', '\u{1b}', 'é'
        ])
        .prop_map(KeyCode::Char),
    ];
    (codes, prop::bool::weighted(0.05)).prop_map(|(c, ctrl)| {
        let m = if ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        // Ctrl-S is handled by the test itself.
        match c {
            KeyCode::Char('s') => KeyEvent::new(c, KeyModifiers::NONE),
            _ => KeyEvent::new(c, m),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any key sequence leaves a consistent form; a submit either sends a spec the model
    /// accepts or refuses naming a place.
    #[test]
    fn any_keys_never_panic_and_submits_are_valid(
        kind in prop::sample::select(Kind::IN_MESH.to_vec()),
        edit in any::<bool>(),
        keys in prop::collection::vec(any_key(), 0..120),
    ) {
        let mut f = if edit {
            edit_form(kind, rich_spec(kind))
        } else {
            KindForm::new(kind, &mesh(), None, &Rules::default()).with_parent(parent_of(kind))
        };
        for k in keys {
            let _ = f.handle_key(k);
            prop_assert!(f.stops().contains(&f.focus), "focus {:?} not shown", f.focus);
            // What a frame draws is never stale.
            prop_assert_eq!(format!("{:?}", f.drawn()), format!("{:?}", f.view()));
        }
        match f.submit() {
            FormOutcome::Submit { spec, .. } => {
                let p = shape::validate(shape::model(), kind.info().spec_shape, &spec, "");
                prop_assert!(p.is_empty(), "{kind}: {spec} {p:?}");
            }
            FormOutcome::Stay => {
                prop_assert!(!f.check.problems.is_empty());
                let notice = f.notice.clone().unwrap_or_default();
                prop_assert!(notice.starts_with("Not sent"), "{notice}");
            }
            FormOutcome::Cancel => prop_assert!(false, "submit never cancels"),
        }
    }
}

fn fixtures() -> Vec<(Kind, Value)> {
    let text = include_str!("../../tests/fixtures/specs/all-kinds.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            let kind = Kind::IN_MESH
                .into_iter()
                .find(|k| k.info().name == r["kind"].as_str().unwrap_or(""))?;
            Some((kind, r["spec"].clone()))
        })
        .collect()
}

/// Every place in `v` (objects' members and lists' items), as a list of steps.
fn places(v: &Value, at: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let mut p = at.clone();
                p.push(Value::String(k.clone()));
                out.push(p.clone());
                places(child, p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let mut p = at.clone();
                p.push(Value::from(i));
                out.push(p.clone());
                places(child, p, out);
            }
        }
        _ => {}
    }
}

fn replace_at(v: &mut Value, path: &[Value], new: Value) {
    let Some((first, rest)) = path.split_first() else {
        *v = new;
        return;
    };
    let child = match (v, first) {
        (Value::Object(m), Value::String(k)) => m.get_mut(k),
        (Value::Array(a), Value::Number(i)) => a.get_mut(i.as_u64().unwrap_or(0) as usize),
        _ => None,
    };
    if let Some(c) = child {
        replace_at(c, rest, new);
    }
}

fn junk() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(-1)),
        Just(json!(1e300)),
        Just(json!("")),
        Just(json!("\u{1b}[2J\u{202e}x")),
        Just(json!([])),
        Just(json!({})),
        Just(json!([{"weird": true}])),
        Just(json!(true)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Specs a service or another client might hold, damaged anywhere: the form opens, takes
    /// any keys, draws at any size, and a submit is valid or refused naming the place.
    #[test]
    fn damaged_specs_never_panic(
        pick in any::<prop::sample::Index>(),
        damage in prop::collection::vec((any::<prop::sample::Index>(), junk()), 0..4),
        keys in prop::collection::vec(any_key(), 0..60),
        size in (1u16..140, 1u16..50),
    ) {
        let all = fixtures();
        let (kind, mut spec) = all[pick.index(all.len())].clone();
        for (at, value) in damage {
            let mut ps = Vec::new();
            places(&spec, Vec::new(), &mut ps);
            if ps.is_empty() {
                spec = value;
            } else {
                let p = ps[at.index(ps.len())].clone();
                replace_at(&mut spec, &p, value);
            }
        }
        let mut f = edit_form(kind, spec);
        for k in keys {
            let _ = f.handle_key(k);
        }
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(size.0, size.1)).unwrap();
        t.draw(|fr| f.render(fr, fr.area(), &crate::ui::theme::Theme::default())).unwrap();
        match f.submit() {
            FormOutcome::Submit { spec, .. } => {
                let p = shape::validate(shape::model(), kind.info().spec_shape, &spec, "");
                prop_assert!(p.is_empty(), "{kind}: {spec} {p:?}");
            }
            FormOutcome::Stay => prop_assert!(!f.check.problems.is_empty()),
            FormOutcome::Cancel => prop_assert!(false),
        }
    }
}
