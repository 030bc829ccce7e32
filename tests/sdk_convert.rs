//! The generated conversions between aws-sdk-appmesh's types and the wire-form JSON
//! (`src/aws/convert.rs`, written by `scripts/gen-sdk-convert`):
//!
//! - the checked-in files are what the generator writes from the model today;
//! - the spec fixtures (`tests/fixtures/specs/all-kinds.json`) are valid per the model, cover
//!   every member, union branch and enum value of each kind's spec, and go JSON → SDK → JSON
//!   unchanged;
//! - any value the model accepts converts and comes back as the model keeps it (`prune`), and
//!   nothing panics on values it does not accept (property tests over mutated fixtures);
//! - bad input is refused before anything is sent, naming the JSON path;
//! - what the SDK reads from a server that is newer than it (a union member or enum value it
//!   does not know) is shown, marked, instead of failing or panicking.

mod support;

use std::collections::{BTreeSet, HashSet};
use std::process::Command;

use appmesh_tui::aws::json::{UNKNOWN_MEMBER, from_json, to_json};
use appmesh_tui::aws::{self, ErrorKind, Settings};
use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::shape::{Shape, model, prune, validate};
use aws_sdk_appmesh::types as sdk;
use proptest::prelude::*;
use serde_json::{Value, json};
use support::fault::{Behaviour, FaultServer, Reply};
use support::fixtures::{self, Fixture};

#[test]
fn the_generated_conversions_are_up_to_date() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("python3")
        .arg("scripts/gen-sdk-convert")
        .arg("--check")
        .current_dir(root)
        .output()
        .expect("python3 runs (the generator is a Python 3 script)");
    assert!(
        out.status.success(),
        "src/aws/convert.rs or src/aws/operations.rs is not what scripts/gen-sdk-convert writes \
         from the model; run scripts/gen-sdk-convert and commit the result.\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// JSON → the kind's SDK spec type → JSON.
fn round_trip(kind: Kind, spec: &Value) -> Result<Value, String> {
    fn via<T: aws::json::FromJson + aws::json::ToJson>(v: &Value) -> Result<Value, String> {
        Ok(to_json(&from_json::<T>(v, "spec")?))
    }
    match kind {
        Kind::Mesh => via::<sdk::MeshSpec>(spec),
        Kind::VirtualService => via::<sdk::VirtualServiceSpec>(spec),
        Kind::VirtualNode => via::<sdk::VirtualNodeSpec>(spec),
        Kind::VirtualRouter => via::<sdk::VirtualRouterSpec>(spec),
        Kind::Route => via::<sdk::RouteSpec>(spec),
        Kind::VirtualGateway => via::<sdk::VirtualGatewaySpec>(spec),
        Kind::GatewayRoute => via::<sdk::GatewayRouteSpec>(spec),
    }
}

fn with_spec() -> Vec<(Fixture, Value)> {
    fixtures::all()
        .into_iter()
        .filter_map(|f| f.spec.clone().map(|s| (f, s)))
        .collect()
}

#[test]
fn every_fixture_fits_the_model_and_round_trips_through_the_sdk_types() {
    let all = with_spec();
    for kind in Kind::ALL {
        assert!(all.iter().any(|(f, _)| f.kind == kind), "no {kind} fixture");
    }
    for (f, spec) in &all {
        let shape = f.kind.info().spec_shape;
        let problems = validate(model(), shape, spec, "spec");
        assert!(problems.is_empty(), "{} {}: {problems:?}", f.kind, f.name);
        let back = round_trip(f.kind, spec)
            .unwrap_or_else(|e| panic!("{} {} does not convert: {e}", f.kind, f.name));
        assert_eq!(&back, spec, "{} {} changed on the way", f.kind, f.name);
    }
}

/// `Shape.member` for every member of every structure and union reachable from `shape`, and
/// `Shape=VALUE` for every value of every enum.
fn everything_in(shape: &str, out: &mut BTreeSet<String>, seen: &mut HashSet<String>) {
    if !seen.insert(shape.to_string()) {
        return;
    }
    match model().shape(shape) {
        Some(Shape::Structure(s)) => {
            for m in &s.members {
                out.insert(format!("{shape}.{}", m.name));
                everything_in(&m.shape, out, seen);
            }
        }
        Some(Shape::List { member, .. }) => everything_in(member, out, seen),
        Some(Shape::Map { value, .. }) => everything_in(value, out, seen),
        Some(Shape::String { values, .. }) => {
            for v in values {
                out.insert(format!("{shape}={v}"));
            }
        }
        _ => {}
    }
}

/// The same names for what `value` sets.
fn set_in(shape: &str, value: &Value, out: &mut BTreeSet<String>) {
    match (model().shape(shape), value) {
        (Some(Shape::Structure(s)), Value::Object(obj)) => {
            for m in &s.members {
                if let Some(v) = obj.get(&m.name).filter(|v| !v.is_null()) {
                    out.insert(format!("{shape}.{}", m.name));
                    set_in(&m.shape, v, out);
                }
            }
        }
        (Some(Shape::List { member, .. }), Value::Array(items)) => {
            for item in items {
                set_in(member, item, out);
            }
        }
        (Some(Shape::String { values, .. }), Value::String(s)) if !values.is_empty() => {
            out.insert(format!("{shape}={s}"));
        }
        _ => {}
    }
}

#[test]
fn the_fixtures_set_every_member_union_branch_and_enum_value_of_each_kind() {
    for kind in Kind::ALL {
        let shape = kind.info().spec_shape;
        let mut wanted = BTreeSet::new();
        everything_in(shape, &mut wanted, &mut HashSet::new());
        let mut set = BTreeSet::new();
        for (_, spec) in with_spec().iter().filter(|(f, _)| f.kind == kind) {
            set_in(shape, spec, &mut set);
        }
        let missing: Vec<&String> = wanted.difference(&set).collect();
        assert!(
            missing.is_empty(),
            "the {kind} fixtures never set {missing:?}"
        );
    }
}

#[test]
fn bad_specs_are_refused_with_the_json_path() {
    let node = |spec: Value| from_json::<sdk::VirtualNodeSpec>(&spec, "spec").unwrap_err();
    assert_eq!(
        node(json!({"listeners": [{"portMapping": {"port": "8080", "protocol": "http"}}]})),
        "spec.listeners[0].portMapping.port: must be a number, not a string"
    );
    assert_eq!(
        node(json!({"listeners": [{"portMapping": {"port": 8080}}]})),
        "spec.listeners[0].portMapping.protocol: is required"
    );
    assert_eq!(
        node(json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "udp"}}]})),
        "spec.listeners[0].portMapping.protocol: must be one of http, tcp, http2, grpc (got \"udp\")"
    );
    assert_eq!(
        node(json!({"serviceDiscovery": {"dns": {"hostname": "a"}, "awsCloudMap": {}}})),
        "spec.serviceDiscovery: must set exactly one of awsCloudMap, dns; awsCloudMap and dns are set"
    );
    assert_eq!(
        node(json!({"serviceDiscovery": {}})),
        "spec.serviceDiscovery: must set exactly one of awsCloudMap, dns; none is set"
    );
    assert_eq!(
        node(json!({"backends": {"virtualService": {}}})),
        "spec.backends: must be a list, not an object"
    );
    assert_eq!(
        node(json!({"listeners": [{"portMapping": {"port": 4294967296u64, "protocol": "http"}}]})),
        "spec.listeners[0].portMapping.port: must be between -2147483648 and 2147483647 (got 4294967296)"
    );
    assert_eq!(node(json!([])), "spec: must be an object, not a list");
    // The model check before sending says the same, and more than the first problem.
    let problems = validate(
        model(),
        "VirtualNodeSpec",
        &json!({"listeners": [{"portMapping": {"port": 0, "protocol": "udp"}, "connectionPool": {"tcp": {"maxConnections": 3000000000u64}}}]}),
        "spec",
    );
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "spec.listeners[0].connectionPool.tcp.maxConnections: must be between 1 and 2147483647 (got 3000000000)",
            "spec.listeners[0].portMapping.port: must be between 1 and 65535 (got 0)",
            "spec.listeners[0].portMapping.protocol: must be one of http, tcp, http2, grpc (got \"udp\")",
        ]
    );
}

/// Any JSON value, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0i64..70_000).prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "http",
            "http2",
            "grpc",
            "tcp",
            "ALLOW_ALL",
            "STRICT",
            "s",
            "ms",
            "GET",
            "x",
            "/",
            "ENABLED",
            "connection-error",
            "LOADBALANCER",
            "IPv6_ONLY",
        ])
        .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "http",
                    "tcp",
                    "grpc",
                    "http2",
                    "exact",
                    "prefix",
                    "file",
                    "sds",
                    "acm",
                    "dns",
                    "value",
                    "unit",
                    "port",
                    "protocol",
                    UNKNOWN_MEMBER,
                    "zz",
                ])
                .prop_map(String::from),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every place in `v`: JSON pointers to each value.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                pointers(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Replace(Value),
    Remove,
    Add(String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => any_json().prop_map(Mutation::Replace),
        2 => Just(Mutation::Remove),
        2 => (
            prop::sample::select(vec![
                "http", "tcp", "grpc", "http2", "exact", "prefix", "suffix", "regex", "range",
                "file", "sds", "acm", "dns", "awsCloudMap", "invert", "port", "priority",
                UNKNOWN_MEMBER, "unknownMember",
            ]),
            any_json()
        )
            .prop_map(|(k, v)| Mutation::Add(k.to_string(), v)),
    ]
}

fn mutate(spec: &Value, pick: usize, m: &Mutation) -> Value {
    let mut v = spec.clone();
    let mut all = Vec::new();
    pointers(&v, String::new(), &mut all);
    let at = &all[pick % all.len()];
    match m {
        Mutation::Replace(x) => {
            if at.is_empty() {
                v = x.clone();
            } else if let Some(slot) = v.pointer_mut(at) {
                *slot = x.clone();
            }
        }
        Mutation::Remove => {
            if let Some((parent, last)) = at.rsplit_once('/') {
                let last = last.replace("~1", "/").replace("~0", "~");
                match v.pointer_mut(parent) {
                    Some(Value::Object(o)) => {
                        o.remove(&last);
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(i) = last.parse::<usize>() {
                            a.remove(i);
                        }
                    }
                    _ => {}
                }
            }
        }
        Mutation::Add(k, x) => {
            if let Some(Value::Object(o)) = v.pointer_mut(at) {
                o.insert(k.clone(), x.clone());
            }
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever a fixture is changed into: no panic; and when the model accepts it, it converts
    /// and comes back exactly as the model keeps it (unknown members and nulls dropped).
    #[test]
    fn changed_fixtures_convert_as_the_model_says(
        which in any::<prop::sample::Index>(),
        pick in any::<usize>(),
        changes in prop::collection::vec(mutation(), 1..3),
    ) {
        let all = with_spec();
        let (f, spec) = &all[which.index(all.len())];
        let mut v = spec.clone();
        for (i, m) in changes.iter().enumerate() {
            v = mutate(&v, pick.wrapping_add(i * 7919), m);
        }
        let shape = f.kind.info().spec_shape;
        let problems = validate(model(), shape, &v, "spec");
        let converted = round_trip(f.kind, &v);
        if problems.is_empty() {
            prop_assert_eq!(converted, Ok(prune(model(), shape, &v)));
        }
    }

    /// Any JSON at all as any kind's spec: a result, never a panic.
    #[test]
    fn any_json_converts_or_is_refused(v in any_json()) {
        for kind in Kind::ALL {
            let problems = validate(model(), kind.info().spec_shape, &v, "spec");
            let converted = round_trip(kind, &v);
            if problems.is_empty() {
                prop_assert_eq!(converted, Ok(prune(model(), kind.info().spec_shape, &v)));
            }
        }
    }
}

#[test]
fn output_shapes_come_out_in_the_wire_form() {
    use aws_sdk_appmesh::primitives::DateTime;
    let metadata = sdk::ResourceMetadata::builder()
        .arn("arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualRouter/r/route/x")
        .uid("u-1")
        .version(3)
        .created_at(DateTime::from_secs(1_700_000_000))
        .last_updated_at(DateTime::from_secs_and_nanos(1_700_000_001, 500_000_000))
        .mesh_owner("111122223333")
        .resource_owner("111122223333")
        .build()
        .unwrap();
    let spec: sdk::RouteSpec = from_json(
        &json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "n", "weight": 1}]}}}),
        "spec",
    )
    .unwrap();
    let route = sdk::RouteData::builder()
        .mesh_name("m")
        .virtual_router_name("r")
        .route_name("x")
        .spec(spec)
        .metadata(metadata)
        .status(
            sdk::RouteStatus::builder()
                .status(sdk::RouteStatusCode::Active)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let wire = to_json(&route);
    assert_eq!(
        wire,
        json!({
            "meshName": "m", "virtualRouterName": "r", "routeName": "x",
            "metadata": {"arn": "arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualRouter/r/route/x",
                         "uid": "u-1", "version": 3, "createdAt": 1700000000, "lastUpdatedAt": 1700000001.5,
                         "meshOwner": "111122223333", "resourceOwner": "111122223333"},
            "spec": {"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "n", "weight": 1}]}}},
            "status": {"status": "ACTIVE"}
        })
    );
    // Whole seconds are integers, as the service writes them.
    assert!(wire["metadata"]["createdAt"].is_i64());
    assert!(validate(model(), "RouteData", &wire, "").is_empty());
    let r = appmesh_tui::resource::Resource::from_wire(Kind::Route, &wire).unwrap();
    assert_eq!(r.key, Key::new(Kind::Route, "m", "r", "x"));
    assert_eq!(r.meta.version, 3);
}

async fn api_for(endpoint: &str) -> aws::Api {
    let settings = Settings {
        region: Some("us-east-1".into()),
        endpoint_url: Some(endpoint.to_string()),
        static_credentials: Some(aws::fixed_credentials("AKIDEXAMPLE", "secret")),
        ..Settings::default()
    };
    aws::connect(&settings).await.expect("connects").0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_newer_service_sends_is_shown_marked_not_dropped_or_fatal() {
    // A node whose discovery is a kind this SDK does not know, with an enum value it does not
    // know either.
    let body = json!({
        "meshName": "m", "virtualNodeName": "n",
        "metadata": {"arn": "arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualNode/n", "uid": "u",
                     "version": 1, "createdAt": 1700000000, "lastUpdatedAt": 1700000000,
                     "meshOwner": "111122223333", "resourceOwner": "111122223333"},
        "spec": {
            "serviceDiscovery": {"consul": {"datacenter": "dc1"}},
            "listeners": [{"portMapping": {"port": 8080, "protocol": "http3"}}]
        },
        "status": {"status": "ACTIVE"}
    });
    let server = FaultServer::start(Behaviour::Reply(Reply::ok(body.to_string())));
    let api = api_for(&server.endpoint()).await;
    let got = api
        .describe(&Key::new(Kind::VirtualNode, "m", "", "n"))
        .await
        .expect("a describe with unknown members still shows the node");
    let spec = &got.value.spec;
    assert!(
        spec["serviceDiscovery"][UNKNOWN_MEMBER]
            .as_str()
            .is_some_and(|s| s.contains("ServiceDiscovery")),
        "{spec}"
    );
    // An enum value the SDK does not know is the string the service sent.
    assert_eq!(spec["listeners"][0]["portMapping"]["protocol"], "http3");
    // Sent back, the model refuses both before anything leaves.
    let before = server.request_count();
    let e = api
        .update(&got.value.key, spec, "token-1")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(
        e.message.contains(
            "spec.serviceDiscovery: must set exactly one of awsCloudMap, dns; none is set"
        ),
        "{}",
        e.message
    );
    assert!(
        e.message
            .contains("spec.listeners[0].portMapping.protocol: must be one of"),
        "{}",
        e.message
    );
    assert_eq!(server.request_count(), before, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_not_sent_and_says_where() {
    let server = FaultServer::start(Behaviour::Healthy);
    let api = api_for(&server.endpoint()).await;
    let key = Key::new(Kind::VirtualRouter, "m", "", "r");
    let e = api
        .create(
            &key,
            &json!({"listeners": [{"portMapping": {"port": 70000, "protocol": "http"}}]}),
            &[],
            "t",
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(
        e.message,
        "spec.listeners[0].portMapping.port: must be between 1 and 65535 (got 70000)"
    );
    assert_eq!(e.title(), "Not sent");
    assert!(e.hint().contains("Nothing was sent"));
    let e = api
        .describe(&Key::new(Kind::VirtualNode, "m", "", ""))
        .await
        .unwrap_err();
    assert_eq!(e.message, "virtualNodeName: must not be empty");
    let e = api
        .call("DescribeEverything", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.message, "DescribeEverything is not an App Mesh operation");
    assert_eq!(server.request_count(), 0, "nothing was sent");
}
