//! Every operation in `graphql/`, sent with its sample variables to the emulator, decodes
//! into its generated types. Unknown ids resolve to null (allowed by the types), and
//! mutations the emulator does not implement answer with a user error saying so.

use shopify_e2e::{Harness, samples};
use shopify_queries::OPERATIONS;

#[tokio::test]
async fn every_operation_decodes_from_the_emulators_answer() {
    let harness = Harness::start().await.unwrap();
    let mut failures = Vec::new();
    for op in OPERATIONS {
        match samples::run(&harness.client, op.module).await {
            None => failures.push(format!("{}: no sample variables", op.name)),
            Some(Err(error)) => failures.push(format!("{}: {error}", op.name)),
            Some(Ok(data)) => assert!(data.is_object(), "{}", op.name),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
