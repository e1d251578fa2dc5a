//! Runs the hand-derived organization questions of `fixtures/questions/`
//! (format in its README) against the binary: each answer was worked out
//! from the AWS rules before the code gave one, so a failure is a bug in the
//! tool or in the derivation, and the question's `why` settles which.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    fixture: String,
    questions: Vec<Question>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Question {
    id: String,
    ask: Vec<String>,
    #[serde(default)]
    raw: bool,
    why: String,
    expect: Expect,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    exit: Option<i32>,
    at: Option<String>,
    rows: Option<usize>,
    #[serde(default)]
    distinct: serde_json::Map<String, Value>,
    #[serde(default)]
    include: Vec<serde_json::Map<String, Value>>,
    #[serde(default)]
    exclude: Vec<serde_json::Map<String, Value>>,
    every: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    count: Vec<Count>,
    stdout: Option<String>,
    stderr: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Count {
    #[serde(rename = "match")]
    matches: serde_json::Map<String, Value>,
    n: usize,
}

impl Expect {
    /// Whether anything beyond the exit code is checked
    fn checks_output(&self) -> bool {
        self.rows.is_some()
            || !self.distinct.is_empty()
            || !self.include.is_empty()
            || !self.exclude.is_empty()
            || self.every.is_some()
            || !self.count.is_empty()
            || self.stdout.is_some()
            || self.stderr.is_some()
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `row` has every field of `want` (see the README for `~`)
fn matches(row: &Value, want: &serde_json::Map<String, Value>) -> bool {
    want.iter().all(|(k, v)| match k.strip_suffix('~') {
        Some(field) => {
            let needle = text(v);
            match &row[field] {
                Value::Array(items) => items.iter().any(|i| text(i).contains(&needle)),
                Value::Null => false,
                other => text(other).contains(&needle),
            }
        }
        None => row.get(k).unwrap_or(&Value::Null) == v,
    })
}

/// Asks one question; the mismatches found, empty when the answer is right
fn check(snapshot: &Path, q: &Question) -> Vec<String> {
    let mut args: Vec<String> = vec!["--snapshot".into(), snapshot.display().to_string()];
    args.extend(q.ask.iter().cloned());
    if !q.raw {
        args.extend(["--format".into(), "json".into()]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_accessgraph"))
        .args(&args)
        .current_dir(root())
        .output()
        .expect("run accessgraph");
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let e = &q.expect;
    let mut bad = Vec::new();
    if let Some(want) = e.exit {
        if code != want {
            bad.push(format!("exit {code}, expected {want}"));
        }
    }
    if let Some(s) = &e.stdout {
        if !stdout.contains(s.as_str()) {
            bad.push(format!("stdout lacks `{s}`"));
        }
    }
    if let Some(s) = &e.stderr {
        if !stderr.contains(s.as_str()) {
            bad.push(format!("stderr lacks `{s}`: {stderr}"));
        }
    }
    let needs_rows = e.rows.is_some()
        || !e.distinct.is_empty()
        || !e.include.is_empty()
        || !e.exclude.is_empty()
        || e.every.is_some()
        || !e.count.is_empty();
    if !needs_rows {
        return bad;
    }
    let parsed: Value = match serde_json::from_str(&stdout) {
        Ok(v) => v,
        Err(err) => {
            bad.push(format!(
                "stdout is not JSON ({err}); stderr: {stderr}; stdout: {stdout}"
            ));
            return bad;
        }
    };
    let list = match e.at.as_deref() {
        Some(p) => parsed.pointer(p).cloned().unwrap_or(Value::Null),
        None => parsed,
    };
    let Value::Array(rows) = list else {
        bad.push(format!("no list at {:?}", e.at));
        return bad;
    };
    let shown = |rows: &[Value]| -> String {
        rows.iter()
            .map(|r| {
                format!(
                    "    {} | {} | {} | {} | {}",
                    text(&r["principal"]),
                    text(&r["via"]),
                    text(&r["account_id"]),
                    text(&r["decision"]),
                    text(&r["condition"])
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    if let Some(n) = e.rows {
        if rows.len() != n {
            bad.push(format!(
                "{} rows, expected {n}:\n{}",
                rows.len(),
                shown(&rows)
            ));
        }
    }
    for (field, want) in &e.distinct {
        let mut have: Vec<String> = rows.iter().map(|r| text(&r[field])).collect();
        have.sort();
        have.dedup();
        let mut want: Vec<String> = want
            .as_array()
            .map(|a| a.iter().map(text).collect())
            .unwrap_or_default();
        want.sort();
        want.dedup();
        if have != want {
            bad.push(format!("distinct {field}: {have:?}, expected {want:?}"));
        }
    }
    for want in &e.include {
        if !rows.iter().any(|r| matches(r, want)) {
            bad.push(format!(
                "no row matches {}:\n{}",
                Value::Object(want.clone()),
                shown(&rows)
            ));
        }
    }
    for want in &e.exclude {
        if let Some(r) = rows.iter().find(|r| matches(r, want)) {
            bad.push(format!(
                "a row matches excluded {}: {r}",
                Value::Object(want.clone())
            ));
        }
    }
    if let Some(want) = &e.every {
        if let Some(r) = rows.iter().find(|r| !matches(r, want)) {
            bad.push(format!(
                "a row does not match {}: {r}",
                Value::Object(want.clone())
            ));
        }
    }
    for c in &e.count {
        let n = rows.iter().filter(|r| matches(r, &c.matches)).count();
        if n != c.n {
            bad.push(format!(
                "{n} rows match {}, expected {}",
                Value::Object(c.matches.clone()),
                c.n
            ));
        }
    }
    bad
}

fn load() -> Vec<(PathBuf, File)> {
    let dir = root().join("fixtures/questions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let f: File = serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, f)
        })
        .collect()
}

#[test]
fn every_question_is_well_formed() {
    let files = load();
    let mut ids = std::collections::BTreeSet::new();
    let mut fixtures = std::collections::BTreeSet::new();
    let mut n = 0;
    for (p, f) in &files {
        assert!(
            root()
                .join("fixtures")
                .join(&f.fixture)
                .join("snapshot.json")
                .is_file(),
            "{}: no fixture `{}`",
            p.display(),
            f.fixture
        );
        fixtures.insert(f.fixture.clone());
        for q in &f.questions {
            n += 1;
            assert!(ids.insert(q.id.clone()), "duplicate question id `{}`", q.id);
            assert!(
                q.why.split_whitespace().count() >= 8,
                "{}: `{}` needs a why that names the rule",
                p.display(),
                q.id
            );
            assert!(
                q.expect.checks_output() || q.expect.exit.is_some(),
                "{}: `{}` checks nothing",
                p.display(),
                q.id
            );
        }
    }
    assert!(n >= 150, "{n} questions; the issue asks for at least 150");
    for f in ["acme", "cookbook", "hubspoke"] {
        assert!(fixtures.contains(f), "no questions on the {f} fixture");
    }
}

#[test]
fn every_question_gets_its_hand_derived_answer() {
    let files = load();
    let all: Vec<(PathBuf, &Question)> = files
        .iter()
        .flat_map(|(_, f)| {
            let snap = root()
                .join("fixtures")
                .join(&f.fixture)
                .join("snapshot.json");
            f.questions.iter().map(move |q| (snap.clone(), q))
        })
        .collect();
    // Two workers: the machine has two cores and each run is a process.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((snap, q)) = all.get(i) else { break };
                let bad = check(snap, q);
                if !bad.is_empty() {
                    failures.lock().unwrap().push(format!(
                        "{} ({}):\n  why: {}\n  {}",
                        q.id,
                        q.ask.join(" "),
                        q.why,
                        bad.join("\n  ")
                    ));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} questions answered wrong:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}
