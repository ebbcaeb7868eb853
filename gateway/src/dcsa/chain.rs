//! The DCSA endorsement chain (END 3.0.4 `EndorsementChain`) of an eBL, built from the history
//! the ledger keeps in its record (R59). Newest link first, as in the DCSA examples.
//!
//! Action codes: the ledger's codes are DCSA's where DCSA has one (ISSUE, TRANSFER, ENDORSE,
//! ENDORSE_TO_ORDER, BLANK_ENDORSE, SIGN, SURRENDER_FOR_DELIVERY, SURRENDER_FOR_AMENDMENT); the
//! carrier's acceptance of a surrender (SACC) is DCSA's `SURRENDERED`; actions DCSA does not name
//! (REJECT, NOMINATE, SREJ, AMEND, SPLIT, COMBINE, VOID) keep the ledger's code, which END allows
//! ("the combination of entries may differ by eBL Solution Provider").

use std::collections::BTreeMap;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::ebl::{EblRecord, HistoryEntry};
use ebl_ledger::entry::ActionKind;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde_json::{Value, json};

use super::parties::{organisation, party_json};
use crate::AppState;
use crate::error::ApiResult;
use crate::records;

/// The END `actionCode` of a ledger action.
pub fn action_code(action: ActionKind) -> &'static str {
    match action {
        ActionKind::EblAcceptSurrender => "SURRENDERED",
        other => other.code(),
    }
}

/// Whether the DCSA link names a recipient: actions that give something to a party.
fn has_recipient(action: ActionKind) -> bool {
    use ActionKind::*;
    matches!(
        action,
        EblIssue
            | EblTransfer
            | EblEndorse
            | EblEndorseToOrder
            | EblNominate
            | EblReject
            | EblSurrenderForDelivery
            | EblSurrenderForAmendment
            | EblRejectSurrender
    )
}

/// Names and key owners looked up once per answer.
struct Lookup<'a> {
    state: &'a AppState,
    names: BTreeMap<OrgId, Option<String>>,
    owners: BTreeMap<PublicKey, Option<OrgId>>,
}

impl Lookup<'_> {
    async fn name(&mut self, org: &OrgId) -> ApiResult<Option<String>> {
        if let Some(name) = self.names.get(org) {
            return Ok(name.clone());
        }
        let name = organisation(self.state, org).await?.map(|o| o.name);
        self.names.insert(org.clone(), name.clone());
        Ok(name)
    }

    async fn owner(&mut self, key: &PublicKey) -> ApiResult<Option<OrgId>> {
        if let Some(owner) = self.owners.get(key) {
            return Ok(owner.clone());
        }
        let owner = records::get::<OrgId>(self.state, keys::organisation_key(key)).await?;
        self.owners.insert(*key, owner.clone());
        Ok(owner)
    }

    async fn party(&mut self, org: &OrgId) -> ApiResult<Value> {
        let name = self.name(org).await?;
        Ok(party_json(
            &self.state.config.dcsa,
            org,
            name.as_deref(),
            None,
        ))
    }

    /// The actor of a link: the signer's organisation, representing the actor when it acted
    /// for it under a grant (DCSA `representedParty`).
    async fn actor(&mut self, entry: &HistoryEntry) -> ApiResult<Value> {
        match self.owner(&entry.signer).await? {
            Some(agent) if agent != entry.actor => {
                let agent_name = self.name(&agent).await?;
                let actor_name = self.name(&entry.actor).await?;
                Ok(party_json(
                    &self.state.config.dcsa,
                    &agent,
                    agent_name.as_deref(),
                    Some((&entry.actor, actor_name.as_deref())),
                ))
            }
            _ => self.party(&entry.actor).await,
        }
    }
}

/// The END `EndorsementChain` object of one eBL.
pub async fn endorsement_chain(state: &AppState, record: &EblRecord) -> ApiResult<Value> {
    let mut lookup = Lookup {
        state,
        names: BTreeMap::new(),
        owners: BTreeMap::new(),
    };
    let mut links = Vec::with_capacity(record.history.len());
    for entry in record.history.iter().rev() {
        // R299: moves between platforms are PINT's, not END actions; END has no code for them.
        if matches!(
            entry.action,
            ActionKind::EblExport
                | ActionKind::EblExportAnswer
                | ActionKind::EblImport
                | ActionKind::EblLinkEvidence
                | ActionKind::EblWithdrawEvidence
        ) {
            // R404: evidence links are not title actions either.
            continue;
        }
        let mut link = json!({
            "actionDateTime": entry.time.to_rfc3339(),
            "actionCode": action_code(entry.action),
            "actor": lookup.actor(entry).await?,
            // The entry id: anyone can check the action on the ledger with it.
            "auditReference": entry.entry.to_hex(),
        });
        if has_recipient(entry.action)
            && let Some(to) = &entry.to
        {
            link["recipient"] = lookup.party(to).await?;
        }
        links.push(link);
    }
    let mut chain = json!({
        "transportDocumentReference": record.reference,
        "endorsementChain": links,
    });
    if let Some(scac) = state.config.dcsa.carrier_scac.get(&record.carrier) {
        chain["carrierSCACCode"] = json!(scac);
    }
    Ok(chain)
}

/// Every eBL with this transportDocumentReference, one per carrier that issued one (R31 makes
/// the reference unique per carrier only), in carrier order.
pub async fn documents_by_reference(
    state: &AppState,
    reference: &str,
) -> ApiResult<Vec<EblRecord>> {
    let mut found = Vec::new();
    for carrier in super::parties::carriers(state).await? {
        let key = keys::ebl_reference(&carrier, reference);
        let Some(id) = records::get::<ebl_ledger::hash::DocumentId>(state, key).await? else {
            continue;
        };
        if let Some(record) = records::get::<EblRecord>(state, keys::ebl(&id)).await? {
            found.push(record);
        }
    }
    Ok(found)
}

/// R348: most versions of one reference looked at for a sub-reference (the live document and
/// the documents it replaced under the same reference, R31).
pub const MAX_VERSIONS: usize = 16;

/// R348: `record` and the documents it replaced that had its reference (amended under the same
/// transportDocumentReference, R31), newest first, at most [`MAX_VERSIONS`].
pub async fn versions(state: &AppState, record: EblRecord) -> ApiResult<Vec<EblRecord>> {
    let mut found = Vec::new();
    let mut queue = std::collections::VecDeque::from([record]);
    while let Some(record) = queue.pop_front() {
        if found.len() >= MAX_VERSIONS {
            break;
        }
        for id in &record.replaces {
            if let Some(old) = records::get::<EblRecord>(state, keys::ebl(id)).await?
                && old.reference == record.reference
            {
                queue.push_back(old);
            }
        }
        found.push(record);
    }
    Ok(found)
}
