//! Shared test helpers: a router over the local test node with three API keys, and a one-shot
//! request helper that returns status, headers and JSON body.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::Body as EntryBody;
use ebl_ledger::hash::DocumentId;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub use ebl_gateway::testkit::LocalNode;

pub mod page;
#[allow(unused_imports)]
pub use page::*;

/// A key with `read` and `regulator` (R235: it reads every title, audited): the tests of
/// query routes read as the regulator; `tests/privacy*.rs` read as each kind of reader.
pub const READ: &str = "read-secret";
/// A key with `read` and `submit`.
pub const SUBMIT: &str = "submit-secret";
/// A key with `admin` and `regulator` (its webhooks receive every event).
pub const ADMIN: &str = "admin-secret";

/// The configuration of the tests.
pub fn config() -> GatewayConfig {
    GatewayConfig::with_keys([
        ApiKey::from_secret("reader", READ, &[Scope::Read, Scope::Regulator]),
        ApiKey::from_secret("submitter", SUBMIT, &[Scope::Read, Scope::Submit]),
        ApiKey::from_secret("admin", ADMIN, &[Scope::Admin, Scope::Regulator]),
    ])
}

/// A test node and the router over it.
pub fn app() -> (Arc<LocalNode>, Router) {
    app_with(config())
}

/// A test node and the router over it with `config`.
pub fn app_with(config: GatewayConfig) -> (Arc<LocalNode>, Router) {
    let node = LocalNode::pilot();
    let router = ebl_gateway::router(node.clone(), config);
    (node, router)
}

/// A response, decoded.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The problem code, for error replies.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// Asserts a problem+json reply with `status` and `code`.
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.code(), code, "body: {}", self.body);
        assert_eq!(
            self.headers["content-type"], "application/problem+json",
            "body: {}",
            self.body
        );
        assert_eq!(self.body["status"].as_u64(), Some(u64::from(status)));
        assert!(self.body["type"].is_string() && self.body["title"].is_string());
        assert!(self.body["detail"].is_string());
    }
}

/// Sends one request with API key `key` (none if empty) and an optional raw body.
pub async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    key: &str,
    body: Option<Vec<u8>>,
) -> Reply {
    let mut builder = Request::builder().method(method).uri(uri);
    if !key.is_empty() {
        builder = builder.header("authorization", format!("Bearer {key}"));
    }
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    let request = builder
        .body(body.map_or_else(Body::empty, Body::from))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// GET with the read key.
pub async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Method::GET, uri, READ, None).await
}

/// POST JSON with the submit key.
pub async fn post(app: &Router, uri: &str, body: &Value) -> Reply {
    send(
        app,
        Method::POST,
        uri,
        SUBMIT,
        Some(serde_json::to_vec(body).unwrap()),
    )
    .await
}

/// The DCSA issuance request sample committed with the ledger.
pub fn dcsa_issuance_request() -> Value {
    let text = include_str!("../../../ledger/src/testkit/dcsa-issuance-request.json");
    serde_json::from_str(text).unwrap()
}

/// The document id and reference of the sample's TransportDocument.
pub fn sample_document() -> (DocumentId, String, Value) {
    let request = dcsa_issuance_request();
    let document = request["document"].clone();
    let id = ebl_ledger::docid::document_id(&document).unwrap();
    let reference = document["transportDocumentReference"]
        .as_str()
        .unwrap()
        .to_string();
    (id, reference, document)
}

/// An ISSUE body for the sample, to SHIPPER: a to-order BL without endorsee (blank), as the
/// sample's document says (R220; the PARTIES check of `/v1/verify` compares them).
pub fn issue_body(node: &LocalNode) -> EntryBody {
    let (id, reference, _) = sample_document();
    let shipper = node.with(|n| n.org("SHIPPER"));
    EntryBody::Ebl(EblAction::Issue(EblIssue {
        document: id,
        reference,
        kind: EblType::ToOrderBl,
        issue_to: shipper,
        consignee: None,
    }))
}

/// `{"entry": "<hex>"}` for a signed entry.
pub fn hex_body(entry: &ebl_ledger::entry::SignedEntry) -> Value {
    serde_json::json!({ "entry": hex::encode(entry.encode()) })
}

/// The ISSUE entry of the sample, signed by CARRIER.
pub fn signed_issue(node: &LocalNode) -> ebl_ledger::entry::SignedEntry {
    let body = issue_body(node);
    node.with(|n| n.sign("CARRIER", body))
}

/// Issues registry certificate MSA/UTN-1 for ship IMO 9074729, valid 12 months.
pub fn issue_certificate(node: &LocalNode) {
    node.with(|n| {
        let issued_on = n.time().date();
        let issue = ebl_ledger::cert::CertificateIssue {
            utn: "UTN-1".into(),
            kind: ebl_ledger::cert::CertificateKind::Registry,
            ship: ebl_ledger::cert::Ship {
                imo_number: "9074729".into(),
                name: "PILOT STAR".into(),
                flag: "CN".into(),
                call_sign: "BPXA".into(),
                gross_tonnage: 41_000,
            },
            issued_on,
            expires_on: issued_on.add_months(12),
            document: None,
            place: "Guangzhou".into(),
        };
        n.submit(
            "MSA",
            EntryBody::Certificate(ebl_ledger::cert::CertAction::Issue(issue)),
        )
        .unwrap();
    });
}
