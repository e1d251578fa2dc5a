//! This module compiles and evaluates the `Condition` element: every operator
//! family, `...IfExists`, `ForAllValues:` / `ForAnyValue:`, policy variables,
//! and three-valued results for keys the question leaves unknown. No IO here.
//!
//! The rules (see `aws-semantics.md` section 3):
//! - keys are matched case-insensitively, values per operator;
//! - several values under a positive operator are OR, under a negated one NOR;
//! - a missing key makes a positive operator false and a negated one true;
//!   `...IfExists` makes it true;
//! - `ForAllValues:` is true on a missing key or an empty set, `ForAnyValue:`
//!   false;
//! - a plain operator on a multivalued key never matches (observed, AWS
//!   re:Inforce 2025 IAM431; the documentation is silent);
//! - a request value that cannot be read as the operator's type (a number, a
//!   date, an IP address, an ARN) makes the condition false, negated or not
//!   (unverified: AWS does not document it).

use std::net::IpAddr;

use base64::Engine as _;
use ipnet::IpNet;

use crate::policy::arn::{ArnPattern, ArnSegments, ShortArns};
use crate::policy::context::{Context, CtxValue, Lookup};
use crate::policy::glob::{self, Glob, Piece, PieceRef};
use crate::policy::template::{Resolved, Template};
use crate::policy::tri::Tri;

/// The operator family, with negation folded out
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseOp {
    /// `StringEquals` / `StringNotEquals`
    StringEquals,
    /// `StringEqualsIgnoreCase` / `StringNotEqualsIgnoreCase`
    StringEqualsIgnoreCase,
    /// `StringLike` / `StringNotLike`
    StringLike,
    /// `NumericEquals` / `NumericNotEquals`
    NumericEquals,
    /// `NumericLessThan`
    NumericLessThan,
    /// `NumericLessThanEquals`
    NumericLessThanEquals,
    /// `NumericGreaterThan`
    NumericGreaterThan,
    /// `NumericGreaterThanEquals`
    NumericGreaterThanEquals,
    /// `DateEquals` / `DateNotEquals`
    DateEquals,
    /// `DateLessThan`
    DateLessThan,
    /// `DateLessThanEquals`
    DateLessThanEquals,
    /// `DateGreaterThan`
    DateGreaterThan,
    /// `DateGreaterThanEquals`
    DateGreaterThanEquals,
    /// `Bool`
    Bool,
    /// `BinaryEquals`
    BinaryEquals,
    /// `IpAddress` / `NotIpAddress`
    IpAddress,
    /// `ArnEquals` / `ArnLike` / `ArnNotEquals` / `ArnNotLike` (Equals and Like are the same)
    ArnLike,
    /// `Null`
    Null,
}

/// A set operator prefix
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    /// `ForAllValues:`
    ForAllValues,
    /// `ForAnyValue:`
    ForAnyValue,
}

/// A parsed condition operator
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    /// The family
    pub base: BaseOp,
    /// `Not` form
    pub negated: bool,
    /// `...IfExists`
    pub if_exists: bool,
    /// `ForAllValues:` / `ForAnyValue:`
    pub set: Option<SetOp>,
}

const BASE_NAMES: &[(&str, BaseOp, bool)] = &[
    ("StringEquals", BaseOp::StringEquals, false),
    ("StringNotEquals", BaseOp::StringEquals, true),
    (
        "StringEqualsIgnoreCase",
        BaseOp::StringEqualsIgnoreCase,
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        BaseOp::StringEqualsIgnoreCase,
        true,
    ),
    ("StringLike", BaseOp::StringLike, false),
    ("StringNotLike", BaseOp::StringLike, true),
    ("NumericEquals", BaseOp::NumericEquals, false),
    ("NumericNotEquals", BaseOp::NumericEquals, true),
    ("NumericLessThan", BaseOp::NumericLessThan, false),
    (
        "NumericLessThanEquals",
        BaseOp::NumericLessThanEquals,
        false,
    ),
    ("NumericGreaterThan", BaseOp::NumericGreaterThan, false),
    (
        "NumericGreaterThanEquals",
        BaseOp::NumericGreaterThanEquals,
        false,
    ),
    ("DateEquals", BaseOp::DateEquals, false),
    ("DateNotEquals", BaseOp::DateEquals, true),
    ("DateLessThan", BaseOp::DateLessThan, false),
    ("DateLessThanEquals", BaseOp::DateLessThanEquals, false),
    ("DateGreaterThan", BaseOp::DateGreaterThan, false),
    (
        "DateGreaterThanEquals",
        BaseOp::DateGreaterThanEquals,
        false,
    ),
    ("Bool", BaseOp::Bool, false),
    ("BinaryEquals", BaseOp::BinaryEquals, false),
    ("IpAddress", BaseOp::IpAddress, false),
    ("NotIpAddress", BaseOp::IpAddress, true),
    ("ArnEquals", BaseOp::ArnLike, false),
    ("ArnLike", BaseOp::ArnLike, false),
    ("ArnNotEquals", BaseOp::ArnLike, true),
    ("ArnNotLike", BaseOp::ArnLike, true),
    ("Null", BaseOp::Null, false),
];

impl Operator {
    /// Parses an operator name such as `ForAnyValue:StringNotLikeIfExists`
    ///
    /// Operator names are matched case-insensitively (IAM stores what it
    /// accepted; being lenient here never changes a decision).
    pub fn parse(name: &str) -> Option<Operator> {
        let lower = name.to_ascii_lowercase();
        let (set, rest) = if let Some(r) = lower.strip_prefix("forallvalues:") {
            (Some(SetOp::ForAllValues), r)
        } else if let Some(r) = lower.strip_prefix("foranyvalue:") {
            (Some(SetOp::ForAnyValue), r)
        } else {
            (None, lower.as_str())
        };
        let (if_exists, rest) = match rest.strip_suffix("ifexists") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let &(_, base, negated) = BASE_NAMES
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(rest))?;
        // `Null` takes neither `IfExists` nor a set prefix.
        if base == BaseOp::Null && (if_exists || set.is_some()) {
            return None;
        }
        Some(Operator {
            base,
            negated,
            if_exists,
            set,
        })
    }

    fn allows_variables(self) -> bool {
        matches!(
            self.base,
            BaseOp::StringEquals
                | BaseOp::StringEqualsIgnoreCase
                | BaseOp::StringLike
                | BaseOp::ArnLike
                | BaseOp::Bool
        )
    }
}

/// A compiled condition value
#[derive(Debug, Clone, PartialEq)]
enum Value {
    /// String operators without variables
    Str(String),
    /// `StringLike` without variables
    Like(Glob),
    /// Any operator that allows variables, with at least one
    Template(Template),
    /// Numeric
    Num(f64),
    /// Date, as milliseconds since the epoch
    Date(i64),
    /// Bool
    Bool(bool),
    /// Binary
    Bytes(Vec<u8>),
    /// IP range
    Net(IpNet),
    /// ARN pattern without variables
    Arn(ArnPattern),
    /// Null's `true`/`false`
    Null(bool),
}

/// One `operator: { key: values }` entry, compiled
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator as written
    pub operator_text: String,
    /// The parsed operator
    pub operator: Operator,
    /// The key as written
    pub key: String,
    key_lc: String,
    /// The values as written (numbers and booleans as text)
    pub values: Vec<String>,
    compiled: Vec<Value>,
}

/// Why a condition value was refused
pub type ValueError = (String, String);

impl Condition {
    /// Compiles one condition; `variables` is whether policy variables are
    /// recognised (policy Version 2012-10-17)
    ///
    /// # Errors
    /// The offending value and the reason, when a value cannot be read as the
    /// operator's type.
    pub fn new(
        operator_text: &str,
        operator: Operator,
        key: &str,
        values: Vec<String>,
        variables: bool,
    ) -> Result<Condition, ValueError> {
        let mut compiled = Vec::with_capacity(values.len());
        for v in &values {
            compiled
                .push(compile_value(operator, v, variables).map_err(|reason| (v.clone(), reason))?);
        }
        Ok(Condition {
            operator_text: operator_text.to_owned(),
            operator,
            key: key.to_owned(),
            key_lc: key.to_lowercase(),
            values,
            compiled,
        })
    }

    /// The key, lower-cased
    pub fn key_lc(&self) -> &str {
        &self.key_lc
    }

    /// Evaluates against `ctx`: true, false, or residual when the key (or a
    /// variable in a value) is unknown
    pub fn eval(self: &std::sync::Arc<Self>, ctx: &Context) -> Tri {
        match self.eval_known(ctx) {
            Some(b) => Tri::from(b),
            None => Tri::residual_condition(self, ctx),
        }
    }

    /// `Some(result)`, or `None` when the answer depends on an unknown key
    pub fn eval_known(&self, ctx: &Context) -> Option<bool> {
        let op = self.operator;
        let value = match ctx.lookup(&self.key_lc) {
            // Even with the key unknown, a positive operator whose every value
            // names a variable that is known to be absent cannot match: this
            // is the ABAC case of a user without the attribute.
            Lookup::Unknown => {
                let all_unresolved = !self.compiled.is_empty()
                    && self.compiled.iter().all(|c| {
                        matches!(c, Value::Template(t) if t.resolve_into(ctx, false, &mut Vec::new()) == Resolved::Unresolved)
                    });
                let positive = !op.negated && !op.if_exists && op.set != Some(SetOp::ForAllValues);
                return (all_unresolved && positive && op.base != BaseOp::Null).then_some(false);
            }
            Lookup::Absent => None,
            Lookup::Value(v) => Some(v),
        };
        if op.base == BaseOp::Null {
            let absent = value.is_none_or(|v| v.values.is_empty());
            return Some(
                self.compiled
                    .iter()
                    .any(|c| matches!(c, Value::Null(want) if *want == absent)),
            );
        }
        let Some(value) = value else {
            return Some(match op.set {
                Some(SetOp::ForAllValues) => true,
                Some(SetOp::ForAnyValue) => op.if_exists,
                None => op.if_exists || op.negated,
            });
        };
        match op.set {
            None => {
                if value.multi {
                    return Some(false);
                }
                match value.values.first() {
                    Some(v) => self.test(v, ctx),
                    None => Some(false),
                }
            }
            Some(SetOp::ForAllValues) => {
                for v in &value.values {
                    if !self.test(v, ctx)? {
                        return Some(false);
                    }
                }
                Some(true)
            }
            Some(SetOp::ForAnyValue) => {
                let mut unknown = false;
                for v in &value.values {
                    match self.test(v, ctx) {
                        Some(true) => return Some(true),
                        Some(false) => {}
                        None => unknown = true,
                    }
                }
                if unknown {
                    None
                } else {
                    Some(false)
                }
            }
        }
    }

    /// Whether one request value satisfies the operator against the policy
    /// values (OR, or NOR when negated); `None` if a variable is unknown
    fn test(&self, req: &str, ctx: &Context) -> Option<bool> {
        let op = self.operator;
        let typed = match TypedReq::read(op.base, req) {
            Some(t) => t,
            None => return Some(false),
        };
        let mut any = false;
        let mut unknown = false;
        for c in &self.compiled {
            match value_matches(op.base, c, req, &typed, ctx) {
                Some(true) => {
                    any = true;
                    break;
                }
                Some(false) => {}
                None => unknown = true,
            }
        }
        if !any && unknown {
            return None;
        }
        Some(any != op.negated)
    }

    /// The keys of the policy variables in the values (`${aws:PrincipalTag/team}`)
    pub fn variable_keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.compiled {
            if let Value::Template(t) = c {
                for p in t.parts() {
                    if let crate::policy::template::Part::Var { key, .. } = p {
                        out.push(key.clone());
                    }
                }
            }
        }
        out
    }

    /// The values with known variables substituted, for showing a residual
    pub fn render_values(&self, ctx: &Context) -> Vec<String> {
        self.compiled
            .iter()
            .zip(&self.values)
            .map(|(c, raw)| match c {
                Value::Template(t) => t.render_partial(ctx),
                _ => raw.clone(),
            })
            .collect()
    }
}

/// The request value read as the operator's type
enum TypedReq {
    Text,
    Num(f64),
    Date(i64),
    Bool(bool),
    Ip(IpAddr),
    Arn(ArnSegments),
    Bytes(Vec<u8>),
}

impl TypedReq {
    fn read(base: BaseOp, req: &str) -> Option<TypedReq> {
        Some(match base {
            BaseOp::StringEquals
            | BaseOp::StringEqualsIgnoreCase
            | BaseOp::StringLike
            | BaseOp::Null => TypedReq::Text,
            BaseOp::NumericEquals
            | BaseOp::NumericLessThan
            | BaseOp::NumericLessThanEquals
            | BaseOp::NumericGreaterThan
            | BaseOp::NumericGreaterThanEquals => TypedReq::Num(parse_number(req)?),
            BaseOp::DateEquals
            | BaseOp::DateLessThan
            | BaseOp::DateLessThanEquals
            | BaseOp::DateGreaterThan
            | BaseOp::DateGreaterThanEquals => TypedReq::Date(parse_date(req)?),
            BaseOp::Bool => TypedReq::Bool(parse_bool(req)?),
            BaseOp::IpAddress => TypedReq::Ip(req.trim().parse().ok()?),
            BaseOp::ArnLike => TypedReq::Arn(ArnSegments::split(req)?),
            BaseOp::BinaryEquals => TypedReq::Bytes(
                base64::engine::general_purpose::STANDARD
                    .decode(req)
                    .unwrap_or_else(|_| req.as_bytes().to_vec()),
            ),
        })
    }
}

fn value_matches(
    base: BaseOp,
    c: &Value,
    req: &str,
    typed: &TypedReq,
    ctx: &Context,
) -> Option<bool> {
    Some(match (c, typed) {
        (Value::Str(s), _) => match base {
            BaseOp::StringEqualsIgnoreCase => eq_ignore_case(s, req),
            _ => s == req,
        },
        (Value::Like(g), _) => g.is_match(req),
        (Value::Template(t), _) => {
            let wildcards = matches!(base, BaseOp::StringLike | BaseOp::ArnLike);
            let mut pieces = Vec::with_capacity(4);
            match t.resolve_into(ctx, wildcards, &mut pieces) {
                Resolved::Value(_) => {}
                Resolved::Unresolved => return Some(false),
                Resolved::Unknown => return None,
            }
            match (base, typed) {
                (BaseOp::StringLike, _) => glob::matches_pieces(&pieces, req),
                (BaseOp::ArnLike, TypedReq::Arn(segs)) => {
                    let owned = pieces.iter().map(|p| match p {
                        PieceRef::Lit(l) => Piece::Lit((*l).to_owned()),
                        PieceRef::Star => Piece::Star,
                        PieceRef::One => Piece::One,
                    });
                    ArnPattern::from_pieces(owned.collect(), ShortArns::Strict)
                        .is_match(req, Some(segs))
                }
                (BaseOp::Bool, TypedReq::Bool(b)) => {
                    glob::equals_concat(&pieces, "true", true) && *b
                        || glob::equals_concat(&pieces, "false", true) && !*b
                }
                (BaseOp::StringEqualsIgnoreCase, _) if req.is_ascii() => {
                    glob::equals_concat(&pieces, req, true)
                }
                (BaseOp::StringEqualsIgnoreCase, _) => eq_ignore_case(&pieces_text(&pieces), req),
                _ => glob::equals_concat(&pieces, req, false),
            }
        }
        (Value::Num(p), TypedReq::Num(r)) => match base {
            BaseOp::NumericEquals => r == p,
            BaseOp::NumericLessThan => r < p,
            BaseOp::NumericLessThanEquals => r <= p,
            BaseOp::NumericGreaterThan => r > p,
            BaseOp::NumericGreaterThanEquals => r >= p,
            _ => false,
        },
        (Value::Date(p), TypedReq::Date(r)) => match base {
            BaseOp::DateEquals => r == p,
            BaseOp::DateLessThan => r < p,
            BaseOp::DateLessThanEquals => r <= p,
            BaseOp::DateGreaterThan => r > p,
            BaseOp::DateGreaterThanEquals => r >= p,
            _ => false,
        },
        (Value::Bool(p), TypedReq::Bool(r)) => p == r,
        (Value::Bytes(p), TypedReq::Bytes(r)) => p == r,
        (Value::Net(n), TypedReq::Ip(ip)) => n.contains(ip),
        (Value::Arn(a), TypedReq::Arn(segs)) => a.is_match(req, Some(segs)),
        _ => false,
    })
}

fn pieces_text(pieces: &[PieceRef<'_>]) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            PieceRef::Lit(l) => s.push_str(l),
            PieceRef::Star => s.push('*'),
            PieceRef::One => s.push('?'),
        }
    }
    s
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

fn compile_value(op: Operator, raw: &str, variables: bool) -> Result<Value, String> {
    if variables && op.allows_variables() {
        let t = Template::parse(raw, true);
        if t.as_plain().is_none() {
            if op.base == BaseOp::Bool && !t.has_vars() {
                return Err("expected `true` or `false`".into());
            }
            return Ok(Value::Template(t));
        }
    }
    Ok(match op.base {
        BaseOp::StringEquals => Value::Str(raw.to_owned()),
        BaseOp::StringEqualsIgnoreCase => Value::Str(raw.to_owned()),
        BaseOp::StringLike => Value::Like(Glob::new(raw)),
        BaseOp::NumericEquals
        | BaseOp::NumericLessThan
        | BaseOp::NumericLessThanEquals
        | BaseOp::NumericGreaterThan
        | BaseOp::NumericGreaterThanEquals => {
            Value::Num(parse_number(raw).ok_or_else(|| "expected a number".to_owned())?)
        }
        BaseOp::DateEquals
        | BaseOp::DateLessThan
        | BaseOp::DateLessThanEquals
        | BaseOp::DateGreaterThan
        | BaseOp::DateGreaterThanEquals => Value::Date(
            parse_date(raw)
                .ok_or_else(|| "expected an ISO 8601 date or epoch seconds".to_owned())?,
        ),
        BaseOp::Bool => {
            Value::Bool(parse_bool(raw).ok_or_else(|| "expected `true` or `false`".to_owned())?)
        }
        BaseOp::BinaryEquals => Value::Bytes(
            base64::engine::general_purpose::STANDARD
                .decode(raw)
                .map_err(|e| format!("expected base64: {e}"))?,
        ),
        BaseOp::IpAddress => Value::Net(
            parse_net(raw).ok_or_else(|| "expected an IPv4 or IPv6 address or CIDR".to_owned())?,
        ),
        BaseOp::ArnLike => {
            if raw != "*" && !raw.starts_with("arn:") {
                return Err("expected an ARN pattern starting with `arn:`".into());
            }
            Value::Arn(ArnPattern::new(raw, ShortArns::Strict))
        }
        BaseOp::Null => {
            Value::Null(parse_bool(raw).ok_or_else(|| "expected `true` or `false`".to_owned())?)
        }
    })
}

/// Reads `true` / `false` in any case
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Reads an integer or decimal number
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Reads a date: epoch seconds (integer or decimal) or W3C ISO 8601
/// (`2020-01-01`, `2020-01-01T00:00:01Z`, with fractions and offsets);
/// returns milliseconds since the epoch
pub fn parse_date(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(secs) = parse_number(t) {
        if !t.contains(['e', 'E']) {
            return Some((secs * 1000.0).round() as i64);
        }
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.fZ",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%MZ",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(ndt) = chrono::NaiveDateTime::parse_from_str(t, fmt) {
            return Some(ndt.and_utc().timestamp_millis());
        }
    }
    if let Ok(dt) = chrono::DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(dt.timestamp_millis());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|dt| dt.and_utc().timestamp_millis());
    }
    None
}

fn parse_net(s: &str) -> Option<IpNet> {
    let t = s.trim();
    if let Ok(n) = t.parse::<IpNet>() {
        return Some(n);
    }
    t.parse::<IpAddr>().ok().map(IpNet::from)
}

/// Helper for tests and the residual renderer: a context value as shown to people
pub fn show_ctx_value(v: &CtxValue) -> String {
    if v.multi {
        format!(
            "[{}]",
            v.values
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        v.values
            .first()
            .map(|s| format!("\"{s}\""))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_operator_forms() {
        let op = Operator::parse("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(
            op,
            Operator {
                base: BaseOp::StringLike,
                negated: true,
                if_exists: true,
                set: Some(SetOp::ForAnyValue)
            }
        );
        assert_eq!(Operator::parse("ArnEquals").unwrap().base, BaseOp::ArnLike);
        assert!(Operator::parse("StringEqualz").is_none());
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("ForAllValues:Null").is_none());
        assert!(Operator::parse("stringequals").is_some());
    }

    #[test]
    fn reads_dates() {
        assert_eq!(parse_date("2020-01-01"), Some(1_577_836_800_000));
        assert_eq!(parse_date("2020-01-01T00:00:01Z"), Some(1_577_836_801_000));
        assert_eq!(
            parse_date("2020-01-01T01:00:01+01:00"),
            Some(1_577_836_801_000)
        );
        assert_eq!(parse_date("1577836801"), Some(1_577_836_801_000));
        assert_eq!(
            parse_date("2020-01-01T00:00:01.500Z"),
            Some(1_577_836_801_500)
        );
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn reads_numbers_and_nets() {
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_net("10.0.0.1").unwrap().to_string(), "10.0.0.1/32");
        assert_eq!(
            parse_net("2001:db8::/32").unwrap().to_string(),
            "2001:db8::/32"
        );
    }
}
