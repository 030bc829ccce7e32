//! The rest-json wire format, driven by the service model: errors, requests (the members of an
//! operation's input gathered from the URI, the query string and the JSON body, then checked
//! against the input shape so every message names the JSON path and the rule), and answers
//! (the `*Data`, `*Ref` and tag shapes, written directly with each stored spec as it is).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::state::Record;
use crate::kind::Kind;
use crate::model::client_token_is_valid;
use crate::shape::{self, Location, Model, Operation, Shape, problems_message};

/// An error as the service sends it: HTTP status, `x-amzn-ErrorType` code, `{"message": ...}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequestException", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NotFoundException", message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "ConflictException", message)
    }
    pub fn too_many_tags(message: impl Into<String>) -> Self {
        Self::new(400, "TooManyTagsException", message)
    }
    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new(400, "LimitExceededException", message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalServerErrorException", message)
    }

    /// The JSON body: `{"message": "..."}`.
    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({ "message": self.message }))
            .expect("a JSON object with one string serializes")
    }
}

/// Parses a request body into a JSON object. An empty body is an empty object.
pub fn parse_body(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::bad_request(format!(
            "the request body must be a JSON object, not {}",
            match other {
                Value::Array(_) => "a list",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        ))),
        Err(e) => Err(ApiError::bad_request(format!(
            "the request body is not valid JSON: {e}"
        ))),
    }
}

/// The operation's input as one JSON object: URI labels, query parameters (numbers parsed for
/// number shapes) and body members, checked against the input shape. Unknown body members are
/// dropped, as the service does.
pub fn input(
    model: &Model,
    op: &Operation,
    labels: &HashMap<String, String>,
    query: &[(String, String)],
    body: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let Some(shape) = op.input.as_deref().and_then(|s| model.structure(s)) else {
        return Ok(Map::new());
    };
    let mut out = Map::new();
    let mut body = body;
    for m in &shape.members {
        let v = match m.location {
            Location::Uri => labels.get(&m.location_name).cloned().map(Value::String),
            Location::Query => match query.iter().find(|(k, _)| *k == m.location_name) {
                None => None,
                Some((_, raw)) => Some(match model.shape(&m.shape) {
                    Some(Shape::Number { .. }) => match raw.trim().parse::<i64>() {
                        Ok(n) => Value::from(n),
                        Err(_) => {
                            return Err(ApiError::bad_request(format!(
                                "{}: must be a whole number (got {raw:?})",
                                m.name
                            )));
                        }
                    },
                    _ => Value::String(raw.clone()),
                }),
            },
            Location::Header => None,
            Location::Body => body.remove(&m.name),
        };
        if let Some(v) = v.filter(|v| !v.is_null()) {
            out.insert(m.name.clone(), v);
        }
    }
    let problems = shape::validate(
        model,
        op.input.as_deref().unwrap_or(""),
        &Value::Object(out.clone()),
        "",
    );
    if !problems.is_empty() {
        return Err(ApiError::bad_request(problems_message(&problems)));
    }
    if let Some(Value::String(t)) = out.get("clientToken")
        && !client_token_is_valid(t)
    {
        return Err(ApiError::bad_request(format!(
            "clientToken: must be 1 to 36 letters, digits, hyphens or underscores (got {t:?})"
        )));
    }
    Ok(out)
}

/// `tags` of an input (a `TagList`) as a map; a key given twice keeps its last value.
pub fn tags_of(input: &Map<String, Value>) -> BTreeMap<String, String> {
    input
        .get("tags")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|t| {
                    Some((
                        t.get("key")?.as_str()?.to_string(),
                        t.get("value")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("a string serializes");
}

fn push_member(out: &mut Vec<u8>, name: &str, value: &str) {
    push_str(out, name);
    out.push(b':');
    push_str(out, value);
    out.push(b',');
}

/// Epoch milliseconds as the wire's seconds: whole seconds as an integer, else with a fraction.
fn push_time(out: &mut Vec<u8>, ms: i64) {
    if ms % 1000 == 0 {
        out.extend_from_slice((ms / 1000).to_string().as_bytes());
    } else {
        serde_json::to_writer(&mut *out, &(ms as f64 / 1000.0)).expect("a number serializes");
    }
}

/// The names every `*Data` and `*Ref` carries: mesh, parent (routes), own name.
fn push_names(out: &mut Vec<u8>, r: &Record) {
    let k = r.key();
    let info = k.kind.info();
    if k.kind != Kind::Mesh {
        push_member(out, info.name_member, &k.name);
    }
    if let Some(p) = info.parent {
        push_member(out, p.info().name_member, &k.parent);
    }
    push_member(out, "meshName", &k.mesh);
}

/// The metadata members shared by `ResourceMetadata` and every `*Ref`.
fn push_meta(out: &mut Vec<u8>, r: &Record, arn: &str, account: &str) {
    push_member(out, "arn", arn);
    out.extend_from_slice(b"\"createdAt\":");
    push_time(out, r.created_ms);
    out.extend_from_slice(b",\"lastUpdatedAt\":");
    push_time(out, r.updated_ms);
    out.push(b',');
    push_member(out, "meshOwner", account);
    push_member(out, "resourceOwner", account);
    out.extend_from_slice(format!("\"version\":{}", r.version).as_bytes());
}

/// The `*Data` shape of a resource (the whole body of Create/Describe/Update/Delete).
pub fn resource_body(r: &Record, arn: &str, account: &str, status: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + r.spec.get().len());
    out.push(b'{');
    push_names(&mut out, r);
    out.extend_from_slice(b"\"metadata\":{");
    push_member(&mut out, "uid", &r.uid);
    push_meta(&mut out, r, arn, account);
    out.extend_from_slice(b"},\"spec\":");
    out.extend_from_slice(r.spec.get().as_bytes());
    out.extend_from_slice(b",\"status\":{\"status\":");
    push_str(&mut out, status);
    out.extend_from_slice(b"}}");
    out
}

/// A List answer: `{"<kind list member>": [<*Ref>…], "nextToken": …}` (no token on the last
/// page).
pub fn list_body<'a>(
    kind: Kind,
    page: impl Iterator<Item = (&'a Record, String)>,
    account: &str,
    next_token: Option<&str>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    out.push(b'{');
    push_str(&mut out, kind.info().list_member);
    out.extend_from_slice(b":[");
    for (i, (r, arn)) in page.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'{');
        push_names(&mut out, r);
        push_meta(&mut out, r, &arn, account);
        out.push(b'}');
    }
    out.push(b']');
    if let Some(t) = next_token {
        out.extend_from_slice(b",\"nextToken\":");
        push_str(&mut out, t);
    }
    out.push(b'}');
    out
}

/// ListTagsForResource's answer.
pub fn tags_body(tags: &[(String, String)], next_token: Option<&str>) -> Vec<u8> {
    let list: Vec<Value> = tags
        .iter()
        .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
        .collect();
    let mut body = Map::new();
    body.insert("tags".into(), Value::Array(list));
    if let Some(t) = next_token {
        body.insert("nextToken".into(), Value::String(t.to_string()));
    }
    serde_json::to_vec(&Value::Object(body)).expect("a JSON value serializes")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::kind::Key;
    use crate::sandbox::state::{Loc, raw};
    use crate::shape::model;

    fn op(name: &str) -> &'static Operation {
        model().operation(name).unwrap()
    }

    fn labels(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn inputs_come_from_uri_query_and_body_and_are_checked() {
        let i = input(
            model(),
            op("CreateVirtualNode"),
            &labels(&[("meshName", "m")]),
            &[("meshOwner".into(), "111122223333".into())],
            body(json!({"virtualNodeName": "n", "spec": {}, "extra": 1})),
        )
        .unwrap();
        assert_eq!(
            Value::Object(i),
            json!({"meshName": "m", "meshOwner": "111122223333", "virtualNodeName": "n", "spec": {}})
        );
        let e = input(
            model(),
            op("CreateVirtualNode"),
            &labels(&[("meshName", "m")]),
            &[],
            body(
                json!({"spec": {"listeners": [{"portMapping": {"port": 0, "protocol": "http"}}]}}),
            ),
        )
        .unwrap_err();
        assert_eq!(e.code, "BadRequestException");
        assert_eq!(
            e.message,
            "2 problems: virtualNodeName: is required; spec.listeners[0].portMapping.port: must be between 1 and 65535 (got 0)"
        );
        let e = input(
            model(),
            op("ListVirtualNodes"),
            &labels(&[("meshName", "m")]),
            &[("limit".into(), "lots".into())],
            Map::new(),
        )
        .unwrap_err();
        assert_eq!(e.message, "limit: must be a whole number (got \"lots\")");
        let e = input(
            model(),
            op("ListVirtualNodes"),
            &labels(&[("meshName", "m")]),
            &[("limit".into(), "101".into())],
            Map::new(),
        )
        .unwrap_err();
        assert_eq!(e.message, "limit: must be between 1 and 100 (got 101)");
        let e = input(
            model(),
            op("CreateMesh"),
            &labels(&[]),
            &[],
            body(json!({"meshName": "m", "clientToken": "has space"})),
        )
        .unwrap_err();
        assert!(
            e.message.starts_with("clientToken: must be 1 to 36"),
            "{}",
            e.message
        );
    }

    #[test]
    fn answers_fit_the_model() {
        let rec = Record {
            loc: Loc::new("us-east-1", Key::new(Kind::Route, "m", "r", "x")),
            uid: "u".into(),
            version: 3,
            created_ms: 1_700_000_000_000,
            updated_ms: 1_700_000_000_250,
            spec: raw(
                &json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "n", "weight": 1}]}}}),
            ),
            tags: BTreeMap::new(),
            create_token: None,
            update_tokens: vec![],
        };
        let arn = rec.loc.key.arn("us-east-1", "111122223333");
        let v: Value =
            serde_json::from_slice(&resource_body(&rec, &arn, "111122223333", "ACTIVE")).unwrap();
        assert!(
            shape::validate(model(), "RouteData", &v, "").is_empty(),
            "{v}"
        );
        assert_eq!(v["metadata"]["createdAt"], json!(1_700_000_000));
        assert_eq!(v["metadata"]["lastUpdatedAt"], json!(1_700_000_000.25));
        assert_eq!(v["virtualRouterName"], "r");
        let rec = Arc::new(rec);
        let v: Value = serde_json::from_slice(&list_body(
            Kind::Route,
            [(&*rec, arn.clone())].into_iter(),
            "111122223333",
            Some("t"),
        ))
        .unwrap();
        assert!(
            shape::validate(model(), "ListRoutesOutput", &v, "").is_empty(),
            "{v}"
        );
        assert_eq!(v["nextToken"], "t");
        let v: Value =
            serde_json::from_slice(&list_body(Kind::Route, std::iter::empty(), "a", None)).unwrap();
        assert_eq!(v, json!({"routes": []}));
    }

    #[test]
    fn error_body_is_json_with_message() {
        let e = ApiError::bad_request("a \"quoted\" thing");
        let v: Value = serde_json::from_slice(&e.body()).unwrap();
        assert_eq!(v, json!({"message": "a \"quoted\" thing"}));
    }
}
