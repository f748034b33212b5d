//! The seam between the helper's core and the process it runs in: environment
//! variables and the clock. The binary passes [`ProcessEnvironment`]; tests pass a
//! fixed map and a fixed `now`, so resolution and cache freshness are tested without
//! touching the real environment.

use crate::time::Timestamp;

/// Where the core reads environment variables and the time from.
pub trait Environment {
    /// The value of `name`, or `None` when unset, empty or not UTF-8.
    fn var(&self, name: &str) -> Option<String>;
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The real process environment and system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|value| !value.is_empty())
    }

    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A fixed set of variables and a fixed time, for unit tests.
#[cfg(test)]
#[derive(Debug, Clone, Default)]
pub struct FixedEnvironment {
    /// The variables.
    pub vars: std::collections::HashMap<String, String>,
    /// The time `now()` returns.
    pub now: Timestamp,
}

#[cfg(test)]
impl FixedEnvironment {
    /// An environment with the given variables at time `now`.
    pub fn new<'a>(vars: impl IntoIterator<Item = (&'a str, &'a str)>, now: Timestamp) -> Self {
        let vars = vars
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        FixedEnvironment { vars, now }
    }
}

#[cfg(test)]
impl Environment for FixedEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).filter(|value| !value.is_empty()).cloned()
    }

    fn now(&self) -> Timestamp {
        self.now
    }
}
