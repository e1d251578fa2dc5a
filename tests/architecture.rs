//! The layers as documented (README, "Layout"): which library module may
//! use which, and that the core does no IO and no printing. Read from the
//! sources, so a new `use crate::…` that breaks a layer fails here.
//! Test code (`tests.rs` files and `#[cfg(test)]` modules) is exempt.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each library module and the modules it may use. Lower layers first; no
/// module may use one listed after it except as given here.
const LAYERS: &[(&str, &[&str])] = &[
    ("json", &[]),
    ("policy", &["json"]),
    ("data", &["json", "policy"]),
    ("eval", &["json", "policy", "data"]),
    ("snapshot", &["json"]),
    ("validate", &["json", "policy", "data"]),
    ("case", &["json", "policy", "eval", "data"]),
    ("graph", &["json", "policy", "eval", "data", "snapshot"]),
    (
        "who",
        &["json", "policy", "eval", "data", "snapshot", "graph"],
    ),
    (
        "query",
        &[
            "json", "policy", "eval", "data", "snapshot", "graph", "who", "validate",
        ],
    ),
    (
        "check",
        &[
            "json", "policy", "eval", "data", "snapshot", "graph", "who", "query", "validate",
        ],
    ),
    (
        "report",
        &[
            "json", "policy", "eval", "data", "snapshot", "graph", "who", "query", "check",
            "validate",
        ],
    ),
    ("synth", &["json", "snapshot"]),
    ("load", &["json", "snapshot"]),
    ("live", &["json", "snapshot", "load"]),
    (
        "serve",
        &[
            "json", "policy", "eval", "data", "snapshot", "graph", "who", "query", "report", "load",
        ],
    ),
];

/// The core: pure functions, no IO, no printing
const CORE: &[&str] = &[
    "json", "policy", "eval", "graph", "who", "query", "check", "validate",
];

/// What IO or printing looks like in source
const IMPURE: &[&str] = &[
    "std::fs",
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "std::process",
    "std::io::stdout",
    "std::io::stderr",
    "println!",
    "eprintln!",
    "print!(",
    "eprint!(",
    "dbg!(",
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs")
            && p.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(p);
        }
    }
}

/// The module a source file belongs to (`src/who/chain.rs` → `who`)
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy()
        .to_string();
    first.trim_end_matches(".rs").to_owned()
}

/// The file without its `#[cfg(test)]` module (kept at the end by habit)
fn production(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// What breaks the rules in one module's production code: `line: message`
fn violations(module: &str, code: &str) -> Vec<String> {
    let deps: BTreeSet<&str> = LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, d)| d.iter().copied().collect())
        .unwrap_or_default();
    let layer = |m: &str| LAYERS.iter().any(|(x, _)| *x == m);
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let used: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if used != module && layer(&used) && !deps.contains(used.as_str()) {
                out.push(format!(
                    "{}: `{module}` uses `crate::{used}`, which is not below it",
                    n + 1
                ));
            }
        }
        if CORE.contains(&module) {
            for bad in IMPURE {
                if line.contains(bad) {
                    out.push(format!(
                        "{}: core module `{module}` does IO or prints (`{bad}`)",
                        n + 1
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn modules_use_only_the_layers_below_them_and_the_core_is_pure() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed: BTreeMap<&str, BTreeSet<&str>> = LAYERS
        .iter()
        .map(|(m, deps)| (*m, deps.iter().copied().collect()))
        .collect();
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut broken = Vec::new();
    let mut seen = BTreeSet::new();
    for file in &all {
        let module = module_of(&src, file);
        if matches!(module.as_str(), "lib" | "main" | "cli") {
            continue; // the crate root and the binary may use anything
        }
        seen.insert(module.clone());
        if !allowed.contains_key(module.as_str()) {
            broken.push(format!(
                "{}: module `{module}` is not in LAYERS",
                file.display()
            ));
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for v in violations(&module, production(&text)) {
            broken.push(format!("{}:{v}", file.display()));
        }
    }
    for (m, _) in LAYERS {
        assert!(seen.contains(*m), "LAYERS lists `{m}`, which has no source");
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// The check itself can fail: a line that breaks a layer, IO in the core,
/// and test code exempt
#[test]
fn the_check_catches_a_higher_layer_and_io_in_the_core() {
    let v = violations(
        "policy",
        "use crate::json::JsonValue;\nuse crate::eval::Answer;\n",
    );
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].starts_with("2: `policy` uses `crate::eval`"), "{v:?}");
    let v = violations(
        "who",
        "fn f() { println!(\"x\"); let _ = std::fs::read(\"a\"); }\n",
    );
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(
        violations("load", "let _ = std::fs::read(\"a\");\n").is_empty(),
        "load does IO"
    );
    assert!(violations("who", "// use crate::cli::x;\nuse crate::graph::Model;\n").is_empty());
    assert_eq!(
        production("fn a() {}\n#[cfg(test)]\nmod tests {\n use crate::who;\n}\n"),
        "fn a() {}\n"
    );
}

#[test]
fn the_command_line_modules_import_no_cycle() {
    // Each `src/cli/X.rs` may use `super::Y` (a sibling) only if Y does not
    // reach X back: domain lookups live in the library, not in a sibling.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|n| n != "mod")
        .collect();
    for n in &names {
        let text = std::fs::read_to_string(dir.join(format!("{n}.rs"))).unwrap();
        let text = production(&text);
        let deps = names
            .iter()
            .filter(|m| *m != n && text.contains(&format!("super::{m}::")))
            .cloned()
            .collect();
        uses.insert(n.clone(), deps);
    }
    let mut done = BTreeSet::new();
    for n in &names {
        visit(n, &uses, &mut Vec::new(), &mut done);
    }
    assert!(uses["who"].contains("org"), "the scan sees sibling imports");
    // The check fails on a cycle.
    let cyclic: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "a")]
        .into_iter()
        .map(|(x, y)| (x.to_owned(), BTreeSet::from([y.to_owned()])))
        .collect();
    let caught = std::panic::catch_unwind(|| {
        visit("a", &cyclic, &mut Vec::new(), &mut BTreeSet::new());
    });
    assert!(caught.is_err());
}

/// Depth-first: a module on the current path seen again is a cycle
fn visit(
    m: &str,
    uses: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) {
    if done.contains(m) {
        return;
    }
    assert!(
        !path.iter().any(|p| p == m),
        "import cycle: {} -> {m}",
        path.join(" -> ")
    );
    path.push(m.to_owned());
    for d in &uses[m] {
        visit(d, uses, path, done);
    }
    path.pop();
    done.insert(m.to_owned());
}
