//! What serde_norway does not do for a mesh file: values read into `serde_json::Value` with
//! duplicate keys refused and a budget on what one file may expand to (YAML aliases can repeat
//! a large value many times), and finding the line of a path after the fact.
//!
//! serde_norway keeps no positions in the values it builds, but every error it raises while a
//! node is being read carries that node's line and column. [`locate`] uses that: it reads the
//! document again with a visitor that follows the path and fails on purpose at the deepest node
//! of it that exists, and the error's location is the answer.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

thread_local! {
    /// What the document being read may still allocate: values and bytes of text.
    static BUDGET: Cell<Option<(u64, u64)>> = const { Cell::new(None) };
}

/// Runs `f` (the reading of one file) with a budget of `values` values and `bytes` bytes of
/// strings. Honest files stay far below it (it is set from the file's size); a file whose
/// aliases would expand beyond it fails with a message saying so.
pub fn with_budget<T>(values: u64, bytes: u64, f: impl FnOnce() -> T) -> T {
    let before = BUDGET.with(|b| b.replace(Some((values, bytes))));
    let out = f();
    BUDGET.with(|b| b.set(before));
    out
}

pub const BUDGET_MESSAGE: &str = "the file expands to far more data than its size (YAML aliases repeating large values); write the values out instead of repeating them with aliases";

fn spend<E: de::Error>(values: u64, bytes: usize) -> Result<(), E> {
    BUDGET.with(|b| match b.get() {
        None => Ok(()),
        Some((v, by)) => {
            let bytes = bytes as u64;
            if v < values || by < bytes {
                Err(E::custom(BUDGET_MESSAGE))
            } else {
                b.set(Some((v - values, by - bytes)));
                Ok(())
            }
        }
    })
}

/// A JSON value read from YAML: duplicate keys are refused, map keys must be text, numbers
/// must be finite, and everything counts against the budget.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Json(pub Value);

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor).map(Json)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value (text, number, true/false, list or map)")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        spend::<E>(1, 0)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        spend::<E>(1, 0)?;
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        spend::<E>(1, 0)?;
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        spend::<E>(1, 0)?;
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("{v} is not a number App Mesh accepts")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        spend::<E>(1, v.len())?;
        Ok(Value::String(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        spend::<E>(1, 0)?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(JsonVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        spend::<A::Error>(1, 0)?;
        let mut out = Vec::new();
        while let Some(Json(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        spend::<A::Error>(1, 0)?;
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(DistinctKey(&|k| out.contains_key(k)))? {
            let Json(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Reads a map key: text only, and not one the map already has (the error then points at
/// the repeated key's line).
pub struct DistinctKey<'a>(pub &'a dyn Fn(&str) -> bool);

impl<'de> DeserializeSeed<'de> for DistinctKey<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(KeyVisitor(self.0))
    }
}

struct KeyVisitor<'a>(&'a dyn Fn(&str) -> bool);

impl<'de> Visitor<'de> for KeyVisitor<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key that is text")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        if (self.0)(v) {
            return Err(E::custom(format!("the key {v:?} appears twice")));
        }
        spend::<E>(1, v.len())?;
        Ok(v.to_string())
    }
}

/// Text (a name, a tag value): a YAML string only. `1.0` or `true` unquoted are refused with a
/// hint to quote them, rather than turned into text that may differ from what was typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor).map(Text)
    }
}

struct TextVisitor;

impl TextVisitor {
    fn quote<E: de::Error>(what: impl fmt::Display) -> E {
        E::custom(format!(
            "expected text, found {what}; put it in quotes (\"{what}\") to mean the text"
        ))
    }
}

impl<'de> Visitor<'de> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("text")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        spend::<E>(1, v.len())?;
        Ok(v.to_string())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Err(Self::quote(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Err(Self::quote(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Err(Self::quote(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Err(Self::quote(v))
    }
}

/// Tags as a map of text to text: keys appear once, values are text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Tags(pub std::collections::BTreeMap<String, String>);

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TagsVisitor).map(Tags)
    }
}

struct TagsVisitor;

impl<'de> Visitor<'de> for TagsVisitor {
    type Value = std::collections::BTreeMap<String, String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of tag keys to values (team: payments)")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Default::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = std::collections::BTreeMap::new();
        while let Some(key) = map.next_key_seed(DistinctKey(&|k| out.contains_key(k)))? {
            let Text(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(out)
    }
}

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Splits a path as serde_norway and `shape::validate` write it (`a.b[2].c`). Keys holding
/// `.` or `[` cannot be told apart; build [`Seg`]s directly for those.
pub fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Seg::Key(name.to_string()));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else { break };
            match r[..end].parse() {
                Ok(i) => out.push(Seg::Index(i)),
                Err(_) => out.push(Seg::Key(r[..end].to_string())),
            }
            rest = &r[end + 1..];
        }
    }
    out
}

/// The sentinel error [`locate`] raises where the path ends.
const FOUND: &str = "\u{0}appmesh-tui: located";

/// Where (1-based line and column) `path` is in document `doc` (0-based, counting empty
/// documents) of `text`: the node itself, or the deepest part of the path that exists (the
/// map that lacks a required member).
pub fn locate(text: &str, doc: usize, path: &[Seg]) -> Option<(usize, usize)> {
    let d = serde_norway::Deserializer::from_str(text).nth(doc)?;
    let err = match Locate(path).deserialize(d) {
        Ok(()) => return None,
        Err(e) => e,
    };
    err.location().map(|l| (l.line(), l.column()))
}

struct Locate<'a>(&'a [Seg]);

impl<'de> DeserializeSeed<'de> for Locate<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(LocateVisitor(self.0))
    }
}

struct LocateVisitor<'a>(&'a [Seg]);

impl LocateVisitor<'_> {
    fn here<T, E: de::Error>() -> Result<T, E> {
        Err(E::custom(FOUND))
    }
}

impl<'de> Visitor<'de> for LocateVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("anything")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Self::here()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Self::here()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Self::here()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Self::here()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Self::here()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Self::here()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Self::here()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Seg::Index(want), rest)) = self.0.split_first() else {
            return Self::here();
        };
        let mut i = 0;
        loop {
            if i == *want {
                // The item fails on purpose inside; past the end, the list is the answer.
                seq.next_element_seed(Locate(rest))?;
                return Self::here();
            }
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Self::here();
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Seg::Key(want), rest)) = self.0.split_first() else {
            return Self::here();
        };
        // The last step is the key's own line: where a reader looks for `port:` or a member
        // that should not be there, even when its value is a map on the lines below.
        let stop = rest.is_empty().then_some(want.as_str());
        while let Some(key) = map.next_key_seed(KeySeed(stop))? {
            if key.0.as_deref() == Some(want.as_str()) {
                map.next_value_seed(Locate(rest))?;
                return Self::here();
            }
            map.next_value::<IgnoredAny>()?;
        }
        Self::here()
    }
}

/// A map key of any kind; `Some` when it is text.
struct AnyKey(Option<String>);

/// Reads a key; when it is `stop`, fails there (so the error carries the key's position).
struct KeySeed<'a>(Option<&'a str>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = AnyKey;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<AnyKey, D::Error> {
        struct V<'a>(Option<&'a str>);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = AnyKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AnyKey, E> {
                if self.0 == Some(v) {
                    return Err(E::custom(FOUND));
                }
                Ok(AnyKey(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<AnyKey, E> {
                Ok(AnyKey(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<AnyKey, E> {
                Ok(AnyKey(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<AnyKey, E> {
                Ok(AnyKey(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<AnyKey, E> {
                Ok(AnyKey(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<AnyKey, E> {
                Ok(AnyKey(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<AnyKey, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(AnyKey(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<AnyKey, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(AnyKey(None))
            }
        }
        d.deserialize_any(V(self.0))
    }
}

/// The message of a serde_norway error without its " at line L column C" tail (the location
/// is given separately).
pub fn message_of(e: &serde_norway::Error) -> String {
    let text = e.to_string();
    if let Some(l) = e.location() {
        let tail = format!(" at line {} column {}", l.line(), l.column());
        if let Some(stripped) = text.strip_suffix(&tail) {
            return stripped.to_string();
        }
        if let Some(i) = text.rfind(&tail) {
            return format!("{}{}", &text[..i], &text[i + tail.len()..]);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_segments() {
        assert_eq!(
            segments("virtualRouters[0].routes[2].spec.httpRoute"),
            [
                Seg::Key("virtualRouters".into()),
                Seg::Index(0),
                Seg::Key("routes".into()),
                Seg::Index(2),
                Seg::Key("spec".into()),
                Seg::Key("httpRoute".into()),
            ]
        );
        assert_eq!(segments(""), []);
        assert_eq!(
            segments("a[1][2]"),
            [Seg::Key("a".into()), Seg::Index(1), Seg::Index(2)]
        );
    }

    #[test]
    fn locate_finds_nodes_and_the_closest_parent() {
        let text = "a: 1\nb:\n  c:\n    - x\n    - y: 2\n      z: [1, 2]\n---\nq: {r: 3}\n";
        let at = |doc, p: &str| locate(text, doc, &segments(p));
        assert_eq!(at(0, "a"), Some((1, 1)));
        assert_eq!(at(0, "b.c"), Some((3, 3)));
        assert_eq!(at(0, "b.c[0]"), Some((4, 7)));
        assert_eq!(at(0, "b.c[1].z"), Some((6, 7)));
        assert_eq!(at(0, "b.c[1].z[1]"), Some((6, 14)));
        // Missing: the map that lacks it.
        assert_eq!(at(0, "b.c[1].missing"), Some((5, 7)));
        assert_eq!(at(0, "b.c[9]"), Some((4, 5)));
        assert_eq!(at(1, "q.r"), Some((8, 5)));
        assert_eq!(at(5, "q"), None);
    }

    #[test]
    fn json_refuses_duplicates_and_counts_the_budget() {
        let v: Json = serde_norway::from_str("a: [1, 2.5, x, true, null]\nb: {c: d}").unwrap();
        assert_eq!(
            v.0,
            serde_json::json!({"a": [1, 2.5, "x", true, null], "b": {"c": "d"}})
        );
        let e = serde_norway::from_str::<Json>("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.location().map(|l| l.line()), Some(3));
        assert!(
            message_of(&e).contains("the key \"a\" appears twice"),
            "{e}"
        );
        let e = serde_norway::from_str::<Json>("1: x").unwrap_err();
        assert!(e.to_string().contains("a key that is text"), "{e}");
        // An alias bomb runs out of budget.
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        let r = with_budget(1000, 100_000, || serde_norway::from_str::<Json>(bomb));
        assert!(r.unwrap_err().to_string().contains("expands to far more"));
    }

    #[test]
    fn text_wants_quotes_for_numbers() {
        let e = serde_norway::from_str::<Text>("1.5").unwrap_err();
        assert!(message_of(&e).contains("put it in quotes (\"1.5\")"), "{e}");
        assert_eq!(serde_norway::from_str::<Text>("'1.5'").unwrap().0, "1.5");
        let t: Tags = serde_norway::from_str("a: b\nc: 'true'").unwrap();
        assert_eq!(t.0.len(), 2);
        assert!(serde_norway::from_str::<Tags>("a: b\na: c").is_err());
    }
}
