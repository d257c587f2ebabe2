//! A bounded, thread-safe cache of compiled filters keyed by (dialect, strictness, text).
//!
//! Front-ends see the same subscription expression again and again (every heartbeat, every pull);
//! compiling it once per distinct text is the point. Failures are cached too, as RocketMQ does, so a bad
//! expression is not re-parsed on every request. Eviction is a two-generation scheme (an approximation of
//! LRU with O(1) cost): entries live in `current` until it fills, then `current` becomes `previous` and
//! the old `previous` is dropped; a hit in `previous` is promoted. Compilation runs outside the lock.

use std::collections::HashMap;

use parking_lot::Mutex;

use crate::error::FilterError;
use crate::filter::{compile, Dialect, Filter};
use crate::options::{CompileOptions, Limits};

type Variant = (Dialect, bool);
type Compiled = Result<Filter, FilterError>;
/// Per expression text, the variants compiled for it (usually one).
type Generation = HashMap<Box<str>, Vec<(Variant, Compiled)>>;

/// Compiled filters, at most `capacity` of them.
pub struct FilterCache {
    limits: Limits,
    generation_size: usize,
    inner: Mutex<Generations>,
}

#[derive(Default)]
struct Generations {
    current: Generation,
    current_len: usize,
    previous: Generation,
}

impl FilterCache {
    /// Default number of entries (RocketMQ keeps 100; mqgate serves many protocols at once).
    pub const DEFAULT_CAPACITY: usize = 1024;

    /// A cache of at most `capacity` entries compiled with `limits`.
    pub fn new(capacity: usize, limits: Limits) -> Self {
        FilterCache {
            limits,
            generation_size: (capacity / 2).max(1),
            inner: Mutex::new(Generations::default()),
        }
    }

    /// The cached result for (`dialect`, `strict`, `text`), compiling on a miss.
    pub fn get_or_compile(
        &self,
        dialect: Dialect,
        strict: bool,
        text: &str,
    ) -> Result<Filter, FilterError> {
        let variant = (dialect, strict);
        {
            let mut g = self.inner.lock();
            if let Some(hit) = find(&g.current, text, variant) {
                return hit;
            }
            if let Some(hit) = find(&g.previous, text, variant) {
                self.insert(&mut g, text, variant, hit.clone());
                return hit;
            }
        }
        let compiled = compile(
            dialect,
            text,
            &CompileOptions {
                strict,
                limits: self.limits,
            },
        );
        let mut g = self.inner.lock();
        if find(&g.current, text, variant).is_none() {
            self.insert(&mut g, text, variant, compiled.clone());
        }
        compiled
    }

    fn insert(&self, g: &mut Generations, text: &str, variant: Variant, compiled: Compiled) {
        if g.current_len >= self.generation_size {
            g.previous = std::mem::take(&mut g.current);
            g.current_len = 0;
        }
        g.current
            .entry(text.into())
            .or_default()
            .push((variant, compiled));
        g.current_len += 1;
    }

    /// Number of cached entries (both generations; an entry promoted from the older one may count twice).
    pub fn len(&self) -> usize {
        let g = self.inner.lock();
        g.current_len + g.previous.values().map(Vec::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        *self.inner.lock() = Generations::default();
    }
}

impl Default for FilterCache {
    fn default() -> Self {
        FilterCache::new(Self::DEFAULT_CAPACITY, Limits::default())
    }
}

fn find(generation: &Generation, text: &str, variant: Variant) -> Option<Compiled> {
    generation
        .get(text)?
        .iter()
        .find(|(v, _)| *v == variant)
        .map(|(_, compiled)| compiled.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::NoProperties;

    #[test]
    fn returns_the_same_result_for_the_same_key() {
        let cache = FilterCache::default();
        let a = cache
            .get_or_compile(Dialect::Sql92, false, "TRUE")
            .expect("compiles");
        let b = cache
            .get_or_compile(Dialect::Sql92, false, "TRUE")
            .expect("compiles");
        assert!(a.matches(&NoProperties) && b.matches(&NoProperties));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn strictness_is_part_of_the_key() {
        let cache = FilterCache::default();
        assert!(cache
            .get_or_compile(Dialect::Sql92, false, "TRUE junk")
            .is_ok());
        assert!(cache
            .get_or_compile(Dialect::Sql92, true, "TRUE junk")
            .is_err());
        assert!(cache
            .get_or_compile(Dialect::Jms, false, "TRUE junk")
            .is_err());
    }

    #[test]
    fn stays_within_capacity() {
        let cache = FilterCache::new(10, Limits::default());
        for i in 0..100 {
            let _ = cache.get_or_compile(Dialect::Sql92, false, &format!("a = '{i}'"));
        }
        assert!(cache.len() <= 10, "{}", cache.len());
    }

    #[test]
    fn failures_are_cached() {
        let cache = FilterCache::default();
        let e1 = cache
            .get_or_compile(Dialect::Sql92, false, "a =")
            .expect_err("rejected");
        let e2 = cache
            .get_or_compile(Dialect::Sql92, false, "a =")
            .expect_err("rejected");
        assert_eq!(e1, e2);
        assert_eq!(cache.len(), 1);
    }
}
