//! R485: the carried id and bytes are always those of the entry beside them, and carrying them
//! changes no encoding.

use bincode::Encode;

use super::SignedEntry;
use crate::codec;
use crate::crypto::Signature;
use crate::entry::Entry;
use crate::testkit::TestNetwork;

/// The pair as it was encoded before R485, field by field.
#[derive(Encode)]
struct FieldByField<'a> {
    entry: &'a Entry,
    signature: &'a Signature,
}

fn field_by_field(signed: &SignedEntry) -> Vec<u8> {
    codec::encode(&FieldByField {
        entry: signed.entry(),
        signature: signed.signature(),
    })
}

fn receipts(n: u64) -> Vec<SignedEntry> {
    TestNetwork::pilot().receipts(n, &["BANK", "CARRIER"])
}

#[test]
fn the_carried_id_and_bytes_are_those_of_the_entry() {
    for signed in receipts(4) {
        assert_eq!(signed.id(), signed.entry().id());
        assert_eq!(signed.signing_payload(), signed.entry().signing_payload());
        assert_eq!(signed.canonical_entry(), codec::encode(signed.entry()));
        assert_eq!(signed.encode(), field_by_field(&signed));
        assert_eq!(signed.encoded_len(), signed.encode().len());
    }
}

#[test]
fn a_list_of_entries_encodes_as_before_and_decodes_to_the_same_ids() {
    let list = receipts(5);
    let expected: Vec<u8> = {
        let pairs: Vec<FieldByField<'_>> = list
            .iter()
            .map(|s| FieldByField {
                entry: s.entry(),
                signature: s.signature(),
            })
            .collect();
        codec::encode(&pairs)
    };
    let bytes = codec::encode(&list);
    assert_eq!(bytes, expected);
    let decoded: Vec<SignedEntry> = codec::decode(&bytes, bytes.len()).expect("canonical");
    assert_eq!(decoded, list);
    let ids = |l: &[SignedEntry]| l.iter().map(SignedEntry::id).collect::<Vec<_>>();
    assert_eq!(ids(&decoded), ids(&list));
}

#[test]
fn a_changed_entry_is_a_new_value_with_a_new_id() {
    let signed = receipts(1).remove(0);
    let (mut entry, signature) = signed.clone().into_parts();
    entry.sequence += 1;
    let changed = SignedEntry::new(entry.clone(), signature);
    assert_ne!(changed.id(), signed.id());
    assert_eq!(changed.id(), entry.id());
    assert_ne!(changed, signed);
}

#[test]
fn another_signature_keeps_the_id_but_is_another_statement() {
    let signed = receipts(1).remove(0);
    let forged = signed.tampered_signature(0, 1);
    assert_eq!(forged.id(), signed.id());
    assert_ne!(forged, signed);
    assert_ne!(forged.encode(), signed.encode());
    assert_eq!(forged.encode(), field_by_field(&forged));
}

#[test]
fn json_keeps_its_shape_and_a_decoded_value_computes_its_own_id() {
    let signed = receipts(1).remove(0);
    let json = serde_json::to_value(&signed).expect("serializes");
    let keys: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["entry", "signature"]);
    // A JSON entry whose fields were changed carries the id of what it says, not of the original.
    let mut edited = json.clone();
    edited["entry"]["sequence"] = serde_json::json!(99);
    let read: SignedEntry = serde_json::from_value(edited).expect("deserializes");
    assert_eq!(read.entry().sequence, 99);
    assert_eq!(read.id(), read.entry().id());
    assert_ne!(read.id(), signed.id());
    let back: SignedEntry = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, signed);
    assert_eq!(back.id(), signed.id());
}

#[test]
fn truncated_or_trailing_bytes_are_still_refused() {
    let bytes = receipts(1).remove(0).encode();
    assert_eq!(
        SignedEntry::decode(&bytes[..bytes.len() - 1])
            .unwrap_err()
            .code(),
        "MALFORMED"
    );
    let mut longer = bytes;
    longer.push(0);
    assert_eq!(
        SignedEntry::decode(&longer).unwrap_err().code(),
        "TRAILING_BYTES"
    );
}
