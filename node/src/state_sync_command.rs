//! `ebl-node state-sync`: starts a stopped node with an empty ledger from a peer's snapshot
//! (R450–R459, ADR 0050; OPERATIONS.md "State sync").

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use ebl_node::config::ConfigFile;
use ebl_node::state_sync::{FolderPeer, HttpPeer, SnapshotPeer, sync_from_peers};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

#[derive(Args, Debug)]
pub struct StateSyncArgs {
    /// Path of the node's config.toml (its ledger folder must be absent or empty).
    #[arg(long)]
    config: PathBuf,
    /// A member node's gateway (`https://…` or `http://…`), or a folder holding a served
    /// snapshot (`manifest.json`, `chunk-00000`, …); tried in the order given.
    #[arg(long = "peer", required = true)]
    peers: Vec<String>,
    /// API key with the `admin` scope at the peers (else the member certificate is used).
    #[arg(long)]
    api_key: Option<String>,
    /// The member's client certificate (PEM) for mTLS to the peers.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// Its private key (PEM, PKCS#8).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// The CA certificates (PEM) the peers' server certificates are issued under.
    #[arg(long)]
    tls_ca: Option<PathBuf>,
}

/// Runs the sync and prints what was installed as one JSON line.
pub fn run(args: &StateSyncArgs) -> anyhow::Result<()> {
    let (settings, genesis) = ConfigFile::load(&args.config)?.settings(&args.config)?;
    let tls = client_tls(args)?;
    let peers: Vec<Box<dyn SnapshotPeer>> = args
        .peers
        .iter()
        .map(|peer| -> Box<dyn SnapshotPeer> {
            if peer.starts_with("http://") || peer.starts_with("https://") {
                Box::new(HttpPeer::new(peer, args.api_key.clone(), tls.clone()))
            } else {
                Box::new(FolderPeer(PathBuf::from(peer)))
            }
        })
        .collect();
    let refs: Vec<&dyn SnapshotPeer> = peers.iter().map(AsRef::as_ref).collect();
    let synced = sync_from_peers(&refs, &settings.data_dir, &genesis)?;
    let line = serde_json::json!({
        "state_sync": "installed",
        "peer": synced.peer,
        "height": synced.facts.height,
        "block_hash": synced.facts.block_hash.to_hex(),
        "state_root": synced.facts.state_root.to_hex(),
        "records": synced.facts.records,
        "bytes": synced.bytes,
        "download_ms": millis(synced.download),
        "verify_ms": millis(synced.verify),
        "install_ms": millis(synced.install),
    });
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, format!("{line}\n").as_bytes())?;
    Ok(())
}

/// Whole milliseconds (saturating: a sync does not last 584 million years).
fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The rustls client configuration when any TLS file is given.
fn client_tls(args: &StateSyncArgs) -> anyhow::Result<Option<Arc<rustls::ClientConfig>>> {
    if args.tls_cert.is_none() && args.tls_ca.is_none() {
        return Ok(None);
    }
    let certs = |path: &Path| -> anyhow::Result<Vec<CertificateDer<'static>>> {
        CertificateDer::pem_file_iter(path)
            .with_context(|| format!("read {}", path.display()))?
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("parse certificates in {}", path.display()))
    };
    let mut roots = rustls::RootCertStore::empty();
    if let Some(ca) = &args.tls_ca {
        for root in certs(ca)? {
            roots.add(root).context("CA certificate")?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_root_certificates(roots);
    let config = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let key = PrivateKeyDer::from_pem_file(key)
                .with_context(|| format!("read the private key in {}", key.display()))?;
            builder
                .with_client_auth_cert(certs(cert)?, key)
                .context("client certificate and key")?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(Some(Arc::new(config)))
}
