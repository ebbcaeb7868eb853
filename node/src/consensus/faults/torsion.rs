//! A vote signer whose signatures carry a torsion component: `R' = R + T` with `T` a point of
//! order 8 and `S' = r + H(R' ‖ A ‖ M)·a mod L`. ZIP-215 (cofactored) verification accepts
//! them, `verify_strict` refuses them; two nodes on different rules would disagree on them.

use async_trait::async_trait;
use ebl_ledger::testkit::edge_signatures::{Shape, sign};
use malachite::app::types::core::{SignedMessage, ValidatorProof, VoteExtensionScope};
use malachite_signing::{Error, Signer};

use crate::consensus::context::EblContext;
use crate::consensus::messages::{Proposal, Vote};
use crate::consensus::scheme::ConsensusSignature;
use crate::consensus::signing::ConsensusSigner;

/// Signs Ed25519 with secret `seed` over `message`, adding the order-8 point to `R` (the
/// ledger testkit's mixed-order-R shape).
pub fn torsion_sign(seed: &[u8; 32], message: &[u8]) -> [u8; 64] {
    sign(
        &ed25519_dalek::SigningKey::from_bytes(seed),
        message,
        Shape::MixedOrderR,
    )
    .0
}

/// Signs votes with [`torsion_sign`]; everything else as [`ConsensusSigner`] does.
#[derive(Clone)]
pub struct TorsionSigner {
    inner: ConsensusSigner,
    seed: [u8; 32],
    chain: [u8; 32],
}

impl std::fmt::Debug for TorsionSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TorsionSigner")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl TorsionSigner {
    /// A signer for the validator with secret `seed` on the network `chain`.
    pub fn new(seed: [u8; 32], chain: [u8; 32]) -> Self {
        TorsionSigner {
            inner: ConsensusSigner::new(seed, chain),
            seed,
            chain,
        }
    }
}

#[async_trait]
impl Signer<EblContext> for TorsionSigner {
    async fn sign_vote(&self, vote: Vote) -> Result<SignedMessage<EblContext, Vote>, Error> {
        let sig = torsion_sign(&self.seed, &vote.signing_bytes(&self.chain));
        let sig = ConsensusSignature(malachite_ed25519::Signature::from_bytes(sig));
        Ok(SignedMessage::new(vote, sig))
    }

    async fn sign_proposal(
        &self,
        proposal: Proposal,
    ) -> Result<SignedMessage<EblContext, Proposal>, Error> {
        self.inner.sign_proposal(proposal).await
    }

    async fn sign_vote_extension(
        &self,
        scope: VoteExtensionScope<EblContext>,
        extension: (),
    ) -> Result<SignedMessage<EblContext, ()>, Error> {
        self.inner.sign_vote_extension(scope, extension).await
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<EblContext>, Error> {
        self.inner.sign_validator_proof(public_key, peer_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip215_accepts_a_torsion_signature_and_verify_strict_refuses_it() {
        let seed = [7u8; 32];
        let message = b"EBL/CONSENSUS/VOTE/v1 sample";
        let signature = torsion_sign(&seed, message);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let public = key.verifying_key();
        let zip215 = malachite_ed25519::PublicKey::from_bytes(public.to_bytes()).unwrap();
        let sig = malachite_ed25519::Signature::from_bytes(signature);
        assert!(zip215.verify(message, &sig).is_ok(), "ZIP-215 accepts");
        let strict = ed25519_dalek::Signature::from_bytes(&signature);
        #[allow(clippy::disallowed_methods)] // for the record: the rule before ADR 0025
        let refused = public.verify_strict(message, &strict).is_err();
        assert!(refused, "verify_strict refuses");
        // The same key's ordinary signature passes both: only the torsion differs.
        use ed25519_dalek::Signer as _;
        let plain = key.sign(message);
        let plain = malachite_ed25519::Signature::from_bytes(plain.to_bytes());
        assert!(zip215.verify(message, &plain).is_ok());
        assert_ne!(plain.to_bytes(), signature);
        // Over another message the torsion signature fails both.
        assert!(zip215.verify(b"other", &sig).is_err());
    }
}
