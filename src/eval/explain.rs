//! This module says in words why a request was decided as it was: for every
//! statement of every policy, whether it matched and if not which element
//! (action, resource, principal, which condition) did not. No IO here.

use crate::eval::context::Lookup;
use crate::eval::request::Named;
use crate::eval::{statement_applies, Answer, Env, Evaluation, PolicySet, RCP_SERVICES};
use crate::policy::condition::show_ctx_value;
use crate::policy::{Policy, PolicyKind, Statement};

use super::context::Context;
use super::request::Request;

/// One line of an explanation, with its nesting depth
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 0 for a policy, 1 for a statement
    pub depth: usize,
    /// The text
    pub text: String,
}

/// Explains `eval`, the evaluation of `req` under `ctx` against `policies`
pub fn explain(req: &Request, ctx: &Context, policies: &PolicySet, eval: &Evaluation) -> Vec<Line> {
    let env = Env {
        req,
        ctx,
        has_boundary: policies.boundary.is_some(),
    };
    let mut out = Vec::new();
    let summary = match &eval.answer {
        Answer::Decided(d) => match eval.reason {
            Some(r) => format!("{d}: {r}"),
            None => d.to_string(),
        },
        Answer::Conditional(r) => format!("Conditional: allowed only if {r}"),
    };
    out.push(Line {
        depth: 0,
        text: summary,
    });
    if !eval.deciding.is_empty() {
        let list: Vec<String> = eval.deciding.iter().map(ToString::to_string).collect();
        out.push(Line {
            depth: 0,
            text: format!("decided by: {}", list.join("; ")),
        });
    }
    for (i, p) in policies.identity.iter().enumerate() {
        policy_lines(&mut out, &format!("identity policy {i}"), p, &env);
    }
    if let Some(p) = &policies.boundary {
        policy_lines(&mut out, "permissions boundary", p, &env);
    }
    if let Some(p) = &policies.session {
        policy_lines(&mut out, "session policy", p, &env);
    }
    if let Some(p) = &policies.resource {
        let side = if req.same_account() {
            "same account"
        } else {
            "cross-account"
        };
        policy_lines(&mut out, &format!("resource policy ({side})"), p, &env);
    }
    if let Some(levels) = &policies.scps {
        if req.principal.is_service_linked_role(ctx) {
            out.push(line0(
                "SCPs: not applied, the caller is a service-linked role",
            ));
        } else if req.principal.account().is_none() {
            out.push(line0(
                "SCPs: not applied, the caller is not a principal of an account",
            ));
        } else {
            for (level, list) in levels.iter().enumerate() {
                if list.is_empty() {
                    out.push(line0(&format!(
                        "SCP level {level}: no policy attached, nothing allows"
                    )));
                }
                for (i, p) in list.iter().enumerate() {
                    policy_lines(&mut out, &format!("SCP level {level} policy {i}"), p, &env);
                }
            }
        }
    }
    if let Some(levels) = &policies.rcps {
        if !RCP_SERVICES.contains(&req.action.service()) {
            out.push(line0(&format!(
                "RCPs: not applied, service `{}` does not support resource control policies",
                req.action.service()
            )));
        } else if req.principal.is_service_linked_role(ctx) {
            out.push(line0(
                "RCPs: not applied, the caller is a service-linked role",
            ));
        } else {
            for (level, list) in levels.iter().enumerate() {
                for (i, p) in list.iter().enumerate() {
                    policy_lines(&mut out, &format!("RCP level {level} policy {i}"), p, &env);
                }
            }
        }
    }
    out
}

fn line0(text: &str) -> Line {
    Line {
        depth: 0,
        text: text.to_owned(),
    }
}

fn policy_lines(out: &mut Vec<Line>, label: &str, p: &Policy, env: &Env<'_>) {
    out.push(line0(&format!("{label}:")));
    if p.statements.is_empty() {
        out.push(Line {
            depth: 1,
            text: "no statements".into(),
        });
    }
    for s in &p.statements {
        let head = match &s.sid {
            Some(sid) => format!("statement {} ({sid}) {}", s.index, s.effect.as_str()),
            None => format!("statement {} {}", s.index, s.effect.as_str()),
        };
        out.push(Line {
            depth: 1,
            text: format!("{head}: {}", diagnose(s, p.kind, env)),
        });
    }
}

fn list(v: &[String]) -> String {
    v.join(", ")
}

fn diagnose(s: &Statement, kind: PolicyKind, env: &Env<'_>) -> String {
    let req = env.req;
    if !s.action.matches(&req.action) {
        return if s.action.negated {
            format!(
                "no match: action `{}` is listed in NotAction [{}]",
                req.action.original(),
                list(&s.action.patterns)
            )
        } else {
            format!(
                "no match: action `{}` is not in Action [{}]",
                req.action.original(),
                list(&s.action.patterns)
            )
        };
    }
    if let Some(r) = &s.resource {
        let t = r.eval(&req.resource, env.ctx);
        if t.is_false() {
            let word = if r.negated {
                "is listed in NotResource"
            } else {
                "is not in Resource"
            };
            return format!(
                "no match: resource `{}` {word} [{}]",
                req.resource.as_str(),
                list(&r.patterns)
            );
        }
    }
    let (tri, named) = statement_applies(s, env);
    if let Some(p) = &s.principal {
        if p.negated {
            let (t, _) = statement_applies(
                &Statement {
                    principal: None,
                    ..s.clone()
                },
                env,
            );
            if !t.is_false() && tri.is_false() {
                return format!(
                    "no match: every identity of caller `{}` (account, role, session) is listed in NotPrincipal",
                    req.principal_text
                );
            }
        } else if named.is_none() && tri.is_false() && principal_fails(s, env) {
            return format!(
                "no match: caller `{}` is not named in Principal",
                req.principal_text
            );
        }
    }
    if tri.is_false() {
        for c in &s.conditions {
            if c.eval(env.ctx).is_false() {
                let have = match env.ctx.lookup(c.key_lc()) {
                    Lookup::Value(v) => format!("request has {}", show_ctx_value(v)),
                    Lookup::Absent => "key is absent from the request".to_owned(),
                    Lookup::Unknown => "key is unknown".to_owned(),
                };
                return format!(
                    "no match: condition {}({}, [{}]) is false: {have}",
                    c.operator_text,
                    c.key,
                    c.render_values(env.ctx).join(", ")
                );
            }
        }
        return "no match".into();
    }
    let how = match (kind, named) {
        (PolicyKind::Resource, Some(Named::Directly)) => ", names the caller itself",
        (PolicyKind::Resource, Some(Named::Role)) => {
            ", names the caller's role (boundary and session policy still apply)"
        }
        (PolicyKind::Resource, Some(Named::Account)) => {
            ", names the caller's account (identity policies must allow too)"
        }
        _ => "",
    };
    match tri {
        crate::eval::tri::Tri::Residual(r) => format!("matches only if {r}{how}"),
        _ => format!("matches{how}"),
    }
}

fn principal_fails(s: &Statement, env: &Env<'_>) -> bool {
    let (t, _) = statement_applies(
        &Statement {
            principal: None,
            ..s.clone()
        },
        env,
    );
    !t.is_false()
}
