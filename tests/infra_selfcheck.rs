//! Self-check of the end-to-end test infrastructure in tests/support:
//! (a) moto behind the translating proxy, with aws-sdk-appmesh and the AWS
//! CLI; (b) every fault-server behaviour, driven with aws-sdk-appmesh;
//! (c) the pseudo-terminal driver.
//!
//! Run: `cargo test --test infra_selfcheck`

mod support;

use std::time::Duration;

use aws_sdk_appmesh::Client;
use aws_sdk_appmesh::config::retry::RetryConfig;
use aws_sdk_appmesh::config::timeout::TimeoutConfig;
use aws_sdk_appmesh::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_appmesh::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_appmesh::operation::RequestId;
use aws_sdk_appmesh::operation::create_mesh::CreateMeshError;
use aws_sdk_appmesh::types::{
    EgressFilter, EgressFilterType, IpPreference, MeshServiceDiscovery, MeshSpec, MeshStatusCode,
    TagRef,
};

use support::fault::{self, ApiError, Behaviour, FaultServer, Reply, bodies};
use support::moto::{Moto, aws_cli, boto3};
use support::pty::{Color, Key, Tui};

// ------------------------------------------------------------------ helpers

fn client_with(endpoint: &str, retry: RetryConfig, timeout: TimeoutConfig) -> Client {
    let conf = aws_sdk_appmesh::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "selfcheck",
        ))
        .endpoint_url(endpoint)
        .retry_config(retry)
        .timeout_config(timeout)
        .build();
    Client::from_conf(conf)
}

/// The SDK's default retries (standard, 3 attempts) with a short backoff.
fn client(endpoint: &str) -> Client {
    client_with(
        endpoint,
        RetryConfig::standard().with_initial_backoff(Duration::from_millis(10)),
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .build(),
    )
}

/// One attempt, no retries.
fn client_once(endpoint: &str) -> Client {
    client_with(
        endpoint,
        RetryConfig::disabled(),
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .build(),
    )
}

/// One attempt that gives up after `secs`.
fn client_timeout(endpoint: &str, secs: u64) -> Client {
    client_with(
        endpoint,
        RetryConfig::disabled(),
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(Duration::from_secs(secs))
            .build(),
    )
}

fn tag(k: &str, v: &str) -> TagRef {
    TagRef::builder().key(k).value(v).build().unwrap()
}

fn sorted_tags(tags: &[TagRef]) -> Vec<(String, String)> {
    let mut v: Vec<_> = tags
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    v.sort();
    v
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

// ------------------------------------------------------- (a) moto + proxy

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_proxy_round_trip_with_sdk_and_cli() {
    let moto = Moto::start();
    let sdk = client(&moto.endpoint());
    let name = "selfcheck-mesh";

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
    let created = sdk
        .create_mesh()
        .mesh_name(name)
        .spec(spec)
        .tags(tag("team", "infra"))
        .tags(tag("env", "test"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateMesh: {e:?}\n{}", moto.logs()));
    let mesh = created.mesh().expect("mesh in CreateMesh output");
    assert_eq!(mesh.mesh_name(), name);
    assert_eq!(
        mesh.status().unwrap().status(),
        Some(&MeshStatusCode::Active)
    );
    let md = mesh.metadata().unwrap();
    assert_eq!(md.version(), 1);
    let created_at = md.created_at().secs();
    // Timestamps parsed as real times: after 2020, not in the far future.
    assert!(
        created_at > 1_577_836_800 && created_at < 4_102_444_800,
        "createdAt {created_at}"
    );
    let arn = md.arn().to_string();
    let s = mesh.spec().unwrap();
    assert_eq!(
        s.egress_filter().unwrap().r#type(),
        &EgressFilterType::AllowAll
    );
    assert_eq!(
        s.service_discovery().unwrap().ip_preference(),
        Some(&IpPreference::IPv4Only)
    );

    let described = sdk.describe_mesh().mesh_name(name).send().await.unwrap();
    let d = described.mesh().unwrap();
    assert_eq!(d.mesh_name(), name);
    assert_eq!(d.metadata().unwrap().created_at().secs(), created_at);
    assert_eq!(
        d.metadata().unwrap().last_updated_at().secs(),
        md.last_updated_at().secs()
    );

    let listed = sdk.list_meshes().send().await.unwrap();
    let names: Vec<_> = listed.meshes().iter().map(|m| m.mesh_name()).collect();
    assert_eq!(names, vec![name]);
    assert_eq!(listed.meshes()[0].created_at().secs(), created_at);

    let tags = sdk
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        sorted_tags(tags.tags()),
        pairs(&[("env", "test"), ("team", "infra")])
    );

    sdk.tag_resource()
        .resource_arn(&arn)
        .tags(tag("owner", "me"))
        .tags(tag("team", "platform"))
        .send()
        .await
        .unwrap();
    sdk.untag_resource()
        .resource_arn(&arn)
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let tags = sdk
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        sorted_tags(tags.tags()),
        pairs(&[("owner", "me"), ("team", "platform")])
    );

    let updated = sdk
        .update_mesh()
        .mesh_name(name)
        .spec(
            MeshSpec::builder()
                .egress_filter(
                    EgressFilter::builder()
                        .r#type(EgressFilterType::DropAll)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(updated.mesh().unwrap().metadata().unwrap().version(), 2);

    // Modeled errors through the proxy.
    let err = sdk
        .describe_mesh()
        .mesh_name("no-such-mesh")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_not_found_exception()),
        "{err:?}"
    );
    let err = sdk.create_mesh().mesh_name(name).send().await.unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_conflict_exception()),
        "{err:?}"
    );

    // The AWS CLI through the proxy sees the same mesh, times included.
    let out = aws_cli(
        &moto.endpoint(),
        &["appmesh", "describe-mesh", "--mesh-name", name],
    )
    .ok();
    let j = out.json();
    assert_eq!(j["mesh"]["meshName"], name);
    assert_eq!(j["mesh"]["spec"]["egressFilter"]["type"], "DROP_ALL");
    assert_eq!(
        j["mesh"]["spec"]["serviceDiscovery"]["ipPreference"],
        "IPv4_ONLY"
    );
    assert_eq!(j["mesh"]["metadata"]["version"], 2);
    // AWS CLI v1 prints timestamps as received: epoch seconds.
    assert_eq!(
        j["mesh"]["metadata"]["createdAt"],
        serde_json::json!(created_at)
    );
    let out = boto3(
        &moto.endpoint(),
        &format!("out(int(client.describe_mesh(meshName={name:?})['mesh']['metadata']['createdAt'].timestamp()))"),
    )
    .ok();
    assert_eq!(out.json(), serde_json::json!(created_at));

    // ... and so does the AWS CLI against raw moto (untranslated).
    let raw = aws_cli(
        &moto.moto_endpoint(),
        &["appmesh", "describe-mesh", "--mesh-name", name],
    )
    .ok();
    let j = raw.json();
    assert_eq!(j["mesh"]["meshName"], name);
    assert_eq!(j["mesh"]["metadata"]["arn"], arn.as_str());
    assert_eq!(j["mesh"]["spec"]["egressFilter"]["type"], "DROP_ALL");
    assert!(
        j["mesh"]["metadata"]["createdAt"].is_string(),
        "raw moto: {j}"
    );
    let raw_list = aws_cli(&moto.moto_endpoint(), &["appmesh", "list-meshes"])
        .ok()
        .json();
    assert_eq!(raw_list["meshes"][0]["meshName"], name);
    let raw_tags = aws_cli(
        &moto.moto_endpoint(),
        &["appmesh", "list-tags-for-resource", "--resource-arn", &arn],
    )
    .ok()
    .json();
    let keys: Vec<&str> = raw_tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"owner") && keys.contains(&"team"),
        "{raw_tags}"
    );
    // moto 5.2.1 has no UntagResource: the proxy emulates it, so raw moto
    // still lists the removed key. If this fails, moto learned untag and the
    // proxy's emulation (fix 5 in moto_proxy.py) can go.
    assert!(
        keys.contains(&"env"),
        "raw moto dropped an untagged key: {raw_tags}"
    );

    let deleted = sdk.delete_mesh().mesh_name(name).send().await.unwrap();
    assert_eq!(
        deleted.mesh().unwrap().status().unwrap().status(),
        Some(&MeshStatusCode::Deleted)
    );
    assert!(sdk.list_meshes().send().await.unwrap().meshes().is_empty());
    let out = aws_cli(
        &moto.endpoint(),
        &["appmesh", "describe-mesh", "--mesh-name", name],
    );
    assert!(!out.status.success());
    assert!(out.stderr.contains("NotFoundException"), "{}", out.stderr);
}

/// The premise of the proxy: raw moto writes timestamps as strings and its
/// own error codes, which aws-sdk-appmesh cannot use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_moto_deviates_and_the_proxy_is_needed() {
    let moto = Moto::start();
    let (status, _) = moto.raw_request("PUT", "/v20190125/meshes", r#"{"meshName":"raw"}"#);
    assert_eq!(status, 200);
    let (status, body) = moto.raw_request("GET", "/v20190125/meshes", "");
    assert_eq!(status, 200);
    let j: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        j["meshes"][0]["createdAt"].is_string(),
        "moto now sends {body}"
    );

    let raw = client_once(&moto.moto_endpoint());
    let err = raw
        .describe_mesh()
        .mesh_name("raw")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, SdkError::ResponseError(_) | SdkError::ServiceError(_)),
        "{err:?}"
    );
    let err = raw
        .describe_mesh()
        .mesh_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MeshNotFound"), "{err:?}");
    assert!(!err.as_service_error().unwrap().is_not_found_exception());

    let proxied = client_once(&moto.endpoint());
    let mesh = proxied
        .describe_mesh()
        .mesh_name("raw")
        .send()
        .await
        .unwrap();
    assert_eq!(
        mesh.mesh()
            .unwrap()
            .spec()
            .unwrap()
            .egress_filter()
            .unwrap()
            .r#type(),
        &EgressFilterType::DropAll
    );
    moto.reset();
    assert!(
        proxied
            .list_meshes()
            .send()
            .await
            .unwrap()
            .meshes()
            .is_empty()
    );
}

// ------------------------------------------------------ (b) fault server

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_modeled_errors_are_typed() {
    type Check = fn(&CreateMeshError) -> bool;
    let cases: Vec<(ApiError, Check)> = vec![
        (ApiError::conflict("taken"), |e| e.is_conflict_exception()),
        (ApiError::bad_request("bad"), |e| {
            e.is_bad_request_exception()
        }),
        (ApiError::forbidden("no"), |e| e.is_forbidden_exception()),
        (ApiError::not_found("gone"), |e| e.is_not_found_exception()),
        (ApiError::too_many_requests("slow"), |e| {
            e.is_too_many_requests_exception()
        }),
        (ApiError::internal("boom"), |e| {
            e.is_internal_server_error_exception()
        }),
        (ApiError::unavailable("later"), |e| {
            e.is_service_unavailable_exception()
        }),
        (ApiError::limit_exceeded("many"), |e| {
            e.is_limit_exceeded_exception()
        }),
    ];
    for (error, check) in cases {
        let expected = error.clone();
        let server = FaultServer::start(Behaviour::Error(error.request_id("req-123")));
        let err = client_once(&server.endpoint())
            .create_mesh()
            .mesh_name("m1")
            .send()
            .await
            .unwrap_err();
        let service = err
            .as_service_error()
            .unwrap_or_else(|| panic!("{}: {err:?}", expected.code));
        assert!(check(service), "{}: got {service:?}", expected.code);
        assert_eq!(err.code(), Some(expected.code.as_str()));
        assert_eq!(err.message(), Some(expected.message.as_str()));
        assert_eq!(err.request_id(), Some("req-123"));
        assert_eq!(
            err.raw_response().unwrap().status().as_u16(),
            expected.status
        );

        let reqs = server.requests();
        assert_eq!(
            reqs.len(),
            1,
            "{}: no retry with retries disabled",
            expected.code
        );
        assert_eq!(reqs[0].method, "PUT");
        assert_eq!(reqs[0].path, "/v20190125/meshes");
        assert_eq!(reqs[0].operation(), "CreateMesh");
        assert_eq!(reqs[0].json()["meshName"], "m1");
        assert!(
            reqs[0].json()["clientToken"].is_string(),
            "SDK fills clientToken"
        );
        assert!(
            reqs[0]
                .header("authorization")
                .unwrap()
                .starts_with("AWS4-HMAC-SHA256")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_throttle_then_succeed_retries_with_same_client_token() {
    let server = FaultServer::start(Behaviour::ThenSucceed {
        failures: 1,
        error: ApiError::too_many_requests("Rate exceeded"),
        then: Reply::ok(bodies::mesh_json("m1")),
    });
    let out = client(&server.endpoint())
        .create_mesh()
        .mesh_name("m1")
        .send()
        .await
        .unwrap();
    let mesh = out.mesh().unwrap();
    assert_eq!(mesh.mesh_name(), "m1");
    assert_eq!(
        mesh.metadata().unwrap().created_at().secs(),
        fault::CREATED_AT
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "one throttled attempt, one retry");
    let t0 = reqs[0].json()["clientToken"].clone();
    assert!(t0.is_string());
    assert_eq!(
        t0,
        reqs[1].json()["clientToken"],
        "retry reuses the clientToken"
    );
    assert_eq!(
        reqs[1]
            .header("amz-sdk-request")
            .map(|v| v.contains("attempt=2")),
        Some(true)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_retryable_errors_are_retried_to_the_limit() {
    let server = FaultServer::start(Behaviour::Error(ApiError::unavailable("down")));
    let err = client(&server.endpoint())
        .list_meshes()
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_service_unavailable_exception()
    );
    assert_eq!(server.request_count(), 3, "standard retry: 3 attempts");

    // Not retryable: one request.
    let server = FaultServer::start(Behaviour::Error(ApiError::bad_request("no")));
    let err = client(&server.endpoint())
        .list_meshes()
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_bad_request_exception());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_unparseable_html_and_huge_bodies_fail_to_parse() {
    for behaviour in [
        Behaviour::Garbage,
        Behaviour::Html(200),
        Behaviour::Huge(50 * 1024 * 1024),
    ] {
        let server = FaultServer::start(behaviour);
        let err = client_once(&server.endpoint())
            .describe_mesh()
            .mesh_name("m1")
            .send()
            .await
            .unwrap_err();
        // A 200 whose body is not the modeled JSON: an unhandled error
        // raised while deserializing, no modeled code.
        let service = err.as_service_error().unwrap_or_else(|| panic!("{err:?}"));
        assert!(service.meta().code().is_none(), "{err:?}");
        assert_eq!(err.raw_response().unwrap().status().as_u16(), 200);
        assert_eq!(server.request_count(), 1);
        assert_eq!(server.requests()[0].operation(), "DescribeMesh");
    }

    let server = FaultServer::start(Behaviour::Html(502));
    let err = client_once(&server.endpoint())
        .list_meshes()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.raw_response().map(|r| r.status().as_u16()),
        Some(502),
        "{err:?}"
    );
    let service = err.as_service_error().unwrap_or_else(|| panic!("{err:?}"));
    assert!(service.meta().code().is_none(), "{err:?}");
    // 502 is a transient error: the default client retries it.
    let server = FaultServer::start(Behaviour::Html(502));
    let _ = client(&server.endpoint())
        .list_meshes()
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.request_count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_hang_drip_close_and_closed_port() {
    let server = FaultServer::start(Behaviour::Hang);
    let err = client_timeout(&server.endpoint(), 1)
        .list_meshes()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::TimeoutError(_)), "{err:?}");
    assert_eq!(server.wait_for_requests(1)[0].operation(), "ListMeshes");

    let server = FaultServer::start(Behaviour::drip(Reply::ok(bodies::list_meshes(
        &["m1"],
        None,
    ))));
    let err = client_timeout(&server.endpoint(), 2)
        .list_meshes()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::TimeoutError(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);

    // A drip fast enough to finish still delivers a valid answer.
    let server = FaultServer::start(Behaviour::Drip {
        reply: Reply::ok(bodies::list_meshes(&["m1"], None)),
        every: Duration::from_millis(1),
    });
    let out = client_once(&server.endpoint())
        .list_meshes()
        .send()
        .await
        .unwrap();
    assert_eq!(out.meshes()[0].mesh_name(), "m1");

    let server = FaultServer::start(Behaviour::Close);
    let err = client_once(&server.endpoint())
        .list_meshes()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::DispatchFailure(_)), "{err:?}");
    assert_eq!(server.request_count(), 1);

    let port = fault::closed_port();
    let err = client_once(&format!("http://127.0.0.1:{port}"))
        .list_meshes()
        .send()
        .await
        .unwrap_err();
    match &err {
        SdkError::DispatchFailure(failure) => assert!(failure.is_io(), "{err:?}"),
        other => panic!("expected a dispatch failure: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_healthy_bodies_follow_the_model_and_requests_are_recorded() {
    let server = FaultServer::start(Behaviour::Healthy);
    let sdk = client_once(&server.endpoint());
    let out = sdk
        .create_mesh()
        .mesh_name("m1")
        .spec(
            MeshSpec::builder()
                .egress_filter(
                    EgressFilter::builder()
                        .r#type(EgressFilterType::AllowAll)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .tags(tag("a", "b"))
        .client_token("token-1")
        .send()
        .await
        .unwrap();
    let mesh = out.mesh().unwrap();
    assert_eq!(mesh.mesh_name(), "m1");
    assert_eq!(
        mesh.spec().unwrap().egress_filter().unwrap().r#type(),
        &EgressFilterType::AllowAll
    );
    let d = sdk.describe_mesh().mesh_name("m1").send().await.unwrap();
    assert_eq!(
        d.mesh().unwrap().metadata().unwrap().arn(),
        bodies::arn("m1")
    );
    let l = sdk.list_meshes().limit(5).send().await.unwrap();
    assert_eq!(l.meshes()[0].mesh_name(), "mesh-1");
    let arn = bodies::arn("m1");
    let t = sdk
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(t.tags().is_empty());
    sdk.tag_resource()
        .resource_arn(&arn)
        .tags(tag("k", "v"))
        .send()
        .await
        .unwrap();
    sdk.untag_resource()
        .resource_arn(&arn)
        .tag_keys("k")
        .send()
        .await
        .unwrap();
    let u = sdk.update_mesh().mesh_name("m1").send().await.unwrap();
    assert_eq!(u.mesh().unwrap().metadata().unwrap().version(), 2);
    let del = sdk.delete_mesh().mesh_name("m1").send().await.unwrap();
    assert_eq!(
        del.mesh().unwrap().status().unwrap().status(),
        Some(&MeshStatusCode::Deleted)
    );

    let reqs = server.requests();
    let ops: Vec<_> = reqs.iter().map(|r| r.operation()).collect();
    assert_eq!(
        ops,
        [
            "CreateMesh",
            "DescribeMesh",
            "ListMeshes",
            "ListTagsForResource",
            "TagResource",
            "UntagResource",
            "UpdateMesh",
            "DeleteMesh"
        ]
    );
    assert_eq!(reqs[0].json()["clientToken"], "token-1");
    assert_eq!(reqs[0].json()["tags"][0]["key"], "a");
    assert_eq!(reqs[2].query_param("limit").as_deref(), Some("5"));
    assert_eq!(
        reqs[3].query_param("resourceArn").as_deref(),
        Some(arn.as_str())
    );
    assert_eq!(reqs[5].json()["tagKeys"][0], "k");
    assert_eq!(reqs[1].path, "/v20190125/meshes/m1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_hostile_data_reaches_the_client_verbatim() {
    let server = FaultServer::start(Behaviour::Hostile);
    let sdk = client_once(&server.endpoint());
    let d = sdk.describe_mesh().mesh_name("m1").send().await.unwrap();
    let name = d.mesh().unwrap().mesh_name();
    assert_eq!(name, fault::HOSTILE);
    for part in [fault::OSC_TITLE, fault::OSC_CLIPBOARD, fault::CSI_CLEAR] {
        assert!(name.contains(part));
    }
    assert!(name.contains(fault::C1_CSI) && name.contains(fault::BIDI_OVERRIDE));
    let l = sdk.list_meshes().send().await.unwrap();
    assert_eq!(l.meshes()[0].mesh_name(), fault::HOSTILE);
    let t = sdk
        .list_tags_for_resource()
        .resource_arn("arn")
        .send()
        .await
        .unwrap();
    assert!(t.tags().iter().all(|t| t.value() == fault::HOSTILE));

    let server = FaultServer::start(Behaviour::Error(ApiError::hostile(
        400,
        "BadRequestException",
    )));
    let err = client_once(&server.endpoint())
        .create_mesh()
        .mesh_name("m")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_bad_request_exception());
    assert_eq!(err.message(), Some(fault::HOSTILE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_behaviour_can_change_and_custom_sees_requests() {
    let server = FaultServer::start(Behaviour::Error(ApiError::forbidden("not yet")));
    let sdk = client_once(&server.endpoint());
    assert!(sdk.list_meshes().send().await.is_err());
    server.set_behaviour(Behaviour::custom(|req, n| {
        support::fault::Action::Reply(Reply::ok(bodies::list_meshes(
            &[&format!("{}-{n}", req.operation())],
            Some("next"),
        )))
    }));
    let out = sdk.list_meshes().send().await.unwrap();
    assert_eq!(out.meshes()[0].mesh_name(), "ListMeshes-0");
    assert_eq!(out.next_token(), Some("next"));
    server.set_behaviour(Behaviour::Sequence(vec![
        ApiError::not_found("first").reply(0),
        Reply::ok(bodies::list_meshes(&[], None)),
    ]));
    // Numbering restarts when the behaviour changes; the last entry repeats.
    let err = sdk.list_meshes().send().await.unwrap_err();
    assert!(err.as_service_error().unwrap().is_not_found_exception());
    assert!(sdk.list_meshes().send().await.unwrap().meshes().is_empty());
    assert!(sdk.list_meshes().send().await.unwrap().meshes().is_empty());
    assert_eq!(server.request_count(), 5);
    assert_eq!(server.requests_for("ListMeshes").len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_route_scopes_a_behaviour_to_one_operation() {
    // The first CreateMesh is throttled, whatever came before it.
    let server = FaultServer::start(Behaviour::only(
        "CreateMesh",
        Behaviour::ThenSucceed {
            failures: 1,
            error: ApiError::too_many_requests("slow down"),
            then: Reply::ok(bodies::mesh_json("m1")),
        },
    ));
    let sdk = client_once(&server.endpoint());
    assert_eq!(sdk.list_meshes().send().await.unwrap().meshes().len(), 1);
    assert_eq!(sdk.list_meshes().send().await.unwrap().meshes().len(), 1);
    let err = sdk.create_mesh().mesh_name("m1").send().await.unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_too_many_requests_exception()
    );
    let ok = sdk.create_mesh().mesh_name("m1").send().await.unwrap();
    assert_eq!(ok.mesh().unwrap().mesh_name(), "m1");
    assert_eq!(server.requests_for("CreateMesh").len(), 2);
}

// ------------------------------------------------------------- (c) pty

#[test]
fn pty_screen_typing_and_exit() {
    let tui = Tui::spawn_program(
        "sh",
        &[
            "-c",
            "printf 'hello from sh\\n'; read x; echo \"got $x\"; exit 3",
        ],
        &[],
        80,
        24,
    );
    tui.wait_for("hello from sh");
    tui.type_text("abc");
    tui.key(Key::Enter);
    let screen = tui.wait_for("got abc");
    assert!(
        screen.starts_with("hello from sh\nabc\ngot abc"),
        "{screen:?}"
    );
    let status = tui.wait_exit();
    assert!(!status.success());
    assert_eq!(status.exit_code(), 3);
}

#[test]
fn pty_resize_reaches_the_program_and_the_emulator() {
    let tui = Tui::spawn_program(
        "sh",
        &["-c", "stty size; read x; stty size; read y"],
        &[],
        80,
        24,
    );
    tui.wait_for("24 80");
    tui.resize(100, 30);
    tui.key(Key::Enter);
    tui.wait_for("30 100");
    assert_eq!(tui.with_screen(|s| s.size()).1.get(), 100);
    tui.key(Key::Enter);
    assert!(tui.wait_exit().success());
}

#[test]
fn pty_colours_modes_titles_and_raw_output() {
    let script = r#"printf '\033[?1049h\033[?25l\033]0;my title\007\033[31mRED\033[0m \033[1;48;5;22mBOLD\033[0m\n'; read x; printf '\033[?25h\033[?1049l'; echo done"#;
    let tui = Tui::spawn_program("sh", &["-c", script], &[], 80, 24);
    tui.wait_for("RED BOLD");
    assert!(tui.alternate_screen());
    assert!(!tui.cursor_visible());
    let (row, col) = tui.find("RED").unwrap();
    assert_eq!(tui.cell_fg(row, col), Color::Idx(1));
    let (row, col) = tui.find("BOLD").unwrap();
    let cell = tui.cell(row, col).unwrap();
    assert!(cell.bold);
    assert_eq!(cell.bg, Color::Idx(22));
    assert_eq!(tui.titles(), vec!["my title".to_string()]);

    let mark = tui.output_len();
    tui.key(Key::Enter);
    tui.wait_for("done");
    let after = tui.raw_output_since(mark);
    let contains = |n: &[u8]| after.windows(n.len()).any(|w| w == n);
    assert!(contains(b"\x1b[?1049l") && contains(b"\x1b[?25h"));
    assert!(!tui.alternate_screen());
    assert!(tui.cursor_visible());
    tui.wait_exit();
    assert!(tui.raw_contains(b"\x1b[?1049h"));
}

#[test]
fn pty_keys_are_encoded_like_xterm() {
    // Read 14 bytes raw and print them in hex.
    let tui = Tui::spawn_program(
        "sh",
        &[
            "-c",
            "stty raw -echo; echo ready; head -c 14 | od -An -tx1 | tr -d '\\n'; echo; echo end",
        ],
        &[],
        80,
        24,
    );
    tui.wait_for("ready");
    tui.keys(&[
        Key::BackTab,
        Key::Up,
        Key::F(1),
        Key::Delete,
        Key::Ctrl('c'),
    ]);
    let screen = tui.wait_for("end");
    assert!(
        screen.contains("1b 5b 5a 1b 5b 41 1b 4f 50 1b 5b 33 7e 03"),
        "{screen}"
    );
}

#[test]
fn pty_answers_cursor_position_queries() {
    let tui = Tui::spawn_program(
        "sh",
        &[
            "-c",
            "stty raw -echo; printf 'ab\\033[6n'; head -c 6 | od -An -c; echo end",
        ],
        &[],
        80,
        24,
    );
    let screen = tui.wait_for("end");
    // ESC [ 1 ; 3 R : row 1, column 3 (after "ab").
    assert!(screen.contains("033   [   1   ;   3   R"), "{screen}");
}

#[test]
fn pty_environment_is_clean() {
    let tui = Tui::spawn_program(
        "sh",
        &[
            "-c",
            "env | grep -E '^(AWS_|HOME=|TERM=|XDG_CONFIG_HOME=|EXTRA=)' | sort; echo end",
        ],
        &[("EXTRA", "1"), ("AWS_REGION", "eu-west-1")],
        120,
        30,
    );
    let screen = tui.wait_for("end");
    let home = tui.home().display().to_string();
    let aws: Vec<&str> = screen.lines().filter(|l| l.starts_with("AWS_")).collect();
    assert_eq!(
        aws,
        vec![
            format!("AWS_CONFIG_FILE={home}/.aws/config").as_str(),
            "AWS_EC2_METADATA_DISABLED=true",
            "AWS_REGION=eu-west-1",
            format!("AWS_SHARED_CREDENTIALS_FILE={home}/.aws/credentials").as_str(),
        ],
        "{screen}"
    );
    assert!(screen.contains(&format!("HOME={home}")));
    assert!(screen.contains("TERM=xterm-256color"));
    assert!(screen.contains("EXTRA=1"));
    assert!(screen.contains(&format!("XDG_CONFIG_HOME={home}/.config")));
    assert_eq!(
        std::fs::read_to_string(tui.home().join(".aws/config")).unwrap(),
        ""
    );
}

#[test]
#[should_panic(expected = "the program exited first")]
fn pty_wait_fails_when_the_text_never_comes() {
    let tui = Tui::spawn_program("sh", &["-c", "echo something else"], &[], 80, 24);
    tui.wait_for("never printed");
}

#[test]
fn pty_kill_and_drop_end_the_program() {
    // Ignores SIGHUP: kill() has to escalate to SIGKILL.
    let tui = Tui::spawn_program(
        "sh",
        &["-c", "trap '' HUP; echo armed; while :; do read x; done"],
        &[],
        80,
        24,
    );
    tui.wait_for("armed");
    let status = tui.kill();
    assert!(!status.success());

    let tui = Tui::spawn_program("sleep", &["1000"], &[], 80, 24);
    let pid = tui.pid().unwrap();
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    drop(tui);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "child {pid} still there"
    );
}

#[test]
fn pty_runs_the_app_binary() {
    let tui = Tui::spawn(&["--help"], &[], 100, 120);
    let status = tui.wait_exit();
    let screen = tui.screen();
    assert!(status.success(), "{screen}");
    assert!(screen.contains("appmesh-tui"), "{screen}");
    assert!(screen.contains("--endpoint-url"), "{screen}");
}

/// The whole chain: the real binary in the pty, pointed at moto through the
/// proxy; Ctrl-C leaves and the terminal is restored.
#[test]
fn pty_drives_the_app_against_moto_and_it_restores_the_terminal() {
    let moto = Moto::start();
    let tui = Tui::spawn(
        &["--endpoint-url", &moto.endpoint()],
        &moto.app_env(),
        100,
        30,
    );
    tui.wait_screen("the app to draw on the alternate screen", |s| {
        s.alternate_screen() && !s.contents().trim().is_empty()
    });
    tui.wait_until("the endpoint in the header", |s| s.contains("127.0.0.1"));
    tui.key(Key::Ctrl('c'));
    let status = tui.wait_exit();
    assert!(status.success(), "{status:?}\n{}", tui.dump());
    assert!(!tui.alternate_screen());
    assert!(tui.cursor_visible());
    for seq in [
        &b"\x1b[?1049l"[..],
        b"\x1b[?25h",
        b"\x1b[?2004l",
        b"\x1b[?1000l",
    ] {
        assert!(
            tui.raw_contains(seq),
            "missing {:?}",
            String::from_utf8_lossy(seq)
        );
    }
}
