//! Offline verification of an eBL against a proof bundle (`GET /v1/proofs/ebls/{id}`, saved by
//! `ebl-wallet proof export`): no network, only the document file and the bundle.
//!
//! Checks, in order: the bundle's record is the eBL of the document id recomputed from the file
//! (key and decoded record id), the header hash is the one the bundle names, the Merkle proof
//! of the record bytes verifies against the header's state root (`RecordProof::verify`), and,
//! given a trusted validator set, the bundle's commit certificate makes the header final
//! ([`crate::finality::check`]). Without a validator set finality is not checked and
//! [`OfflineReport::finality_checked`] says so.

use ebl_ledger::block::BlockHeader;
use ebl_ledger::ebl::EblRecord;
use ebl_ledger::state::keys;
use ebl_ledger::state::tree::RecordProof;
use serde::Serialize;
use serde_json::Value;

use crate::WalletError;
use crate::document::TransportDocument;
use crate::finality::{self, FinalityReport, ValidatorFile};

/// What an offline verification established.
#[derive(Debug, Clone, Serialize)]
pub struct OfflineReport {
    /// Document id recomputed from the file.
    pub document_id: String,
    /// transportDocumentReference on the ledger.
    pub reference: String,
    /// Status code of the record.
    pub status: &'static str,
    /// Holder.
    pub holder: String,
    /// Issuing carrier.
    pub carrier: String,
    /// Height of the header proven against.
    pub height: u64,
    /// Its hash.
    pub header_hash: String,
    /// Its state root.
    pub state_root: String,
    /// Chain id in the header.
    pub chain_id: String,
    /// Whether the commit certificate was checked against a trusted validator set (and passed).
    pub finality_checked: bool,
    /// Signed and total power, when checked.
    pub finality: Option<FinalityReport>,
    /// What was (not) checked, in words.
    pub finality_note: String,
}

fn invalid(code: &'static str, reason: impl Into<String>) -> WalletError {
    WalletError::Verification {
        code,
        reason: reason.into(),
    }
}

/// Verifies `doc` against `bundle` (the JSON of a proof bundle), and its finality when
/// `validators` (a trusted set) is given.
pub fn verify_ebl_bundle(
    doc: &TransportDocument,
    bundle: &Value,
    validators: Option<&ValidatorFile>,
) -> Result<OfflineReport, WalletError> {
    let header: BlockHeader = serde_json::from_value(bundle["header"].clone())
        .map_err(|e| invalid("BAD_BUNDLE", format!("`header` is not a block header: {e}")))?;
    let record: RecordProof = serde_json::from_value(bundle["record"].clone())
        .map_err(|e| invalid("BAD_BUNDLE", format!("`record` is not a record proof: {e}")))?;
    if let Some(named) = bundle["header_hash"].as_str()
        && named != header.hash().to_hex()
    {
        return Err(invalid(
            "HEADER_MISMATCH",
            "the header does not hash to the bundle's header_hash",
        ));
    }
    if record.key != keys::ebl(&doc.id) {
        return Err(invalid(
            "DOCUMENT_MISMATCH",
            format!(
                "the bundle proves another record, not the eBL with document id {} computed \
                 from the file",
                doc.id
            ),
        ));
    }
    let bytes = record
        .value
        .as_deref()
        .ok_or_else(|| invalid("NOT_ON_LEDGER", "the bundle proves the eBL's absence"))?;
    let ebl: EblRecord = ebl_ledger::codec::decode_stored(bytes).map_err(|e| {
        invalid(
            "PROOF_INVALID",
            format!("the record bytes do not decode: {e}"),
        )
    })?;
    if ebl.id != doc.id {
        return Err(invalid(
            "DOCUMENT_MISMATCH",
            format!("the record is eBL {}, not {}", ebl.id, doc.id),
        ));
    }
    record.verify(&header.state_root).map_err(|e| {
        invalid(
            "PROOF_INVALID",
            format!("the Merkle proof does not verify against the header's state root: {e}"),
        )
    })?;
    let certificate = finality::bundle_certificate(bundle)?;
    let (finality, finality_note) = match validators {
        Some(set) => {
            let f = finality::check(&header, certificate.as_ref(), set)?;
            let note = format!(
                "final: precommits of {} validators with power {} of {} (> 2/3) for this block \
                 (round {}), checked against the trusted set of height {}",
                f.signers, f.signed_power, f.total_power, f.round, f.validators_height
            );
            (Some(f), note)
        }
        None => (
            None,
            "finality signatures were NOT checked: pass --validators FILE (a trusted set saved \
             with `ebl-wallet validators export`)"
                .to_string(),
        ),
    };
    Ok(OfflineReport {
        document_id: doc.id.to_hex(),
        reference: ebl.reference.clone(),
        status: ebl.status.code(),
        holder: ebl.position.holder.0.clone(),
        carrier: ebl.carrier.0,
        height: header.height,
        header_hash: header.hash().to_hex(),
        state_root: header.state_root.to_hex(),
        chain_id: header.chain.chain_id,
        finality_checked: finality.is_some(),
        finality,
        finality_note,
    })
}
