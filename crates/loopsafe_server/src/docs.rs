//! Where a diagnostic's code links to: the rule's documentation, as `loopsafe rule CODE`
//! prints it, written once to a Markdown file in the temporary directory. loopsafe has
//! no documentation site, and a file opens in any editor without a network.

use std::collections::HashMap;
use std::path::PathBuf;

use loopsafe_core::catalogue::docs::render_doc;
use loopsafe_core::rules::Rule;
use lsp_types::Url;

#[derive(Default)]
pub struct RuleDocs {
    written: HashMap<Rule, Option<Url>>,
}

impl RuleDocs {
    /// The documentation's address; `None` if it cannot be written.
    pub fn url(&mut self, rule: Rule) -> Option<Url> {
        self.written
            .entry(rule)
            .or_insert_with(|| write(rule))
            .clone()
    }
}

fn write(rule: Rule) -> Option<Url> {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("loopsafe-{}-rules", env!("CARGO_PKG_VERSION")));
    std::fs::create_dir_all(&dir).ok()?;
    let info = rule.info();
    let path = dir.join(format!("{}.md", info.code));
    let text = render_doc(info);
    // Another server may have written it already; the text is the same for a version.
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        let tmp = dir.join(format!("{}.{}.tmp", info.code, std::process::id()));
        std::fs::write(&tmp, &text).ok()?;
        std::fs::rename(&tmp, &path).ok()?;
    }
    Url::from_file_path(&path).ok()
}
