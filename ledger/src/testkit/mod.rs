//! Test helpers for this crate and others (feature `testkit`): a consortium with certificates,
//! a signed-entry builder that tracks sequence numbers, and a ledger in memory.
//!
//! Not part of the protocol; panics on misuse, as test code may.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

mod ca;
pub mod edge_signatures;
pub mod fuzz_corpus;
pub mod pilot;
mod pilot_attest;
pub mod profiles;
#[cfg(feature = "rocksdb")]
pub mod sync_bench;

pub use ca::{TestCa, Validity, key_from_label};

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;

use crate::block::Outcome;
use crate::crypto::PublicKey;
use crate::entry::{Body, Entry, SignedEntry};
use crate::genesis::{BlockCaps, Genesis};
use crate::hash::Hash32;
use crate::identity::{Role, Validator};
use crate::ids::OrgId;
use crate::ledger::Ledger;
use crate::storage::{MemoryStore, Storage};
use crate::time::Timestamp;

/// 2026-01-01T00:00:00Z, the genesis time of test networks.
pub const GENESIS_TIME: Timestamp = Timestamp(1_767_225_600_000);

/// A member organisation of a test network.
#[derive(Debug, Clone)]
pub struct Party {
    pub org: OrgId,
    pub key: SigningKey,
    pub roles: Vec<Role>,
    pub certificate_der: Vec<u8>,
}

/// The organisations of the standard pilot consortium: (id, name, country, roles). Their
/// Chinese names and zones are in [`profiles`].
pub const PILOT_ORGS: &[(&str, &str, &str, &[Role])] = &[
    ("CARRIER", "Ocean Line Shipping Co", "CN", &[Role::Carrier]),
    ("CARRIER2", "Second Carrier Ltd", "SG", &[Role::Carrier]),
    (
        "SHIPPER",
        "Guangzhou Soy Exporters",
        "CN",
        &[Role::TradeParty],
    ),
    (
        "BANK",
        "Bank of Canton",
        "CN",
        &[Role::Bank, Role::ValidatorOperator],
    ),
    (
        "CONSIGNEE",
        "Singapore Foods Pte",
        "SG",
        &[Role::TradeParty],
    ),
    ("BUYER2", "Johor Trading Sdn", "MY", &[Role::TradeParty]),
    (
        "GDSW",
        "Guangdong Single Window",
        "CN",
        &[Role::PortOrSingleWindow, Role::ValidatorOperator],
    ),
    (
        "SGSW",
        "Singapore Single Window",
        "SG",
        &[Role::PortOrSingleWindow, Role::ValidatorOperator],
    ),
    (
        "MSA",
        "Maritime Safety Administration",
        "CN",
        &[Role::MaritimeAdministration, Role::ValidatorOperator],
    ),
    (
        "MPA",
        "Maritime and Port Authority",
        "SG",
        &[Role::MaritimeAdministration, Role::PortOrSingleWindow],
    ),
    (
        "CLASS",
        "Asia Classification Society",
        "CN",
        &[Role::RecognizedOrganization],
    ),
];

/// A ledger in memory with a pilot consortium, four validators and a block clock.
#[derive(Debug)]
pub struct TestNetwork<S = MemoryStore> {
    pub ledger: Ledger<S>,
    pub genesis: Genesis,
    pub ca: TestCa,
    pub parties: BTreeMap<String, Party>,
    pub validator_keys: Vec<SigningKey>,
    sequences: BTreeMap<PublicKey, u64>,
    time: Timestamp,
}

impl TestNetwork<MemoryStore> {
    /// The pilot consortium ([`PILOT_ORGS`]) with validators run by GDSW, SGSW, MSA and BANK.
    pub fn pilot() -> Self {
        Self::with_orgs(PILOT_ORGS)
    }

    /// The pilot consortium with a single validator: the first validator operator of
    /// [`PILOT_ORGS`] keeps that role, the others keep only their other roles (what
    /// `ebl-node dev` and one-node tests run).
    pub fn one_validator_pilot() -> Self {
        let mut first = true;
        let orgs: Vec<(&str, &str, &str, Vec<Role>)> = PILOT_ORGS
            .iter()
            .map(|(id, name, country, roles)| {
                let keep = |r: &&Role| **r != Role::ValidatorOperator || first;
                let roles: Vec<Role> = roles.iter().filter(keep).copied().collect();
                if roles.contains(&Role::ValidatorOperator) {
                    first = false;
                }
                (*id, *name, *country, roles)
            })
            .collect();
        let refs: Vec<(&str, &str, &str, &[Role])> = orgs
            .iter()
            .map(|(a, b, c, r)| (*a, *b, *c, r.as_slice()))
            .collect();
        Self::with_orgs(&refs)
    }

    /// A network with the given organisations in memory.
    pub fn with_orgs(orgs: &[(&str, &str, &str, &[Role])]) -> Self {
        Self::with_orgs_on(MemoryStore::new(), orgs)
    }

    /// The pilot consortium whose genesis sets the block caps `caps` (R191).
    pub fn pilot_with_caps(caps: BlockCaps) -> Self {
        Self::build(MemoryStore::new(), PILOT_ORGS, caps)
    }
}

impl<S: Storage> TestNetwork<S> {
    /// The pilot consortium on `store` (opened, or created with the pilot genesis).
    pub fn pilot_on(store: S) -> Self {
        Self::with_orgs_on(store, PILOT_ORGS)
    }

    /// A network with the given organisations on `store`; validators are run by the first four
    /// organisations with the validator-operator role (at least one is needed). Sequence numbers
    /// and the clock continue from what the store holds.
    pub fn with_orgs_on(store: S, orgs: &[(&str, &str, &str, &[Role])]) -> Self {
        Self::build(store, orgs, BlockCaps::default())
    }

    fn build(store: S, orgs: &[(&str, &str, &str, &[Role])], caps: BlockCaps) -> Self {
        let ca = TestCa::new("Pilot Root CA");
        let mut parties = BTreeMap::new();
        for (id, name, country, roles) in orgs {
            let key = key_from_label(&format!("org:{id}"));
            let der = ca.issue(id, name, country, roles, &key, Validity::default());
            let party = Party {
                org: OrgId::new(*id).unwrap(),
                key,
                roles: roles.to_vec(),
                certificate_der: der,
            };
            parties.insert(id.to_string(), party);
        }
        let operators: Vec<&Party> = parties
            .values()
            .filter(|p| p.roles.contains(&Role::ValidatorOperator))
            .take(4)
            .collect();
        let validator_keys: Vec<SigningKey> = operators
            .iter()
            .map(|p| key_from_label(&format!("validator:{}", p.org)))
            .collect();
        let validators = operators
            .iter()
            .zip(&validator_keys)
            .map(|(p, k)| Validator {
                key: PublicKey::from(k.verifying_key()),
                operator: p.org.clone(),
                power: 10,
            })
            .collect();
        let genesis = Genesis {
            chain_id: "ebl-test-1".into(),
            genesis_time: GENESIS_TIME,
            root_cas: vec![ca.root_der.clone()],
            organisations: parties
                .values()
                .map(|p| p.certificate_der.clone())
                .collect(),
            validators,
            max_block_entries: caps.max_entries,
            max_block_bytes: caps.max_bytes,
            protocol_version: crate::protocol_version::PROTOCOL_VERSION,
            // R381: Chinese names and UTC+8 for the pilot's organisations.
            organisation_profiles: profiles::genesis_profiles(
                orgs.iter()
                    .map(|(id, name, country, _)| (*id, *name, *country)),
            ),
        };
        let ledger = Ledger::open(store, &genesis).expect("valid test genesis");
        let time = ledger.head().time;
        TestNetwork {
            ledger,
            genesis,
            ca,
            parties,
            validator_keys,
            sequences: BTreeMap::new(),
            time,
        }
    }

    pub fn party(&self, id: &str) -> &Party {
        self.parties
            .get(id)
            .unwrap_or_else(|| panic!("no party {id}"))
    }

    pub fn org(&self, id: &str) -> OrgId {
        self.party(id).org.clone()
    }

    /// Current block time (time of the last block).
    pub fn time(&self) -> Timestamp {
        self.time
    }

    /// Moves the clock forward; the next block gets this time plus one second.
    pub fn advance(&mut self, millis: u64) {
        self.time = Timestamp(self.time.0 + millis);
    }

    /// Moves the clock to the start of a day (must not go back).
    pub fn set_date(&mut self, date: crate::time::CalendarDate) {
        let t = date.start();
        assert!(t >= self.time, "test clock cannot go back");
        self.time = t;
    }

    /// Signs `body` with `key`, acting for `act_for`, with the next tracked sequence number.
    pub fn sign_with(
        &mut self,
        key: &SigningKey,
        act_for: Option<&str>,
        body: Body,
    ) -> SignedEntry {
        let signer = PublicKey::from(key.verifying_key());
        let next = self.ledger.next_sequence(&signer).expect("read sequence");
        let seq = self.sequences.entry(signer).or_insert(next);
        let entry = Entry {
            chain: self.ledger.chain().clone(),
            signer,
            sequence: *seq,
            act_for: act_for.map(|o| OrgId::new(o).unwrap()),
            body,
            remark: None,
        };
        *seq += 1;
        entry.sign(key)
    }

    /// Signs `body` with party `id`'s own key.
    pub fn sign(&mut self, id: &str, body: Body) -> SignedEntry {
        let key = self.party(id).key.clone();
        self.sign_with(&key, None, body)
    }

    /// `n` signed verification receipts, about `n` different (made-up) eBL ids, signed in
    /// turn by `signers`: cheap, valid-signature entries for tests of signature handling,
    /// batching and pools (executing them fails with `UNKNOWN_DOCUMENT`).
    pub fn receipts(&mut self, n: u64, signers: &[&str]) -> Vec<SignedEntry> {
        (0..n)
            .map(|i| {
                let body = Body::Verification(crate::receipt::VerificationReceipt {
                    subject: crate::entry::DocumentRef::Ebl {
                        id: Hash32::sha256(&i.to_be_bytes()),
                    },
                    outcome: crate::receipt::VerificationOutcome::Verified,
                    purpose: "TEST".into(),
                    detail: String::new(),
                    cites: Vec::new(),
                });
                let index = usize::try_from(i).unwrap_or(0) % signers.len().max(1);
                self.sign(signers.get(index).copied().unwrap_or("SGSW"), body)
            })
            .collect()
    }

    /// Executes and commits one block of `entries` one second after the last; returns outcomes.
    pub fn commit(&mut self, entries: Vec<SignedEntry>) -> Vec<Outcome> {
        self.commit_block(entries, false)
    }

    /// [`TestNetwork::commit`] with a commit certificate signed by every validator, as a node
    /// stores it (for tests that check certificates, e.g. snapshots).
    pub fn commit_certified(&mut self, entries: Vec<SignedEntry>) -> Vec<Outcome> {
        self.commit_block(entries, true)
    }

    fn commit_block(&mut self, entries: Vec<SignedEntry>, certified: bool) -> Vec<Outcome> {
        self.advance(1000);
        let proposer = PublicKey::from(self.validator_keys[0].verifying_key());
        let executed = self
            .ledger
            .execute(self.time, proposer, entries)
            .expect("execute");
        let outcomes = executed.results.iter().map(|r| r.outcome.clone()).collect();
        let certificate = if certified {
            self.certify(&executed.block.header)
        } else {
            Vec::new()
        };
        self.ledger.commit(executed, certificate).expect("commit");
        outcomes
    }

    /// The encoded commit certificate of `header` (round 0) signed by every validator key.
    pub fn certify(&self, header: &crate::block::BlockHeader) -> Vec<u8> {
        use ed25519_dalek::Signer;
        let chain = self.ledger.chain().genesis_hash;
        let mut certificate = crate::finality::CommitCertificate {
            height: header.height,
            round: 0,
            block: header.hash(),
            signatures: Vec::new(),
        };
        for key in &self.validator_keys {
            let validator = PublicKey::from(key.verifying_key());
            let vote = certificate.precommit(validator);
            let signature =
                crate::crypto::Signature(key.sign(&vote.signing_bytes(&chain)).to_bytes());
            certificate
                .signatures
                .push(crate::finality::CommitSignature {
                    validator,
                    signature,
                });
        }
        crate::codec::encode(&certificate)
    }

    /// Commits one entry by party `id` and returns `Ok(())` or the error code.
    pub fn submit(&mut self, id: &str, body: Body) -> Result<(), String> {
        let entry = self.sign(id, body);
        self.submit_entry(entry)
    }

    /// Commits one signed entry and returns `Ok(())` or the error code.
    pub fn submit_entry(&mut self, entry: SignedEntry) -> Result<(), String> {
        match self.commit(vec![entry]).remove(0) {
            Outcome::Applied => Ok(()),
            Outcome::Failed { code, .. } => Err(code),
        }
    }

    /// Forgets a failed entry's sequence number when the failure did not consume it
    /// (stateless, replay or gap failures), so the next entry uses the right number.
    pub fn resync_sequence(&mut self, key: &SigningKey) {
        let signer = PublicKey::from(key.verifying_key());
        let next = self.ledger.next_sequence(&signer).unwrap();
        self.sequences.insert(signer, next);
    }

    /// Makes `key`'s next entry use `sequence` again: for entries refused before execution
    /// by a network whose commits this local ledger does not see (a cluster's nodes), where
    /// [`TestNetwork::resync_sequence`] would read a stale number.
    pub fn reuse_sequence(&mut self, key: &SigningKey, sequence: u64) {
        self.sequences
            .insert(PublicKey::from(key.verifying_key()), sequence);
    }

    /// State root of the last block.
    pub fn state_root(&self) -> Hash32 {
        self.ledger.head().state_root
    }
}
