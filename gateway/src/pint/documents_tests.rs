//! R315–R316: additional documents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::hash::Hash32;

use super::*;
use crate::pint::fixtures::*;
use crate::pint::receive::check_additional_document;
use crate::pint::send;

#[test]
fn too_many_additional_documents_is_benv() {
    let doc = |i: u8| DocumentMetadata {
        name: format!("d{i}.pdf"),
        size: 1,
        media_type: "application/pdf".into(),
        document_checksum: Hash32::sha256(&[i]).to_hex(),
    };
    let supporting: Vec<DocumentMetadata> = (0..=16).map(doc).collect();
    let envelope = send::envelope(
        document(),
        chain_of(usual_transactions()),
        None,
        supporting,
        &platform_key("EBLA"),
    )
    .unwrap();
    assert_refused(
        &envelope,
        ResponseCode::BENV,
        "more than 16 additional documents",
    );
}

#[test]
fn required_documents_are_the_visualisation_and_supporting_documents_once_each() {
    let doc = |name: &str, bytes: &[u8]| DocumentMetadata {
        name: name.into(),
        size: bytes.len() as u64,
        media_type: "application/pdf".into(),
        document_checksum: Hash32::sha256(bytes).to_hex(),
    };
    let visualisation = doc("bl.pdf", b"pdf");
    let supporting = vec![doc("invoice.pdf", b"invoice"), doc("again.pdf", b"pdf")];
    let envelope = send::envelope(
        document(),
        chain_of(usual_transactions()),
        Some(visualisation.clone()),
        supporting.clone(),
        &platform_key("EBLA"),
    )
    .unwrap();
    let checked = at_eblb(&envelope).unwrap();
    assert_eq!(
        checked.required_documents,
        vec![visualisation, supporting[0].clone()]
    );
}

#[test]
fn an_additional_document_with_the_listed_checksum_and_size_is_accepted() {
    let expected = DocumentMetadata {
        name: "a.pdf".into(),
        size: 3,
        media_type: "application/pdf".into(),
        document_checksum: Hash32::sha256(b"pdf").to_hex(),
    };
    assert_eq!(check_additional_document(&expected, b"pdf"), Ok(()));
    assert_eq!(
        check_additional_document(&expected, b"PDF")
            .unwrap_err()
            .code,
        ResponseCode::INCD
    );
    assert_eq!(
        check_additional_document(&expected, b"pdf!")
            .unwrap_err()
            .code,
        ResponseCode::INCD
    );
}
