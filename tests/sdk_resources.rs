//! The generic operations of `aws::Api` (describe, list_page, create, update, delete) through
//! the real aws-sdk-appmesh and the generated conversions, against the built-in sandbox, with
//! the spec fixtures of every kind (`tests/fixtures/specs/all-kinds.json`): what was created is
//! what Describe and List give back, spec for spec, and what is deleted is gone.

mod support;

use std::collections::BTreeMap;

use appmesh_tui::aws::{self, Api, ErrorKind, Settings};
use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::model::Tag;
use appmesh_tui::resource::{Resource, Summary};
use appmesh_tui::sandbox::{
    ACCESS_KEY_ID, ACCOUNT_ID, Config, SECRET_ACCESS_KEY, Sandbox, StateLocation,
};
use appmesh_tui::shape::{model, validate};
use serde_json::{Value, json};
use support::fixtures::{self, Fixture};

const REGION: &str = "eu-west-1";

async fn sandbox() -> (Sandbox, Api) {
    let sb = Sandbox::start(Config::new(REGION, StateLocation::Ephemeral))
        .await
        .expect("sandbox starts");
    let settings = Settings {
        region: Some(REGION.into()),
        endpoint_url: Some(sb.endpoint()),
        static_credentials: Some(aws::fixed_credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)),
        ..Settings::default()
    };
    let (api, _) = aws::connect(&settings).await.expect("connects");
    (sb, api)
}

fn what(f: &Fixture) -> String {
    if f.parent.is_empty() {
        format!("{} {}", f.kind, f.name)
    } else {
        format!("{} {} of {}", f.kind, f.name, f.parent)
    }
}

/// The answer's spec is exactly what was sent (the service echoes specs; it fills in no
/// defaults) and a valid spec of the kind.
fn assert_same_spec(kind: Kind, got: &Value, sent: &Value, what: String) {
    assert_eq!(got, sent, "{what}: the answer's spec is not what was sent");
    let problems = validate(model(), kind.info().spec_shape, got, "spec");
    assert!(
        problems.is_empty(),
        "{what}: the answer's spec: {problems:?}"
    );
}

/// The spec an update sets, per kind: (the fixture updated, its new spec).
fn update_of(kind: Kind) -> (String, Value) {
    let spec_of = |name: &str| {
        fixtures::all()
            .into_iter()
            .find(|f| f.name == name)
            .and_then(|f| f.spec)
            .unwrap_or_else(|| panic!("fixture {name} has a spec"))
    };
    let with = |name: &str, change: &dyn Fn(&mut Value)| {
        let mut s = spec_of(name);
        change(&mut s);
        (name.to_string(), s)
    };
    match kind {
        Kind::Mesh => ("fixtures-no-spec".into(), spec_of("fixtures-ipv6-only")),
        Kind::VirtualService => (
            "catalog.fixtures.local".into(),
            spec_of("api.fixtures.local"),
        ),
        Kind::VirtualNode => ("empty".into(), spec_of("orders")),
        Kind::VirtualRouter => ("router-empty".into(), spec_of("router-http")),
        Kind::Route => with("http-patch", &|s| s["priority"] = json!(7)),
        Kind::VirtualGateway => with("gateway-grpc", &|s| {
            s.as_object_mut().unwrap().remove("logging");
        }),
        Kind::GatewayRoute => with("gr-http2-trace", &|s| s["priority"] = json!(7)),
    }
}

/// Every row of one List, page by page (`limit` 2, so most lists take several pages).
async fn list_all(api: &Api, kind: Kind, mesh: &str, parent: &str) -> Vec<Summary> {
    let mut rows = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = api
            .list_page(kind, mesh, parent, token, Some(2))
            .await
            .unwrap_or_else(|e| panic!("list {kind} in {mesh}/{parent}: {e:?}"))
            .value;
        pages += 1;
        assert!(page.items.len() <= 2, "a page of at most the limit");
        rows.extend(page.items);
        token = page.next_token;
        if token.is_none() {
            break;
        }
        assert!(pages < 100, "list {kind} never ends");
    }
    rows
}

/// Creates every fixture of `kinds`, checks Describe, List and tags, updates one of each kind,
/// then deletes them all in the service's order and checks they are gone.
async fn exercise(api: &Api, kinds: &[Kind]) {
    let mesh = fixtures::container_mesh();
    let todo: Vec<Fixture> = fixtures::all()
        .into_iter()
        .filter(|f| kinds.contains(&f.kind))
        .collect();
    let mut created: BTreeMap<Key, Resource> = BTreeMap::new();

    for f in &todo {
        let key = f.key(&mesh);
        let spec = f.spec.clone().unwrap_or(Value::Null);
        let tags = [
            Tag::new("fixture", &f.name),
            Tag::new("kind", f.kind.info().name),
        ];
        // The service takes tokens of at most 36 letters, digits, hyphens and underscores.
        let token = uuid::Uuid::new_v4().to_string();
        let r = api
            .create(&key, &spec, &tags, &token)
            .await
            .unwrap_or_else(|e| panic!("create {}: {e:?}", what(f)))
            .value;
        assert_eq!(r.key, key, "{}", what(f));
        assert_eq!(r.status, "ACTIVE", "{}", what(f));
        assert_eq!(r.meta.version, 1, "{}", what(f));
        assert_eq!(r.meta.arn, key.arn(REGION, ACCOUNT_ID), "{}", what(f));
        assert_same_spec(
            f.kind,
            &r.spec,
            &f.expected_spec(),
            format!("create {}", what(f)),
        );
        // The same request again (same clientToken) is the same resource, not a conflict.
        let again = api
            .create(&key, &spec, &tags, &token)
            .await
            .unwrap_or_else(|e| panic!("create {} again: {e:?}", what(f)))
            .value;
        assert_eq!(again.meta.uid, r.meta.uid, "{}", what(f));
        created.insert(key, r);
    }

    for f in &todo {
        let key = f.key(&mesh);
        let reply = api
            .describe(&key)
            .await
            .unwrap_or_else(|e| panic!("describe {}: {e:?}", what(f)));
        assert_eq!(&reply.value, &created[&key], "describe {}", what(f));
        assert_same_spec(
            f.kind,
            &reply.value.spec,
            &f.expected_spec(),
            format!("describe {}", what(f)),
        );
        let tags = api.list_tags(&reply.value.meta.arn).await.unwrap().value;
        assert_eq!(
            tags,
            [
                Tag::new("fixture", &f.name),
                Tag::new("kind", f.kind.info().name)
            ],
            "tags of {}",
            what(f)
        );
    }

    // Every collection, paged: exactly the fixtures, with their metadata.
    let mut collections: BTreeMap<(Kind, String), Vec<Summary>> = BTreeMap::new();
    for (key, r) in &created {
        collections
            .entry((key.kind, key.parent.to_string()))
            .or_default()
            .push(r.summary());
    }
    let mut multi_page = false;
    for ((kind, parent), mut want) in collections {
        let mut got = list_all(api, kind, &mesh, &parent).await;
        multi_page |= got.len() > 2;
        got.sort_by(|a, b| a.key.cmp(&b.key));
        want.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(got, want, "list {kind} {parent}");
    }
    assert!(multi_page, "some list took several pages");

    for &kind in kinds {
        let (name, spec) = update_of(kind);
        let key = created
            .keys()
            .find(|k| k.kind == kind && k.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} {name} was created"));
        let r = api
            .update(&key, &spec, &uuid::Uuid::new_v4().to_string())
            .await
            .unwrap_or_else(|e| panic!("update {kind} {name}: {e:?}"))
            .value;
        assert_eq!(r.meta.version, 2, "update {kind} {name}");
        assert_same_spec(kind, &r.spec, &spec, format!("update {kind} {name}"));
        assert_eq!(r.meta.uid, created[&key].meta.uid);
        let d = api.describe(&key).await.unwrap().value;
        assert_eq!(d, r, "describe after update {kind} {name}");
        created.insert(key, d);
    }

    for kind in Kind::DELETE_ORDER.into_iter().filter(|k| kinds.contains(k)) {
        for f in todo.iter().rev().filter(|f| f.kind == kind) {
            let key = f.key(&mesh);
            let r = api
                .delete(&key)
                .await
                .unwrap_or_else(|e| panic!("delete {}: {e:?}", what(f)))
                .value;
            assert_eq!(r.key, key);
            assert_eq!(r.status, "DELETED", "delete {}", what(f));
            assert_eq!(r.spec, created[&key].spec, "delete {}", what(f));
            let e = api.describe(&key).await.unwrap_err();
            assert_eq!(
                (e.kind.clone(), e.code.as_deref()),
                (ErrorKind::Service, Some("NotFoundException")),
                "describe {} after delete: {e:?}",
                what(f)
            );
        }
    }
    assert!(list_all(api, Kind::Mesh, "", "").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_through_the_generic_operations() {
    let (sb, api) = sandbox().await;
    exercise(&api, &Kind::ALL).await;
    sb.shutdown().await;
}
