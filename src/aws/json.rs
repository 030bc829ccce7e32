//! The wire-form JSON of aws-sdk-appmesh's types: the two traits and everything that is the
//! same for every shape.
//!
//! aws-sdk-appmesh has no serde support. `scripts/gen-sdk-convert` reads the service model and
//! writes `convert.rs` ([`ToJson`] and [`FromJson`] for every structure, union and enum the
//! operations reach) and `operations.rs` (every operation with its input read from JSON). This
//! file holds what they share, written once: scalars, lists and maps, the JSON path a problem is
//! reported at, reading and writing a structure's members, unions and enums.
//!
//! The wire form is what the service sends: member names as in the model, absent members left
//! out (never `null`), timestamps as epoch seconds (whole seconds as integers), a union as an
//! object with its one member, an enum as its string.

use std::collections::HashMap;
use std::fmt;

use aws_sdk_appmesh::error::BuildError;
use aws_sdk_appmesh::operation::RequestId;
use aws_sdk_appmesh::primitives::DateTime;
use serde_json::{Map, Value};

use super::Reply;
use super::error::ApiError;

/// An SDK value as wire-form JSON.
pub trait ToJson {
    fn to_json(&self) -> Value;
}

/// An SDK value from wire-form JSON. Meant for values `shape::validate` accepted, but never
/// panics: anything else is an error naming the JSON path and what is wrong. Members the model
/// does not know are ignored, as the service ignores them; `null` counts as absent.
pub trait FromJson: Sized {
    fn from_json(v: &Value, path: &Path<'_>) -> Result<Self, String>;
}

/// `x` as wire-form JSON.
pub fn to_json<T: ToJson>(x: &T) -> Value {
    x.to_json()
}

/// The SDK value of wire-form JSON `v`; `root` starts the JSON path of any problem (`"spec"`).
pub fn from_json<T: FromJson>(v: &Value, root: &str) -> Result<T, String> {
    T::from_json(v, &Path::Root(root))
}

/// The member a union becomes when the service sent one this SDK version does not know (the
/// SDK keeps no trace of what it was). `shape::validate` reports such a union as having none of
/// its members set, and `shape::prune` drops the marker, so it is never sent back.
pub const UNKNOWN_MEMBER: &str = "$unknown";

/// Where a value sits in the JSON, as `shape::validate` writes it:
/// `spec.listeners[0].portMapping.port`.
#[derive(Clone, Copy, Debug)]
pub enum Path<'a> {
    Root(&'a str),
    Member(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn is_empty(&self) -> bool {
        matches!(self, Path::Root(""))
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root(s) => f.write_str(s),
            Path::Member(p, m) if p.is_empty() => f.write_str(m),
            Path::Member(p, m) => write!(f, "{p}.{m}"),
            Path::Index(p, i) => write!(f, "{p}[{i}]"),
        }
    }
}

/// `path: rule`, or the rule alone at the root.
pub fn problem(path: &Path<'_>, rule: impl fmt::Display) -> String {
    if path.is_empty() {
        rule.to_string()
    } else {
        format!("{path}: {rule}")
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

fn wrong_type(path: &Path<'_>, wanted: &str, v: &Value) -> String {
    problem(path, format!("must be {wanted}, not {}", type_name(v)))
}

/// A string as a message quotes it: short ones whole, long ones cut.
fn quoted(s: &str) -> String {
    const SHOWN: usize = 40;
    if s.chars().count() > SHOWN {
        let cut: String = s.chars().take(SHOWN).collect();
        format!("{cut:?}…")
    } else {
        format!("{s:?}")
    }
}

// Scalars, lists and maps.

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl FromJson for String {
    fn from_json(v: &Value, path: &Path<'_>) -> Result<Self, String> {
        match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err(wrong_type(path, "a string", v)),
        }
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromJson for bool {
    fn from_json(v: &Value, path: &Path<'_>) -> Result<Self, String> {
        match v {
            Value::Bool(b) => Ok(*b),
            _ => Err(problem(
                path,
                format!("must be true or false, not {}", type_name(v)),
            )),
        }
    }
}

fn whole_number(v: &Value, path: &Path<'_>) -> Result<i64, String> {
    match v {
        Value::Number(n) => n.as_i64().ok_or_else(|| {
            problem(
                path,
                if n.as_u64().is_some() {
                    "is too large for a number"
                } else {
                    "must be a whole number"
                },
            )
        }),
        _ => Err(wrong_type(path, "a number", v)),
    }
}

impl ToJson for i32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl FromJson for i32 {
    fn from_json(v: &Value, path: &Path<'_>) -> Result<Self, String> {
        let n = whole_number(v, path)?;
        i32::try_from(n).map_err(|_| {
            problem(
                path,
                format!("must be between {} and {} (got {n})", i32::MIN, i32::MAX),
            )
        })
    }
}

impl ToJson for i64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl FromJson for i64 {
    fn from_json(v: &Value, path: &Path<'_>) -> Result<Self, String> {
        whole_number(v, path)
    }
}

/// Epoch seconds: an integer when the time is a whole second, else a fraction.
impl ToJson for DateTime {
    fn to_json(&self) -> Value {
        if self.subsec_nanos() == 0 {
            Value::from(self.secs())
        } else {
            Value::from(self.as_secs_f64())
        }
    }
}

impl FromJson for DateTime {
    fn from_json(v: &Value, path: &Path<'_>) -> Result<Self, String> {
        match v {
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(secs), _) => Ok(DateTime::from_secs(secs)),
                // Finite: JSON has no NaN or infinity; out-of-range values saturate.
                (None, Some(secs)) => Ok(DateTime::from_secs_f64(secs)),
                (None, None) => Err(problem(path, "is not a number of seconds")),
            },
            _ => Err(wrong_type(path, "a number of seconds since 1970", v)),
        }
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value, path: &Path<'_>) -> Result<Self, String> {
        match v {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| T::from_json(item, &Path::Index(path, i)))
                .collect(),
            _ => Err(wrong_type(path, "a list", v)),
        }
    }
}

impl<T: ToJson> ToJson for HashMap<String, T> {
    fn to_json(&self) -> Value {
        Value::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
}

impl<T: FromJson> FromJson for HashMap<String, T> {
    fn from_json(v: &Value, path: &Path<'_>) -> Result<Self, String> {
        match v {
            Value::Object(obj) => obj
                .iter()
                .map(|(k, item)| Ok((k.clone(), T::from_json(item, &Path::Member(path, k))?)))
                .collect(),
            _ => Err(wrong_type(path, "an object", v)),
        }
    }
}

// Structures, unions and enums: the pieces the generated impls are made of.

/// Writes a structure's members: `req` for a plain SDK field, `opt` for an `Option` (left out
/// when `None`).
#[derive(Default)]
pub struct Out(Map<String, Value>);

impl Out {
    pub fn new() -> Self {
        Out::default()
    }

    pub fn req<T: ToJson>(mut self, name: &str, x: &T) -> Self {
        self.0.insert(name.to_owned(), x.to_json());
        self
    }

    pub fn opt<T: ToJson>(mut self, name: &str, x: &Option<T>) -> Self {
        if let Some(x) = x {
            self.0.insert(name.to_owned(), x.to_json());
        }
        self
    }

    pub fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// A union with member `name` set.
pub fn one<T: ToJson>(name: &str, x: &T) -> Value {
    let mut o = Map::new();
    o.insert(name.to_owned(), x.to_json());
    Value::Object(o)
}

/// A union the service sent with a member this SDK version does not know.
pub fn unknown(shape: &str) -> Value {
    let mut o = Map::new();
    o.insert(
        UNKNOWN_MEMBER.to_owned(),
        Value::String(format!(
            "the service sent a kind of {shape} this version of appmesh-tui does not know"
        )),
    );
    Value::Object(o)
}

/// Reads a structure's members. Both return `Option` because the SDK's builder setters take
/// one; `req` fails when the member is absent, naming it.
pub struct In<'a> {
    obj: &'a Map<String, Value>,
    path: &'a Path<'a>,
}

impl<'a> In<'a> {
    pub fn new(v: &'a Value, path: &'a Path<'a>) -> Result<Self, String> {
        match v {
            Value::Object(obj) => Ok(In { obj, path }),
            _ => Err(wrong_type(path, "an object", v)),
        }
    }

    pub fn opt<T: FromJson>(&self, name: &str) -> Result<Option<T>, String> {
        match self.obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::from_json(v, &Path::Member(self.path, name)).map(Some),
        }
    }

    pub fn req<T: FromJson>(&self, name: &str) -> Result<Option<T>, String> {
        match self.opt(name)? {
            Some(x) => Ok(Some(x)),
            None => Err(problem(&Path::Member(self.path, name), "is required")),
        }
    }

    /// The builder refused (a required member missing; `req` checks those first).
    pub fn not_built(&self, e: BuildError) -> String {
        problem(self.path, format!("could not be built: {e}"))
    }
}

/// The one member of union `v` that is set, among `names`, and its path.
pub fn one_of<'v, 'p>(
    v: &'v Value,
    path: &'p Path<'p>,
    names: &[&'static str],
) -> Result<(&'static str, &'v Value, Path<'p>), String> {
    let Value::Object(obj) = v else {
        return Err(wrong_type(path, "an object", v));
    };
    let set: Vec<(&'static str, &'v Value)> = names
        .iter()
        .filter_map(|n| obj.get(*n).filter(|x| !x.is_null()).map(|x| (*n, x)))
        .collect();
    match set.as_slice() {
        [(name, x)] => Ok((name, x, Path::Member(path, name))),
        _ => {
            let got = if set.is_empty() {
                "none is set".to_string()
            } else {
                let names: Vec<&str> = set.iter().map(|(n, _)| *n).collect();
                format!("{} are set", names.join(" and "))
            };
            Err(problem(
                path,
                format!("must set exactly one of {}; {got}", names.join(", ")),
            ))
        }
    }
}

/// For the match arm [`one_of`] never takes.
pub fn not_a_member(path: &Path<'_>, member: &str) -> String {
    problem(path, format!("{member} is not one of its members"))
}

/// An enum's string, when it is one of `allowed` (the model's values).
pub fn enum_value<'v>(v: &'v Value, path: &Path<'_>, allowed: &[&str]) -> Result<&'v str, String> {
    match v {
        Value::String(s) if allowed.contains(&s.as_str()) => Ok(s),
        Value::String(s) => Err(problem(
            path,
            format!("must be one of {} (got {})", allowed.join(", "), quoted(s)),
        )),
        _ => Err(wrong_type(path, "a string", v)),
    }
}

/// An operation's output as wire-form JSON, with its request ID.
pub fn reply<T: ToJson + RequestId>(out: T) -> Result<Reply<Value>, ApiError> {
    Ok(Reply {
        value: out.to_json(),
        request_id: out.request_id().map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_read_like_validate() {
        let root = Path::Root("spec");
        let l = Path::Member(&root, "listeners");
        let i = Path::Index(&l, 0);
        let p = Path::Member(&i, "port");
        assert_eq!(p.to_string(), "spec.listeners[0].port");
        let empty = Path::Root("");
        assert_eq!(Path::Member(&empty, "meshName").to_string(), "meshName");
        assert_eq!(problem(&empty, "is required"), "is required");
        assert_eq!(
            problem(&p, "is required"),
            "spec.listeners[0].port: is required"
        );
    }

    #[test]
    fn scalars_name_the_path_and_the_problem() {
        let e = |r: Result<i32, String>| r.unwrap_err();
        assert_eq!(
            e(from_json(&json!("8080"), "port")),
            "port: must be a number, not a string"
        );
        assert_eq!(
            e(from_json(&json!(1.5), "port")),
            "port: must be a whole number"
        );
        assert_eq!(
            e(from_json(&json!(4_000_000_000u64), "port")),
            "port: must be between -2147483648 and 2147483647 (got 4000000000)"
        );
        assert_eq!(
            from_json::<i64>(&json!(u64::MAX), "n").unwrap_err(),
            "n: is too large for a number"
        );
        assert_eq!(
            from_json::<bool>(&json!(null), "b").unwrap_err(),
            "b: must be true or false, not null"
        );
        assert_eq!(
            from_json::<Vec<String>>(&json!(["a", 2]), "names").unwrap_err(),
            "names[1]: must be a string, not a number"
        );
        assert_eq!(
            from_json::<HashMap<String, i32>>(&json!({"a": 1, "b": "x"}), "m").unwrap_err(),
            "m.b: must be a number, not a string"
        );
        assert_eq!(
            from_json::<HashMap<String, i32>>(&json!({"a": 1}), "m").unwrap(),
            HashMap::from([("a".to_string(), 1)])
        );
    }

    #[test]
    fn times_are_epoch_seconds_whole_ones_as_integers() {
        let t: DateTime = from_json(&json!(1700000000), "t").unwrap();
        assert_eq!(t.to_json(), json!(1700000000));
        assert!(t.to_json().is_i64());
        let t: DateTime = from_json(&json!(1700000000.5), "t").unwrap();
        assert_eq!(t.to_json(), json!(1700000000.5));
        for extreme in [json!(1e300), json!(-1e300), json!(-1.25), json!(i64::MIN)] {
            let t: DateTime = from_json(&extreme, "t").unwrap();
            assert!(t.to_json().is_number());
        }
        assert_eq!(
            from_json::<DateTime>(&json!("2024-01-01"), "t").unwrap_err(),
            "t: must be a number of seconds since 1970, not a string"
        );
    }

    #[test]
    fn unions_need_exactly_one_member() {
        let root = Path::Root("spec");
        let two = json!({"dns": {}, "awsCloudMap": {}, "other": 1});
        assert_eq!(
            one_of(&two, &root, &["awsCloudMap", "dns"]).unwrap_err(),
            "spec: must set exactly one of awsCloudMap, dns; awsCloudMap and dns are set"
        );
        let none = json!({"dns": null, "other": 1});
        assert_eq!(
            one_of(&none, &root, &["awsCloudMap", "dns"]).unwrap_err(),
            "spec: must set exactly one of awsCloudMap, dns; none is set"
        );
        let one_set = json!({"dns": {"x": 1}});
        let (name, v, at) = one_of(&one_set, &root, &["awsCloudMap", "dns"]).unwrap();
        assert_eq!(
            (name, v, at.to_string()),
            ("dns", &json!({"x": 1}), "spec.dns".into())
        );
        assert_eq!(
            enum_value(&json!("drop_all"), &root, &["ALLOW_ALL", "DROP_ALL"]).unwrap_err(),
            "spec: must be one of ALLOW_ALL, DROP_ALL (got \"drop_all\")"
        );
        assert_eq!(
            unknown("Backend")[UNKNOWN_MEMBER]
                .as_str()
                .map(|s| s.contains("Backend")),
            Some(true)
        );
    }
}
