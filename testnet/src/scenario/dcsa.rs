//! The DCSA sample issuance request (eBL ISS 3.0.4 `regularSTDExample`), adapted to the
//! testnet: a fresh `transportDocumentReference`, `issueTo` and the first endorsee naming the
//! shipper by its ledger id (codeListProvider = the gateway's platform code), and the
//! issuance manifest recomputed from the content (the published sample carries placeholder
//! checksums) and signed with the carrier's key, which the gateway verifies (R224–R226).

use ebl_gateway::dcsa::manifest::signed_request;
use ebl_ledger::hash::DocumentId;
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

use crate::error::{Result, TestnetError};

const SAMPLE: &str = include_str!(
    "../../../gateway/assets/dcsa/samples/dcsa-ebl-iss-3.0.4__put-ebl-issuance-requests__request__regularSTDExample.json"
);

/// The gateway's DCSA platform code (`ebl_gateway::dcsa::DcsaConfig::default().platform`).
fn platform() -> String {
    ebl_gateway::dcsa::DcsaConfig::default().platform
}

fn party_on(platform: &str, name: &str, org: &str) -> Value {
    json!({
        "partyName": name,
        "identifyingCodes": [{"codeListProvider": platform, "partyCode": org}],
    })
}

fn bad(detail: impl std::fmt::Display) -> TestnetError {
    TestnetError::Setup(format!("DCSA sample: {detail}"))
}

/// The adapted request and the document id (= `documentChecksum`, the eBL's ledger id), its
/// issuance manifest signed with the carrier's registered key `carrier` (R224–R226).
pub fn issuance_request(
    reference: &str,
    shipper: &str,
    carrier: &SigningKey,
) -> Result<(Value, DocumentId)> {
    issuance_request_on(&platform(), reference, shipper, carrier)
}

/// [`issuance_request`] for a gateway whose DCSA platform code is `platform`.
pub fn issuance_request_on(
    platform: &str,
    reference: &str,
    shipper: &str,
    carrier: &SigningKey,
) -> Result<(Value, DocumentId)> {
    let mut request: Value = serde_json::from_str(SAMPLE).map_err(bad)?;
    request["document"]["transportDocumentReference"] = reference.into();
    request["document"]["documentParties"]["endorsee"] =
        party_on(platform, "Guangzhou Soy Exporters", shipper);
    let mut issue_to = party_on(platform, "Guangzhou Soy Exporters", shipper);
    issue_to["sendToPlatform"] = platform.into();
    request["issueTo"] = issue_to;
    let document = ebl_ledger::docid::document_id(&request["document"]).map_err(bad)?;
    Ok((signed_request(request, carrier), document))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn carrier() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    #[test]
    fn the_adapted_sample_names_the_shipper_and_its_manifest_matches_the_document() {
        let (request, id) = issuance_request("PILOT000000000001", "SHIPPER", &carrier())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            request["issueTo"]["identifyingCodes"][0]["partyCode"],
            "SHIPPER"
        );
        let jws = request["issuanceManifestSignedContent"]
            .as_str()
            .unwrap_or_default();
        let payload = jws.split('.').nth(1).unwrap_or_default();
        let manifest: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(manifest["documentChecksum"], id.to_hex());
    }

    #[test]
    fn two_references_give_two_document_ids() {
        let a = issuance_request("PILOTA", "SHIPPER", &carrier())
            .map(|r| r.1)
            .ok();
        let b = issuance_request("PILOTB", "SHIPPER", &carrier())
            .map(|r| r.1)
            .ok();
        assert!(a.is_some() && a != b);
    }
}
