//! Test suites: pytest-asyncio, anyio's pytest plugin and `IsolatedAsyncioTestCase` run
//! each test coroutine (and async fixture) on an event loop of the test runner's. A
//! blocking call there slows the test suite, never a request the service is serving, so
//! it is listed as acceptable, not reported.
//!
//! A test module is one under a `tests` or `test` package, or named `test_*`, `*_test`,
//! `tests` (Django's) or `conftest`: what pytest and Django collect. A module named `test`
//! is not (a service's `routes/test.py`). So is anything under a folder that holds
//! end-to-end or browser tests and the throwaway apps they drive ([`TEST_FOLDERS`]:
//! `e2e/`, `cypress/`, `playwright/`, ...). Only the test modules' own coroutines count:
//! service code that only tests call today is still the service's, and still reported.
//!
//! An async pytest fixture runs on the test runner's loop wherever it is written: a pytest
//! plugin ships its fixtures in an ordinary package (`myplugin/fixtures.py`), so a
//! coroutine decorated `@pytest.fixture` or `@pytest_asyncio.fixture` is a test's, in any
//! module.

use super::{Frameworks, Scan};
use crate::facts::decorator_callee;
use crate::off_loop::Reason;
use crate::project::{FnId, Project};

/// Folders of end-to-end, browser and integration suites: everything under them is test
/// code, the apps they start included. Only names no service package would take; a
/// plain `integration/` (often the service's integrations with other systems) is not one.
/// Sorted.
const TEST_FOLDERS: &[&str] = &[
    "acceptance_tests",
    "cypress",
    "e2e",
    "e2e_tests",
    "end_to_end",
    "end_to_end_tests",
    "functional_tests",
    "integration_tests",
    "playwright",
    "system_tests",
];

/// The decorators that make a function a pytest fixture, as the catalogue names them.
const FIXTURE_DECORATORS: &[&str] = &["pytest.fixture", "pytest_asyncio.fixture"];

pub(super) fn is_test_module(name: &str) -> bool {
    let (packages, last) = name.rsplit_once('.').unwrap_or(("", name));
    packages
        .split('.')
        .any(|p| p == "tests" || p == "test" || TEST_FOLDERS.contains(&p))
        || last == "tests"
        || last == "conftest"
        || last.starts_with("test_")
        || last.ends_with("_test")
}

/// Whether a function is decorated `@pytest.fixture` (`@pytest.fixture(scope=...)`,
/// `@pytest_asyncio.fixture`, `@fixture` imported from either).
fn is_fixture(project: &Project, id: FnId, func: &crate::facts::Function) -> bool {
    func.decorators.iter().any(|d| {
        let v = project.eval(id.module, decorator_callee(d));
        FIXTURE_DECORATORS.contains(&super::external_name(&v).as_ref())
    })
}

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (id, func) in scan.decorated() {
        if func.is_async && is_fixture(project, id, func) {
            out.off(id, Reason::Test);
            out.tests.insert(id);
        }
    }
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
    use super::{is_test_module, TEST_FOLDERS};

    #[test]
    fn the_test_folders_are_sorted_and_unique() {
        assert!(TEST_FOLDERS.windows(2).all(|w| w[0] < w[1]));
    }

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
            "e2e.app.main",
            "frontend.cypress.server",
            "integration_tests.api",
        ] {
            assert!(is_test_module(name), "{name}");
        }
        for name in [
            "app.api",
            "app.testing",
            "contest",
            "app.latest_test_results",
            "app.routes.test",
            "app.integration.stripe",
            "app.e2e_helpers",
            "cypress_support",
        ] {
            assert!(!is_test_module(name), "{name}");
        }
    }
}
