//! The gateway over HTTPS with member mTLS, on one real validator: a member's certificate under
//! the consortium root CA is accepted with read and submit scopes, a certificate from another
//! CA or none is refused at the handshake, and a revoked organisation is refused (ADR 0014).

// Fixture helpers outside `#[test]` functions fail loudly on setup errors, like the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ebl_ledger::entry::Body;
use ebl_ledger::identity::{GovernanceAction, Proposal, Role};
use ebl_ledger::testkit::{TestCa, TestNetwork, Validity};
use ebl_node::Node;
use ebl_node::api_server::{ApiSection, ApiServer, ServeOptions};
use ebl_node::tls::TlsSettings;
use ebl_tests::single::{one_validator_network, single_validator_settings};
use ebl_tests::{init_logs, wait_fates};
use ed25519_dalek::pkcs8::EncodePrivateKey;
use http_body_util::{BodyExt, Full};
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::Value;
use tokio_rustls::TlsConnector;

/// A server certificate for `localhost` and 127.0.0.1 under a throwaway CA; returns the CA too.
fn server_certificate() -> (
    CertificateDer<'static>,
    CertificateDer<'static>,
    PrivateKeyDer<'static>,
) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "gateway test server CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::from_params(&ca, &ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
    (
        ca_cert.der().clone(),
        leaf.der().clone(),
        PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
}

/// A client identity: an organisation certificate (DER) and its Ed25519 key.
fn identity(
    cert: &[u8],
    key: &ed25519_dalek::SigningKey,
) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let pkcs8 = key.to_pkcs8_der().unwrap();
    (
        CertificateDer::from(cert.to_vec()),
        PrivateKeyDer::Pkcs8(pkcs8.as_bytes().to_vec().into()),
    )
}

struct Fixture {
    net: TestNetwork,
    node: Node,
    api: ApiServer,
    server_ca: CertificateDer<'static>,
    _dir: tempfile::TempDir,
}

impl Fixture {
    async fn start() -> Fixture {
        init_logs();
        let net = one_validator_network();
        let dir = tempfile::tempdir().unwrap();
        let settings = single_validator_settings(
            &net,
            "mtls",
            dir.path().to_path_buf(),
            Duration::from_millis(100),
        )
        .unwrap();
        let node = Node::start(settings, &net.genesis).await.unwrap();
        let (server_ca, leaf, key) = server_certificate();
        let tls = TlsSettings {
            cert_chain: vec![leaf],
            key,
            // The consortium root CA of the genesis.
            client_roots: Some(vec![CertificateDer::from(net.ca.root_der.clone())]),
        };
        let config = ApiSection::with_admin_key("127.0.0.1:0", "admin-secret")
            .gateway_config()
            .unwrap();
        let options = ServeOptions {
            tls: Some(tls),
            ..ServeOptions::default()
        };
        let api = ApiServer::start_with(node.handle(), "127.0.0.1:0", config, options)
            .await
            .unwrap();
        Fixture {
            net,
            node,
            api,
            server_ca,
            _dir: dir,
        }
    }

    async fn stop(self) {
        self.api.stop().await.unwrap();
        self.node.stop().await.unwrap();
    }

    /// One HTTPS request with an optional client identity; `Err` if the TLS session or the
    /// HTTP exchange fails.
    async fn request(
        &self,
        client: Option<(CertificateDer<'static>, PrivateKeyDer<'static>)>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), String> {
        let mut roots = RootCertStore::empty();
        roots.add(self.server_ca.clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        let config = match client {
            Some((cert, key)) => builder.with_client_auth_cert(vec![cert], key).unwrap(),
            None => builder.with_no_client_auth(),
        };
        let tcp = tokio::net::TcpStream::connect(self.api.addr)
            .await
            .map_err(|e| e.to_string())?;
        let name = ServerName::try_from("localhost").unwrap();
        let tls = TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .map_err(|e| format!("http handshake: {e}"))?;
        tokio::spawn(conn);
        let body = body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string()));
        let request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost")
            .header("content-type", "application/json")
            .body(Full::new(body))
            .unwrap();
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("request: {e}"))?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }

    fn member(&self, id: &str) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let party = self.net.party(id);
        identity(&party.certificate_der, &party.key)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_certificate_reads_and_submits_without_an_api_key() {
    let mut f = Fixture::start().await;
    let (status, body) = f
        .request(Some(f.member("BANK")), "GET", "/v1/status", None)
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.is_object(), "{body}");

    // Submit scope: a signed entry goes to the mempool on the certificate alone.
    let entry = f
        .net
        .sign("CARRIER", ebl_tests::entries::issue("BL-MTLS-1", "SHIPPER"));
    let json = serde_json::to_value(&entry).unwrap();
    let (status, body) = f
        .request(Some(f.member("CARRIER")), "POST", "/v1/entries", Some(json))
        .await
        .unwrap();
    assert!(status == 200 || status == 202, "{status} {body}");

    // Admin scope is not a member certificate's.
    let (status, body) = f
        .request(
            Some(f.member("BANK")),
            "GET",
            "/v1/webhooks/deliveries",
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "MISSING_SCOPE");
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_another_ca_or_none_is_refused_at_the_handshake() {
    let f = Fixture::start().await;
    // Same organisation name, same key, but issued by a CA outside the consortium.
    let rogue = TestCa::new("Rogue CA");
    let party = f.net.party("BANK");
    let der = rogue.issue(
        "BANK",
        "Rogue Bank",
        "SG",
        &[Role::Bank],
        &party.key,
        Validity {
            not_before: (2024, 1, 1),
            not_after: (2039, 1, 1),
        },
    );
    let refused = f
        .request(Some(identity(&der, &party.key)), "GET", "/v1/status", None)
        .await;
    assert!(refused.is_err(), "{refused:?}");
    let refused = f.request(None, "GET", "/v1/status", None).await;
    assert!(refused.is_err(), "{refused:?}");
    // The member's own certificate still works on the same server.
    let (status, _) = f
        .request(Some(f.member("BANK")), "GET", "/v1/status", None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_organisations_certificate_is_refused() {
    let mut f = Fixture::start().await;
    // The shipper runs no validator, so revoking it leaves the validator set valid.
    let shipper = f.member("SHIPPER");
    let (status, _) = f
        .request(Some(f.member("SHIPPER")), "GET", "/v1/status", None)
        .await
        .unwrap();
    assert_eq!(status, 200);

    // The only validator proposes the revocation: its power alone is > 2/3.
    let key = f.net.validator_keys[0].clone();
    let body = Body::Governance(GovernanceAction::Propose {
        proposal: Proposal::RevokeOrganisation {
            org: f.net.org("SHIPPER"),
            reason: "licence withdrawn".into(),
        },
        expires_at_height: 1_000,
    });
    let entry = f.net.sign_with(&key, None, body);
    let handle = f.node.handle();
    let mut fates = handle.subscribe_notifications();
    handle.submit(entry.clone()).await.unwrap();
    let fates = wait_fates(&mut fates, &[entry.id()], Duration::from_secs(30))
        .await
        .unwrap();
    assert!(
        matches!(fates[0].1, ebl_node::mempool::Status::Final { .. }),
        "{:?}",
        fates[0].1
    );

    let (status, body) = f
        .request(Some(shipper), "GET", "/v1/status", None)
        .await
        .unwrap();
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "ORGANISATION_REVOKED");
    // Another member is unaffected.
    let (status, _) = f
        .request(Some(f.member("CARRIER")), "GET", "/v1/status", None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_certificate_reaches_the_state_sync_routes() {
    let mut f = Fixture::start().await;
    let entry = f.net.sign(
        "CARRIER",
        ebl_tests::entries::issue("BL-MTLS-SYNC", "SHIPPER"),
    );
    let json = serde_json::to_value(&entry).unwrap();
    let (status, body) = f
        .request(
            Some(f.member("CARRIER")),
            "POST",
            "/v1/entries?wait=final",
            Some(json),
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    // R451: a member's certificate alone is enough (no admin key).
    let (status, body) = f
        .request(Some(f.member("BANK")), "GET", "/v1/sync/snapshot", None)
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let height = body["height"].as_u64().unwrap();
    assert!(height >= 1);
    let (status, _) = f
        .request(
            Some(f.member("BANK")),
            "GET",
            &format!("/v1/sync/snapshots/{height}/chunks/0"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
    let (status, body) = f
        .request(
            Some(f.member("BANK")),
            "GET",
            &format!("/v1/sync/snapshots/{}/chunks/0", height + 1000),
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "SNAPSHOT_NOT_SERVED");
    f.stop().await;
}
