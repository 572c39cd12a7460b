//! Tornado: the HTTP-verb methods of `RequestHandler` subclasses (and `prepare`), and a
//! `WebSocketHandler`'s `open`/`on_message`/`on_close`. Tornado calls them on its IOLoop,
//! the asyncio event loop, whether they are `async def` or plain `def`: a blocking call
//! in a sync `def get(self)` stalls every other request just the same.

use super::{functions_all, EntryKind, Frameworks, HTTP_METHODS};
use crate::project::{ClassId, Project};

const HANDLER: &str = "tornado.web.RequestHandler";
const WEBSOCKET: &str = "tornado.websocket.WebSocketHandler";

const WEBSOCKET_METHODS: &[&str] = &["on_close", "on_message", "open"];

pub(super) fn scan(project: &Project, out: &mut Frameworks) {
    for (id, func) in functions_all(project) {
        let Some(class) = func.class else {
            continue;
        };
        let name = func.name.as_str();
        let verb = HTTP_METHODS.contains(&name) || name == "prepare";
        if !verb && !WEBSOCKET_METHODS.contains(&name) {
            continue;
        }
        let c = ClassId {
            module: id.module,
            idx: class,
        };
        // A `WebSocketHandler` is a `RequestHandler` too, so both get the verb methods.
        let handles =
            project.derives_from(c, WEBSOCKET) || (verb && project.derives_from(c, HANDLER));
        if handles {
            out.handler(project, EntryKind::Route, id, "Tornado");
        }
    }
}
