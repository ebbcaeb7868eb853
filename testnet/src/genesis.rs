//! The testnet's consortium: fresh keys, certificates from a new root CA, and the genesis that
//! admits every organisation and makes the operators' consensus keys the validator set.

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::genesis::Genesis;
use ebl_ledger::identity::Validator;
use ebl_ledger::ids::OrgId;
use ebl_ledger::time::Timestamp;
use ed25519_dalek::SigningKey;
use time::OffsetDateTime;

use crate::error::{Result, TestnetError};
use crate::orgs::Plan;
use crate::pki::{OrgSpec, RootCa, fresh_key};

/// The testnet root CA's name (a joining partner's certificate is issued under it, R442).
pub const ROOT_CA_NAME: &str = "Testnet Root CA";

/// Chain id of every testnet (each has its own genesis hash, as its keys are fresh).
pub const CHAIN_ID: &str = "ebl-testnet-1";

/// Voting power of each validator (equal, so any 3 of 4 make a quorum).
pub const VALIDATOR_POWER: u64 = 10;

/// One organisation with its key and certificate.
pub struct Member {
    /// Who it is.
    pub spec: OrgSpec,
    /// Its signing key (also the key its certificate binds).
    pub key: SigningKey,
    /// PEM of its certificate.
    pub certificate_pem: String,
    /// The node holding its key custodially.
    pub host: usize,
}

impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Member")
            .field("spec", &self.spec)
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// Everything `up` writes before starting nodes.
#[derive(Debug)]
pub struct Consortium {
    /// The genesis document.
    pub genesis: Genesis,
    /// PEM of the root CA.
    pub root_pem: String,
    /// The root CA's secret key, for a later CA ceremony (a partner joining, R442).
    pub root_secret: [u8; 32],
    /// Organisations, in plan order.
    pub members: Vec<Member>,
    /// Consensus key of node `i`.
    pub validator_keys: Vec<SigningKey>,
    /// Operator of node `i`.
    pub operators: Vec<String>,
}

/// Makes the consortium of `plan` at `now`.
pub fn build(plan: &Plan, now: OffsetDateTime) -> Result<Consortium> {
    let mut ca = RootCa::new(ROOT_CA_NAME, now)?;
    let mut members = Vec::new();
    let mut organisations = Vec::new();
    for spec in &plan.orgs {
        let key = fresh_key();
        let (der, pem) = ca.issue(spec, &key, now)?;
        organisations.push(der);
        members.push(Member {
            host: plan.host_of(spec),
            spec: spec.clone(),
            key,
            certificate_pem: pem,
        });
    }
    let validator_keys: Vec<SigningKey> = plan.operators.iter().map(|_| fresh_key()).collect();
    let validators = plan
        .operators
        .iter()
        .zip(&validator_keys)
        .map(|(op, key)| {
            Ok(Validator {
                key: PublicKey::from(key.verifying_key()),
                operator: OrgId::new(op.as_str()).map_err(TestnetError::setup("operator id"))?,
                power: VALIDATOR_POWER,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let millis = now.unix_timestamp_nanos() / 1_000_000;
    let genesis = Genesis {
        chain_id: CHAIN_ID.into(),
        genesis_time: Timestamp(
            u64::try_from(millis).map_err(TestnetError::setup("clock before 1970"))?,
        ),
        root_cas: vec![ca.root_der.clone()],
        organisations,
        validators,
        // R191: the default block caps (2,000 entries, 4 MiB).
        max_block_entries: ebl_ledger::genesis::DEFAULT_MAX_BLOCK_ENTRIES,
        max_block_bytes: ebl_ledger::genesis::DEFAULT_MAX_BLOCK_BYTES,
        protocol_version: ebl_ledger::protocol_version::PROTOCOL_VERSION,
        // R381: every organisation's Chinese name (pilot members) and UTC+8 zone.
        organisation_profiles: ebl_ledger::testkit::profiles::genesis_profiles(
            plan.orgs
                .iter()
                .map(|o| (o.id.as_str(), o.name.as_str(), o.country.as_str())),
        ),
    };
    // The nodes would refuse a bad genesis at start; refusing it here names the cause at once.
    genesis
        .execute()
        .map_err(TestnetError::setup("genesis check"))?;
    Ok(Consortium {
        genesis,
        root_pem: ca.root_pem.clone(),
        root_secret: ca.secret(),
        members,
        validator_keys,
        operators: plan.operators.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_consortium_has_a_valid_genesis_with_one_validator_per_node() {
        let plan = Plan::new(4).unwrap_or_else(|e| panic!("{e}"));
        let c = build(&plan, OffsetDateTime::now_utc()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.genesis.validators.len(), 4);
        assert_eq!(c.genesis.organisations.len(), plan.orgs.len());
        assert!(c.genesis.execute().is_ok());
    }

    #[test]
    fn two_consortia_never_share_keys_or_genesis() {
        let plan = Plan::new(1).unwrap_or_else(|e| panic!("{e}"));
        let now = OffsetDateTime::now_utc();
        let a = build(&plan, now).unwrap_or_else(|e| panic!("{e}"));
        let b = build(&plan, now).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(a.genesis.hash(), b.genesis.hash());
        assert_ne!(a.members[0].key.to_bytes(), b.members[0].key.to_bytes());
    }
}
