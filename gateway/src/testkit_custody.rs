//! TEST DOUBLE, NOT FOR PRODUCTION (feature `testkit`): [`LocalCustodian`] is the production
//! [`SequencedCustodian`] holding the pilot parties' keys of a [`LocalNode`], so gateway tests
//! exercise the custodial routes end to end with the node's own sequencing.

use std::sync::Arc;

use super::testkit::LocalNode;
use crate::custody_sequenced::{SequencedCustodian, SigningIdentity};

/// The custodian of the tests: a [`SequencedCustodian`] over pilot parties' keys.
pub type LocalCustodian = SequencedCustodian;

impl SequencedCustodian {
    /// Identities `(name, pilot party id)` of `node`'s test network, each signing with that
    /// party's own key (test double).
    pub fn over_pilot(node: Arc<LocalNode>, identities: &[(&str, &str)]) -> Arc<Self> {
        Arc::new(Self::pilot_custodian(node, identities))
    }

    /// [`SequencedCustodian::over_pilot`], not yet shared (e.g. to add a journal).
    pub fn pilot_custodian(node: Arc<LocalNode>, identities: &[(&str, &str)]) -> Self {
        let (chain, keys) = node.with(|net| {
            let keys = identities
                .iter()
                .map(|(name, party)| {
                    let p = net.party(party);
                    SigningIdentity {
                        name: (*name).into(),
                        org: p.org.clone(),
                        key: p.key.clone(),
                    }
                })
                .collect();
            (net.ledger.chain().clone(), keys)
        });
        SequencedCustodian::new(node, chain, keys)
    }
}
