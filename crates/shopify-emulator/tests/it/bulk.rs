//! The bulk room over HTTP: bulk queries and mutations as a client sees them.

use std::collections::HashSet;

use serde_json::{Value, json};
use shopify_emulator::{BulkFault, Emulator};

use crate::support::Harness;

const RUN: &str = r#"mutation R($q: String!) { bulkOperationRunQuery(query: $q) {
    bulkOperation { id status } userErrors { field message code } } }"#;
const STATUS: &str = "query S($id: ID!) { bulkOperation(id: $id) { status errorCode objectCount fileSize url partialDataUrl } }";
const NESTED: &str =
    "{ products { edges { node { id title variants { edges { node { id sku } } } } } } }";

async fn start(h: &Harness, query: &str) -> Value {
    h.data(RUN, json!({"q": query})).await["bulkOperationRunQuery"].clone()
}

async fn poll(h: &Harness, id: &Value) -> Value {
    h.data(STATUS, json!({"id": id})).await["bulkOperation"].clone()
}

async fn finish(h: &Harness, query: &str) -> Value {
    let run = start(h, query).await;
    let id = run["bulkOperation"]["id"].clone();
    poll(h, &id).await;
    poll(h, &id).await
}

async fn download(h: &Harness, url: &str) -> String {
    let res = h.http.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[tokio::test]
async fn status_moves_created_running_completed_one_step_per_read() {
    let h = Harness::start().await;
    let run = start(&h, NESTED).await;
    assert_eq!(run["bulkOperation"]["status"], "CREATED");
    let id = run["bulkOperation"]["id"].clone();
    let running = poll(&h, &id).await;
    assert_eq!(running["status"], "RUNNING");
    assert_eq!(running["url"], Value::Null);
    let done = poll(&h, &id).await;
    assert_eq!(done["status"], "COMPLETED");
    let file = download(&h, done["url"].as_str().unwrap()).await;
    assert_eq!(done["fileSize"], file.len().to_string());
    assert_eq!(done["objectCount"], file.lines().count().to_string());
}

#[tokio::test]
async fn nested_lines_are_ungrouped_but_every_parent_is_in_the_file() {
    let h = Harness::with(Emulator::builder().extra_products(10)).await;
    let done = finish(&h, NESTED).await;
    let file = download(&h, done["url"].as_str().unwrap()).await;
    let lines: Vec<Value> = file
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: HashSet<&str> = lines.iter().filter_map(|l| l["id"].as_str()).collect();
    let mut seen = HashSet::new();
    let mut child_before_parent = false;
    for line in &lines {
        if let Some(parent) = line["__parentId"].as_str() {
            assert!(ids.contains(parent), "{parent} is not in the file");
            child_before_parent |= !seen.contains(parent);
        }
        seen.insert(line["id"].as_str().unwrap());
    }
    assert!(
        child_before_parent,
        "the emulator should not group children after parents"
    );
    assert!(lines.iter().any(|l| l["sku"] == "SYN-0001-S"));
}

#[tokio::test]
async fn a_sixth_running_bulk_query_hits_the_limit() {
    let h = Harness::start().await;
    for _ in 0..5 {
        let run = start(&h, NESTED).await;
        assert_eq!(run["userErrors"], json!([]));
    }
    let sixth = start(&h, NESTED).await;
    assert_eq!(sixth["bulkOperation"], Value::Null);
    assert_eq!(sixth["userErrors"][0]["code"], "LIMIT_REACHED");
}

#[tokio::test]
async fn a_failed_run_keeps_its_partial_data() {
    let h = Harness::with(Emulator::builder().extra_products(4)).await;
    h.emu.inject_bulk(BulkFault::Fail {
        error_code: "INTERNAL_SERVER_ERROR".into(),
    });
    let failed = finish(&h, NESTED).await;
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["errorCode"], "INTERNAL_SERVER_ERROR");
    assert_eq!(failed["url"], Value::Null);
    let partial = download(&h, failed["partialDataUrl"].as_str().unwrap()).await;
    assert_eq!(failed["objectCount"], partial.lines().count().to_string());
    assert!(partial.ends_with('\n'));
}

#[tokio::test]
async fn an_expired_run_has_no_url() {
    let h = Harness::start().await;
    h.emu.inject_bulk(BulkFault::Expire);
    let expired = finish(&h, NESTED).await;
    assert_eq!(expired["status"], "EXPIRED");
    assert_eq!(expired["url"], Value::Null);
}

#[tokio::test]
async fn result_files_honour_range_and_can_drop_mid_body() {
    let h = Harness::start().await;
    let done = finish(&h, NESTED).await;
    let url = done["url"].as_str().unwrap();
    let whole = download(&h, url).await;
    let res = h
        .http
        .get(url)
        .header("Range", "bytes=100-")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 100-{}/{}", whole.len() - 1, whole.len()).as_str()
    );
    assert_eq!(res.text().await.unwrap(), whole[100..]);

    h.emu
        .inject_bulk(BulkFault::DropDownload { after_bytes: 50 });
    let res = h.http.get(url).send().await.unwrap();
    assert!(res.bytes().await.is_err(), "the body should be cut off");
    assert_eq!(download(&h, url).await, whole, "the fault applies once");
}

#[tokio::test]
async fn a_bulk_query_without_a_connection_is_refused() {
    let h = Harness::start().await;
    let run = start(&h, "{ shop { name } }").await;
    assert_eq!(run["bulkOperation"], Value::Null);
    assert_eq!(run["userErrors"][0]["code"], "INVALID");
    let message = run["userErrors"][0]["message"].as_str().unwrap();
    assert!(message.contains("at least one connection"), "{message}");
}

#[tokio::test]
async fn a_bulk_mutation_round_trip_writes_what_the_shop_then_serves() {
    let h = Harness::start().await;
    let (url, key) = staged_target(&h).await;
    let vars = "{\"product\":{\"title\":\"Bulk One\"}}\n{\"product\":{\"title\":\"\"}}\n";
    let put = h.http.put(url).body(vars).send().await.unwrap();
    assert!(put.status().is_success());
    let run = h
        .data(
            r#"mutation R($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) {
                bulkOperation { id status type } userErrors { field message } } }"#,
            json!({"m": "mutation C($product: ProductCreateInput!) { productCreate(product: $product) { product { id title } userErrors { field message } } }", "p": key}),
        )
        .await;
    let id = run["bulkOperationRunMutation"]["bulkOperation"]["id"].clone();
    assert_eq!(
        run["bulkOperationRunMutation"]["bulkOperation"]["type"],
        "MUTATION"
    );
    poll(&h, &id).await;
    let done = poll(&h, &id).await;
    let file = download(&h, done["url"].as_str().unwrap()).await;
    let lines: Vec<Value> = file
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["__lineNumber"], 0);
    assert_eq!(
        lines[0]["data"]["productCreate"]["product"]["title"],
        "Bulk One"
    );
    assert_eq!(lines[1]["__lineNumber"], 1);
    assert_eq!(
        lines[1]["data"]["productCreate"]["userErrors"][0]["message"],
        "Title can't be blank"
    );
    let served = h
        .data(
            "query P($id: ID!) { product(id: $id) { title } }",
            json!({"id": lines[0]["data"]["productCreate"]["product"]["id"]}),
        )
        .await;
    assert_eq!(served["product"]["title"], "Bulk One");
}

/// A staged target for bulk-mutation variables: (url, stagedUploadPath).
async fn staged_target(h: &Harness) -> (String, String) {
    let staged = h
        .data(
            r#"mutation { stagedUploadsCreate(input: [{resource: BULK_MUTATION_VARIABLES,
                filename: "vars.jsonl", mimeType: "text/jsonl", httpMethod: PUT}]) {
                stagedTargets { url parameters { name value } } userErrors { message } } }"#,
            json!({}),
        )
        .await;
    let target = &staged["stagedUploadsCreate"]["stagedTargets"][0];
    (
        target["url"].as_str().unwrap().to_owned(),
        target["parameters"][0]["value"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

const CREATE: &str = "mutation C($product: ProductCreateInput!) { productCreate(product: $product) { product { id title } userErrors { field message } } }";

async fn run_staged(h: &Harness, path: &str) -> Value {
    h.data(
        r#"mutation R($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) {
            bulkOperation { id objectCount } userErrors { field message code } } }"#,
        json!({"m": CREATE, "p": path}),
    )
    .await["bulkOperationRunMutation"]
        .clone()
}

/// Sends `head` then `body_chunks` chunks of `chunk` bytes (chunked encoding when
/// `chunked`) on a raw connection, and returns the status line and body of the answer.
fn raw_put(
    addr: std::net::SocketAddr,
    head: String,
    chunked: Option<(usize, usize)>,
) -> (String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    if let Some((chunks, size)) = chunked {
        // Blank lines: valid JSONL padding, and no 100 MB buffer in the test.
        let data = vec![b'\n'; size];
        let frame_head = format!("{size:x}\r\n");
        for _ in 0..chunks {
            let sent = stream
                .write_all(frame_head.as_bytes())
                .and_then(|()| stream.write_all(&data))
                .and_then(|()| stream.write_all(b"\r\n"));
            if sent.is_err() {
                break;
            }
        }
        let _ = stream.write_all(b"1\r\n\n\r\n0\r\n\r\n");
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer.lines().next().unwrap_or_default().to_owned();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn a_staged_upload_larger_than_other_routes_take_is_stored_whole() {
    let h = Harness::start().await;
    let (url, path) = staged_target(&h).await;
    // 5 MB, beyond the 2 MB body limit of the GraphQL route; the last line is after it.
    let mut file = b"{\"product\":{\"title\":\"First\"}}\n".to_vec();
    file.resize(5 * 1024 * 1024, b'\n');
    file.extend_from_slice(b"{\"product\":{\"title\":\"Last\"}}\n");
    let put = h.http.put(&url).body(file).send().await.unwrap();
    assert_eq!(put.status(), 201);

    let run = run_staged(&h, &path).await;
    assert_eq!(run["userErrors"], json!([]));
    let id = run["bulkOperation"]["id"].clone();
    poll(&h, &id).await;
    let done = poll(&h, &id).await;
    let file = download(&h, done["url"].as_str().unwrap()).await;
    let titles: Vec<Value> = file
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["data"]["productCreate"]["product"]["title"]
                .clone()
        })
        .collect();
    assert_eq!(titles, [json!("First"), json!("Last")]);
    // The log keeps the request, not a second copy of the file.
    let logged = h
        .emu
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert!(logged.raw_body.is_empty());
}

#[tokio::test]
async fn a_staged_upload_declaring_more_than_100_mb_is_refused_before_its_body() {
    let h = Harness::start().await;
    let (url, _) = staged_target(&h).await;
    let target = reqwest::Url::parse(&url).unwrap();
    let head = format!(
        "PUT {} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        target.path(),
        h.emu.addr(),
        shopify_emulator::MAX_STAGED_UPLOAD_BYTES + 1
    );
    let addr = h.emu.addr();
    let (status, body) = tokio::task::spawn_blocking(move || raw_put(addr, head, None))
        .await
        .unwrap();
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    assert!(body.contains("<Code>EntityTooLarge</Code>"), "{body}");
}

#[tokio::test]
async fn a_streamed_upload_just_over_100_mb_is_refused_and_nothing_is_stored() {
    let h = Harness::start().await;
    let (url, path) = staged_target(&h).await;
    let target = reqwest::Url::parse(&url).unwrap();
    let head = format!(
        "PUT {} HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        target.path(),
        h.emu.addr(),
    );
    let addr = h.emu.addr();
    // Exactly the limit in 1 MiB chunks, then one byte more.
    let chunks = shopify_emulator::MAX_STAGED_UPLOAD_BYTES / (1024 * 1024);
    let (status, body) =
        tokio::task::spawn_blocking(move || raw_put(addr, head, Some((chunks, 1024 * 1024))))
            .await
            .unwrap();
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    assert!(body.contains("<Code>EntityTooLarge</Code>"), "{body}");

    let run = run_staged(&h, &path).await;
    assert_eq!(run["userErrors"][0]["code"], "NO_SUCH_FILE");
}
