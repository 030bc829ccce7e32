//! The fields of each kind's form, as data. One engine ([`super::KindForm`]) reads these tables;
//! adding a field is one entry here. Paths are into the Create/Update input document (the
//! model's member names: `virtualNodeName`, `spec.listeners`); inside a group they are relative
//! to one item. A `$id` segment is the current value of field `id` (a protocol, a union member),
//! so one entry serves every branch. Enum values, limits and the help fallback come from the
//! service model at the field's path; `tests::every_path_is_in_the_model` checks each entry.

use crate::kind::Kind;

/// How a field is edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum W {
    /// A string typed in.
    Text,
    /// A whole number typed in.
    Int,
    /// One of the enum values the model gives the shape at the path; `optional` adds "not set".
    Enum { optional: bool },
    /// Several of the values of a list of strings (the model's enum, or the values its
    /// documentation names).
    Multi,
    /// true/false, written only when true (or when the resource had it).
    Bool,
    /// Which member of a union (or which of a few alternatives) is set. `parent` is the path
    /// of the object holding the members; an option with key `""` sets none. `object`: the
    /// chosen member is an object the choice creates (a union of structures).
    Choice {
        options: &'static [Opt],
        object: bool,
    },
    /// The name of a resource of a kind in the mesh, or one typed in.
    Ref(Kind),
    /// A `Duration`: a number and a unit from the model.
    Duration,
}

/// One option of a [`W::Choice`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opt {
    pub key: &'static str,
    pub label: &'static str,
    /// Members of the chosen object that must be there, created empty when missing (a gRPC
    /// route's `match` may be empty but not absent).
    pub ensure: &'static [&'static str],
}

const fn o(key: &'static str, label: &'static str) -> Opt {
    Opt {
        key,
        label,
        ensure: &[],
    }
}

const fn oe(key: &'static str, label: &'static str, ensure: &'static [&'static str]) -> Opt {
    Opt { key, label, ensure }
}

/// One field of a form or of a group's item.
#[derive(Clone, Copy, Debug)]
pub struct FieldDef {
    pub id: &'static str,
    pub label: &'static str,
    /// Where the value goes; for a [`W::Choice`], the object holding the alternatives.
    pub path: &'static str,
    pub w: W,
    /// Shown (and sent) only while field `.0` has one of the values `.1`.
    pub when: Option<(&'static str, &'static [&'static str])>,
    pub help: &'static str,
    /// Sent even when empty, and refused when empty.
    pub required: bool,
    /// The value a new form or a new item starts with.
    pub default: &'static str,
    /// Read-only when editing an existing resource (its name, its parent).
    pub fixed_on_edit: bool,
}

impl FieldDef {
    const fn new(id: &'static str, label: &'static str, path: &'static str, w: W) -> FieldDef {
        FieldDef {
            id,
            label,
            path,
            w,
            when: None,
            help: "",
            required: false,
            default: "",
            fixed_on_edit: false,
        }
    }
    const fn req(mut self) -> Self {
        self.required = true;
        self
    }
    const fn when(mut self, id: &'static str, values: &'static [&'static str]) -> Self {
        self.when = Some((id, values));
        self
    }
    const fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }
    const fn def(mut self, default: &'static str) -> Self {
        self.default = default;
        self
    }
    const fn fixed(mut self) -> Self {
        self.fixed_on_edit = true;
        self
    }
}

const fn text(id: &'static str, label: &'static str, path: &'static str) -> FieldDef {
    FieldDef::new(id, label, path, W::Text)
}
const fn int(id: &'static str, label: &'static str, path: &'static str) -> FieldDef {
    FieldDef::new(id, label, path, W::Int)
}
const fn en(id: &'static str, label: &'static str, path: &'static str) -> FieldDef {
    FieldDef::new(id, label, path, W::Enum { optional: false })
}
const fn en_opt(id: &'static str, label: &'static str, path: &'static str) -> FieldDef {
    FieldDef::new(id, label, path, W::Enum { optional: true })
}
const fn choice(
    id: &'static str,
    label: &'static str,
    path: &'static str,
    options: &'static [Opt],
    object: bool,
) -> FieldDef {
    FieldDef::new(id, label, path, W::Choice { options, object })
}
const fn reference(id: &'static str, label: &'static str, path: &'static str, k: Kind) -> FieldDef {
    FieldDef::new(id, label, path, W::Ref(k))
}
const fn dur(id: &'static str, label: &'static str, path: &'static str) -> FieldDef {
    FieldDef::new(id, label, path, W::Duration)
}

/// A repeated group: listeners, targets, headers, backends, tags.
#[derive(Clone, Copy, Debug)]
pub struct GroupDef {
    pub id: &'static str,
    pub label: &'static str,
    /// What one item is called: "listener".
    pub item: &'static str,
    pub path: &'static str,
    pub fields: &'static [FieldDef],
    pub when: Option<(&'static str, &'static [&'static str])>,
    pub help: &'static str,
    /// Sent as `[]` when empty (the service needs the member; the model's minimum then names it).
    pub write_empty: bool,
    /// Items a new form starts with.
    pub start: usize,
    /// The item field holding a weight: each item's share is shown as a bar.
    pub weight: Option<&'static str>,
    /// Only on create (tags: UpdateX carries none).
    pub create_only: bool,
}

impl GroupDef {
    const fn new(
        id: &'static str,
        label: &'static str,
        item: &'static str,
        path: &'static str,
        fields: &'static [FieldDef],
    ) -> GroupDef {
        GroupDef {
            id,
            label,
            item,
            path,
            fields,
            when: None,
            help: "",
            write_empty: false,
            start: 0,
            weight: None,
            create_only: false,
        }
    }
    const fn when(mut self, id: &'static str, values: &'static [&'static str]) -> Self {
        self.when = Some((id, values));
        self
    }
    const fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }
    const fn start(mut self, n: usize) -> Self {
        self.start = n;
        self
    }
    const fn write_empty(mut self) -> Self {
        self.write_empty = true;
        self
    }
}

/// A row of a form: one field or a repeated group.
#[derive(Clone, Copy, Debug)]
pub enum RowDef {
    Field(FieldDef),
    Group(GroupDef),
}

/// A resource's name: required, and fixed once the resource exists.
const fn name_row(path: &'static str, help: &'static str) -> RowDef {
    RowDef::Field(text("name", "Name", path).req().fixed().help(help))
}

/// The resource a route or gateway route belongs to (of kind `k`): required, and fixed once the
/// route exists.
const fn parent_row(
    id: &'static str,
    label: &'static str,
    path: &'static str,
    k: Kind,
    help: &'static str,
) -> RowDef {
    RowDef::Field(reference(id, label, path, k).req().fixed().help(help))
}

const HTTPISH: &[&str] = &["httpRoute", "http2Route"];
const NOT_TCP: &[&str] = &["httpRoute", "http2Route", "grpcRoute"];

const TAG_FIELDS: &[FieldDef] = &[
    text("key", "Key", "key")
        .req()
        .help("Tag key, 1-128 characters."),
    text("value", "Value", "value")
        .req()
        .help("Tag value, 0-256 characters."),
];

const TAGS: GroupDef = {
    let mut g = GroupDef::new("tags", "Tags", "tag", "tags", TAG_FIELDS).help(
        "The tags the resource is created with (at most 50). UpdateX carries no tags: edit them with t.",
    );
    g.create_only = true;
    g
};

const HEALTH_OPTS: &[Opt] = &[o("", "none"), o("healthCheck", "set")];
const HC_WHEN: &[&str] = &["healthCheck"];

/// A listener's health check policy (virtual node and virtual gateway).
const HEALTH_CHECK: &[FieldDef] = &[
    choice("hc", "Health check", "", HEALTH_OPTS, true)
        .help("Whether Envoy checks this listener's health; set shows the policy's fields."),
    en("hcProtocol", "  protocol", "healthCheck.protocol")
        .when("hc", HC_WHEN)
        .help("The protocol of the health check request."),
    text("hcPath", "  path", "healthCheck.path")
        .when("hcProtocol", &["http", "http2"])
        .def("/ping")
        .help("The path requested (HTTP and HTTP/2 health checks only)."),
    int(
        "hcInterval",
        "  interval (ms)",
        "healthCheck.intervalMillis",
    )
    .req()
    .when("hc", HC_WHEN)
    .def("5000")
    .help("Time between health checks, 5000-300000 ms."),
    int("hcTimeout", "  timeout (ms)", "healthCheck.timeoutMillis")
        .req()
        .when("hc", HC_WHEN)
        .def("2000")
        .help("How long to wait for an answer, 2000-60000 ms."),
    int(
        "hcHealthy",
        "  healthy after",
        "healthCheck.healthyThreshold",
    )
    .req()
    .when("hc", HC_WHEN)
    .def("2")
    .help("Consecutive successes before the listener counts as healthy, 2-10."),
    int(
        "hcUnhealthy",
        "  unhealthy after",
        "healthCheck.unhealthyThreshold",
    )
    .req()
    .when("hc", HC_WHEN)
    .def("2")
    .help("Consecutive failures before the listener counts as unhealthy, 2-10."),
];

/// A listener's timeouts for its protocol (virtual node only).
const LISTENER_TIMEOUTS: &[FieldDef] = &[
    dur(
        "perRequest",
        "Per-request timeout",
        "timeout.$protocol.perRequest",
    )
    .when("protocol", &["http", "http2", "grpc"])
    .help("Longest time a request may take; empty: the service default (15 s). ←→ on the unit."),
    dur("idle", "Idle timeout", "timeout.$protocol.idle")
        .help("How long a connection may stay idle; empty: the service default."),
];

/// What differs between the listeners of the kinds that have them (virtual node, virtual
/// router, virtual gateway): every one has a port and a protocol; the rest is optional.
struct Listener {
    /// The help of the port, saying who takes the traffic.
    port_help: &'static str,
    /// The help of the protocol.
    protocol_help: &'static str,
    /// Has [`HEALTH_CHECK`].
    health_check: bool,
    /// Has [`LISTENER_TIMEOUTS`].
    timeouts: bool,
}

impl Listener {
    /// The shared fields it has after its port and protocol, in order.
    const fn parts(&self) -> [&'static [FieldDef]; 2] {
        [
            if self.health_check { HEALTH_CHECK } else { &[] },
            if self.timeouts {
                LISTENER_TIMEOUTS
            } else {
                &[]
            },
        ]
    }

    /// How many fields [`listener_fields`] makes of it.
    const fn len(&self) -> usize {
        let [a, b] = self.parts();
        2 + a.len() + b.len()
    }
}

/// The fields of one listener item (paths relative to the item): port and protocol, then the
/// health check and the timeouts where `l` has them. `N` is [`Listener::len`]; a wrong one
/// fails the build.
const fn listener_fields<const N: usize>(l: Listener) -> [FieldDef; N] {
    assert!(
        N == l.len(),
        "N must be the listener's field count (Listener::len)"
    );
    let port = int("port", "Port", "portMapping.port")
        .req()
        .def("8080")
        .help(l.port_help);
    let mut out = [port; N];
    out[1] = en("protocol", "Protocol", "portMapping.protocol").help(l.protocol_help);
    let mut n = 2;
    let parts = l.parts();
    let mut p = 0;
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[n] = parts[p][i];
            n += 1;
            i += 1;
        }
        p += 1;
    }
    out
}

/// The `spec.listeners` group of a kind whose listener items have `fields`; a new form starts
/// with one listener.
const fn listeners(fields: &'static [FieldDef], help: &'static str) -> GroupDef {
    GroupDef::new(
        "listeners",
        "Listeners",
        "listener",
        "spec.listeners",
        fields,
    )
    .start(1)
    .help(help)
}

const NODE_LISTENER: &[FieldDef] = &listener_fields::<11>(Listener {
    port_help: "The port the listener takes traffic on, 1-65535.",
    protocol_help: "The protocol of the listener's traffic; it decides which timeouts apply.",
    health_check: true,
    timeouts: true,
});

const ROUTER_LISTENER: &[FieldDef] = &listener_fields::<2>(Listener {
    port_help: "The port the router takes traffic on, 1-65535.",
    protocol_help: "The protocol of the router's traffic; routes of other protocols do not match.",
    health_check: false,
    timeouts: false,
});

const GATEWAY_LISTENER: &[FieldDef] = &listener_fields::<9>(Listener {
    port_help: "The port the gateway takes traffic on, 1-65535.",
    protocol_help: "The protocol of the gateway's traffic.",
    health_check: true,
    timeouts: false,
});

const ATTRIBUTE_FIELDS: &[FieldDef] = &[
    text("key", "Key", "key")
        .req()
        .help("A Cloud Map instance attribute to filter on."),
    text("value", "Value", "value")
        .req()
        .help("The value the attribute must have."),
];

const BACKEND_FIELDS: &[FieldDef] = &[reference(
    "service",
    "Virtual service",
    "virtualService.virtualServiceName",
    Kind::VirtualService,
)
.req()
.help("A virtual service this node sends traffic to. It may not exist yet.")];

const SD_OPTS: &[Opt] = &[
    o("", "none"),
    o("dns", "DNS"),
    o("awsCloudMap", "Cloud Map"),
];

/// The access log of a virtual node or virtual gateway.
const ACCESS_LOG: RowDef = RowDef::Field(
    text(
        "accessLog",
        "Access log path",
        "spec.logging.accessLog.file.path",
    )
    .help("Where Envoy writes access logs, e.g. /dev/stdout; empty: none."),
);

pub const VIRTUAL_NODE: &[RowDef] = &[
    name_row(
        "virtualNodeName",
        "The virtual node's name, unique in the mesh: 1-255 characters.",
    ),
    RowDef::Group(listeners(
        NODE_LISTENER,
        "What the node takes traffic on: a port and protocol each. a adds one.",
    )),
    RowDef::Field(
        choice(
            "sd",
            "Service discovery",
            "spec.serviceDiscovery",
            SD_OPTS,
            true,
        )
        .help("How other nodes find this node's tasks: a DNS name, or a Cloud Map service."),
    ),
    RowDef::Field(
        text(
            "hostname",
            "  DNS hostname",
            "spec.serviceDiscovery.dns.hostname",
        )
        .req()
        .when("sd", &["dns"])
        .help("The DNS name of the node's tasks, e.g. web.apps.local."),
    ),
    RowDef::Field(
        en_opt(
            "responseType",
            "  response type",
            "spec.serviceDiscovery.dns.responseType",
        )
        .when("sd", &["dns"])
        .help("LOADBALANCER: one address per lookup; ENDPOINTS: every address."),
    ),
    RowDef::Field(
        en_opt(
            "dnsIp",
            "  IP preference",
            "spec.serviceDiscovery.dns.ipPreference",
        )
        .when("sd", &["dns"])
        .help("Which address family Envoy prefers for this node; not set: the mesh's."),
    ),
    RowDef::Field(
        text(
            "namespace",
            "  namespace",
            "spec.serviceDiscovery.awsCloudMap.namespaceName",
        )
        .req()
        .when("sd", &["awsCloudMap"])
        .help("The Cloud Map namespace, 1-1024 characters."),
    ),
    RowDef::Field(
        text(
            "cmService",
            "  service",
            "spec.serviceDiscovery.awsCloudMap.serviceName",
        )
        .req()
        .when("sd", &["awsCloudMap"])
        .help("The Cloud Map service in that namespace, 1-1024 characters."),
    ),
    RowDef::Field(
        en_opt(
            "cmIp",
            "  IP preference",
            "spec.serviceDiscovery.awsCloudMap.ipPreference",
        )
        .when("sd", &["awsCloudMap"])
        .help("Which address family Envoy prefers for this node; not set: the mesh's."),
    ),
    RowDef::Group(
        GroupDef::new(
            "attributes",
            "  Attributes",
            "attribute",
            "spec.serviceDiscovery.awsCloudMap.attributes",
            ATTRIBUTE_FIELDS,
        )
        .when("sd", &["awsCloudMap"])
        .help("Only Cloud Map instances with all these attributes are used."),
    ),
    RowDef::Group(
        GroupDef::new(
            "backends",
            "Backends",
            "backend",
            "spec.backends",
            BACKEND_FIELDS,
        )
        .help("The virtual services this node calls (at most 50)."),
    ),
    ACCESS_LOG,
    RowDef::Group(TAGS),
];

const PROVIDER_OPTS: &[Opt] = &[
    o("", "none"),
    o("virtualNode", "virtual node"),
    o("virtualRouter", "virtual router"),
];

pub const VIRTUAL_SERVICE: &[RowDef] = &[
    name_row(
        "virtualServiceName",
        "The virtual service's name, usually the DNS name clients call: web.apps.local.",
    ),
    RowDef::Field(
        choice("provider", "Provider", "spec.provider", PROVIDER_OPTS, true).help(
            "Who answers requests to the service: one virtual node, or a virtual router's routes.",
        ),
    ),
    RowDef::Field(
        reference(
            "node",
            "  virtual node",
            "spec.provider.virtualNode.virtualNodeName",
            Kind::VirtualNode,
        )
        .req()
        .when("provider", &["virtualNode"])
        .help("The virtual node that answers; it must exist."),
    ),
    RowDef::Field(
        reference(
            "router",
            "  virtual router",
            "spec.provider.virtualRouter.virtualRouterName",
            Kind::VirtualRouter,
        )
        .req()
        .when("provider", &["virtualRouter"])
        .help("The virtual router whose routes answer; it must exist."),
    ),
    RowDef::Group(TAGS),
];

pub const VIRTUAL_ROUTER: &[RowDef] = &[
    name_row(
        "virtualRouterName",
        "The virtual router's name, unique in the mesh: 1-255 characters.",
    ),
    RowDef::Group(listeners(
        ROUTER_LISTENER,
        "What the router takes traffic on. With several, every route needs a port match.",
    )),
    RowDef::Group(TAGS),
];

const ROUTE_PROTOS: &[Opt] = &[
    o("httpRoute", "HTTP"),
    o("http2Route", "HTTP/2"),
    oe("grpcRoute", "gRPC", &["match"]),
    o("tcpRoute", "TCP"),
];

const PATH_MATCH_OPTS: &[Opt] = &[
    o("prefix", "prefix"),
    o("path.exact", "exact path"),
    o("path.regex", "regex"),
];

const HEADER_MATCH_OPTS: &[Opt] = &[
    o("", "present"),
    o("exact", "exact"),
    o("prefix", "prefix"),
    o("suffix", "suffix"),
    o("regex", "regex"),
    o("range", "range"),
];

const HEADER_FIELDS: &[FieldDef] = &[
    text("name", "Name", "name")
        .req()
        .help("The header's name, 1-50 characters."),
    choice("hm", "Match", "match", HEADER_MATCH_OPTS, false)
        .help("How the header's value must look; present: any value."),
    text("value", "  value", "match.$hm")
        .req()
        .when("hm", &["exact", "prefix", "suffix", "regex"])
        .help("The value to compare with, 1-255 characters."),
    int("start", "  from", "match.range.start")
        .req()
        .when("hm", &["range"])
        .help("Start of the range (inclusive)."),
    int("end", "  to", "match.range.end")
        .req()
        .when("hm", &["range"])
        .help("End of the range (exclusive)."),
    FieldDef::new("invert", "Invert", "invert", W::Bool)
        .help("yes: the route matches when the header does NOT match."),
];

const TARGET_FIELDS: &[FieldDef] = &[
    reference("node", "Virtual node", "virtualNode", Kind::VirtualNode)
        .req()
        .help("The virtual node that gets this share of the traffic; it must exist."),
    int("port", "Port", "port")
        .help("The node's listener port; needed when the node has several listeners."),
    int("weight", "Weight", "weight")
        .req()
        .def("1")
        .help("The target's relative weight, 0-100; its share is weight / sum of weights."),
];

const RETRY_OPTS: &[Opt] = &[o("", "none"), o("retryPolicy", "set")];
const RETRY_WHEN: &[&str] = &["retryPolicy"];

/// The priority of a route or gateway route.
const PRIORITY: RowDef = RowDef::Field(
    int("priority", "Priority", "spec.priority")
        .help("0 (first) to 1000 (last); empty: after every route with a priority."),
);

/// The headers an HTTP or HTTP/2 route or gateway route matches.
const HEADERS: RowDef = RowDef::Group(
    GroupDef::new(
        "headers",
        "  Headers",
        "header",
        "spec.$proto.match.headers",
        HEADER_FIELDS,
    )
    .when("proto", HTTPISH)
    .help("Every header listed must match (at most 10)."),
);

pub const ROUTE: &[RowDef] = &[
    name_row("routeName", "The route's name, unique in its router: 1-255 characters."),
    parent_row("router", "Virtual router", "virtualRouterName", Kind::VirtualRouter, "The virtual router the route belongs to; it must exist."),
    PRIORITY,
    RowDef::Field(
        choice("proto", "Protocol", "spec", ROUTE_PROTOS, true)
            .help("The kind of traffic the route matches; the router's listener must speak it."),
    ),
    RowDef::Field(
        choice("mt", "Match", "spec.$proto.match", PATH_MATCH_OPTS, false)
            .when("proto", HTTPISH)
            .help("How the request path is compared: by prefix, exactly, or with a regular expression."),
    ),
    RowDef::Field(
        text("path", "  path", "spec.$proto.match.$mt")
            .req()
            .when("proto", HTTPISH)
            .def("/")
            .help("The path or prefix to match (a prefix starts with /)."),
    ),
    RowDef::Field(
        en_opt("method", "  method", "spec.$proto.match.method")
            .when("proto", HTTPISH)
            .help("Only requests with this method match; not set: any method."),
    ),
    HEADERS,
    RowDef::Field(
        text("grpcService", "  gRPC service", "spec.grpcRoute.match.serviceName")
            .when("proto", &["grpcRoute"])
            .help("The fully qualified gRPC service name; empty: any service."),
    ),
    RowDef::Field(
        text("grpcMethod", "  gRPC method", "spec.grpcRoute.match.methodName")
            .when("proto", &["grpcRoute"])
            .help("The method name (needs a service name); empty: any method."),
    ),
    RowDef::Group({
        let mut g = GroupDef::new(
            "targets",
            "Weighted targets",
            "target",
            "spec.$proto.action.weightedTargets",
            TARGET_FIELDS,
        )
        .start(1)
        .write_empty()
        .help("Where matching traffic goes, split by weight (1-10 targets).");
        g.weight = Some("weight");
        g
    }),
    RowDef::Field(
        choice("retry", "Retry policy", "spec.$proto", RETRY_OPTS, true)
            .when("proto", NOT_TCP)
            .help("Whether failed requests are retried; set shows the policy."),
    ),
    RowDef::Field(
        int("maxRetries", "  max retries", "spec.$proto.retryPolicy.maxRetries")
            .req()
            .when("retry", RETRY_WHEN)
            .def("2")
            .help("How many times a request is retried at most."),
    ),
    RowDef::Field(
        dur("perRetry", "  per-retry timeout", "spec.$proto.retryPolicy.perRetryTimeout")
            .req()
            .when("retry", RETRY_WHEN)
            .def("15")
            .help("How long each try may take. ←→ on the unit."),
    ),
    RowDef::Field(
        FieldDef::new("httpEvents", "  HTTP events", "spec.$proto.retryPolicy.httpRetryEvents", W::Multi)
            .when("retry", RETRY_WHEN)
            .help("Which HTTP failures are retried (Space toggles). Set at least one kind of event."),
    ),
    RowDef::Field(
        FieldDef::new("tcpEvents", "  TCP events", "spec.$proto.retryPolicy.tcpRetryEvents", W::Multi)
            .when("retry", RETRY_WHEN)
            .help("Which connection failures are retried (Space toggles)."),
    ),
    RowDef::Field(
        FieldDef::new("grpcEvents", "  gRPC events", "spec.$proto.retryPolicy.grpcRetryEvents", W::Multi)
            .when("retry", RETRY_WHEN)
            .help("Which gRPC status codes are retried (Space toggles)."),
    ),
    RowDef::Field(
        dur("perRequest", "Per-request timeout", "spec.$proto.timeout.perRequest")
            .when("proto", NOT_TCP)
            .help("Longest time a request may take; empty: the service default (15 s)."),
    ),
    RowDef::Field(
        dur("idle", "Idle timeout", "spec.$proto.timeout.idle")
            .help("How long a connection may stay idle; empty: the service default."),
    ),
    RowDef::Group(TAGS),
];

pub const VIRTUAL_GATEWAY: &[RowDef] = &[
    name_row(
        "virtualGatewayName",
        "The virtual gateway's name, unique in the mesh: 1-255 characters.",
    ),
    RowDef::Group(
        listeners(
            GATEWAY_LISTENER,
            "What the gateway takes traffic on from outside the mesh.",
        )
        .write_empty(),
    ),
    ACCESS_LOG,
    RowDef::Group(TAGS),
];

const GATEWAY_PROTOS: &[Opt] = &[
    oe("httpRoute", "HTTP", &["match"]),
    oe("http2Route", "HTTP/2", &["match"]),
    oe("grpcRoute", "gRPC", &["match"]),
];

const HOST_OPTS: &[Opt] = &[o("", "any"), o("exact", "exact"), o("suffix", "suffix")];

pub const GATEWAY_ROUTE: &[RowDef] = &[
    name_row("gatewayRouteName", "The gateway route's name, unique in its gateway: 1-255 characters."),
    parent_row("gateway", "Virtual gateway", "virtualGatewayName", Kind::VirtualGateway, "The virtual gateway the route belongs to; it must exist."),
    PRIORITY,
    RowDef::Field(
        choice("proto", "Protocol", "spec", GATEWAY_PROTOS, true)
            .help("The kind of traffic the route matches; the gateway's listener must speak it."),
    ),
    RowDef::Field(
        text("prefix", "  prefix", "spec.$proto.match.prefix")
            .when("proto", HTTPISH)
            .def("/")
            .help("Requests whose path starts with this match (starts and ends with /, or is /)."),
    ),
    RowDef::Field(
        text("grpcService", "  gRPC service", "spec.grpcRoute.match.serviceName")
            .when("proto", &["grpcRoute"])
            .help("The fully qualified gRPC service name to match."),
    ),
    RowDef::Field(
        choice("hn", "  Hostname", "spec.$proto.match.hostname", HOST_OPTS, false)
            .help("Match the request's host name exactly or by suffix; any: every host."),
    ),
    RowDef::Field(
        text("host", "    name", "spec.$proto.match.hostname.$hn")
            .req()
            .when("hn", &["exact", "suffix"])
            .help("The host name (or its suffix), 1-253 characters."),
    ),
    HEADERS,
    RowDef::Field(
        reference(
            "service",
            "Target service",
            "spec.$proto.action.target.virtualService.virtualServiceName",
            Kind::VirtualService,
        )
        .req()
        .help("The virtual service that gets the matching traffic; it must exist."),
    ),
    RowDef::Field(
        int("targetPort", "  port", "spec.$proto.action.target.port")
            .help("The service provider's listener port; needed when it has several."),
    ),
    RowDef::Field(
        en_opt("defaultPrefix", "Rewrite prefix", "spec.$proto.action.rewrite.prefix.defaultPrefix")
            .when("proto", HTTPISH)
            .help("ENABLED: the matched prefix becomes /; DISABLED: the path is kept; not set: the default."),
    ),
    RowDef::Field(
        text("prefixValue", "  new prefix", "spec.$proto.action.rewrite.prefix.value")
            .when("proto", HTTPISH)
            .help("Replace the matched prefix with this; empty: no replacement."),
    ),
    RowDef::Field(
        en_opt(
            "hostRewrite",
            "Rewrite hostname",
            "spec.$proto.action.rewrite.hostname.defaultTargetHostname",
        )
        .help("ENABLED: the host becomes the target service's name; DISABLED: kept."),
    ),
    RowDef::Group(TAGS),
];

/// The rows of `kind`'s form; empty for a mesh (it has its own form).
pub fn rows(kind: Kind) -> &'static [RowDef] {
    match kind {
        Kind::Mesh => &[],
        Kind::VirtualService => VIRTUAL_SERVICE,
        Kind::VirtualNode => VIRTUAL_NODE,
        Kind::VirtualRouter => VIRTUAL_ROUTER,
        Kind::Route => ROUTE,
        Kind::VirtualGateway => VIRTUAL_GATEWAY,
        Kind::GatewayRoute => GATEWAY_ROUTE,
    }
}
