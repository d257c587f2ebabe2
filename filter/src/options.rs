//! Compile options and the resource limits that keep hostile expressions cheap to reject.

/// Bounds on what [`crate::compile`] accepts. The defaults admit any realistic subscription and keep
/// compile time, memory and stack depth small for everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Longest expression text, in bytes.
    pub max_len: usize,
    /// Most tokens (words, literals, operators) in the text.
    pub max_tokens: usize,
    /// Deepest nesting of parentheses, unary operators and operands. Clamped to [`Limits::DEPTH_CAP`].
    pub max_depth: usize,
    /// Most items in one `IN (...)` list.
    pub max_in_list: usize,
}

impl Limits {
    /// Upper bound applied to [`Limits::max_depth`] whatever is configured: compiling and evaluating
    /// recurse once per level, and this keeps that well inside a small thread stack.
    pub const DEPTH_CAP: usize = 1000;

    pub(crate) fn depth(&self) -> usize {
        self.max_depth.clamp(1, Self::DEPTH_CAP)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_len: 16 * 1024,
            max_tokens: 4096,
            max_depth: 128,
            max_in_list: 1024,
        }
    }
}

/// How to compile an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CompileOptions {
    /// SQL92 only: reject text after the end of the expression. Apache RocketMQ silently ignores it
    /// (`a = 'x' garbage` means `a = 'x'`), and so does mqgate unless this is set. JMS is always strict.
    pub strict: bool,
    /// Resource limits.
    pub limits: Limits,
}

impl CompileOptions {
    /// Default limits with the given strictness.
    pub fn strict(strict: bool) -> Self {
        CompileOptions {
            strict,
            ..Default::default()
        }
    }
}
