//! accessgraph answers "who can do what, where" for AWS organizations that
//! sign people in through IAM Identity Center.
//!
//! The library is pure (no IO, no printing): [`policy`] parses and compiles
//! IAM policy documents, [`eval`] decides requests exactly as AWS does (with
//! three-valued answers for open questions), [`case`] reads the evaluation
//! case format. The binary adds file IO, the command line and rendering.
//!
//! ```
//! use std::sync::Arc;
//! use accessgraph::eval::{context::Context, evaluate, request::Request, Decision, PolicySet};
//! use accessgraph::policy::{Policy, PolicyKind};
//!
//! let policy = Policy::parse_str(
//!     r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}"#,
//!     PolicyKind::Identity,
//! ).unwrap();
//! let set = PolicySet { identity: vec![Arc::new(policy)], ..PolicySet::default() };
//! let req = Request::new(
//!     "arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::bucket/key", None,
//! ).unwrap();
//! assert_eq!(evaluate(&req, &Context::closed(), &set).decision(), Decision::Allow);
//! ```

#![warn(missing_docs)]

pub mod case;
pub mod check;
pub mod data;
pub mod eval;
pub mod graph;
pub mod json;
#[cfg(feature = "live")]
pub mod live;
pub mod load;
pub mod policy;
pub mod query;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
pub mod snapshot;
pub mod synth;
pub mod validate;
pub mod who;
