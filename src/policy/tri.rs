//! This module holds three-valued results: true, false, or a residual
//! condition over keys the question left unknown. Part of the policy
//! language, like [`super::context`]; `eval::tri` re-exports it. No IO here.
//!
//! Concrete evaluation never builds a residual, so `Tri::True` / `Tri::False`
//! cost nothing; the same code answers open questions (who-can) by keeping
//! what it could not decide.

use std::fmt;
use std::sync::Arc;

use crate::policy::condition::Condition;
use crate::policy::context::Context;
use crate::policy::ResourceBlock;

/// A three-valued result
#[derive(Debug, Clone, PartialEq)]
pub enum Tri {
    /// Holds
    True,
    /// Does not hold
    False,
    /// Holds exactly when the residual holds
    Residual(Residual),
}

/// A condition left over by three-valued evaluation
#[derive(Debug, Clone, PartialEq)]
pub enum Residual {
    /// One policy condition, with the values the question knew substituted
    Cond(Arc<Atom>),
    /// A resource element whose variables the question did not fix
    Resource(Arc<ResourceAtom>),
    /// All of these
    And(Vec<Residual>),
    /// Any of these
    Or(Vec<Residual>),
    /// Not this
    Not(Box<Residual>),
}

/// One undecided policy condition
#[derive(Debug, Clone, PartialEq)]
pub struct Atom {
    /// The condition as compiled (shared with its statement)
    pub condition: Arc<Condition>,
    /// Its values with the known policy variables substituted
    pub shown_values: Vec<String>,
}

/// A `Resource` / `NotResource` element whose policy variables are unknown
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceAtom {
    /// The element
    pub block: ResourceBlock,
    /// The request's resource
    pub resource: String,
    /// The patterns with the known variables substituted
    pub shown: Vec<String>,
}

impl From<bool> for Tri {
    #[inline]
    fn from(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}

impl Tri {
    /// A residual for a condition that depends on an unknown key
    pub fn residual_condition(c: &Arc<Condition>, ctx: &Context) -> Tri {
        Tri::Residual(Residual::Cond(Arc::new(Atom {
            condition: c.clone(),
            shown_values: c.render_values(ctx),
        })))
    }

    /// Whether this is `True`
    #[inline]
    pub fn is_true(&self) -> bool {
        matches!(self, Tri::True)
    }

    /// Whether this is `False`
    #[inline]
    pub fn is_false(&self) -> bool {
        matches!(self, Tri::False)
    }

    /// Conjunction
    #[inline]
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, x) | (x, Tri::True) => x,
            (Tri::Residual(a), Tri::Residual(b)) => Tri::Residual(join(a, b, true)),
        }
    }

    /// Disjunction
    #[inline]
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, x) | (x, Tri::False) => x,
            (Tri::Residual(a), Tri::Residual(b)) => Tri::Residual(join(a, b, false)),
        }
    }

    /// Negation
    #[inline]
    pub fn negate(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Residual(Residual::Not(inner)) => Tri::Residual(*inner),
            Tri::Residual(r) => Tri::Residual(Residual::Not(Box::new(r))),
        }
    }

    /// Disjunction of many
    #[inline]
    pub fn any<I: IntoIterator<Item = Tri>>(items: I) -> Tri {
        let mut acc = Tri::False;
        for t in items {
            acc = acc.or(t);
            if acc.is_true() {
                return Tri::True;
            }
        }
        acc
    }

    /// Conjunction of many
    #[inline]
    pub fn all<I: IntoIterator<Item = Tri>>(items: I) -> Tri {
        let mut acc = Tri::True;
        for t in items {
            acc = acc.and(t);
            if acc.is_false() {
                return Tri::False;
            }
        }
        acc
    }
}

fn join(a: Residual, b: Residual, and: bool) -> Residual {
    let mut items = Vec::new();
    for r in [a, b] {
        match (r, and) {
            (Residual::And(v), true) | (Residual::Or(v), false) => items.extend(v),
            (r, _) => {
                if !items.contains(&r) {
                    items.push(r);
                }
            }
        }
    }
    if and {
        Residual::And(items)
    } else {
        Residual::Or(items)
    }
}

impl Residual {
    /// Evaluates the residual under a (more complete) context
    pub fn eval(&self, ctx: &Context) -> Tri {
        match self {
            Residual::Cond(atom) => atom.condition.eval(ctx),
            Residual::Resource(atom) => atom.block.eval_text(&atom.resource, ctx),
            Residual::And(items) => Tri::all(items.iter().map(|r| r.eval(ctx))),
            Residual::Or(items) => Tri::any(items.iter().map(|r| r.eval(ctx))),
            Residual::Not(inner) => inner.eval(ctx).negate(),
        }
    }

    /// The distinct condition keys the residual depends on, as written:
    /// the conditions' keys and the keys of the policy variables in them
    pub fn keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_keys(&mut out);
        out
    }

    fn collect_keys(&self, out: &mut Vec<String>) {
        match self {
            Residual::Cond(a) => {
                // The condition's key and the keys of the variables in its values.
                for k in std::iter::once(a.condition.key.clone()).chain(a.condition.variable_keys())
                {
                    if !out.iter().any(|o| o.eq_ignore_ascii_case(&k)) {
                        out.push(k);
                    }
                }
            }
            Residual::Resource(a) => {
                for k in a.block.variable_keys() {
                    if !out.iter().any(|o| o.eq_ignore_ascii_case(&k)) {
                        out.push(k);
                    }
                }
            }
            Residual::And(v) | Residual::Or(v) => v.iter().for_each(|r| r.collect_keys(out)),
            Residual::Not(r) => r.collect_keys(out),
        }
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.condition;
        let values = if self.shown_values.len() == 1 {
            format!("\"{}\"", self.shown_values[0])
        } else {
            format!(
                "[{}]",
                self.shown_values
                    .iter()
                    .map(|v| format!("\"{v}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let op = c.operator;
        if op.set.is_none()
            && !op.if_exists
            && op.base == crate::policy::condition::BaseOp::StringEquals
        {
            let sym = if op.negated { "!=" } else { "=" };
            if self.shown_values.len() == 1 {
                return write!(f, "{} {sym} {values}", c.key);
            }
            let word = if op.negated { "not in" } else { "in" };
            return write!(f, "{} {word} {values}", c.key);
        }
        if op.base == crate::policy::condition::BaseOp::Bool
            && op.set.is_none()
            && self.shown_values.len() == 1
        {
            let sym = if op.if_exists { "= (if present)" } else { "=" };
            return write!(f, "{} {sym} {}", c.key, self.shown_values[0]);
        }
        write!(f, "{}({}, {values})", c.operator_text, c.key)
    }
}

impl fmt::Display for Residual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Residual::Cond(a) => write!(f, "{a}"),
            Residual::Resource(a) => {
                let word = if a.block.negated {
                    "NotResource"
                } else {
                    "Resource"
                };
                write!(f, "{word} [{}] matches {}", a.shown.join(", "), a.resource)
            }
            Residual::And(items) | Residual::Or(items) => {
                let sep = if matches!(self, Residual::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                for (i, r) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    if matches!(r, Residual::And(_) | Residual::Or(_)) {
                        write!(f, "({r})")?;
                    } else {
                        write!(f, "{r}")?;
                    }
                }
                Ok(())
            }
            Residual::Not(r) => match &**r {
                // Display only: NOT (k != v) reads as k = v. (For a
                // multivalued key the two differ; evaluation stays exact.)
                Residual::Cond(a)
                    if a.condition.operator.negated
                        && a.condition.operator.set.is_none()
                        && !a.condition.operator.if_exists
                        && a.condition.operator.base
                            == crate::policy::condition::BaseOp::StringEquals =>
                {
                    let values: Vec<String> =
                        a.shown_values.iter().map(|v| format!("\"{v}\"")).collect();
                    if values.len() == 1 {
                        write!(f, "{} = {}", a.condition.key, values[0])
                    } else {
                        write!(f, "{} in [{}]", a.condition.key, values.join(", "))
                    }
                }
                Residual::Cond(_) => write!(f, "NOT {r}"),
                _ => write!(f, "NOT ({r})"),
            },
        }
    }
}
