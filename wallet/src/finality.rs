//! Offline finality: a trusted validator set file (`ebl-wallet validators export`) and the check
//! of a proof bundle's commit certificate against it (R132, R133; ADR 0016).
//!
//! # Design
//!
//! A Merkle proof shows that a record is in the state a header commits to; only the commit
//! certificate shows that the header is the one the consortium made final. The wallet checks
//! the certificate with the ledger's own `CommitCertificate::verify_header`, over the header's
//! `chain.genesis_hash`, against a validator set the user chose to trust. That set must belong
//! to the same chain (genesis hash), or a bundle from a look-alike network signed by look-alike
//! validators would pass.

use std::path::Path;

use ebl_ledger::block::BlockHeader;
use ebl_ledger::finality::{CommitCertificate, FinalityError, FinalityProof};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::Validator;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::WalletError;
use crate::error::{bad_input, read_input};

/// A validator set saved for offline verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorFile {
    /// Chain id the set belongs to.
    pub chain_id: String,
    /// Genesis hash of that chain.
    pub genesis_hash: Hash32,
    /// Height at which the set was read.
    pub height: u64,
    /// Keys, operators and voting powers.
    pub validators: Vec<Validator>,
}

impl ValidatorFile {
    /// Builds the file from a `GET /v1/status` answer.
    pub fn from_status(status: &Value) -> Result<Self, String> {
        serde_json::from_value(serde_json::json!({
            "chain_id": status["chain_id"],
            "genesis_hash": status["genesis_hash"],
            "height": status["height"],
            "validators": status["validators"],
        }))
        .map_err(|e| format!("/v1/status has no valid chain and validator set: {e}"))
    }

    /// Reads and checks a validator file (non-empty, every power > 0).
    pub fn load(path: &Path) -> Result<Self, WalletError> {
        let file: ValidatorFile = serde_json::from_slice(&read_input(path)?).map_err(|e| {
            bad_input(
                path,
                format!(
                    "not a validator set file {{\"chain_id\", \"genesis_hash\", \"height\", \
                     \"validators\": [{{\"key\", \"operator\", \"power\"}}]}} ({e}); save one \
                     with `ebl-wallet validators export --out FILE`"
                ),
            )
        })?;
        if file.validators.is_empty() || file.validators.iter().any(|v| v.power == 0) {
            return Err(bad_input(
                path,
                "the validator set is empty or has a validator with power 0",
            ));
        }
        Ok(file)
    }
}

/// What the finality check established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FinalityReport {
    /// Round of the certificate.
    pub round: u32,
    /// Power of the validators whose precommits verified.
    pub signed_power: u64,
    /// Power of the trusted set.
    pub total_power: u64,
    /// Number of valid precommits.
    pub signers: usize,
    /// Height of the trusted validator set file.
    pub validators_height: u64,
}

fn refused(code: &'static str, reason: impl Into<String>) -> WalletError {
    WalletError::Verification {
        code,
        reason: reason.into(),
    }
}

/// The certificate of a bundle (`commit_certificate`, `null` for genesis).
pub fn bundle_certificate(bundle: &Value) -> Result<Option<CommitCertificate>, WalletError> {
    match &bundle["commit_certificate"] {
        Value::Null => Ok(None),
        value => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| {
                refused(
                    "BAD_BUNDLE",
                    format!("`commit_certificate` is not a commit certificate: {e}"),
                )
            }),
    }
}

/// R132–R133: checks that `certificate` makes `header` final under the trusted `set`, after
/// making sure the set is of the header's chain.
pub fn check(
    header: &BlockHeader,
    certificate: Option<&CommitCertificate>,
    set: &ValidatorFile,
) -> Result<FinalityReport, WalletError> {
    if set.genesis_hash != header.chain.genesis_hash || set.chain_id != header.chain.chain_id {
        return Err(refused(
            "VALIDATORS_WRONG_CHAIN",
            format!(
                "the validator set is of chain {} (genesis {}), the bundle's header of chain {} \
                 (genesis {})",
                set.chain_id,
                set.genesis_hash.to_hex(),
                header.chain.chain_id,
                header.chain.genesis_hash.to_hex()
            ),
        ));
    }
    let certificate = certificate.ok_or_else(|| {
        refused(
            "CERT_MISSING",
            format!(
                "the bundle carries no commit certificate for block {}",
                header.height
            ),
        )
    })?;
    let proof: FinalityProof = certificate
        .verify_header(&header.chain.genesis_hash, header, &set.validators)
        .map_err(|e: FinalityError| refused(e.code(), e.to_string()))?;
    Ok(FinalityReport {
        round: certificate.round,
        signed_power: proof.signed_power,
        total_power: proof.total_power,
        signers: proof.signers,
        validators_height: set.height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> Value {
        serde_json::json!({
            "chain_id": "ebl-test-1",
            "genesis_hash": "11".repeat(32),
            "height": 7,
            "last_block_hash": "22".repeat(32),
            "validators": [{"key": "33".repeat(32), "operator": "GDSW", "power": 10}],
            "peers": 3,
        })
    }

    #[test]
    fn a_status_answer_becomes_a_validator_file_without_its_other_fields() {
        let file = ValidatorFile::from_status(&status()).unwrap();
        assert_eq!(file.height, 7);
        assert_eq!(file.validators[0].power, 10);
        let text = serde_json::to_value(&file).unwrap();
        assert!(text.get("peers").is_none());
        assert_eq!(text["genesis_hash"], "11".repeat(32));
    }

    #[test]
    fn a_status_answer_without_validator_keys_is_refused() {
        let mut s = status();
        s["validators"][0].as_object_mut().unwrap().remove("key");
        assert!(ValidatorFile::from_status(&s).is_err());
    }
}
