//! Fuzzes the case-file reader: any input must give cases or an error,
//! never a panic, and every case read must evaluate and explain.

#![no_main]

use accessgraph::case::parse_cases;
use accessgraph::eval::explain::explain;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(cases) = parse_cases(text, "fuzz.json") else { return };
    for c in cases {
        let e = c.evaluate();
        let _ = explain(&c.request, &c.context, &c.policies, &e);
    }
});
