//! Checking a value against a shape, and reducing it to what the model knows.

use std::fmt;

use serde_json::{Map, Value};

use super::load::{Model, Shape, Structure};

/// Structures the service treats as unions although the model does not mark them: a route has
/// exactly one protocol. (User guide, "Routes" and "Gateway routes": "you must specify one"
/// of the HTTP, HTTP/2, gRPC and TCP route types; the console offers them as one choice.)
const EXTRA_UNIONS: &[(&str, &[&str])] = &[
    (
        "RouteSpec",
        &["grpcRoute", "http2Route", "httpRoute", "tcpRoute"],
    ),
    (
        "GatewayRouteSpec",
        &["grpcRoute", "http2Route", "httpRoute"],
    ),
];

/// One broken rule: where (a JSON path such as `spec.listeners[0].portMapping.port`) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub rule: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, rule: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.rule)
        } else {
            write!(f, "{}: {}", self.path, self.rule)
        }
    }
}

/// At most this many problems are named in one message; the rest are counted.
const NAMED_PROBLEMS: usize = 10;

/// All problems in one line: `2 problems: a.b: must …; c: is required`.
pub fn problems_message(problems: &[Problem]) -> String {
    let mut out = match problems.len() {
        1 => String::new(),
        n => format!("{n} problems: "),
    };
    for (i, p) in problems.iter().take(NAMED_PROBLEMS).enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(&p.to_string());
    }
    if problems.len() > NAMED_PROBLEMS {
        out.push_str(&format!("; and {} more", problems.len() - NAMED_PROBLEMS));
    }
    out
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_string()
    } else {
        format!("{path}.{member}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A value as a problem message quotes it: short strings whole, long ones cut.
fn quoted(s: &str) -> String {
    const SHOWN: usize = 40;
    if s.chars().count() > SHOWN {
        let cut: String = s.chars().take(SHOWN).collect();
        format!("{cut:?}…")
    } else {
        format!("{s:?}")
    }
}

/// Every rule of `shape` that `value` breaks, with paths under `path` (`""` for the root).
/// Members the model does not know are not problems (the service ignores them); JSON `null`
/// counts as absent.
pub fn validate(model: &Model, shape: &str, value: &Value, path: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    walk(model, shape, value, path, &mut out);
    out
}

fn walk(model: &Model, shape_name: &str, value: &Value, path: &str, out: &mut Vec<Problem>) {
    let Some(shape) = model.shape(shape_name) else {
        out.push(Problem::new(path, format!("unknown shape {shape_name}")));
        return;
    };
    match shape {
        Shape::Structure(s) => {
            let Value::Object(obj) = value else {
                out.push(Problem::new(
                    path,
                    format!("must be an object, not {}", type_name(value)),
                ));
                return;
            };
            structure(model, shape_name, s, obj, path, out);
        }
        Shape::List { member, min, max } => {
            let Value::Array(items) = value else {
                out.push(Problem::new(
                    path,
                    format!("must be a list, not {}", type_name(value)),
                ));
                return;
            };
            let n = items.len() as u64;
            if let Some(min) = min
                && n < *min
            {
                out.push(Problem::new(
                    path,
                    format!("must have at least {min} item{} (has {n})", plural(*min)),
                ));
            }
            if let Some(max) = max
                && n > *max
            {
                out.push(Problem::new(
                    path,
                    format!("must have at most {max} item{} (has {n})", plural(*max)),
                ));
            }
            for (i, item) in items.iter().enumerate() {
                walk(model, member, item, &format!("{path}[{i}]"), out);
            }
        }
        Shape::Map {
            key,
            value: v,
            min,
            max,
        } => {
            let Value::Object(obj) = value else {
                out.push(Problem::new(
                    path,
                    format!("must be an object, not {}", type_name(value)),
                ));
                return;
            };
            let n = obj.len() as u64;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                out.push(Problem::new(
                    path,
                    format!(
                        "must have {} to {} entries (has {n})",
                        min.unwrap_or(0),
                        max.map_or("any".to_string(), |m| m.to_string())
                    ),
                ));
            }
            for (k, item) in obj {
                walk(
                    model,
                    key,
                    &Value::String(k.clone()),
                    &format!("{path}{{key {k:?}}}"),
                    out,
                );
                walk(model, v, item, &join(path, k), out);
            }
        }
        Shape::String {
            min,
            max,
            pattern,
            values,
        } => {
            let Value::String(s) = value else {
                out.push(Problem::new(
                    path,
                    format!("must be a string, not {}", type_name(value)),
                ));
                return;
            };
            if !values.is_empty() {
                if !values.iter().any(|v| v == s) {
                    out.push(Problem::new(
                        path,
                        format!("must be one of {} (got {})", values.join(", "), quoted(s)),
                    ));
                }
                return;
            }
            let n = s.chars().count() as u64;
            if let Some(min) = min
                && n < *min
            {
                out.push(Problem::new(
                    path,
                    if *min == 1 && n == 0 {
                        "must not be empty".to_string()
                    } else {
                        format!("must be at least {min} characters (has {n})")
                    },
                ));
            }
            if let Some(max) = max
                && n > *max
            {
                out.push(Problem::new(
                    path,
                    format!("must be at most {max} characters (has {n})"),
                ));
            }
            if let Some((text, re)) = pattern
                && !re.is_match(s)
            {
                out.push(Problem::new(
                    path,
                    format!("must match the pattern {text} (got {})", quoted(s)),
                ));
            }
        }
        Shape::Number { min, max } => {
            let Some(n) = value.as_i64() else {
                let rule = match value {
                    Value::Number(_) if value.as_u64().is_some() => {
                        "is too large for a number".to_string()
                    }
                    Value::Number(_) => "must be a whole number".to_string(),
                    _ => format!("must be a number, not {}", type_name(value)),
                };
                out.push(Problem::new(path, rule));
                return;
            };
            match (min, max) {
                (Some(lo), Some(hi)) if n < *lo || n > *hi => out.push(Problem::new(
                    path,
                    format!("must be between {lo} and {hi} (got {n})"),
                )),
                (Some(lo), None) if n < *lo => out.push(Problem::new(
                    path,
                    format!("must be at least {lo} (got {n})"),
                )),
                (None, Some(hi)) if n > *hi => out.push(Problem::new(
                    path,
                    format!("must be at most {hi} (got {n})"),
                )),
                _ => {}
            }
        }
        Shape::Boolean => {
            if !value.is_boolean() {
                out.push(Problem::new(
                    path,
                    format!("must be true or false, not {}", type_name(value)),
                ));
            }
        }
        Shape::Timestamp => {
            if !value.is_number() {
                out.push(Problem::new(
                    path,
                    format!(
                        "must be a number of seconds since 1970, not {}",
                        type_name(value)
                    ),
                ));
            }
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn structure(
    model: &Model,
    shape_name: &str,
    s: &Structure,
    obj: &Map<String, Value>,
    path: &str,
    out: &mut Vec<Problem>,
) {
    let present = |name: &str| obj.get(name).is_some_and(|v| !v.is_null());
    for r in &s.required {
        if !present(r) {
            out.push(Problem::new(join(path, r), "is required"));
        }
    }
    let one_of: Option<Vec<&str>> = if s.union {
        Some(s.members.iter().map(|m| m.name.as_str()).collect())
    } else {
        EXTRA_UNIONS
            .iter()
            .find(|(name, _)| *name == shape_name)
            .map(|(_, members)| members.to_vec())
    };
    if let Some(names) = one_of {
        let set: Vec<&str> = names.iter().copied().filter(|n| present(n)).collect();
        if set.len() != 1 {
            let got = if set.is_empty() {
                "none is set".to_string()
            } else {
                format!("{} are set", set.join(" and "))
            };
            out.push(Problem::new(
                path,
                format!("must set exactly one of {}; {got}", names.join(", ")),
            ));
        }
    }
    for m in &s.members {
        if let Some(v) = obj.get(&m.name).filter(|v| !v.is_null()) {
            walk(model, &m.shape, v, &join(path, &m.name), out);
        }
    }
}

/// `value` with only the members `shape` knows, recursively, and without `null`s: what the
/// service keeps of a request. Values of the wrong type are kept as they are (validate first).
pub fn prune(model: &Model, shape: &str, value: &Value) -> Value {
    match (model.shape(shape), value) {
        (Some(Shape::Structure(s)), Value::Object(obj)) => {
            let mut out = Map::new();
            for m in &s.members {
                if let Some(v) = obj.get(&m.name).filter(|v| !v.is_null()) {
                    out.insert(m.name.clone(), prune(model, &m.shape, v));
                }
            }
            Value::Object(out)
        }
        (Some(Shape::List { member, .. }), Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|item| prune(model, member, item))
                .collect(),
        ),
        (Some(Shape::Map { value: v, .. }), Value::Object(obj)) => Value::Object(
            obj.iter()
                .map(|(k, item)| (k.clone(), prune(model, v, item)))
                .collect(),
        ),
        _ => value.clone(),
    }
}
