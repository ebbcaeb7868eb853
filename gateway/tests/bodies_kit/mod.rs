//! Helpers of the document body tests: the custodial test router plus keys bound to
//! organisations without custody, callers by API key or by member certificate (mTLS), and
//! `PUT`/`GET /v1/ebls/{id}/document` shorthands that keep the raw bytes.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use ebl_gateway::auth::CertificatePrincipal;
use ebl_gateway::testkit_custody::LocalCustodian;
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::Body as EntryBody;
use ebl_ledger::ids::OrgId;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::custodial_kit::{self, IDENTITIES};
use super::support::{LocalNode, Reply};

/// BANK's read-only trade-finance system: a key bound to BANK without custody.
pub const BANK_RO: &str = "bank-readonly-secret";
/// CARRIER's documentation system: `read` and `submit`, bound to CARRIER without custody.
pub const CARRIER_DOCS: &str = "carrier-docs-secret";
/// MSA's system (`read`, `submit`), a party of no eBL here.
pub const OUTSIDER: &str = "msa-secret";
/// `read` only, bound to nothing.
pub const NO_ORG: &str = "no-org-read-secret";
/// `read`, bound to a custodial identity the custodian does not hold.
pub const GHOST_READER: &str = "ghost-reader-secret";
/// Admin, bound to nothing.
pub const ADMIN: &str = custodial_kit::ADMIN;

/// A marker put in test documents: it must never appear where the presenter did not send it.
pub const MARKER: &str = "CONFIDENTIAL-SI-7731";

/// An organisation id.
pub fn org(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

/// The custodial test keys plus the keys above.
pub fn config() -> GatewayConfig {
    let mut config = custodial_kit::config();
    let read_submit = [Scope::Read, Scope::Submit];
    for key in [
        ApiKey::from_secret("bank-ro", BANK_RO, &[Scope::Read]).with_org(org("BANK")),
        ApiKey::from_secret("carrier-docs", CARRIER_DOCS, &read_submit).with_org(org("CARRIER")),
        ApiKey::from_secret("msa", OUTSIDER, &read_submit).with_org(org("MSA")),
        ApiKey::from_secret("no-org", NO_ORG, &[Scope::Read]),
        ApiKey::from_secret("ghost-reader", GHOST_READER, &[Scope::Read]).with_identity("ghost"),
    ] {
        config.api_keys.insert(key.secret_sha256, key);
    }
    config
}

/// A test node, its custodian (one identity per pilot party) and the router.
pub fn app_with(config: GatewayConfig) -> (Arc<LocalNode>, Router) {
    let node = LocalNode::pilot();
    let custodian = LocalCustodian::over_pilot(node.clone(), IDENTITIES);
    let router = ebl_gateway::router_with_custodian(node.clone(), Some(custodian), config);
    (node, router)
}

/// [`app_with`] the [`config`].
pub fn app() -> (Arc<LocalNode>, Router) {
    app_with(config())
}

/// Who sends a request.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    /// No credentials.
    Nobody,
    /// This API key secret.
    Key(&'a str),
    /// A member certificate of this organisation, as the node's mTLS layer attaches it.
    Cert(&'a str),
}

/// A reply with its raw body.
pub struct Raw {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Raw {
    /// As a decoded [`Reply`] (problems, JSON answers).
    pub fn reply(&self) -> Reply {
        let body = if self.bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&self.bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.bytes).into()))
        };
        Reply {
            status: self.status,
            headers: self.headers.clone(),
            body,
        }
    }

    /// Asserts a problem with `status` and `code`.
    pub fn assert_problem(&self, status: u16, code: &str) {
        self.reply().assert_problem(status, code);
    }

    /// Asserts a 200 whose body is exactly `expected`.
    pub fn assert_body(&self, expected: &[u8]) {
        assert_eq!(self.status, StatusCode::OK, "{}", self.reply().body);
        assert_eq!(self.bytes, expected);
    }
}

/// Sends a request as `who` with an optional raw JSON body.
pub async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    who: Who<'_>,
    body: Option<Vec<u8>>,
) -> Raw {
    send_with(app, method, uri, who, body, &[]).await
}

/// [`send`] with extra headers.
pub async fn send_with(
    app: &Router,
    method: Method,
    uri: &str,
    who: Who<'_>,
    body: Option<Vec<u8>>,
    headers: &[(&str, &str)],
) -> Raw {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Who::Key(key) = who {
        builder = builder.header("authorization", format!("Bearer {key}"));
    }
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut request = builder
        .body(body.map_or_else(Body::empty, Body::from))
        .unwrap();
    if let Who::Cert(id) = who {
        request
            .extensions_mut()
            .insert(CertificatePrincipal { org: org(id) });
    }
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Raw {
        status,
        headers,
        bytes: bytes.to_vec(),
    }
}

/// `PUT /v1/ebls/{id}/document` with `document` as `who`.
pub async fn put_document(app: &Router, who: Who<'_>, id: &str, document: &Value) -> Raw {
    let bytes = serde_json::to_vec_pretty(document).unwrap();
    let uri = format!("/v1/ebls/{id}/document");
    send(app, Method::PUT, &uri, who, Some(bytes)).await
}

/// `GET /v1/ebls/{id}/document` as `who`.
pub async fn get_document(app: &Router, who: Who<'_>, id: &str) -> Raw {
    let uri = format!("/v1/ebls/{id}/document");
    send(app, Method::GET, &uri, who, None).await
}

/// The test TransportDocument of `reference`, carrying [`MARKER`].
pub fn document(reference: &str) -> Value {
    let mut doc = custodial_kit::document(reference);
    doc["shippingInstructionsReference"] = json!(MARKER);
    doc
}

/// The document id of `document`.
pub fn id_of(document: &Value) -> String {
    ebl_ledger::docid::document_id(document).unwrap().to_hex()
}

/// The canonical bytes of `document`.
pub fn canonical(document: &Value) -> Vec<u8> {
    ebl_ledger::docid::canonical_json(document).unwrap()
}

/// Issues [`document`]`(reference)` to SHIPPER (to the order of SHIPPER) straight on the test
/// ledger, bypassing the gateway, so that no body is stored. Returns the document and its id.
pub fn issue_on_ledger(node: &LocalNode, reference: &str) -> (Value, String) {
    let doc = document(reference);
    let id = ebl_ledger::docid::document_id(&doc).unwrap();
    node.with(|n| {
        let shipper = n.org("SHIPPER");
        let issue = EblIssue {
            document: id,
            reference: reference.into(),
            kind: EblType::ToOrderBl,
            issue_to: shipper.clone(),
            consignee: Some(shipper),
        };
        n.submit("CARRIER", EntryBody::Ebl(EblAction::Issue(issue)))
            .unwrap();
    });
    (doc, id.to_hex())
}

/// Reads the body as `who` until it is there (bounded: 5 s), then returns the last reply.
pub async fn read_when_stored(app: &Router, who: Who<'_>, id: &str) -> Raw {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let reply = get_document(app, who, id).await;
        if reply.status == StatusCode::OK || tokio::time::Instant::now() >= deadline {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
