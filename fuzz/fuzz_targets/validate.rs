//! Fuzzes `validate`: any JSON document, as every policy type, must give
//! findings (never a panic), each with a pointer the locator can place in
//! the text.

#![no_main]

use accessgraph::json::JsonValue;
use accessgraph::validate::{locate::Locator, validate, PolicyType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = JsonValue::parse(text) else { return };
    let places = Locator::new(text);
    for ty in PolicyType::ALL {
        for f in validate(&doc, ty) {
            assert!(places.locate(&f.pointer).is_some(), "{} at {}", f.code, f.pointer);
        }
    }
});
