//! This module matches ARNs segment by segment, as IAM does for `Resource`,
//! `NotResource` and the `Arn*` condition operators. No IO here.
//!
//! An ARN is `arn:partition:service:region:account:resource`; the sixth
//! segment is everything after the fifth colon, so it may hold colons. A
//! pattern's `*` and `?` stay inside their segment, except in the sixth, which
//! is the rest of the string.
//!
//! Short patterns (fewer than six segments, e.g. `arn:aws:sqs`): a pattern whose
//! last segment ends in `*` matches the rest of the ARN (AWS: "if the `*` is the
//! last character of a segment, it can expand to match beyond the colon
//! boundaries"). Without that trailing star, identity policies, boundaries and
//! session policies treat the missing segments as `*` (observed behaviour);
//! resource policies, SCPs, RCPs and condition operators match nothing.

use crate::policy::glob::{Glob, Piece};

/// Byte ranges of a concrete ARN's six segments
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnSegments {
    bounds: [(u32, u32); 6],
}

impl ArnSegments {
    /// Splits `arn` into its six segments; `None` if it has fewer than six
    /// or does not start with `arn:`
    pub fn split(arn: &str) -> Option<ArnSegments> {
        if !arn.starts_with("arn:") {
            return None;
        }
        let mut bounds = [(0u32, 0u32); 6];
        let mut start = 0usize;
        let mut seg = 0usize;
        for (i, b) in arn.bytes().enumerate() {
            if b == b':' && seg < 5 {
                bounds[seg] = (start as u32, i as u32);
                seg += 1;
                start = i + 1;
            }
        }
        if seg < 5 {
            return None;
        }
        bounds[5] = (start as u32, arn.len() as u32);
        Some(ArnSegments { bounds })
    }

    /// Segment `i` (0..6) of `arn`, which must be the string this was split from
    pub fn get<'a>(&self, arn: &'a str, i: usize) -> &'a str {
        let (s, e) = self.bounds[i];
        &arn[s as usize..e as usize]
    }

    /// Everything from the start of segment `i` to the end
    pub fn rest<'a>(&self, arn: &'a str, i: usize) -> &'a str {
        &arn[self.bounds[i].0 as usize..]
    }
}

/// How a short pattern without a trailing star is read
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortArns {
    /// Missing trailing segments are `*` (identity policies, boundaries, session policies)
    Lenient,
    /// Matches nothing (resource policies, SCPs, RCPs, conditions)
    Strict,
}

/// A compiled ARN pattern
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnPattern {
    /// `*` alone: every resource, the `*` of wildcard-only actions included
    Any,
    /// Segment patterns (one to six). With fewer than six, `tail` says how the
    /// rest is matched.
    Segments {
        /// The segment globs
        segs: Box<[Glob]>,
        /// For short patterns: whether the last glob may run over the rest
        /// (trailing star) and otherwise whether missing segments are `*`
        tail: Tail,
    },
}

/// How a short pattern's last segment relates to the rest of the ARN
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// Six segments: no tail
    Full,
    /// The last segment ends in `*`: it matches the rest of the ARN, colons included
    Spanning,
    /// Short, no trailing star: missing segments are `*` (lenient) or nothing matches (strict)
    Short(ShortArns),
}

/// Splits a pattern into its segments, each a list of pieces, keeping
/// colons inside the sixth segment
pub fn split_segments(pieces: Vec<Piece>) -> Vec<Vec<Piece>> {
    let mut segs: Vec<Vec<Piece>> = vec![Vec::new()];
    for p in pieces {
        match p {
            Piece::Lit(l) if segs.len() < 6 && l.contains(':') => {
                let mut first = true;
                let mut rest = l.as_str();
                loop {
                    if !first {
                        segs.push(Vec::new());
                    }
                    first = false;
                    if segs.len() == 6 {
                        if !rest.is_empty() {
                            push_lit(&mut segs, rest);
                        }
                        break;
                    }
                    match rest.split_once(':') {
                        Some((a, b)) => {
                            if !a.is_empty() {
                                push_lit(&mut segs, a);
                            }
                            rest = b;
                        }
                        None => {
                            if !rest.is_empty() {
                                push_lit(&mut segs, rest);
                            }
                            break;
                        }
                    }
                }
            }
            p => {
                if let Some(last) = segs.last_mut() {
                    last.push(p);
                }
            }
        }
    }
    segs
}

fn push_lit(segs: &mut [Vec<Piece>], s: &str) {
    if let Some(last) = segs.last_mut() {
        last.push(Piece::Lit(s.to_owned()));
    }
}

impl ArnPattern {
    /// Compiles a pattern given as pieces (every `*`/`?` piece a wildcard)
    pub fn from_pieces(pieces: Vec<Piece>, short: ShortArns) -> ArnPattern {
        if matches!(pieces.as_slice(), [Piece::Star]) {
            return ArnPattern::Any;
        }
        let segs = split_segments(pieces);
        let tail = if segs.len() >= 6 {
            Tail::Full
        } else if matches!(segs.last().and_then(|s| s.last()), Some(Piece::Star)) {
            Tail::Spanning
        } else {
            Tail::Short(short)
        };
        ArnPattern::Segments {
            segs: segs.into_iter().map(Glob::from_pieces).collect(),
            tail,
        }
    }

    /// Compiles a pattern text
    pub fn new(pattern: &str, short: ShortArns) -> ArnPattern {
        ArnPattern::from_pieces(crate::policy::glob::split_pattern(pattern), short)
    }

    /// Whether `value` (with its segments if it is an ARN) matches
    pub fn is_match(&self, value: &str, segments: Option<&ArnSegments>) -> bool {
        let (segs, tail) = match self {
            ArnPattern::Any => return true,
            ArnPattern::Segments { segs, tail } => (segs, tail),
        };
        let Some(parts) = segments else {
            // Not an ARN (e.g. the `*` of a wildcard-only action): only a
            // pattern that matches the whole text as one glob, which a
            // pattern with a colon cannot do.
            return segs.len() == 1 && segs[0].is_match(value);
        };
        match tail {
            Tail::Full => segs
                .iter()
                .enumerate()
                .all(|(i, g)| g.is_match(parts.get(value, i))),
            Tail::Spanning => {
                let last = segs.len() - 1;
                segs[..last]
                    .iter()
                    .enumerate()
                    .all(|(i, g)| g.is_match(parts.get(value, i)))
                    && segs[last].is_match(parts.rest(value, last))
            }
            Tail::Short(ShortArns::Lenient) => segs
                .iter()
                .enumerate()
                .all(|(i, g)| g.is_match(parts.get(value, i))),
            Tail::Short(ShortArns::Strict) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, arn: &str, short: ShortArns) -> bool {
        ArnPattern::new(pattern, short).is_match(arn, ArnSegments::split(arn).as_ref())
    }

    #[test]
    fn segment_matching_table() {
        use ShortArns::*;
        let cases: &[(&str, &str, ShortArns, bool)] = &[
            ("*", "*", Strict, true),
            ("*", "arn:aws:s3:::b", Strict, true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/k/x:y", Strict, true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::c/k", Strict, false),
            ("arn:aws:s3:::B/*", "arn:aws:s3:::b/k", Strict, false),
            (
                "arn:aws:sqs:*:111122223333:q",
                "arn:aws:sqs:us-east-1:111122223333:q",
                Strict,
                true,
            ),
            // `*` in the region segment never eats a colon in a full pattern
            (
                "arn:aws:svc:*:111122223333:finance/*",
                "arn:aws:svc:us-east-2:999999999999:store/abc:111122223333:finance/x",
                Strict,
                false,
            ),
            (
                "arn:aws:iam::*:role/*",
                "arn:aws:iam::111122223333:role/a/b",
                Strict,
                true,
            ),
            (
                "arn:aws:sqs",
                "arn:aws:sqs:us-east-1:111122223333:q",
                Lenient,
                true,
            ),
            (
                "arn:aws:sqs",
                "arn:aws:sqs:us-east-1:111122223333:q",
                Strict,
                false,
            ),
            (
                "arn:aws:sqs",
                "arn:aws:sns:us-east-1:111122223333:q",
                Lenient,
                false,
            ),
            (
                "arn:aws:sqs:us-east-1:*",
                "arn:aws:sqs:us-east-1:111122223333:q",
                Strict,
                true,
            ),
            (
                "arn:aws:sqs:us-east-1:*",
                "arn:aws:sqs:eu-west-1:111122223333:q",
                Strict,
                false,
            ),
            (
                "arn:*",
                "arn:aws:sqs:eu-west-1:111122223333:q",
                Strict,
                true,
            ),
            ("arn:aws:s3:::*", "*", Strict, false),
            ("arn:aws:s3:::b", "not-an-arn", Lenient, false),
        ];
        for (p, a, s, want) in cases {
            assert_eq!(m(p, a, *s), *want, "{p} vs {a} ({s:?})");
        }
    }

    #[test]
    fn splits_six_segments_keeping_colons_in_the_last() {
        let a = "arn:aws:logs:us-east-1:111122223333:log-group:g:*";
        let s = ArnSegments::split(a).unwrap();
        assert_eq!(s.get(a, 2), "logs");
        assert_eq!(s.get(a, 5), "log-group:g:*");
        assert!(ArnSegments::split("arn:aws:sqs").is_none());
        assert!(ArnSegments::split("*").is_none());
    }
}
