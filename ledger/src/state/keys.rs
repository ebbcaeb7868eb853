//! Every state key of the ledger, in one place (specs/protocol.md §State layout).
//!
//! Keys are byte strings `prefix ‖ '/' ‖ parts`; the Jellyfish Merkle tree indexes them by
//! SHA-256, so their order only matters for prefix scans in queries.

use crate::cert::CertificateRef;
use crate::crypto::PublicKey;
use crate::entry::DocumentRef;
use crate::hash::{DocumentId, EntryId, Hash32};
use crate::ids::OrgId;

fn key(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(part);
    }
    out
}

/// Chain head: height, last block hash and time (written by every block).
pub fn chain_head() -> Vec<u8> {
    b"chain/head".to_vec()
}

/// The chain reference and genesis facts.
pub fn chain_info() -> Vec<u8> {
    b"chain/info".to_vec()
}

/// R191: the block caps set at genesis.
pub fn block_caps() -> Vec<u8> {
    b"chain/caps".to_vec()
}

/// R411: the protocol version in force and the upgrade scheduled.
pub fn protocol_schedule() -> Vec<u8> {
    b"chain/protocol".to_vec()
}

/// The consortium root CA certificates.
pub fn root_cas() -> Vec<u8> {
    b"identity/roots".to_vec()
}

/// The current validator set.
pub fn validators() -> Vec<u8> {
    b"consensus/validators".to_vec()
}

/// Next sequence number of a signer.
pub fn sequence(signer: &PublicKey) -> Vec<u8> {
    key(&[b"seq", &signer.0])
}

/// An organisation record.
pub fn organisation(org: &OrgId) -> Vec<u8> {
    key(&[b"org", org.as_str().as_bytes()])
}

/// Prefix of all organisation records.
pub fn organisation_prefix() -> Vec<u8> {
    b"org/".to_vec()
}

/// Which organisation owns a key.
pub fn organisation_key(key_bytes: &PublicKey) -> Vec<u8> {
    key(&[b"orgkey", &key_bytes.0])
}

/// An eBL record.
pub fn ebl(id: &DocumentId) -> Vec<u8> {
    key(&[b"ebl", &id.0])
}

/// R241: index surrenderRequestReference → document id (written once, never removed).
pub fn surrender_request(reference: &str) -> Vec<u8> {
    key(&[b"ebl-sur", reference.as_bytes()])
}

/// R404: the offshore-trade evidence links of a bill.
pub fn ebl_links(id: &DocumentId) -> Vec<u8> {
    key(&[b"ebl-links", &id.0])
}

/// Index: carrier + transportDocumentReference → document id.
pub fn ebl_reference(carrier: &OrgId, reference: &str) -> Vec<u8> {
    key(&[
        b"ebl-ref",
        carrier.as_str().as_bytes(),
        reference.as_bytes(),
    ])
}

/// R294: what this ledger knows of a bill's travels between platforms (DCSA PINT).
pub fn pint(id: &DocumentId) -> Vec<u8> {
    key(&[b"pint", &id.0])
}

/// R294: pending exports (document id → exporting holder), scanned by the sending gateways.
pub fn pint_outbox(id: &DocumentId) -> Vec<u8> {
    key(&[b"pint-out", &id.0])
}

/// Prefix of [`pint_outbox`].
pub fn pint_outbox_prefix() -> Vec<u8> {
    b"pint-out/".to_vec()
}

/// R322: index attachment checksum → the document it belongs to (its readers are that
/// document's parties).
pub fn attachment(checksum: &Hash32) -> Vec<u8> {
    key(&[b"attachment", &checksum.0])
}

/// A ship certificate record.
pub fn certificate(cert: &CertificateRef) -> Vec<u8> {
    key(&[
        b"cert",
        cert.administration.as_str().as_bytes(),
        cert.utn.as_bytes(),
    ])
}

/// Index: certificates of a ship by IMO number.
pub fn certificate_by_imo(imo: &str, cert: &CertificateRef) -> Vec<u8> {
    key(&[
        b"imo",
        imo.as_bytes(),
        cert.administration.as_str().as_bytes(),
        cert.utn.as_bytes(),
    ])
}

/// Prefix of the IMO index for one ship.
pub fn certificate_by_imo_prefix(imo: &str) -> Vec<u8> {
    let mut k = key(&[b"imo", imo.as_bytes()]);
    k.push(b'/');
    k
}

/// R392: a trade certificate record.
pub fn attested(reference: &crate::attest::AttestRef) -> Vec<u8> {
    key(&[
        b"attest",
        reference.authority.as_str().as_bytes(),
        reference.number.as_bytes(),
    ])
}

/// R385–R388: a ship's flag, its flag changes and its certificates under the current flag.
pub fn ship(imo: &str) -> Vec<u8> {
    key(&[b"ship", imo.as_bytes()])
}

/// A grant record.
pub fn grant(id: &Hash32) -> Vec<u8> {
    key(&[b"grant", &id.0])
}

/// Index: the grant ids a grantor gave (bounded list).
pub fn grants_of(grantor: &OrgId) -> Vec<u8> {
    key(&[b"grants-of", grantor.as_str().as_bytes()])
}

/// A governance proposal.
pub fn proposal(id: &Hash32) -> Vec<u8> {
    key(&[b"proposal", &id.0])
}

/// A verification receipt, under its document so that a prefix scan lists them.
pub fn receipt(subject: &DocumentRef, entry: &EntryId) -> Vec<u8> {
    let mut k = receipt_prefix(subject);
    k.extend_from_slice(&entry.0);
    k
}

/// Prefix of the receipts of one document.
pub fn receipt_prefix(subject: &DocumentRef) -> Vec<u8> {
    let mut k = match subject {
        DocumentRef::Ebl { id } => key(&[b"receipt", b"ebl", &id.0]),
        DocumentRef::Certificate(c) => key(&[
            b"receipt",
            b"cert",
            c.administration.as_str().as_bytes(),
            c.utn.as_bytes(),
        ]),
        DocumentRef::Attested(a) => key(&[
            b"receipt",
            b"attest",
            a.authority.as_str().as_bytes(),
            a.number.as_bytes(),
        ]),
    };
    k.push(b'/');
    k
}

/// R138: the record of a double vote by `validator` at `height`.
pub fn evidence(validator: &PublicKey, height: u64) -> Vec<u8> {
    key(&[b"evidence", &validator.0, &height.to_be_bytes()])
}

/// Prefix of all evidence records.
pub fn evidence_prefix() -> Vec<u8> {
    b"evidence/".to_vec()
}
