//! This module holds the request context: the condition keys a request
//! carries, and for three-valued evaluation which keys are unknown. It is
//! part of the policy language (conditions are read against it, as Cedar's
//! `ast` holds its request types), so `policy` does not depend on `eval`;
//! `eval::context` re-exports it. No IO here.

// Contexts are small maps of short keys looked up on every condition: FxHash
// (rustc's hasher) is several times cheaper than SipHash there, and the keys
// are not attacker-chosen in a way that matters for a local analysis tool.
use rustc_hash::FxHashMap as HashMap;

/// The value of one context key
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtxValue {
    /// The values, as text (numbers and booleans as written)
    pub values: Vec<String>,
    /// Whether the key is multivalued (given as an array), even with one value
    pub multi: bool,
}

impl CtxValue {
    /// A single-valued key
    pub fn single(v: impl Into<String>) -> CtxValue {
        CtxValue {
            values: vec![v.into()],
            multi: false,
        }
    }

    /// A multivalued key
    pub fn multi<I: IntoIterator<Item = S>, S: Into<String>>(vs: I) -> CtxValue {
        CtxValue {
            values: vs.into_iter().map(Into::into).collect(),
            multi: true,
        }
    }
}

/// What the context says of one key
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The key is present with this value
    Value(&'a CtxValue),
    /// The key is known to be absent
    Absent,
    /// Nothing is known of the key
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Value(CtxValue),
    Absent,
    Unknown,
}

/// What a key that the context does not mention means
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Absent: a concrete request (the case format)
    Absent,
    /// Unknown: an open question (who-can)
    Unknown,
}

/// The condition keys of a request
///
/// Key names are matched case-insensitively (the tag-key part of
/// `aws:PrincipalTag/<k>` included), values are kept as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    entries: HashMap<String, Entry>,
    missing: Missing,
    // Lower-cased key prefixes whose missing keys are absent even when
    // `missing` is Unknown (e.g. `aws:principaltag/` once the user's tags are known).
    absent_prefixes: Vec<String>,
}

impl Default for Context {
    fn default() -> Self {
        Context::closed()
    }
}

impl Context {
    /// A concrete request: every key not set is absent
    pub fn closed() -> Context {
        Context {
            entries: HashMap::default(),
            missing: Missing::Absent,
            absent_prefixes: Vec::new(),
        }
    }

    /// An open question: every key not set is unknown
    pub fn open() -> Context {
        Context {
            missing: Missing::Unknown,
            ..Context::closed()
        }
    }

    /// Sets a key's value (replacing any earlier one of the same name in any case)
    pub fn set(&mut self, key: &str, value: CtxValue) {
        self.entries.insert(key.to_lowercase(), Entry::Value(value));
    }

    /// Forgets a key: it is then what `missing` says (absent or unknown)
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(&key.to_lowercase());
    }

    /// Marks a key as known to be absent
    pub fn set_absent(&mut self, key: &str) {
        self.entries.insert(key.to_lowercase(), Entry::Absent);
    }

    /// Marks a key as unknown
    pub fn set_unknown(&mut self, key: &str) {
        self.entries.insert(key.to_lowercase(), Entry::Unknown);
    }

    /// In an open context, makes every missing key starting with `prefix`
    /// (case-insensitive) absent rather than unknown
    pub fn absent_prefix(&mut self, prefix: &str) {
        self.absent_prefixes.push(prefix.to_lowercase());
    }

    /// Whether a key is set (as a value, absent or unknown)
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(&key.to_lowercase())
    }

    /// Looks a key up; `key_lc` must already be lower-cased
    pub fn lookup(&self, key_lc: &str) -> Lookup<'_> {
        match self.entries.get(key_lc) {
            Some(Entry::Value(v)) => Lookup::Value(v),
            Some(Entry::Absent) => Lookup::Absent,
            Some(Entry::Unknown) => Lookup::Unknown,
            None => match self.missing {
                Missing::Absent => Lookup::Absent,
                Missing::Unknown
                    if self
                        .absent_prefixes
                        .iter()
                        .any(|p| key_lc.starts_with(p.as_str())) =>
                {
                    Lookup::Absent
                }
                Missing::Unknown => Lookup::Unknown,
            },
        }
    }

    /// The keys set with a value, lower-cased, with their values, in no order
    pub fn values(&self) -> impl Iterator<Item = (&str, &CtxValue)> {
        self.entries.iter().filter_map(|(k, e)| match e {
            Entry::Value(v) => Some((k.as_str(), v)),
            _ => None,
        })
    }

    /// Whether any key could be unknown
    pub fn has_unknowns(&self) -> bool {
        self.missing == Missing::Unknown || self.entries.values().any(|e| *e == Entry::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_are_case_insensitive() {
        let mut c = Context::closed();
        c.set("aws:PrincipalTag/Team", CtxValue::single("Red"));
        assert_eq!(
            c.lookup("aws:principaltag/team"),
            Lookup::Value(&CtxValue::single("Red"))
        );
        assert_eq!(c.lookup("aws:sourceip"), Lookup::Absent);
    }

    #[test]
    fn open_context_with_absent_prefix() {
        let mut c = Context::open();
        c.absent_prefix("aws:PrincipalTag/");
        assert_eq!(c.lookup("aws:principaltag/x"), Lookup::Absent);
        assert_eq!(c.lookup("aws:resourcetag/x"), Lookup::Unknown);
        c.set_absent("aws:username");
        assert_eq!(c.lookup("aws:username"), Lookup::Absent);
    }
}
