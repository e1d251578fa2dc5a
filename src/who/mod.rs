//! This module answers the organization's questions about principals: the
//! context a session carries ([`principal_context`]), who can do what
//! ([`who_can`]), what a user or group can do ([`what_can`]), one request
//! decided per path ([`simulate_user`], [`simulate_iam`]), role chains
//! ([`chain`]) and access profiles ([`profile`]). Each question is a
//! submodule; the items are re-exported here. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod chain;
mod context;
pub mod entitlement;
mod iam;
pub mod profile;
mod simulate;
mod what_can;
mod who_can;

pub use context::*;
pub use iam::*;
pub use profile::{AccessProfile, PrivilegeLevel};
pub use simulate::*;
pub use what_can::*;
pub use who_can::*;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::eval::context::{Context, CtxValue};
use crate::eval::request::Request;
use crate::eval::tri::{Residual, Tri};
use crate::eval::{evaluate, Answer, Decision, PolicySet, StmtRef};
use crate::graph::{
    Access, AccountIx, GroupIx, IamKind, IamPrincipal, Model, PairIx, PermissionSetIx,
    ProvisionedRole, ResolvedResource, UserIx, Via,
};
use crate::policy::{Policy, PolicyKind};

#[cfg(test)]
mod tests;
