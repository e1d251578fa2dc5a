//! This module holds a small JSON document model that keeps key order and
//! rejects duplicate keys, which `serde_json::Value` silently collapses.
//!
//! IAM rejects a policy that repeats a key inside one object; a tool that keeps
//! the last one would evaluate a different policy than the one AWS refused, so
//! every policy document goes through [`JsonValue`]. No IO here.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A JSON value whose objects keep their keys in document order
#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number
    Number(serde_json::Number),
    /// A string
    String(String),
    /// An array
    Array(Vec<JsonValue>),
    /// An object, keys in document order and unique
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    /// Parses a JSON text, rejecting duplicate keys
    ///
    /// # Errors
    /// The `serde_json` error, with line and column, for malformed JSON or a
    /// duplicate key.
    pub fn parse(text: &str) -> Result<JsonValue, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// A short name of this value's JSON type, for error messages
    pub fn type_name(&self) -> &'static str {
        match self {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "a boolean",
            JsonValue::Number(_) => "a number",
            JsonValue::String(_) => "a string",
            JsonValue::Array(_) => "an array",
            JsonValue::Object(_) => "an object",
        }
    }

    /// The value of `key` if this is an object that has it
    pub fn get(&self, key: &str) -> Option<&JsonValue> {
        match self {
            JsonValue::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar as IAM compares it: strings as they are, numbers as
    /// written, booleans as `true` / `false`
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            JsonValue::String(s) => Some(s.clone()),
            JsonValue::Number(n) => Some(n.to_string()),
            JsonValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Converts to a `serde_json::Value` (for printing)
    pub fn to_serde(&self) -> serde_json::Value {
        match self {
            JsonValue::Null => serde_json::Value::Null,
            JsonValue::Bool(b) => serde_json::Value::Bool(*b),
            JsonValue::Number(n) => serde_json::Value::Number(n.clone()),
            JsonValue::String(s) => serde_json::Value::String(s.clone()),
            JsonValue::Array(a) => {
                serde_json::Value::Array(a.iter().map(JsonValue::to_serde).collect())
            }
            JsonValue::Object(m) => {
                let mut map = serde_json::Map::new();
                for (k, v) in m {
                    map.insert(k.clone(), v.to_serde());
                }
                serde_json::Value::Object(map)
            }
        }
    }
}

impl<'de> Deserialize<'de> for JsonValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

impl Serialize for JsonValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonValue::Null => serializer.serialize_unit(),
            JsonValue::Bool(b) => serializer.serialize_bool(*b),
            JsonValue::Number(n) => n.serialize(serializer),
            JsonValue::String(s) => serializer.serialize_str(s),
            JsonValue::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            JsonValue::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl schemars::JsonSchema for JsonValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "JsonValue".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // Any JSON document (policy documents are validated by the policy parser).
        schemars::json_schema!(true)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = JsonValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<JsonValue, E> {
        Ok(JsonValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<JsonValue, E> {
        Ok(JsonValue::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<JsonValue, E> {
        Ok(JsonValue::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<JsonValue, E> {
        serde_json::Number::from_f64(v)
            .map(JsonValue::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<JsonValue, E> {
        Ok(JsonValue::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<JsonValue, E> {
        Ok(JsonValue::String(v))
    }
    fn visit_unit<E>(self) -> Result<JsonValue, E> {
        Ok(JsonValue::Null)
    }
    fn visit_none<E>(self) -> Result<JsonValue, E> {
        Ok(JsonValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<JsonValue, D::Error> {
        JsonValue::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonValue, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(JsonValue::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonValue, A::Error> {
        let mut out: Vec<(String, JsonValue)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            let value = map.next_value()?;
            out.push((key, value));
        }
        Ok(JsonValue::Object(out))
    }
}

/// Appends one reference token to a JSON pointer (RFC 6901 escaping)
pub fn pointer_push(base: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_key_is_rejected_with_position() {
        let err = JsonValue::parse("{\"Effect\": \"Allow\",\n \"Effect\": \"Deny\"}").unwrap_err();
        assert_eq!(err.to_string(), "duplicate key `Effect` at line 2 column 9");
    }

    #[test]
    fn keeps_key_order_and_number_text() {
        let v = JsonValue::parse(r#"{"b": 1.50, "a": [true, null]}"#).unwrap();
        let JsonValue::Object(m) = &v else {
            panic!("object expected")
        };
        assert_eq!(m[0].0, "b");
        assert_eq!(m[1].0, "a");
        assert_eq!(v.get("b").unwrap().scalar_text().unwrap(), "1.5");
    }

    #[test]
    fn pointer_escapes_slash_and_tilde() {
        assert_eq!(
            pointer_push("/Condition", "aws:PrincipalTag/a~b"),
            "/Condition/aws:PrincipalTag~1a~0b"
        );
    }
}

/// A JSON pointer built lazily: a chain of references on the stack that is
/// turned into text only when an error needs it (reading a large file must
/// not format a pointer for every value it visits)
#[derive(Debug, Clone, Copy)]
pub struct Ptr<'a> {
    parent: Option<&'a Ptr<'a>>,
    token: Token<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Token<'a> {
    Root(&'a str),
    Key(&'a str),
    Index(usize),
}

impl<'a> Ptr<'a> {
    /// A pointer starting at `base` (itself a rendered pointer, may be empty)
    pub fn root(base: &'a str) -> Ptr<'a> {
        Ptr {
            parent: None,
            token: Token::Root(base),
        }
    }

    /// The member `key` of this value
    pub fn key(&'a self, key: &'a str) -> Ptr<'a> {
        Ptr {
            parent: Some(self),
            token: Token::Key(key),
        }
    }

    /// The element `index` of this value
    pub fn index(&'a self, index: usize) -> Ptr<'a> {
        Ptr {
            parent: Some(self),
            token: Token::Index(index),
        }
    }

    /// The pointer as RFC 6901 text
    pub fn render(&self) -> String {
        let mut s = match self.parent {
            Some(p) => p.render(),
            None => String::new(),
        };
        match self.token {
            Token::Root(base) => s.push_str(base),
            Token::Key(k) => s = pointer_push(&s, k),
            Token::Index(i) => s = pointer_push(&s, &i.to_string()),
        }
        s
    }
}
