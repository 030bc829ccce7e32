//! ECS Service Connect: the plan built from a mesh (a Cloud Map namespace; per virtual node the
//! Service Connect configuration of its ECS service), and how it is written as CloudFormation,
//! Terraform and a plan of ECS API values. Routers, routes, weights and gateways have no
//! equivalent: the report says how to keep each (see [`super::table`]).

use serde_json::{Map, Value, json};

use super::names::{self, Namer};
use super::{Notes, num, str_get};
use crate::kind::{Key, Kind};
use crate::mesh::MeshModel;

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub namespace: String,
    pub namespace_tags: Vec<(String, String)>,
    pub services: Vec<EcsService>,
    /// Some listener wants TLS from an AWS Private CA (the template asks for its ARN).
    pub needs_ca: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EcsService {
    pub id: String,
    pub tf: String,
    pub name: String,
    pub node: Key,
    /// The CloudFormation parameter holding its task definition.
    pub task_param: String,
    pub tags: Vec<(String, String)>,
    pub port_mappings: Vec<PortMapping>,
    pub connect: Vec<ConnectService>,
}

/// A named port mapping the task definition must declare.
#[derive(Clone, Debug, PartialEq)]
pub struct PortMapping {
    pub name: String,
    pub container_port: i64,
    /// `http`, `http2`, `grpc`; none for tcp.
    pub app_protocol: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConnectService {
    pub port_name: String,
    pub discovery_name: String,
    /// (dns name, port); the dns name is `None` for the default `discoveryName.namespace`.
    pub alias: (Option<String>, i64),
    /// (idle, per request) in seconds.
    pub timeout: (Option<i64>, Option<i64>),
    pub tls: bool,
}

fn tags_of(model: &MeshModel, key: &Key) -> Vec<(String, String)> {
    model
        .get(key)
        .map(|i| {
            i.tags
                .iter()
                .filter(|(k, v)| !k.is_empty() && k.len() <= 128 && v.len() <= 256)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn secs(ms: i64) -> i64 {
    (ms.saturating_add(999) / 1000).clamp(0, i64::from(i32::MAX))
}

/// A duration (`{"unit": "s"|"ms", "value": N}`) in seconds, rounded up.
fn duration(v: Option<&Value>) -> Option<i64> {
    let v = v?;
    let value = v.get("value").and_then(Value::as_i64)?.max(0);
    match v.get("unit").and_then(Value::as_str) {
        Some("s") => Some(value.min(i64::from(i32::MAX))),
        _ => Some(secs(value)),
    }
}

/// Which node provides each virtual service (directly, or through its router: the target with
/// the largest weight in the router's first route), with the port clients call.
fn providers(model: &MeshModel, notes: &mut Notes) -> Vec<(Key, Key, Option<i64>)> {
    let mut out = Vec::new();
    for (key, item) in model.of_kind(Kind::VirtualService) {
        let spec = item.spec.value();
        let p = spec.get("provider");
        if let Some(node) = p.and_then(|p| str_get(p, &["virtualNode", "virtualNodeName"])) {
            out.push((
                key.clone(),
                Key::new(Kind::VirtualNode, &model.name, "", node),
                None,
            ));
            continue;
        }
        let Some(router) = p.and_then(|p| str_get(p, &["virtualRouter", "virtualRouterName"]))
        else {
            notes.lost(key, "no provider: no client alias".to_string());
            continue;
        };
        let rkey = Key::new(Kind::VirtualRouter, &model.name, "", router);
        let rport = model.get(&rkey).map(|r| r.spec.value()).and_then(|s| {
            num(
                s.get("listeners")?.as_array()?.first()?,
                &["portMapping", "port"],
            )
        });
        let mut routes: Vec<(&Key, Value)> = model
            .of_kind(Kind::Route)
            .filter(|(k, _)| k.parent == router)
            .map(|(k, i)| (k, i.spec.value()))
            .collect();
        routes.sort_by(|a, b| {
            let pa = a.1.get("priority").and_then(Value::as_i64);
            let pb = b.1.get("priority").and_then(Value::as_i64);
            (pa.is_none(), pa, &a.0.name).cmp(&(pb.is_none(), pb, &b.0.name))
        });
        // The catch-all route (no condition but prefix "/"), else the first one.
        let catch_all = |spec: &Value| {
            spec.as_object().into_iter().flatten().any(|(k, r)| {
                k != "priority"
                    && r.get("match").and_then(Value::as_object).is_none_or(|m| {
                        m.iter().all(|(mk, mv)| {
                            (mk == "prefix" && mv.as_str() == Some("/")) || mk == "port"
                        })
                    })
            })
        };
        let chosen = routes.iter().find(|(_, s)| catch_all(s)).or(routes.first());
        let mut best: Option<(String, i64)> = None;
        if let Some((rk, spec)) = chosen {
            for (_, r) in spec.as_object().into_iter().flatten() {
                for t in r
                    .get("action")
                    .and_then(|a| a.get("weightedTargets"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let (Some(n), w) = (
                        t.get("virtualNode").and_then(Value::as_str),
                        t.get("weight").and_then(Value::as_i64).unwrap_or(0),
                    ) else {
                        continue;
                    };
                    if best.as_ref().is_none_or(|(_, bw)| w > *bw) {
                        best = Some((n.to_string(), w));
                    }
                }
            }
            let others: usize = spec
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(_, r)| r.get("action")?.get("weightedTargets")?.as_array())
                .map(|a| a.len())
                .sum::<usize>()
                .saturating_sub(1);
            if others > 0 || routes.len() > 1 {
                notes.lost(
                    key,
                    format!(
                        "router {router:?}: only {} (the largest weight of route {:?}) keeps the alias; the other targets and routes get no traffic through Service Connect",
                        best.as_ref().map(|b| b.0.as_str()).unwrap_or("?"),
                        rk.name
                    ),
                );
            }
        }
        match best {
            Some((node, _)) => out.push((
                key.clone(),
                Key::new(Kind::VirtualNode, &model.name, "", node),
                rport,
            )),
            None => notes.lost(
                key,
                format!("router {router:?} has no route with a target: no client alias"),
            ),
        }
    }
    out
}

pub fn build(model: &MeshModel, notes: &mut Notes) -> Plan {
    let mesh_key = Key::mesh(&model.name);
    let namespace = names::fit(&model.name, names::DNS_NAME);
    notes.becomes(&mesh_key, format!("Cloud Map HTTP namespace {namespace}"));
    let provided = providers(model, notes);
    let mut ids = Namer::new();
    ids.name("Namespace", names::CFN_LOGICAL);
    ids.name("Cluster", names::CFN_LOGICAL);
    ids.name("PrivateCaArn", names::CFN_LOGICAL);
    let mut tfs = Namer::new();
    tfs.name("mesh", names::TF_IDENT);
    let mut svc_names = Namer::new();
    let mut discovery = Namer::new();
    let mut aliases = Namer::new();
    let mut services = Vec::new();
    let mut needs_ca = false;
    for (key, item) in model.of_kind(Kind::VirtualNode) {
        let mut port_mappings = Vec::new();
        let mut connect = Vec::new();
        let spec = item.spec.value();
        let listeners: Vec<&Value> = spec
            .get("listeners")
            .and_then(Value::as_array)
            .map(|l| l.iter().collect())
            .unwrap_or_default();
        let mine: Vec<&(Key, Key, Option<i64>)> =
            provided.iter().filter(|(_, n, _)| n == key).collect();
        for (i, l) in listeners.iter().enumerate() {
            let Some(port) = num(l, &["portMapping", "port"]) else {
                continue;
            };
            let proto = str_get(l, &["portMapping", "protocol"]).unwrap_or("http");
            let pname = names::fit(&format!("{proto}-{port}"), names::ECS_DISCOVERY);
            port_mappings.push(PortMapping {
                name: pname.clone(),
                container_port: port,
                app_protocol: (proto != "tcp").then(|| proto.to_string()),
            });
            let t = l.get("timeout").and_then(|t| t.get(proto));
            let timeout = (
                duration(t.and_then(|t| t.get("idle"))),
                duration(t.and_then(|t| t.get("perRequest"))),
            );
            let tls = str_get(l, &["tls", "mode"]) == Some("STRICT")
                && l.get("tls")
                    .and_then(|t| t.get("certificate"))
                    .and_then(|c| c.get("acm"))
                    .is_some();
            if str_get(l, &["tls", "mode"]) == Some("STRICT") && !tls {
                notes.lost(key, format!("port {port}: TLS from a file or SDS certificate has no Service Connect equivalent (Service Connect TLS comes from AWS Private CA)"));
            }
            needs_ca |= tls;
            // The first listener serves the virtual services this node provides.
            let served: Vec<&&(Key, Key, Option<i64>)> = if i == 0 {
                mine.iter().collect()
            } else {
                Vec::new()
            };
            if served.is_empty() {
                connect.push(ConnectService {
                    port_name: pname.clone(),
                    discovery_name: discovery
                        .name(&format!("{}-{port}", key.name), names::ECS_DISCOVERY),
                    alias: (None, port),
                    timeout,
                    tls,
                });
            }
            for (vs, _, rport) in served {
                let dns = aliases.name(&vs.name, names::DNS_NAME);
                let alias_port = rport.unwrap_or(port);
                notes.becomes(
                    vs,
                    format!(
                        "client alias {dns}:{alias_port} on ECS service of {}",
                        key.name
                    ),
                );
                connect.push(ConnectService {
                    port_name: pname.clone(),
                    discovery_name: discovery.name(&vs.name, names::ECS_DISCOVERY),
                    alias: (Some(dns), alias_port),
                    timeout,
                    tls,
                });
            }
        }
        let name = svc_names.name(&key.name, names::ECS_SERVICE);
        let s = EcsService {
            id: ids.name(&format!("EcsService-{}", key.name), names::CFN_LOGICAL),
            tf: tfs.name(&format!("svc_{}", key.name), names::TF_IDENT),
            task_param: ids.name(&format!("TaskDefinition-{}", key.name), names::CFN_LOGICAL),
            name,
            node: key.clone(),
            tags: tags_of(model, key),
            port_mappings,
            connect,
        };
        notes.becomes(
            key,
            if s.connect.is_empty() {
                format!(
                    "ECS service {} joining namespace {namespace} as a client only",
                    s.name
                )
            } else {
                format!(
                    "ECS service {} with Service Connect ({} port{}: {})",
                    s.name,
                    s.port_mappings.len(),
                    if s.port_mappings.len() == 1 { "" } else { "s" },
                    s.port_mappings
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        );
        services.push(s);
    }
    Plan {
        namespace,
        namespace_tags: tags_of(model, &mesh_key),
        services,
        needs_ca,
    }
}

fn sc_services_cfn(s: &EcsService) -> Vec<Value> {
    s.connect
        .iter()
        .map(|c| {
            let mut alias = json!({"Port": c.alias.1});
            if let Some(d) = &c.alias.0 {
                alias["DnsName"] = json!(d);
            }
            let mut v = json!({"PortName": c.port_name, "DiscoveryName": c.discovery_name, "ClientAliases": [alias]});
            let mut t = Map::new();
            if let Some(i) = c.timeout.0 {
                t.insert("IdleTimeoutSeconds".into(), json!(i));
            }
            if let Some(p) = c.timeout.1 {
                t.insert("PerRequestTimeoutSeconds".into(), json!(p));
            }
            if !t.is_empty() {
                v["Timeout"] = Value::Object(t);
            }
            if c.tls {
                v["Tls"] = json!({"IssuerCertificateAuthority": {"AwsPcaAuthorityArn": {"Ref": "PrivateCaArn"}}});
            }
            v
        })
        .collect()
}

pub fn cloudformation(plan: &Plan, mesh: &str) -> Value {
    let mut params = Map::new();
    params.insert("Cluster".into(), json!({"Type": "String", "Description": "The ECS cluster (name or ARN) the services run in"}));
    if plan.needs_ca {
        params.insert("PrivateCaArn".into(), json!({"Type": "String", "Description": "ARN of the AWS Private CA that issues Service Connect TLS certificates"}));
    }
    let mut res = Map::new();
    let mut ns = json!({"Type": "AWS::ServiceDiscovery::HttpNamespace", "Properties": {"Name": plan.namespace,
        "Description": format!("Service Connect namespace for App Mesh mesh {}", super::one_line(mesh))}});
    if !plan.namespace_tags.is_empty() {
        ns["Properties"]["Tags"] = Value::Array(
            plan.namespace_tags
                .iter()
                .map(|(k, v)| json!({"Key": k, "Value": v}))
                .collect(),
        );
    }
    res.insert("Namespace".into(), ns);
    for s in &plan.services {
        params.insert(
            s.task_param.clone(),
            json!({"Type": "String", "Description": format!("Task definition for the service of virtual node {}; its port mappings must be named {}",
                super::one_line(&s.node.name),
                if s.port_mappings.is_empty() { "(none needed)".to_string() } else { s.port_mappings.iter().map(|p| format!("{} (containerPort {})", p.name, p.container_port)).collect::<Vec<_>>().join(", ") })}),
        );
        let mut sc = json!({"Enabled": true, "Namespace": {"Fn::GetAtt": ["Namespace", "Arn"]}});
        let services = sc_services_cfn(s);
        if !services.is_empty() {
            sc["Services"] = Value::Array(services);
        }
        let mut p = json!({"Cluster": {"Ref": "Cluster"}, "ServiceName": s.name,
            "TaskDefinition": {"Ref": s.task_param}, "ServiceConnectConfiguration": sc});
        if !s.tags.is_empty() {
            p["Tags"] = Value::Array(
                s.tags
                    .iter()
                    .map(|(k, v)| json!({"Key": k, "Value": v}))
                    .collect(),
            );
        }
        res.insert(
            s.id.clone(),
            json!({"Type": "AWS::ECS::Service", "Properties": p}),
        );
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("ECS Service Connect migrated from App Mesh mesh {} by appmesh-tui", super::one_line(mesh)),
        "Parameters": params,
        "Resources": res,
        "Outputs": {"NamespaceArn": {"Description": "The Cloud Map namespace", "Value": {"Fn::GetAtt": ["Namespace", "Arn"]}}},
    })
}

pub fn terraform(plan: &Plan) -> hcl::Body {
    use hcl::{Block, Body, Expression, Traversal, Variable};
    let var = |n: &str| -> Expression {
        Traversal::builder(Variable::unchecked("var"))
            .attr(n)
            .build()
            .into()
    };
    let string_t = || Expression::Variable(Variable::unchecked("string"));
    let mut body = Body::builder()
        .add_block(Block::builder("variable").add_label("cluster_arn")
            .add_attribute(("description", "The ECS cluster the services run in"))
            .add_attribute(("type", string_t())).build())
        .add_block(Block::builder("variable").add_label("task_definition_arns")
            .add_attribute(("description", "Task definition ARN per ECS service name; each must declare the port mappings named in this file"))
            .add_attribute(("type", Expression::FuncCall(Box::new(hcl::FuncCall::builder("map").arg(string_t()).build())))).build());
    if plan.needs_ca {
        body = body.add_block(
            Block::builder("variable")
                .add_label("private_ca_arn")
                .add_attribute((
                    "description",
                    "ARN of the AWS Private CA that issues Service Connect TLS certificates",
                ))
                .add_attribute(("type", string_t()))
                .build(),
        );
    }
    let mut ns = Block::builder("resource")
        .add_label("aws_service_discovery_http_namespace")
        .add_label("mesh")
        .add_attribute(("name", plan.namespace.clone()));
    if !plan.namespace_tags.is_empty() {
        ns = ns.add_attribute((
            "tags",
            Expression::Object(
                plan.namespace_tags
                    .iter()
                    .map(|(k, v)| {
                        (
                            hcl::ObjectKey::Expression(Expression::String(k.clone())),
                            Expression::String(v.clone()),
                        )
                    })
                    .collect(),
            ),
        ));
    }
    body = body.add_block(ns.build());
    for s in &plan.services {
        let mut sc = Block::builder("service_connect_configuration")
            .add_attribute(("enabled", true))
            .add_attribute((
                "namespace",
                Expression::from(
                    Traversal::builder(Variable::unchecked("aws_service_discovery_http_namespace"))
                        .attr("mesh")
                        .attr("arn")
                        .build(),
                ),
            ));
        for c in &s.connect {
            let mut alias = Block::builder("client_alias").add_attribute(("port", c.alias.1));
            if let Some(d) = &c.alias.0 {
                alias = alias.add_attribute(("dns_name", d.clone()));
            }
            let mut b = Block::builder("service")
                .add_attribute(("port_name", c.port_name.clone()))
                .add_attribute(("discovery_name", c.discovery_name.clone()))
                .add_block(alias.build());
            if c.timeout.0.is_some() || c.timeout.1.is_some() {
                let mut t = Block::builder("timeout");
                if let Some(i) = c.timeout.0 {
                    t = t.add_attribute(("idle_timeout_seconds", i));
                }
                if let Some(p) = c.timeout.1 {
                    t = t.add_attribute(("per_request_timeout_seconds", p));
                }
                b = b.add_block(t.build());
            }
            if c.tls {
                b = b.add_block(
                    Block::builder("tls")
                        .add_block(
                            Block::builder("issuer_cert_authority")
                                .add_attribute(("aws_pca_authority_arn", var("private_ca_arn")))
                                .build(),
                        )
                        .build(),
                );
            }
            sc = sc.add_block(b.build());
        }
        let task: Expression = Traversal::builder(Variable::unchecked("var"))
            .attr("task_definition_arns")
            .index(Expression::String(s.name.clone()))
            .build()
            .into();
        let mut b = Block::builder("resource")
            .add_label("aws_ecs_service")
            .add_label(s.tf.as_str())
            .add_attribute(("name", s.name.clone()))
            .add_attribute(("cluster", var("cluster_arn")))
            .add_attribute(("task_definition", task))
            .add_block(sc.build());
        if !s.tags.is_empty() {
            b = b.add_attribute((
                "tags",
                Expression::Object(
                    s.tags
                        .iter()
                        .map(|(k, v)| {
                            (
                                hcl::ObjectKey::Expression(Expression::String(k.clone())),
                                Expression::String(v.clone()),
                            )
                        })
                        .collect(),
                ),
            ));
        }
        body = body.add_block(b.build());
    }
    body.build()
}

/// The plan in the ECS API's terms: the namespace to create, and per ECS service the port
/// mappings its task definition must declare and the `serviceConnectConfiguration` for
/// CreateService / UpdateService.
pub fn api_plan(plan: &Plan) -> Value {
    let services: Vec<Value> = plan.services.iter().map(|s| {
        let connect: Vec<Value> = s.connect.iter().map(|c| {
            let mut alias = json!({"port": c.alias.1});
            if let Some(d) = &c.alias.0 {
                alias["dnsName"] = json!(d);
            }
            let mut v = json!({"portName": c.port_name, "discoveryName": c.discovery_name, "clientAliases": [alias]});
            let mut t = Map::new();
            if let Some(i) = c.timeout.0 { t.insert("idleTimeoutSeconds".into(), json!(i)); }
            if let Some(p) = c.timeout.1 { t.insert("perRequestTimeoutSeconds".into(), json!(p)); }
            if !t.is_empty() { v["timeout"] = Value::Object(t); }
            if c.tls { v["tls"] = json!({"issuerCertificateAuthority": {"awsPcaAuthorityArn": {"param": "PrivateCaArn"}}}); }
            v
        }).collect();
        let mut sc = json!({"enabled": true, "namespace": plan.namespace});
        if !connect.is_empty() { sc["services"] = Value::Array(connect); }
        json!({
            "virtualNode": s.node.name,
            "serviceName": s.name,
            "taskDefinitionPortMappings": s.port_mappings.iter().map(|p| {
                let mut m = json!({"name": p.name, "containerPort": p.container_port});
                if let Some(a) = &p.app_protocol { m["appProtocol"] = json!(a); }
                m
            }).collect::<Vec<_>>(),
            "serviceConnectConfiguration": sc,
        })
    }).collect();
    json!({"namespace": {"op": "CreateHttpNamespace", "input": {"Name": plan.namespace}}, "services": services})
}
