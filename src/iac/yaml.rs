//! Reading YAML (serde_norway) and JSON (serde_json) documents into JSON values, bounded, and
//! finding the line of any value again for a problem message.
//!
//! - A tagged node (`!Ref X`, `!GetAtt A.B`) becomes a one-member mapping `{"!Ref": "X"}`;
//!   CloudFormation's reader turns these into its long forms.
//! - Bounds: the parsers' own nesting limit (128 levels in both), [`MAX_VALUES`] values per
//!   file counted while the tree is built (so an alias bomb — a few lines naming a large
//!   anchor many times — stops early, before it costs memory), and [`MAX_DOCUMENTS`] documents.
//!   serde_norway's repetition limit stops nested alias bombs even earlier.
//! - Duplicate keys are refused with the key's line; merge keys (`<<`) are applied.
//! - [`locate`] parses the text again and stops at the value a path names: the parsers attach
//!   the position of the value where an error is raised, which is exactly that value's line.
//!   Only the problems of a file are located, once each.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The most values (strings, numbers, mappings, lists …) one file may hold.
pub const MAX_VALUES: usize = 1_000_000;
/// The most YAML documents (`---`) in one file.
pub const MAX_DOCUMENTS: usize = 10_000;

/// Why a file could not be read as YAML or JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// `Resources.Node.Properties.Spec.Listeners[0]` as segments.
pub fn segs(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Seg::Key(name.to_string()));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Seg::Index(i));
            }
        }
    }
    out
}

struct Build<'a> {
    count: &'a Cell<usize>,
}

impl Build<'_> {
    fn tick<E: de::Error>(&self) -> Result<(), E> {
        let n = self.count.get() + 1;
        self.count.set(n);
        if n > MAX_VALUES {
            return Err(E::custom(format!(
                "more than {MAX_VALUES} values (a file this large, or an alias repeated this \
                 often, is not an App Mesh definition)"
            )));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Build<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A mapping key: any scalar, as text.
struct KeyText;

impl<'de> Visitor<'de> for KeyText {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a plain mapping key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".into())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok("null".into())
    }
}

impl<'de> DeserializeSeed<'de> for KeyText {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Build<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML or JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.tick()?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.tick()?;
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.tick()?;
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.tick()?;
        Ok(Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(v.to_string())))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.tick()?;
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.tick()?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.tick()?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.tick()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Build { count: self.count })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.tick()?;
        let mut out = Map::new();
        let mut merges = Vec::new();
        while let Some(k) = map.next_key_seed(KeyText)? {
            let v = map.next_value_seed(Build { count: self.count })?;
            if k == "<<" {
                merges.push(v);
                continue;
            }
            if out.contains_key(&k) {
                return Err(de::Error::custom(format!("the key {k:?} appears twice")));
            }
            out.insert(k, v);
        }
        // Merge keys: the mapping's own keys win, then earlier merged mappings.
        for m in merges {
            let sources = match m {
                Value::Array(items) => items,
                other => vec![other],
            };
            for src in sources {
                let Value::Object(src) = src else {
                    return Err(de::Error::custom("a merge key (<<) must name a mapping"));
                };
                for (k, v) in src {
                    out.entry(k).or_insert(v);
                }
            }
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        use de::VariantAccess;
        self.tick()?;
        let (tag, variant): (String, _) = data.variant()?;
        let inner = variant.newtype_variant_seed(Build { count: self.count })?;
        let mut m = Map::new();
        m.insert(format!("!{tag}"), inner);
        Ok(Value::Object(m))
    }
}

fn yaml_error(e: &serde_norway::Error) -> LoadError {
    let loc = e.location();
    let mut message = e.to_string();
    // serde_norway appends " at line L column C"; the caller names the line itself.
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    LoadError {
        line: loc.as_ref().map(|l| l.line()),
        column: loc.as_ref().map(|l| l.column()),
        message,
    }
}

fn json_error(e: &serde_json::Error) -> LoadError {
    let mut message = e.to_string();
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    LoadError {
        line: (e.line() > 0).then_some(e.line()),
        column: (e.column() > 0).then_some(e.column()),
        message,
    }
}

fn guarded<T>(f: impl FnOnce() -> Result<T, LoadError>) -> Result<T, LoadError> {
    // The parsers are not expected to panic on any input; if one ever does, the file is
    // refused rather than the app brought down.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(LoadError {
            line: None,
            column: None,
            message: "the parser failed on this file".into(),
        })
    })
}

/// Every document of a YAML text (empty documents are left out).
pub fn load_yaml(text: &str) -> Result<Vec<Value>, LoadError> {
    guarded(|| {
        let count = Cell::new(0);
        let mut docs = Vec::new();
        for (i, doc) in serde_norway::Deserializer::from_str(text).enumerate() {
            if i >= MAX_DOCUMENTS {
                return Err(LoadError {
                    line: None,
                    column: None,
                    message: format!("more than {MAX_DOCUMENTS} documents"),
                });
            }
            let v = Build { count: &count }
                .deserialize(doc)
                .map_err(|e| yaml_error(&e))?;
            docs.push(v);
        }
        Ok(docs)
    })
}

/// A JSON text.
pub fn load_json(text: &str) -> Result<Value, LoadError> {
    guarded(|| {
        let count = Cell::new(0);
        let mut de = serde_json::Deserializer::from_str(text);
        let v = Build { count: &count }
            .deserialize(&mut de)
            .map_err(|e| json_error(&e))?;
        de.end().map_err(|e| json_error(&e))?;
        Ok(v)
    })
}

// ---------------------------------------------------------------------------------------------
// Locating

const HERE: &str = "\u{0}here";

/// Follows a path; raises [`HERE`] at the value it names, or at the deepest value it reaches.
struct Find<'p> {
    path: &'p [Seg],
}

impl<'de> DeserializeSeed<'de> for Find<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Find<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(HERE))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(HERE))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(HERE))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(HERE))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(HERE))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(HERE))
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(HERE))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Seg::Index(want), rest)) = self.path.split_first() else {
            return Err(de::Error::custom(HERE));
        };
        for _ in 0..*want {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Err(de::Error::custom(HERE));
            }
        }
        match seq.next_element_seed(Find { path: rest })? {
            Some(()) | None => Err(de::Error::custom(HERE)),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Seg::Key(want), rest)) = self.path.split_first() else {
            return Err(de::Error::custom(HERE));
        };
        // The last step stops at the key, whose line is where a person looks (a mapping or
        // list value starts on the next line).
        while let Some(found) = map.next_key_seed(KeyMatch {
            want,
            stop: rest.is_empty(),
        })? {
            if found {
                map.next_value_seed(Find { path: rest })?;
                break;
            }
            map.next_value::<IgnoredAny>()?;
        }
        Err(de::Error::custom(HERE))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        use de::VariantAccess;
        let (tag, variant): (String, _) = data.variant()?;
        match self.path.split_first() {
            Some((Seg::Key(k), rest)) if k.strip_prefix('!') == Some(tag.as_str()) => {
                variant.newtype_variant_seed(Find { path: rest })
            }
            _ => Err(de::Error::custom(HERE)),
        }
    }
}

/// A mapping key compared with the one wanted: `true` when it is; raises [`HERE`] at the key
/// when it is and `stop` is set.
struct KeyMatch<'w> {
    want: &'w str,
    stop: bool,
}

impl<'de> DeserializeSeed<'de> for KeyMatch<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        // Raised inside the key's own visit, so the parser attaches the key's position.
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeyMatch<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a plain mapping key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        if v == self.want && self.stop {
            return Err(E::custom(HERE));
        }
        Ok(v == self.want)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.visit_str("null")
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        self.visit_str("null")
    }
}

/// The line (1-based) of the value `path` names in document `doc` of `text` (or of the deepest
/// value on the way there).
pub fn locate(text: &str, json: bool, doc: usize, path: &[Seg]) -> Option<usize> {
    let found = std::panic::catch_unwind(|| {
        if json {
            let mut de = serde_json::Deserializer::from_str(text);
            match (Find { path }).deserialize(&mut de) {
                Err(e) if e.to_string().contains(HERE) => Some(e.line()),
                _ => None,
            }
        } else {
            let d = serde_norway::Deserializer::from_str(text).nth(doc)?;
            match (Find { path }).deserialize(d) {
                Err(e) if e.to_string().contains(HERE) => e.location().map(|l| l.line()),
                _ => None,
            }
        }
    });
    found.ok().flatten().filter(|l| *l > 0)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tags_merges_and_duplicates() {
        let docs = load_yaml(
            "a: !Ref X\nb: !GetAtt [A, B]\nbase: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n---\nk: v\n",
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["a"], json!({"!Ref": "X"}));
        assert_eq!(docs[0]["b"], json!({"!GetAtt": ["A", "B"]}));
        assert_eq!(docs[0]["c"], json!({"x": 1, "y": 2}));
        let e = load_yaml("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert!(e.message.contains("\"a\" appears twice"), "{e:?}");
        assert!(e.line.is_some());
        let e = load_json("{\"a\": 1, \"a\": 2}").unwrap_err();
        assert!(e.message.contains("appears twice"), "{e:?}");
    }

    #[test]
    fn an_alias_bomb_stops_early() {
        // Nested: serde_norway's own repetition limit.
        let mut y = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            y.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = load_yaml(&y).unwrap_err();
        assert!(
            e.message.contains("repetition limit") || e.message.contains("more than"),
            "{e:?}"
        );
        // Flat: one large anchor named many times, under the repetition limit.
        let mut y = String::from("big: &big [");
        y.push_str(&vec!["x"; 2000].join(", "));
        y.push_str("]\nmany:\n");
        for _ in 0..2000 {
            y.push_str("  - *big\n");
        }
        let e = load_yaml(&y).unwrap_err();
        assert!(
            e.message
                .contains(&format!("more than {MAX_VALUES} values")),
            "{e:?}"
        );
    }

    #[test]
    fn too_deep_is_refused() {
        let deep = "[".repeat(10_000);
        assert!(load_yaml(&deep).is_err());
        assert!(load_json(&deep).is_err());
    }

    #[test]
    fn locate_finds_lines() {
        let text = "Resources:\n  Node:\n    Type: X\n    Properties:\n      Name: !Ref P\n      List:\n        - a\n        - b: 1\n";
        let at = |p: &str| locate(text, false, 0, &segs(p));
        assert_eq!(at("Resources.Node.Type"), Some(3));
        assert_eq!(at("Resources.Node.Properties.Name"), Some(5));
        assert_eq!(at("Resources.Node.Properties.Name.!Ref"), Some(5));
        assert_eq!(at("Resources.Node.Properties.List[1].b"), Some(8));
        // A key that is not there: the mapping that lacks it.
        assert_eq!(at("Resources.Node.Properties.Nope"), Some(5));
        let json = "{\n  \"a\": {\n    \"b\": [\n      1,\n      2\n    ]\n  }\n}";
        assert_eq!(locate(json, true, 0, &segs("a.b[1]")), Some(5));
        let multi = "# c\n---\na: 1\n---\nx: 1\nb:\n  c: 2\n";
        assert_eq!(locate(multi, false, 1, &segs("b.c")), Some(7));
        // A key that is not the first of its mapping: its own line.
        assert_eq!(locate(multi, false, 1, &segs("b")), Some(6));
    }
}
