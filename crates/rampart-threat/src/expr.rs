//! The condition language of the rule library: a small, typed, side-effect-free
//! expression language over dotted attribute paths.
//!
//! ```text
//! expr   := or
//! or     := and ( "||" and )*
//! and    := not ( "&&" not )*
//! not    := "!" not | cmp
//! cmp    := atom [ cmpop atom | "in" list | "has" string ]
//! cmpop  := "==" | "!=" | "<" | "<=" | ">" | ">="
//! atom   := path | string | "true" | "false" | "(" expr ")"
//! path   := ident ( "." ident )*          ident := [a-z_][a-z0-9_]*
//! list   := "[" [ string ( "," string )* ] "]"
//! string := '"' ( any char but '"', '\' and control characters | '\"' | '\\' )* '"'
//! ```
//!
//! Conditions are compiled once ([`Expr::compile`]) against an [`AttributeSchema`] given by
//! the caller: every path must be in the schema and every operator must suit the attribute's
//! type, so a typo in a rule fails when the library loads rather than silently never matching.
//! Compilation is bounded ([`MAX_LEN`], [`MAX_TOKENS`], [`MAX_DEPTH`], [`MAX_NODES`]) and
//! evaluation ([`Compiled::eval`]) visits each node once: there are no calls, loops or
//! user-defined names, so hostile rule text can neither run code nor take long.
//!
//! # Missing attributes ("false-safe")
//!
//! [`Attributes::get`] may return `None` (or a value of the wrong type, which is treated the
//! same way). Every *atom* that reads such an attribute evaluates to `false`: a bare boolean
//! path, a comparison (`==`, `!=`, `<`, …, either side missing), `in [..]` and `has "…"`.
//! The boolean operators then combine these results normally, so `!element.rate_limited`
//! is `true` when `rate_limited` is missing. This follows the model's principle that a
//! missing security control is assumed absent while a risky trait is not assumed present:
//! rules are written as "risky trait && !control", and a missing attribute can only make the
//! risky part false or the control absent. Note that `x != "a"` is also `false` when `x` is
//! missing (the comparison cannot be made); write `!(x == "a")` to mean "not known to be a".

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Longest accepted condition, in bytes: one rule condition is one line of YAML.
pub const MAX_LEN: usize = 1024;
/// Most tokens in one condition; bounds the lexer's output before parsing starts.
/// Punctuation (`)`, `[`, `]`, `,`) is not a node, hence twice [`MAX_NODES`].
pub const MAX_TOKENS: usize = 512;
/// Deepest nesting of `(` and `!` (`!(` counts once); bounds recursion in the parser,
/// evaluator and printer.
pub const MAX_DEPTH: usize = 32;
/// Most syntax nodes in one condition.
pub const MAX_NODES: usize = 256;

/// The ordered rating scale shared by confidentiality, integrity and availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Low, Level::Medium, Level::High, Level::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }
}

impl FromStr for Level {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Level::ALL.into_iter().find(|l| l.as_str() == s).ok_or(())
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The declared type of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrType {
    /// `true`/`false`; usable directly as a condition, or with `==`/`!=` and a boolean literal.
    Bool,
    /// Free text: `==`, `!=`, `in [..]`.
    Str,
    /// A [`Level`]: all comparisons (ordered), `in [..]`; literals must be level names.
    Level,
    /// A closed set of names (e.g. authentication kinds): `==`, `!=`, `in [..]`; literals
    /// outside the set are compile errors.
    Enum(Vec<String>),
    /// A set of strings (tags): only `has "…"`.
    StrSet,
}

impl AttrType {
    /// Builds an [`AttrType::Enum`] from string slices.
    pub fn enumeration(values: &[&str]) -> AttrType {
        AttrType::Enum(values.iter().map(|v| (*v).to_owned()).collect())
    }

    fn describe(&self) -> &'static str {
        match self {
            AttrType::Bool => "a boolean",
            AttrType::Str => "a string",
            AttrType::Level => "a level",
            AttrType::Enum(_) => "an enumeration",
            AttrType::StrSet => "a string set",
        }
    }
}

/// The attributes a condition may read, path → type. Given by the caller (one schema per
/// rule subject, e.g. flows or processes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeSchema {
    attrs: BTreeMap<String, AttrType>,
}

impl AttributeSchema {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) one attribute; builder style.
    pub fn with(mut self, path: impl Into<String>, ty: AttrType) -> Self {
        self.insert(path, ty);
        self
    }

    pub fn insert(&mut self, path: impl Into<String>, ty: AttrType) {
        self.attrs.insert(path.into(), ty);
    }

    pub fn get(&self, path: &str) -> Option<&AttrType> {
        self.attrs.get(path)
    }

    /// Every path with its type, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttrType)> {
        self.attrs.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<P: Into<String>> FromIterator<(P, AttrType)> for AttributeSchema {
    fn from_iter<I: IntoIterator<Item = (P, AttrType)>>(iter: I) -> Self {
        let mut schema = AttributeSchema::new();
        for (path, ty) in iter {
            schema.insert(path, ty);
        }
        schema
    }
}

/// A runtime attribute value, as returned by [`Attributes::get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    /// For [`AttrType::Str`] and [`AttrType::Enum`]; also accepted for
    /// [`AttrType::Level`] when it is a level name.
    Str(String),
    Level(Level),
    StrSet(Vec<String>),
}

/// The subject a compiled condition is evaluated against.
pub trait Attributes {
    /// The value at `path` (a path of the schema the condition was compiled with), or `None`
    /// when the subject does not have it. See the module documentation for what `None` means.
    fn get(&self, path: &str) -> Option<Value>;
}

impl Attributes for BTreeMap<String, Value> {
    fn get(&self, path: &str) -> Option<Value> {
        BTreeMap::get(self, path).cloned()
    }
}

impl Attributes for std::collections::HashMap<String, Value> {
    fn get(&self, path: &str) -> Option<Value> {
        std::collections::HashMap::get(self, path).cloned()
    }
}

/// A compile error: what went wrong and where (byte offset into the condition text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (at byte {offset})")]
pub struct ExprError {
    /// 0-based byte offset into the condition text.
    pub offset: usize,
    pub kind: ExprErrorKind,
}

impl ExprError {
    /// 1-based column in characters, for messages pointing into the source line.
    pub fn column(&self, source: &str) -> usize {
        let mut end = self.offset.min(source.len());
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        source[..end].chars().count() + 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExprErrorKind {
    #[error("condition is {len} bytes long, the limit is {MAX_LEN}")]
    TooLong { len: usize },
    #[error("condition has more than {MAX_TOKENS} tokens")]
    TooManyTokens,
    #[error("condition has more than {MAX_NODES} nodes")]
    TooManyNodes,
    #[error("condition nests deeper than {MAX_DEPTH} levels of `(` and `!`")]
    TooDeep,
    #[error("empty condition")]
    Empty,
    #[error("unexpected character {0:?}")]
    UnexpectedChar(char),
    #[error("unterminated string")]
    UnterminatedString,
    #[error("invalid escape in string (only \\\" and \\\\ are allowed)")]
    BadEscape,
    #[error("control character in string")]
    ControlInString,
    #[error("expected {expected}, found {found}")]
    Unexpected {
        expected: &'static str,
        found: String,
    },
    #[error("unknown attribute `{0}`")]
    UnknownAttribute(String),
    #[error("{0}")]
    Type(String),
}

// ---------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Path(String),
    Str(String),
    True,
    False,
    In,
    Has,
    And,
    Or,
    Not,
    Cmp(CmpOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Path(p) => format!("attribute `{p}`"),
            Tok::Str(s) => format!("string {}", quote(s)),
            Tok::True => "`true`".into(),
            Tok::False => "`false`".into(),
            Tok::In => "`in`".into(),
            Tok::Has => "`has`".into(),
            Tok::And => "`&&`".into(),
            Tok::Or => "`||`".into(),
            Tok::Not => "`!`".into(),
            Tok::Cmp(op) => format!("`{}`", op.as_str()),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::End => "end of condition".into(),
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    fn ordered(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }

    /// The operator with its operands swapped (`a < b` ⇔ `b > a`).
    fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }

    fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Eq => ord == Equal,
            CmpOp::Ne => ord != Equal,
            CmpOp::Lt => ord == Less,
            CmpOp::Le => ord != Greater,
            CmpOp::Gt => ord == Greater,
            CmpOp::Ge => ord != Less,
        }
    }
}

fn err(offset: usize, kind: ExprErrorKind) -> ExprError {
    ExprError { offset, kind }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_lowercase() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let bytes = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if toks.len() >= MAX_TOKENS {
            return Err(err(i, ExprErrorKind::TooManyTokens));
        }
        let start = i;
        let two = bytes.get(i + 1).copied();
        let tok = match b {
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b',' => Tok::Comma,
            b'&' if two == Some(b'&') => Tok::And,
            b'|' if two == Some(b'|') => Tok::Or,
            b'=' if two == Some(b'=') => Tok::Cmp(CmpOp::Eq),
            b'!' if two == Some(b'=') => Tok::Cmp(CmpOp::Ne),
            b'!' => Tok::Not,
            b'<' if two == Some(b'=') => Tok::Cmp(CmpOp::Le),
            b'<' => Tok::Cmp(CmpOp::Lt),
            b'>' if two == Some(b'=') => Tok::Cmp(CmpOp::Ge),
            b'>' => Tok::Cmp(CmpOp::Gt),
            b'"' => {
                let (s, next) = lex_string(src, i)?;
                toks.push((Tok::Str(s), start));
                i = next;
                continue;
            }
            _ if is_ident_start(b) => {
                let mut j = i;
                loop {
                    while j < bytes.len() && is_ident_continue(bytes[j]) {
                        j += 1;
                    }
                    if bytes.get(j) == Some(&b'.') {
                        if bytes.get(j + 1).is_some_and(|&c| is_ident_start(c)) {
                            j += 1;
                            continue;
                        }
                        return Err(err(
                            j + 1,
                            ExprErrorKind::Unexpected {
                                expected: "an attribute name after `.`",
                                found: describe_char_at(src, j + 1),
                            },
                        ));
                    }
                    break;
                }
                let word = &src[i..j];
                i = j;
                let tok = match word {
                    "true" => Tok::True,
                    "false" => Tok::False,
                    "in" => Tok::In,
                    "has" => Tok::Has,
                    _ => Tok::Path(word.to_owned()),
                };
                toks.push((tok, start));
                continue;
            }
            _ => {
                let c = src[i..].chars().next().unwrap_or('\u{fffd}');
                return Err(err(i, ExprErrorKind::UnexpectedChar(c)));
            }
        };
        i += match tok {
            Tok::And | Tok::Or => 2,
            Tok::Cmp(op) => op.as_str().len(),
            _ => 1,
        };
        toks.push((tok, start));
    }
    toks.push((Tok::End, src.len()));
    Ok(toks)
}

fn describe_char_at(src: &str, at: usize) -> String {
    match src.get(at..).and_then(|s| s.chars().next()) {
        Some(c) => format!("{c:?}"),
        None => "end of condition".into(),
    }
}

/// Lexes the string starting at the opening quote `open`; returns its value and the byte
/// after the closing quote.
fn lex_string(src: &str, open: usize) -> Result<(String, usize), ExprError> {
    let mut out = String::new();
    let mut chars = src[open + 1..].char_indices();
    while let Some((rel, c)) = chars.next() {
        let at = open + 1 + rel;
        match c {
            '"' => return Ok((out, at + 1)),
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                Some(_) => return Err(err(at, ExprErrorKind::BadEscape)),
                None => return Err(err(open, ExprErrorKind::UnterminatedString)),
            },
            c if c.is_control() => return Err(err(at, ExprErrorKind::ControlInString)),
            c => out.push(c),
        }
    }
    Err(err(open, ExprErrorKind::UnterminatedString))
}

// ---------------------------------------------------------------------------------------
// Parser: tokens → untyped syntax tree with positions.

#[derive(Debug)]
enum Ast {
    Or(Vec<Ast>),
    And(Vec<Ast>),
    Not(Box<Ast>),
    Atom(Atom),
    Cmp {
        op: CmpOp,
        lhs: Atom,
        rhs: Atom,
    },
    In {
        lhs: Atom,
        items: Vec<(String, usize)>,
    },
    Has {
        lhs: Atom,
        tag: String,
    },
}

#[derive(Debug)]
enum Atom {
    Path(String, usize),
    Str(String, usize),
    Bool(bool, usize),
    Group(Box<Ast>, usize),
}

impl Atom {
    fn offset(&self) -> usize {
        match self {
            Atom::Path(_, o) | Atom::Str(_, o) | Atom::Bool(_, o) | Atom::Group(_, o) => *o,
        }
    }
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
    nodes: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        // The lexer always ends the list with `End` and `bump` never moves past it.
        self.toks.get(self.pos).map_or(&Tok::End, |(t, _)| t)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(0, |(_, o)| *o)
    }

    fn bump(&mut self) -> (Tok, usize) {
        let (tok, at) = self
            .toks
            .get(self.pos)
            .cloned()
            .unwrap_or((Tok::End, self.toks.last().map_or(0, |(_, o)| *o)));
        if tok != Tok::End {
            self.pos += 1;
        }
        (tok, at)
    }

    fn unexpected(&self, expected: &'static str) -> ExprError {
        err(
            self.offset(),
            ExprErrorKind::Unexpected {
                expected,
                found: self.peek().describe(),
            },
        )
    }

    fn node(&mut self, at: usize) -> Result<(), ExprError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(err(at, ExprErrorKind::TooManyNodes));
        }
        Ok(())
    }

    fn enter(&mut self, at: usize) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(at, ExprErrorKind::TooDeep));
        }
        Ok(())
    }

    fn parse_or(&mut self) -> Result<Ast, ExprError> {
        let first = self.parse_and()?;
        if *self.peek() != Tok::Or {
            return Ok(first);
        }
        let mut items = vec![first];
        while *self.peek() == Tok::Or {
            let (_, at) = self.bump();
            self.node(at)?;
            items.push(self.parse_and()?);
        }
        Ok(Ast::Or(items))
    }

    fn parse_and(&mut self) -> Result<Ast, ExprError> {
        let first = self.parse_not()?;
        if *self.peek() != Tok::And {
            return Ok(first);
        }
        let mut items = vec![first];
        while *self.peek() == Tok::And {
            let (_, at) = self.bump();
            self.node(at)?;
            items.push(self.parse_not()?);
        }
        Ok(Ast::And(items))
    }

    fn parse_not(&mut self) -> Result<Ast, ExprError> {
        if *self.peek() == Tok::Not {
            let (_, at) = self.bump();
            self.node(at)?;
            // `!(` counts as one level: the printer writes `!(a == "x")` for `!a == "x"`, and
            // the printed form must stay within the limit the source met.
            let counts = *self.peek() != Tok::LParen;
            if counts {
                self.enter(at)?;
            }
            let inner = self.parse_not()?;
            if counts {
                self.depth -= 1;
            }
            return Ok(Ast::Not(Box::new(inner)));
        }
        self.parse_cmp()
    }

    fn parse_cmp(&mut self) -> Result<Ast, ExprError> {
        let lhs = self.parse_atom()?;
        match self.peek().clone() {
            Tok::Cmp(op) => {
                let (_, at) = self.bump();
                self.node(at)?;
                let rhs = self.parse_atom()?;
                Ok(Ast::Cmp { op, lhs, rhs })
            }
            Tok::In => {
                let (_, at) = self.bump();
                self.node(at)?;
                if *self.peek() != Tok::LBracket {
                    return Err(self.unexpected("`[` after `in`"));
                }
                self.bump();
                let mut items = Vec::new();
                if *self.peek() == Tok::RBracket {
                    self.bump();
                    return Ok(Ast::In { lhs, items });
                }
                loop {
                    let Tok::Str(s) = self.peek().clone() else {
                        return Err(self.unexpected("a string in the list"));
                    };
                    let (_, at) = self.bump();
                    self.node(at)?;
                    items.push((s, at));
                    match self.peek() {
                        Tok::Comma => {
                            self.bump();
                        }
                        Tok::RBracket => {
                            self.bump();
                            break;
                        }
                        _ => return Err(self.unexpected("`,` or `]`")),
                    }
                }
                Ok(Ast::In { lhs, items })
            }
            Tok::Has => {
                let (_, at) = self.bump();
                self.node(at)?;
                match self.peek().clone() {
                    Tok::Str(tag) => {
                        self.bump();
                        Ok(Ast::Has { lhs, tag })
                    }
                    _ => Err(self.unexpected("a string after `has`")),
                }
            }
            _ => Ok(Ast::Atom(lhs)),
        }
    }

    fn parse_atom(&mut self) -> Result<Atom, ExprError> {
        let at = self.offset();
        let atom = match self.peek().clone() {
            Tok::Path(p) => Atom::Path(p, at),
            Tok::Str(s) => Atom::Str(s, at),
            Tok::True => Atom::Bool(true, at),
            Tok::False => Atom::Bool(false, at),
            Tok::LParen => {
                self.bump();
                self.node(at)?;
                self.enter(at)?;
                let inner = self.parse_or()?;
                self.depth -= 1;
                if *self.peek() != Tok::RParen {
                    return Err(self.unexpected("`)` or an operator"));
                }
                self.bump();
                return Ok(Atom::Group(Box::new(inner), at));
            }
            _ => return Err(self.unexpected("an attribute, a string, `true`, `false`, `!` or `(`")),
        };
        self.bump();
        self.node(at)?;
        Ok(atom)
    }
}

// ---------------------------------------------------------------------------------------
// Type checking: syntax tree → compiled tree with typed operands.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scalar {
    Bool(bool),
    Str(String),
    Level(Level),
}

impl Scalar {
    fn cmp_with(&self, other: &Scalar) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Scalar::Bool(a), Scalar::Bool(b)) => Some(a.cmp(b)),
            (Scalar::Str(a), Scalar::Str(b)) => Some(a.cmp(b)),
            (Scalar::Level(a), Scalar::Level(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Str(s) => f.write_str(&quote(s)),
            Scalar::Level(l) => f.write_str(&quote(l.as_str())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Operand {
    Attr(String, AttrType),
    Lit(Scalar),
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Attr(p, _) => f.write_str(p),
            Operand::Lit(s) => s.fmt(f),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Const(bool),
    Attr(String),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Cmp {
        op: CmpOp,
        lhs: Operand,
        rhs: Operand,
    },
    In {
        path: String,
        ty: AttrType,
        items: Vec<Scalar>,
    },
    Has {
        path: String,
        tag: String,
    },
}

fn type_err(offset: usize, msg: String) -> ExprError {
    err(offset, ExprErrorKind::Type(msg))
}

struct Checker<'a> {
    schema: &'a AttributeSchema,
}

impl Checker<'_> {
    fn attr(&self, path: &str, at: usize) -> Result<&AttrType, ExprError> {
        self.schema
            .get(path)
            .ok_or_else(|| err(at, ExprErrorKind::UnknownAttribute(path.to_owned())))
    }

    fn condition(&self, ast: Ast) -> Result<Node, ExprError> {
        Ok(match ast {
            Ast::Or(items) => Node::Or(self.flatten(items, true)?),
            Ast::And(items) => Node::And(self.flatten(items, false)?),
            Ast::Not(inner) => Node::Not(Box::new(self.condition(*inner)?)),
            Ast::Atom(atom) => self.atom_condition(atom)?,
            Ast::Cmp { op, lhs, rhs } => self.comparison(op, lhs, rhs)?,
            Ast::In { lhs, items } => self.membership(lhs, items)?,
            Ast::Has { lhs, tag } => {
                let (path, at) = self.operand_path(lhs, "`has`")?;
                let ty = self.attr(&path, at)?;
                if *ty != AttrType::StrSet {
                    return Err(type_err(
                        at,
                        format!(
                            "`has` needs a string set, but `{path}` is {}",
                            ty.describe()
                        ),
                    ));
                }
                Node::Has { path, tag }
            }
        })
    }

    /// Checks the operands of `||` (or `&&`) and splices nested groups of the same operator
    /// into one list, so `(a || b) || c` and `a || b || c` compile (and print) alike.
    fn flatten(&self, items: Vec<Ast>, or: bool) -> Result<Vec<Node>, ExprError> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match (self.condition(item)?, or) {
                (Node::Or(inner), true) | (Node::And(inner), false) => out.extend(inner),
                (node, _) => out.push(node),
            }
        }
        Ok(out)
    }

    fn atom_condition(&self, atom: Atom) -> Result<Node, ExprError> {
        match atom {
            Atom::Bool(b, _) => Ok(Node::Const(b)),
            Atom::Group(inner, _) => self.condition(*inner),
            Atom::Str(s, at) => Err(type_err(
                at,
                format!(
                    "string {} is not a condition; compare an attribute with it",
                    quote(&s)
                ),
            )),
            Atom::Path(path, at) => match self.attr(&path, at)? {
                AttrType::Bool => Ok(Node::Attr(path)),
                AttrType::StrSet => Err(type_err(
                    at,
                    format!("`{path}` is a string set, not a condition; use `{path} has \"…\"`"),
                )),
                ty => Err(type_err(
                    at,
                    format!(
                        "`{path}` is {}, not a condition; compare it with a value",
                        ty.describe()
                    ),
                )),
            },
        }
    }

    fn operand_path(&self, atom: Atom, what: &str) -> Result<(String, usize), ExprError> {
        match atom {
            Atom::Path(p, at) => Ok((p, at)),
            other => Err(type_err(
                other.offset(),
                format!("the left side of {what} must be an attribute"),
            )),
        }
    }

    fn comparison(&self, op: CmpOp, lhs: Atom, rhs: Atom) -> Result<Node, ExprError> {
        let l_at = lhs.offset();
        match (lhs, rhs) {
            (Atom::Group(_, at), _) | (_, Atom::Group(_, at)) => Err(type_err(
                at,
                "a parenthesised condition cannot be compared; combine conditions with && and ||"
                    .into(),
            )),
            (Atom::Path(a, a_at), Atom::Path(b, b_at)) => {
                let ta = self.attr(&a, a_at)?.clone();
                let tb = self.attr(&b, b_at)?.clone();
                if ta != tb {
                    return Err(type_err(
                        b_at,
                        format!(
                            "cannot compare `{a}` ({}) with `{b}` ({})",
                            ta.describe(),
                            tb.describe()
                        ),
                    ));
                }
                self.check_op(op, &a, &ta, l_at)?;
                Ok(Node::Cmp {
                    op,
                    lhs: Operand::Attr(a, ta),
                    rhs: Operand::Attr(b, tb),
                })
            }
            (Atom::Path(path, at), lit) => {
                let ty = self.attr(&path, at)?.clone();
                self.check_op(op, &path, &ty, l_at)?;
                let lit = self.literal_for(&path, &ty, lit)?;
                Ok(Node::Cmp {
                    op,
                    lhs: Operand::Attr(path, ty),
                    rhs: Operand::Lit(lit),
                })
            }
            // A literal on the left: check as if written the other way round, but keep the
            // author's order for printing.
            (lit, Atom::Path(path, at)) => {
                let ty = self.attr(&path, at)?.clone();
                self.check_op(op.flipped(), &path, &ty, l_at)?;
                let lit = self.literal_for(&path, &ty, lit)?;
                Ok(Node::Cmp {
                    op,
                    lhs: Operand::Lit(lit),
                    rhs: Operand::Attr(path, ty),
                })
            }
            _ => Err(type_err(
                l_at,
                "comparison of two constants; one side must be an attribute".into(),
            )),
        }
    }

    fn check_op(&self, op: CmpOp, path: &str, ty: &AttrType, at: usize) -> Result<(), ExprError> {
        match ty {
            AttrType::StrSet => Err(type_err(
                at,
                format!("`{path}` is a string set; use `{path} has \"…\"`"),
            )),
            AttrType::Level => Ok(()),
            _ if op.ordered() => Err(type_err(
                at,
                format!(
                    "`{}` needs a level, but `{path}` is {}",
                    op.as_str(),
                    ty.describe()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Converts a literal compared with attribute `path` of type `ty`.
    fn literal_for(&self, path: &str, ty: &AttrType, lit: Atom) -> Result<Scalar, ExprError> {
        match (ty, lit) {
            (AttrType::Bool, Atom::Bool(b, _)) => Ok(Scalar::Bool(b)),
            (_, Atom::Bool(_, at)) => Err(type_err(
                at,
                format!("`{path}` is {}, not a boolean", ty.describe()),
            )),
            (ty, Atom::Str(s, at)) => self.string_for(path, ty, s, at),
            (_, other) => Err(type_err(other.offset(), "expected a value".into())),
        }
    }

    fn string_for(
        &self,
        path: &str,
        ty: &AttrType,
        s: String,
        at: usize,
    ) -> Result<Scalar, ExprError> {
        match ty {
            AttrType::Str => Ok(Scalar::Str(s)),
            AttrType::Enum(allowed) => {
                if allowed.contains(&s) {
                    Ok(Scalar::Str(s))
                } else {
                    Err(type_err(
                        at,
                        format!(
                            "{} is not a value of `{path}` (one of: {})",
                            quote(&s),
                            allowed.join(", ")
                        ),
                    ))
                }
            }
            AttrType::Level => s.parse().map(Scalar::Level).map_err(|()| {
                type_err(
                    at,
                    format!(
                        "{} is not a level (one of: low, medium, high, critical)",
                        quote(&s)
                    ),
                )
            }),
            AttrType::Bool => Err(type_err(
                at,
                format!("`{path}` is a boolean; compare it with true/false or use it directly"),
            )),
            AttrType::StrSet => Err(type_err(
                at,
                format!("`{path}` is a string set; use `{path} has \"…\"`"),
            )),
        }
    }

    fn membership(&self, lhs: Atom, items: Vec<(String, usize)>) -> Result<Node, ExprError> {
        let (path, at) = self.operand_path(lhs, "`in`")?;
        let ty = self.attr(&path, at)?.clone();
        if matches!(ty, AttrType::Bool | AttrType::StrSet) {
            return Err(type_err(
                at,
                format!(
                    "`in` needs a string, enumeration or level, but `{path}` is {}",
                    ty.describe()
                ),
            ));
        }
        let items = items
            .into_iter()
            .map(|(s, at)| self.string_for(&path, &ty, s, at))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Node::In { path, ty, items })
    }
}

// ---------------------------------------------------------------------------------------
// Evaluation

/// Reads `path` and converts it to the declared type; `None` when missing or mistyped.
fn fetch(attrs: &dyn Attributes, path: &str, ty: &AttrType) -> Option<Scalar> {
    match (ty, attrs.get(path)?) {
        (AttrType::Bool, Value::Bool(b)) => Some(Scalar::Bool(b)),
        (AttrType::Str | AttrType::Enum(_), Value::Str(s)) => Some(Scalar::Str(s)),
        (AttrType::Level, Value::Level(l)) => Some(Scalar::Level(l)),
        (AttrType::Level, Value::Str(s)) => s.parse().ok().map(Scalar::Level),
        _ => None,
    }
}

fn operand(attrs: &dyn Attributes, op: &Operand) -> Option<Scalar> {
    match op {
        Operand::Attr(path, ty) => fetch(attrs, path, ty),
        Operand::Lit(s) => Some(s.clone()),
    }
}

impl Node {
    fn eval(&self, attrs: &dyn Attributes) -> bool {
        match self {
            Node::Const(b) => *b,
            Node::Attr(path) => matches!(attrs.get(path), Some(Value::Bool(true))),
            Node::Not(inner) => !inner.eval(attrs),
            Node::And(items) => items.iter().all(|n| n.eval(attrs)),
            Node::Or(items) => items.iter().any(|n| n.eval(attrs)),
            Node::Cmp { op, lhs, rhs } => match (operand(attrs, lhs), operand(attrs, rhs)) {
                (Some(a), Some(b)) => a.cmp_with(&b).is_some_and(|ord| op.holds(ord)),
                _ => false,
            },
            Node::In { path, ty, items } => {
                fetch(attrs, path, ty).is_some_and(|v| items.contains(&v))
            }
            Node::Has { path, tag } => match attrs.get(path) {
                Some(Value::StrSet(set)) => set.iter().any(|t| t == tag),
                _ => false,
            },
        }
    }

    fn paths<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Node::Const(_) => {}
            Node::Attr(p) | Node::In { path: p, .. } | Node::Has { path: p, .. } => out.push(p),
            Node::Not(inner) => inner.paths(out),
            Node::And(items) | Node::Or(items) => items.iter().for_each(|n| n.paths(out)),
            Node::Cmp { lhs, rhs, .. } => {
                for side in [lhs, rhs] {
                    if let Operand::Attr(p, _) = side {
                        out.push(p);
                    }
                }
            }
        }
    }

    /// Binding strength for printing: `||` 1, `&&` 2, `!` 3, comparisons 4, atoms 5.
    fn precedence(&self) -> u8 {
        match self {
            Node::Or(_) => 1,
            Node::And(_) => 2,
            Node::Not(_) => 3,
            Node::Cmp { .. } | Node::In { .. } | Node::Has { .. } => 4,
            Node::Const(_) | Node::Attr(_) => 5,
        }
    }

    fn fmt_child(&self, f: &mut fmt::Formatter<'_>, parent: u8) -> fmt::Result {
        if self.precedence() <= parent {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Canonical form: single spaces around binary operators, parentheses only where needed
/// (plus around a comparison under `!`, for readability). Compiling the printed form gives
/// the same condition.
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Const(b) => write!(f, "{b}"),
            Node::Attr(p) => f.write_str(p),
            Node::Not(inner) => {
                f.write_str("!")?;
                // `!` binds tighter than a comparison in the grammar, but `!(a == "x")` reads
                // better than the equivalent `!a == "x"`, so comparisons get parentheses.
                if matches!(**inner, Node::Not(_) | Node::Const(_) | Node::Attr(_)) {
                    write!(f, "{inner}")
                } else {
                    write!(f, "({inner})")
                }
            }
            Node::And(items) | Node::Or(items) => {
                let (sep, prec) = if matches!(self, Node::And(_)) {
                    (" && ", 2)
                } else {
                    (" || ", 1)
                };
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    item.fmt_child(f, prec)?;
                }
                Ok(())
            }
            Node::Cmp { op, lhs, rhs } => write!(f, "{lhs} {} {rhs}", op.as_str()),
            Node::In { path, items, .. } => {
                write!(f, "{path} in [")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Node::Has { path, tag } => write!(f, "{path} has {}", quote(tag)),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Public entry points

/// Namespace for [`Expr::compile`].
#[derive(Debug, Clone, Copy)]
pub struct Expr;

impl Expr {
    /// Parses and type-checks `text` against `schema`.
    pub fn compile(text: &str, schema: &AttributeSchema) -> Result<Compiled, ExprError> {
        if text.len() > MAX_LEN {
            return Err(err(MAX_LEN, ExprErrorKind::TooLong { len: text.len() }));
        }
        let toks = lex(text)?;
        if toks.len() == 1 {
            return Err(err(text.len(), ExprErrorKind::Empty));
        }
        let mut parser = Parser {
            toks,
            pos: 0,
            depth: 0,
            nodes: 0,
        };
        let ast = parser.parse_or()?;
        if *parser.peek() != Tok::End {
            return Err(parser.unexpected("an operator or end of condition"));
        }
        let root = Checker { schema }.condition(ast)?;
        Ok(Compiled { root })
    }
}

/// A type-checked condition, ready to evaluate. `Display` prints its canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    root: Node,
}

impl Compiled {
    /// Evaluates the condition on `attrs`; each node is visited at most once. Missing or
    /// mistyped attributes follow the module's false-safe rule.
    pub fn eval(&self, attrs: &dyn Attributes) -> bool {
        self.root.eval(attrs)
    }

    /// The distinct attribute paths the condition reads, sorted.
    pub fn attributes(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.root.paths(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl fmt::Display for Compiled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> AttributeSchema {
        AttributeSchema::new()
            .with("flow.crosses_boundary", AttrType::Bool)
            .with("flow.encrypted_in_transit", AttrType::Bool)
            .with(
                "flow.authentication",
                AttrType::enumeration(&["none", "basic", "api_key", "password", "token", "mtls"]),
            )
            .with("flow.max_confidentiality", AttrType::Level)
            .with("flow.max_integrity", AttrType::Level)
            .with("flow.protocol", AttrType::Str)
            .with("flow.tags", AttrType::StrSet)
            .with("flow.from.internet_facing", AttrType::Bool)
    }

    fn subject(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn full() -> BTreeMap<String, Value> {
        subject(&[
            ("flow.crosses_boundary", Value::Bool(true)),
            ("flow.encrypted_in_transit", Value::Bool(false)),
            ("flow.authentication", Value::Str("api_key".into())),
            ("flow.max_confidentiality", Value::Level(Level::High)),
            ("flow.max_integrity", Value::Str("medium".into())),
            ("flow.protocol", Value::Str("http".into())),
            (
                "flow.tags",
                Value::StrSet(vec!["pci".into(), "legacy".into()]),
            ),
            ("flow.from.internet_facing", Value::Bool(false)),
        ])
    }

    fn eval(src: &str, attrs: &BTreeMap<String, Value>) -> bool {
        match Expr::compile(src, &schema()) {
            Ok(c) => c.eval(attrs),
            Err(e) => panic!("{src}: {e}"),
        }
    }

    fn compile_err(src: &str) -> ExprError {
        match Expr::compile(src, &schema()) {
            Ok(c) => panic!("{src} compiled to {c}"),
            Err(e) => e,
        }
    }

    #[test]
    fn every_operator() {
        let s = full();
        let cases: &[(&str, bool)] = &[
            ("flow.crosses_boundary", true),
            ("flow.encrypted_in_transit", false),
            ("!flow.encrypted_in_transit", true),
            ("true", true),
            ("false", false),
            ("flow.crosses_boundary && flow.encrypted_in_transit", false),
            ("flow.crosses_boundary || flow.encrypted_in_transit", true),
            ("flow.crosses_boundary == true", true),
            ("flow.crosses_boundary != true", false),
            ("flow.authentication == \"api_key\"", true),
            ("flow.authentication != \"api_key\"", false),
            ("\"api_key\" == flow.authentication", true),
            ("flow.max_confidentiality == \"high\"", true),
            ("flow.max_confidentiality < \"critical\"", true),
            ("flow.max_confidentiality <= \"high\"", true),
            ("flow.max_confidentiality > \"high\"", false),
            ("flow.max_confidentiality >= \"medium\"", true),
            ("\"medium\" < flow.max_confidentiality", true),
            ("\"critical\" <= flow.max_confidentiality", false),
            ("flow.max_confidentiality > flow.max_integrity", true),
            ("flow.max_integrity == \"medium\"", true),
            ("flow.protocol == \"http\"", true),
            ("flow.protocol in [\"http\", \"ftp\"]", true),
            ("flow.protocol in []", false),
            ("flow.authentication in [\"basic\", \"password\"]", false),
            ("flow.max_confidentiality in [\"high\", \"critical\"]", true),
            ("flow.tags has \"pci\"", true),
            ("flow.tags has \"PCI\"", false),
            ("!flow.from.internet_facing", true),
        ];
        for (src, want) in cases {
            assert_eq!(eval(src, &s), *want, "{src}");
        }
    }

    #[test]
    fn precedence() {
        let t = subject(&[
            ("flow.crosses_boundary", Value::Bool(true)),
            ("flow.encrypted_in_transit", Value::Bool(false)),
            ("flow.from.internet_facing", Value::Bool(false)),
        ]);
        // && binds tighter than ||.
        assert!(eval(
            "flow.crosses_boundary || flow.encrypted_in_transit && flow.from.internet_facing",
            &t
        ));
        assert!(!eval(
            "(flow.crosses_boundary || flow.encrypted_in_transit) && flow.from.internet_facing",
            &t
        ));
        // ! binds tighter than &&.
        assert!(!eval(
            "!flow.crosses_boundary && !flow.encrypted_in_transit",
            &t
        ));
        assert!(eval(
            "!(flow.crosses_boundary && flow.encrypted_in_transit)",
            &t
        ));
        // ! applies to the whole comparison.
        let c = Expr::compile("!flow.protocol == \"http\"", &schema()).unwrap();
        assert_eq!(c.to_string(), "!(flow.protocol == \"http\")");
    }

    #[test]
    fn display_is_canonical_and_reparses() {
        let cases = [
            (
                "a||b",
                "flow.crosses_boundary||flow.encrypted_in_transit",
                "flow.crosses_boundary || flow.encrypted_in_transit",
            ),
            (
                "nested or",
                "(flow.crosses_boundary || true) || false",
                "flow.crosses_boundary || true || false",
            ),
            (
                "or in and",
                "(flow.crosses_boundary || true) && false",
                "(flow.crosses_boundary || true) && false",
            ),
            (
                "not and",
                "!(true && flow.crosses_boundary)",
                "!(true && flow.crosses_boundary)",
            ),
            (
                "redundant",
                "((flow.crosses_boundary))",
                "flow.crosses_boundary",
            ),
            (
                "list",
                "flow.protocol in [\"a\\\"b\",\"c\\\\\"]",
                "flow.protocol in [\"a\\\"b\", \"c\\\\\"]",
            ),
            ("has", "flow.tags   has \"x\"", "flow.tags has \"x\""),
            (
                "not not",
                "!!flow.crosses_boundary",
                "!!flow.crosses_boundary",
            ),
        ];
        for (name, src, want) in cases {
            let c = Expr::compile(src, &schema()).unwrap();
            assert_eq!(c.to_string(), want, "{name}");
            let again = Expr::compile(&c.to_string(), &schema()).unwrap();
            assert_eq!(again, c, "{name}: reparse");
        }
    }

    #[test]
    fn missing_attributes_are_false_safe() {
        let empty = BTreeMap::new();
        let cases: &[(&str, bool)] = &[
            ("flow.crosses_boundary", false),
            ("!flow.encrypted_in_transit", true),
            ("flow.authentication == \"none\"", false),
            ("flow.authentication != \"none\"", false),
            ("!(flow.authentication == \"none\")", true),
            ("flow.max_confidentiality >= \"low\"", false),
            ("flow.protocol in [\"http\"]", false),
            ("flow.tags has \"pci\"", false),
            ("flow.crosses_boundary == false", false),
        ];
        for (src, want) in cases {
            assert_eq!(eval(src, &empty), *want, "{src}");
        }
        // A value of the wrong type counts as missing.
        let wrong = subject(&[
            ("flow.crosses_boundary", Value::Str("yes".into())),
            ("flow.max_confidentiality", Value::Str("extreme".into())),
            ("flow.tags", Value::Str("pci".into())),
        ]);
        assert!(!eval("flow.crosses_boundary", &wrong));
        assert!(!eval("flow.max_confidentiality >= \"low\"", &wrong));
        assert!(!eval("flow.tags has \"pci\"", &wrong));
    }

    #[test]
    fn type_errors_name_the_problem_and_position() {
        let cases: &[(&str, usize, &str)] = &[
            ("flow.crosses_boundary == \"high\"", 25, "is a boolean"),
            ("flow.protocol < \"x\"", 0, "needs a level"),
            ("flow.authentication >= \"none\"", 0, "needs a level"),
            (
                "flow.authentication == \"kerberos\"",
                23,
                "not a value of `flow.authentication`",
            ),
            ("flow.max_confidentiality >= \"huge\"", 28, "not a level"),
            ("flow.protocol", 0, "not a condition"),
            ("flow.tags == \"pci\"", 0, "string set"),
            ("flow.tags", 0, "string set"),
            ("\"x\"", 0, "not a condition"),
            ("\"a\" == \"b\"", 0, "two constants"),
            ("flow.protocol == true", 17, "not a boolean"),
            ("flow.protocol == flow.max_integrity", 17, "cannot compare"),
            ("flow.crosses_boundary in [\"x\"]", 0, "`in` needs"),
            ("flow.protocol has \"x\"", 0, "`has` needs a string set"),
            ("\"x\" has \"y\"", 0, "must be an attribute"),
            ("true in [\"y\"]", 0, "must be an attribute"),
            ("(true) == flow.crosses_boundary", 0, "parenthesised"),
            (
                "flow.max_integrity in [\"low\", \"bad\"]",
                30,
                "not a level",
            ),
        ];
        for (src, offset, needle) in cases {
            let e = compile_err(src);
            assert!(matches!(e.kind, ExprErrorKind::Type(_)), "{src}: {e:?}");
            assert_eq!(e.offset, *offset, "{src}: {e}");
            assert!(e.to_string().contains(needle), "{src}: {e}");
        }
    }

    #[test]
    fn unknown_attribute() {
        let e = compile_err("flow.crosses_boundary && flow.encrypted");
        assert_eq!(
            e.kind,
            ExprErrorKind::UnknownAttribute("flow.encrypted".into())
        );
        assert_eq!(e.offset, 25);
        assert_eq!(e.column("flow.crosses_boundary && flow.encrypted"), 26);
        assert_eq!(
            e.to_string(),
            "unknown attribute `flow.encrypted` (at byte 25)"
        );
    }

    #[test]
    fn syntax_errors_and_positions() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 0, "empty condition"),
            ("   ", 3, "empty condition"),
            ("flow.crosses_boundary &&", 24, "found end of condition"),
            (
                "flow.crosses_boundary & true",
                22,
                "unexpected character '&'",
            ),
            (
                "flow.crosses_boundary | true",
                22,
                "unexpected character '|'",
            ),
            ("flow.protocol = \"x\"", 14, "unexpected character '='"),
            ("(flow.crosses_boundary", 22, "expected `)`"),
            ("flow.crosses_boundary)", 21, "found `)`"),
            ("flow.protocol == \"abc", 17, "unterminated string"),
            ("flow.protocol == \"a\\nb\"", 19, "invalid escape"),
            ("flow.protocol == \"a\u{0}\"", 19, "control character"),
            ("flow.protocol in \"x\"", 17, "`[` after `in`"),
            ("flow.protocol in [\"x\" \"y\"]", 22, "`,` or `]`"),
            ("flow.protocol in [\"x\",]", 22, "a string in the list"),
            ("flow.protocol in [\"x\"", 21, "`,` or `]`"),
            ("flow.tags has pci", 14, "a string after `has`"),
            ("flow.", 5, "attribute name after `.`"),
            ("flow..x", 5, "attribute name after `.`"),
            ("Flow.x", 0, "unexpected character 'F'"),
            ("flow.crosses_boundary true", 22, "expected an operator"),
            ("é", 0, "unexpected character 'é'"),
        ];
        for (src, offset, needle) in cases {
            let e = compile_err(src);
            assert_eq!(e.offset, *offset, "{src:?}: {e}");
            assert!(e.to_string().contains(needle), "{src:?}: {e}");
        }
        let e = compile_err("flow.protocol == \"é\" && x");
        assert_eq!(e.offset, 25);
        assert_eq!(e.column("flow.protocol == \"é\" && x"), 25);
    }

    #[test]
    fn limits() {
        let long = format!("flow.protocol == \"{}\"", "a".repeat(MAX_LEN));
        assert!(matches!(
            compile_err(&long).kind,
            ExprErrorKind::TooLong { .. }
        ));
        let huge = "(".repeat(1 << 20);
        assert!(matches!(
            compile_err(&huge).kind,
            ExprErrorKind::TooLong { .. }
        ));

        let deep = format!(
            "{}true{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        let e = compile_err(&deep);
        assert_eq!(e.kind, ExprErrorKind::TooDeep);
        assert_eq!(e.offset, MAX_DEPTH);
        let ok = format!("{}true{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(Expr::compile(&ok, &schema()).is_ok());

        let nots = format!("{}true", "!".repeat(MAX_DEPTH + 1));
        assert_eq!(compile_err(&nots).kind, ExprErrorKind::TooDeep);
        let nots = format!("{}true", "!".repeat(MAX_DEPTH));
        assert!(eval(&nots, &BTreeMap::new()));
        // Found by fuzzing: the printed form of `!…!a == "x"` (`!…!(a == "x")`) must compile.
        let src = format!("{}flow.protocol == \"x\"", "!".repeat(MAX_DEPTH));
        let c = Expr::compile(&src, &schema()).unwrap();
        assert_eq!(Expr::compile(&c.to_string(), &schema()).unwrap(), c);
        let bang_paren = format!("{}true{}", "!(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(eval(&bang_paren, &BTreeMap::new()));

        // `a||b||…` with n operands has 2n-1 nodes.
        let many = vec!["true"; MAX_NODES / 2 + 1].join("||");
        let e = compile_err(&many);
        assert_eq!(e.kind, ExprErrorKind::TooManyNodes);
        assert_eq!(e.offset, many.len() - 4);
        let fits = vec!["true"; MAX_NODES / 2].join("||");
        assert!(eval(&fits, &BTreeMap::new()));

        let tokens = ")".repeat(MAX_TOKENS + 1);
        let e = compile_err(&tokens);
        assert_eq!(
            (e.kind, e.offset),
            (ExprErrorKind::TooManyTokens, MAX_TOKENS)
        );
    }

    #[test]
    fn hostile_input_never_panics() {
        let inputs = [
            "!".repeat(10_000),
            "(".repeat(10_000),
            "\"".to_owned(),
            "\"\\".to_owned(),
            "\0".to_owned(),
            "flow.protocol in [".to_owned(),
            "flow.protocol in [\"a\",".to_owned(),
            ")".to_owned(),
            "&&".to_owned(),
            "flow.protocol ==".to_owned(),
            "flow.tags has".to_owned(),
            "!".to_owned(),
            "a.".to_owned(),
        ];
        for input in &inputs {
            assert!(Expr::compile(input, &schema()).is_err(), "{input:?}");
        }
        // Non-UTF-8 input reaches the compiler lossily decoded; inside a string it is data.
        let lossy = String::from_utf8_lossy(b"flow.protocol == \"\xff\xfe\"");
        let c = Expr::compile(&lossy, &schema()).unwrap();
        assert!(!c.eval(&full()));
        let lossy = String::from_utf8_lossy(b"flow.\xff");
        assert!(Expr::compile(&lossy, &schema()).is_err());
        // Every prefix of a valid condition either compiles or errors.
        let src = "!(flow.crosses_boundary && flow.authentication in [\"none\", \"basic\"]) || flow.tags has \"p\\\"ci\"";
        for end in (0..=src.len()).filter(|&e| src.is_char_boundary(e)) {
            let _ = Expr::compile(&src[..end], &schema());
        }
    }

    #[test]
    fn attributes_lists_paths() {
        let c = Expr::compile(
            "flow.crosses_boundary && flow.max_confidentiality > flow.max_integrity || flow.crosses_boundary",
            &schema(),
        )
        .unwrap();
        assert_eq!(
            c.attributes(),
            [
                "flow.crosses_boundary",
                "flow.max_confidentiality",
                "flow.max_integrity"
            ]
        );
    }

    /// Property checks over generated expressions: `!!e == e` and De Morgan, on many subjects.
    /// A tiny deterministic generator (xorshift) keeps this dependency-free.
    #[test]
    fn double_negation_and_de_morgan() {
        struct Rng(u64);
        impl Rng {
            fn next(&mut self) -> u64 {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                self.0
            }
            fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
                items[(self.next() % items.len() as u64) as usize]
            }
        }
        fn gen_expr(rng: &mut Rng, depth: u32) -> String {
            if depth == 0 || rng.next().is_multiple_of(3) {
                return rng
                    .pick(&[
                        "flow.crosses_boundary",
                        "flow.encrypted_in_transit",
                        "flow.authentication == \"none\"",
                        "flow.max_confidentiality >= \"high\"",
                        "flow.protocol in [\"http\", \"ftp\"]",
                        "flow.tags has \"pci\"",
                        "flow.max_integrity != \"low\"",
                    ])
                    .to_owned();
            }
            let a = gen_expr(rng, depth - 1);
            let b = gen_expr(rng, depth - 1);
            match rng.next() % 3 {
                0 => format!("({a} && {b})"),
                1 => format!("({a} || {b})"),
                _ => format!("!({a})"),
            }
        }
        fn gen_subject(rng: &mut Rng) -> BTreeMap<String, Value> {
            let mut s = BTreeMap::new();
            let mut maybe = |rng: &mut Rng, k: &str, v: Value| {
                if !rng.next().is_multiple_of(4) {
                    s.insert(k.to_owned(), v);
                }
            };
            let b = rng.next().is_multiple_of(2);
            maybe(rng, "flow.crosses_boundary", Value::Bool(b));
            let b = rng.next().is_multiple_of(2);
            maybe(rng, "flow.encrypted_in_transit", Value::Bool(b));
            let a = rng.pick(&["none", "basic", "mtls"]).to_owned();
            maybe(rng, "flow.authentication", Value::Str(a));
            let l = Level::ALL[(rng.next() % 4) as usize];
            maybe(rng, "flow.max_confidentiality", Value::Level(l));
            let l = Level::ALL[(rng.next() % 4) as usize];
            maybe(rng, "flow.max_integrity", Value::Level(l));
            let p = rng.pick(&["http", "https"]).to_owned();
            maybe(rng, "flow.protocol", Value::Str(p));
            let t = rng.pick(&["pci", "other"]).to_owned();
            maybe(rng, "flow.tags", Value::StrSet(vec![t]));
            s
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let sc = schema();
        for _ in 0..300 {
            let a = gen_expr(&mut rng, 3);
            let b = gen_expr(&mut rng, 3);
            let e = Expr::compile(&a, &sc).unwrap();
            let nn = Expr::compile(&format!("!!({a})"), &sc).unwrap();
            let lhs = Expr::compile(&format!("!(({a}) && ({b}))"), &sc).unwrap();
            let rhs = Expr::compile(&format!("!({a}) || !({b})"), &sc).unwrap();
            let lhs2 = Expr::compile(&format!("!(({a}) || ({b}))"), &sc).unwrap();
            let rhs2 = Expr::compile(&format!("!({a}) && !({b})"), &sc).unwrap();
            let printed = Expr::compile(&e.to_string(), &sc).unwrap();
            for _ in 0..8 {
                let s = gen_subject(&mut rng);
                assert_eq!(nn.eval(&s), e.eval(&s), "{a}");
                assert_eq!(lhs.eval(&s), rhs.eval(&s), "{a} / {b}");
                assert_eq!(lhs2.eval(&s), rhs2.eval(&s), "{a} / {b}");
                assert_eq!(printed.eval(&s), e.eval(&s), "{a} printed as {e}");
            }
        }
    }
}
