//! Messages for the client's log (`window/logMessage`) and for the user
//! (`window/showMessage`).

use lsp_server::{Connection, Message, Notification};
use lsp_types::notification::{LogMessage, Notification as _, ShowMessage};
use lsp_types::{LogMessageParams, MessageType, ShowMessageParams};

pub fn log(connection: &Connection, typ: MessageType, message: impl Into<String>) {
    let params = LogMessageParams {
        typ,
        message: message.into(),
    };
    let _ = connection
        .sender
        .send(Message::Notification(Notification::new(
            LogMessage::METHOD.to_string(),
            params,
        )));
}

pub fn show(connection: &Connection, typ: MessageType, message: impl Into<String>) {
    let params = ShowMessageParams {
        typ,
        message: message.into(),
    };
    let _ = connection
        .sender
        .send(Message::Notification(Notification::new(
            ShowMessage::METHOD.to_string(),
            params,
        )));
}

/// What a caught panic said.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}
