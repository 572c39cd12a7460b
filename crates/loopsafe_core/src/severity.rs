//! How much a finding matters: what one call costs the loop ([`Cost`], from the
//! catalogue), times how often it runs ([`Frequency`], from the analysis). The principle:
//! how long the call can hold up *other* requests, times how often that happens.

use crate::catalogue::Cost;

/// How often a blocking call runs, as far as the analysis can tell.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    /// On the first call only (a cached function, a one-time set-up) or at startup: every
    /// entry point that reaches it is a startup or lifespan handler.
    Once,
    /// Each time a request (or event) runs it: reached from a route, a middleware, a
    /// dependency or a handler; with no framework detected, from any coroutine.
    PerRequest,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Once => "once",
            Frequency::PerRequest => "per-request",
        }
    }

    /// The frequency of a finding that blocks on the first call only when `runs_once`,
    /// reached only from startup or lifespan handlers when `at_startup_only`.
    pub fn of(runs_once: bool, at_startup_only: bool) -> Frequency {
        if runs_once || at_startup_only {
            Frequency::Once
        } else {
            Frequency::PerRequest
        }
    }
}

/// How much a finding matters; ordered from least to most. The default is the least
/// severity shown by default: medium.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    #[default]
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// The severity a setting names (`min-severity = "low"`).
    pub fn from_name(name: &str) -> Option<Severity> {
        [Severity::Low, Severity::Medium, Severity::High]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// The severity of a call of this cost, run this often, behind a condition or not.
///
/// - An unbounded wait is never below medium: even once, it can hold every request up
///   for as long as the other side takes.
/// - A metadata syscall or no I/O at all is always low: microseconds.
/// - A fixed slow cost stays visible even once (a 100 ms client build on the first
///   request is felt by every request in flight then).
/// - Work on data is low once (a cached configuration file), medium per request.
/// - A wait or a slow call on every request is high; behind a condition, medium.
pub fn assess(cost: Cost, frequency: Frequency, conditional: bool) -> Severity {
    match (cost, frequency) {
        (Cost::None | Cost::Light, _) => Severity::Low,
        (Cost::Data, Frequency::Once) => Severity::Low,
        (Cost::Data, Frequency::PerRequest) => Severity::Medium,
        (Cost::Slow | Cost::Wait, Frequency::Once) => Severity::Medium,
        (Cost::Slow | Cost::Wait, Frequency::PerRequest) if conditional => Severity::Medium,
        (Cost::Slow | Cost::Wait, Frequency::PerRequest) => Severity::High,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COSTS: [Cost; 5] = [Cost::None, Cost::Light, Cost::Data, Cost::Slow, Cost::Wait];
    const FREQUENCIES: [Frequency; 2] = [Frequency::Once, Frequency::PerRequest];

    #[test]
    fn the_fixed_points_hold() {
        for f in FREQUENCIES {
            for c in [false, true] {
                assert!(assess(Cost::Wait, f, c) >= Severity::Medium);
                assert!(assess(Cost::Slow, f, c) >= Severity::Medium);
                assert_eq!(assess(Cost::Light, f, c), Severity::Low);
                assert_eq!(assess(Cost::None, f, c), Severity::Low);
            }
        }
        assert_eq!(assess(Cost::Data, Frequency::Once, false), Severity::Low);
        assert_eq!(
            assess(Cost::Data, Frequency::PerRequest, false),
            Severity::Medium
        );
        assert_eq!(
            assess(Cost::Wait, Frequency::PerRequest, false),
            Severity::High
        );
        assert_eq!(
            assess(Cost::Slow, Frequency::PerRequest, false),
            Severity::High
        );
        assert_eq!(
            assess(Cost::Wait, Frequency::PerRequest, true),
            Severity::Medium
        );
    }

    /// A costlier call, or one run more often, is never less severe.
    #[test]
    fn severity_grows_with_cost_and_frequency() {
        for c in [false, true] {
            for f in FREQUENCIES {
                for pair in COSTS.windows(2) {
                    assert!(assess(pair[0], f, c) <= assess(pair[1], f, c));
                }
            }
            for cost in COSTS {
                assert!(assess(cost, Frequency::Once, c) <= assess(cost, Frequency::PerRequest, c));
                assert!(
                    assess(cost, Frequency::PerRequest, true)
                        <= assess(cost, Frequency::PerRequest, false)
                );
            }
        }
    }
}
