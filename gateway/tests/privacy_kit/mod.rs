//! One bill and every kind of reader of it (R230–R238): the keys, the bill, a read grant and a
//! request helper that can also present a member certificate (mTLS).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use ebl_gateway::auth::CertificatePrincipal;
use ebl_gateway::testkit::LocalNode;
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::{ActionKind, Body as EntryBody, DocumentRef};
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::identity::{DocumentKind, GrantAction, GrantTerms, Grantee};
use ebl_ledger::ids::OrgId;
use ebl_ledger::time::Timestamp;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// SHIPPER's system: the bill's former holder (a party).
pub const SHIPPER_KEY: &str = "shipper-read";
/// BUYER2's system: a member that is no party of the bill.
pub const STRANGER_KEY: &str = "buyer2-read";
/// The Singapore single window: no party, but BANK grants it READ_TITLE.
pub const AUTHORITY_KEY: &str = "sgsw-read";
/// A regulator: reads everything, audited.
pub const REGULATOR_KEY: &str = "regulator-read";
/// A read key bound to no organisation.
pub const UNBOUND_KEY: &str = "unbound-read";
/// An operator's admin key: bound to no organisation and not a regulator.
pub const ADMIN_KEY: &str = "operator-admin";
/// BANK's admin key (webhooks for BANK).
pub const BANK_ADMIN_KEY: &str = "bank-admin";
/// BUYER2's admin key (webhooks for BUYER2).
pub const STRANGER_ADMIN_KEY: &str = "buyer2-admin";
/// Submits entries (no organisation).
pub const SUBMIT_KEY: &str = "submitter";

/// Who sends a request.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    /// No credentials.
    Nobody,
    /// An API key.
    Key(&'a str),
    /// A member certificate (mTLS) of this organisation.
    Cert(&'a str),
}

fn org(id: &str) -> OrgId {
    OrgId(id.into())
}

/// The keys above.
pub fn config() -> GatewayConfig {
    let read = |name: &str, secret: &str, by: &str| {
        ApiKey::from_secret(name, secret, &[Scope::Read]).with_org(org(by))
    };
    GatewayConfig::with_keys([
        read("shipper", SHIPPER_KEY, "SHIPPER"),
        read("buyer2", STRANGER_KEY, "BUYER2"),
        read("sgsw", AUTHORITY_KEY, "SGSW"),
        ApiKey::from_secret("regulator", REGULATOR_KEY, &[Scope::Read, Scope::Regulator]),
        ApiKey::from_secret("unbound", UNBOUND_KEY, &[Scope::Read]),
        ApiKey::from_secret("operator", ADMIN_KEY, &[Scope::Admin]),
        ApiKey::from_secret("bank-admin", BANK_ADMIN_KEY, &[Scope::Admin]).with_org(org("BANK")),
        ApiKey::from_secret("buyer2-admin", STRANGER_ADMIN_KEY, &[Scope::Admin])
            .with_org(org("BUYER2")),
        ApiKey::from_secret("submitter", SUBMIT_KEY, &[Scope::Read, Scope::Submit]),
    ])
}

/// A node and its router with [`config`] (or `config` when given).
pub fn app_with(config: GatewayConfig) -> (Arc<LocalNode>, Router) {
    let node = LocalNode::pilot();
    let router = ebl_gateway::router(node.clone(), config);
    (node, router)
}

/// The sample TransportDocument, its id and reference.
pub fn sample() -> (DocumentId, String, Value) {
    let text = include_str!("../../../ledger/src/testkit/dcsa-issuance-request.json");
    let request: Value = serde_json::from_str(text).unwrap();
    let document = request["document"].clone();
    let id = ebl_ledger::docid::document_id(&document).unwrap();
    let reference = document["transportDocumentReference"]
        .as_str()
        .unwrap()
        .to_string();
    (id, reference, document)
}

/// The ISSUE of the sample by CARRIER to SHIPPER, blank (the sample names no endorsee, and
/// the PARTIES check holds the ledger to the document, R227).
pub fn issue(node: &LocalNode) -> EntryBody {
    let (id, reference, _) = sample();
    let shipper = node.with(|n| n.org("SHIPPER"));
    EntryBody::Ebl(EblAction::Issue(EblIssue {
        document: id,
        reference,
        kind: EblType::ToOrderBl,
        issue_to: shipper,
        consignee: None,
    }))
}

/// SHIPPER's transfer of the sample to BANK.
pub fn transfer_to_bank(node: &LocalNode) -> EntryBody {
    let (id, _, _) = sample();
    let bank = node.with(|n| n.org("BANK"));
    EntryBody::Ebl(EblAction::Transfer {
        document: id,
        to: bank,
    })
}

/// BANK's grant to SGSW of READ_TITLE on the sample, for a day.
pub fn read_grant(node: &LocalNode) -> EntryBody {
    let (id, _, _) = sample();
    node.with(|n| {
        EntryBody::Grant(GrantAction::Create(GrantTerms {
            grantee: Grantee::Organisation(n.org("SGSW")),
            actions: vec![ActionKind::EblReadTitle],
            document_kinds: vec![DocumentKind::Ebl],
            document: Some(DocumentRef::Ebl { id }),
            valid_from: n.time(),
            valid_until: Timestamp(n.time().0 + 86_400_000),
        }))
    })
}

/// Commits the bill: issued to SHIPPER, transferred to BANK, BANK grants SGSW read access.
/// Returns the document id (hex) and the grant's id.
pub fn bill_on_ledger(node: &LocalNode) -> (String, Hash32) {
    let issue = issue(node);
    let transfer = transfer_to_bank(node);
    let grant = read_grant(node);
    let grant_id = node.with(|n| {
        n.submit("CARRIER", issue).unwrap();
        n.submit("SHIPPER", transfer).unwrap();
        let entry = n.sign("BANK", grant);
        let id = ebl_ledger::identity::grant::grant_id(&entry.id());
        n.submit_entry(entry).unwrap();
        id
    });
    (sample().0.to_hex(), grant_id)
}

/// A reply: status and body (JSON when it parses, else a string).
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

/// Sends one request as `who`.
pub async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    who: Who<'_>,
    body: Option<&Value>,
) -> Reply {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Who::Key(key) = who {
        builder = builder.header("authorization", format!("Bearer {key}"));
    }
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
    let mut request = builder
        .body(bytes.map_or_else(Body::empty, Body::from))
        .unwrap();
    if let Who::Cert(id) = who {
        request
            .extensions_mut()
            .insert(CertificatePrincipal { org: org(id) });
    }
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    Reply { status, body }
}

/// GET as `who`.
pub async fn get(app: &Router, uri: &str, who: Who<'_>) -> Reply {
    send(app, Method::GET, uri, who, None).await
}
