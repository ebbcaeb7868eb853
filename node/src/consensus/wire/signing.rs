//! Signing and verifying consensus messages with a validator's Ed25519 consensus key.

use async_trait::async_trait;
use malachite::app::types::core::{
    SignedMessage, SigningScheme, ValidatorProof, VoteExtensionScope,
};
use malachite_ed25519 as ed;
use malachite_signing::{Error, Signer, VerificationResult, Verifier};

use super::context::EblContext;
use super::messages::{Proposal, Vote, tag};
use super::scheme::{ConsensusSignature, Ed25519Scheme};

/// Signs for one validator of one network.
#[derive(Clone)]
pub struct ConsensusSigner {
    key: ed::PrivateKey,
    chain: [u8; 32],
}

impl std::fmt::Debug for ConsensusSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsensusSigner")
            .field("public_key", &hex::encode(self.key.public_key().as_bytes()))
            .finish()
    }
}

impl ConsensusSigner {
    /// A signer with the validator's 32-byte Ed25519 secret key.
    pub fn new(secret: [u8; 32], chain: [u8; 32]) -> Self {
        ConsensusSigner {
            key: ed::PrivateKey::from(secret),
            chain,
        }
    }

    /// The public key.
    pub fn public_key(&self) -> ed::PublicKey {
        self.key.public_key()
    }

    /// Signs `bytes` (already domain-tagged).
    pub fn sign_bytes(&self, bytes: &[u8]) -> ConsensusSignature {
        ConsensusSignature(self.key.sign(bytes))
    }
}

/// Verifies consensus signatures of one network.
#[derive(Clone, Copy, Debug)]
pub struct ConsensusVerifier {
    chain: [u8; 32],
}

impl ConsensusVerifier {
    /// A verifier for the network with this genesis hash.
    pub fn new(chain: [u8; 32]) -> Self {
        ConsensusVerifier { chain }
    }
}

/// R171: consensus signatures are decided by the ledger's one rule (R3, ZIP-215), the very
/// function that decides entries, certificates and evidence; it is the rule Malachite's own
/// ed25519-consensus verification applies, so the two can never disagree.
pub fn verify_bytes(key: &ed::PublicKey, bytes: &[u8], sig: &ConsensusSignature) -> bool {
    ebl_ledger::crypto::PublicKey(*key.as_bytes())
        .verify(bytes, &ebl_ledger::crypto::Signature(sig.0.to_bytes()))
        .is_ok()
}

fn extension_bytes(chain: &[u8; 32], scope: &VoteExtensionScope<EblContext>) -> Vec<u8> {
    let mut bytes = tag::EXTENSION.to_vec();
    bytes.extend_from_slice(chain);
    bytes.extend_from_slice(&scope.height.0.to_be_bytes());
    bytes.extend_from_slice(&scope.round.as_i64().to_be_bytes());
    bytes.extend_from_slice(&scope.value_id.0);
    bytes.extend_from_slice(&scope.validator_address.0);
    bytes
}

#[async_trait]
impl Signer<EblContext> for ConsensusSigner {
    async fn sign_vote(&self, vote: Vote) -> Result<SignedMessage<EblContext, Vote>, Error> {
        let sig = self.sign_bytes(&vote.signing_bytes(&self.chain));
        Ok(SignedMessage::new(vote, sig))
    }

    async fn sign_proposal(
        &self,
        proposal: Proposal,
    ) -> Result<SignedMessage<EblContext, Proposal>, Error> {
        let sig = self.sign_bytes(&proposal.signing_bytes(&self.chain));
        Ok(SignedMessage::new(proposal, sig))
    }

    async fn sign_vote_extension(
        &self,
        scope: VoteExtensionScope<EblContext>,
        extension: (),
    ) -> Result<SignedMessage<EblContext, ()>, Error> {
        let sig = self.sign_bytes(&extension_bytes(&self.chain, &scope));
        Ok(SignedMessage::new(extension, sig))
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<EblContext>, Error> {
        let bytes = ValidatorProof::<EblContext>::signing_bytes(&public_key, &peer_id);
        let sig = self.sign_bytes(&bytes);
        Ok(ValidatorProof::new(public_key, peer_id, sig))
    }
}

#[async_trait]
impl Verifier<EblContext> for ConsensusVerifier {
    async fn verify_signed_vote(
        &self,
        vote: &Vote,
        signature: &ConsensusSignature,
        public_key: &ed::PublicKey,
    ) -> Result<VerificationResult, Error> {
        let ok = verify_bytes(public_key, &vote.signing_bytes(&self.chain), signature);
        Ok(VerificationResult::from_bool(ok))
    }

    async fn verify_signed_proposal(
        &self,
        proposal: &Proposal,
        signature: &ConsensusSignature,
        public_key: &ed::PublicKey,
    ) -> Result<VerificationResult, Error> {
        let ok = verify_bytes(public_key, &proposal.signing_bytes(&self.chain), signature);
        Ok(VerificationResult::from_bool(ok))
    }

    async fn verify_signed_vote_extension(
        &self,
        scope: &VoteExtensionScope<EblContext>,
        _extension: &(),
        signature: &ConsensusSignature,
        public_key: &ed::PublicKey,
    ) -> Result<VerificationResult, Error> {
        let ok = verify_bytes(public_key, &extension_bytes(&self.chain, scope), signature);
        Ok(VerificationResult::from_bool(ok))
    }

    async fn verify_validator_proof(
        &self,
        proof: &ValidatorProof<EblContext>,
    ) -> Result<VerificationResult, Error> {
        let Ok(key) = Ed25519Scheme::decode_public_key(&proof.public_key) else {
            return Ok(VerificationResult::Invalid);
        };
        let ok = verify_bytes(&key, &proof.preimage(), &proof.signature);
        Ok(VerificationResult::from_bool(ok))
    }
}
