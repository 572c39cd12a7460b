//! Home Assistant: it sets an integration up (`async_setup_entry`, `async_setup`,
//! platforms, entities added) while it is already serving: at start-up the other
//! integrations, automations and the UI run on the same loop, and an integration added
//! or reloaded later is set up in the middle of everything. Home Assistant's own detector
//! reports a blocking call there as a bug, and integrations' authors fix them, so that
//! code is rated as any event is, not "once, at startup". The exception is what runs as
//! Home Assistant stops: a listener on `EVENT_HOMEASSISTANT_STOP` (or `_FINAL_WRITE`,
//! `_CLOSE`) given to `hass.bus.async_listen_once` runs once, at shutdown.

use super::{function_arg, last_name, EntryKind, Frameworks, Scan};
use crate::project::{Project, Value};

/// The events Home Assistant fires once, as it stops. Sorted.
const STOP_EVENTS: &[&str] = &[
    "EVENT_HOMEASSISTANT_CLOSE",
    "EVENT_HOMEASSISTANT_FINAL_WRITE",
    "EVENT_HOMEASSISTANT_STOP",
];

pub(super) fn scan(project: &Project, scan: &Scan, out: &mut Frameworks) {
    for (caller, call) in scan.calls_named(&["async_listen_once"]) {
        let stops = call
            .arg(0, Some("event_type"))
            .and_then(|a| last_name(&a.value))
            .is_some_and(|event| STOP_EVENTS.binary_search(&event).is_ok());
        if !stops {
            continue;
        }
        if let Some(Value::Function(f)) = function_arg(project, caller.module, call, 1, "listener")
        {
            if project.modules.function(f).is_async {
                out.entry(EntryKind::Shutdown, f, "Home Assistant");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted() {
        assert!(STOP_EVENTS.windows(2).all(|w| w[0] < w[1]));
    }
}
