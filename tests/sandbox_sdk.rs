//! The sandbox through aws-sdk-appmesh (and raw HTTP for what the SDK hides): every mesh
//! operation, the modeled errors as typed SDK errors, pagination, idempotency, persistence and
//! concurrency.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::Path;

use appmesh_tui::sandbox::{ACCOUNT_ID, Config, Sandbox, StateLocation};
use aws_sdk_appmesh::Client;
use aws_sdk_appmesh::error::ProvideErrorMetadata;
use aws_sdk_appmesh::types::{
    EgressFilter, EgressFilterType, IpPreference, MeshServiceDiscovery, MeshSpec, MeshStatusCode,
    TagRef,
};
use support::sdk::{mesh_names, sandbox_client};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const REGION: &str = "eu-west-1";

fn client_for(endpoint: &str, retries: bool) -> Client {
    sandbox_client(endpoint, REGION, retries)
}

fn client(sb: &Sandbox) -> Client {
    client_for(&sb.endpoint(), true)
}

/// A sandbox without the meshes quota: these tests create more meshes than the default 15 (the
/// quotas themselves are checked in `sandbox::state` and by the conformance suites).
fn config(state: StateLocation) -> Config {
    let mut c = Config::new(REGION, state);
    c.quotas
        .set(appmesh_tui::sandbox::quota::Quota::Meshes, None);
    c
}

async fn ephemeral() -> Sandbox {
    Sandbox::start(config(StateLocation::Ephemeral))
        .await
        .expect("sandbox starts")
}

async fn on_file(path: &Path) -> Sandbox {
    Sandbox::start(config(StateLocation::File(path.to_path_buf())))
        .await
        .expect("sandbox starts")
}

fn tag(k: &str, v: &str) -> TagRef {
    TagRef::builder().key(k).value(v).build().unwrap()
}

fn arn(name: &str) -> String {
    format!("arn:aws:appmesh:{REGION}:{ACCOUNT_ID}:mesh/{name}")
}

/// A minimal HTTP/1.1 exchange, to check what the SDK does not show (headers, raw bodies).
async fn raw(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> RawResponse {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8(buf[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    RawResponse {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    }
}

struct RawResponse {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl RawResponse {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(k).map(String::as_str)
    }
}

#[tokio::test]
async fn every_mesh_operation_round_trips() {
    let sb = ephemeral().await;
    let c = client(&sb);

    let spec = MeshSpec::builder()
        .egress_filter(
            EgressFilter::builder()
                .r#type(EgressFilterType::AllowAll)
                .build()
                .unwrap(),
        )
        .service_discovery(
            MeshServiceDiscovery::builder()
                .ip_preference(IpPreference::IPv4Only)
                .build(),
        )
        .build();
    let created = c
        .create_mesh()
        .mesh_name("alpha")
        .spec(spec.clone())
        .tags(tag("team", "mesh"))
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    assert_eq!(created.mesh_name(), "alpha");
    let meta = created.metadata().unwrap();
    assert_eq!(meta.arn(), arn("alpha"));
    assert_eq!(meta.version(), 1);
    assert_eq!(meta.mesh_owner(), ACCOUNT_ID);
    assert_eq!(meta.resource_owner(), ACCOUNT_ID);
    assert_eq!(meta.created_at(), meta.last_updated_at());
    assert!(uuid::Uuid::parse_str(meta.uid()).is_ok());
    assert_eq!(
        created.status().unwrap().status(),
        Some(&MeshStatusCode::Active)
    );
    assert_eq!(created.spec(), Some(&spec));

    // Spec omitted: echoed as given, `"spec": {}` (the service injects no defaults).
    let beta = c
        .create_mesh()
        .mesh_name("beta")
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    let beta_spec = beta.spec().unwrap();
    assert!(beta_spec.egress_filter().is_none());
    assert!(beta_spec.service_discovery().is_none());

    let described = c
        .describe_mesh()
        .mesh_name("alpha")
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    assert_eq!(described, created);
    let owned = c
        .describe_mesh()
        .mesh_name("alpha")
        .mesh_owner(ACCOUNT_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(owned.mesh.unwrap(), created);
    let e = c
        .describe_mesh()
        .mesh_name("alpha")
        .mesh_owner("999999999999")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_not_found_exception(), "{e:?}");

    let list = c.list_meshes().send().await.unwrap();
    let names: Vec<&str> = list.meshes().iter().map(|m| m.mesh_name()).collect();
    assert_eq!(names, ["alpha", "beta"]);
    assert!(list.next_token().is_none());
    let r = &list.meshes()[0];
    assert_eq!(r.arn(), arn("alpha"));
    assert_eq!(r.version(), 1);
    assert_eq!(r.created_at(), meta.created_at());
    assert_eq!(r.mesh_owner(), ACCOUNT_ID);

    // Update: version +1, lastUpdatedAt moves, createdAt stays; spec omitted is echoed as `{}`.
    let updated = c
        .update_mesh()
        .mesh_name("alpha")
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    let um = updated.metadata().unwrap();
    assert_eq!(um.version(), 2);
    assert_eq!(um.uid(), meta.uid());
    assert_eq!(um.created_at(), meta.created_at());
    assert!(um.last_updated_at() > meta.last_updated_at());
    assert!(updated.spec().unwrap().egress_filter().is_none());
    assert!(updated.spec().unwrap().service_discovery().is_none());

    // Tags went in with the create and are there.
    let tags = c
        .list_tags_for_resource()
        .resource_arn(arn("alpha"))
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags(), [tag("team", "mesh")]);

    let deleted = c
        .delete_mesh()
        .mesh_name("alpha")
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    assert_eq!(
        deleted.status().unwrap().status(),
        Some(&MeshStatusCode::Deleted)
    );
    assert_eq!(deleted.metadata().unwrap().uid(), meta.uid());
    let e = c
        .describe_mesh()
        .mesh_name("alpha")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_not_found_exception(), "{e:?}");
    assert!(e.message().unwrap().contains("alpha"));
    let e = c
        .delete_mesh()
        .mesh_name("alpha")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_not_found_exception(), "{e:?}");
    let e = c
        .update_mesh()
        .mesh_name("alpha")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_not_found_exception(), "{e:?}");
    // The tags went with the mesh.
    let e = c
        .list_tags_for_resource()
        .resource_arn(arn("alpha"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_not_found_exception(), "{e:?}");
    assert_eq!(sb.mesh_names(), ["beta"]);
    sb.shutdown().await;
}

#[tokio::test]
async fn conflicts_and_client_token_idempotency() {
    let sb = ephemeral().await;
    let c = client(&sb);
    let first = c
        .create_mesh()
        .mesh_name("m")
        .client_token("token-1")
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    // Retry with the same token and request: the same mesh, not a second one, no version bump.
    let again = c
        .create_mesh()
        .mesh_name("m")
        .client_token("token-1")
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    assert_eq!(
        again.metadata().unwrap().uid(),
        first.metadata().unwrap().uid()
    );
    assert_eq!(again.metadata().unwrap().version(), 1);
    assert_eq!(again, first);

    // Duplicate name (the SDK fills in a fresh token): typed ConflictException.
    let e = c
        .create_mesh()
        .mesh_name("m")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_conflict_exception(), "{e:?}");
    assert!(e.message().unwrap().contains("already exists"));
    // Same token, different request: ConflictException saying so.
    let e = c
        .create_mesh()
        .mesh_name("m")
        .client_token("token-1")
        .tags(tag("k", "v"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_conflict_exception(), "{e:?}");
    assert!(e.message().unwrap().contains("clientToken"), "{e:?}");
    assert_eq!(sb.mesh_names(), ["m"]);

    // Invalid token format.
    let e = c
        .create_mesh()
        .mesh_name("n")
        .client_token("has spaces")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_bad_request_exception(), "{e:?}");
    assert!(e.message().unwrap().contains("clientToken"));

    // UpdateMesh: same token and spec → same result, no bump.
    let u1 = c
        .update_mesh()
        .mesh_name("m")
        .client_token("upd-1")
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    let u2 = c
        .update_mesh()
        .mesh_name("m")
        .client_token("upd-1")
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    assert_eq!(u1.metadata().unwrap().version(), 2);
    assert_eq!(u2, u1);
    let allow = MeshSpec::builder()
        .egress_filter(
            EgressFilter::builder()
                .r#type(EgressFilterType::AllowAll)
                .build()
                .unwrap(),
        )
        .build();
    let e = c
        .update_mesh()
        .mesh_name("m")
        .client_token("upd-1")
        .spec(allow)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_conflict_exception(), "{e:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn name_and_tag_limits() {
    let sb = ephemeral().await;
    let c = client(&sb);
    let n255 = "n".repeat(255);
    c.create_mesh().mesh_name(&n255).send().await.unwrap();
    let d = c.describe_mesh().mesh_name(&n255).send().await.unwrap();
    assert_eq!(d.mesh.unwrap().mesh_name(), n255);
    let e = c
        .create_mesh()
        .mesh_name("n".repeat(256))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_bad_request_exception(), "{e:?}");
    assert_eq!(
        e.message(),
        Some("meshName: must be at most 255 characters (has 256)")
    );
    // Characters, not bytes; and names that need escaping in the path.
    let crabs = "🦀".repeat(255);
    c.create_mesh().mesh_name(&crabs).send().await.unwrap();
    c.describe_mesh().mesh_name(&crabs).send().await.unwrap();
    for odd in ["a b", "a/b", "a%2Fb", "a?b=c&d", "ü+x"] {
        c.create_mesh().mesh_name(odd).send().await.unwrap();
        let m = c
            .describe_mesh()
            .mesh_name(odd)
            .send()
            .await
            .unwrap()
            .mesh
            .unwrap();
        assert_eq!(m.mesh_name(), odd);
        c.delete_mesh().mesh_name(odd).send().await.unwrap();
    }

    let fifty: Vec<TagRef> = (0..50).map(|i| tag(&format!("k{i:02}"), "v")).collect();
    c.create_mesh()
        .mesh_name("tags50")
        .set_tags(Some(fifty.clone()))
        .send()
        .await
        .unwrap();
    let mut fifty_one = fifty.clone();
    fifty_one.push(tag("k50", "v"));
    let e = c
        .create_mesh()
        .mesh_name("tags51")
        .set_tags(Some(fifty_one))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    // More than the model's TagList allows in one request: a validation error naming the field.
    assert!(e.is_bad_request_exception(), "{e:?}");
    assert_eq!(
        e.message(),
        Some("tags: must have at most 50 items (has 51)")
    );
    let e = c
        .describe_mesh()
        .mesh_name("tags51")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_not_found_exception());
    // TagResource that would take the mesh over 50: TooManyTagsException; overwriting is fine.
    let e = c
        .tag_resource()
        .resource_arn(arn("tags50"))
        .tags(tag("one-more", "v"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_too_many_tags_exception(), "{e:?}");
    c.tag_resource()
        .resource_arn(arn("tags50"))
        .tags(tag("k00", "new"))
        .send()
        .await
        .unwrap();
    // Key and value lengths.
    let e = c
        .tag_resource()
        .resource_arn(arn("tags50"))
        .tags(tag(&"k".repeat(129), "v"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_bad_request_exception(), "{e:?}");
    assert!(e.message().unwrap().contains("key"), "{e:?}");
    let e = c
        .create_mesh()
        .mesh_name("v257")
        .tags(tag("k", &"v".repeat(257)))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_bad_request_exception(), "{e:?}");
    assert!(e.message().unwrap().contains("value"), "{e:?}");
    // Limits on list sizes.
    let e = c
        .list_meshes()
        .limit(101)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_bad_request_exception(), "{e:?}");
    let e = c
        .list_meshes()
        .limit(0)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_bad_request_exception(), "{e:?}");
    let e = c
        .list_tags_for_resource()
        .resource_arn(arn("tags50"))
        .limit(51)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_bad_request_exception(), "{e:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn list_meshes_paginates_with_the_sdk_paginator() {
    let sb = ephemeral().await;
    let c = client(&sb);
    let mut expected = BTreeSet::new();
    for i in 0..237 {
        let name = format!("mesh-{:03}", (i * 7919) % 1000);
        c.create_mesh().mesh_name(&name).send().await.unwrap();
        expected.insert(name);
    }
    // Default page (100) and a small page size.
    for page_size in [None, Some(17)] {
        let mut req = c.list_meshes();
        if let Some(n) = page_size {
            req = req.limit(n);
        }
        let items: Vec<String> = req
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.mesh_name().to_string())
            .collect();
        let want: Vec<String> = expected.iter().cloned().collect();
        assert_eq!(items, want, "page size {page_size:?}");
    }
    let pages: Vec<_> = c
        .list_meshes()
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.meshes().len()).collect();
    assert_eq!(sizes, [100, 100, 37]);
    assert!(pages[0].next_token().is_some());
    assert!(pages[2].next_token().is_none());

    // Forged, edited and foreign tokens: BadRequestException.
    let token = pages[0].next_token().unwrap().to_string();
    let mut edited = token.clone().into_bytes();
    let last = edited.len() - 1;
    edited[last] = if edited[last] == b'0' { b'1' } else { b'0' };
    let other = ephemeral().await;
    let other_token = {
        let oc = client(&other);
        for n in ["x", "y"] {
            oc.create_mesh().mesh_name(n).send().await.unwrap();
        }
        oc.list_meshes()
            .limit(1)
            .send()
            .await
            .unwrap()
            .next_token
            .unwrap()
    };
    for bad in [
        "forged".to_string(),
        String::from_utf8(edited).unwrap(),
        other_token,
    ] {
        let e = c
            .list_meshes()
            .next_token(bad.clone())
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(e.is_bad_request_exception(), "{bad}: {e:?}");
        assert!(e.message().unwrap().contains("nextToken"), "{e:?}");
    }
    other.shutdown().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn tagging_operations() {
    let sb = ephemeral().await;
    let c = client(&sb);
    c.create_mesh().mesh_name("t").send().await.unwrap();
    let a = arn("t");
    let none = c
        .list_tags_for_resource()
        .resource_arn(&a)
        .send()
        .await
        .unwrap();
    assert!(none.tags().is_empty());
    c.tag_resource()
        .resource_arn(&a)
        .tags(tag("b", "2"))
        .tags(tag("a", "1"))
        .tags(tag("empty", ""))
        .send()
        .await
        .unwrap();
    c.tag_resource()
        .resource_arn(&a)
        .tags(tag("a", "one"))
        .send()
        .await
        .unwrap();
    let got = c
        .list_tags_for_resource()
        .resource_arn(&a)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.tags(),
        [tag("a", "one"), tag("b", "2"), tag("empty", "")]
    );
    c.untag_resource()
        .resource_arn(&a)
        .tag_keys("b")
        .tag_keys("never-there")
        .send()
        .await
        .unwrap();
    let got = c
        .list_tags_for_resource()
        .resource_arn(&a)
        .send()
        .await
        .unwrap();
    assert_eq!(got.tags(), [tag("a", "one"), tag("empty", "")]);
    // Paginated.
    let p1 = c
        .list_tags_for_resource()
        .resource_arn(&a)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(p1.tags(), [tag("a", "one")]);
    let p2 = c
        .list_tags_for_resource()
        .resource_arn(&a)
        .limit(1)
        .next_token(p1.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(p2.tags(), [tag("empty", "")]);
    assert!(p2.next_token().is_none());
    let e = c
        .list_tags_for_resource()
        .resource_arn(&a)
        .next_token("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_bad_request_exception(), "{e:?}");

    // Unknown ARNs: NotFoundException from all three.
    for unknown in [
        arn("nope"),
        format!("{a}/virtualNode/vn"),
        "arn:aws:s3:::bucket".into(),
    ] {
        let e = c
            .list_tags_for_resource()
            .resource_arn(&unknown)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(e.is_not_found_exception(), "{unknown}: {e:?}");
        let e = c
            .tag_resource()
            .resource_arn(&unknown)
            .tags(tag("k", "v"))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(e.is_not_found_exception(), "{unknown}: {e:?}");
        let e = c
            .untag_resource()
            .resource_arn(&unknown)
            .tag_keys("k")
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(e.is_not_found_exception(), "{unknown}: {e:?}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn mesh_limit_is_limit_exceeded() {
    let mut config = Config::new(REGION, StateLocation::Ephemeral);
    config
        .quotas
        .set(appmesh_tui::sandbox::quota::Quota::Meshes, Some(2));
    let sb = Sandbox::start(config).await.unwrap();
    let c = client(&sb);
    c.create_mesh().mesh_name("a").send().await.unwrap();
    c.create_mesh().mesh_name("b").send().await.unwrap();
    let e = c
        .create_mesh()
        .mesh_name("c")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_limit_exceeded_exception(), "{e:?}");
    c.delete_mesh().mesh_name("a").send().await.unwrap();
    c.create_mesh().mesh_name("c").send().await.unwrap();
    sb.shutdown().await;
}

#[tokio::test]
async fn wire_format_headers_and_raw_errors() {
    let sb = ephemeral().await;
    let addr = sb.addr;
    let r = raw(
        addr,
        "PUT",
        "/v20190125/meshes",
        br#"{"meshName":"w","unknownField":1}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let rid = r.header("x-amzn-requestid").expect("request id header");
    assert!(uuid::Uuid::parse_str(rid).is_ok(), "{rid}");
    let v = r.json();
    assert_eq!(v["meshName"], "w");
    assert!(v["metadata"]["createdAt"].is_number(), "{v}");
    assert!(v["metadata"]["lastUpdatedAt"].is_number(), "{v}");
    assert_eq!(v["metadata"]["version"], 1);
    assert_eq!(v["spec"], serde_json::json!({}));
    assert_eq!(v["status"], serde_json::json!({"status": "ACTIVE"}));
    let created = v["metadata"]["createdAt"].as_f64().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!((created - now).abs() < 600.0, "epoch seconds: {created}");

    // Errors: status from the model, x-amzn-ErrorType, {"message"}.
    type Case<'a> = (&'a str, &'a str, &'a [u8], u16, &'a str, &'a str);
    let cases: [Case; 7] = [
        (
            "GET",
            "/v20190125/meshes/nope",
            b"",
            404,
            "NotFoundException",
            "nope",
        ),
        (
            "PUT",
            "/v20190125/meshes",
            br#"{"meshName":"w"}"#,
            409,
            "ConflictException",
            "already exists",
        ),
        (
            "PUT",
            "/v20190125/meshes",
            b"{not json",
            400,
            "BadRequestException",
            "JSON",
        ),
        (
            "PUT",
            "/v20190125/meshes",
            br#"{"meshName":7}"#,
            400,
            "BadRequestException",
            "meshName: must be a string, not a number",
        ),
        (
            "PUT",
            "/v20190125/meshes",
            br#"{}"#,
            400,
            "BadRequestException",
            "meshName: is required",
        ),
        (
            "PUT",
            "/v20190125/meshes",
            br#"{"meshName":"x","spec":{"egressFilter":{"type":"OPEN"}}}"#,
            400,
            "BadRequestException",
            "spec.egressFilter.type",
        ),
        (
            "GET",
            "/v20190125/meshes?limit=abc",
            b"",
            400,
            "BadRequestException",
            "limit",
        ),
    ];
    for (method, path, body, status, code, text) in cases {
        let r = raw(addr, method, path, body).await;
        assert_eq!(r.status, status, "{method} {path}");
        assert_eq!(r.header("x-amzn-errortype"), Some(code), "{method} {path}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(r.header("x-amzn-requestid").is_some());
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(msg.contains(text), "{method} {path}: {msg}");
    }

    // Routes that are not App Mesh operations: a JSON error naming the request.
    for (method, path, status, says) in [
        (
            "POST",
            "/v20190125/meshes",
            400,
            "POST is not an App Mesh operation",
        ),
        ("GET", "/", 400, "not an App Mesh API route"),
        // The plural collection is not the model's route for routes.
        (
            "GET",
            "/v20190125/meshes/w/virtualRouters/r/routes",
            400,
            "not an App Mesh API route",
        ),
    ] {
        let r = raw(addr, method, path, b"").await;
        assert_eq!(r.status, status, "{method} {path}");
        assert_eq!(r.header("x-amzn-errortype"), Some("BadRequestException"));
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(msg.contains(says), "{msg}");
    }

    // A body over the limit: 413 with a JSON error.
    let big = vec![b' '; (1 << 20) + 1];
    let r = raw(addr, "PUT", "/v20190125/meshes", &big).await;
    assert_eq!(r.status, 413);
    assert!(r.json()["message"].as_str().unwrap().contains("at most"));
    assert!(r.header("x-amzn-requestid").is_some());
    // Exactly at the limit is read (and then rejected for its content, not its size).
    let mut at_limit = br#"{"meshName":"big"}"#.to_vec();
    at_limit.resize(1 << 20, b' ');
    let r = raw(addr, "PUT", "/v20190125/meshes", &at_limit).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    // Through the SDK, every kind: the mesh is there and holds no virtual nodes yet.
    let c = client(&sb);
    let nodes = c.list_virtual_nodes().mesh_name("w").send().await.unwrap();
    assert!(nodes.virtual_nodes().is_empty());
    let e = c
        .list_virtual_nodes()
        .mesh_name("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_not_found_exception(), "{e:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn state_survives_restart_and_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/sandbox.json");
    let sb = on_file(&path).await;
    let c = client(&sb);
    let m = c
        .create_mesh()
        .mesh_name("kept")
        .tags(tag("k", "v"))
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    c.create_mesh().mesh_name("gone").send().await.unwrap();
    c.delete_mesh().mesh_name("gone").send().await.unwrap();
    // Acknowledged means on disk: the file has the mesh before shutdown.
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(on_disk["format"], 2);
    assert_eq!(on_disk["resources"].as_array().unwrap().len(), 1);
    // A second sandbox on the same file is refused while the first runs.
    let err = Sandbox::start(Config::new(REGION, StateLocation::File(path.clone())))
        .await
        .err()
        .expect("second sandbox refused");
    assert!(err.to_string().contains("sandbox.json"), "{err}");
    assert!(err.to_string().contains("in use"), "{err}");
    // A pagination token survives the restart too (the secret is in the state).
    c.create_mesh().mesh_name("later").send().await.unwrap();
    let token = c
        .list_meshes()
        .limit(1)
        .send()
        .await
        .unwrap()
        .next_token
        .unwrap();
    sb.shutdown().await;

    let sb = on_file(&path).await;
    let c = client(&sb);
    let again = c
        .describe_mesh()
        .mesh_name("kept")
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    assert_eq!(again, m);
    let tags = c
        .list_tags_for_resource()
        .resource_arn(arn("kept"))
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags(), [tag("k", "v")]);
    assert_eq!(sb.mesh_names(), ["kept", "later"]);
    let page = c
        .list_meshes()
        .limit(1)
        .next_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.meshes()[0].mesh_name(), "later");
    sb.shutdown().await;
}

#[tokio::test]
async fn unreadable_state_file_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.json");
    std::fs::write(&path, b"{\"format\": 1, \"meshes\": [tru").unwrap();
    let err = Sandbox::start(Config::new(REGION, StateLocation::File(path.clone())))
        .await
        .err()
        .expect("refuses a broken state file");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("--ephemeral"), "{msg}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{\"format\": 1, \"meshes\": [tru"
    );
    // A state file from a newer format is refused the same way.
    std::fs::write(&path, br#"{"format": 9}"#).unwrap();
    let msg = Sandbox::start(Config::new(REGION, StateLocation::File(path.clone())))
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(msg.contains("format 9"), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), br#"{"format": 9}"#);
}

#[tokio::test]
async fn failed_write_answers_500_and_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.json");
    let sb = on_file(&path).await;
    let c = client_for(&sb.endpoint(), false);
    let create_fails = async |name: &str| {
        let e = c
            .create_mesh()
            .mesh_name(name)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(e.is_internal_server_error_exception(), "{e:?}");
        assert!(e.message().unwrap().contains("could not save"), "{e:?}");
        // Rolled back in memory.
        let e = c
            .describe_mesh()
            .mesh_name(name)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(e.is_not_found_exception(), "{e:?}");
    };
    // The first change writes the state file: block its temporary file with a directory.
    let tmp_blocker = dir
        .path()
        .join(format!(".sandbox.json.tmp-{}", std::process::id()));
    std::fs::create_dir(&tmp_blocker).unwrap();
    create_fails("lost-first").await;
    assert!(sb.mesh_names().is_empty());
    assert!(!path.exists());
    std::fs::remove_dir(&tmp_blocker).unwrap();
    c.create_mesh().mesh_name("before").send().await.unwrap();
    let before = std::fs::read(&path).unwrap();
    // Later changes go to the journal beside it: block that with a directory.
    let blocker = appmesh_tui::sandbox::journal::path_for(&path);
    std::fs::create_dir(&blocker).unwrap();
    create_fails("lost").await;
    // The file still holds the previous state.
    assert_eq!(sb.mesh_names(), ["before"]);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // Once writes work again, so does the sandbox.
    std::fs::remove_dir(&blocker).unwrap();
    c.create_mesh().mesh_name("after").send().await.unwrap();
    assert_eq!(sb.mesh_names(), ["after", "before"]);
    sb.shutdown().await;
    let sb = on_file(&path).await;
    assert_eq!(sb.mesh_names(), ["after", "before"]);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_with_collisions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.json");
    let sb = on_file(&path).await;
    let endpoint = sb.endpoint();
    // 8 clients x 125 creates; every 5th name is shared by all 8 clients.
    let mut tasks = Vec::new();
    for t in 0..8 {
        let c = client_for(&endpoint, true);
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut conflicts = Vec::new();
            for k in 0..125 {
                let name = if k % 5 == 0 {
                    format!("shared-{k:03}")
                } else {
                    format!("c{t}-{k:03}")
                };
                match c.create_mesh().mesh_name(&name).send().await {
                    Ok(out) => {
                        assert_eq!(out.mesh.unwrap().mesh_name(), name);
                        acked.push(name)
                    }
                    Err(e) => {
                        let e = e.into_service_error();
                        assert!(e.is_conflict_exception(), "{name}: {e:?}");
                        conflicts.push(name);
                    }
                }
            }
            (acked, conflicts)
        }));
    }
    let mut acked = Vec::new();
    let mut conflicts = Vec::new();
    for t in tasks {
        let (a, c) = t.await.unwrap();
        acked.extend(a);
        conflicts.extend(c);
    }
    assert_eq!(acked.len() + conflicts.len(), 1000);
    // Each shared name was won by exactly one client; the 7 others got ConflictException.
    let acked_set: BTreeSet<String> = acked.iter().cloned().collect();
    assert_eq!(
        acked_set.len(),
        acked.len(),
        "a name was acknowledged twice"
    );
    assert_eq!(acked.len(), 8 * 100 + 25);
    assert_eq!(conflicts.len(), 25 * 7);
    assert!(conflicts.iter().all(|n| n.starts_with("shared-")));

    // What the server holds, what a client lists, and what is on disk all match.
    let c = client(&sb);
    let listed = mesh_names(&c).await.unwrap();
    let want: Vec<String> = acked_set.iter().cloned().collect();
    assert_eq!(listed, want);
    assert_eq!(sb.mesh_names(), want);
    let on_disk =
        appmesh_tui::sandbox::store::load(&path, &appmesh_tui::sandbox::quota::Quotas::none())
            .unwrap()
            .unwrap();
    assert_eq!(on_disk.mesh_names(), want);
    sb.shutdown().await;
    // After the stop the state file alone holds them.
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let in_file: Vec<String> = file["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(in_file, want);
}
