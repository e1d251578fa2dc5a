//! This module defines the errors of reading a policy document.

use std::fmt;

/// Where in a policy document an error is: the statement and a JSON pointer
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Index of the statement, if the error is inside one
    pub statement: Option<usize>,
    /// The statement's Sid, if it has one
    pub sid: Option<String>,
    /// JSON pointer (RFC 6901) to the offending value, from the document root
    /// given to the parser
    pub pointer: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.statement, &self.sid) {
            (Some(i), Some(sid)) => write!(f, "statement {i} (Sid `{sid}`) at `{}`", self.pointer),
            (Some(i), None) => write!(f, "statement {i} at `{}`", self.pointer),
            _ => write!(
                f,
                "at `{}`",
                if self.pointer.is_empty() {
                    "/"
                } else {
                    &self.pointer
                }
            ),
        }
    }
}

/// A policy document that IAM would refuse, or that we cannot read
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct PolicyError {
    /// Where
    pub location: Location,
    /// What
    pub kind: PolicyErrorKind,
}

/// What is wrong with a policy document
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyErrorKind {
    /// Not JSON, or a duplicate key
    #[error("invalid JSON: {0}")]
    Json(String),
    /// A value of the wrong JSON type
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the grammar wants
        expected: &'static str,
        /// What the document has
        found: &'static str,
    },
    /// A required element is missing
    #[error("missing required element `{0}`")]
    Missing(&'static str),
    /// An element IAM does not know
    #[error("unknown element `{0}`")]
    UnknownElement(String),
    /// Two elements that exclude each other
    #[error("`{0}` and `{1}` cannot appear in the same statement")]
    Exclusive(&'static str, &'static str),
    /// An element this kind of policy may not have
    #[error("{element} is not allowed in {policy}")]
    NotAllowed {
        /// The element or form
        element: String,
        /// The policy kind, in words
        policy: &'static str,
    },
    /// A bad `Version`
    #[error("unsupported policy version `{0}`, expected `2012-10-17` or `2008-10-17`")]
    Version(String),
    /// A bad `Effect`
    #[error("`Effect` must be `Allow` or `Deny`, found `{0}`")]
    Effect(String),
    /// An empty list where IAM wants at least one value
    #[error("`{0}` must not be empty")]
    Empty(&'static str),
    /// A bad action pattern
    #[error("invalid action `{0}`: expected `*` or `service:action`")]
    Action(String),
    /// A bad resource pattern
    #[error("invalid resource `{value}`: {reason}")]
    Resource {
        /// The pattern
        value: String,
        /// Why
        reason: &'static str,
    },
    /// A bad principal
    #[error("invalid principal `{value}`: {reason}")]
    Principal {
        /// The principal value
        value: String,
        /// Why
        reason: String,
    },
    /// An unknown condition operator
    #[error("unknown condition operator `{0}`")]
    UnknownOperator(String),
    /// A condition value the operator cannot use
    #[error("invalid value `{value}` for `{operator}`: {reason}")]
    ConditionValue {
        /// The operator as written
        operator: String,
        /// The value as written
        value: String,
        /// Why
        reason: String,
    },
}
