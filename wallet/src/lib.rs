//! Wallet for eBL ledger members: keys, an encrypted keystore, onboarding CSRs, document ids and
//! signed entry builders.
//!
//! # Design
//!
//! The binary `ebl-wallet` is a thin shell (`main.rs`, `cli/`) over this library, so that every
//! piece a member's system needs is testable without a terminal:
//!
//! - [`keys`]: Ed25519 keys in PKCS#8 / SPKI PEM, interoperable with `openssl genpkey` and
//!   `openssl pkey`.
//! - [`keystore`]: one encrypted file per identity (argon2id + XChaCha20-Poly1305, ADR 0010).
//! - [`csr`], [`inspect`]: the PKCS#10 request an organisation sends to the consortium CA, and a
//!   reader for requests and certificates.
//! - [`document`]: the document id of a DCSA TransportDocument (R30), unwrapping issuance
//!   requests and PINT envelopes.
//! - [`build`]: entry bodies for every action and [`build::sign`], which refuses to sign an
//!   entry the ledger's stateless checks (R1–R8) would reject.
//! - [`error`]: typed errors with stable codes and the CLI's exit codes.
//!
//! - [`client`]: a blocking client of `ebl-gateway` (status, sequence, submit, queries, proofs).
//! - [`proof`]: offline verification of an eBL against a saved proof bundle.
//! - [`finality`]: trusted validator set files and the offline commit certificate check.
//! - [`import`]: the resumable state of a bulk import.
//!
//! # Example
//!
//! ```
//! use ebl_wallet::build::{self, Envelope};
//! use ebl_ledger::{ebl::EblAction, entry::{Body, ChainRef}, hash::Hash32};
//!
//! let key = ebl_wallet::keys::generate();
//! let chain = ChainRef { chain_id: "ebl-dev".into(), genesis_hash: Hash32::sha256(b"genesis") };
//! let envelope = Envelope::new(chain.clone(), 0);
//! let body = Body::Ebl(EblAction::Sign { document: Hash32::sha256(b"doc") });
//! let signed = build::sign(&envelope, body, &key).unwrap();
//! assert!(signed.check_stateless(&chain).is_ok());
//! ```

pub mod build;
pub mod client;
pub mod csr;
pub mod der;
pub mod document;
pub mod error;
pub mod finality;
pub mod import;
pub mod inspect;
pub mod keys;
pub mod keystore;
pub mod parse;
pub mod proof;

pub use error::{ExitCode, WalletError};
