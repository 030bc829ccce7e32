//! The rest-json wire format: errors, request bodies (parsed and validated field by field, so
//! every message names the field), and response bodies.
//!
//! Request bodies are read into `serde_json::Value` and checked by hand rather than derived, so
//! that wrong types and missing fields get messages a user can act on ("spec.egressFilter.type is
//! required"), and unknown fields are ignored like the service does. JSON `null` counts as absent.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::state::{MeshRecord, ServiceDiscovery, Spec};
use crate::model::{
    CLIENT_TOKEN_MAX, EgressFilter, IpPreference, MESH_NAME_MAX, TAG_KEY_MAX, TAG_VALUE_MAX,
    TAGS_MAX, char_len, client_token_is_valid,
};

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

/// Why a value has the wrong JSON type, for messages: "number", "array", ...
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
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
            "the request body must be a JSON object; got {}",
            type_name(&other)
        ))),
        Err(e) => Err(ApiError::bad_request(format!(
            "the request body is not valid JSON: {e}"
        ))),
    }
}

fn field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

fn opt_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, ApiError> {
    match field(obj, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ApiError::bad_request(format!(
            "{path} must be a string; got {}",
            type_name(other)
        ))),
    }
}

fn req_str<'a>(obj: &'a Map<String, Value>, key: &str, path: &str) -> Result<&'a str, ApiError> {
    opt_str(obj, key, path)?.ok_or_else(|| ApiError::bad_request(format!("{path} is required")))
}

fn opt_obj<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    match field(obj, key) {
        None => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => Err(ApiError::bad_request(format!(
            "{path} must be an object; got {}",
            type_name(other)
        ))),
    }
}

fn opt_array<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a Vec<Value>>, ApiError> {
    match field(obj, key) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(other) => Err(ApiError::bad_request(format!(
            "{path} must be an array; got {}",
            type_name(other)
        ))),
    }
}

/// `meshName`: 1-255 characters (Unicode scalar values, not bytes).
pub fn check_mesh_name(name: &str) -> Result<(), ApiError> {
    let n = char_len(name);
    if (1..=MESH_NAME_MAX).contains(&n) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "meshName must be 1-{MESH_NAME_MAX} characters; got {n}"
        )))
    }
}

fn check_client_token(token: &str) -> Result<(), ApiError> {
    if client_token_is_valid(token) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "clientToken must be 1-{CLIENT_TOKEN_MAX} letters, digits, hyphens or underscores; got {token:?}"
        )))
    }
}

fn check_tag_key(key: &str, path: &str) -> Result<(), ApiError> {
    let n = char_len(key);
    if (1..=TAG_KEY_MAX).contains(&n) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{path} must be 1-{TAG_KEY_MAX} characters; got {n}"
        )))
    }
}

/// `MeshSpec`, with the service's defaults filled in (`egressFilter` `DROP_ALL`).
pub fn parse_spec(body: &Map<String, Value>) -> Result<Spec, ApiError> {
    let Some(spec) = opt_obj(body, "spec", "spec")? else {
        return Ok(Spec::default());
    };
    let egress = match opt_obj(spec, "egressFilter", "spec.egressFilter")? {
        None => EgressFilter::default(),
        Some(ef) => {
            let t = req_str(ef, "type", "spec.egressFilter.type")?;
            EgressFilter::parse(t).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "spec.egressFilter.type must be one of ALLOW_ALL, DROP_ALL; got {t:?}"
                ))
            })?
        }
    };
    let service_discovery = match opt_obj(spec, "serviceDiscovery", "spec.serviceDiscovery")? {
        None => None,
        Some(sd) => {
            let ip = match opt_str(sd, "ipPreference", "spec.serviceDiscovery.ipPreference")? {
                None => None,
                Some(p) => Some(IpPreference::parse(p).ok_or_else(|| {
                    let all: Vec<&str> = IpPreference::ALL.iter().map(|p| p.as_str()).collect();
                    ApiError::bad_request(format!(
                        "spec.serviceDiscovery.ipPreference must be one of {}; got {p:?}",
                        all.join(", ")
                    ))
                })?),
            };
            Some(ServiceDiscovery { ip_preference: ip })
        }
    };
    Ok(Spec {
        egress,
        service_discovery,
    })
}

/// A `TagList`: at most 50 `TagRef`s (more is TooManyTagsException), keys 1-128 characters,
/// values 0-256 characters and required, no key twice.
pub fn parse_tags(list: &[Value], path: &str) -> Result<BTreeMap<String, String>, ApiError> {
    if list.len() > TAGS_MAX {
        return Err(ApiError::too_many_tags(format!(
            "{path} has {} tags; a resource can have at most {TAGS_MAX}",
            list.len()
        )));
    }
    let mut tags = BTreeMap::new();
    for (i, item) in list.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let Value::Object(tag) = item else {
            return Err(ApiError::bad_request(format!(
                "{p} must be an object with key and value; got {}",
                type_name(item)
            )));
        };
        let key = req_str(tag, "key", &format!("{p}.key"))?;
        check_tag_key(key, &format!("{p}.key"))?;
        let value = req_str(tag, "value", &format!("{p}.value"))?;
        let n = char_len(value);
        if n > TAG_VALUE_MAX {
            return Err(ApiError::bad_request(format!(
                "{p}.value must be 0-{TAG_VALUE_MAX} characters; got {n}"
            )));
        }
        if tags.insert(key.to_string(), value.to_string()).is_some() {
            return Err(ApiError::bad_request(format!(
                "{path} has the key {key:?} more than once"
            )));
        }
    }
    Ok(tags)
}

/// CreateMesh's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateMeshInput {
    pub name: String,
    pub client_token: Option<String>,
    pub spec: Spec,
    pub tags: BTreeMap<String, String>,
}

pub fn parse_create_mesh(body: &[u8]) -> Result<CreateMeshInput, ApiError> {
    let body = parse_body(body)?;
    let name = req_str(&body, "meshName", "meshName")?;
    check_mesh_name(name)?;
    let client_token = opt_str(&body, "clientToken", "clientToken")?;
    if let Some(t) = client_token {
        check_client_token(t)?;
    }
    let spec = parse_spec(&body)?;
    let tags = match opt_array(&body, "tags", "tags")? {
        None => BTreeMap::new(),
        Some(list) => parse_tags(list, "tags")?,
    };
    Ok(CreateMeshInput {
        name: name.to_string(),
        client_token: client_token.map(str::to_string),
        spec,
        tags,
    })
}

/// UpdateMesh's body (the name comes from the path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateMeshInput {
    pub client_token: Option<String>,
    pub spec: Spec,
}

pub fn parse_update_mesh(body: &[u8]) -> Result<UpdateMeshInput, ApiError> {
    let body = parse_body(body)?;
    let client_token = opt_str(&body, "clientToken", "clientToken")?;
    if let Some(t) = client_token {
        check_client_token(t)?;
    }
    Ok(UpdateMeshInput {
        client_token: client_token.map(str::to_string),
        spec: parse_spec(&body)?,
    })
}

/// TagResource's body: `tags` is required.
pub fn parse_tag_resource(body: &[u8]) -> Result<BTreeMap<String, String>, ApiError> {
    let body = parse_body(body)?;
    let list = opt_array(&body, "tags", "tags")?
        .ok_or_else(|| ApiError::bad_request("tags is required"))?;
    parse_tags(list, "tags")
}

/// UntagResource's body: `tagKeys` is required, at most 50 keys of 1-128 characters.
pub fn parse_untag_resource(body: &[u8]) -> Result<Vec<String>, ApiError> {
    let body = parse_body(body)?;
    let list = opt_array(&body, "tagKeys", "tagKeys")?
        .ok_or_else(|| ApiError::bad_request("tagKeys is required"))?;
    if list.len() > TAGS_MAX {
        return Err(ApiError::bad_request(format!(
            "tagKeys has {} keys; at most {TAGS_MAX} are allowed",
            list.len()
        )));
    }
    let mut keys = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let p = format!("tagKeys[{i}]");
        let Value::String(key) = item else {
            return Err(ApiError::bad_request(format!(
                "{p} must be a string; got {}",
                type_name(item)
            )));
        };
        check_tag_key(key, &p)?;
        keys.push(key.clone());
    }
    Ok(keys)
}

/// Parses a `limit` query parameter in `1..=max`; absent is `default`.
pub fn parse_limit(raw: Option<&str>, max: usize, default: usize) -> Result<usize, ApiError> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    let n: i64 = raw.trim().parse().map_err(|_| {
        ApiError::bad_request(format!(
            "limit must be an integer from 1 to {max}; got {raw:?}"
        ))
    })?;
    if n < 1 || n > max as i64 {
        return Err(ApiError::bad_request(format!(
            "limit must be from 1 to {max}; got {n}"
        )));
    }
    Ok(n as usize)
}

// ---------------------------------------------------------------------------------------------
// Responses.

/// Epoch seconds with millisecond precision, as the service's timestamps.
fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

#[derive(Serialize)]
pub struct EgressOut {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDiscoveryOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_preference: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecOut {
    pub egress_filter: EgressOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_discovery: Option<ServiceDiscoveryOut>,
}

impl SpecOut {
    pub fn of(spec: &Spec) -> Self {
        SpecOut {
            egress_filter: EgressOut {
                kind: spec.egress.as_str(),
            },
            service_discovery: spec.service_discovery.map(|sd| ServiceDiscoveryOut {
                ip_preference: sd.ip_preference.map(IpPreference::as_str),
            }),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetadataOut<'a> {
    arn: &'a str,
    created_at: f64,
    last_updated_at: f64,
    mesh_owner: &'a str,
    resource_owner: &'a str,
    uid: &'a str,
    version: i64,
}

#[derive(Serialize)]
struct StatusOut {
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MeshDataOut<'a> {
    mesh_name: &'a str,
    metadata: MetadataOut<'a>,
    spec: SpecOut,
    status: StatusOut,
}

/// `MeshData`, the whole body of CreateMesh, DescribeMesh, UpdateMesh and DeleteMesh.
pub fn mesh_data(m: &MeshRecord, owner: &str, status: &'static str) -> Vec<u8> {
    serde_json::to_vec(&MeshDataOut {
        mesh_name: &m.name,
        metadata: MetadataOut {
            arn: &m.arn,
            created_at: secs(m.created_ms),
            last_updated_at: secs(m.updated_ms),
            mesh_owner: owner,
            resource_owner: owner,
            uid: &m.uid,
            version: m.version,
        },
        spec: SpecOut::of(&m.spec),
        status: StatusOut { status },
    })
    .expect("MeshData serializes")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MeshRefOut<'a> {
    arn: &'a str,
    created_at: f64,
    last_updated_at: f64,
    mesh_name: &'a str,
    mesh_owner: &'a str,
    resource_owner: &'a str,
    version: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListMeshesOut<'a> {
    meshes: Vec<MeshRefOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<&'a str>,
}

/// `ListMeshesOutput`.
pub fn list_meshes<'a>(
    meshes: impl Iterator<Item = &'a MeshRecord>,
    owner: &str,
    next_token: Option<&str>,
) -> Vec<u8> {
    serde_json::to_vec(&ListMeshesOut {
        meshes: meshes
            .map(|m| MeshRefOut {
                arn: &m.arn,
                created_at: secs(m.created_ms),
                last_updated_at: secs(m.updated_ms),
                mesh_name: &m.name,
                mesh_owner: owner,
                resource_owner: owner,
                version: m.version,
            })
            .collect(),
        next_token,
    })
    .expect("ListMeshesOutput serializes")
}

#[derive(Serialize)]
pub struct TagOut<'a> {
    pub key: &'a str,
    pub value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListTagsOut<'a> {
    tags: Vec<TagOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<&'a str>,
}

/// `ListTagsForResourceOutput`.
pub fn list_tags(tags: &[(String, String)], next_token: Option<&str>) -> Vec<u8> {
    serde_json::to_vec(&ListTagsOut {
        tags: tags
            .iter()
            .map(|(k, v)| TagOut { key: k, value: v })
            .collect(),
        next_token,
    })
    .expect("ListTagsForResourceOutput serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(r: Result<impl std::fmt::Debug, ApiError>) -> ApiError {
        r.expect_err("expected an error")
    }

    #[test]
    fn mesh_name_lengths_count_characters() {
        assert!(parse_create_mesh(br#"{"meshName":"a"}"#).is_ok());
        let n255 = "a".repeat(255);
        assert!(parse_create_mesh(format!(r#"{{"meshName":"{n255}"}}"#).as_bytes()).is_ok());
        let e = bad(parse_create_mesh(
            format!(r#"{{"meshName":"{}"}}"#, "a".repeat(256)).as_bytes(),
        ));
        assert_eq!(e.code, "BadRequestException");
        assert_eq!(e.message, "meshName must be 1-255 characters; got 256");
        let crabs = "🦀".repeat(255);
        assert!(parse_create_mesh(format!(r#"{{"meshName":"{crabs}"}}"#).as_bytes()).is_ok());
        let e = bad(parse_create_mesh(br#"{"meshName":""}"#));
        assert!(e.message.contains("got 0"), "{e:?}");
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        assert_eq!(
            bad(parse_create_mesh(b"{}")).message,
            "meshName is required"
        );
        assert_eq!(
            bad(parse_create_mesh(br#"{"meshName":null}"#)).message,
            "meshName is required"
        );
        assert_eq!(
            bad(parse_create_mesh(br#"{"meshName":5}"#)).message,
            "meshName must be a string; got number"
        );
        assert_eq!(
            bad(parse_create_mesh(br#"{"meshName":"m","spec":[]}"#)).message,
            "spec must be an object; got array"
        );
        assert_eq!(
            bad(parse_create_mesh(
                br#"{"meshName":"m","spec":{"egressFilter":{}}}"#
            ))
            .message,
            "spec.egressFilter.type is required"
        );
        let e = bad(parse_create_mesh(
            br#"{"meshName":"m","spec":{"egressFilter":{"type":"drop_all"}}}"#,
        ));
        assert!(e.message.contains("spec.egressFilter.type") && e.message.contains("drop_all"));
        let e = bad(parse_create_mesh(
            br#"{"meshName":"m","spec":{"serviceDiscovery":{"ipPreference":"IPv5"}}}"#,
        ));
        assert!(e.message.contains("ipPreference") && e.message.contains("IPv4_ONLY"));
        assert!(
            bad(parse_create_mesh(b"{not json"))
                .message
                .contains("not valid JSON")
        );
        assert!(
            bad(parse_create_mesh(b"[1]"))
                .message
                .contains("JSON object")
        );
        let e = bad(parse_create_mesh(
            br#"{"meshName":"m","tags":[{"key":"k"}]}"#,
        ));
        assert_eq!(e.message, "tags[0].value is required");
        let e = bad(parse_create_mesh(br#"{"meshName":"m","tags":{"k":"v"}}"#));
        assert_eq!(e.message, "tags must be an array; got object");
    }

    #[test]
    fn unknown_fields_are_ignored_and_defaults_filled() {
        let r = parse_create_mesh(br#"{"meshName":"m","color":"red","spec":{"x":1}}"#).unwrap();
        assert_eq!(r.spec, Spec::default());
        assert_eq!(r.spec.egress, EgressFilter::DropAll);
        assert_eq!(r.spec.service_discovery, None);
        let r = parse_create_mesh(br#"{"meshName":"m","spec":{"serviceDiscovery":{}}}"#).unwrap();
        assert_eq!(
            r.spec.service_discovery,
            Some(ServiceDiscovery {
                ip_preference: None
            })
        );
    }

    #[test]
    fn client_tokens() {
        assert!(parse_create_mesh(br#"{"meshName":"m","clientToken":"a-b_C9"}"#).is_ok());
        let e = bad(parse_create_mesh(
            br#"{"meshName":"m","clientToken":"a b"}"#,
        ));
        assert!(e.message.starts_with("clientToken must be"), "{e:?}");
        let long = "a".repeat(37);
        let e = bad(parse_update_mesh(
            format!(r#"{{"clientToken":"{long}"}}"#).as_bytes(),
        ));
        assert!(e.message.starts_with("clientToken"));
        assert!(
            bad(parse_update_mesh(br#"{"clientToken":""}"#))
                .message
                .starts_with("clientToken")
        );
    }

    #[test]
    fn tag_limits() {
        let tags = |n: usize, klen: usize, vlen: usize| {
            let list: Vec<Value> = (0..n)
                .map(|i| {
                    serde_json::json!({"key": format!("{i:0>width$}", width = klen), "value": "v".repeat(vlen)})
                })
                .collect();
            serde_json::to_vec(&serde_json::json!({ "tags": list })).unwrap()
        };
        assert_eq!(parse_tag_resource(&tags(50, 3, 0)).unwrap().len(), 50);
        let e = bad(parse_tag_resource(&tags(51, 3, 0)));
        assert_eq!(e.code, "TooManyTagsException");
        assert!(parse_tag_resource(&tags(1, 128, 256)).is_ok());
        let e = bad(parse_tag_resource(&tags(1, 129, 0)));
        assert_eq!(e.message, "tags[0].key must be 1-128 characters; got 129");
        let e = bad(parse_tag_resource(&tags(1, 3, 257)));
        assert_eq!(e.message, "tags[0].value must be 0-256 characters; got 257");
        assert_eq!(bad(parse_tag_resource(b"{}")).message, "tags is required");
        let e = bad(parse_tag_resource(
            br#"{"tags":[{"key":"a","value":"1"},{"key":"a","value":"2"}]}"#,
        ));
        assert!(e.message.contains("more than once"));
        assert_eq!(
            bad(parse_untag_resource(b"{}")).message,
            "tagKeys is required"
        );
        assert_eq!(
            bad(parse_untag_resource(br#"{"tagKeys":[""]}"#)).message,
            "tagKeys[0] must be 1-128 characters; got 0"
        );
        assert_eq!(
            parse_untag_resource(br#"{"tagKeys":["a","b"]}"#).unwrap(),
            vec!["a", "b"]
        );
    }

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None, 100, 100).unwrap(), 100);
        assert_eq!(parse_limit(Some("1"), 100, 100).unwrap(), 1);
        assert_eq!(parse_limit(Some("100"), 100, 100).unwrap(), 100);
        assert_eq!(
            bad(parse_limit(Some("0"), 100, 100)).message,
            "limit must be from 1 to 100; got 0"
        );
        assert!(
            bad(parse_limit(Some("101"), 100, 100))
                .message
                .contains("101")
        );
        assert!(
            bad(parse_limit(Some("51"), 50, 100))
                .message
                .contains("1 to 50")
        );
        assert!(
            bad(parse_limit(Some("x"), 50, 100))
                .message
                .contains("integer")
        );
    }

    #[test]
    fn error_body_is_json_with_message() {
        let e = ApiError::not_found("no mesh \"x\"");
        let v: Value = serde_json::from_slice(&e.body()).unwrap();
        assert_eq!(v, serde_json::json!({"message": "no mesh \"x\""}));
    }
}
