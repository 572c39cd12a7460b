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
        let value = value.get("loopsafe").unwrap_or(value);
        let mut problems = vec![];
        let mut settings = ClientSettings::default();
        match value.get("minSeverity") {
            None | Some(Value::Null) => {}
            Some(v) => match v.as_str().and_then(Severity::from_name) {
                Some(s) => settings.min_severity = Some(s),
                None => problems.push(format!(
                    "minSeverity is {v}: it should be \"low\", \"medium\" or \"high\""
                )),
            },
        }
        match value.get("unsafeFixes") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => settings.unsafe_fixes = *b,
            Some(v) => problems.push(format!("unsafeFixes is {v}: it should be true or false")),
        }
        match value.get("configPath") {
            None | Some(Value::Null) => {}
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
}
