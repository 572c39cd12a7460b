//! Messages for the client's log (`window/logMessage`) and for the user
//! (`window/showMessage`).

use lsp_server::{Connection, Message, Notification};
use lsp_types::notification::{LogMessage, Notification as LspNotification, ShowMessage};
use lsp_types::{LogMessageParams, MessageType, ShowMessageParams};

pub fn log(connection: &Connection, typ: MessageType, message: impl Into<String>) {
    let message = message.into();
    notify::<LogMessage>(connection, LogMessageParams { typ, message });
}

pub fn show(connection: &Connection, typ: MessageType, message: impl Into<String>) {
    let message = message.into();
    notify::<ShowMessage>(connection, ShowMessageParams { typ, message });
}

/// Sends a notification; a client that has gone away is no error here.
fn notify<N: LspNotification>(connection: &Connection, params: N::Params) {
    let notification = Notification::new(N::METHOD.to_string(), params);
    let _ = connection.sender.send(Message::Notification(notification));
}

/// What a caught panic said.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}
