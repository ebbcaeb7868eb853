//! R457: where a snapshot comes from. Every answer is read with a byte bound, so a peer that
//! sends more than it may is cut off and named, never buffered.

use std::io::Read as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ebl_ledger::state_sync::MAX_MANIFEST_BYTES;

/// How often a manifest is asked for again while the peer answers 503/504.
const MANIFEST_RETRIES: u32 = 20;
/// The wait between those tries.
const MANIFEST_RETRY_WAIT: Duration = Duration::from_secs(3);

/// Why a peer gave no usable answer (its content is checked by the verifier, not here).
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// Not reachable, or the transfer broke.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// It answered with an HTTP error status.
    #[error("answered HTTP {0}")]
    Status(u16),
    /// R457: it sent more bytes than allowed.
    #[error("sent more than {0} bytes")]
    TooLarge(usize),
}

/// A peer that serves snapshots (R451).
pub trait SnapshotPeer {
    /// How the peer is named in errors and logs.
    fn name(&self) -> String;
    /// The manifest's bytes, at most [`MAX_MANIFEST_BYTES`].
    fn manifest(&self) -> Result<Vec<u8>, PeerError>;
    /// Chunk `index` of the snapshot of `height`, at most `max_bytes`.
    fn chunk(&self, height: u64, index: usize, max_bytes: usize) -> Result<Vec<u8>, PeerError>;
}

/// A member node's gateway: `GET /v1/sync/snapshot` and
/// `GET /v1/sync/snapshots/{height}/chunks/{index}`, authenticated by the member's client
/// certificate (mTLS) or an API key with the `admin` scope.
#[derive(Debug, Clone)]
pub struct HttpPeer {
    base: String,
    api_key: Option<String>,
    agent: ureq::Agent,
}

impl HttpPeer {
    /// A peer at `base` (e.g. `https://node-b:8443`); `tls` carries the member's client
    /// certificate and the consortium's roots when the peer asks for mTLS.
    pub fn new(
        base: &str,
        api_key: Option<String>,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Self {
        let mut builder = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(10))
            // Building a served snapshot of a large chain takes a while on the peer.
            .timeout(Duration::from_secs(600))
            .redirects(0);
        if let Some(tls) = tls {
            builder = builder.tls_config(tls);
        }
        HttpPeer {
            base: base.trim_end_matches('/').to_string(),
            api_key,
            agent: builder.build(),
        }
    }

    fn get(&self, path: &str, max_bytes: usize) -> Result<Vec<u8>, PeerError> {
        let mut request = self.agent.get(&format!("{}{path}", self.base));
        if let Some(key) = &self.api_key {
            request = request.set("Authorization", &format!("Bearer {key}"));
        }
        let response = match request.call() {
            Ok(response) => response,
            Err(ureq::Error::Status(status, _)) => return Err(PeerError::Status(status)),
            Err(e) => return Err(PeerError::Unreachable(e.to_string())),
        };
        read_bounded(response.into_reader(), max_bytes)
    }
}

impl SnapshotPeer for HttpPeer {
    fn name(&self) -> String {
        self.base.clone()
    }

    fn manifest(&self) -> Result<Vec<u8>, PeerError> {
        // A peer builds its snapshot on the first request; on a large chain that outlasts the
        // gateway's request timeout (503/504) while the build goes on: ask again.
        let mut tries = 0;
        loop {
            match self.get("/v1/sync/snapshot", MAX_MANIFEST_BYTES) {
                Err(PeerError::Status(503 | 504)) if tries < MANIFEST_RETRIES => {
                    tries += 1;
                    std::thread::sleep(MANIFEST_RETRY_WAIT);
                }
                other => return other,
            }
        }
    }

    fn chunk(&self, height: u64, index: usize, max_bytes: usize) -> Result<Vec<u8>, PeerError> {
        self.get(
            &format!("/v1/sync/snapshots/{height}/chunks/{index}"),
            max_bytes,
        )
    }
}

/// A snapshot laid out in a folder (`manifest.json`, `chunk-00000`, …): what a served
/// snapshot folder holds, carried by hand to a node without a network path to its peers.
#[derive(Debug, Clone)]
pub struct FolderPeer(pub PathBuf);

impl SnapshotPeer for FolderPeer {
    fn name(&self) -> String {
        self.0.display().to_string()
    }

    fn manifest(&self) -> Result<Vec<u8>, PeerError> {
        read_file(&self.0.join("manifest.json"), MAX_MANIFEST_BYTES)
    }

    fn chunk(&self, _height: u64, index: usize, max_bytes: usize) -> Result<Vec<u8>, PeerError> {
        read_file(&super::serve::chunk_path(&self.0, index), max_bytes)
    }
}

fn read_file(path: &std::path::Path, max_bytes: usize) -> Result<Vec<u8>, PeerError> {
    let file = std::fs::File::open(path)
        .map_err(|e| PeerError::Unreachable(format!("{}: {e}", path.display())))?;
    read_bounded(file, max_bytes)
}

/// Reads at most `max_bytes`; one byte more is [`PeerError::TooLarge`].
fn read_bounded(reader: impl std::io::Read, max_bytes: usize) -> Result<Vec<u8>, PeerError> {
    let mut bytes = Vec::new();
    reader
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| PeerError::Unreachable(e.to_string()))?;
    if bytes.len() > max_bytes {
        return Err(PeerError::TooLarge(max_bytes));
    }
    Ok(bytes)
}
