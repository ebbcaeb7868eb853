//! Entry builders: the bodies of every action, the envelope (chain, sequence, act-for, remark),
//! and [`sign`], which signs and then runs the ledger's own stateless checks (R1–R8) so that the
//! wallet never hands out an entry every node would reject on sight.

pub mod admin;
pub mod cert;
pub mod ebl;

use ed25519_dalek::SigningKey;
use serde::Serialize;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{Body, ChainRef, Entry, SignedEntry};
use ebl_ledger::hash::EntryId;
use ebl_ledger::ids::OrgId;

use crate::error::WalletError;

/// Everything of an entry but its body and signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Network (R7).
    pub chain: ChainRef,
    /// The signer's next sequence number (R9).
    pub sequence: u64,
    /// The organisation acted for through a grant (R26).
    pub act_for: Option<OrgId>,
    /// Remark (≤ 1 KiB, R8).
    pub remark: Option<Vec<u8>>,
}

impl Envelope {
    /// An envelope for `chain` at `sequence`, acting for the signer's own organisation.
    pub fn new(chain: ChainRef, sequence: u64) -> Self {
        Envelope {
            chain,
            sequence,
            act_for: None,
            remark: None,
        }
    }
}

/// Builds the entry, signs it with `key` and checks it as a node would before admission.
pub fn sign(envelope: &Envelope, body: Body, key: &SigningKey) -> Result<SignedEntry, WalletError> {
    let entry = Entry {
        chain: envelope.chain.clone(),
        signer: PublicKey::from(key.verifying_key()),
        sequence: envelope.sequence,
        act_for: envelope.act_for.clone(),
        body,
        remark: envelope.remark.clone(),
    };
    let signed = entry.sign(key);
    signed.check_stateless(&envelope.chain)?;
    Ok(signed)
}

/// What the CLI prints for a signed entry.
#[derive(Debug, Clone, Serialize)]
pub struct SignedView {
    /// Entry id (R5).
    pub entry_id: EntryId,
    /// Action code (`ISSUE`, `CERT_ENDORSE`, …).
    pub action: &'static str,
    /// Signing key.
    pub signer: PublicKey,
    /// Sequence number.
    pub sequence: u64,
    /// Size of the canonical bytes.
    pub size: usize,
    /// Hex of the canonical `SignedEntry` bytes, as submitted to a gateway.
    pub signed_entry_hex: String,
    /// The entry, as JSON.
    pub signed_entry: SignedEntry,
}

impl SignedView {
    /// The view of `signed`.
    pub fn of(signed: &SignedEntry) -> Self {
        let bytes = signed.encode();
        SignedView {
            entry_id: signed.id(),
            action: signed.entry().body.action_kind().code(),
            signer: signed.entry().signer,
            sequence: signed.entry().sequence,
            size: bytes.len(),
            signed_entry_hex: hex::encode(bytes),
            signed_entry: signed.clone(),
        }
    }
}

/// Decodes hex of canonical `SignedEntry` bytes and checks it statelessly against `chain`, or
/// against the chain it names when `chain` is `None` (signature and fields still checked).
pub fn decode_hex(text: &str, chain: Option<&ChainRef>) -> Result<SignedEntry, WalletError> {
    let bytes = hex::decode(text.trim()).map_err(|e| WalletError::InvalidArgument {
        field: "entry".into(),
        reason: format!("not hex ({e})"),
    })?;
    let signed = SignedEntry::decode(&bytes)?;
    let own = signed.entry().chain.clone();
    signed.check_stateless(chain.unwrap_or(&own))?;
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebl_ledger::ebl::EblAction;
    use ebl_ledger::hash::Hash32;

    pub(crate) fn chain() -> ChainRef {
        ChainRef {
            chain_id: "ebl-test".into(),
            genesis_hash: Hash32::sha256(b"genesis"),
        }
    }

    #[test]
    fn a_signed_entry_passes_the_ledgers_stateless_check_and_round_trips() {
        let key = crate::keys::generate();
        let body = Body::Ebl(EblAction::Sign {
            document: Hash32::sha256(b"d"),
        });
        let signed = sign(&Envelope::new(chain(), 7), body, &key).unwrap();
        let view = SignedView::of(&signed);
        assert_eq!(view.action, "SIGN");
        let back = decode_hex(&view.signed_entry_hex, Some(&chain())).unwrap();
        assert_eq!(back, signed);
    }

    #[test]
    fn an_oversized_remark_is_refused_before_it_leaves_the_wallet() {
        let mut envelope = Envelope::new(chain(), 0);
        envelope.remark = Some(vec![b'x'; 2000]);
        let body = Body::Ebl(EblAction::Sign {
            document: Hash32::sha256(b"d"),
        });
        let err = sign(&envelope, body, &crate::keys::generate()).unwrap_err();
        assert!(matches!(err, WalletError::Rule(_)));
    }

    #[test]
    fn decoding_checks_the_chain_and_the_hex() {
        let key = crate::keys::generate();
        let body = Body::Ebl(EblAction::Sign {
            document: Hash32::sha256(b"d"),
        });
        let signed = sign(&Envelope::new(chain(), 0), body, &key).unwrap();
        let hex = hex::encode(signed.encode());
        let other = ChainRef {
            chain_id: "other".into(),
            ..chain()
        };
        assert!(matches!(
            decode_hex(&hex, Some(&other)),
            Err(WalletError::Rule(_))
        ));
        assert!(matches!(
            decode_hex("zz", None),
            Err(WalletError::InvalidArgument { .. })
        ));
    }
}
