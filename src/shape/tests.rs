use serde_json::json;

use super::*;

fn problems(shape: &str, v: serde_json::Value) -> Vec<String> {
    validate(model(), shape, &v, "spec")
        .into_iter()
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn the_embedded_model_is_the_shared_reference() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/appmesh-2019-01-25.service-2.json");
    // CI and the developers have ../shared beside the checkout; a lone clone checks the copy.
    if let Ok(text) = std::fs::read_to_string(&shared) {
        assert_eq!(
            text,
            include_str!("../../assets/model/appmesh-2019-01-25.service-2.json"),
            "assets/model/ is out of date: copy {} over it",
            shared.display()
        );
    }
}

#[test]
fn the_model_parses_with_every_operation() {
    let m = model();
    assert_eq!(m.operations.len(), 38);
    let op = m.operation("CreateVirtualNode").unwrap();
    assert_eq!(op.method, "PUT");
    assert_eq!(op.uri, "/v20190125/meshes/{meshName}/virtualNodes");
    assert!(op.errors.iter().any(|e| e == "LimitExceededException"));
    assert_eq!(m.error_status("NotFoundException"), Some(404));
    assert_eq!(m.error_status("ResourceInUseException"), Some(409));
    let input = m.structure("CreateVirtualNodeInput").unwrap();
    assert_eq!(input.member("meshName").unwrap().location, Location::Uri);
    assert_eq!(input.member("meshOwner").unwrap().location, Location::Query);
    assert_eq!(input.member("spec").unwrap().location, Location::Body);
    assert!(input.member("clientToken").unwrap().idempotency_token);
    assert_eq!(
        m.enum_values("EgressFilterType"),
        ["ALLOW_ALL".to_string(), "DROP_ALL".to_string()]
    );
    // 20 unions in the model.
    let unions = m
        .shapes
        .values()
        .filter(|s| matches!(s, Shape::Structure(st) if st.union))
        .count();
    assert_eq!(unions, 20);
}

#[test]
fn a_valid_node_spec_has_no_problems() {
    let spec = json!({
        "listeners": [{"portMapping": {"port": 8080, "protocol": "http"},
                       "healthCheck": {"healthyThreshold": 2, "intervalMillis": 5000,
                                       "protocol": "http", "path": "/ping",
                                       "timeoutMillis": 2000, "unhealthyThreshold": 2}}],
        "serviceDiscovery": {"dns": {"hostname": "web.local"}},
        "backends": [{"virtualService": {"virtualServiceName": "db.local"}}],
        "logging": {"accessLog": {"file": {"path": "/dev/stdout"}}}
    });
    assert_eq!(problems("VirtualNodeSpec", spec), Vec::<String>::new());
}

#[test]
fn each_rule_names_the_path_and_the_rule() {
    let spec = json!({
        "listeners": [{"portMapping": {"port": 70000, "protocol": "udp"}}],
        "serviceDiscovery": {"dns": {"hostname": "a"}, "awsCloudMap": {"namespaceName": "n", "serviceName": "s"}},
        "backends": [{}],
        "unknownMember": 1
    });
    let p = problems("VirtualNodeSpec", spec);
    assert!(
        p.contains(
            &"spec.listeners[0].portMapping.port: must be between 1 and 65535 (got 70000)"
                .to_string()
        ),
        "{p:#?}"
    );
    assert!(
        p.contains(&"spec.listeners[0].portMapping.protocol: must be one of http, tcp, http2, grpc (got \"udp\")".to_string()),
        "{p:#?}"
    );
    assert!(
        p.contains(&"spec.serviceDiscovery: must set exactly one of awsCloudMap, dns; awsCloudMap and dns are set".to_string()),
        "{p:#?}"
    );
    assert!(
        p.contains(
            &"spec.backends[0]: must set exactly one of virtualService; none is set".to_string()
        ),
        "{p:#?}"
    );
    assert_eq!(p.len(), 4, "{p:#?}");
}

#[test]
fn required_types_lengths_lists_and_patterns() {
    let p = problems(
        "RouteSpec",
        json!({"httpRoute": {"match": {"prefix": ""}, "action": {"weightedTargets": []}}}),
    );
    assert!(
        p.contains(
            &"spec.httpRoute.action.weightedTargets: must have at least 1 item (has 0)".to_string()
        ),
        "{p:#?}"
    );
    let p = problems("RouteSpec", json!({}));
    assert_eq!(
        p,
        ["spec: must set exactly one of grpcRoute, http2Route, httpRoute, tcpRoute; none is set"]
    );
    let p = problems(
        "RouteSpec",
        json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "n"}]}}}),
    );
    assert_eq!(
        p,
        ["spec.tcpRoute.action.weightedTargets[0].weight: is required"]
    );
    let p = problems(
        "RouteSpec",
        json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "n", "weight": "10"}]}}}),
    );
    assert_eq!(
        p,
        ["spec.tcpRoute.action.weightedTargets[0].weight: must be a number, not a string"]
    );
    let p = problems(
        "RouteSpec",
        json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "n", "weight": 1.5}]}}}),
    );
    assert_eq!(
        p,
        ["spec.tcpRoute.action.weightedTargets[0].weight: must be a whole number"]
    );
    let p = problems(
        "AwsCloudMapInstanceAttribute",
        json!({"key": "has space", "value": "v"}),
    );
    assert_eq!(
        p,
        ["spec.key: must match the pattern ^[a-zA-Z0-9!-~]+$ (got \"has space\")"]
    );
    let long = "x".repeat(256);
    let p = validate(model(), "ResourceName", &json!(long), "virtualNodeName");
    assert_eq!(
        p[0].to_string(),
        "virtualNodeName: must be at most 255 characters (has 256)"
    );
    let p = problems("VirtualNodeSpec", json!([]));
    assert_eq!(p, ["spec: must be an object, not a list"]);
}

#[test]
fn prune_keeps_known_members_only() {
    let v = json!({"egressFilter": {"type": "ALLOW_ALL", "extra": 1}, "nope": true, "serviceDiscovery": null});
    assert_eq!(
        prune(model(), "MeshSpec", &v),
        json!({"egressFilter": {"type": "ALLOW_ALL"}})
    );
}

#[test]
fn messages_count_what_they_do_not_name() {
    let many: Vec<Problem> = (0..12)
        .map(|i| Problem::new(format!("p{i}"), "bad"))
        .collect();
    let m = problems_message(&many);
    assert!(m.starts_with("12 problems: p0: bad; p1: bad"), "{m}");
    assert!(m.ends_with("; and 2 more"), "{m}");
    assert_eq!(problems_message(&many[..1]), "p0: bad");
}
