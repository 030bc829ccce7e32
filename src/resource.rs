//! One resource of any kind, in the project's own terms: what Describe, Create, Update and
//! Delete return ([`Resource`]), and one row of a List ([`Summary`]).
//!
//! Both are read from the wire form (the JSON the service sends, member names as in the
//! model), whoever produced it: the sandbox, an SDK response converted to JSON
//! (`aws::convert`), or a mesh file. The spec stays a JSON value in that form, so the describe
//! tree, the spec editor and the exports walk it with the service model (`shape`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::kind::{Key, Kind, Name};

/// `ResourceMetadata`, and the members every `*Ref` shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    pub arn: String,
    /// Empty in a list row (`*Ref` has no uid).
    pub uid: String,
    pub version: i64,
    pub created_at: SystemTime,
    pub last_updated_at: SystemTime,
    /// Account IDs (12 digits): inline, no allocation for a row.
    pub mesh_owner: Name,
    pub resource_owner: Name,
}

/// A resource as Describe (or Create, Update, Delete) returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub key: Key,
    pub meta: Meta,
    /// `ACTIVE`, `INACTIVE` or `DELETED`.
    pub status: String,
    /// The spec in the wire form (`{}` when the service sent none).
    pub spec: Value,
}

/// One row of a List: the key and the metadata the `*Ref` shapes carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub key: Key,
    pub meta: Meta,
}

/// What is wrong with a wire value, naming the member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, WireError> {
    v.as_object()
        .ok_or_else(|| WireError(format!("{what} is not an object")))
}

fn string(o: &Map<String, Value>, member: &str) -> Result<String, WireError> {
    match o.get(member) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(WireError(format!("{member} is not a string"))),
        None => Err(WireError(format!("{member} is missing"))),
    }
}

fn opt_string(o: &Map<String, Value>, member: &str) -> String {
    o.get(member)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Epoch seconds (fractions allowed) as the wire carries timestamps.
pub fn time_from_secs(secs: f64) -> SystemTime {
    if secs.is_finite() && secs >= 0.0 {
        UNIX_EPOCH + Duration::from_secs_f64(secs.min(1e12))
    } else {
        UNIX_EPOCH
    }
}

/// The wire form of a time: epoch seconds with milliseconds.
pub fn secs_of(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| (d.as_millis() as f64) / 1000.0)
        .unwrap_or(0.0)
}

/// A time as the wire writes it: whole seconds as an integer, else seconds with milliseconds.
pub fn time_value(t: SystemTime) -> Value {
    let secs = secs_of(t);
    if secs.fract() == 0.0 {
        Value::from(secs as i64)
    } else {
        Value::from(secs)
    }
}

fn time(o: &Map<String, Value>, member: &str) -> Result<SystemTime, WireError> {
    match o.get(member) {
        Some(Value::Number(n)) => Ok(time_from_secs(n.as_f64().unwrap_or(0.0))),
        Some(_) => Err(WireError(format!("{member} is not a number of seconds"))),
        None => Err(WireError(format!("{member} is missing"))),
    }
}

fn key_of(kind: Kind, o: &Map<String, Value>) -> Result<Key, WireError> {
    let info = kind.info();
    let name = string(o, info.name_member)?;
    let mesh = if kind == Kind::Mesh {
        name.clone()
    } else {
        string(o, "meshName")?
    };
    let parent = match info.parent {
        Some(p) => string(o, p.info().name_member)?,
        None => String::new(),
    };
    Ok(Key::new(kind, mesh, parent, name))
}

fn meta_of(o: &Map<String, Value>) -> Result<Meta, WireError> {
    Ok(Meta {
        arn: string(o, "arn")?,
        uid: opt_string(o, "uid"),
        version: o.get("version").and_then(Value::as_i64).unwrap_or(0),
        created_at: time(o, "createdAt")?,
        last_updated_at: time(o, "lastUpdatedAt")?,
        mesh_owner: opt_string(o, "meshOwner").into(),
        resource_owner: opt_string(o, "resourceOwner").into(),
    })
}

fn meta_members(m: &Meta, out: &mut Map<String, Value>) {
    out.insert("arn".into(), Value::from(m.arn.clone()));
    out.insert("createdAt".into(), time_value(m.created_at));
    out.insert("lastUpdatedAt".into(), time_value(m.last_updated_at));
    out.insert("meshOwner".into(), Value::from(m.mesh_owner.as_str()));
    out.insert(
        "resourceOwner".into(),
        Value::from(m.resource_owner.as_str()),
    );
    out.insert("version".into(), Value::from(m.version));
}

fn key_members(key: &Key, out: &mut Map<String, Value>) {
    let info = key.kind.info();
    out.insert("meshName".into(), Value::from(key.mesh.as_str()));
    out.insert(info.name_member.into(), Value::from(key.name.as_str()));
    if let Some(p) = info.parent {
        out.insert(
            p.info().name_member.into(),
            Value::from(key.parent.as_str()),
        );
    }
}

impl Resource {
    /// Reads a `*Data` shape (e.g. `VirtualNodeData`) of `kind`.
    pub fn from_wire(kind: Kind, v: &Value) -> Result<Resource, WireError> {
        let o = obj(v, kind.info().data_shape)?;
        let key = key_of(kind, o)?;
        let meta = meta_of(obj(
            o.get("metadata")
                .ok_or_else(|| WireError("metadata is missing".into()))?,
            "metadata",
        )?)?;
        let status = o
            .get("status")
            .and_then(|s| s.get("status"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let spec = match o.get("spec") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(s @ Value::Object(_)) => s.clone(),
            Some(_) => return Err(WireError("spec is not an object".into())),
        };
        Ok(Resource {
            key,
            meta,
            status,
            spec,
        })
    }

    /// The `*Data` wire form.
    pub fn to_wire(&self) -> Value {
        let mut out = Map::new();
        key_members(&self.key, &mut out);
        let mut meta = Map::new();
        meta_members(&self.meta, &mut meta);
        meta.insert("uid".into(), Value::from(self.meta.uid.clone()));
        out.insert("metadata".into(), Value::Object(meta));
        out.insert("spec".into(), self.spec.clone());
        let mut status = Map::new();
        status.insert("status".into(), Value::from(self.status.clone()));
        out.insert("status".into(), Value::Object(status));
        Value::Object(out)
    }

    pub fn summary(&self) -> Summary {
        Summary {
            key: self.key.clone(),
            meta: Meta {
                uid: String::new(),
                ..self.meta.clone()
            },
        }
    }
}

impl Summary {
    /// Reads a `*Ref` shape (e.g. `RouteRef`) of `kind`.
    pub fn from_wire(kind: Kind, v: &Value) -> Result<Summary, WireError> {
        let o = obj(v, kind.info().ref_shape)?;
        Ok(Summary {
            key: key_of(kind, o)?,
            meta: meta_of(o)?,
        })
    }

    /// The `*Ref` wire form.
    pub fn to_wire(&self) -> Value {
        let mut out = Map::new();
        key_members(&self.key, &mut out);
        meta_members(&self.meta, &mut out);
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::shape::{model, validate};

    fn route() -> Value {
        json!({
            "meshName": "m", "virtualRouterName": "r", "routeName": "x",
            "metadata": {"arn": "arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualRouter/r/route/x",
                         "uid": "u", "version": 2, "createdAt": 1700000000.5, "lastUpdatedAt": 1700000001,
                         "meshOwner": "111122223333", "resourceOwner": "111122223333"},
            "spec": {"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "n", "weight": 1}]}}},
            "status": {"status": "ACTIVE"}
        })
    }

    #[test]
    fn data_round_trips_and_fits_the_model() {
        let r = Resource::from_wire(Kind::Route, &route()).unwrap();
        assert_eq!(r.key, Key::new(Kind::Route, "m", "r", "x"));
        assert_eq!(r.meta.version, 2);
        assert_eq!(r.status, "ACTIVE");
        assert_eq!(secs_of(r.meta.created_at), 1700000000.5);
        assert_eq!(r.to_wire(), route());
        assert!(validate(model(), "RouteData", &r.to_wire(), "").is_empty());
        let s = r.summary();
        assert!(validate(model(), "RouteRef", &s.to_wire(), "").is_empty());
        assert_eq!(Summary::from_wire(Kind::Route, &s.to_wire()).unwrap(), s);
    }

    #[test]
    fn bad_wire_values_name_the_member() {
        let mut v = route();
        v.as_object_mut().unwrap().remove("virtualRouterName");
        assert_eq!(
            Resource::from_wire(Kind::Route, &v).unwrap_err().0,
            "virtualRouterName is missing"
        );
        let mut v = route();
        v["metadata"]["createdAt"] = json!("yesterday");
        assert_eq!(
            Resource::from_wire(Kind::Route, &v).unwrap_err().0,
            "createdAt is not a number of seconds"
        );
        assert!(Resource::from_wire(Kind::Mesh, &json!([])).is_err());
        let mesh = json!({"meshName": "m", "metadata": route()["metadata"].clone(), "status": {"status": "ACTIVE"}});
        let r = Resource::from_wire(Kind::Mesh, &mesh).unwrap();
        assert_eq!(r.key, Key::mesh("m"));
        assert_eq!(r.spec, json!({}));
    }
}
