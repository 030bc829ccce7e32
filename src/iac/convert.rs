//! Specs between the App Mesh wire form and a format's own form, walked with the service
//! model: every structure, list, union and enum of a spec goes through the same two functions,
//! with the format's naming table ([`super::names::Rules`]) deciding each member's name.
//!
//! - [`export_spec`]: wire form → [`Node`] tree, listing what the format cannot hold.
//! - [`import_spec`]: the format's tree (as JSON: a YAML/JSON document's values, or Terraform
//!   blocks as lists of objects) → wire form, listing what it could not read.
//!
//! Paths: wire paths are relative to the spec, as [`crate::kind::references`] and
//! [`crate::shape::validate`] write them (`listeners[0].portMapping.port`); format paths are
//! relative to the format's spec and use its names (`Listeners[0].PortMapping.Port`; Terraform
//! blocks always carry an index: `listener[0].port_mapping[0].port`).

use serde_json::{Map, Value};

use super::names::{Dialect, Rules};
use super::tree::Node;
use crate::shape::{Shape, model};

/// Something of a spec that the export could not write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    /// The wire path, relative to the spec.
    pub path: String,
    pub why: String,
}

/// How the exporter writes a member that names another resource.
#[derive(Clone, Debug, PartialEq)]
pub struct RefOut {
    /// The member's name in the format (Kubernetes renames it: `virtualNodeRef`).
    pub member: String,
    pub node: Node,
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_string()
    } else {
        format!("{path}.{member}")
    }
}

/// The wire spec `value` of model shape `shape` in the format of `rules`.
///
/// `refer(wire path, format name)` is asked for every string member; it returns how to write
/// it when the member names another resource that the export writes as a reference, `None`
/// to write the string. What the format cannot hold is left out and added to `losses`.
pub fn export_spec(
    rules: &Rules,
    shape: &str,
    value: &Value,
    refer: &mut dyn FnMut(&str, &str) -> Option<RefOut>,
    losses: &mut Vec<Loss>,
) -> Node {
    out(rules, shape, value, "", refer, losses).unwrap_or(Node::Obj(Vec::new()))
}

fn out(
    rules: &Rules,
    shape_name: &str,
    v: &Value,
    path: &str,
    refer: &mut dyn FnMut(&str, &str) -> Option<RefOut>,
    losses: &mut Vec<Loss>,
) -> Option<Node> {
    let m = model();
    let lose = |losses: &mut Vec<Loss>, why: String| {
        losses.push(Loss {
            path: path.to_string(),
            why,
        });
        None
    };
    match (m.shape(shape_name)?, v) {
        (Shape::Structure(s), Value::Object(obj)) => {
            let mut pairs = Vec::new();
            for member in &s.members {
                let Some(child) = obj.get(&member.name).filter(|c| !c.is_null()) else {
                    continue;
                };
                let mpath = join(path, &member.name);
                let Some(name) = rules.name(shape_name, &member.name) else {
                    losses.push(Loss {
                        path: mpath,
                        why: rules
                            .absent_why(shape_name, &member.name)
                            .unwrap_or("the format has no such member")
                            .to_string(),
                    });
                    continue;
                };
                if let (Some((allowed, why)), Some(text)) =
                    (rules.narrower(shape_name, &member.name), child.as_str())
                    && !allowed.contains(&text)
                {
                    losses.push(Loss {
                        path: mpath,
                        why: format!("{why} (the value is {text})"),
                    });
                    continue;
                }
                if rules.is_key_value_map(shape_name, &member.name) {
                    let pairs_kv: Vec<(String, String)> = child
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|kv| {
                            Some((
                                kv.get("key")?.as_str()?.to_string(),
                                kv.get("value")?.as_str()?.to_string(),
                            ))
                        })
                        .collect();
                    pairs.push((name, Node::Map(pairs_kv)));
                    continue;
                }
                if child.is_string()
                    && let Some(r) = refer(&mpath, &name)
                {
                    pairs.push((r.member, r.node));
                    continue;
                }
                if let Some(n) = out(rules, &member.shape, child, &mpath, refer, losses) {
                    // A structure whose every member was left out is left out too, unless
                    // its parent requires it.
                    let emptied = matches!(&n, Node::Obj(p) if p.is_empty())
                        && child
                            .as_object()
                            .is_some_and(|o| o.values().any(|v| !v.is_null()));
                    if emptied && !s.is_required(&member.name) {
                        continue;
                    }
                    pairs.push((name, n));
                }
            }
            for key in obj.keys() {
                if s.member(key).is_none() && !obj[key].is_null() {
                    losses.push(Loss {
                        path: join(path, key),
                        why: "not a member of the App Mesh API".into(),
                    });
                }
            }
            Some(Node::Obj(pairs))
        }
        (Shape::List { member, .. }, Value::Array(items)) => Some(Node::List(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    out(rules, member, item, &format!("{path}[{i}]"), refer, losses)
                })
                .collect(),
        )),
        (Shape::String { .. }, Value::String(s)) => Some(Node::Str(s.clone())),
        (Shape::Number { .. }, Value::Number(n)) => Some(Node::Num(n.clone())),
        (Shape::Boolean, Value::Bool(b)) => Some(Node::Bool(*b)),
        (_, other) => lose(
            losses,
            format!("{} does not fit the model's {shape_name}", short(other)),
        ),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// Something an import could not read, or read with a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// The format path, relative to the format's spec.
    pub path: String,
    pub message: String,
    /// The value was not read (the resource is incomplete); otherwise a note about something
    /// that does not carry over.
    pub error: bool,
}

/// Reads a reference member (Kubernetes' `virtualNodeRef` / `virtualNodeARN`): given the
/// format's member name and its value, the name of the resource it names.
pub type Resolve<'a> = dyn FnMut(&str, &Value, &str) -> Result<String, String> + 'a;

/// The format's spec `v` (for model shape `shape`) in the wire form. What cannot be read is
/// left out and added to `issues`.
pub fn import_spec(
    rules: &Rules,
    shape: &str,
    v: &Value,
    resolve: &mut Resolve<'_>,
    issues: &mut Vec<Issue>,
) -> Value {
    inp(rules, shape, v, "", resolve, issues).unwrap_or(Value::Object(Map::new()))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn inp(
    rules: &Rules,
    shape_name: &str,
    v: &Value,
    path: &str,
    resolve: &mut Resolve<'_>,
    issues: &mut Vec<Issue>,
) -> Option<Value> {
    let m = model();
    let tf = rules.dialect == Dialect::Terraform;
    let fail = |issues: &mut Vec<Issue>, message: String| {
        issues.push(Issue {
            path: path.to_string(),
            message,
            error: true,
        });
        None
    };
    let shape = m.shape(shape_name)?;
    match shape {
        Shape::Structure(s) => {
            // Terraform: a nested block arrives as a list of its bodies.
            let (obj, path) = match v {
                Value::Object(o) => (o, path.to_string()),
                Value::Array(items) if tf && items.len() == 1 && items[0].is_object() => {
                    // The spec block itself is the root: its paths start inside it.
                    let inner = if path.is_empty() {
                        String::new()
                    } else {
                        format!("{path}[0]")
                    };
                    (items[0].as_object()?, inner)
                }
                Value::Array(items) if tf && items.len() > 1 => {
                    return fail(
                        issues,
                        format!("at most one block here (there are {})", items.len()),
                    );
                }
                other => {
                    return fail(
                        issues,
                        format!("must be a mapping, not {}", type_name(other)),
                    );
                }
            };
            let mut wire = Map::new();
            for (key, child) in obj {
                let kpath = join(&path, key);
                if child.is_null() {
                    continue;
                }
                let member = s
                    .members
                    .iter()
                    .find(|mm| rules.name(shape_name, &mm.name).as_deref() == Some(key));
                if let Some(member) = member {
                    if rules.is_key_value_map(shape_name, &member.name) {
                        match child {
                            Value::Object(kv) => {
                                let list: Vec<Value> = kv
                                    .iter()
                                    .map(|(k, v)| {
                                        let v = match v {
                                            Value::String(s) => s.clone(),
                                            other => other.to_string(),
                                        };
                                        serde_json::json!({"key": k, "value": v})
                                    })
                                    .collect();
                                wire.insert(member.name.clone(), Value::Array(list));
                            }
                            other => {
                                issues.push(Issue {
                                    path: kpath,
                                    message: format!(
                                        "must be a map of strings, not {}",
                                        type_name(other)
                                    ),
                                    error: true,
                                });
                            }
                        }
                        continue;
                    }
                    if let Some(x) = inp(rules, &member.shape, child, &kpath, resolve, issues) {
                        wire.insert(member.name.clone(), x);
                    }
                    continue;
                }
                let reference = s.members.iter().find_map(|mm| {
                    rules
                        .reference(shape_name, &mm.name)
                        .filter(|(r, a)| r == key || a == key)
                        .map(|_| mm)
                });
                if let Some(member) = reference {
                    match resolve(key, child, &kpath) {
                        Ok(name) => {
                            if wire.contains_key(&member.name) {
                                issues.push(Issue {
                                    path: kpath,
                                    message: "names the resource twice (a reference and an ARN); \
                                              give one"
                                        .into(),
                                    error: true,
                                });
                            } else {
                                wire.insert(member.name.clone(), Value::String(name));
                            }
                        }
                        Err(message) => issues.push(Issue {
                            path: kpath,
                            message,
                            error: true,
                        }),
                    }
                    continue;
                }
                if let Some(why) = rules.extra_why(shape_name, key) {
                    issues.push(Issue {
                        path: kpath,
                        message: format!("left out: {why}"),
                        error: false,
                    });
                    continue;
                }
                let known: Vec<String> = s
                    .members
                    .iter()
                    .filter_map(|mm| rules.name(shape_name, &mm.name))
                    .collect();
                issues.push(Issue {
                    path: kpath,
                    message: format!(
                        "unknown member {key:?}; {} here: {}",
                        if known.len() == 1 {
                            "the member"
                        } else {
                            "the members"
                        },
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                    error: true,
                });
            }
            Some(Value::Object(wire))
        }
        Shape::List { member, .. } => {
            let Value::Array(items) = v else {
                return fail(issues, format!("must be a list, not {}", type_name(v)));
            };
            Some(Value::Array(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| {
                        inp(
                            rules,
                            member,
                            item,
                            &format!("{path}[{i}]"),
                            resolve,
                            issues,
                        )
                    })
                    .collect(),
            ))
        }
        Shape::String { .. } => match v {
            Value::String(s) => Some(Value::String(s.clone())),
            // YAML reads `exact: 200` or `value: true` as a number or a boolean; the format
            // means the text.
            Value::Number(n) => Some(Value::String(n.to_string())),
            Value::Bool(b) => Some(Value::String(b.to_string())),
            other => fail(
                issues,
                format!("must be a string, not {}", type_name(other)),
            ),
        },
        Shape::Number { .. } => match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(Value::Number(n.clone())),
            Value::Number(n)
                if n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9e15) =>
            {
                Some(Value::from(n.as_f64().unwrap_or_default() as i64))
            }
            // CloudFormation accepts integers written as strings.
            Value::String(s) if s.trim().parse::<i64>().is_ok() => {
                Some(Value::from(s.trim().parse::<i64>().unwrap_or_default()))
            }
            other => fail(
                issues,
                format!("must be a whole number, not {}", describe(other)),
            ),
        },
        Shape::Boolean => match v {
            Value::Bool(b) => Some(Value::Bool(*b)),
            Value::String(s) if s == "true" || s == "false" => Some(Value::Bool(s == "true")),
            other => fail(
                issues,
                format!("must be true or false, not {}", describe(other)),
            ),
        },
        Shape::Map { .. } | Shape::Timestamp => {
            fail(issues, format!("{shape_name} is not part of a spec"))
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{:?}", s.chars().take(40).collect::<String>()),
        other => type_name(other).to_string(),
    }
}

/// The format path of a wire path (`listeners[0].portMapping` → `Listeners[0].PortMapping`,
/// Terraform `listener[0].port_mapping[0]`), for finding what the model refused in the source.
/// Segments the model does not know are kept as they are.
pub fn format_path(rules: &Rules, spec_shape: &str, wire_path: &str) -> String {
    let m = model();
    let tf = rules.dialect == Dialect::Terraform;
    let mut shape = spec_shape.to_string();
    let mut out = String::new();
    for seg in wire_path.split('.').filter(|s| !s.is_empty()) {
        let (name, indices) = match seg.find('[') {
            Some(i) => (&seg[..i], &seg[i..]),
            None => (seg, ""),
        };
        let Some(member) = m.structure(&shape).and_then(|s| s.member(name)) else {
            out = join(&out, seg);
            continue;
        };
        let fname = rules.name(&shape, name).unwrap_or_else(|| name.to_string());
        let mut next = member.shape.clone();
        let mut piece = fname;
        if let Some(Shape::List { member, .. }) = m.shape(&next) {
            if !indices.is_empty() {
                piece.push_str(indices);
                next = member.clone();
            }
        } else if tf && matches!(m.shape(&next), Some(Shape::Structure(_))) {
            piece.push_str("[0]");
        }
        out = join(&out, &piece);
        shape = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::iac::names::{CLOUDFORMATION, KUBERNETES, TERRAFORM};

    fn no_refs() -> impl FnMut(&str, &str) -> Option<RefOut> {
        |_: &str, _: &str| None
    }

    #[test]
    fn export_names_and_losses() {
        let spec = json!({
            "serviceDiscovery": {"awsCloudMap": {"namespaceName": "ns", "serviceName": "s",
                "attributes": [{"key": "a", "value": "1"}], "ipPreference": "IPv4_ONLY"}},
            "listeners": [{"portMapping": {"port": 80, "protocol": "http"},
                "tls": {"mode": "STRICT", "certificate": {"acm": {"certificateArn": "arn"}}}}]
        });
        let mut losses = Vec::new();
        let cfn = export_spec(
            &CLOUDFORMATION,
            "VirtualNodeSpec",
            &spec,
            &mut no_refs(),
            &mut losses,
        );
        assert!(losses.is_empty(), "{losses:?}");
        let l0 = match cfn.get("Listeners") {
            Some(Node::List(l)) => l[0].clone(),
            other => panic!("{other:?}"),
        };
        assert!(
            l0.get("TLS")
                .unwrap()
                .get("Certificate")
                .unwrap()
                .get("ACM")
                .is_some()
        );
        assert!(
            cfn.get("ServiceDiscovery")
                .unwrap()
                .get("AWSCloudMap")
                .is_some()
        );

        let tf = export_spec(
            &TERRAFORM,
            "VirtualNodeSpec",
            &spec,
            &mut no_refs(),
            &mut losses,
        );
        assert_eq!(
            losses,
            [Loss {
                path: "serviceDiscovery.awsCloudMap.ipPreference".into(),
                why: TERRAFORM.absent[0].2.into()
            }]
        );
        let cm = tf
            .get("service_discovery")
            .unwrap()
            .get("aws_cloud_map")
            .unwrap();
        assert_eq!(
            cm.get("attributes"),
            Some(&Node::Map(vec![("a".into(), "1".into())]))
        );
        assert!(tf.get("listener").is_some());
    }

    #[test]
    fn import_coerces_and_reports() {
        let src = json!({"Listeners": [{"PortMapping": {"Port": "8080", "Protocol": "http"}, "Bogus": 1}],
            "Logging": {"AccessLog": {"File": {"Path": 5}}}});
        let mut issues = Vec::new();
        let wire = import_spec(
            &CLOUDFORMATION,
            "VirtualNodeSpec",
            &src,
            &mut |_: &str, _: &Value, _: &str| Err("no".into()),
            &mut issues,
        );
        assert_eq!(
            wire,
            json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
                "logging": {"accessLog": {"file": {"path": "5"}}}})
        );
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path, "Listeners[0].Bogus");
        assert!(
            issues[0].message.contains("PortMapping"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn terraform_blocks_and_maps_back() {
        let src = json!({"service_discovery": [{"aws_cloud_map": [{"namespace_name": "n",
            "service_name": "s", "attributes": {"b": "2", "a": "1"}}]}],
            "listener": [{"port_mapping": [{"port": 1, "protocol": "tcp"}]}]});
        let mut issues = Vec::new();
        let wire = import_spec(
            &TERRAFORM,
            "VirtualNodeSpec",
            &src,
            &mut |_: &str, _: &Value, _: &str| Err("no".into()),
            &mut issues,
        );
        assert!(issues.is_empty(), "{issues:?}");
        // A Terraform map has no order: the attributes come back sorted by key.
        assert_eq!(
            wire["serviceDiscovery"]["awsCloudMap"]["attributes"],
            json!([{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
        );
        assert_eq!(wire["listeners"][0]["portMapping"]["port"], 1);
    }

    #[test]
    fn kubernetes_references_resolve() {
        let src = json!({"provider": {"virtualNode": {"virtualNodeRef": {"name": "web"}}}});
        let mut issues = Vec::new();
        let wire = import_spec(
            &KUBERNETES,
            "VirtualServiceSpec",
            &src,
            &mut |key: &str, v: &Value, _: &str| {
                assert_eq!(key, "virtualNodeRef");
                Ok(format!("{}_ns", v["name"].as_str().unwrap()))
            },
            &mut issues,
        );
        assert_eq!(
            wire,
            json!({"provider": {"virtualNode": {"virtualNodeName": "web_ns"}}})
        );
    }

    #[test]
    fn format_paths() {
        assert_eq!(
            format_path(
                &CLOUDFORMATION,
                "VirtualNodeSpec",
                "listeners[0].portMapping.port"
            ),
            "Listeners[0].PortMapping.Port"
        );
        assert_eq!(
            format_path(
                &TERRAFORM,
                "VirtualNodeSpec",
                "listeners[1].portMapping.port"
            ),
            "listener[1].port_mapping[0].port"
        );
        assert_eq!(
            format_path(
                &TERRAFORM,
                "RouteSpec",
                "httpRoute.action.weightedTargets[0].weight"
            ),
            "http_route[0].action[0].weighted_target[0].weight"
        );
    }
}
