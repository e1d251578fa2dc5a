//! Fuzzes the export reader (`import`): the input is a folder packed as
//! text, `=== relative/path.json` lines each followed by that file's
//! content. Every folder must import or fail with a located error, never
//! panic. Seeds: the fixture exports (scripts/fuzz.sh packs them).

#![no_main]

use std::path::{Component, Path};

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let dir = std::env::temp_dir().join(format!("accessgraph-fuzz-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    for part in text.split("=== ").skip(1) {
        let (path, content) = part.split_once('\n').unwrap_or((part, ""));
        let rel = Path::new(path.trim());
        let safe = !rel.as_os_str().is_empty()
            && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !safe {
            continue;
        }
        let file = dir.join(rel);
        if let Some(parent) = file.parent() {
            if std::fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        let _ = std::fs::write(&file, content);
    }
    if let Ok(snapshot) = accessgraph::load::import::import_dir(&dir) {
        // What imports also reads back as a snapshot.
        let _ = accessgraph::snapshot::Snapshot::from_json(&snapshot.to_json());
    }
    let _ = std::fs::remove_dir_all(&dir);
});
