//! Every resource kind through aws-sdk-appmesh against the sandbox: the onboarding shape built
//! and described, lists, the rules between resources, tags on nested ARNs, two regions side by
//! side, and state that survives a restart.

mod support;

use appmesh_tui::sandbox::{Config, Sandbox, StateLocation};
use aws_sdk_appmesh::Client;
use aws_sdk_appmesh::types::{
    DnsServiceDiscovery, GatewayRouteSpec, GatewayRouteTarget, GatewayRouteVirtualService,
    HttpGatewayRoute, HttpGatewayRouteAction, HttpGatewayRouteMatch, HttpRoute, HttpRouteAction,
    HttpRouteMatch, Listener, PortMapping, PortProtocol, RouteSpec, ServiceDiscovery, TagRef,
    VirtualGatewayListener, VirtualGatewayPortMapping, VirtualGatewayPortProtocol,
    VirtualGatewaySpec, VirtualNodeSpec, VirtualRouterListener, VirtualRouterServiceProvider,
    VirtualRouterSpec, VirtualServiceProvider, VirtualServiceSpec, WeightedTarget,
};
use support::sdk::sandbox_client;

fn node_spec(host: &str) -> VirtualNodeSpec {
    VirtualNodeSpec::builder()
        .listeners(
            Listener::builder()
                .port_mapping(
                    PortMapping::builder()
                        .port(8080)
                        .protocol(PortProtocol::Http)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .service_discovery(ServiceDiscovery::Dns(
            DnsServiceDiscovery::builder()
                .hostname(host)
                .build()
                .unwrap(),
        ))
        .build()
}

fn route_spec(targets: &[(&str, i32)]) -> RouteSpec {
    let mut action = HttpRouteAction::builder();
    for (n, w) in targets {
        action = action.weighted_targets(
            WeightedTarget::builder()
                .virtual_node(*n)
                .weight(*w)
                .build()
                .unwrap(),
        );
    }
    RouteSpec::builder()
        .http_route(
            HttpRoute::builder()
                .r#match(HttpRouteMatch::builder().prefix("/").build())
                .action(action.build().unwrap())
                .build(),
        )
        .build()
}

/// mesh m: nodes v1, v2; router r with route canary (v1 90 / v2 10); service web on r;
/// gateway g with gateway route gr to web.
async fn onboard(c: &Client) {
    c.create_mesh().mesh_name("m").send().await.unwrap();
    for n in ["v1", "v2"] {
        c.create_virtual_node()
            .mesh_name("m")
            .virtual_node_name(n)
            .spec(node_spec(&format!("{n}.local")))
            .send()
            .await
            .unwrap();
    }
    c.create_virtual_router()
        .mesh_name("m")
        .virtual_router_name("r")
        .spec(
            VirtualRouterSpec::builder()
                .listeners(
                    VirtualRouterListener::builder()
                        .port_mapping(
                            PortMapping::builder()
                                .port(8080)
                                .protocol(PortProtocol::Http)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.create_route()
        .mesh_name("m")
        .virtual_router_name("r")
        .route_name("canary")
        .spec(route_spec(&[("v1", 90), ("v2", 10)]))
        .tags(TagRef::builder().key("team").value("web").build().unwrap())
        .send()
        .await
        .unwrap();
    c.create_virtual_service()
        .mesh_name("m")
        .virtual_service_name("web")
        .spec(
            VirtualServiceSpec::builder()
                .provider(VirtualServiceProvider::VirtualRouter(
                    VirtualRouterServiceProvider::builder()
                        .virtual_router_name("r")
                        .build()
                        .unwrap(),
                ))
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.create_virtual_gateway()
        .mesh_name("m")
        .virtual_gateway_name("g")
        .spec(
            VirtualGatewaySpec::builder()
                .listeners(
                    VirtualGatewayListener::builder()
                        .port_mapping(
                            VirtualGatewayPortMapping::builder()
                                .port(8080)
                                .protocol(VirtualGatewayPortProtocol::Http)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    c.create_gateway_route()
        .mesh_name("m")
        .virtual_gateway_name("g")
        .gateway_route_name("gr")
        .spec(
            GatewayRouteSpec::builder()
                .http_route(
                    HttpGatewayRoute::builder()
                        .r#match(HttpGatewayRouteMatch::builder().prefix("/").build())
                        .action(
                            HttpGatewayRouteAction::builder()
                                .target(
                                    GatewayRouteTarget::builder()
                                        .virtual_service(
                                            GatewayRouteVirtualService::builder()
                                                .virtual_service_name("web")
                                                .build()
                                                .unwrap(),
                                        )
                                        .build(),
                                )
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn every_kind_round_trips_with_the_rules_between_them() {
    let sb = Sandbox::start(Config::new("us-east-1", StateLocation::Ephemeral))
        .await
        .unwrap();
    let c = sandbox_client(&sb.endpoint(), "us-east-1", false);
    onboard(&c).await;

    // Describe: metadata, ARNs as the service writes them, the spec echoed.
    let route = c
        .describe_route()
        .mesh_name("m")
        .virtual_router_name("r")
        .route_name("canary")
        .send()
        .await
        .unwrap()
        .route
        .unwrap();
    let meta = route.metadata().unwrap();
    assert_eq!(
        meta.arn(),
        "arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualRouter/r/route/canary"
    );
    assert_eq!(meta.version(), 1);
    assert_eq!(
        route.spec().unwrap(),
        &route_spec(&[("v1", 90), ("v2", 10)])
    );
    let gr = c
        .describe_gateway_route()
        .mesh_name("m")
        .virtual_gateway_name("g")
        .gateway_route_name("gr")
        .send()
        .await
        .unwrap()
        .gateway_route
        .unwrap();
    assert_eq!(
        gr.metadata().unwrap().arn(),
        "arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualGateway/g/gatewayRoute/gr"
    );

    // Lists per kind and scope.
    let nodes = c.list_virtual_nodes().mesh_name("m").send().await.unwrap();
    let names: Vec<&str> = nodes
        .virtual_nodes()
        .iter()
        .map(|n| n.virtual_node_name())
        .collect();
    assert_eq!(names, ["v1", "v2"]);
    let routes = c
        .list_routes()
        .mesh_name("m")
        .virtual_router_name("r")
        .send()
        .await
        .unwrap();
    assert_eq!(routes.routes()[0].route_name(), "canary");
    assert_eq!(routes.routes()[0].virtual_router_name(), "r");

    // Tags on a nested ARN.
    let tags = c
        .list_tags_for_resource()
        .resource_arn(meta.arn())
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].key(), "team");

    // The rules: nothing in use can go.
    let e = c
        .delete_virtual_node()
        .mesh_name("m")
        .virtual_node_name("v2")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_resource_in_use_exception(), "{e:?}");
    assert!(e.meta().message().unwrap().contains("canary"));
    let e = c
        .delete_virtual_service()
        .mesh_name("m")
        .virtual_service_name("web")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_resource_in_use_exception(), "{e:?}");
    let e = c
        .delete_mesh()
        .mesh_name("m")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_resource_in_use_exception(), "{e:?}");
    let e = c
        .create_route()
        .mesh_name("m")
        .virtual_router_name("r")
        .route_name("bad")
        .spec(route_spec(&[("ghost", 1)]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_not_found_exception(), "{e:?}");

    // Shift the canary to 0/100: v1 is free, and the update bumps the version.
    let updated = c
        .update_route()
        .mesh_name("m")
        .virtual_router_name("r")
        .route_name("canary")
        .spec(route_spec(&[("v2", 100)]))
        .send()
        .await
        .unwrap()
        .route
        .unwrap();
    assert_eq!(updated.metadata().unwrap().version(), 2);
    let gone = c
        .delete_virtual_node()
        .mesh_name("m")
        .virtual_node_name("v1")
        .send()
        .await
        .unwrap()
        .virtual_node
        .unwrap();
    assert_eq!(
        gone.status().unwrap().status(),
        &aws_sdk_appmesh::types::VirtualNodeStatusCode::Deleted
    );

    // Everything in the order the service needs, then the mesh.
    c.delete_gateway_route()
        .mesh_name("m")
        .virtual_gateway_name("g")
        .gateway_route_name("gr")
        .send()
        .await
        .unwrap();
    c.delete_virtual_gateway()
        .mesh_name("m")
        .virtual_gateway_name("g")
        .send()
        .await
        .unwrap();
    c.delete_virtual_service()
        .mesh_name("m")
        .virtual_service_name("web")
        .send()
        .await
        .unwrap();
    c.delete_route()
        .mesh_name("m")
        .virtual_router_name("r")
        .route_name("canary")
        .send()
        .await
        .unwrap();
    c.delete_virtual_router()
        .mesh_name("m")
        .virtual_router_name("r")
        .send()
        .await
        .unwrap();
    c.delete_virtual_node()
        .mesh_name("m")
        .virtual_node_name("v2")
        .send()
        .await
        .unwrap();
    c.delete_mesh().mesh_name("m").send().await.unwrap();
    assert!(sb.mesh_names().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn each_region_holds_its_own_resources() {
    let sb = Sandbox::start(Config::new("us-east-1", StateLocation::Ephemeral))
        .await
        .unwrap();
    let east = sandbox_client(&sb.endpoint(), "us-east-1", false);
    let west = sandbox_client(&sb.endpoint(), "eu-west-1", false);
    east.create_mesh().mesh_name("same").send().await.unwrap();
    let w = west
        .create_mesh()
        .mesh_name("same")
        .send()
        .await
        .unwrap()
        .mesh
        .unwrap();
    assert_eq!(
        w.metadata().unwrap().arn(),
        "arn:aws:appmesh:eu-west-1:111122223333:mesh/same"
    );
    west.create_mesh()
        .mesh_name("west-only")
        .send()
        .await
        .unwrap();
    let listed: Vec<String> = east
        .list_meshes()
        .send()
        .await
        .unwrap()
        .meshes()
        .iter()
        .map(|m| m.mesh_name().to_string())
        .collect();
    assert_eq!(listed, ["same"]);
    let e = east
        .describe_mesh()
        .mesh_name("west-only")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_not_found_exception());
    sb.shutdown().await;
}

#[tokio::test]
async fn every_kind_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let sb = Sandbox::start(Config::new("us-east-1", StateLocation::File(path.clone())))
        .await
        .unwrap();
    let c = sandbox_client(&sb.endpoint(), "us-east-1", false);
    onboard(&c).await;
    sb.shutdown().await;
    let sb = Sandbox::start(Config::new("us-east-1", StateLocation::File(path)))
        .await
        .unwrap();
    assert_eq!(
        sb.summary(),
        "1 mesh, 1 virtual service, 2 virtual nodes, 1 virtual router, 1 route, 1 virtual gateway, 1 gateway route"
    );
    let c = sandbox_client(&sb.endpoint(), "us-east-1", false);
    let route = c
        .describe_route()
        .mesh_name("m")
        .virtual_router_name("r")
        .route_name("canary")
        .send()
        .await
        .unwrap()
        .route
        .unwrap();
    assert_eq!(
        route.spec().unwrap(),
        &route_spec(&[("v1", 90), ("v2", 10)])
    );
    // The rules hold after the restart too.
    let e = c
        .delete_virtual_router()
        .mesh_name("m")
        .virtual_router_name("r")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_resource_in_use_exception());
    sb.shutdown().await;
}
