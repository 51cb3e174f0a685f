//! Issue 12's acceptance check, kept as a test: hostile requests sent over raw TCP to the
//! emulator served by the CLI in its own process (`shopify-admin emulator`, debug build),
//! as a shared team emulator would get them. Each must be answered with an HTTP error
//! (4xx) or a GraphQL error within 2 s, never a 5xx, and the shop must still answer
//! afterwards. This set is independent of the emulator crate's `hostile` test: fragment
//! fan-out, introspection that multiplies its answer, bulk operations carrying hostile
//! documents, slow-loris heads and bodies, pipelining, floods.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// What each hostile request must stay under, debug build included.
const BUDGET: Duration = Duration::from_secs(2);
const GRAPHQL: &str = "/admin/api/2026-10/graphql.json";

/// `shopify-admin emulator --port 0` in a child process; killed on drop.
struct Served {
    child: Child,
    addr: SocketAddr,
}

impl Served {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fleet-worker"))
            .args(["cli", "emulator", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the CLI starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut base = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("the CLI prints its .env lines");
            if let Some(url) = line.strip_prefix("SHOPIFY_BASE_URL=http://") {
                base = Some(url.trim_end_matches('/').to_owned());
                break;
            }
        }
        let addr = base
            .expect("SHOPIFY_BASE_URL printed")
            .parse()
            .expect("an address");
        Self { child, addr }
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a request's bytes go out.
enum Send {
    /// All at once.
    Whole(Vec<u8>),
    /// The first bytes at once, then one more byte every 200 ms (until answered).
    Trickle(Vec<u8>, Vec<u8>),
}

/// The answer: status (0 when the connection closed without one), body, time taken.
struct Answer {
    status: u16,
    body: String,
    elapsed: Duration,
}

fn exchange(addr: SocketAddr, send: Send) -> Answer {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let writer = stream.try_clone().unwrap();
    // Written from a thread, so an answer that comes before the last byte is read.
    let sending = std::thread::spawn(move || {
        let mut writer = writer;
        match send {
            Send::Whole(bytes) => {
                let _ = writer.write_all(&bytes);
            }
            Send::Trickle(head, rest) => {
                if writer.write_all(&head).is_err() {
                    return;
                }
                for byte in rest {
                    std::thread::sleep(Duration::from_millis(200));
                    if writer.write_all(&[byte]).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
        if complete(&raw) {
            break;
        }
    }
    let elapsed = started.elapsed();
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sending.join();
    let text = String::from_utf8_lossy(&raw);
    // The final answer, after any `100 Continue`.
    let text = text
        .strip_prefix("HTTP/1.1 100 Continue\r\n\r\n")
        .unwrap_or(&text);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Answer {
        status,
        body,
        elapsed,
    }
}

/// A whole response with a `content-length` body (every answer here has one), after
/// any `100 Continue`.
fn complete(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    let mut rest: &str = &text;
    while let Some((head, body)) = rest.split_once("\r\n\r\n") {
        if head.starts_with("HTTP/1.1 100") {
            rest = body;
            continue;
        }
        let length = head.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        });
        return length.is_some_and(|n| body.len() >= n);
    }
    false
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn token(addr: SocketAddr) -> String {
    let body = format!(
        "client_id={}&client_secret={}&grant_type=client_credentials",
        shopify_emulator::DEMO_CLIENT_ID,
        shopify_emulator::DEMO_CLIENT_SECRET
    );
    let answer = exchange(
        addr,
        Send::Whole(request(
            "POST",
            "/admin/oauth/access_token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )),
    );
    let json: Value = serde_json::from_str(&answer.body).expect("a token answer");
    json["access_token"].as_str().expect("a token").to_owned()
}

/// A GraphQL request with `token`, as bytes.
fn gql(token: &str, body: &Value) -> Vec<u8> {
    request(
        "POST",
        GRAPHQL,
        &[
            ("Content-Type", "application/json"),
            ("X-Shopify-Access-Token", token),
        ],
        &serde_json::to_vec(body).unwrap(),
    )
}

fn query(token: &str, query: &str) -> Vec<u8> {
    gql(token, &json!({ "query": query }))
}

/// `fragment F0 { ...F1 ...F1 } fragment F1 { ...F2 ...F2 } ...`: 2^levels fields.
fn fan_out(on: &str, levels: usize, leaf: &str) -> String {
    let mut out = String::new();
    for i in 0..levels {
        out.push_str(&format!(
            "fragment F{i} on {on} {{ ...F{n} ...F{n} }} ",
            n = i + 1
        ));
    }
    out.push_str(&format!("fragment F{levels} on {on} {{ {leaf} }}"));
    out
}

/// The introspection query `shopify-admin schema pull` sends, fragments included.
const FULL_TYPE: &str = "fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields(includeDeprecated: true) { ...InputValue } interfaces { name } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { name } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }";

fn gzip_bomb() -> Vec<u8> {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..16 {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

/// (name, what is sent): the kept-aside set.
fn hostile(token: &str) -> Vec<(&'static str, Send)> {
    let staged =
        |path: &str, body: &[u8]| request("PUT", path, &[("Content-Type", "text/jsonl")], body);
    let ready = |sent: Vec<u8>| Send::Whole(sent);
    let whole_request = query(token, "{ shop { name } }");
    let (head, body) = {
        let at = whole_request.len() - 10;
        (whole_request[..at].to_vec(), whole_request[at..].to_vec())
    };
    vec![
        (
            "fragments spread twice, 30 levels (2^30 fields)",
            ready(query(token, &format!("{{ shop {{ ...F0 }} }} {}", fan_out("Shop", 30, "name")))),
        ),
        (
            "fragments spread twice, 20 levels, each with aliases",
            ready(query(
                token,
                &format!(
                    "{{ shop {{ ...F0 }} }} {}",
                    (0..20)
                        .map(|i| format!("fragment F{i} on Shop {{ a{i}: name ...F{n} b{i}: id ...F{n} }} ", n = i + 1))
                        .collect::<String>()
                        + "fragment F20 on Shop { name }"
                ),
            )),
        ),
        (
            "fragments spread twice through nested fields",
            ready(query(
                token,
                &format!("{{ ...F0 }} {}", fan_out("QueryRoot", 24, "shop { name }")),
            )),
        ),
        (
            "a fragment cycle through three fragments",
            ready(query(
                token,
                "{ shop { ...A } } fragment A on Shop { name ...B } fragment B on Shop { id ...C } fragment C on Shop { ...A }",
            )),
        ),
        (
            "the full introspection query three times under aliases",
            ready(query(
                token,
                &format!(
                    "{{ a: __schema {{ types {{ ...FullType }} }} b: __schema {{ types {{ ...FullType }} }} c: __schema {{ types {{ ...FullType }} }} }}\n{FULL_TYPE}"
                ),
            )),
        ),
        (
            "every type's fields' types' fields' types' fields",
            ready(query(
                token,
                "{ __schema { types { fields { type { ofType { fields { type { ofType { fields { name } } } } } } } } } }",
            )),
        ),
        (
            "400 aliases of every type's name",
            ready(query(
                token,
                &format!(
                    "{{ __schema {{ {} }} }}",
                    (0..400).map(|i| format!("t{i}: types {{ name }} ")).collect::<String>()
                ),
            )),
        ),
        (
            "__type under 450 aliases, each with its fields' types",
            ready(query(
                token,
                &format!(
                    "{{ {} }}",
                    (0..450)
                        .map(|i| format!("t{i}: __type(name: \"QueryRoot\") {{ fields {{ name }} }} "))
                        .collect::<String>()
                ),
            )),
        ),
        (
            "first: 1e999999",
            ready(query(token, "{ products(first: 1e999999) { nodes { id } } }")),
        ),
        (
            "first: 200 000 digits",
            ready(query(
                token,
                &format!("{{ products(first: {}) {{ nodes {{ id }} }} }}", "9".repeat(200_000)),
            )),
        ),
        (
            "$first = 1e300 in variables",
            ready(gql(
                token,
                &json!({"query": "query Q($f: Int) { products(first: $f) { nodes { id } } }", "variables": {"f": 1e300}}),
            )),
        ),
        (
            "three connections of 250 nested",
            ready(query(
                token,
                "{ products(first: 250) { nodes { variants(first: 250) { nodes { product { variants(first: 250) { nodes { id } } } } } } } }",
            )),
        ),
        (
            "lone surrogates and out-of-range unicode escapes",
            ready(query(
                token,
                r#"{ products(first: 1, query: "\uD800\uDFFF\u{110000}\uZZZZ") { nodes { id } } }"#,
            )),
        ),
        (
            "a block string that never ends",
            ready(query(token, &format!("{{ products(first: 1, query: \"\"\"{}", "\\\"\"\" ".repeat(20_000)))),
        ),
        (
            "invalid UTF-8 in the body",
            ready(request(
                "POST",
                GRAPHQL,
                &[("Content-Type", "application/json"), ("X-Shopify-Access-Token", token)],
                b"{\"query\":\"{ shop { name \xff\xfe } }\"}",
            )),
        ),
        (
            "an operation name no operation has",
            ready(gql(
                token,
                &json!({"query": "query A { shop { name } } query B { shop { id } }", "operationName": "C"}),
            )),
        ),
        (
            "two operations and no name",
            ready(query(token, "query A { shop { name } } query B { shop { id } }")),
        ),
        (
            "a batch of 2 000 operations",
            ready(request(
                "POST",
                GRAPHQL,
                &[("Content-Type", "application/json"), ("X-Shopify-Access-Token", token)],
                &serde_json::to_vec(&vec![json!({"query": "{ shop { name } }"}); 2_000]).unwrap(),
            )),
        ),
        (
            "a gzip bomb (16 MB of blanks in 16 KB)",
            ready(request(
                "POST",
                GRAPHQL,
                &[
                    ("Content-Type", "application/json"),
                    ("Content-Encoding", "gzip"),
                    ("X-Shopify-Access-Token", token),
                ],
                &gzip_bomb(),
            )),
        ),
        (
            "a GraphQL document as application/graphql",
            ready(request(
                "POST",
                GRAPHQL,
                &[("Content-Type", "application/graphql"), ("X-Shopify-Access-Token", token)],
                b"{ shop { name } }",
            )),
        ),
        (
            "version ..",
            ready(request(
                "POST",
                "/admin/api/../graphql.json",
                &[("Content-Type", "application/json"), ("X-Shopify-Access-Token", token)],
                br#"{"query":"{ shop { name } }"}"#,
            )),
        ),
        (
            "a 20 000-character version",
            ready(request(
                "POST",
                &format!("/admin/api/{}/graphql.json", "2".repeat(20_000)),
                &[("Content-Type", "application/json"), ("X-Shopify-Access-Token", token)],
                br#"{"query":"{ shop { name } }"}"#,
            )),
        ),
        (
            "a 60 KB token",
            ready(query(&"t".repeat(60_000), "{ shop { name } }")),
        ),
        (
            "a token of non-ASCII bytes",
            ready({
                let mut bytes = b"POST /admin/api/2026-10/graphql.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Shopify-Access-Token: \xff\xfe\xc3\xa9\r\nContent-Length: 2\r\n\r\n{}".to_vec();
                bytes.shrink_to_fit();
                bytes
            }),
        ),
        (
            "3 000 headers",
            ready(request(
                "POST",
                GRAPHQL,
                &(0..3_000).map(|_| ("X-Padding", "v")).collect::<Vec<_>>(),
                b"{}",
            )),
        ),
        (
            "a 1 MB header value",
            ready(request("POST", GRAPHQL, &[("X-Big", &"v".repeat(1 << 20))], b"{}")),
        ),
        (
            "Content-Length and Transfer-Encoding both",
            ready(b"POST /admin/api/2026-10/graphql.json HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec()),
        ),
        (
            "a chunk size of 2^80",
            ready(b"POST /admin/api/2026-10/graphql.json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n".to_vec()),
        ),
        (
            "a chunked body that never ends",
            ready(b"POST /admin/api/2026-10/graphql.json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".to_vec()),
        ),
        (
            "a body shorter than its Content-Length",
            ready(b"POST /admin/oauth/access_token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nclient_id=".to_vec()),
        ),
        (
            "a head that never ends",
            ready(b"POST /admin/api/2026-10/graphql.json HTTP/1.1\r\nHost: x\r\nX-Shopify-Access-Token: ".to_vec()),
        ),
        (
            "a head trickled a byte every 200 ms",
            Send::Trickle(head[..20].to_vec(), head[20..].to_vec()),
        ),
        (
            "a body trickled a byte every 200 ms",
            Send::Trickle(head.clone(), body),
        ),
        (
            "Expect: 100-continue and no body",
            ready(b"POST /admin/api/2026-10/graphql.json HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n".to_vec()),
        ),
        (
            "a token request with a 1.5 MB client id",
            ready(request(
                "POST",
                "/admin/oauth/access_token",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                format!("client_id={}&client_secret=x&grant_type=client_credentials", "a".repeat(1_500_000)).as_bytes(),
            )),
        ),
        (
            "a token request of percent garbage",
            ready(request(
                "POST",
                "/admin/oauth/access_token",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                b"%%%%&&&==&client_id=%FF%FE&grant_type=%00&=",
            )),
        ),
        (
            "a token request of wrongly typed JSON",
            ready(request(
                "POST",
                "/admin/oauth/access_token",
                &[("Content-Type", "application/json")],
                br#"{"client_id":1,"client_secret":[],"grant_type":{"a":null}}"#,
            )),
        ),
        (
            "a staged upload declaring 100 TB",
            ready(b"PUT /staged-uploads/k HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999\r\n\r\nabc".to_vec()),
        ),
        (
            "a staged upload that stops sending",
            ready(b"PUT /staged-uploads/k HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc".to_vec()),
        ),
        (
            "a result file with an absurd range",
            ready(request("GET", "/bulk-operations/1.jsonl", &[("Range", "bytes=99999999999999999999-1")], b"")),
        ),
        (
            "a bulk query whose document fans out",
            ready(gql(
                token,
                &json!({
                    "query": "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }",
                    "variables": {"q": format!("{{ products {{ edges {{ node {{ ...F0 }} }} }} }} {}", fan_out("Product", 30, "id"))},
                }),
            )),
        ),
        (
            "a bulk mutation whose document is 20 000 fields",
            ready({
                // A staged file first, so the document is what gets judged.
                let put = staged("/staged-uploads/hostile-vars.jsonl", b"{}\n");
                let _ = exchange_ignoring(put);
                gql(
                    token,
                    &json!({
                        "query": "mutation($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) { bulkOperation { id } userErrors { message } } }",
                        "variables": {"m": format!("mutation {{ {} }}", "a ".repeat(20_000)), "p": "hostile-vars.jsonl"},
                    }),
                )
            }),
        ),
        (
            "a bulk mutation of 2 000 000 empty lines of variables",
            ready({
                let put = staged("/staged-uploads/hostile-lines.jsonl", &b"{}\n".repeat(2_000_000));
                let _ = exchange_ignoring(put);
                gql(
                    token,
                    &json!({
                        "query": "mutation($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) { bulkOperation { id } userErrors { message } } }",
                        "variables": {
                            "m": "mutation call($input: ProductInput!) { productCreate(input: $input) { product { id } userErrors { message } } }",
                            "p": "hostile-lines.jsonl",
                        },
                    }),
                )
            }),
        ),
    ]
}

/// Staged files are set up through the same served emulator (its address is process-wide
/// for the one test that uses this).
static ADDR: std::sync::OnceLock<SocketAddr> = std::sync::OnceLock::new();

fn exchange_ignoring(bytes: Vec<u8>) -> u16 {
    exchange(
        *ADDR.get().expect("the emulator's address"),
        Send::Whole(bytes),
    )
    .status
}

/// Refused: a 4xx, or HTTP 200 with GraphQL `errors` (or `userErrors` of a bulk call).
fn refused(answer: &Answer) -> bool {
    if (400..500).contains(&answer.status) {
        return true;
    }
    let json: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    let user_errors = json["data"]
        .as_object()
        .into_iter()
        .flat_map(|data| data.values())
        .any(|payload| {
            payload["userErrors"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
        });
    answer.status == 200 && (json.get("errors").is_some() || user_errors)
}

#[test]
fn the_served_emulator_refuses_every_kept_aside_hostile_request_quickly_and_keeps_answering() {
    let mut served = Served::start();
    let addr = served.addr;
    let _ = ADDR.set(addr);
    let token = token(addr);
    let mut failures = Vec::new();
    for (name, send) in hostile(&token) {
        let answer = exchange(addr, send);
        eprintln!("{name}: HTTP {} in {:?}", answer.status, answer.elapsed);
        if answer.status == 0 {
            failures.push(format!("{name}: no answer in {:?}", answer.elapsed));
        } else if answer.status >= 500 {
            failures.push(format!(
                "{name}: HTTP {} {:.200}",
                answer.status, answer.body
            ));
        } else if !refused(&answer) {
            failures.push(format!(
                "{name}: accepted: HTTP {} {:.200}",
                answer.status, answer.body
            ));
        } else if answer.elapsed > BUDGET {
            failures.push(format!("{name}: {:?}", answer.elapsed));
        }
    }
    assert!(served.alive(), "the emulator died");
    let after = exchange(addr, Send::Whole(query(&token, "{ shop { name } }")));
    assert_eq!(after.status, 200, "{}", after.body);
    assert!(
        after.body.contains("\"name\":\"Demo Shop\""),
        "{}",
        after.body
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn half_open_connections_and_a_flood_do_not_keep_the_shop_from_answering() {
    let mut served = Served::start();
    let addr = served.addr;
    let token = token(addr);
    // 200 heads begun and never finished: each is answered 408 within the header timeout.
    let mut half_open: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"POST /admin/api/2026-10/graphql.json HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            s
        })
        .collect();
    let meanwhile = exchange(addr, Send::Whole(query(&token, "{ shop { name } }")));
    assert_eq!(meanwhile.status, 200, "{}", meanwhile.body);
    assert!(meanwhile.elapsed < BUDGET, "{:?}", meanwhile.elapsed);
    for s in &mut half_open {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut first = [0u8; 12];
        s.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"HTTP/1.1 408");
    }
    // 16 clients at once, fan-outs and plain queries mixed: every answer a 200.
    let fan = query(
        &token,
        &format!("{{ shop {{ ...F0 }} }} {}", fan_out("Shop", 30, "name")),
    );
    let plain = query(&token, "{ shop { name } }");
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..16)
            .map(|i| {
                let sent = if i % 2 == 0 {
                    fan.clone()
                } else {
                    plain.clone()
                };
                scope.spawn(move || {
                    (0..5)
                        .map(|_| exchange(addr, Send::Whole(sent.clone())).status)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert_eq!(statuses, vec![200; 80]);
    // 200 pipelined requests on one connection, the last a fan-out: all answered in order.
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let keep = String::from_utf8(plain.clone())
        .unwrap()
        .replace("Connection: close\r\n", "");
    let mut bytes = keep.repeat(199).into_bytes();
    bytes.extend_from_slice(&fan);
    let started = Instant::now();
    stream.write_all(&bytes).unwrap();
    let mut answers = String::new();
    let _ = stream.read_to_string(&mut answers);
    assert!(started.elapsed() < BUDGET * 5, "{:?}", started.elapsed());
    assert_eq!(answers.matches("HTTP/1.1 200 OK").count(), 200);
    assert!(
        answers.ends_with("}]}"),
        "{:.300}",
        &answers[answers.len().saturating_sub(300)..]
    );
    assert!(answers.contains("MAX_SELECTIONS_EXCEEDED"));
    assert!(served.alive(), "the emulator died");
}
