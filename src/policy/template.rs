//! This module parses policy variables (`${aws:username}`,
//! `${aws:PrincipalTag/team, 'default'}`, the escapes `${*}`, `${?}`, `${$}`)
//! and substitutes them from a request context. No IO here.

use crate::policy::context::{Context, Lookup};
use crate::policy::glob::{Piece, PieceRef};

/// One part of a string that may hold policy variables
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text as written (wildcards in it keep their meaning)
    Text(String),
    /// An escape: a literal `*`, `?` or `$` that is never a wildcard
    Escaped(char),
    /// A variable
    Var {
        /// The key as written, e.g. `aws:PrincipalTag/team`
        key: String,
        /// The key lower-cased, for look-up
        key_lc: String,
        /// The default after `, '...'`, if any
        default: Option<String>,
    },
}

/// A string with policy variables
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// The outcome of substituting a template from a context
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Every variable had a value (or a default)
    Value(Vec<Piece>),
    /// A variable's key is absent and has no default: the value matches nothing
    Unresolved,
    /// A variable's key is unknown (three-valued evaluation)
    Unknown,
}

impl Template {
    /// Parses `text`; with `variables` false (policy Version other than
    /// 2012-10-17) the whole text is literal
    ///
    /// A `${` with no closing `}` stays literal text, as IAM treats it.
    pub fn parse(text: &str, variables: bool) -> Template {
        if !variables || !text.contains("${") {
            return Template {
                parts: vec![Part::Text(text.to_owned())],
            };
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start + 2..].find('}') else {
                break;
            };
            let inner = &rest[start + 2..start + 2 + len];
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_owned()));
            }
            parts.push(parse_var(inner));
            rest = &rest[start + 2 + len + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Template { parts }
    }

    /// Whether the template holds at least one variable
    pub fn has_vars(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var { .. }))
    }

    /// Whether the template is literal text with no escapes
    pub fn as_plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Text(t)] => Some(t),
            [] => Some(""),
            _ => None,
        }
    }

    /// The parts
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Substitutes from `ctx`; text parts are split into wildcard pieces when
    /// `wildcards` is true, substituted values are always literal
    pub fn resolve(&self, ctx: &Context, wildcards: bool) -> Resolved {
        let mut out = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            match part {
                Part::Text(t) if wildcards => out.extend(crate::policy::glob::split_pattern(t)),
                Part::Text(t) => out.push(Piece::Lit(t.clone())),
                Part::Escaped(c) => out.push(Piece::Lit(c.to_string())),
                Part::Var {
                    key_lc, default, ..
                } => match ctx.lookup(key_lc) {
                    // INVARIANT: a multivalued key cannot be a variable, so it
                    // counts as absent.
                    Lookup::Value(v) if !v.multi && v.values.len() == 1 => {
                        out.push(Piece::Lit(v.values[0].clone()));
                    }
                    Lookup::Unknown => return Resolved::Unknown,
                    _ => match default {
                        Some(d) => out.push(Piece::Lit(d.clone())),
                        None => return Resolved::Unresolved,
                    },
                },
            }
        }
        Resolved::Value(out)
    }

    /// Substitutes from `ctx` into borrowed pieces appended to `out`; text
    /// parts are split into wildcard pieces when `wildcards` is true,
    /// substituted values and escapes are always literal
    ///
    /// Returns `Resolved::Value(Vec::new())` on success (the pieces are in
    /// `out`), else why not.
    pub fn resolve_into<'a>(
        &'a self,
        ctx: &'a Context,
        wildcards: bool,
        out: &mut Vec<PieceRef<'a>>,
    ) -> Resolved {
        for part in &self.parts {
            match part {
                Part::Text(t) if wildcards => crate::policy::glob::split_pattern_into(t, out),
                Part::Text(t) => out.push(PieceRef::Lit(t)),
                Part::Escaped('*') => out.push(PieceRef::Lit("*")),
                Part::Escaped('?') => out.push(PieceRef::Lit("?")),
                Part::Escaped(_) => out.push(PieceRef::Lit("$")),
                Part::Var {
                    key_lc, default, ..
                } => match ctx.lookup(key_lc) {
                    Lookup::Value(v) if !v.multi && v.values.len() == 1 => {
                        out.push(PieceRef::Lit(&v.values[0]))
                    }
                    Lookup::Unknown => return Resolved::Unknown,
                    _ => match default {
                        Some(d) => out.push(PieceRef::Lit(d)),
                        None => return Resolved::Unresolved,
                    },
                },
            }
        }
        Resolved::Value(Vec::new())
    }

    /// Renders with the variables whose keys `ctx` knows substituted, the rest
    /// kept as `${key}` (for residual conditions)
    pub fn render_partial(&self, ctx: &Context) -> String {
        let mut s = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => s.push_str(t),
                Part::Escaped(c) => {
                    s.push_str("${");
                    s.push(*c);
                    s.push('}');
                }
                Part::Var {
                    key,
                    key_lc,
                    default,
                } => match ctx.lookup(key_lc) {
                    Lookup::Value(v) if !v.multi && v.values.len() == 1 => s.push_str(&v.values[0]),
                    Lookup::Unknown => {
                        s.push_str("${");
                        s.push_str(key);
                        if let Some(d) = default {
                            s.push_str(", '");
                            s.push_str(d);
                            s.push('\'');
                        }
                        s.push('}');
                    }
                    _ => match default {
                        Some(d) => s.push_str(d),
                        None => {
                            s.push_str("${");
                            s.push_str(key);
                            s.push('}');
                        }
                    },
                },
            }
        }
        s
    }
}

fn parse_var(inner: &str) -> Part {
    match inner {
        "*" => return Part::Escaped('*'),
        "?" => return Part::Escaped('?'),
        "$" => return Part::Escaped('$'),
        _ => {}
    }
    // `${key, 'default'}`: a comma, optional spaces, a single-quoted default.
    if let Some((key, rest)) = inner.split_once(',') {
        let rest = rest.trim();
        if rest.len() >= 2 && rest.starts_with('\'') && rest.ends_with('\'') {
            let key = key.trim().to_owned();
            return Part::Var {
                key_lc: key.to_lowercase(),
                key,
                default: Some(rest[1..rest.len() - 1].to_owned()),
            };
        }
    }
    let key = inner.trim().to_owned();
    Part::Var {
        key_lc: key.to_lowercase(),
        key,
        default: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_variables_defaults_and_escapes() {
        let t = Template::parse(
            "a${aws:username}b${aws:PrincipalTag/team, 'x y'}${*}${?}${$}",
            true,
        );
        assert_eq!(
            t.parts(),
            &[
                Part::Text("a".into()),
                Part::Var {
                    key: "aws:username".into(),
                    key_lc: "aws:username".into(),
                    default: None
                },
                Part::Text("b".into()),
                Part::Var {
                    key: "aws:PrincipalTag/team".into(),
                    key_lc: "aws:principaltag/team".into(),
                    default: Some("x y".into())
                },
                Part::Escaped('*'),
                Part::Escaped('?'),
                Part::Escaped('$'),
            ]
        );
    }

    #[test]
    fn version_2008_keeps_text_literal() {
        let t = Template::parse("home/${aws:username}", false);
        assert_eq!(t.as_plain(), Some("home/${aws:username}"));
        assert!(!t.has_vars());
    }

    #[test]
    fn unclosed_variable_is_literal() {
        let t = Template::parse("a${b", true);
        assert_eq!(t.parts(), &[Part::Text("a${b".into())]);
    }
}
