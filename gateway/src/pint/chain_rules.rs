//! R306–R312: what the transactions of a verified chain must say.

use ebl_ledger::hash::Hash32;

use super::jws::{TrustedKey, truncate};
use super::model::{
    ACTION_CODES, EnvelopeTransferChainEntry, IssuanceManifest, RecipientParty, Transaction,
};
use super::receive::{MAX_TRANSACTIONS, Refusal, benv, hex_checksum, verified};
use super::trust::TrustConfig;

/// R306–R310, R312: the transactions of the whole chain.
pub(crate) fn check_transactions(
    entries: &[EnvelopeTransferChainEntry],
    document_checksum: Hash32,
    carrier_keys: &dyn Fn(&Transaction) -> Vec<TrustedKey>,
) -> Result<(Transaction, IssuanceManifest), Refusal> {
    let all: Vec<&Transaction> = entries.iter().flat_map(|e| &e.transactions).collect();
    for (i, entry) in entries.iter().enumerate() {
        // R306: bounds.
        if entry.transactions.is_empty() || entry.transactions.len() > MAX_TRANSACTIONS {
            return benv(format!(
                "chain entry {i} must have 1 to {MAX_TRANSACTIONS} transactions"
            ));
        }
        // R309–R310: the issuance manifest and the CTR belong to the first entry only.
        if i > 0 && entry.issuance_manifest_signed_content.is_some() {
            return benv(format!(
                "chain entry {i} carries an issuance manifest (first entry only)"
            ));
        }
        if entry.control_tracking_registry.is_some() {
            return benv(
                "CTR not supported: this platform does not record transfers in a Control Tracking Registry",
            );
        }
    }
    // R312: the spec's action codes only.
    if let Some(tx) = all
        .iter()
        .find(|tx| !ACTION_CODES.contains(&tx.action_code.as_str()))
    {
        return benv(format!(
            "unknown actionCode {}",
            truncate(&tx.action_code, 50)
        ));
    }
    // R307: ISSUE first, and only there.
    let issue = match all.first() {
        Some(tx) if tx.action_code == "ISSUE" => (*tx).clone(),
        _ => return benv("the first transaction of the chain is not ISSUE"),
    };
    if all.iter().skip(1).any(|tx| tx.action_code == "ISSUE") {
        return benv("ISSUE appears more than once");
    }
    // R308: nothing after a surrender is accepted.
    if let Some(sacc) = all.iter().position(|tx| tx.action_code == "SACC")
        && sacc + 1 < all.len()
    {
        return benv("a transaction follows SACC");
    }
    // R309: the carrier's issuance manifest.
    let Some(signed) = entries
        .first()
        .and_then(|e| e.issuance_manifest_signed_content.as_ref())
    else {
        return benv("the first chain entry has no issuanceManifestSignedContent");
    };
    let carrier = truncate(&issue.actor.party_name, 70);
    let manifest: IssuanceManifest = verified(
        signed,
        Some(carrier_keys(&issue)),
        &carrier,
        "issuance manifest",
    )?;
    if hex_checksum(
        &manifest.document_checksum,
        "issuance manifest documentChecksum",
    )? != document_checksum
    {
        return benv("the issuance manifest names another transport document");
    }
    Ok((issue, manifest))
}

/// R311: the last transaction hands the bill to a party on this platform.
pub(crate) fn check_addressed(
    entries: &[EnvelopeTransferChainEntry],
    trust: &TrustConfig,
) -> Result<(Transaction, RecipientParty), Refusal> {
    let Some(last) = entries.last().and_then(|e| e.transactions.last()) else {
        return benv("the chain has no transaction");
    };
    if !matches!(
        last.action_code.as_str(),
        "TRANSFER" | "SURRENDER_FOR_DELIVERY" | "SURRENDER_FOR_AMENDMENT"
    ) {
        return benv(format!(
            "notification-only envelopes not supported (last transaction {})",
            last.action_code
        ));
    }
    match &last.recipient {
        Some(recipient) if recipient.ebl_platform == trust.platform_code => {
            Ok((last.clone(), recipient.clone()))
        }
        _ => benv(format!(
            "not addressed to this platform ({})",
            trust.platform_code
        )),
    }
}

#[cfg(test)]
#[path = "chain_rules_tests.rs"]
mod tests;
