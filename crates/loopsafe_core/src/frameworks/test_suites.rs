//! Test suites: pytest-asyncio, anyio's pytest plugin and `IsolatedAsyncioTestCase` run
//! each test coroutine (and async fixture) on an event loop of the test runner's. A
//! blocking call there slows the test suite, never a request the service is serving, so
//! it is listed as acceptable, not reported.
//!
//! A test module is one under a `tests` or `test` package, or named `test_*`, `*_test`,
//! `tests` (Django's) or `conftest`: what pytest and Django collect. A module named `test`
//! is not (a service's `routes/test.py`). Only the test modules' own coroutines count:
//! service code that only tests call today is still the service's, and still reported.

use super::Frameworks;
use crate::off_loop::Reason;
use crate::project::{FnId, Project};

pub(super) fn is_test_module(name: &str) -> bool {
    let (packages, last) = name.rsplit_once('.').unwrap_or(("", name));
    packages.split('.').any(|p| p == "tests" || p == "test")
        || last == "tests"
        || last == "conftest"
        || last.starts_with("test_")
        || last.ends_with("_test")
}

pub(super) fn scan(project: &Project, out: &mut Frameworks) {
    for (m, facts) in project.modules.iter().enumerate() {
        if !is_test_module(&facts.name) {
            continue;
        }
        for (idx, func) in facts.functions.iter().enumerate() {
            if func.is_async {
                let f = FnId {
                    module: m as u32,
                    idx: idx as u32,
                };
                out.off(f, Reason::Test);
                out.tests.insert(f);
            }
        }
    }
}

#[cfg(test)]
mod unit {
    use super::is_test_module;

    #[test]
    fn test_modules_are_named_as_pytest_finds_them() {
        for name in [
            "tests.test_api",
            "app.tests.helpers",
            "test_api",
            "api_test",
            "conftest",
            "shop.tests",
            "test.helpers",
        ] {
            assert!(is_test_module(name), "{name}");
        }
        for name in [
            "app.api",
            "app.testing",
            "contest",
            "app.latest_test_results",
            "app.routes.test",
        ] {
            assert!(!is_test_module(name), "{name}");
        }
    }
}
