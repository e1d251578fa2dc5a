//! This module prints a policy back to canonical JSON: every list an array,
//! `Statement` an array, condition values as strings. No IO here.

use serde_json::{json, Map, Value};

use super::{Policy, Statement, Version};

pub(super) fn policy_to_json(p: &Policy) -> Value {
    let mut doc = Map::new();
    match p.version {
        Version::V2012 => {
            doc.insert("Version".into(), json!("2012-10-17"));
        }
        Version::V2008 => {
            doc.insert("Version".into(), json!("2008-10-17"));
        }
        Version::Missing => {}
    }
    if let Some(id) = &p.id {
        doc.insert("Id".into(), json!(id));
    }
    doc.insert(
        "Statement".into(),
        Value::Array(p.statements.iter().map(statement_to_json).collect()),
    );
    Value::Object(doc)
}

fn statement_to_json(s: &Statement) -> Value {
    let mut m = Map::new();
    if let Some(sid) = &s.sid {
        m.insert("Sid".into(), json!(sid));
    }
    m.insert("Effect".into(), json!(s.effect.as_str()));
    if let Some(p) = &s.principal {
        let key = if p.negated {
            "NotPrincipal"
        } else {
            "Principal"
        };
        let v = if p.star {
            json!("*")
        } else {
            Value::Object(
                p.by_type
                    .iter()
                    .map(|(t, vs)| (t.clone(), json!(vs)))
                    .collect(),
            )
        };
        m.insert(key.into(), v);
    }
    let key = if s.action.negated {
        "NotAction"
    } else {
        "Action"
    };
    m.insert(key.into(), json!(s.action.patterns));
    if let Some(r) = &s.resource {
        let key = if r.negated { "NotResource" } else { "Resource" };
        m.insert(key.into(), json!(r.patterns));
    }
    if !s.conditions.is_empty() {
        let mut ops: Vec<(String, Map<String, Value>)> = Vec::new();
        for c in &s.conditions {
            match ops.iter_mut().find(|(o, _)| *o == c.operator_text) {
                Some((_, keys)) => {
                    keys.insert(c.key.clone(), json!(c.values));
                }
                None => {
                    let mut keys = Map::new();
                    keys.insert(c.key.clone(), json!(c.values));
                    ops.push((c.operator_text.clone(), keys));
                }
            }
        }
        m.insert(
            "Condition".into(),
            Value::Object(
                ops.into_iter()
                    .map(|(o, k)| (o, Value::Object(k)))
                    .collect(),
            ),
        );
    }
    Value::Object(m)
}
