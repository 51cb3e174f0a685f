//! Bulk operations through the client against the emulator: streamed variables files
//! (checked line by line, nothing run on a bad line) and bulk calls paced like any other.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;
use shopify_e2e::Harness;
use shopify_emulator::Emulator;
use shopify_queries::bulk::{Backoff, Bulk, BulkError};
use shopify_queries::{Pacer, QueryCost, Reservation, Throttle};

const VERSION: &str = "2026-10";
const CREATE: &str = "mutation C($product: ProductCreateInput!) { productCreate(product: $product) { product { id title } userErrors { field message } } }";

/// Polls every few milliseconds, so waits take no time in tests.
fn quick(bulk: Bulk<'_>) -> Bulk<'_> {
    bulk.backoff(Backoff {
        first: Duration::from_millis(1),
        factor: 2.0,
        max: Duration::from_millis(10),
    })
}

fn variables_file(lines: &[String]) -> std::path::PathBuf {
    let path = crate::tooling::tempdir().join("vars.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn graphql_bodies(h: &Harness) -> Vec<String> {
    h.emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/graphql.json"))
        .map(|r| r.raw_body)
        .collect()
}

#[tokio::test]
async fn a_bad_variables_line_is_reported_with_its_number_and_nothing_runs() {
    let h = Harness::start().await.unwrap();
    let mut lines: Vec<String> = (0..1000)
        .map(|n| format!(r#"{{"product":{{"title":"Line {n}"}}}}"#))
        .collect();
    lines[700] = r#"["not", "an", "object"]"#.to_owned();
    let path = variables_file(&lines);

    let error = Bulk::new(&h.client, VERSION)
        .run_mutation_file(CREATE, &path)
        .await
        .unwrap_err();

    match &error {
        BulkError::BadVariables { line, .. } => assert_eq!(*line, 701),
        other => panic!("expected line 701 to be refused, got {other:?}"),
    }
    assert!(error.to_string().contains("line 701"), "{error}");
    assert!(
        !graphql_bodies(&h)
            .iter()
            .any(|b| b.contains("bulkOperationRunMutation")),
        "no bulk mutation may start"
    );
    let written: Vec<String> = h
        .emulator
        .writes()
        .into_iter()
        .map(|w| w.mutation)
        .collect();
    assert_eq!(written, ["stagedUploadsCreate"], "a target, and no product");
}

#[tokio::test]
async fn a_variables_file_is_streamed_with_its_length_and_every_line_answered() {
    let h = Harness::start().await.unwrap();
    let lines: Vec<String> = (0..300)
        .map(|n| format!(r#"{{"product":{{"title":"Streamed {n}"}}}}"#))
        .collect();
    let path = variables_file(&lines);
    let size = std::fs::metadata(&path).unwrap().len();
    let bulk = quick(Bulk::new(&h.client, VERSION));

    let started = bulk.run_mutation_file(CREATE, &path).await.unwrap();
    let done = bulk.wait(&started.id, |_| {}).await.unwrap();
    let mut results = bulk.mutation_results::<Value>(done.url.as_deref().unwrap());
    let mut titles = Vec::new();
    while let Some(line) = results.next().await.unwrap() {
        assert_eq!(line.line_number as usize, titles.len());
        titles.push(line.data.unwrap()["productCreate"]["product"]["title"].clone());
    }

    let expected: Vec<Value> = (0..300)
        .map(|n| Value::from(format!("Streamed {n}")))
        .collect();
    assert_eq!(titles, expected);
    let put = h
        .emulator
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    let length = put.headers.iter().find(|(k, _)| k == "content-length");
    assert_eq!(
        length.map(|(_, v)| v.as_str()),
        Some(size.to_string().as_str())
    );
}

#[tokio::test]
async fn a_variables_file_over_100_mb_is_refused_before_anything_is_sent() {
    let h = Harness::start().await.unwrap();
    let bulk = Bulk::new(&h.client, VERSION);
    // A reader that would never end: the declared length alone is refused.
    let endless = tokio::io::repeat(b'\n');

    let error = bulk
        .run_mutation_from(
            CREATE,
            endless,
            Some(shopify_queries::bulk::MAX_VARIABLES_BYTES + 1),
        )
        .await
        .unwrap_err();

    assert!(
        matches!(error, BulkError::VariablesTooLarge { .. }),
        "{error:?}"
    );
    assert!(h.emulator.requests().is_empty());
}

/// A pacer that counts what passes through it, in front of the default one.
#[derive(Debug)]
struct Counting {
    inner: Throttle,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    acquired: usize,
    completed_with_cost: usize,
    actual: f64,
}

impl Default for Counting {
    fn default() -> Self {
        Self {
            inner: Throttle::new(true),
            seen: Mutex::default(),
        }
    }
}

impl Pacer for Counting {
    fn acquire(&self, cost: f64) -> BoxFuture<'_, Reservation> {
        self.seen.lock().unwrap().acquired += 1;
        Pacer::acquire(&self.inner, cost)
    }

    fn complete(&self, reservation: Reservation, cost: Option<QueryCost>) -> BoxFuture<'_, ()> {
        if let Some(cost) = cost {
            let mut seen = self.seen.lock().unwrap();
            seen.completed_with_cost += 1;
            seen.actual += cost.actual.unwrap_or(cost.requested);
        }
        Pacer::complete(&self.inner, reservation, cost)
    }
}

#[tokio::test]
async fn bulk_runs_polls_and_cancels_go_through_the_pacer_and_the_bucket_charges_them() {
    let pacer = Arc::new(Counting::default());
    let h = Harness::with(Emulator::builder().extra_products(20), |client| {
        client.pacer(pacer.clone())
    })
    .await
    .unwrap();
    let bulk = quick(Bulk::new(&h.client, VERSION));

    let run = bulk
        .run_query("{ products { edges { node { id title } } } }")
        .await
        .unwrap();
    let mut polls = 0;
    bulk.wait(&run.id, |_| polls += 1).await.unwrap();
    let other = bulk
        .run_query("{ products { edges { node { id } } } }")
        .await
        .unwrap();
    bulk.cancel(&other.id).await.unwrap();

    let seen = *pacer.seen.lock().unwrap();
    let sent = graphql_bodies(&h).len();
    let stats = h.emulator.stats();
    assert!(
        polls >= 2,
        "CREATED -> RUNNING -> COMPLETED takes two reads"
    );
    assert_eq!(sent, 3 + polls, "two runs, a cancel and the polls");
    assert_eq!(seen.acquired, sent, "every bulk call waits for the pacer");
    assert_eq!(seen.completed_with_cost, sent, "and settles with its cost");
    assert!(stats.points_charged > 0);
    assert_eq!(seen.actual, stats.points_charged as f64);
}
