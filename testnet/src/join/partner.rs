//! Step (a) of a join, on the partner's side (R441): its organisation key, the consensus key its
//! node will validate with, and the certificate request for the consortium CA. Nothing here
//! leaves the partner but the request (and later the consensus key's public half).

use std::path::{Path, PathBuf};

use ebl_wallet::csr::{CsrSubject, request_pem};
use ed25519_dalek::SigningKey;

use crate::error::{Result, TestnetError};
use crate::home::{mkdir, write_private};
use crate::pki::{OrgSpec, fresh_key};

/// What the partner holds after step (a).
pub struct PartnerKeys {
    /// The organisation key (its certificate will bind it; it signs the partner's entries).
    pub org_key: SigningKey,
    /// The consensus key its node votes with once it is a validator (R446).
    pub consensus_key: SigningKey,
    /// The PEM certificate request, signed with the organisation key.
    pub csr_pem: String,
    /// The folder holding the partner's files (`DIR/join/<ORG>`).
    pub folder: PathBuf,
}

impl std::fmt::Debug for PartnerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys.
        f.debug_struct("PartnerKeys")
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

/// Makes the partner's keys and CSR for `org` and writes them to `folder`: `org.key` and
/// `consensus_key` (hex secrets, 0600) and `<org>.csr.pem`.
pub fn generate(folder: &Path, org: &OrgSpec) -> Result<PartnerKeys> {
    mkdir(folder)?;
    let org_key = fresh_key();
    let consensus_key = fresh_key();
    let subject = CsrSubject::new(&org.id, &org.name, &org.country, &org.roles)
        .map_err(|e| TestnetError::Setup(format!("CSR subject of {}: {e}", org.id)))?;
    let csr_pem = request_pem(&subject, &org_key);
    write_private(&folder.join("org.key"), &hex::encode(org_key.to_bytes()))?;
    write_private(
        &folder.join("consensus_key"),
        &hex::encode(consensus_key.to_bytes()),
    )?;
    let csr = folder.join(format!("{}.csr.pem", org.id.to_lowercase()));
    std::fs::write(&csr, &csr_pem).map_err(TestnetError::io(format!("write {}", csr.display())))?;
    Ok(PartnerKeys {
        org_key,
        consensus_key,
        csr_pem,
        folder: folder.to_path_buf(),
    })
}

/// The path of the partner's CSR in its folder.
pub fn csr_path(keys: &PartnerKeys, org: &str) -> PathBuf {
    keys.folder.join(format!("{}.csr.pem", org.to_lowercase()))
}
