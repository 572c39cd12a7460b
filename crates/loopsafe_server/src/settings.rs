//! What the editor asks for (`initializationOptions`, `workspace/didChangeConfiguration`)
//! on top of each project's own configuration, read as `loopsafe check` reads it.

use std::path::{Path, PathBuf};

use loopsafe_core::config::{self, ConfigError, Settings};
use loopsafe_core::severity::Severity;
use serde_json::Value;

/// The client's settings. Each is optional: what the client leaves out, the project's
/// configuration (or loopsafe's default) decides.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientSettings {
    /// `minSeverity`: "low", "medium" or "high".
    pub min_severity: Option<Severity>,
    /// `unsafeFixes`: offer the fixes that need a review, labelled "(unsafe)".
    pub unsafe_fixes: bool,
    /// `configPath`: a configuration file to use instead of looking for one.
    pub config_path: Option<PathBuf>,
}

impl ClientSettings {
    /// Reads `{"minSeverity": ..., "unsafeFixes": ..., "configPath": ...}`, either as it
    /// is or under a `loopsafe` key (how most editors nest a server's settings). Returns
    /// the settings and a message for each value that could not be used.
    pub fn from_json(value: &Value) -> (ClientSettings, Vec<String>) {
        ClientSettings::default().updated(value)
    }

    /// These settings with the values `value` gives: a key left out keeps its value.
    /// Editors send `workspace/didChangeConfiguration` with empty or unrelated settings
    /// (Neovim sends `{}` at start), which must not undo `initializationOptions`; a key
    /// set to null goes back to the default.
    pub fn updated(&self, value: &Value) -> (ClientSettings, Vec<String>) {
        let value = value.get("loopsafe").unwrap_or(value);
        let mut problems = vec![];
        let mut settings = self.clone();
        match value.get("minSeverity") {
            None => {}
            Some(Value::Null) => settings.min_severity = None,
            Some(v) => match v.as_str().and_then(Severity::from_name) {
                Some(s) => settings.min_severity = Some(s),
                None => problems.push(format!(
                    "minSeverity is {v}: it should be \"low\", \"medium\" or \"high\""
                )),
            },
        }
        match value.get("unsafeFixes") {
            None => {}
            Some(Value::Null) => settings.unsafe_fixes = false,
            Some(Value::Bool(b)) => settings.unsafe_fixes = *b,
            Some(v) => problems.push(format!("unsafeFixes is {v}: it should be true or false")),
        }
        match value.get("configPath") {
            None => {}
            Some(Value::Null) => settings.config_path = None,
            Some(Value::String(s)) if !s.is_empty() => {
                settings.config_path = Some(PathBuf::from(s));
            }
            Some(v) => problems.push(format!("configPath is {v}: it should be a file path")),
        }
        (settings, problems)
    }

    /// The settings for the project at `root`: its configuration file (or the client's
    /// `configPath`, relative to the root), then the client's minimum severity.
    pub fn project(&self, root: &Path) -> Result<Settings, ConfigError> {
        let file = match &self.config_path {
            Some(path) => Some(root.join(path)),
            None => config::find_config(root),
        };
        let mut settings = match file {
            Some(path) => config::load(&path)?,
            None => Settings::defaults(root.to_path_buf()),
        };
        if let Some(min) = self.min_severity {
            settings.min_severity = min;
        }
        settings.console_scripts = config::console_scripts(root);
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_are_read_flat_or_under_loopsafe_and_bad_values_are_named() {
        let (s, problems) = ClientSettings::from_json(&json!({
            "loopsafe": {"minSeverity": "low", "unsafeFixes": true, "configPath": "ci/loopsafe.toml"}
        }));
        assert_eq!(s.min_severity, Some(Severity::Low));
        assert!(s.unsafe_fixes);
        assert_eq!(s.config_path, Some(PathBuf::from("ci/loopsafe.toml")));
        assert!(problems.is_empty());
        let (s, problems) = ClientSettings::from_json(&json!({"minSeverity": "urgent"}));
        assert_eq!(s, ClientSettings::default());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("urgent"), "{problems:?}");
    }

    #[test]
    fn a_change_keeps_what_it_does_not_name() {
        let (start, _) =
            ClientSettings::from_json(&json!({"unsafeFixes": true, "minSeverity": "low"}));
        let (same, _) = start.updated(&json!({}));
        assert_eq!(same, start);
        let (same, _) = start.updated(&Value::Null);
        assert_eq!(same, start);
        let (changed, _) = start.updated(&json!({"loopsafe": {"minSeverity": null}}));
        assert_eq!(changed.min_severity, None);
        assert!(changed.unsafe_fixes);
    }
}
