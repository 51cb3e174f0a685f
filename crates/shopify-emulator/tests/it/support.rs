//! A running emulator plus an HTTP client and a demo token.

use std::sync::Once;

use serde_json::{Value, json};
use shopify_emulator::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator, EmulatorBuilder, RunningEmulator,
};

pub const VERSION: &str = "2026-10";

pub struct Harness {
    pub emu: RunningEmulator,
    pub http: reqwest::Client,
    pub token: String,
}

/// A GraphQL answer: status, headers and JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

pub fn http() -> reqwest::Client {
    static PROVIDER: Once = Once::new();
    // reqwest is built without a default TLS provider; plain http still builds a TLS config.
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder().build().unwrap()
}

impl Harness {
    pub async fn start() -> Self {
        Self::with(Emulator::builder()).await
    }

    pub async fn with(builder: EmulatorBuilder) -> Self {
        let emu = builder.start().await.unwrap();
        let http = http();
        let mut harness = Self {
            emu,
            http,
            token: String::new(),
        };
        harness.token = harness.exchange(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
        harness
    }

    pub fn url(&self, path: &str) -> String {
        self.emu.url().join(path).unwrap().to_string()
    }

    /// A demo-shop token for these credentials (panics on refusal).
    pub async fn exchange(&self, id: &str, secret: &str) -> String {
        self.exchange_with(None, id, secret).await
    }

    pub async fn post_graphql(&self, version: &str, token: Option<&str>, body: Value) -> Answer {
        let mut req = self
            .http
            .post(self.url(&format!("/admin/api/{version}/graphql.json")))
            .json(&body);
        if let Some(token) = token {
            req = req.header("X-Shopify-Access-Token", token);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Sends a GraphQL body with `token`, to the shop `host` names (the demo shop when
    /// `None`); the transport error when the exchange fails (injected resets, delays).
    pub async fn try_post(
        &self,
        token: &str,
        host: Option<&str>,
        body: Value,
    ) -> Result<Answer, reqwest::Error> {
        let mut req = self
            .http
            .post(self.url(&format!("/admin/api/{VERSION}/graphql.json")))
            .header("X-Shopify-Access-Token", token)
            .json(&body);
        if let Some(host) = host {
            req = req.header("Host", host);
        }
        let res = req.send().await?;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// A token for app `id` on the shop `host` names (panics on refusal).
    pub async fn exchange_on(&self, host: &str, id: &str, secret: &str) -> String {
        self.exchange_with(Some(host), id, secret).await
    }

    async fn exchange_with(&self, host: Option<&str>, id: &str, secret: &str) -> String {
        let mut req = self.http.post(self.url("/admin/oauth/access_token"));
        if let Some(host) = host {
            req = req.header("Host", host);
        }
        let res = req
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Runs a query with the demo token; asserts HTTP 200.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        let answer = self
            .post_graphql(
                VERSION,
                Some(&self.token),
                json!({"query": query, "variables": variables}),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body
    }

    /// Runs a query that must succeed without errors; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }
}
