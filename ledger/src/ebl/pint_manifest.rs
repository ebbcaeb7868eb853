//! ISSUANCE_MANIFEST: the issuing carrier's signed DCSA issuance manifest, kept on the ledger
//! so that any member's gateway can start the PINT transfer chain of a bill issued here
//! (specs/protocol.md R320–R323). Every node verifies it against the carrier's registered key,
//! so no one can attach a manifest the carrier did not sign.

use serde_json::Value;

use crate::ebl::Attachment;
use crate::ebl::pint::{self};
use crate::ebl::record::EblRecord;
use crate::error::{ExecResult, RuleError};
use crate::identity::org::Organisation;
use crate::ids::OrgId;
use crate::jws::{self, JwsError};
use crate::state::{EntryContext, keys};

/// R320–R322: the issuing carrier records the manifest once, while the bill is open.
pub fn record(
    ctx: &mut EntryContext<'_>,
    record: &EblRecord,
    actor: &OrgId,
    manifest: &str,
    visualisation: Option<&Attachment>,
) -> ExecResult<()> {
    record.check_issuer(actor)?;
    let mut pint = pint::load(ctx, &record.id)?;
    if pint.issuance_manifest.is_some() {
        return Err(RuleError::invalid("manifest", "already recorded for this document").into());
    }
    let carrier = ctx
        .state
        .get::<Organisation>(&keys::organisation(actor))?
        .ok_or_else(|| RuleError::UnknownOrganisation(actor.to_string()))?;
    // R321
    let payload = jws::verify_eddsa(manifest, &carrier.key).map_err(|e| match e {
        JwsError::BadSignature => RuleError::BadSignature,
        other => RuleError::invalid("manifest", other.to_string()),
    })?;
    check_payload(&payload, record, visualisation)?;
    pint.issuance_manifest = Some(manifest.to_string());
    if let Some(visualisation) = visualisation {
        ctx.state.put(
            keys::attachment(&visualisation.document_checksum),
            &record.id,
        );
    }
    pint.visualisation = visualisation.cloned();
    pint::store(ctx, &record.id, &pint);
    Ok(())
}

/// R321–R322: the manifest names this document, and a visualisation exactly when one is given.
fn check_payload(
    payload: &Value,
    record: &EblRecord,
    visualisation: Option<&Attachment>,
) -> Result<(), RuleError> {
    let checksum = |field: &str| payload.get(field).and_then(Value::as_str);
    if checksum("documentChecksum") != Some(record.id.to_hex().as_str()) {
        return Err(RuleError::invalid(
            "manifest",
            "documentChecksum is not this document's",
        ));
    }
    let named = checksum("eBLVisualisationByCarrierChecksum");
    let given = visualisation.map(|v| v.document_checksum.to_hex());
    if named != given.as_deref() {
        return Err(RuleError::invalid(
            "visualisation",
            "must match the manifest's eBLVisualisationByCarrierChecksum",
        ));
    }
    Ok(())
}
