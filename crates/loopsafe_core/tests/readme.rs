//! The README's "What it finds" table is generated from the catalogue's rows
//! (`loopsafe_core::catalogue::docs::readme_table`). This test fails when README.md's
//! copy differs; `UPDATE_README=1 cargo test -p loopsafe_core --test readme` rewrites it.

use std::path::PathBuf;

const START: &str = "<!-- what-it-finds: generated from the catalogue by crates/loopsafe_core/tests/readme.rs (UPDATE_README=1 to rewrite) -->\n";
const END: &str = "<!-- what-it-finds: end -->\n";

#[test]
fn readme_lists_what_the_catalogue_finds() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let start = readme.find(START).expect("README.md has the start marker") + START.len();
    let end = start
        + readme[start..]
            .find(END)
            .expect("README.md has the end marker");
    let expected = loopsafe_core::catalogue::docs::readme_table();
    if readme[start..end] == expected {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    panic!(
        "README.md's \"What it finds\" table differs from the catalogue; rerun with \
         UPDATE_README=1 to rewrite it. Expected:\n\n{expected}"
    );
}
