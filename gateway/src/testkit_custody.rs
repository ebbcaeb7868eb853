//! TEST DOUBLE, NOT FOR PRODUCTION (feature `testkit`): [`LocalCustodian`] signs with the
//! pilot parties' keys of a [`LocalNode`], using the same sequencing as the node's custodian
//! (one async lock per identity; next = max(ledger next, last used + 1); a refused entry does
//! not consume its number), so gateway tests exercise the custodial routes end to end.

use std::collections::BTreeMap;
use std::sync::Arc;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::Entry;
use tokio::sync::Mutex;

use super::testkit::LocalNode;
use crate::custody::{
    CustodialIdentity, CustodialOutcome, CustodialRequest, Custodian, CustodyError,
};
use crate::node::{NodeApi, NodeError, NodeFuture, SubmitOutcome};

struct Held {
    identity: CustodialIdentity,
    party: String,
    last: Mutex<Option<u64>>,
}

/// Custodial identities over the pilot parties of a [`LocalNode`] (test double).
pub struct LocalCustodian {
    node: Arc<LocalNode>,
    held: BTreeMap<String, Held>,
}

impl std::fmt::Debug for LocalCustodian {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCustodian")
            .field("identities", &self.held.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl LocalCustodian {
    /// Identities `(name, pilot party id)`, each signing with that party's own key.
    pub fn new(node: Arc<LocalNode>, identities: &[(&str, &str)]) -> Arc<Self> {
        let held = identities
            .iter()
            .map(|(name, party)| {
                let (org, public_key) = node.with(|net| {
                    let p = net.party(party);
                    (p.org.clone(), PublicKey::from(p.key.verifying_key()))
                });
                let identity = CustodialIdentity {
                    name: (*name).into(),
                    org,
                    public_key,
                };
                let held = Held {
                    identity,
                    party: (*party).into(),
                    last: Mutex::new(None),
                };
                ((*name).to_string(), held)
            })
            .collect();
        Arc::new(LocalCustodian { node, held })
    }

    async fn sign_and_submit(
        &self,
        request: CustodialRequest,
    ) -> Result<Result<CustodialOutcome, CustodyError>, NodeError> {
        let Some(held) = self.held.get(&request.identity) else {
            return Ok(Err(CustodyError::UnknownIdentity(request.identity)));
        };
        let mut last = held.last.lock().await;
        let ledger_next = self.node.next_sequence(held.identity.public_key).await?;
        let sequence = last.map_or(ledger_next, |l| ledger_next.max(l.saturating_add(1)));
        let chain = self.node.status().await?.chain;
        let entry = Entry {
            chain: chain.clone(),
            signer: held.identity.public_key,
            sequence,
            act_for: request.act_for,
            body: request.body,
            remark: request.remark,
        };
        let signed = self
            .node
            .with(|net| entry.sign(&net.party(&held.party).key));
        let id = signed.id();
        if let Err(e) = signed.check_stateless(&chain) {
            let submit = SubmitOutcome::Rejected {
                id,
                code: e.code().into(),
                message: e.to_string(),
            };
            return Ok(Ok(CustodialOutcome {
                entry: id,
                sequence,
                submit,
            }));
        }
        let submit = self.node.submit(signed).await?;
        if !matches!(submit, SubmitOutcome::Rejected { .. }) {
            *last = Some(sequence);
        }
        Ok(Ok(CustodialOutcome {
            entry: id,
            sequence,
            submit,
        }))
    }
}

impl Custodian for LocalCustodian {
    fn identities(&self) -> Vec<CustodialIdentity> {
        self.held.values().map(|h| h.identity.clone()).collect()
    }

    fn act(
        &self,
        request: CustodialRequest,
    ) -> NodeFuture<'_, Result<CustodialOutcome, CustodyError>> {
        Box::pin(self.sign_and_submit(request))
    }
}
