//! This module matches IAM wildcard patterns: `*` is any run of characters
//! (the empty one included) and `?` exactly one character; nothing else is
//! special, and there is no escape inside a pattern (policy variables `${*}` and
//! `${?}` produce literal pieces instead, see `template`).
//!
//! Why not `globset`: it gives `/`, `[...]`, `{a,b}` and `\` meanings that IAM
//! patterns do not have. The matcher here is the classic linear-time
//! "backtrack to the last star" algorithm, over pieces so that a literal `*`
//! from a variable stays literal. No IO here.

/// One piece of a pattern
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text
    Lit(String),
    /// `*`: any run of characters
    Star,
    /// `?`: exactly one character
    One,
}

/// A borrowed piece, for patterns assembled per request (policy variables)
/// without copying their text
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceRef<'a> {
    /// Literal text
    Lit(&'a str),
    /// `*`
    Star,
    /// `?`
    One,
}

/// Something that reads as a piece
pub trait AsPiece {
    /// The piece
    fn as_piece(&self) -> PieceRef<'_>;
}

impl AsPiece for Piece {
    fn as_piece(&self) -> PieceRef<'_> {
        match self {
            Piece::Lit(l) => PieceRef::Lit(l),
            Piece::Star => PieceRef::Star,
            Piece::One => PieceRef::One,
        }
    }
}

impl AsPiece for PieceRef<'_> {
    fn as_piece(&self) -> PieceRef<'_> {
        *self
    }
}

/// Appends the pieces of `pattern` (every `*` and `?` a wildcard) to `out`,
/// borrowing its text
pub fn split_pattern_into<'a>(pattern: &'a str, out: &mut Vec<PieceRef<'a>>) {
    let mut start = 0;
    for (i, b) in pattern.bytes().enumerate() {
        if b == b'*' || b == b'?' {
            if i > start {
                out.push(PieceRef::Lit(&pattern[start..i]));
            }
            out.push(if b == b'*' {
                PieceRef::Star
            } else {
                PieceRef::One
            });
            start = i + 1;
        }
    }
    if start < pattern.len() {
        out.push(PieceRef::Lit(&pattern[start..]));
    }
}

/// Whether the whole of `text` matches `pieces` (which need not be normalized)
pub fn matches_pieces<P: AsPiece>(pieces: &[P], text: &str) -> bool {
    match_pieces(pieces, text)
}

/// Whether `text` is exactly the concatenation of the literal `pieces`
/// (wildcard pieces stand for the characters `*` and `?`)
pub fn equals_concat(pieces: &[PieceRef<'_>], text: &str, ignore_ascii_case: bool) -> bool {
    let mut rest = text;
    for p in pieces {
        let lit = match p {
            PieceRef::Lit(l) => *l,
            PieceRef::Star => "*",
            PieceRef::One => "?",
        };
        if rest.len() < lit.len() || !rest.is_char_boundary(lit.len()) {
            return false;
        }
        let (head, tail) = rest.split_at(lit.len());
        let same = if ignore_ascii_case {
            head.eq_ignore_ascii_case(lit)
        } else {
            head == lit
        };
        if !same {
            return false;
        }
        rest = tail;
    }
    rest.is_empty()
}

/// A compiled wildcard pattern
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Glob {
    /// `*` alone
    Any,
    /// No wildcard at all
    Exact(Box<str>),
    /// `text*`
    Prefix(Box<str>),
    /// `*text`
    Suffix(Box<str>),
    /// Anything else
    General(Box<[Piece]>),
}

impl Glob {
    /// Compiles a pattern where every `*` and `?` is a wildcard
    pub fn new(pattern: &str) -> Glob {
        Glob::from_pieces(split_pattern(pattern))
    }

    /// Compiles already split pieces
    pub fn from_pieces(pieces: Vec<Piece>) -> Glob {
        let pieces = normalize(pieces);
        match pieces.as_slice() {
            [] => Glob::Exact("".into()),
            [Piece::Star] => Glob::Any,
            [Piece::Lit(l)] => Glob::Exact(l.as_str().into()),
            [Piece::Lit(l), Piece::Star] => Glob::Prefix(l.as_str().into()),
            [Piece::Star, Piece::Lit(l)] => Glob::Suffix(l.as_str().into()),
            _ => Glob::General(pieces.into_boxed_slice()),
        }
    }

    /// Whether the whole of `text` matches
    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Glob::Any => true,
            Glob::Exact(l) => text == &**l,
            Glob::Prefix(l) => text.starts_with(&**l),
            Glob::Suffix(l) => text.ends_with(&**l),
            Glob::General(p) => match_pieces(p, text),
        }
    }

    /// Whether the pattern has any wildcard
    pub fn has_wildcard(&self) -> bool {
        !matches!(self, Glob::Exact(_))
    }
}

/// Splits a pattern into pieces, every `*` and `?` a wildcard
pub fn split_pattern(pattern: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut lit = String::new();
    for c in pattern.chars() {
        match c {
            '*' | '?' => {
                if !lit.is_empty() {
                    out.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                out.push(if c == '*' { Piece::Star } else { Piece::One });
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    out
}

/// Merges adjacent literals and runs of stars
fn normalize(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match (out.last_mut(), p) {
            (Some(Piece::Lit(prev)), Piece::Lit(l)) => prev.push_str(&l),
            (_, Piece::Lit(l)) if l.is_empty() => {}
            (Some(Piece::Star), Piece::Star) => {}
            (_, p) => out.push(p),
        }
    }
    out
}

fn char_len(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(1, char::len_utf8)
}

fn match_pieces<P: AsPiece>(pieces: &[P], text: &str) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    // (piece index just after the last star, text index that star resumes at)
    let mut resume: Option<(usize, usize)> = None;
    loop {
        if let Some(piece) = pieces.get(pi) {
            match piece.as_piece() {
                PieceRef::Star => {
                    resume = Some((pi + 1, ti));
                    pi += 1;
                    continue;
                }
                PieceRef::One if ti < text.len() => {
                    ti += char_len(text, ti);
                    pi += 1;
                    continue;
                }
                PieceRef::Lit(l) if text[ti..].starts_with(l) => {
                    // A last literal right after a star must end the text:
                    // jump straight there instead of scanning every position.
                    if pi + 1 == pieces.len()
                        && pi > 0
                        && pieces[pi - 1].as_piece() == PieceRef::Star
                    {
                        return text[ti..].ends_with(l);
                    }
                    ti += l.len();
                    pi += 1;
                    continue;
                }
                _ => {}
            }
        } else if ti == text.len() {
            return true;
        }
        match resume {
            Some((rp, rt)) if rt < text.len() => {
                let next = rt + char_len(text, rt);
                resume = Some((rp, next));
                pi = rp;
                ti = next;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference matcher: plain recursion over characters, obviously right
    fn reference(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && reference(rest, &t[1..]),
        }
    }

    macro_rules! glob_cases {
        ($($pat:expr, $text:expr => $want:expr;)*) => {$(
            let g = Glob::new($pat);
            assert_eq!(g.is_match($text), $want, "pattern {:?} text {:?}", $pat, $text);
            let p: Vec<char> = $pat.chars().collect();
            let t: Vec<char> = $text.chars().collect();
            assert_eq!(reference(&p, &t), $want, "reference disagrees: {:?} {:?}", $pat, $text);
        )*};
    }

    #[test]
    fn wildcard_table() {
        glob_cases! {
            "*", "" => true;
            "*", "anything:at/all" => true;
            "", "" => true;
            "", "a" => false;
            "s3:Get*", "s3:GetObject" => true;
            "s3:Get*", "s3:Put" => false;
            "*Object", "s3:GetObject" => true;
            "iam:*AccessKey*", "iam:CreateAccessKey" => true;
            "iam:*AccessKey*", "iam:ListAccessKeys" => true;
            "iam:*AccessKey*", "iam:ListUsers" => false;
            "s3:?etObject", "s3:GetObject" => true;
            "s3:?etObject", "s3:etObject" => false;
            "a*b*c", "abc" => true;
            "a*b*c", "aXbYbZc" => true;
            "a*b*c", "aXbYcZ" => false;
            "a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaa" => false;
            "*ab", "aab" => true;
            "*ab*", "xxabyy" => true;
            "?", "é" => true;
            "??", "é" => false;
            "*é?", "aéb" => true;
            "a?c*", "abcdef" => true;
            "*b?a", "baaa" => false;
            "*b?a", "xbza" => true;
        }
    }

    #[test]
    fn borrowed_pieces_match_like_owned_ones() {
        let mut refs = Vec::new();
        split_pattern_into("a*b?c", &mut refs);
        refs.push(PieceRef::Lit(""));
        refs.push(PieceRef::Star);
        refs.push(PieceRef::Star);
        assert!(matches_pieces(&refs, "aXXbYcZZ"));
        assert!(!matches_pieces(&refs, "aXXbc"));
        assert!(equals_concat(
            &[PieceRef::Lit("ab"), PieceRef::Lit("c")],
            "abc",
            false
        ));
        assert!(equals_concat(
            &[PieceRef::Lit("AB"), PieceRef::Star],
            "ab*",
            true
        ));
        assert!(!equals_concat(&[PieceRef::Lit("ab")], "abc", false));
        assert!(!equals_concat(&[PieceRef::Lit("é")], "e", false));
    }

    #[test]
    fn literal_star_piece_is_not_a_wildcard() {
        let g = Glob::from_pieces(vec![Piece::Lit("a*".into()), Piece::Star]);
        assert!(g.is_match("a*xyz"));
        assert!(!g.is_match("abxyz"));
    }

    #[test]
    fn classification() {
        assert_eq!(Glob::new("**"), Glob::Any);
        assert_eq!(Glob::new("ab*"), Glob::Prefix("ab".into()));
        assert_eq!(Glob::new("*ab"), Glob::Suffix("ab".into()));
        assert_eq!(Glob::new("ab"), Glob::Exact("ab".into()));
        assert!(!Glob::new("ab").has_wildcard());
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_reference(p in "[ab*?]{0,8}", t in "[ab]{0,10}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            proptest::prop_assert_eq!(Glob::new(&p).is_match(&t), reference(&pc, &tc));
            let mut refs = Vec::new();
            split_pattern_into(&p, &mut refs);
            proptest::prop_assert_eq!(matches_pieces(&refs, &t), reference(&pc, &tc));
        }
    }
}
