//! Parsing the service model into [`Model`].

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

/// The service model as AWS publishes it for the SDKs.
const MODEL_JSON: &str = include_str!("../../assets/model/appmesh-2019-01-25.service-2.json");

/// Where an input member travels in the HTTP request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    Body,
    Uri,
    Query,
    Header,
}

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    pub name: String,
    pub shape: String,
    pub location: Location,
    /// The name on the wire when it differs from the member name (URI label, query key).
    pub location_name: String,
    pub idempotency_token: bool,
    /// The model's documentation (HTML as AWS wrote it).
    pub doc: String,
}

#[derive(Debug)]
pub struct Structure {
    /// In the model's order (alphabetical).
    pub members: Vec<Member>,
    pub required: Vec<String>,
    /// Exactly one member may be set.
    pub union: bool,
    /// The member that is the whole HTTP body (outputs of Create/Describe/Update/Delete).
    pub payload: Option<String>,
    /// For error shapes: the HTTP status.
    pub error_status: Option<u16>,
}

impl Structure {
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    pub fn is_required(&self, name: &str) -> bool {
        self.required.iter().any(|r| r == name)
    }
}

/// One shape of the model.
#[derive(Debug)]
pub enum Shape {
    Structure(Structure),
    List {
        member: String,
        min: Option<u64>,
        max: Option<u64>,
    },
    Map {
        key: String,
        value: String,
        min: Option<u64>,
        max: Option<u64>,
    },
    String {
        min: Option<u64>,
        max: Option<u64>,
        /// The pattern as the model writes it, and compiled.
        pattern: Option<(String, regex_lite::Regex)>,
        /// Allowed values, in the model's order (empty: any string).
        values: Vec<String>,
    },
    /// `integer` and `long`.
    Number {
        min: Option<i64>,
        max: Option<i64>,
    },
    Boolean,
    Timestamp,
}

/// One operation: its HTTP route and shapes.
#[derive(Debug)]
pub struct Operation {
    pub name: String,
    pub method: String,
    /// `/v20190125/meshes/{meshName}/virtualNodes`, as the model writes it.
    pub uri: String,
    pub input: Option<String>,
    pub output: Option<String>,
    pub errors: Vec<String>,
    pub idempotent: bool,
}

/// The parsed service model.
#[derive(Debug)]
pub struct Model {
    pub shapes: HashMap<String, Shape>,
    pub operations: BTreeMap<String, Operation>,
    /// Shape documentation, by shape name.
    pub docs: HashMap<String, String>,
}

impl Model {
    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name)
    }

    pub fn structure(&self, name: &str) -> Option<&Structure> {
        match self.shapes.get(name) {
            Some(Shape::Structure(s)) => Some(s),
            _ => None,
        }
    }

    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.get(name)
    }

    /// The HTTP status of an error shape (`NotFoundException` → 404).
    pub fn error_status(&self, name: &str) -> Option<u16> {
        self.structure(name).and_then(|s| s.error_status)
    }

    /// The allowed values of an enum shape (empty for any other shape).
    pub fn enum_values(&self, name: &str) -> &[String] {
        match self.shapes.get(name) {
            Some(Shape::String { values, .. }) => values,
            _ => &[],
        }
    }

    /// Parses a model document. Only the embedded model is parsed in the app; tests parse it
    /// from the shared reference too.
    pub fn parse(json: &str) -> Result<Model, String> {
        let raw: RawModel = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let mut shapes = HashMap::with_capacity(raw.shapes.len());
        let mut docs = HashMap::new();
        for (name, s) in raw.shapes {
            if let Some(d) = s.documentation.clone() {
                docs.insert(name.clone(), d);
            }
            let shape = s.into_shape().map_err(|e| format!("shape {name}: {e}"))?;
            shapes.insert(name, shape);
        }
        let operations = raw
            .operations
            .into_iter()
            .map(|(name, o)| {
                let op = Operation {
                    name: name.clone(),
                    method: o.http.method,
                    uri: o.http.request_uri,
                    input: o.input.map(|r| r.shape),
                    output: o.output.map(|r| r.shape),
                    errors: o.errors.into_iter().map(|r| r.shape).collect(),
                    idempotent: o.idempotent,
                };
                (name, op)
            })
            .collect();
        let model = Model {
            shapes,
            operations,
            docs,
        };
        model.check_references()?;
        Ok(model)
    }

    /// Every shape a member, list or map names exists.
    fn check_references(&self) -> Result<(), String> {
        let missing = |from: &str, to: &str| format!("shape {from} names a missing shape {to}");
        for (name, shape) in &self.shapes {
            let named: Vec<&str> = match shape {
                Shape::Structure(s) => s.members.iter().map(|m| m.shape.as_str()).collect(),
                Shape::List { member, .. } => vec![member],
                Shape::Map { key, value, .. } => vec![key, value],
                _ => vec![],
            };
            for to in named {
                if !self.shapes.contains_key(to) {
                    return Err(missing(name, to));
                }
            }
        }
        for op in self.operations.values() {
            for s in op.input.iter().chain(&op.output).chain(&op.errors) {
                if !self.shapes.contains_key(s) {
                    return Err(missing(&op.name, s));
                }
            }
        }
        Ok(())
    }
}

/// The embedded model, parsed on first use (about a millisecond; never before the first frame).
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    // The embedded file is checked by the tests (`shape::tests`), so this cannot fail at run
    // time for a build that passed them.
    MODEL.get_or_init(|| Model::parse(MODEL_JSON).expect("the embedded service model parses"))
}

// The file's own form.

#[derive(Deserialize)]
struct RawModel {
    shapes: BTreeMap<String, RawShape>,
    operations: BTreeMap<String, RawOperation>,
}

#[derive(Deserialize)]
struct RawOperation {
    http: RawHttp,
    input: Option<RawRef>,
    output: Option<RawRef>,
    #[serde(default)]
    errors: Vec<RawRef>,
    #[serde(default)]
    idempotent: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawHttp {
    method: String,
    request_uri: String,
}

#[derive(Deserialize)]
struct RawRef {
    shape: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMember {
    shape: String,
    location: Option<String>,
    location_name: Option<String>,
    #[serde(default)]
    idempotency_token: bool,
    documentation: Option<String>,
}

#[derive(Deserialize)]
struct RawError {
    #[serde(rename = "httpStatusCode")]
    http_status_code: u16,
}

#[derive(Deserialize)]
struct RawShape {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    members: BTreeMap<String, RawMember>,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    union: bool,
    payload: Option<String>,
    error: Option<RawError>,
    member: Option<RawRef>,
    key: Option<RawRef>,
    value: Option<RawRef>,
    min: Option<serde_json::Number>,
    max: Option<serde_json::Number>,
    pattern: Option<String>,
    #[serde(rename = "enum", default)]
    values: Vec<String>,
    documentation: Option<String>,
}

impl RawShape {
    fn into_shape(self) -> Result<Shape, String> {
        let unsigned = |n: &Option<serde_json::Number>| n.as_ref().and_then(|n| n.as_u64());
        let signed = |n: &Option<serde_json::Number>| n.as_ref().and_then(|n| n.as_i64());
        Ok(match self.kind.as_str() {
            "structure" => Shape::Structure(Structure {
                members: self
                    .members
                    .into_iter()
                    .map(|(name, m)| {
                        let location = match m.location.as_deref() {
                            None => Location::Body,
                            Some("uri") => Location::Uri,
                            Some("querystring") => Location::Query,
                            Some("header") => Location::Header,
                            Some(other) => return Err(format!("unknown location {other}")),
                        };
                        Ok(Member {
                            location_name: m.location_name.unwrap_or_else(|| name.clone()),
                            name,
                            shape: m.shape,
                            location,
                            idempotency_token: m.idempotency_token,
                            doc: m.documentation.unwrap_or_default(),
                        })
                    })
                    .collect::<Result<_, String>>()?,
                required: self.required,
                union: self.union,
                payload: self.payload,
                error_status: self.error.map(|e| e.http_status_code),
            }),
            "list" => Shape::List {
                member: self.member.ok_or("a list without a member")?.shape,
                min: unsigned(&self.min),
                max: unsigned(&self.max),
            },
            "map" => Shape::Map {
                key: self.key.ok_or("a map without a key")?.shape,
                value: self.value.ok_or("a map without a value")?.shape,
                min: unsigned(&self.min),
                max: unsigned(&self.max),
            },
            "string" => Shape::String {
                min: unsigned(&self.min),
                max: unsigned(&self.max),
                pattern: match self.pattern {
                    None => None,
                    Some(p) => {
                        let re = regex_lite::Regex::new(&p)
                            .map_err(|e| format!("pattern {p:?}: {e}"))?;
                        Some((p, re))
                    }
                },
                values: self.values,
            },
            "long" => Shape::Number {
                min: signed(&self.min),
                max: signed(&self.max),
            },
            // 32 bits in every SDK (Rust `i32`, Java `Integer`): a larger number is not a
            // value of the shape, even where the model states no bound.
            "integer" => Shape::Number {
                min: Some(signed(&self.min).unwrap_or(i32::MIN.into())),
                max: Some(signed(&self.max).unwrap_or(i32::MAX.into())),
            },
            "boolean" => Shape::Boolean,
            "timestamp" => Shape::Timestamp,
            other => return Err(format!("unknown type {other}")),
        })
    }
}
