//! Stack headroom for the recursive parts of compiling: `sqlparser`'s descent, our lowering, and
//! dropping `sqlparser` ASTs, which the parser itself does recursively when it fails half-way.
//!
//! Two things need stack: each nesting level (about 32 KiB in debug builds, 6 KiB in release builds,
//! bounded by [`crate::Limits::max_depth`]), and freeing a left-nested operator chain (`a = a = …`,
//! `x OR y OR …`), which takes a few hundred bytes per operator and is bounded only by the token count.
//! So the reserve grows with the number of tokens, and every nesting level checks it and continues on
//! a freshly allocated stack segment when it runs short. Small expressions never allocate.

/// Stack kept free at every nesting level whatever the expression size.
const BASE_RED_ZONE: usize = 256 * 1024;
/// Extra stack kept free per token, enough to drop an operator chain of that length recursively.
const PER_TOKEN: usize = 512;
/// Smallest stack segment allocated when the reserve runs short.
const MIN_SEGMENT: usize = 4 * 1024 * 1024;

/// How much stack must remain before recursing, for one expression.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StackBudget {
    red_zone: usize,
    segment: usize,
}

impl StackBudget {
    pub fn for_tokens(tokens: usize) -> Self {
        let red_zone = BASE_RED_ZONE.saturating_add(tokens.saturating_mul(PER_TOKEN));
        StackBudget {
            red_zone,
            segment: red_zone.saturating_mul(2).max(MIN_SEGMENT),
        }
    }

    /// Runs `f`, first moving to a new stack segment if less than the reserve remains.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        stacker::maybe_grow(self.red_zone, self.segment, f)
    }

    /// [`StackBudget::run`] at every 8th level of a recursion whose frames are small (a few hundred
    /// bytes), which the red zone covers many times over; the levels in between run directly.
    pub fn run_every<R>(&self, depth: usize, f: impl FnOnce() -> R) -> R {
        if depth & 7 == 0 {
            self.run(f)
        } else {
            f()
        }
    }
}
