//! HTTPS for the gateway listener, and member mTLS (ADR 0014).
//!
//! # Design
//!
//! With `[api.tls]` the listener speaks TLS (rustls, `ring` provider). With a client CA too, the
//! handshake demands a client certificate that chains to it — the consortium root CA of the
//! genesis — so a certificate from another CA, or none, never reaches HTTP. The certificate's
//! CN names the organisation (as in R21); on every request the organisation is looked up in
//! committed ledger state and must be admitted and not revoked, else 403 `ORGANISATION_REVOKED`
//! or `UNKNOWN_ORGANISATION`. A member that passes is handed to the gateway as a
//! [`CertificatePrincipal`], which its key check treats as a key with the read and submit scopes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ebl_gateway::auth::CertificatePrincipal;
use ebl_gateway::error::ApiError;
use ebl_ledger::identity::Organisation;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::{Deserialize, Serialize};

use crate::reads::CommittedReads;

/// `[api.tls]` of `config.toml`: PEM files, relative to the config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// The server's certificate chain (PEM).
    pub cert_file: PathBuf,
    /// The server's private key (PEM, PKCS#8).
    pub key_file: PathBuf,
    /// When set, clients must present a certificate issued under these CAs (PEM): the
    /// consortium root CA of the genesis.
    #[serde(default)]
    pub client_ca_file: Option<PathBuf>,
}

/// Server certificate, key and (for mTLS) client roots, as DER.
#[derive(Debug)]
pub struct TlsSettings {
    /// Certificate chain, leaf first.
    pub cert_chain: Vec<CertificateDer<'static>>,
    /// Private key.
    pub key: PrivateKeyDer<'static>,
    /// Client roots; `None` serves HTTPS without client certificates.
    pub client_roots: Option<Vec<CertificateDer<'static>>>,
}

impl TlsSection {
    /// Reads the PEM files, resolving paths against `base` (the config file's folder).
    pub fn load(&self, base: &Path) -> anyhow::Result<TlsSettings> {
        let certs = |path: &Path| -> anyhow::Result<Vec<CertificateDer<'static>>> {
            let path = base.join(path);
            let certs = CertificateDer::pem_file_iter(&path)
                .with_context(|| format!("read {}", path.display()))?
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("parse certificates in {}", path.display()))?;
            anyhow::ensure!(!certs.is_empty(), "{}: no certificate", path.display());
            Ok(certs)
        };
        let key_path = base.join(&self.key_file);
        let key = PrivateKeyDer::from_pem_file(&key_path)
            .with_context(|| format!("read the private key in {}", key_path.display()))?;
        Ok(TlsSettings {
            cert_chain: certs(&self.cert_file)?,
            key,
            client_roots: self.client_ca_file.as_deref().map(certs).transpose()?,
        })
    }
}

impl TlsSettings {
    /// The rustls server configuration: HTTP/1.1 and h2 by ALPN; client certificates required
    /// and verified against the client roots when there are any.
    pub fn server_config(self) -> anyhow::Result<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?;
        let builder = match self.client_roots {
            None => builder.with_no_client_auth(),
            Some(roots) => {
                let mut store = RootCertStore::empty();
                for root in roots {
                    store.add(root).context("client CA certificate")?;
                }
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider)
                        .build()
                        .context("client certificate verifier")?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config = builder
            .with_single_cert(self.cert_chain, self.key)
            .context("server certificate and key")?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }
}

/// The organisation a verified client certificate names (its CN), set per connection.
#[derive(Debug, Clone)]
pub struct PeerOrganisation(pub Option<OrgId>);

/// The CN of a client certificate the handshake already verified.
pub fn certificate_org(der: &[u8]) -> Option<OrgId> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let cn = cert.subject().iter_common_name().next()?.as_str().ok()?;
    OrgId::new(cn).ok()
}

/// Middleware: a request over a connection with a client certificate passes only if its
/// organisation is admitted and not revoked in committed state; it then carries a
/// [`CertificatePrincipal`].
pub async fn member_gate(
    State(reads): State<CommittedReads>,
    mut request: Request,
    next: Next,
) -> Response {
    let org = request
        .extensions()
        .get::<PeerOrganisation>()
        .and_then(|p| p.0.clone());
    if let Some(org) = org {
        match member(&reads, &org) {
            Ok(()) => {
                request
                    .extensions_mut()
                    .insert(CertificatePrincipal { org });
            }
            Err(e) => return e.into_response(),
        }
    }
    next.run(request).await
}

/// A client certificate authenticates its organisation only while the ledger holds it
/// admitted and not revoked.
fn member(reads: &CommittedReads, org: &OrgId) -> Result<(), ApiError> {
    let bytes = reads
        .get(&keys::organisation(org))
        .map_err(|e| ApiError::internal(&e))?;
    let record: Option<Organisation> = bytes
        .map(|b| ebl_ledger::codec::decode_stored(b.as_slice()))
        .transpose()
        .map_err(|e| ApiError::internal(&e))?;
    match record {
        None => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "UNKNOWN_ORGANISATION",
            format!("the client certificate names {org}, which is not a member organisation"),
        )),
        Some(o) if o.revoked_at_height.is_some() => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "ORGANISATION_REVOKED",
            format!("the membership of {org} has been revoked"),
        )),
        Some(_) => Ok(()),
    }
}
