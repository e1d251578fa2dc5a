//! Fuzzes the snapshot reader and the model build: any input must give a
//! snapshot or an error, and a snapshot a model or an error (a policy that
//! does not compile, with its place), never a panic; a model must then
//! answer who-can through role chains, resolve resources and lint without
//! panicking, whatever the organization looks like (dangling references,
//! loops in the OU tree or the trust policies, roles of unknown accounts).

#![no_main]

use accessgraph::graph::Model;
use accessgraph::snapshot::Snapshot;
use accessgraph::who::{who_can, WhoCanQuery};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(snapshot) = Snapshot::from_json(text) else { return };
    // What a snapshot prints must read back to the same snapshot.
    let again = Snapshot::from_json(&snapshot.to_json()).expect("a printed snapshot reads");
    assert_eq!(again, snapshot);
    let Ok(model) = Model::build(snapshot) else { return };
    let mut resources: Vec<String> = model
        .iam_principals()
        .iter()
        .take(3)
        .map(|p| p.arn.clone())
        .collect();
    resources.extend(model.snapshot().resources.iter().take(3).map(|r| format!("{}/x", r.arn)));
    resources.push("arn:aws:s3:::not-in-the-snapshot/key".to_owned());
    for r in &resources {
        let _ = model.resolve_resource(r);
    }
    for resource in std::iter::once(None).chain(resources.into_iter().map(Some)) {
        let q = WhoCanQuery {
            actions: vec!["sts:AssumeRole".to_owned(), "s3:GetObject".to_owned()],
            resource,
            max_hops: 3,
            ..WhoCanQuery::default()
        };
        let answer = who_can(&model, &q);
        // The streamed rows are exactly as many as counted.
        assert_eq!(answer.rows_iter(&model).count(), answer.len());
    }
    let _ = accessgraph::query::lint::lint(&model, Default::default());
});
