//! The facts that matter about a resource, read from its spec: what the lists show as columns
//! and the describe pane puts first. One table per kind ([`COLUMNS`]), each column a function
//! of the spec, so a kind's list is data like the rest of the kind.

use serde_json::Value;

use crate::kind::Kind;

/// One column of a kind's list, besides the name (always first).
#[derive(Debug)]
pub struct Column {
    pub title: &'static str,
    /// Widths the column takes: it shows at `min` and grows to `max` when there is room.
    pub min: u16,
    pub max: u16,
    /// Lower goes first when the terminal is too narrow for every column.
    pub priority: u8,
    pub value: fn(&Value) -> String,
}

fn s(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn arr<'a>(v: &'a Value, member: &str) -> &'a [Value] {
    v.get(member)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `http:8080, grpc:9090`.
pub fn listeners(spec: &Value) -> String {
    let l: Vec<String> = arr(spec, "listeners")
        .iter()
        .map(|l| {
            let pm = l.get("portMapping");
            format!(
                "{}:{}",
                pm.and_then(|p| s(p, &["protocol"])).unwrap_or_default(),
                pm.and_then(|p| s(p, &["port"])).unwrap_or_default()
            )
        })
        .collect();
    if l.is_empty() {
        "—".into()
    } else {
        l.join(", ")
    }
}

/// `dns web.local` or `cloud map ns/svc`.
pub fn discovery(spec: &Value) -> String {
    let sd = spec.get("serviceDiscovery");
    if let Some(h) = sd.and_then(|d| s(d, &["dns", "hostname"])) {
        return h;
    }
    if let Some(cm) = sd.and_then(|d| d.get("awsCloudMap")) {
        return format!(
            "cloud map {}/{}",
            s(cm, &["namespaceName"]).unwrap_or_default(),
            s(cm, &["serviceName"]).unwrap_or_default()
        );
    }
    "—".into()
}

/// Backend service names.
pub fn backends(spec: &Value) -> String {
    let b: Vec<String> = arr(spec, "backends")
        .iter()
        .filter_map(|b| s(b, &["virtualService", "virtualServiceName"]))
        .collect();
    match b.len() {
        0 => "—".into(),
        _ => b.join(", "),
    }
}

/// The protocol member a route or gateway route spec sets: `httpRoute` → `http`.
pub fn route_protocol(spec: &Value) -> (&'static str, Option<&Value>) {
    for (member, label) in [
        ("httpRoute", "http"),
        ("http2Route", "http2"),
        ("grpcRoute", "grpc"),
        ("tcpRoute", "tcp"),
    ] {
        if let Some(r) = spec.get(member) {
            return (label, Some(r));
        }
    }
    ("—", None)
}

/// A route's or gateway route's match in a few words: `GET /api`, `exact /x`, `svc/Method`.
pub fn route_match(spec: &Value) -> String {
    let (_, route) = route_protocol(spec);
    let Some(m) = route.and_then(|r| r.get("match")) else {
        return "—".into();
    };
    let mut parts = Vec::new();
    if let Some(method) = s(m, &["method"]) {
        parts.push(method);
    }
    if let Some(h) = s(m, &["hostname", "exact"])
        .or_else(|| s(m, &["hostname", "suffix"]).map(|x| format!("*{x}")))
    {
        parts.push(h);
    }
    if let Some(p) = s(m, &["prefix"]) {
        parts.push(p);
    } else if let Some(p) = s(m, &["path", "exact"]) {
        parts.push(format!("={p}"));
    } else if let Some(p) = s(m, &["path", "regex"]) {
        parts.push(format!("~{p}"));
    }
    if let Some(svc) = s(m, &["serviceName"]) {
        match s(m, &["methodName"]) {
            Some(method) => parts.push(format!("{svc}/{method}")),
            None => parts.push(svc),
        }
    }
    let headers = arr(m, "headers").len() + arr(m, "metadata").len();
    if headers > 0 {
        parts.push(format!(
            "+{headers} header{}",
            if headers == 1 { "" } else { "s" }
        ));
    }
    if let Some(port) = s(m, &["port"]) {
        parts.push(format!(":{port}"));
    }
    if parts.is_empty() {
        "any".into()
    } else {
        parts.join(" ")
    }
}

/// A route's weighted targets with their share: `v1 90% · v2 10%`.
pub fn targets(spec: &Value) -> String {
    let (_, route) = route_protocol(spec);
    let list = route
        .and_then(|r| r.get("action"))
        .map(|a| arr(a, "weightedTargets"))
        .unwrap_or(&[]);
    let total: i64 = list
        .iter()
        .filter_map(|t| t.get("weight").and_then(Value::as_i64))
        .sum();
    let t: Vec<String> = list
        .iter()
        .map(|t| {
            let name = s(t, &["virtualNode"]).unwrap_or_default();
            let w = t.get("weight").and_then(Value::as_i64).unwrap_or(0);
            let pct = if total > 0 {
                (w * 100 + total / 2) / total
            } else {
                0
            };
            let port = s(t, &["port"]).map(|p| format!(":{p}")).unwrap_or_default();
            format!("{name}{port} {pct}%")
        })
        .collect();
    if t.is_empty() {
        "—".into()
    } else {
        t.join(" · ")
    }
}

/// A gateway route's target: `web.local:8080`.
pub fn gateway_target(spec: &Value) -> String {
    let (_, route) = route_protocol(spec);
    let target = route
        .and_then(|r| r.get("action"))
        .and_then(|a| a.get("target"));
    match target {
        Some(t) => {
            let svc = s(t, &["virtualService", "virtualServiceName"]).unwrap_or_default();
            match s(t, &["port"]) {
                Some(p) => format!("{svc}:{p}"),
                None => svc,
            }
        }
        None => "—".into(),
    }
}

/// A virtual service's provider: `router web` / `node api` / `none`.
pub fn provider(spec: &Value) -> String {
    if let Some(r) = s(spec, &["provider", "virtualRouter", "virtualRouterName"]) {
        return format!("router {r}");
    }
    if let Some(n) = s(spec, &["provider", "virtualNode", "virtualNodeName"]) {
        return format!("node {n}");
    }
    "none".into()
}

fn priority(spec: &Value) -> String {
    s(spec, &["priority"]).unwrap_or_else(|| "—".into())
}

fn protocol(spec: &Value) -> String {
    route_protocol(spec).0.into()
}

fn egress(spec: &Value) -> String {
    s(spec, &["egressFilter", "type"]).unwrap_or_else(|| "DROP_ALL (default)".into())
}

fn ip_preference(spec: &Value) -> String {
    s(spec, &["serviceDiscovery", "ipPreference"]).unwrap_or_else(|| "—".into())
}

const fn col(
    title: &'static str,
    min: u16,
    max: u16,
    priority: u8,
    value: fn(&Value) -> String,
) -> Column {
    Column {
        title,
        min,
        max,
        priority,
        value,
    }
}

const MESH: &[Column] = &[
    col("egress", 8, 18, 2, egress),
    col("ip preference", 9, 14, 1, ip_preference),
];
const SERVICE: &[Column] = &[col("provider", 10, 40, 3, provider)];
const NODE: &[Column] = &[
    col("service discovery", 12, 40, 3, discovery),
    col("listeners", 9, 24, 2, listeners),
    col("backends", 8, 40, 1, backends),
];
const ROUTER: &[Column] = &[col("listeners", 9, 30, 2, listeners)];
const ROUTE: &[Column] = &[
    col("prio", 4, 4, 1, priority),
    col("proto", 5, 5, 2, protocol),
    col("match", 6, 24, 2, route_match),
    col("targets", 10, 48, 3, targets),
];
const GATEWAY: &[Column] = &[col("listeners", 9, 30, 2, listeners)];
const GATEWAY_ROUTE: &[Column] = &[
    col("prio", 4, 4, 1, priority),
    col("proto", 5, 5, 2, protocol),
    col("match", 6, 30, 2, route_match),
    col("target", 10, 40, 3, gateway_target),
];

/// The columns of each kind's list, in [`Kind`] order.
pub const COLUMNS: [&[Column]; 7] = [MESH, SERVICE, NODE, ROUTER, ROUTE, GATEWAY, GATEWAY_ROUTE];

pub fn columns(kind: Kind) -> &'static [Column] {
    COLUMNS[kind as usize]
}

/// The key facts of a resource for the top of the describe pane: (label, value).
pub fn key_facts(kind: Kind, spec: &Value) -> Vec<(&'static str, String)> {
    match kind {
        Kind::Mesh => vec![
            ("egress filter", egress(spec)),
            ("IP preference", ip_preference(spec)),
        ],
        Kind::VirtualService => vec![("provider", provider(spec))],
        Kind::VirtualNode => vec![
            ("service discovery", discovery(spec)),
            ("listeners", listeners(spec)),
            ("backends", backends(spec)),
        ],
        Kind::VirtualRouter | Kind::VirtualGateway => vec![("listeners", listeners(spec))],
        Kind::Route => vec![
            ("protocol", protocol(spec)),
            ("priority", priority(spec)),
            ("match", route_match(spec)),
            ("targets", targets(spec)),
        ],
        Kind::GatewayRoute => vec![
            ("protocol", protocol(spec)),
            ("priority", priority(spec)),
            ("match", route_match(spec)),
            ("target", gateway_target(spec)),
        ],
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_kind_has_its_columns() {
        assert_eq!(COLUMNS.len(), Kind::ALL.len());
        for k in Kind::ALL {
            for c in columns(k) {
                assert!(c.min <= c.max, "{k}: {}", c.title);
                // Any spec, even an empty or odd one, gives a value.
                assert!(!(c.value)(&json!({})).is_empty());
                assert!(!(c.value)(&json!([1])).is_empty());
            }
        }
    }

    #[test]
    fn facts_read_the_spec() {
        let node = json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}},
                                         {"portMapping": {"port": 9090, "protocol": "grpc"}}],
                          "serviceDiscovery": {"awsCloudMap": {"namespaceName": "ns", "serviceName": "web"}},
                          "backends": [{"virtualService": {"virtualServiceName": "db.local"}}]});
        assert_eq!(listeners(&node), "http:8080, grpc:9090");
        assert_eq!(discovery(&node), "cloud map ns/web");
        assert_eq!(backends(&node), "db.local");
        let route = json!({"priority": 5, "httpRoute": {"match": {"prefix": "/api", "method": "GET",
            "headers": [{"name": "x"}]}, "action": {"weightedTargets": [
            {"virtualNode": "v1", "weight": 3}, {"virtualNode": "v2", "weight": 1, "port": 8080}]}}});
        assert_eq!(route_match(&route), "GET /api +1 header");
        assert_eq!(targets(&route), "v1 75% · v2:8080 25%");
        assert_eq!(priority(&route), "5");
        assert_eq!(protocol(&route), "http");
        let grpc = json!({"grpcRoute": {"match": {"serviceName": "svc", "methodName": "Get"}, "action": {"weightedTargets": []}}});
        assert_eq!(route_match(&grpc), "svc/Get");
        let gr = json!({"http2Route": {"match": {"hostname": {"suffix": ".example.com"}, "path": {"exact": "/x"}},
            "action": {"target": {"virtualService": {"virtualServiceName": "web"}, "port": 80}}}});
        assert_eq!(route_match(&gr), "*.example.com =/x");
        assert_eq!(gateway_target(&gr), "web:80");
        assert_eq!(provider(&json!({})), "none");
        assert_eq!(
            provider(&json!({"provider": {"virtualRouter": {"virtualRouterName": "r"}}})),
            "router r"
        );
        assert_eq!(egress(&json!({})), "DROP_ALL (default)");
        assert_eq!(key_facts(Kind::Route, &route).len(), 4);
    }
}
