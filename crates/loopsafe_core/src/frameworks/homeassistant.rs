//! Home Assistant: listeners it calls once, as it starts or stops. What blocks in a
//! callback given to `hass.bus.async_listen_once(EVENT_HOMEASSISTANT_START, cb)` or
//! `async_at_started(hass, cb)` holds the loop up once, while Home Assistant starts; in
//! one listening for `EVENT_HOMEASSISTANT_STOP`, as it stops. Integration set-up itself
//! (`async_setup_entry`) is start-up by name ([`super::startup`]); everything else an
//! integration does (entity updates, services, listeners on other events) runs whenever
//! its event comes, as the analysis assumes of any coroutine.

use super::{function_arg, last_name, EntryKind, Frameworks, Scan};
use crate::project::{Project, Value};

/// The events Home Assistant fires once, and what a listener on each is. Sorted.
const ONCE_EVENTS: &[(&str, EntryKind)] = &[
    ("EVENT_HOMEASSISTANT_CLOSE", EntryKind::Shutdown),
    ("EVENT_HOMEASSISTANT_FINAL_WRITE", EntryKind::Shutdown),
    ("EVENT_HOMEASSISTANT_START", EntryKind::Startup),
    ("EVENT_HOMEASSISTANT_STARTED", EntryKind::Startup),
    ("EVENT_HOMEASSISTANT_STOP", EntryKind::Shutdown),
];

/// `homeassistant.helpers.start`'s helpers: run the callback once Home Assistant has
/// started (at once if it has). Sorted.
const AT_START: &[&str] = &["async_at_start", "async_at_started"];

/// The calls that register such a callback. Sorted.
const REGISTRATIONS: &[&str] = &["async_at_start", "async_at_started", "async_listen_once"];

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (caller, call) in scan.calls_named(REGISTRATIONS) {
        // Both take the callback second: `(event_type, listener)`, `(hass, at_start_cb)`.
        let (kind, keyword) = if AT_START.contains(&last_name(&call.callee).unwrap_or_default()) {
            (EntryKind::Startup, "at_start_cb")
        } else {
            let event = call
                .arg(0, Some("event_type"))
                .and_then(|a| last_name(&a.value));
            let Some(i) = event.and_then(|e| ONCE_EVENTS.binary_search_by_key(&e, |(n, _)| n).ok())
            else {
                continue;
            };
            (ONCE_EVENTS[i].1, "listener")
        };
        if let Some(Value::Function(f)) = function_arg(project, caller.module, call, 1, keyword) {
            if project.modules.function(f).is_async {
                out.entry(kind, f, "Home Assistant");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted() {
        assert!(ONCE_EVENTS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(AT_START.windows(2).all(|w| w[0] < w[1]));
        assert!(REGISTRATIONS.windows(2).all(|w| w[0] < w[1]));
    }
}
