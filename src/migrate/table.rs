//! THE mapping table: every App Mesh field, per migration target, with its fate — mapped (the
//! output carries it), approximated (the output carries something close; `how` says what), or
//! lost (the output does not carry it; `how` says what to do instead) — and where that comes
//! from. The report, the Migrate view and the README's summary are read from this table; the
//! converters (`lattice.rs`, `ecs.rs`) produce what the "mapped" and "approximated" lines say.
//!
//! A row names a field by a path into the kind's spec in the wire form: members separated by
//! `.`, `name[]` for the items of a list, `*` for any one member (a route's `httpRoute` /
//! `http2Route` / `grpcRoute` / `tcpRoute`). The empty path is the resource itself; `tags` its
//! tags. A field used by a mesh takes the most specific row that covers it (see [`lookup`]).
//! Tests check that the rows cover every field of the service model, and none is dead.

use super::Target;
use crate::kind::Kind;

/// What becomes of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Mapped,
    Approximated,
    Lost,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Mapped => "mapped",
            Status::Approximated => "approximated",
            Status::Lost => "lost",
        }
    }
}

/// Where a line of the table comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Src {
    LatticeBlog,
    EcsLatticeBlog,
    ServiceConnectBlog,
    LatticeSample,
    GatewayApiDocs,
    LatticeGuide,
    CfnLattice,
    CfnEcs,
    Terraform,
    ExternalConnectivity,
}

impl Src {
    pub const ALL: [Src; 10] = [
        Src::LatticeBlog,
        Src::EcsLatticeBlog,
        Src::ServiceConnectBlog,
        Src::LatticeSample,
        Src::GatewayApiDocs,
        Src::LatticeGuide,
        Src::CfnLattice,
        Src::CfnEcs,
        Src::Terraform,
        Src::ExternalConnectivity,
    ];

    /// The short reference used in tables: `[L1]`.
    pub fn tag(self) -> &'static str {
        match self {
            Src::LatticeBlog => "L1",
            Src::EcsLatticeBlog => "L2",
            Src::ServiceConnectBlog => "S1",
            Src::LatticeSample => "L3",
            Src::GatewayApiDocs => "G1",
            Src::LatticeGuide => "L4",
            Src::CfnLattice => "C1",
            Src::CfnEcs => "C2",
            Src::Terraform => "T1",
            Src::ExternalConnectivity => "L5",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Src::LatticeBlog => {
                "AWS Containers blog: Migrating from AWS App Mesh to Amazon VPC Lattice"
            }
            Src::EcsLatticeBlog => {
                "AWS Containers blog: Migrate Amazon ECS workloads from AWS App Mesh to Amazon VPC Lattice"
            }
            Src::ServiceConnectBlog => {
                "AWS Containers blog: Migrating from AWS App Mesh to Amazon ECS Service Connect"
            }
            Src::LatticeSample => {
                "aws-samples/migrating-from-aws-app-mesh-to-amazon-vpc-lattice (vpc-lattice-config/files: HTTPRoute, TargetGroupPolicy, lattice-nlb.yaml)"
            }
            Src::GatewayApiDocs => {
                "AWS Gateway API Controller docs (aws/aws-application-networking-k8s docs/api-types: gateway.md, http-route.md, grpc-route.md, target-group-policy.md)"
            }
            Src::LatticeGuide => {
                "Amazon VPC Lattice User Guide: target groups, listeners, listener rules"
            }
            Src::CfnLattice => {
                "CloudFormation AWS::VpcLattice::ServiceNetwork, Service, Listener, Rule, TargetGroup (resource schemas as cfn-lint ships them)"
            }
            Src::CfnEcs => {
                "CloudFormation AWS::ECS::Service ServiceConnectConfiguration, ServiceConnectService (at most one client alias), ServiceConnectClientAlias; AWS::ServiceDiscovery::HttpNamespace"
            }
            Src::Terraform => {
                "Terraform AWS provider: aws_vpclattice_service_network, _service, _listener, _listener_rule, _target_group; aws_ecs_service service_connect_configuration; aws_service_discovery_http_namespace"
            }
            Src::ExternalConnectivity => {
                "AWS Solutions: Guidance for External Connectivity to Amazon VPC Lattice"
            }
        }
    }

    pub fn url(self) -> &'static str {
        match self {
            Src::LatticeBlog => {
                "https://aws.amazon.com/blogs/containers/migrating-from-aws-app-mesh-to-amazon-vpc-lattice/"
            }
            Src::EcsLatticeBlog => {
                "https://aws.amazon.com/blogs/containers/migrate-amazon-ecs-workloads-from-aws-app-mesh-to-amazon-vpc-lattice/"
            }
            Src::ServiceConnectBlog => {
                "https://aws.amazon.com/blogs/containers/migrating-from-aws-app-mesh-to-amazon-ecs-service-connect/"
            }
            Src::LatticeSample => {
                "https://github.com/aws-samples/migrating-from-aws-app-mesh-to-amazon-vpc-lattice"
            }
            Src::GatewayApiDocs => {
                "https://github.com/aws/aws-application-networking-k8s/tree/main/docs/api-types"
            }
            Src::LatticeGuide => {
                "https://docs.aws.amazon.com/vpc-lattice/latest/ug/target-groups.html"
            }
            Src::CfnLattice => {
                "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_VpcLattice.html"
            }
            Src::CfnEcs => {
                "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-service-serviceconnectservice.html"
            }
            Src::Terraform => {
                "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpclattice_listener_rule"
            }
            Src::ExternalConnectivity => {
                "https://aws.amazon.com/solutions/guidance/external-connectivity-to-amazon-vpc-lattice"
            }
        }
    }
}

/// The fate of a field in one target.
#[derive(Clone, Copy, Debug)]
pub struct Fate {
    pub status: Status,
    /// What it becomes (for lost fields: nothing, or the alternative's construct).
    pub to: &'static str,
    /// Approximated: how. Lost: what to do instead. Mapped: a detail worth knowing, or "".
    pub how: &'static str,
    pub src: Src,
}

/// One line of the table.
#[derive(Clone, Copy, Debug)]
pub struct Mapping {
    pub kind: Kind,
    pub field: &'static str,
    pub lattice: Fate,
    pub gateway_api: Fate,
    pub service_connect: Fate,
}

impl Mapping {
    pub fn fate(&self, target: Target) -> &Fate {
        match target {
            Target::Lattice => &self.lattice,
            Target::LatticeGatewayApi => &self.gateway_api,
            Target::ServiceConnect => &self.service_connect,
        }
    }

    /// `virtual node listeners[].healthCheck`, `mesh` (the resource), `route tags`.
    pub fn label(&self) -> String {
        if self.field.is_empty() {
            format!("{}", self.kind)
        } else {
            format!("{} {}", self.kind, self.field)
        }
    }
}

const fn m(to: &'static str, how: &'static str, src: Src) -> Fate {
    Fate {
        status: Status::Mapped,
        to,
        how,
        src,
    }
}
const fn a(to: &'static str, how: &'static str, src: Src) -> Fate {
    Fate {
        status: Status::Approximated,
        to,
        how,
        src,
    }
}
const fn l(to: &'static str, how: &'static str, src: Src) -> Fate {
    Fate {
        status: Status::Lost,
        to,
        how,
        src,
    }
}

const fn row(
    kind: Kind,
    field: &'static str,
    lattice: Fate,
    gateway_api: Fate,
    service_connect: Fate,
) -> Mapping {
    Mapping {
        kind,
        field,
        lattice,
        gateway_api,
        service_connect,
    }
}

use Kind::{GatewayRoute, Mesh, Route, VirtualGateway, VirtualNode, VirtualRouter, VirtualService};
use Src::*;

const RETRY_ADVICE: &str =
    "retry in the client (the AWS SDKs' standard retry mode, or the application's own policy)";
const WEIGHT_ADVICE: &str = "keep weighted traffic outside Service Connect: ALB weighted target groups, Route 53 weighted records, or CloudFront continuous deployment, in front of two ECS services";

/// The table. Order: kind, then field as a reader meets them.
pub static TABLE: &[Mapping] = &[
    // ---- mesh
    row(
        Mesh,
        "",
        m(
            "VPC Lattice service network (AWS::VpcLattice::ServiceNetwork) + a VPC association",
            "",
            LatticeBlog,
        ),
        m(
            "Gateway (gatewayClassName amazon-vpc-lattice) naming a service network of the same name; the service network itself in the CloudFormation / Terraform output",
            "the controller maps a Gateway to the service network with its name",
            GatewayApiDocs,
        ),
        m(
            "AWS Cloud Map HTTP namespace (AWS::ServiceDiscovery::HttpNamespace) that the ECS services join",
            "",
            ServiceConnectBlog,
        ),
    ),
    row(
        Mesh,
        "tags",
        m(
            "tags of the service network (values left out when empty: VPC Lattice tag values need 1–256 characters)",
            "",
            CfnLattice,
        ),
        a(
            "tags of the service network in the CloudFormation / Terraform output",
            "Kubernetes objects get none; the controller tags what it creates (its additional-tags guide)",
            GatewayApiDocs,
        ),
        m("tags of the Cloud Map namespace", "", CfnEcs),
    ),
    row(
        Mesh,
        "egressFilter",
        l(
            "",
            "VPC Lattice has no egress filter: restrict egress with security groups, network ACLs or AWS Network Firewall",
            LatticeBlog,
        ),
        l(
            "",
            "no egress filter: use Kubernetes NetworkPolicy or security groups for pods",
            LatticeBlog,
        ),
        l(
            "",
            "Service Connect has no egress filter: restrict egress with the tasks' security groups",
            ServiceConnectBlog,
        ),
    ),
    row(
        Mesh,
        "serviceDiscovery.ipPreference",
        a(
            "target groups' IpAddressType",
            "IPv6_ONLY / IPv6_PREFERRED give IPV6, the others IPV4; VPC Lattice has no preference order",
            CfnLattice,
        ),
        l(
            "",
            "set the Service's ipFamilyPolicy; the controller creates IPv4 target groups unless the Service is IPv6",
            GatewayApiDocs,
        ),
        l(
            "",
            "Service Connect follows the task's subnets; there is no preference to set",
            ServiceConnectBlog,
        ),
    ),
    // ---- virtual service
    row(
        VirtualService,
        "",
        m(
            "VPC Lattice service (its own DNS name) associated with the service network",
            "clients call the Lattice service's DNS name, or set CustomDomainName to the App Mesh name",
            LatticeBlog,
        ),
        m(
            "HTTPRoute (GRPCRoute for gRPC routers) under the Gateway; each route becomes one Lattice service",
            "",
            GatewayApiDocs,
        ),
        m(
            "client alias (dnsName = the virtual service name, port = the listener's) on the ECS service that provides it",
            "an ECS service has at most one client alias per Service Connect service",
            CfnEcs,
        ),
    ),
    row(
        VirtualService,
        "tags",
        m(
            "tags of the Lattice service",
            "empty values left out",
            CfnLattice,
        ),
        l(
            "",
            "Kubernetes objects get no tags: put them on the route's metadata.labels by hand",
            GatewayApiDocs,
        ),
        l("", "a client alias has no tags: they go nowhere", CfnEcs),
    ),
    row(
        VirtualService,
        "provider.virtualNode",
        m(
            "listener whose default action forwards to the node's target group",
            "",
            LatticeGuide,
        ),
        m(
            "one route rule whose backendRef is the node's Kubernetes Service",
            "",
            GatewayApiDocs,
        ),
        m(
            "the client alias sits on the node's ECS service",
            "",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualService,
        "provider.virtualRouter",
        m(
            "listeners (one per router listener) with rules from the router's routes",
            "",
            LatticeBlog,
        ),
        m("route rules from the router's routes", "", GatewayApiDocs),
        a(
            "the client alias sits on the ECS service of the node with the largest weight in the router's catch-all route (prefix / and nothing else; else its first route)",
            "every other route and weighted target loses its traffic",
            ServiceConnectBlog,
        ),
    ),
    // ---- virtual node
    row(
        VirtualNode,
        "",
        m(
            "target group (type IP) per node listener, with its health check",
            "register the tasks' or pods' IP addresses (ECS and EKS register them for you)",
            LatticeBlog,
        ),
        m(
            "a Kubernetes Service named after the node (the first label of a *.svc.cluster.local hostname) as backendRef, with a TargetGroupPolicy",
            "",
            LatticeSample,
        ),
        m(
            "the Service Connect configuration of one ECS service (ServiceConnectConfiguration)",
            "an ECS service cannot be in a mesh and a Service Connect namespace at once: migrate by blue/green",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "tags",
        m(
            "tags of the target groups",
            "empty values left out",
            CfnLattice,
        ),
        l("", "Kubernetes objects get no tags", GatewayApiDocs),
        m("tags of the ECS service", "", CfnEcs),
    ),
    row(
        VirtualNode,
        "serviceDiscovery.dns",
        a(
            "target group of type IP",
            "VPC Lattice does not resolve the hostname: register the addresses behind it as targets",
            LatticeGuide,
        ),
        a(
            "the Service named by the hostname (name.namespace.svc.cluster.local), else one named after the node",
            "check that the Service exists with that name",
            LatticeSample,
        ),
        a(
            "Service Connect discovery name from the node",
            "Service Connect registers the tasks in the Cloud Map namespace itself; DNS hostnames are not used",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "serviceDiscovery.dns.responseType",
        l(
            "",
            "VPC Lattice balances across registered targets itself",
            LatticeGuide,
        ),
        l(
            "",
            "VPC Lattice balances across registered targets itself",
            LatticeGuide,
        ),
        l(
            "",
            "Service Connect balances across the tasks itself",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "serviceDiscovery.dns.ipPreference",
        a(
            "target group IpAddressType",
            "IPv6_ONLY / IPv6_PREFERRED give IPV6, the others IPV4",
            CfnLattice,
        ),
        l("", "set the Service's ipFamilyPolicy", GatewayApiDocs),
        l(
            "",
            "Service Connect follows the task's subnets",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "serviceDiscovery.awsCloudMap",
        a(
            "target group of type IP",
            "register the instances of the Cloud Map service as targets (ECS can register tasks into a Lattice target group: VpcLatticeConfigurations)",
            EcsLatticeBlog,
        ),
        a(
            "the Service named after the Cloud Map service name",
            "check that the Service exists with that name",
            LatticeSample,
        ),
        m(
            "Service Connect discovery name = the Cloud Map service name; the namespace is the mesh's",
            "Service Connect creates the Cloud Map service itself",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "serviceDiscovery.awsCloudMap.attributes[]",
        l(
            "",
            "register only the matching instances as targets",
            LatticeGuide,
        ),
        l(
            "",
            "select the pods with the Service's selector instead",
            GatewayApiDocs,
        ),
        l(
            "",
            "Service Connect registers every task of the service: split tasks into separate ECS services instead",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "serviceDiscovery.awsCloudMap.ipPreference",
        a(
            "target group IpAddressType",
            "IPv6_ONLY / IPv6_PREFERRED give IPV6, the others IPV4",
            CfnLattice,
        ),
        l("", "set the Service's ipFamilyPolicy", GatewayApiDocs),
        l(
            "",
            "Service Connect follows the task's subnets",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "listeners[].portMapping",
        m(
            "target group Port, Protocol and ProtocolVersion (http → HTTP/HTTP1, http2 → HTTP/HTTP2, grpc → HTTP/GRPC)",
            "tcp: no target group (see route tcpRoute)",
            CfnLattice,
        ),
        m(
            "the backendRef port, and TargetGroupPolicy protocol and protocolVersion",
            "",
            GatewayApiDocs,
        ),
        m(
            "a named port mapping (portName) the task definition must declare, with appProtocol http / http2 / grpc",
            "tcp listeners get no appProtocol",
            CfnEcs,
        ),
    ),
    row(
        VirtualNode,
        "listeners[].healthCheck",
        m(
            "target group HealthCheck (interval and timeout in seconds, thresholds, path, port, protocol)",
            "milliseconds are rounded up to whole seconds and clamped to Lattice's ranges (interval 5–300 s, timeout 1–120 s); tcp checks become HTTP checks of path / (VPC Lattice checks over HTTP/HTTPS only), grpc checks HTTP/2",
            CfnLattice,
        ),
        m(
            "TargetGroupPolicy healthCheck",
            "the same conversion as for VPC Lattice",
            LatticeSample,
        ),
        l(
            "",
            "define the health check on the container in the task definition; Service Connect sends traffic only to healthy tasks",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "listeners[].outlierDetection",
        l(
            "",
            "VPC Lattice has no outlier detection: tune the target group's health check instead",
            LatticeBlog,
        ),
        l(
            "",
            "VPC Lattice has no outlier detection: tune the TargetGroupPolicy health check instead",
            LatticeBlog,
        ),
        a(
            "Service Connect's built-in outlier detection",
            "it is on by default and cannot be tuned",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "listeners[].connectionPool",
        l(
            "",
            "VPC Lattice has no connection pool limits: limit concurrency in the application",
            LatticeBlog,
        ),
        l(
            "",
            "no connection pool limits: limit concurrency in the application",
            LatticeBlog,
        ),
        l(
            "",
            "Service Connect has no connection pool limits: limit concurrency in the application",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "listeners[].timeout",
        l(
            "",
            "VPC Lattice has no per-target timeouts: set them in the clients",
            LatticeGuide,
        ),
        l(
            "",
            "no per-target timeouts: set them in the clients",
            GatewayApiDocs,
        ),
        m(
            "ServiceConnectService Timeout: IdleTimeoutSeconds, PerRequestTimeoutSeconds",
            "milliseconds rounded up to whole seconds; the first listener with a timeout wins",
            CfnEcs,
        ),
    ),
    row(
        VirtualNode,
        "listeners[].tls",
        a(
            "target group protocol HTTPS when mode is STRICT",
            "Lattice re-encrypts to the targets but checks no certificate of theirs; PERMISSIVE and DISABLED stay HTTP",
            LatticeGuide,
        ),
        a(
            "TargetGroupPolicy protocol HTTPS when mode is STRICT",
            "certificate validation toward targets is not supported",
            GatewayApiDocs,
        ),
        a(
            "ServiceConnectService Tls with an AWS Private CA issuer",
            "App Mesh certificates from ACM Private CA: give the CA's ARN (the output asks for it); file and SDS certificates have no equivalent",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "listeners[].tls.validation",
        l(
            "",
            "no mutual TLS: authenticate callers with an IAM auth policy (auth type AWS_IAM, SigV4-signed requests)",
            LatticeBlog,
        ),
        l(
            "",
            "no mutual TLS: use an IAMAuthPolicy and SigV4-signed requests",
            GatewayApiDocs,
        ),
        l(
            "",
            "Service Connect TLS does not validate client certificates",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "backends[]",
        a(
            "nothing to declare: every service in the service network is reachable",
            "to keep the allow-list, write an IAM auth policy on each Lattice service that admits this node's callers",
            LatticeBlog,
        ),
        a(
            "nothing to declare: every route under the Gateway is reachable",
            "to keep the allow-list, add an IAMAuthPolicy",
            GatewayApiDocs,
        ),
        a(
            "the ECS service joins the namespace as a client and reaches every client alias",
            "Service Connect has no per-backend allow-list",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "backends[].virtualService.clientPolicy",
        l(
            "",
            "clients speak plain HTTP or HTTPS to VPC Lattice; client-side TLS policy does not exist",
            LatticeBlog,
        ),
        l("", "client-side TLS policy does not exist", LatticeBlog),
        l(
            "",
            "client-side TLS policy does not exist in Service Connect",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "backendDefaults",
        l(
            "",
            "clients speak plain HTTP or HTTPS to VPC Lattice; client-side TLS policy does not exist",
            LatticeBlog,
        ),
        l("", "client-side TLS policy does not exist", LatticeBlog),
        l(
            "",
            "client-side TLS policy does not exist in Service Connect",
            ServiceConnectBlog,
        ),
    ),
    row(
        VirtualNode,
        "logging.accessLog",
        l(
            "",
            "add an access log subscription (AWS::VpcLattice::AccessLogSubscription) on the service network or service, to CloudWatch Logs, S3 or Firehose",
            LatticeBlog,
        ),
        l(
            "",
            "add an AccessLogPolicy (controller CRD) on the Gateway or route",
            GatewayApiDocs,
        ),
        l(
            "",
            "set ServiceConnectConfiguration LogConfiguration (awslogs) for the Service Connect proxy's logs",
            CfnEcs,
        ),
    ),
    // ---- virtual router
    row(
        VirtualRouter,
        "",
        m(
            "the listeners and rules of the Lattice services it provides",
            "a router that provides no virtual service produces nothing",
            LatticeBlog,
        ),
        m(
            "the rules of the HTTPRoute / GRPCRoute of each virtual service it provides",
            "",
            GatewayApiDocs,
        ),
        l("", WEIGHT_ADVICE, ServiceConnectBlog),
    ),
    row(
        VirtualRouter,
        "tags",
        l("", "listeners get no tags in this output", CfnLattice),
        l("", "Kubernetes objects get no tags", GatewayApiDocs),
        l("", "nothing to tag", ServiceConnectBlog),
    ),
    row(
        VirtualRouter,
        "listeners[].portMapping",
        a(
            "listener Port and Protocol: http → HTTP; http2 and grpc → HTTPS (VPC Lattice speaks HTTP/2 to clients over TLS only)",
            "clients of http2 and grpc routers switch to https; tcp listeners get no Lattice listener",
            LatticeGuide,
        ),
        a(
            "Gateway listener: http → HTTP port 80 (sectionName http); http2 and grpc → HTTPS 443 (sectionName https)",
            "routes attach to the Gateway's listener, not to a port of their own; tcp listeners get none",
            GatewayApiDocs,
        ),
        a(
            "the client alias port",
            "the alias keeps the router listener's port; the container port is the node listener's",
            CfnEcs,
        ),
    ),
    // ---- route
    row(
        Route,
        "",
        m(
            "listener rule (AWS::VpcLattice::Rule) on the listener of its protocol",
            "",
            LatticeBlog,
        ),
        m(
            "one rule of the HTTPRoute (GRPCRoute for grpcRoute)",
            "",
            GatewayApiDocs,
        ),
        l("", WEIGHT_ADVICE, ServiceConnectBlog),
    ),
    row(
        Route,
        "tags",
        l("", "rules get no tags in this output", CfnLattice),
        l("", "Kubernetes objects get no tags", GatewayApiDocs),
        l("", "nothing to tag", ServiceConnectBlog),
    ),
    row(
        Route,
        "priority",
        a(
            "rule Priority 1–100",
            "App Mesh priority order (unset last, then by name) becomes 1, 2, 3 …; routes past 100 on one listener are left out and named in the report",
            CfnLattice,
        ),
        a(
            "rule order in the route",
            "Gateway API ranks matches by specificity, not by order: check overlapping matches",
            GatewayApiDocs,
        ),
        l("", WEIGHT_ADVICE, ServiceConnectBlog),
    ),
    row(
        Route,
        "*.action.weightedTargets[]",
        m(
            "forward action with weighted target groups",
            "weight-0 targets are left out (VPC Lattice rule weights are 1–999); a route with only weight-0 targets answers a fixed 503",
            CfnLattice,
        ),
        m("backendRefs with weight", "", GatewayApiDocs),
        l("", WEIGHT_ADVICE, ServiceConnectBlog),
    ),
    row(
        Route,
        "*.action.weightedTargets[].port",
        m(
            "the target group of the node's listener on that port",
            "",
            CfnLattice,
        ),
        m("backendRef port", "", GatewayApiDocs),
        l("", WEIGHT_ADVICE, ServiceConnectBlog),
    ),
    row(
        Route,
        "*.match.prefix",
        m(
            "rule PathMatch Prefix",
            "characters VPC Lattice does not allow in a path match are percent-encoded",
            CfnLattice,
        ),
        m("path match type PathPrefix", "", GatewayApiDocs),
        l(
            "",
            "Service Connect does not route by path: route in the application or with an ALB",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "*.match.path.exact",
        m(
            "rule PathMatch Exact",
            "characters VPC Lattice does not allow in a path match are percent-encoded",
            CfnLattice,
        ),
        m("path match type Exact", "", GatewayApiDocs),
        l(
            "",
            "Service Connect does not route by path",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "*.match.path.regex",
        l(
            "",
            "VPC Lattice matches exact paths and prefixes only: list the paths as rules",
            LatticeGuide,
        ),
        l(
            "",
            "the controller supports Exact and PathPrefix only: list the paths",
            GatewayApiDocs,
        ),
        l(
            "",
            "Service Connect does not route by path",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "*.match.method",
        m(
            "rule HttpMatch Method",
            "PATCH cannot be matched (VPC Lattice's methods are CONNECT, DELETE, GET, HEAD, OPTIONS, POST, PUT, TRACE): such a rule is left out",
            CfnLattice,
        ),
        m("match method", "", GatewayApiDocs),
        l(
            "",
            "Service Connect does not route by method",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "*.match.headers[]",
        m(
            "rule HeaderMatches (Exact, Prefix)",
            "at most 5 per rule and names of at most 40 characters; suffix, regex, range and invert cannot be expressed: a rule that needs them is left out",
            CfnLattice,
        ),
        m(
            "header matches (Exact)",
            "prefix becomes a RegularExpression match, which the controller does not support: check; suffix, regex, range and invert are left out",
            GatewayApiDocs,
        ),
        l(
            "",
            "Service Connect does not route by header",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "grpcRoute.match.metadata[]",
        m(
            "rule HeaderMatches (Exact, Prefix)",
            "as for HTTP headers",
            CfnLattice,
        ),
        m(
            "GRPCRoute header matches (Exact)",
            "suffix, regex, range and invert are left out",
            GatewayApiDocs,
        ),
        l(
            "",
            "Service Connect does not route by metadata",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "grpcRoute.match.serviceName",
        a(
            "rule PathMatch Prefix /SERVICE/ (Exact /SERVICE/METHOD with methodName), method POST",
            "a gRPC call is a POST to /package.Service/Method",
            LatticeGuide,
        ),
        m("GRPCRoute method match service", "", GatewayApiDocs),
        l(
            "",
            "Service Connect does not route by gRPC method",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "grpcRoute.match.methodName",
        a(
            "rule PathMatch Exact /SERVICE/METHOD",
            "see serviceName",
            LatticeGuide,
        ),
        m(
            "GRPCRoute method match method",
            "matches are case-insensitive in the controller",
            GatewayApiDocs,
        ),
        l(
            "",
            "Service Connect does not route by gRPC method",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "*.match.queryParameters[]",
        l(
            "",
            "VPC Lattice rules cannot match query parameters: route in the application",
            LatticeGuide,
        ),
        l(
            "",
            "the controller does not support query parameter matches",
            GatewayApiDocs,
        ),
        l(
            "",
            "Service Connect does not route by query",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "*.match.scheme",
        l(
            "",
            "VPC Lattice rules cannot match the scheme: a listener has one protocol",
            LatticeGuide,
        ),
        l("", "the listener decides the scheme", GatewayApiDocs),
        l(
            "",
            "Service Connect does not route by scheme",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "*.match.port",
        m(
            "the rule goes on the listener of that port",
            "",
            LatticeGuide,
        ),
        a(
            "parentRefs sectionName of the protocol's Gateway listener",
            "the Gateway's listeners are per protocol, not per App Mesh port",
            GatewayApiDocs,
        ),
        l(
            "",
            "Service Connect does not route by port",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "*.retryPolicy",
        l("", RETRY_ADVICE, LatticeBlog),
        l("", RETRY_ADVICE, LatticeBlog),
        a(
            "Service Connect's built-in retries",
            "on by default and not tunable",
            ServiceConnectBlog,
        ),
    ),
    row(
        Route,
        "*.timeout",
        l(
            "",
            "VPC Lattice rules have no timeouts: set them in the clients",
            LatticeGuide,
        ),
        l(
            "",
            "the controller does not support HTTPRoute timeouts",
            GatewayApiDocs,
        ),
        l(
            "",
            "set Timeout on the ECS service's Service Connect service instead (per service, not per route)",
            CfnEcs,
        ),
    ),
    row(
        Route,
        "tcpRoute",
        l(
            "",
            "VPC Lattice services carry HTTP, HTTPS, gRPC and TLS passthrough, not plain TCP: reach TCP services through a VPC Lattice resource configuration, or an NLB",
            LatticeGuide,
        ),
        l(
            "",
            "no TCPRoute in the controller: use a TLSRoute (TLS passthrough) or a Service of type LoadBalancer",
            GatewayApiDocs,
        ),
        l("", WEIGHT_ADVICE, ServiceConnectBlog),
    ),
    // ---- virtual gateway: no equivalent in any target
    row(
        VirtualGateway,
        "",
        l(
            "",
            "VPC Lattice has no ingress gateway: put an internet-facing NLB or ALB (or a proxy in a VPC associated with the service network) in front of the Lattice services; AWS's sample uses an NLB Service for its frontend",
            ExternalConnectivity,
        ),
        l(
            "",
            "expose the entry Service as type LoadBalancer (an NLB), as AWS's sample does (lattice-nlb.yaml)",
            LatticeSample,
        ),
        l(
            "",
            "put an ALB or NLB in front of the entry ECS service",
            ServiceConnectBlog,
        ),
    ),
    row(
        GatewayRoute,
        "",
        l(
            "",
            "write the matches as listener rules of the ALB in front (path, host and header conditions; rewrites via the application)",
            ExternalConnectivity,
        ),
        l(
            "",
            "write them as the ingress load balancer's rules, or as an HTTPRoute on an internet-facing gateway controller",
            LatticeSample,
        ),
        l(
            "",
            "write them as listener rules of the ALB in front",
            ServiceConnectBlog,
        ),
    ),
];

/// The row covering `field` (a used field of a `kind` spec, normalized: `listeners[].tls.mode`;
/// "" for the resource, "tags" for its tags): the most specific pattern that is a prefix of it,
/// where a named member beats `*` at the first place they differ, then the longer pattern wins.
pub fn lookup(kind: Kind, field: &str) -> &'static Mapping {
    &TABLE[lookup_index(kind, field)]
}

/// [`lookup`], as an index into [`TABLE`].
pub fn lookup_index(kind: Kind, field: &str) -> usize {
    let segs: Vec<&str> = if field.is_empty() {
        Vec::new()
    } else {
        field.split('.').collect()
    };
    let mut best: Option<(usize, Vec<u8>)> = None;
    for (i, r) in TABLE.iter().enumerate().filter(|(_, r)| r.kind == kind) {
        let pat: Vec<&str> = if r.field.is_empty() {
            Vec::new()
        } else {
            r.field.split('.').collect()
        };
        if pat.len() > segs.len() || !pat.iter().zip(&segs).all(|(p, s)| *p == "*" || p == s) {
            continue;
        }
        let score: Vec<u8> = pat.iter().map(|p| if *p == "*" { 1 } else { 2 }).collect();
        if best.as_ref().is_none_or(|(_, b)| score > *b) {
            best = Some((i, score));
        }
    }
    // Every kind has a row for the resource itself (a test checks), which matches anything.
    best.map(|(i, _)| i).unwrap_or(0)
}

/// The table as the README shows it (between `<!-- migrate-table:start -->` and
/// `<!-- migrate-table:end -->`; `tests/migrate.rs` keeps the two the same).
pub fn markdown_summary() -> String {
    let cell = |f: &Fate| {
        let text = match f.status {
            Status::Mapped if f.how.is_empty() => format!("**mapped**: {}", f.to),
            Status::Mapped => format!("**mapped**: {} ({})", f.to, f.how),
            Status::Approximated => format!("**approximated**: {} — {}", f.to, f.how),
            Status::Lost => format!("**lost** — {}", f.how),
        };
        format!("{} [{}]", text.replace('|', "\\|"), f.src.tag())
    };
    let mut out = String::from(
        "| App Mesh | VPC Lattice | VPC Lattice, Gateway API (EKS) | ECS Service Connect |\n|---|---|---|---|\n",
    );
    for r in TABLE {
        let field = if r.field.is_empty() {
            format!("{}", r.kind)
        } else {
            format!("{} `{}`", r.kind, r.field)
        };
        out.push_str(&format!(
            "| {field} | {} | {} | {} |\n",
            cell(&r.lattice),
            cell(&r.gateway_api),
            cell(&r.service_connect)
        ));
    }
    out.push('\n');
    for s in Src::ALL {
        out.push_str(&format!("- [{}] {} — <{}>\n", s.tag(), s.title(), s.url()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::{Shape, model};

    /// Every leaf path of a spec shape, as [`super::super::fields`] writes used fields.
    fn leaves(shape: &str, prefix: &str, seen: &mut Vec<String>, out: &mut Vec<String>) {
        let m = model();
        match m.shape(shape) {
            Some(Shape::Structure(s)) => {
                if seen.iter().any(|x| x == shape) {
                    return;
                }
                seen.push(shape.to_string());
                for mm in &s.members {
                    let p = if prefix.is_empty() {
                        mm.name.clone()
                    } else {
                        format!("{prefix}.{}", mm.name)
                    };
                    leaves(&mm.shape, &p, seen, out);
                }
                seen.pop();
            }
            Some(Shape::List { member, .. }) => {
                leaves(member, &format!("{prefix}[]"), seen, out);
            }
            _ => out.push(prefix.to_string()),
        }
    }

    #[test]
    fn the_table_covers_every_field_of_the_model_and_no_row_is_dead() {
        let mut used_rows = vec![false; TABLE.len()];
        for kind in Kind::ALL {
            let mut all = Vec::new();
            leaves(kind.info().spec_shape, "", &mut Vec::new(), &mut all);
            all.push(String::new());
            all.push("tags".into());
            for field in &all {
                let i = lookup_index(kind, field);
                let r = &TABLE[i];
                used_rows[i] = true;
                // Only gateways and gateway routes are covered by their resource row alone.
                if !field.is_empty() && !matches!(kind, Kind::VirtualGateway | Kind::GatewayRoute) {
                    assert!(
                        !r.field.is_empty(),
                        "{kind} {field}: no row of its own (falls back to the resource row)"
                    );
                }
            }
        }
        for (i, used) in used_rows.iter().enumerate() {
            assert!(
                used,
                "row {} matches no field of the model",
                TABLE[i].label()
            );
        }
        // Every fate says something a reader can act on.
        for r in TABLE {
            for t in Target::ALL {
                let f = r.fate(t);
                match f.status {
                    Status::Lost | Status::Approximated => {
                        assert!(!f.how.is_empty(), "{} {t:?}: says nothing", r.label())
                    }
                    Status::Mapped => assert!(!f.to.is_empty(), "{} {t:?}", r.label()),
                }
            }
        }
    }

    #[test]
    fn lookup_takes_the_most_specific_row() {
        assert_eq!(
            lookup(Kind::Route, "tcpRoute.action.weightedTargets[].weight").field,
            "tcpRoute"
        );
        assert_eq!(
            lookup(Kind::Route, "httpRoute.action.weightedTargets[].weight").field,
            "*.action.weightedTargets[]"
        );
        assert_eq!(
            lookup(Kind::Route, "grpcRoute.match.metadata[].match.exact").field,
            "grpcRoute.match.metadata[]"
        );
        assert_eq!(
            lookup(
                Kind::VirtualNode,
                "listeners[].tls.validation.trust.file.certificateChain"
            )
            .field,
            "listeners[].tls.validation"
        );
        assert_eq!(
            lookup(Kind::VirtualGateway, "listeners[].portMapping.port").field,
            ""
        );
        assert_eq!(lookup(Kind::Mesh, "").kind, Kind::Mesh);
    }
}
