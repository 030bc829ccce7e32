use serde_json::json;

use super::*;

const NOW: i64 = 1_800_000_000_000;
const ACCOUNT: &str = "111122223333";
const R: &str = "eu-west-1";

fn state() -> State {
    State::new(Data::empty(), ACCOUNT, Quotas::aws_defaults())
}

fn loc(kind: Kind, mesh: &str, parent: &str, name: &str) -> Loc {
    Loc::new(R, Key::new(kind, mesh, parent, name))
}

fn input(l: Loc, spec: Value, token: Option<&str>) -> CreateInput {
    CreateInput {
        loc: l,
        spec,
        tags: BTreeMap::new(),
        client_token: token.map(Into::into),
    }
}

fn make(
    s: &mut State,
    kind: Kind,
    mesh: &str,
    parent: &str,
    name: &str,
    spec: Value,
) -> Arc<Record> {
    s.create(input(loc(kind, mesh, parent, name), spec, None), None, NOW)
        .unwrap_or_else(|e| panic!("create {kind} {name}: {e:?}"))
        .0
}

fn node(host: &str) -> Value {
    json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
           "serviceDiscovery": {"dns": {"hostname": host}}})
}

fn route_to(targets: &[(&str, i64)]) -> Value {
    let t: Vec<Value> = targets
        .iter()
        .map(|(n, w)| json!({"virtualNode": n, "weight": w}))
        .collect();
    json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"weightedTargets": t}}})
}

fn router() -> Value {
    json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]})
}

/// A mesh "m" with nodes a and b, router r with route x (a 90 / b 10), service s on r,
/// gateway g with gateway route gr to s.
fn onboarded() -> State {
    let mut s = state();
    make(&mut s, Kind::Mesh, "m", "", "m", json!({}));
    make(&mut s, Kind::VirtualNode, "m", "", "a", node("a.local"));
    make(&mut s, Kind::VirtualNode, "m", "", "b", node("b.local"));
    make(&mut s, Kind::VirtualRouter, "m", "", "r", router());
    make(
        &mut s,
        Kind::Route,
        "m",
        "r",
        "x",
        route_to(&[("a", 90), ("b", 10)]),
    );
    make(
        &mut s,
        Kind::VirtualService,
        "m",
        "",
        "s",
        json!({"provider": {"virtualRouter": {"virtualRouterName": "r"}}}),
    );
    make(&mut s, Kind::VirtualGateway, "m", "", "g", router());
    make(
        &mut s,
        Kind::GatewayRoute,
        "m",
        "g",
        "gr",
        json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"target": {"virtualService": {"virtualServiceName": "s"}}}}}),
    );
    s
}

fn code(r: Result<impl std::fmt::Debug, ApiError>) -> (&'static str, String) {
    let e = r.unwrap_err();
    (e.code, e.message)
}

#[test]
fn create_fills_metadata_and_echoes_the_spec() {
    let mut s = state();
    let (m, changed) = s
        .create(
            input(loc(Kind::Mesh, "m", "", "m"), json!({}), None),
            None,
            NOW,
        )
        .unwrap();
    assert!(changed);
    assert_eq!(m.version, 1);
    assert_eq!(
        s.arn(&m.loc),
        "arn:aws:appmesh:eu-west-1:111122223333:mesh/m"
    );
    assert_eq!((m.created_ms, m.updated_ms), (NOW, NOW));
    assert_eq!(m.spec.get(), "{}", "no defaults are injected");
    assert_eq!(uuid::Uuid::parse_str(&m.uid).unwrap().get_version_num(), 4);
    let n = make(&mut s, Kind::VirtualNode, "m", "", "n", node("n.local"));
    assert_eq!(
        s.arn(&n.loc),
        "arn:aws:appmesh:eu-west-1:111122223333:mesh/m/virtualNode/n"
    );
    assert_eq!(
        serde_json::from_str::<Value>(n.spec.get()).unwrap(),
        node("n.local")
    );
    assert_ne!(m.uid, n.uid);
}

#[test]
fn children_need_their_mesh_router_or_gateway() {
    let mut s = state();
    let (c, m) = code(s.create(
        input(loc(Kind::VirtualNode, "nope", "", "n"), node("h"), None),
        None,
        NOW,
    ));
    assert_eq!(c, "NotFoundException");
    assert_eq!(
        m,
        "Mesh with name \"nope\" is not present for account 111122223333 in eu-west-1"
    );
    make(&mut s, Kind::Mesh, "m", "", "m", json!({}));
    let (c, m) = code(s.create(
        input(loc(Kind::Route, "m", "r", "x"), route_to(&[("a", 1)]), None),
        None,
        NOW,
    ));
    assert_eq!(c, "NotFoundException");
    assert!(
        m.starts_with("VirtualRouter with name \"r\" is not present under mesh \"m\""),
        "{m}"
    );
    let (c, _) = code(s.list(&loc(Kind::GatewayRoute, "m", "g", ""), None, 10, None, 0));
    assert_eq!(c, "NotFoundException");
    let (c, m) = code(s.describe(&loc(Kind::VirtualNode, "m", "", "ghost"), None));
    assert_eq!(c, "NotFoundException");
    assert_eq!(
        m,
        "VirtualNode with name \"ghost\" is not present under mesh \"m\" for account 111122223333 in eu-west-1"
    );
}

#[test]
fn what_a_spec_names_must_exist_except_backends() {
    let mut s = state();
    make(&mut s, Kind::Mesh, "m", "", "m", json!({}));
    make(&mut s, Kind::VirtualRouter, "m", "", "r", router());
    let (c, m) = code(s.create(
        input(
            loc(Kind::Route, "m", "r", "x"),
            route_to(&[("ghost", 1)]),
            None,
        ),
        None,
        NOW,
    ));
    assert_eq!(c, "NotFoundException");
    assert!(
        m.contains("VirtualNode with name \"ghost\"")
            && m.contains("spec.httpRoute.action.weightedTargets[0].virtualNode"),
        "{m}"
    );
    let (c, _) = code(s.create(
        input(
            loc(Kind::VirtualService, "m", "", "s"),
            json!({"provider": {"virtualNode": {"virtualNodeName": "ghost"}}}),
            None,
        ),
        None,
        NOW,
    ));
    assert_eq!(c, "NotFoundException");
    make(&mut s, Kind::VirtualGateway, "m", "", "g", router());
    let (c, _) = code(s.create(input(loc(Kind::GatewayRoute, "m", "g", "gr"),
        json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"target": {"virtualService": {"virtualServiceName": "ghost"}}}}}), None), None, NOW));
    assert_eq!(c, "NotFoundException");
    // A backend may name a service that does not exist yet.
    let mut spec = node("n.local");
    spec["backends"] = json!([{"virtualService": {"virtualServiceName": "later.local"}}]);
    make(&mut s, Kind::VirtualNode, "m", "", "n", spec.clone());
    // The same service twice is refused.
    spec["backends"] = json!([{"virtualService": {"virtualServiceName": "x"}}, {"virtualService": {"virtualServiceName": "x"}}]);
    let (c, m) = code(s.create(
        input(loc(Kind::VirtualNode, "m", "", "n2"), spec, None),
        None,
        NOW,
    ));
    assert_eq!(c, "BadRequestException");
    assert!(
        m.contains("spec.backends[1]") && m.contains("spec.backends[0]"),
        "{m}"
    );
}

#[test]
fn deletes_that_would_leave_a_dangling_reference_are_refused() {
    let mut s = onboarded();
    let refused = |s: &mut State, l: Loc| {
        let e = s.delete(&l, None).unwrap_err();
        assert_eq!((e.status, e.code), (409, "ResourceInUseException"), "{l:?}");
        e.message
    };
    let m = refused(&mut s, loc(Kind::Mesh, "m", "", "m"));
    assert!(
        m.contains("virtual nodes: a, b") && m.contains("virtual gateways: g"),
        "{m}"
    );
    let m = refused(&mut s, loc(Kind::VirtualNode, "m", "", "a"));
    assert_eq!(
        m,
        "VirtualNode with name \"a\" cannot be deleted because it is the target of one or more routes (r/x)"
    );
    let m = refused(&mut s, loc(Kind::VirtualRouter, "m", "", "r"));
    assert!(m.contains("it has routes: x"), "{m}");
    let m = refused(&mut s, loc(Kind::VirtualService, "m", "", "s"));
    assert_eq!(
        m,
        "VirtualService with name \"s\" is being referenced in the following: GATEWAY_ROUTE: [g/gr]"
    );
    let m = refused(&mut s, loc(Kind::VirtualGateway, "m", "", "g"));
    assert!(m.contains("it has gateway routes: gr"), "{m}");
    // In the order the service needs, everything goes.
    let order = [
        loc(Kind::GatewayRoute, "m", "g", "gr"),
        loc(Kind::VirtualGateway, "m", "", "g"),
        loc(Kind::VirtualService, "m", "", "s"),
    ];
    for l in order {
        s.delete(&l, None).unwrap();
    }
    // The router no longer provides a service but still has its route.
    assert!(refused(&mut s, loc(Kind::VirtualRouter, "m", "", "r")).contains("has routes"));
    // Moving the route off b frees b, not a.
    s.update(
        &loc(Kind::Route, "m", "r", "x"),
        route_to(&[("a", 100)]),
        None,
        None,
        NOW,
    )
    .unwrap();
    let deleted = s
        .delete(&loc(Kind::VirtualNode, "m", "", "b"), None)
        .unwrap();
    assert_eq!(deleted.loc.key.name, "b");
    refused(&mut s, loc(Kind::VirtualNode, "m", "", "a"));
    for l in [
        loc(Kind::Route, "m", "r", "x"),
        loc(Kind::VirtualRouter, "m", "", "r"),
        loc(Kind::VirtualNode, "m", "", "a"),
        loc(Kind::Mesh, "m", "", "m"),
    ] {
        s.delete(&l, None).unwrap();
    }
    assert!(s.is_empty());
}

#[test]
fn a_node_named_as_provider_is_held() {
    let mut s = state();
    make(&mut s, Kind::Mesh, "m", "", "m", json!({}));
    make(&mut s, Kind::VirtualNode, "m", "", "n", node("n"));
    make(
        &mut s,
        Kind::VirtualService,
        "m",
        "",
        "s",
        json!({"provider": {"virtualNode": {"virtualNodeName": "n"}}}),
    );
    let (c, m) = code(s.delete(&loc(Kind::VirtualNode, "m", "", "n"), None));
    assert_eq!(c, "ResourceInUseException");
    assert_eq!(
        m,
        "VirtualNode with name \"n\" cannot be deleted because it is a VirtualService provider (s)"
    );
    // A service without a provider frees it; its spec echoes no provider at all.
    let (svc, _) = s
        .update(
            &loc(Kind::VirtualService, "m", "", "s"),
            json!({}),
            None,
            None,
            NOW,
        )
        .unwrap();
    assert_eq!(svc.spec.get(), "{}");
    assert_eq!(svc.version, 2);
    s.delete(&loc(Kind::VirtualNode, "m", "", "n"), None)
        .unwrap();
}

#[test]
fn names_conflict_in_their_scope_and_tokens_are_idempotent() {
    let mut s = state();
    make(&mut s, Kind::Mesh, "m", "", "m", json!({}));
    make(&mut s, Kind::Mesh, "m2", "", "m2", json!({}));
    let l = loc(Kind::VirtualNode, "m", "", "n");
    let (first, _) = s
        .create(input(l.clone(), node("h"), Some("t1")), None, NOW)
        .unwrap();
    let (again, changed) = s
        .create(input(l.clone(), node("h"), Some("t1")), None, NOW + 5)
        .unwrap();
    assert!(!changed);
    assert_eq!(again.uid, first.uid);
    let (c, m) = code(s.create(input(l.clone(), node("h"), Some("t2")), None, NOW));
    assert_eq!(c, "ConflictException");
    assert_eq!(
        m,
        "VirtualNode with name \"n\" already exists in mesh \"m\""
    );
    let (c, m) = code(s.create(input(l.clone(), node("other"), Some("t1")), None, NOW));
    assert_eq!(c, "ConflictException");
    assert!(m.contains("clientToken \"t1\""), "{m}");
    // The same name in another mesh is another resource.
    make(&mut s, Kind::VirtualNode, "m2", "", "n", node("h"));
    // The same token in another scope is another request.
    s.create(
        input(
            loc(Kind::VirtualNode, "m2", "", "n2"),
            node("h"),
            Some("t1"),
        ),
        None,
        NOW,
    )
    .unwrap();
    // Updates: a retry returns the same version; another spec with the token conflicts.
    let (u1, _) = s
        .update(&l, node("h2"), Some("u".into()), None, NOW + 10)
        .unwrap();
    let (u2, changed) = s
        .update(&l, node("h2"), Some("u".into()), None, NOW + 20)
        .unwrap();
    assert!(!changed);
    assert_eq!((u1.version, u2.version), (2, 2));
    assert_eq!(
        code(s.update(&l, node("h3"), Some("u".into()), None, NOW)).0,
        "ConflictException"
    );
    let (u3, _) = s.update(&l, node("h3"), None, None, NOW).unwrap();
    assert_eq!(u3.version, 3);
    assert!(u3.updated_ms > u1.updated_ms, "timestamps keep moving");
    assert_eq!(u3.created_ms, NOW);
    // After delete the token is forgotten.
    s.delete(&l, None).unwrap();
    let (n, changed) = s
        .create(input(l, node("h"), Some("t1")), None, NOW)
        .unwrap();
    assert!(changed);
    assert_ne!(n.uid, first.uid);
}

#[test]
fn quotas_count_per_scope_and_say_how_to_raise_them() {
    let mut s = state();
    for i in 0..15 {
        make(
            &mut s,
            Kind::Mesh,
            &format!("m{i:02}"),
            "",
            &format!("m{i:02}"),
            json!({}),
        );
    }
    let (c, m) = code(s.create(
        input(loc(Kind::Mesh, "x", "", "x"), json!({}), None),
        None,
        NOW,
    ));
    assert_eq!(c, "LimitExceededException");
    assert!(
        m.contains("15 meshes per account and region")
            && m.contains("--quota meshes=N")
            && m.contains("--no-quotas"),
        "{m}"
    );
    // Another region has its own.
    s.create(
        input(Loc::new("us-west-2", Key::mesh("x")), json!({}), None),
        None,
        NOW,
    )
    .unwrap();
    for i in 0..3 {
        make(
            &mut s,
            Kind::VirtualGateway,
            "m00",
            "",
            &format!("g{i}"),
            router(),
        );
    }
    let (c, m) = code(s.create(
        input(loc(Kind::VirtualGateway, "m00", "", "g3"), router(), None),
        None,
        NOW,
    ));
    assert_eq!(c, "LimitExceededException");
    assert!(
        m.contains("3 virtual gateways per mesh") && m.contains("mesh \"m00\" holds 3"),
        "{m}"
    );
    make(&mut s, Kind::VirtualGateway, "m01", "", "g3", router());
    // Freed by a delete.
    s.delete(&loc(Kind::VirtualGateway, "m00", "", "g0"), None)
        .unwrap();
    make(&mut s, Kind::VirtualGateway, "m00", "", "g3", router());
    // Backends.
    let mut q = Quotas::aws_defaults();
    q.set(Quota::Backends, Some(1));
    q.set(Quota::Tags, Some(2));
    let mut s = State::new(Data::empty(), ACCOUNT, q);
    make(&mut s, Kind::Mesh, "m", "", "m", json!({}));
    let mut spec = node("h");
    spec["backends"] = json!([{"virtualService": {"virtualServiceName": "a"}}, {"virtualService": {"virtualServiceName": "b"}}]);
    let (c, m) = code(s.create(
        input(loc(Kind::VirtualNode, "m", "", "n"), spec, None),
        None,
        NOW,
    ));
    assert_eq!(c, "LimitExceededException");
    assert!(m.contains("--quota backends=N"), "{m}");
    // Tags.
    let arn = s.arn(&loc(Kind::Mesh, "m", "", "m"));
    let tags = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>()
    };
    s.tag_resource(R, &arn, tags(&[("a", "1"), ("b", "2")]))
        .unwrap();
    let (c, m) = code(s.tag_resource(R, &arn, tags(&[("c", "3")])));
    assert_eq!(c, "TooManyTagsException");
    assert!(
        m.contains("quota of 2 tags per resource") && m.contains("--quota tags=N"),
        "{m}"
    );
    // A create past the tags quota: the model gives CreateX no TooManyTagsException.
    let (c, _) = code(s.create(
        CreateInput {
            loc: loc(Kind::VirtualNode, "m", "", "tagged"),
            spec: node("h"),
            tags: tags(&[("a", "1"), ("b", "2"), ("c", "3")]),
            client_token: None,
        },
        None,
        NOW,
    ));
    assert_eq!(c, "LimitExceededException");
    // Overwriting an existing key is not a new tag.
    assert!(s.tag_resource(R, &arn, tags(&[("a", "9")])).unwrap());
    // No quotas at all.
    let mut s = State::new(Data::empty(), ACCOUNT, Quotas::none());
    for i in 0..20 {
        make(
            &mut s,
            Kind::Mesh,
            &format!("m{i}"),
            "",
            &format!("m{i}"),
            json!({}),
        );
    }
}

#[test]
fn lists_page_within_their_scope() {
    let mut s = onboarded();
    make(&mut s, Kind::Mesh, "other", "", "other", json!({}));
    make(&mut s, Kind::VirtualNode, "other", "", "zz", node("zz"));
    for i in 0..5 {
        make(
            &mut s,
            Kind::Route,
            "m",
            "r",
            &format!("y{i}"),
            route_to(&[("a", 1)]),
        );
    }
    let names = |page: &[Arc<Record>]| {
        page.iter()
            .map(|r| r.loc.key.name.clone())
            .collect::<Vec<_>>()
    };
    let (page, next) = s
        .list(&loc(Kind::VirtualNode, "m", "", ""), None, 10, None, 0)
        .unwrap();
    assert_eq!(names(&page), ["a", "b"]);
    assert!(next.is_none());
    let scope = loc(Kind::Route, "m", "r", "");
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let (page, next) = s.list(&scope, None, 2, token.as_deref(), 0).unwrap();
        assert!(page.len() <= 2);
        all.extend(names(&page));
        match next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(all, ["x", "y0", "y1", "y2", "y3", "y4"]);
    // A token is bound to its list.
    let (_, t) = s.list(&scope, None, 1, None, 0).unwrap();
    let (c, m) = code(s.list(
        &loc(Kind::VirtualNode, "m", "", ""),
        None,
        1,
        t.as_deref(),
        0,
    ));
    assert_eq!(c, "BadRequestException");
    assert!(m.contains("another list"), "{m}");
    let (page, _) = s
        .list(&loc(Kind::Mesh, "", "", ""), None, 1, None, 0)
        .unwrap();
    assert_eq!(names(&page), ["m"]);
    let (page, _) = s
        .list(&Loc::new("us-east-1", Key::mesh("")), None, 10, None, 0)
        .unwrap();
    assert!(page.is_empty(), "another region holds nothing");
}

#[test]
fn tags_work_on_every_arn_in_its_region() {
    let mut s = onboarded();
    let route = loc(Kind::Route, "m", "r", "x");
    let arn = s.arn(&route);
    assert_eq!(
        arn,
        "arn:aws:appmesh:eu-west-1:111122223333:mesh/m/virtualRouter/r/route/x"
    );
    let mut t = BTreeMap::new();
    t.insert("team".to_string(), "payments".to_string());
    assert!(s.tag_resource(R, &arn, t.clone()).unwrap());
    assert!(
        !s.tag_resource(R, &arn, t).unwrap(),
        "the same tags again change nothing"
    );
    let (page, next) = s.list_tags(R, &arn, 10, None, 0).unwrap();
    assert_eq!(page, [("team".to_string(), "payments".to_string())]);
    assert!(next.is_none());
    assert!(
        s.untag_resource(R, &arn, &["team".into(), "nope".into()])
            .unwrap()
    );
    assert!(!s.untag_resource(R, &arn, &["team".into()]).unwrap());
    assert_eq!(
        code(s.list_tags("us-east-1", &arn, 10, None, 0)).0,
        "NotFoundException"
    );
    let other_account = arn.replace("111122223333", "999999999999");
    assert_eq!(
        code(s.list_tags(R, &other_account, 10, None, 0)).0,
        "NotFoundException"
    );
    assert_eq!(
        code(s.list_tags(R, "arn:aws:s3:::bucket", 10, None, 0)).0,
        "NotFoundException"
    );
}

#[test]
fn another_owner_is_not_found() {
    let s = onboarded();
    let (c, m) = code(s.describe(&loc(Kind::VirtualNode, "m", "", "a"), Some("999999999999")));
    assert_eq!(c, "NotFoundException");
    assert!(m.contains("not shared with account 111122223333"), "{m}");
    s.describe(&loc(Kind::VirtualNode, "m", "", "a"), Some(ACCOUNT))
        .unwrap();
}

#[test]
fn changes_are_tracked_and_revert_restores_the_rules() {
    let mut s = onboarded();
    s.track_changes();
    s.delete(&loc(Kind::GatewayRoute, "m", "g", "gr"), None)
        .unwrap();
    s.update(
        &loc(Kind::Route, "m", "r", "x"),
        route_to(&[("a", 100)]),
        None,
        None,
        NOW,
    )
    .unwrap();
    let (changes, outcome) = s.take_changes();
    assert_eq!(outcome.put.len(), 1);
    assert_eq!(outcome.delete, [loc(Kind::GatewayRoute, "m", "g", "gr")]);
    // Without the pending change, the data is as before it.
    s.delete(&loc(Kind::VirtualNode, "m", "", "b"), None)
        .unwrap();
    assert!(
        s.data_without_pending()
            .resources
            .contains_key(&loc(Kind::VirtualNode, "m", "", "b"))
    );
    s.revert(changes);
    assert_eq!(s.data().resources.len(), onboarded().data().resources.len());
    // The indexes came back with the data: b and s are held again.
    assert_eq!(
        code(s.delete(&loc(Kind::VirtualNode, "m", "", "b"), None)).0,
        "ResourceInUseException"
    );
    assert_eq!(
        code(s.delete(&loc(Kind::VirtualService, "m", "", "s"), None)).0,
        "ResourceInUseException"
    );
}
