//! VPC Lattice: the plan built from a mesh (service network, services, listeners, rules, target
//! groups), and how it is written as CloudFormation, Terraform, a plan of VPC Lattice API calls,
//! and (for EKS) Kubernetes Gateway API manifests. Rows of the mapping table
//! ([`super::table`]) say what each App Mesh field becomes; this module does it.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::names::{self, Namer};
use super::{Notes, num, str_get};
use crate::kind::{Key, Kind};
use crate::mesh::MeshModel;

/// Lattice rule priorities run 1–100.
pub const MAX_RULES: usize = 100;
/// Header matches per rule.
pub const MAX_HEADERS: usize = 5;
/// Methods a VPC Lattice rule can match.
pub const METHODS: [&str; 8] = [
    "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "TRACE",
];

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub network: Network,
    pub target_groups: Vec<TargetGroup>,
    pub services: Vec<Service>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetGroup {
    /// Logical ID (CloudFormation) and plan reference.
    pub id: String,
    /// Terraform resource name.
    pub tf: String,
    pub name: String,
    pub node: Key,
    /// The node's listener port.
    pub port: i64,
    /// `HTTP` or `HTTPS`.
    pub protocol: &'static str,
    /// `HTTP1`, `HTTP2` or `GRPC`.
    pub protocol_version: &'static str,
    /// `IPV4` or `IPV6`.
    pub ip_type: &'static str,
    pub health: Option<Health>,
    pub tags: Vec<(String, String)>,
    /// The Kubernetes Service the Gateway API output names for it: (name, namespace).
    pub k8s_service: (String, Option<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Health {
    pub interval: i64,
    pub timeout: i64,
    pub healthy: i64,
    pub unhealthy: i64,
    pub path: Option<String>,
    pub port: Option<i64>,
    pub protocol: &'static str,
    pub protocol_version: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub id: String,
    pub tf: String,
    pub name: String,
    pub from: Key,
    pub tags: Vec<(String, String)>,
    pub listeners: Vec<Listener>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Listener {
    pub id: String,
    pub tf: String,
    pub name: String,
    /// `HTTP` or `HTTPS`.
    pub protocol: &'static str,
    pub port: i64,
    /// The App Mesh protocol it carries: `http`, `http2`, `grpc`.
    pub mesh_protocol: String,
    pub default_action: Action,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub id: String,
    pub tf: String,
    pub name: String,
    pub priority: i64,
    pub route: Key,
    pub matching: HttpMatch,
    /// gRPC service and method, for the Gateway API's GRPCRoute.
    pub grpc: Option<(Option<String>, Option<String>)>,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct HttpMatch {
    pub method: Option<String>,
    /// (`Exact` or `Prefix`, value).
    pub path: Option<(&'static str, String)>,
    /// (name, `Exact` or `Prefix`, value).
    pub headers: Vec<(String, &'static str, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// (target group id, weight).
    Forward(Vec<(String, i64)>),
    Fixed(i64),
}

/// The characters a VPC Lattice path match may hold besides ASCII letters and digits.
const PATH_EXTRA: &str = "@:%_+.~#?&/=-";

/// `path` as VPC Lattice accepts it (`^/[a-zA-Z0-9@:%_+.~#?&/=-]*$`, at most 128 characters):
/// other bytes percent-encoded. `None` when it does not start with `/` or is too long.
pub fn lattice_path(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || PATH_EXTRA.as_bytes().contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    (out.len() <= 128).then_some(out)
}

/// `IPV6` for IPv6_ONLY / IPv6_PREFERRED, `IPV4` otherwise.
fn ip_type(pref: Option<&str>) -> &'static str {
    match pref {
        Some("IPv6_ONLY") | Some("IPv6_PREFERRED") => "IPV6",
        _ => "IPV4",
    }
}

/// Milliseconds to whole seconds, rounded up, clamped.
fn secs(ms: i64, lo: i64, hi: i64) -> i64 {
    (ms.saturating_add(999) / 1000).clamp(lo, hi)
}

fn tags_of(model: &MeshModel, key: &Key) -> Vec<(String, String)> {
    model
        .get(key)
        .map(|i| {
            i.tags
                .iter()
                .filter(|(k, v)| !k.is_empty() && !v.is_empty() && k.len() <= 128 && v.len() <= 256)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The Kubernetes Service a node's pods are behind: from a `NAME.NAMESPACE.svc.cluster.local`
/// hostname, else the Cloud Map service name, else the node's name; made a DNS label.
pub fn k8s_service_of(key: &Key, spec: &Value) -> (String, Option<String>) {
    let sd = spec.get("serviceDiscovery");
    if let Some(host) = sd.and_then(|s| str_get(s, &["dns", "hostname"])) {
        let labels: Vec<&str> = host.split('.').collect();
        if labels.len() >= 3 && labels[2] == "svc" {
            return (
                names::fit(labels[0], names::K8S_LABEL),
                Some(names::fit(labels[1], names::K8S_LABEL)),
            );
        }
    }
    if let Some(svc) = sd.and_then(|s| str_get(s, &["awsCloudMap", "serviceName"])) {
        return (names::fit(svc, names::K8S_LABEL), None);
    }
    (names::fit(&key.name, names::K8S_LABEL), None)
}

/// The node listeners that carry HTTP-family traffic: (listener index, port, protocol).
fn node_listeners(spec: &Value) -> Vec<(usize, i64, String, &Value)> {
    spec.get("listeners")
        .and_then(Value::as_array)
        .map(|ls| {
            ls.iter()
                .enumerate()
                .filter_map(|(i, l)| {
                    let port = num(l, &["portMapping", "port"])?;
                    let proto = str_get(l, &["portMapping", "protocol"])?.to_string();
                    Some((i, port, proto, l))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn health_of(hc: &Value) -> Option<Health> {
    let hc = hc.as_object()?;
    let n = |k: &str| hc.get(k).and_then(Value::as_i64);
    let proto = hc.get("protocol").and_then(Value::as_str).unwrap_or("http");
    let (path, version) = match proto {
        "http" => (
            Some(
                hc.get("path")
                    .and_then(Value::as_str)
                    .and_then(lattice_path)
                    .unwrap_or_else(|| "/".into()),
            ),
            "HTTP1",
        ),
        "http2" => (
            Some(
                hc.get("path")
                    .and_then(Value::as_str)
                    .and_then(lattice_path)
                    .unwrap_or_else(|| "/".into()),
            ),
            "HTTP2",
        ),
        "grpc" => (None, "HTTP2"),
        _ => (Some("/".into()), "HTTP1"),
    };
    Some(Health {
        interval: secs(n("intervalMillis").unwrap_or(30_000), 5, 300),
        timeout: secs(n("timeoutMillis").unwrap_or(5_000), 1, 120),
        healthy: n("healthyThreshold").unwrap_or(5).clamp(2, 10),
        unhealthy: n("unhealthyThreshold").unwrap_or(2).clamp(2, 10),
        path,
        port: n("port").filter(|p| (1..=65535).contains(p)),
        protocol: "HTTP",
        protocol_version: version,
    })
}

/// Builds the plan, writing what each resource becomes and what it loses into `notes`.
pub fn build(model: &MeshModel, notes: &mut Notes) -> Plan {
    let mesh_key = Key::mesh(&model.name);
    let mesh_spec = model.get(&mesh_key).map(|i| i.spec.value());
    let mesh_ip = mesh_spec
        .as_ref()
        .and_then(|s| str_get(s, &["serviceDiscovery", "ipPreference"]));
    let mut ids = Namer::new();
    let mut tfs = Namer::new();
    let network = Network {
        id: ids.name("ServiceNetwork", names::CFN_LOGICAL),
        name: names::fit(&model.name, names::lattice(63, "servicenetwork-")),
        tags: tags_of(model, &mesh_key),
    };
    tfs.name("mesh", names::TF_IDENT);
    notes.becomes(
        &mesh_key,
        format!("service network {} + VPC association", network.name),
    );

    // Target groups: one per HTTP-family listener of each node.
    let mut tg_names = Namer::new();
    let mut target_groups = Vec::new();
    let mut tgs_of: BTreeMap<Key, Vec<(i64, String)>> = BTreeMap::new();
    for (key, item) in model.of_kind(Kind::VirtualNode) {
        let spec = item.spec.value();
        let listeners = node_listeners(&spec);
        if listeners.is_empty() {
            notes.becomes(
                key,
                "nothing of its own: a client in a VPC associated with the service network"
                    .to_string(),
            );
            notes.lost(
                key,
                "no listener: a client only, it gets no target group".to_string(),
            );
        }
        let several = listeners.len() > 1;
        let sd = spec.get("serviceDiscovery");
        let ip_pref = sd
            .and_then(|s| {
                str_get(s, &["dns", "ipPreference"])
                    .or_else(|| str_get(s, &["awsCloudMap", "ipPreference"]))
            })
            .or(mesh_ip);
        for (_, port, proto, l) in listeners {
            let version = match proto.as_str() {
                "http" => "HTTP1",
                "http2" => "HTTP2",
                "grpc" => "GRPC",
                _ => {
                    notes.lost(
                        key,
                        format!("tcp listener on port {port}: no VPC Lattice target group (plain TCP is not a Lattice service protocol)"),
                    );
                    continue;
                }
            };
            let strict = str_get(l, &["tls", "mode"]) == Some("STRICT");
            let original = if several {
                format!("{}-{port}", key.name)
            } else {
                key.name.to_string()
            };
            let tg = TargetGroup {
                id: ids.name(&format!("TargetGroup-{original}"), names::CFN_LOGICAL),
                tf: tfs.name(&format!("tg_{original}"), names::TF_IDENT),
                name: tg_names.name(&original, names::lattice(128, "tg-")),
                node: key.clone(),
                port,
                protocol: if strict { "HTTPS" } else { "HTTP" },
                protocol_version: version,
                ip_type: ip_type(ip_pref),
                health: l.get("healthCheck").and_then(health_of),
                tags: tags_of(model, key),
                k8s_service: k8s_service_of(key, &spec),
            };
            notes.becomes(
                key,
                format!(
                    "target group {} ({} {}/{} port {port}{})",
                    tg.name,
                    tg.ip_type,
                    tg.protocol,
                    tg.protocol_version,
                    if tg.health.is_some() {
                        ", health check"
                    } else {
                        ""
                    }
                ),
            );
            tgs_of
                .entry(key.clone())
                .or_default()
                .push((port, tg.id.clone()));
            target_groups.push(tg);
        }
    }

    // Services.
    let mut svc_names = Namer::new();
    let mut services = Vec::new();
    for (key, item) in model.of_kind(Kind::VirtualService) {
        let name = svc_names.name(&key.name, names::lattice(40, "svc-"));
        let id = ids.name(&format!("Service-{}", key.name), names::CFN_LOGICAL);
        let tf = tfs.name(&format!("svc_{}", key.name), names::TF_IDENT);
        let mut lnames = Namer::new();
        let mut listeners = Vec::new();
        let spec = item.spec.value();
        let provider = spec.get("provider");
        if let Some(node) = provider.and_then(|p| str_get(p, &["virtualNode", "virtualNodeName"])) {
            let nkey = Key::new(Kind::VirtualNode, &model.name, "", node);
            let node_spec = model.get(&nkey).map(|i| i.spec.value());
            match tgs_of.get(&nkey) {
                Some(tgs) => {
                    for (port, tg) in tgs {
                        let proto = node_spec
                            .as_ref()
                            .map(node_listeners)
                            .unwrap_or_default()
                            .into_iter()
                            .find(|(_, p, _, _)| p == port)
                            .map(|(_, _, pr, _)| pr)
                            .unwrap_or_else(|| "http".into());
                        let lproto = if proto == "http" { "HTTP" } else { "HTTPS" };
                        let lname = format!("{}-{port}", lproto.to_ascii_lowercase());
                        listeners.push(Listener {
                            id: ids.name(&format!("Listener-{}-{lname}", key.name), names::CFN_LOGICAL),
                            tf: tfs.name(&format!("listener_{}_{lname}", key.name), names::TF_IDENT),
                            name: lnames.name(&lname, names::lattice(63, "listener-")),
                            protocol: lproto,
                            port: *port,
                            mesh_protocol: proto,
                            default_action: Action::Forward(vec![(tg.clone(), 100)]),
                            rules: Vec::new(),
                        });
                    }
                }
                None => notes.lost(
                    key,
                    format!("its provider, virtual node {node:?}, has no target group here (missing, or no HTTP-family listener): the Lattice service gets no listener"),
                ),
            }
        } else if let Some(router) =
            provider.and_then(|p| str_get(p, &["virtualRouter", "virtualRouterName"]))
        {
            let rkey = Key::new(Kind::VirtualRouter, &model.name, "", router);
            match model.get(&rkey) {
                None => notes.lost(
                    key,
                    format!("its provider, virtual router {router:?}, is not in the mesh: the Lattice service gets no listener"),
                ),
                Some(ritem) => {
                    for (_, port, proto, _) in node_listeners(&ritem.spec.value()) {
                        let lproto = match proto.as_str() {
                            "http" => "HTTP",
                            "http2" | "grpc" => "HTTPS",
                            _ => {
                                notes.lost(&rkey, format!("tcp listener on port {port}: no VPC Lattice listener (plain TCP is not a Lattice service protocol)"));
                                continue;
                            }
                        };
                        let lname = format!("{}-{port}", lproto.to_ascii_lowercase());
                        let lid = ids.name(&format!("Listener-{}-{lname}", key.name), names::CFN_LOGICAL);
                        let ltf = tfs.name(&format!("listener_{}_{lname}", key.name), names::TF_IDENT);
                        let rules = rules_of(model, &rkey, &proto, port, &tgs_of, (&lid, &ltf), &mut ids, &mut tfs, notes);
                        listeners.push(Listener {
                            id: lid,
                            tf: ltf,
                            name: lnames.name(&lname, names::lattice(63, "listener-")),
                            protocol: lproto,
                            port,
                            mesh_protocol: proto,
                            default_action: Action::Fixed(404),
                            rules,
                        });
                    }
                    notes.becomes(
                        &rkey,
                        format!("the listeners and rules of Lattice service {name}"),
                    );
                }
            }
        } else {
            notes.lost(
                key,
                "no provider: the Lattice service gets no listener".to_string(),
            );
        }
        notes.becomes(
            key,
            format!(
                "Lattice service {name} ({} listener{}) in the service network",
                listeners.len(),
                if listeners.len() == 1 { "" } else { "s" }
            ),
        );
        services.push(Service {
            id,
            tf,
            name,
            from: key.clone(),
            tags: tags_of(model, key),
            listeners,
        });
    }
    // Routers no virtual service names as provider, and their routes, make nothing.
    for (rkey, _) in model.of_kind(Kind::VirtualRouter) {
        let provides = model.of_kind(Kind::VirtualService).any(|(_, i)| {
            i.spec
                .value()
                .get("provider")
                .and_then(|p| str_get(p, &["virtualRouter", "virtualRouterName"]))
                == Some(rkey.name.as_str())
        });
        if !provides {
            notes.lost(
                rkey,
                "no virtual service names it as provider: nothing to create".to_string(),
            );
            for (route, _) in model
                .of_kind(Kind::Route)
                .filter(|(k, _)| k.parent == rkey.name)
            {
                notes.lost(
                    route,
                    "its router provides no virtual service: no rule".to_string(),
                );
            }
        }
    }
    Plan {
        network,
        target_groups,
        services,
    }
}

/// The routes of `router` carrying `proto` on `port`, as rules in priority order.
#[allow(clippy::too_many_arguments)]
fn rules_of(
    model: &MeshModel,
    router: &Key,
    proto: &str,
    port: i64,
    tgs_of: &BTreeMap<Key, Vec<(i64, String)>>,
    (listener_id, listener_tf): (&str, &str),
    ids: &mut Namer,
    tfs: &mut Namer,
    notes: &mut Notes,
) -> Vec<Rule> {
    let member = match proto {
        "http" => "httpRoute",
        "http2" => "http2Route",
        "grpc" => "grpcRoute",
        _ => return Vec::new(),
    };
    let mut routes: Vec<(&Key, Value, Option<i64>)> = model
        .of_kind(Kind::Route)
        .filter(|(k, _)| k.parent == router.name)
        .filter_map(|(k, item)| {
            let mut spec = item.spec.value();
            let priority = spec.get("priority").and_then(Value::as_i64);
            let r = spec.get_mut(member)?.take();
            let mport = num(&r, &["match", "port"]);
            if mport.is_some_and(|p| p != port) {
                return None;
            }
            Some((k, r, priority))
        })
        .collect();
    routes.sort_by(|a, b| (a.2.is_none(), a.2, &a.0.name).cmp(&(b.2.is_none(), b.2, &b.0.name)));
    let mut rnames = Namer::new();
    let mut rules = Vec::new();
    for (key, r, _) in &routes {
        let matching = match match_of(r, member == "grpcRoute") {
            Ok(m) => m,
            Err(why) => {
                notes.lost(
                    key,
                    format!(
                        "left out of listener {}-{port}: {why}",
                        if proto == "http" { "http" } else { "https" }
                    ),
                );
                continue;
            }
        };
        if rules.len() >= MAX_RULES {
            notes.lost(
                key,
                format!("left out: a VPC Lattice listener holds at most {MAX_RULES} rules"),
            );
            continue;
        }
        let grpc = (member == "grpcRoute").then(|| {
            let m = r.get("match");
            (
                m.and_then(|m| m.get("serviceName"))
                    .and_then(Value::as_str)
                    .map(String::from),
                m.and_then(|m| m.get("methodName"))
                    .and_then(Value::as_str)
                    .map(String::from),
            )
        });
        let mut forward = Vec::new();
        for t in r
            .get("action")
            .and_then(|a| a.get("weightedTargets"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(node) = t.get("virtualNode").and_then(Value::as_str) else {
                continue;
            };
            let weight = t.get("weight").and_then(Value::as_i64).unwrap_or(0);
            if weight <= 0 {
                notes.lost(key, format!("target {node:?} has weight 0: left out (VPC Lattice rule weights are 1–999)"));
                continue;
            }
            let nkey = Key::new(Kind::VirtualNode, &model.name, "", node);
            let want = t.get("port").and_then(Value::as_i64);
            match tgs_of.get(&nkey).and_then(|tgs| {
                tgs.iter()
                    .find(|(p, _)| Some(*p) == want)
                    .or_else(|| tgs.first())
            }) {
                Some((_, tg)) => forward.push((tg.clone(), weight.min(999))),
                None => notes.lost(key, format!("target {node:?} has no target group here (missing, or no HTTP-family listener): left out")),
            }
        }
        let action = if forward.is_empty() {
            notes.lost(
                key,
                "no target left: the rule answers a fixed 503".to_string(),
            );
            Action::Fixed(503)
        } else {
            Action::Forward(forward)
        };
        let priority = rules.len() as i64 + 1;
        let rule = Rule {
            id: ids.name(
                &format!("Rule-{listener_id}-{}", key.name),
                names::CFN_LOGICAL,
            ),
            tf: tfs.name(
                &format!(
                    "rule_{}_{}",
                    listener_tf.trim_start_matches("listener_"),
                    key.name
                ),
                names::TF_IDENT,
            ),
            name: rnames.name(&key.name, names::lattice(63, "rule-")),
            priority,
            route: (*key).clone(),
            matching,
            grpc,
            action,
        };
        notes.becomes(
            key,
            format!(
                "rule {} (priority {priority}) on listener {}-{port}",
                rule.name,
                if proto == "http" { "http" } else { "https" }
            ),
        );
        rules.push(rule);
    }
    rules
}

/// A route's match as a VPC Lattice HTTP match, or why it cannot be one exactly.
fn match_of(route: &Value, grpc: bool) -> Result<HttpMatch, String> {
    let empty = Map::new();
    let m = route
        .get("match")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut out = HttpMatch::default();
    if grpc {
        out.method = Some("POST".into());
        let svc = m.get("serviceName").and_then(Value::as_str);
        let method = m.get("methodName").and_then(Value::as_str);
        out.path = match (svc, method) {
            (Some(s), Some(me)) => Some((
                "Exact",
                lattice_path(&format!("/{s}/{me}"))
                    .ok_or("the gRPC path is longer than 128 characters")?,
            )),
            (Some(s), None) => Some((
                "Prefix",
                lattice_path(&format!("/{s}/"))
                    .ok_or("the gRPC path is longer than 128 characters")?,
            )),
            _ => Some(("Prefix", "/".into())),
        };
        out.headers = headers_of(m.get("metadata"))?;
        return Ok(out);
    }
    if m.contains_key("queryParameters") {
        return Err("it matches query parameters, which VPC Lattice rules cannot".into());
    }
    if m.contains_key("scheme") {
        return Err("it matches the scheme, which VPC Lattice rules cannot".into());
    }
    if let Some(method) = m.get("method").and_then(Value::as_str) {
        if !METHODS.contains(&method) {
            return Err(format!(
                "it matches method {method}, which VPC Lattice rules cannot"
            ));
        }
        out.method = Some(method.to_string());
    }
    let path = m.get("path");
    if path.and_then(|p| p.get("regex")).is_some() {
        return Err(
            "it matches a path regex; VPC Lattice matches exact paths and prefixes only".into(),
        );
    }
    out.path = if let Some(exact) = path.and_then(|p| p.get("exact")).and_then(Value::as_str) {
        Some((
            "Exact",
            lattice_path(exact)
                .ok_or("its exact path does not start with / or is longer than 128 characters")?,
        ))
    } else if let Some(prefix) = m.get("prefix").and_then(Value::as_str) {
        Some((
            "Prefix",
            lattice_path(prefix)
                .ok_or("its prefix does not start with / or is longer than 128 characters")?,
        ))
    } else {
        Some(("Prefix", "/".into()))
    };
    out.headers = headers_of(m.get("headers"))?;
    Ok(out)
}

fn headers_of(list: Option<&Value>) -> Result<Vec<(String, &'static str, String)>, String> {
    let Some(list) = list.and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    if list.len() > MAX_HEADERS {
        return Err(format!(
            "it matches {} headers; a VPC Lattice rule matches at most {MAX_HEADERS}",
            list.len()
        ));
    }
    let mut out = Vec::new();
    for h in list {
        let name = h.get("name").and_then(Value::as_str).unwrap_or_default();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(format!(
                "header {name:?}: VPC Lattice header names have 1–40 characters"
            ));
        }
        if h.get("invert").and_then(Value::as_bool) == Some(true) {
            return Err(format!(
                "header {name:?} is inverted, which VPC Lattice rules cannot match"
            ));
        }
        let mm = h.get("match").and_then(Value::as_object);
        let (kind, value) = match mm.and_then(|m| m.iter().next()) {
            Some((k, Value::String(v))) if k == "exact" => ("Exact", v.clone()),
            Some((k, Value::String(v))) if k == "prefix" => ("Prefix", v.clone()),
            Some((k, _)) => {
                return Err(format!(
                    "header {name:?} matches by {k}, which VPC Lattice rules cannot"
                ));
            }
            None => {
                return Err(format!(
                    "header {name:?} matches by presence only, which VPC Lattice rules cannot"
                ));
            }
        };
        if value.is_empty() || value.chars().count() > 128 {
            return Err(format!(
                "header {name:?}: VPC Lattice header values have 1–128 characters"
            ));
        }
        out.push((name.to_string(), kind, value));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Writers

fn cfn_tags(tags: &[(String, String)]) -> Option<Value> {
    (!tags.is_empty()).then(|| {
        Value::Array(
            tags.iter()
                .map(|(k, v)| json!({"Key": k, "Value": v}))
                .collect(),
        )
    })
}

fn getatt(id: &str, attr: &str) -> Value {
    json!({"Fn::GetAtt": [id, attr]})
}

fn cfn_action(a: &Action) -> Value {
    match a {
        Action::Forward(tgs) => json!({"Forward": {"TargetGroups": tgs.iter().map(|(tg, w)| json!({
            "TargetGroupIdentifier": getatt(tg, "Id"), "Weight": w})).collect::<Vec<_>>()}}),
        Action::Fixed(code) => json!({"FixedResponse": {"StatusCode": code}}),
    }
}

fn cfn_match(m: &HttpMatch) -> Value {
    let mut http = Map::new();
    if let Some(method) = &m.method {
        http.insert("Method".into(), json!(method));
    }
    if let Some((kind, value)) = &m.path {
        http.insert(
            "PathMatch".into(),
            json!({"CaseSensitive": true, "Match": {*kind: value}}),
        );
    }
    if !m.headers.is_empty() {
        http.insert(
            "HeaderMatches".into(),
            Value::Array(
                m.headers
                    .iter()
                    .map(|(n, k, v)| json!({"Name": n, "CaseSensitive": true, "Match": {*k: v}}))
                    .collect(),
            ),
        );
    }
    json!({"HttpMatch": http})
}

fn cfn_health(h: &Health) -> Value {
    let mut o = Map::new();
    o.insert("Enabled".into(), json!(true));
    o.insert("HealthCheckIntervalSeconds".into(), json!(h.interval));
    o.insert("HealthCheckTimeoutSeconds".into(), json!(h.timeout));
    o.insert("HealthyThresholdCount".into(), json!(h.healthy));
    o.insert("UnhealthyThresholdCount".into(), json!(h.unhealthy));
    if let Some(p) = &h.path {
        o.insert("Path".into(), json!(p));
    }
    if let Some(p) = h.port {
        o.insert("Port".into(), json!(p));
    }
    o.insert("Protocol".into(), json!(h.protocol));
    o.insert("ProtocolVersion".into(), json!(h.protocol_version));
    Value::Object(o)
}

/// The CloudFormation template (as a JSON value; the caller writes it as YAML). With
/// `network_only`, just the service network and its VPC association (what the Gateway API
/// controller expects to exist).
pub fn cloudformation(plan: &Plan, mesh: &str, network_only: bool) -> Value {
    let mut res = Map::new();
    let mut sn = json!({"Type": "AWS::VpcLattice::ServiceNetwork", "Properties": {"Name": plan.network.name}});
    if let Some(t) = cfn_tags(&plan.network.tags) {
        sn["Properties"]["Tags"] = t;
    }
    res.insert(plan.network.id.clone(), sn);
    res.insert(
        "ServiceNetworkVpcAssociation".into(),
        json!({"Type": "AWS::VpcLattice::ServiceNetworkVpcAssociation", "Properties": {
            "ServiceNetworkIdentifier": getatt(&plan.network.id, "Id"),
            "VpcIdentifier": {"Ref": "VpcId"}}}),
    );
    if !network_only {
        for tg in &plan.target_groups {
            let mut config = json!({
                "Port": tg.port, "Protocol": tg.protocol, "ProtocolVersion": tg.protocol_version,
                "IpAddressType": tg.ip_type, "VpcIdentifier": {"Ref": "VpcId"}});
            if let Some(h) = &tg.health {
                config["HealthCheck"] = cfn_health(h);
            }
            let mut p = json!({"Name": tg.name, "Type": "IP", "Config": config});
            if let Some(t) = cfn_tags(&tg.tags) {
                p["Tags"] = t;
            }
            res.insert(
                tg.id.clone(),
                json!({"Type": "AWS::VpcLattice::TargetGroup", "Properties": p}),
            );
        }
        for svc in &plan.services {
            let mut p = json!({"Name": svc.name, "AuthType": "NONE"});
            if let Some(t) = cfn_tags(&svc.tags) {
                p["Tags"] = t;
            }
            res.insert(
                svc.id.clone(),
                json!({"Type": "AWS::VpcLattice::Service", "Properties": p}),
            );
            res.insert(
                format!("{}Association", svc.id),
                json!({"Type": "AWS::VpcLattice::ServiceNetworkServiceAssociation", "Properties": {
                    "ServiceNetworkIdentifier": getatt(&plan.network.id, "Id"),
                    "ServiceIdentifier": getatt(&svc.id, "Id")}}),
            );
            for l in &svc.listeners {
                res.insert(
                    l.id.clone(),
                    json!({"Type": "AWS::VpcLattice::Listener", "Properties": {
                        "Name": l.name, "Protocol": l.protocol, "Port": l.port,
                        "ServiceIdentifier": getatt(&svc.id, "Id"),
                        "DefaultAction": cfn_action(&l.default_action)}}),
                );
                for r in &l.rules {
                    res.insert(
                        r.id.clone(),
                        json!({"Type": "AWS::VpcLattice::Rule", "Properties": {
                            "Name": r.name, "Priority": r.priority,
                            "ServiceIdentifier": getatt(&svc.id, "Id"),
                            "ListenerIdentifier": getatt(&l.id, "Id"),
                            "Match": cfn_match(&r.matching),
                            "Action": cfn_action(&r.action)}}),
                    );
                }
            }
        }
    }
    let mut outputs = Map::new();
    outputs.insert(
        "ServiceNetworkId".into(),
        json!({"Description": "The VPC Lattice service network", "Value": getatt(&plan.network.id, "Id")}),
    );
    if !network_only {
        for svc in &plan.services {
            outputs.insert(
                format!("{}DnsName", svc.id),
                json!({"Description": format!("DNS name of the Lattice service for virtual service {}", super::one_line(&svc.from.name)),
                       "Value": getatt(&svc.id, "DnsEntry.DomainName")}),
            );
        }
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("VPC Lattice resources migrated from App Mesh mesh {} by appmesh-tui", super::one_line(mesh)),
        "Parameters": {"VpcId": {"Type": "AWS::EC2::VPC::Id", "Description": "The VPC whose clients and targets join the service network"}},
        "Resources": res,
        "Outputs": outputs,
    })
}

/// The Terraform configuration.
pub fn terraform(plan: &Plan, network_only: bool) -> hcl::Body {
    use hcl::{Block, Body, Expression, Traversal, Variable};
    let tr = |res: &str, name: &str, attr: &str| -> Expression {
        Traversal::builder(Variable::unchecked(res))
            .attr(name)
            .attr(attr)
            .build()
            .into()
    };
    let var_vpc: Expression = Traversal::builder(Variable::unchecked("var"))
        .attr("vpc_id")
        .build()
        .into();
    let tags = |t: &[(String, String)]| -> Option<Expression> {
        (!t.is_empty()).then(|| {
            Expression::Object(
                t.iter()
                    .map(|(k, v)| {
                        (
                            hcl::ObjectKey::Expression(Expression::String(k.clone())),
                            Expression::String(v.clone()),
                        )
                    })
                    .collect(),
            )
        })
    };
    let action = |a: &Action| -> Block {
        match a {
            Action::Forward(tgs) => {
                let mut f = Block::builder("forward");
                for (tg, w) in tgs {
                    let tfname = plan
                        .target_groups
                        .iter()
                        .find(|t| &t.id == tg)
                        .map(|t| t.tf.clone())
                        .unwrap_or_default();
                    f = f.add_block(
                        Block::builder("target_groups")
                            .add_attribute((
                                "target_group_identifier",
                                tr("aws_vpclattice_target_group", &tfname, "id"),
                            ))
                            .add_attribute(("weight", *w))
                            .build(),
                    );
                }
                f.build()
            }
            Action::Fixed(code) => Block::builder("fixed_response")
                .add_attribute(("status_code", *code))
                .build(),
        }
    };
    let mut body = Body::builder().add_block(
        Block::builder("variable")
            .add_label("vpc_id")
            .add_attribute((
                "description",
                "The VPC whose clients and targets join the service network",
            ))
            .add_attribute(("type", Expression::Variable(Variable::unchecked("string"))))
            .build(),
    );
    let mut sn = Block::builder("resource")
        .add_label("aws_vpclattice_service_network")
        .add_label("mesh")
        .add_attribute(("name", plan.network.name.clone()));
    if let Some(t) = tags(&plan.network.tags) {
        sn = sn.add_attribute(("tags", t));
    }
    body = body.add_block(sn.build()).add_block(
        Block::builder("resource")
            .add_label("aws_vpclattice_service_network_vpc_association")
            .add_label("mesh")
            .add_attribute((
                "service_network_identifier",
                tr("aws_vpclattice_service_network", "mesh", "id"),
            ))
            .add_attribute(("vpc_identifier", var_vpc.clone()))
            .build(),
    );
    if network_only {
        return body.build();
    }
    for tg in &plan.target_groups {
        let mut config = Block::builder("config")
            .add_attribute(("vpc_identifier", var_vpc.clone()))
            .add_attribute(("port", tg.port))
            .add_attribute(("protocol", tg.protocol))
            .add_attribute(("protocol_version", tg.protocol_version))
            .add_attribute(("ip_address_type", tg.ip_type));
        if let Some(h) = &tg.health {
            let mut hb = Block::builder("health_check")
                .add_attribute(("enabled", true))
                .add_attribute(("health_check_interval_seconds", h.interval))
                .add_attribute(("health_check_timeout_seconds", h.timeout))
                .add_attribute(("healthy_threshold_count", h.healthy))
                .add_attribute(("unhealthy_threshold_count", h.unhealthy));
            if let Some(p) = &h.path {
                hb = hb.add_attribute(("path", p.clone()));
            }
            if let Some(p) = h.port {
                hb = hb.add_attribute(("port", p));
            }
            hb = hb
                .add_attribute(("protocol", h.protocol))
                .add_attribute(("protocol_version", h.protocol_version));
            config = config.add_block(hb.build());
        }
        let mut b = Block::builder("resource")
            .add_label("aws_vpclattice_target_group")
            .add_label(tg.tf.as_str())
            .add_attribute(("name", tg.name.clone()))
            .add_attribute(("type", "IP"))
            .add_block(config.build());
        if let Some(t) = tags(&tg.tags) {
            b = b.add_attribute(("tags", t));
        }
        body = body.add_block(b.build());
    }
    for svc in &plan.services {
        let mut b = Block::builder("resource")
            .add_label("aws_vpclattice_service")
            .add_label(svc.tf.as_str())
            .add_attribute(("name", svc.name.clone()))
            .add_attribute(("auth_type", "NONE"));
        if let Some(t) = tags(&svc.tags) {
            b = b.add_attribute(("tags", t));
        }
        body = body.add_block(b.build()).add_block(
            Block::builder("resource")
                .add_label("aws_vpclattice_service_network_service_association")
                .add_label(svc.tf.as_str())
                .add_attribute((
                    "service_identifier",
                    tr("aws_vpclattice_service", &svc.tf, "id"),
                ))
                .add_attribute((
                    "service_network_identifier",
                    tr("aws_vpclattice_service_network", "mesh", "id"),
                ))
                .build(),
        );
        for l in &svc.listeners {
            body = body.add_block(
                Block::builder("resource")
                    .add_label("aws_vpclattice_listener")
                    .add_label(l.tf.as_str())
                    .add_attribute(("name", l.name.clone()))
                    .add_attribute(("protocol", l.protocol))
                    .add_attribute(("port", l.port))
                    .add_attribute((
                        "service_identifier",
                        tr("aws_vpclattice_service", &svc.tf, "id"),
                    ))
                    .add_block(
                        Block::builder("default_action")
                            .add_block(action(&l.default_action))
                            .build(),
                    )
                    .build(),
            );
            for r in &l.rules {
                let mut http = Block::builder("http_match");
                if let Some(m) = &r.matching.method {
                    http = http.add_attribute(("method", m.clone()));
                }
                if let Some((kind, value)) = &r.matching.path {
                    http = http.add_block(
                        Block::builder("path_match")
                            .add_attribute(("case_sensitive", true))
                            .add_block(
                                Block::builder("match")
                                    .add_attribute((kind.to_ascii_lowercase(), value.clone()))
                                    .build(),
                            )
                            .build(),
                    );
                }
                for (n, k, v) in &r.matching.headers {
                    http = http.add_block(
                        Block::builder("header_matches")
                            .add_attribute(("name", n.clone()))
                            .add_attribute(("case_sensitive", true))
                            .add_block(
                                Block::builder("match")
                                    .add_attribute((k.to_ascii_lowercase(), v.clone()))
                                    .build(),
                            )
                            .build(),
                    );
                }
                body = body.add_block(
                    Block::builder("resource")
                        .add_label("aws_vpclattice_listener_rule")
                        .add_label(r.tf.as_str())
                        .add_attribute(("name", r.name.clone()))
                        .add_attribute(("priority", r.priority))
                        .add_attribute((
                            "service_identifier",
                            tr("aws_vpclattice_service", &svc.tf, "id"),
                        ))
                        .add_attribute((
                            "listener_identifier",
                            tr("aws_vpclattice_listener", &l.tf, "listener_id"),
                        ))
                        .add_block(Block::builder("match").add_block(http.build()).build())
                        .add_block(
                            Block::builder("action")
                                .add_block(action(&r.action))
                                .build(),
                        )
                        .build(),
                );
            }
        }
    }
    body.build()
}

fn api_tags(tags: &[(String, String)]) -> Option<Value> {
    (!tags.is_empty())
        .then(|| Value::Object(tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect()))
}

fn api_action(a: &Action) -> Value {
    match a {
        Action::Forward(tgs) => json!({"forward": {"targetGroups": tgs.iter().map(|(tg, w)| json!({
            "targetGroupIdentifier": {"ref": tg}, "weight": w})).collect::<Vec<_>>()}}),
        Action::Fixed(code) => json!({"fixedResponse": {"statusCode": code}}),
    }
}

/// The plan as VPC Lattice API calls in order (each `{"op", "ref", "input"}`; `{"ref": ID}` in an
/// input stands for the `id` the call that made ID returned, `{"param": "VpcId"}` for a value
/// the user gives). Member names as in the VPC Lattice API, so boto3 or the AWS CLI can run it.
pub fn api_steps(plan: &Plan) -> Vec<Value> {
    let mut steps = Vec::new();
    let mut step = |op: &str, r: &str, input: Value| {
        steps.push(json!({"op": op, "ref": r, "input": input}));
    };
    let mut sn = json!({"name": plan.network.name, "authType": "NONE"});
    if let Some(t) = api_tags(&plan.network.tags) {
        sn["tags"] = t;
    }
    step("CreateServiceNetwork", &plan.network.id, sn);
    step(
        "CreateServiceNetworkVpcAssociation",
        "ServiceNetworkVpcAssociation",
        json!({"serviceNetworkIdentifier": {"ref": plan.network.id}, "vpcIdentifier": {"param": "VpcId"}}),
    );
    for tg in &plan.target_groups {
        let mut config = json!({"port": tg.port, "protocol": tg.protocol, "protocolVersion": tg.protocol_version,
            "ipAddressType": tg.ip_type, "vpcIdentifier": {"param": "VpcId"}});
        if let Some(h) = &tg.health {
            let mut hc = json!({"enabled": true, "healthCheckIntervalSeconds": h.interval,
                "healthCheckTimeoutSeconds": h.timeout, "healthyThresholdCount": h.healthy,
                "unhealthyThresholdCount": h.unhealthy, "protocol": h.protocol, "protocolVersion": h.protocol_version});
            if let Some(p) = &h.path {
                hc["path"] = json!(p);
            }
            if let Some(p) = h.port {
                hc["port"] = json!(p);
            }
            config["healthCheck"] = hc;
        }
        let mut input = json!({"name": tg.name, "type": "IP", "config": config});
        if let Some(t) = api_tags(&tg.tags) {
            input["tags"] = t;
        }
        step("CreateTargetGroup", &tg.id, input);
    }
    for svc in &plan.services {
        let mut input = json!({"name": svc.name, "authType": "NONE"});
        if let Some(t) = api_tags(&svc.tags) {
            input["tags"] = t;
        }
        step("CreateService", &svc.id, input);
        step(
            "CreateServiceNetworkServiceAssociation",
            &format!("{}Association", svc.id),
            json!({"serviceNetworkIdentifier": {"ref": plan.network.id}, "serviceIdentifier": {"ref": svc.id}}),
        );
        for l in &svc.listeners {
            step(
                "CreateListener",
                &l.id,
                json!({"serviceIdentifier": {"ref": svc.id}, "name": l.name, "protocol": l.protocol,
                    "port": l.port, "defaultAction": api_action(&l.default_action)}),
            );
            for r in &l.rules {
                let mut http = Map::new();
                if let Some(m) = &r.matching.method {
                    http.insert("method".into(), json!(m));
                }
                if let Some((kind, value)) = &r.matching.path {
                    http.insert(
                        "pathMatch".into(),
                        json!({"caseSensitive": true, "match": {kind.to_ascii_lowercase(): value}}),
                    );
                }
                if !r.matching.headers.is_empty() {
                    http.insert(
                        "headerMatches".into(),
                        Value::Array(r.matching.headers.iter().map(|(n, k, v)| json!({"name": n, "caseSensitive": true, "match": {k.to_ascii_lowercase(): v}})).collect()),
                    );
                }
                step(
                    "CreateRule",
                    &r.id,
                    json!({"serviceIdentifier": {"ref": svc.id}, "listenerIdentifier": {"ref": l.id},
                        "name": r.name, "priority": r.priority, "match": {"httpMatch": http},
                        "action": api_action(&r.action)}),
                );
            }
        }
    }
    steps
}

/// Kubernetes manifests for the AWS Gateway API controller: the Gateway, one HTTPRoute or
/// GRPCRoute per Lattice service listener, and a TargetGroupPolicy per backend Service.
pub fn gateway_api(plan: &Plan) -> Vec<Value> {
    let mut docs = Vec::new();
    let needs_https = plan
        .services
        .iter()
        .flat_map(|s| &s.listeners)
        .any(|l| l.protocol == "HTTPS");
    let mut listeners = vec![json!({"name": "http", "protocol": "HTTP", "port": 80})];
    if needs_https {
        listeners.push(json!({"name": "https", "protocol": "HTTPS", "port": 443,
            "tls": {"mode": "Terminate", "certificateRefs": [{"name": "unused"}]}}));
    }
    docs.push(
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": plan.network.name},
        "spec": {"gatewayClassName": "amazon-vpc-lattice", "listeners": listeners}}),
    );
    let tg = |id: &str| plan.target_groups.iter().find(|t| t.id == id);
    let backend = |id: &str, w: i64| -> Option<Value> {
        let t = tg(id)?;
        let mut b =
            json!({"name": t.k8s_service.0, "kind": "Service", "port": t.port, "weight": w});
        if let Some(ns) = &t.k8s_service.1 {
            b["namespace"] = json!(ns);
        }
        Some(b)
    };
    let mut route_names = Namer::new();
    for svc in &plan.services {
        for l in &svc.listeners {
            let grpc = l.mesh_protocol == "grpc";
            let section = if l.protocol == "HTTP" {
                "http"
            } else {
                "https"
            };
            let mut rules = Vec::new();
            for r in &l.rules {
                let Action::Forward(tgs) = &r.action else {
                    continue;
                };
                let refs: Vec<Value> = tgs.iter().filter_map(|(id, w)| backend(id, *w)).collect();
                let headers: Vec<Value> = r.matching.headers.iter().map(|(n, k, v)| {
                    if *k == "Exact" {
                        json!({"type": "Exact", "name": n, "value": v})
                    } else {
                        json!({"type": "RegularExpression", "name": n, "value": format!("^{}.*", regex_escape(v))})
                    }
                }).collect();
                let mut m = Map::new();
                if grpc {
                    if let Some((s, me)) = &r.grpc {
                        let mut method = Map::new();
                        if let Some(s) = s {
                            method.insert("service".into(), json!(s));
                        }
                        if let Some(me) = me {
                            method.insert("method".into(), json!(me));
                        }
                        if !method.is_empty() {
                            m.insert("method".into(), Value::Object(method));
                        }
                    }
                } else {
                    if let Some((kind, value)) = &r.matching.path {
                        m.insert("path".into(), json!({"type": if *kind == "Exact" { "Exact" } else { "PathPrefix" }, "value": value}));
                    }
                    if let Some(method) = &r.matching.method {
                        m.insert("method".into(), json!(method));
                    }
                }
                if !headers.is_empty() {
                    m.insert("headers".into(), Value::Array(headers));
                }
                rules.push(json!({"matches": [m], "backendRefs": refs}));
            }
            if let Action::Forward(tgs) = &l.default_action {
                let refs: Vec<Value> = tgs.iter().filter_map(|(id, w)| backend(id, *w)).collect();
                rules.push(json!({"backendRefs": refs}));
            }
            let base = if svc.listeners.len() > 1 {
                format!("{}-{}", svc.name, l.name)
            } else {
                svc.name.clone()
            };
            docs.push(json!({
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": if grpc { "GRPCRoute" } else { "HTTPRoute" },
                "metadata": {"name": route_names.name(&base, names::K8S_LABEL),
                    "annotations": {"appmesh-tui/virtual-service": svc.from.name}},
                "spec": {"parentRefs": [{"name": plan.network.name, "sectionName": section}], "rules": rules},
            }));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for t in &plan.target_groups {
        if !seen.insert(t.k8s_service.clone()) {
            continue;
        }
        let mut spec = json!({"targetRef": {"group": "", "kind": "Service", "name": t.k8s_service.0},
            "protocol": t.protocol, "protocolVersion": t.protocol_version});
        if let Some(h) = &t.health {
            let mut hc = json!({"enabled": true, "intervalSeconds": h.interval, "timeoutSeconds": h.timeout,
                "healthyThresholdCount": h.healthy, "unhealthyThresholdCount": h.unhealthy,
                "protocol": h.protocol, "protocolVersion": h.protocol_version});
            if let Some(p) = &h.path {
                hc["path"] = json!(p);
            }
            if let Some(p) = h.port {
                hc["port"] = json!(p);
            }
            spec["healthCheck"] = hc;
        }
        let mut meta =
            json!({"name": names::fit(&format!("{}-tgp", t.k8s_service.0), names::K8S_LABEL)});
        if let Some(ns) = &t.k8s_service.1 {
            meta["namespace"] = json!(ns);
        }
        docs.push(json!({"apiVersion": "application-networking.k8s.aws/v1alpha1", "kind": "TargetGroupPolicy",
            "metadata": meta, "spec": spec}));
    }
    docs
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
