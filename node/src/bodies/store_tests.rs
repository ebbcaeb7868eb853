//! R141, R145, R146: the body store and the protocol's codec.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::hash::Hash32;
use ebl_ledger::ids::OrgId;
use libp2p::futures::io::Cursor;
use libp2p::request_response::Codec as _;

use super::*;
use crate::bodies::protocol::{
    BodyCodec, BodyRequest, BodyResponse, MAX_REQUEST_BYTES, PROTOCOL, Proof,
};

const BODY: &[u8] = br#"{"transportDocumentReference":"BODY-1"}"#;

#[test]
fn a_stored_body_is_read_back_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let id = Hash32::sha256(BODY);
    {
        let store = BodyStore::open(dir.path()).unwrap();
        assert_eq!(store.get_blocking(&id).unwrap(), None);
        store.put_blocking(&id, BODY).unwrap();
        // Storing it again is a no-op.
        store.put_blocking(&id, BODY).unwrap();
        assert_eq!(store.get_blocking(&id).unwrap().as_deref(), Some(BODY));
    }
    let reopened = BodyStore::open(dir.path()).unwrap();
    assert_eq!(reopened.get_blocking(&id).unwrap().as_deref(), Some(BODY));
}

#[test]
fn a_body_that_does_not_hash_to_its_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = BodyStore::open(dir.path()).unwrap();
    let id = Hash32::sha256(b"another document");
    let err = store.put_blocking(&id, BODY).unwrap_err();
    assert_eq!(err, BodyError::WrongHash);
    assert_eq!(err.code(), "BODY_HASH_MISMATCH");
    assert_eq!(store.get_blocking(&id).unwrap(), None);
}

#[test]
fn a_body_over_one_mebibyte_is_refused() {
    let body = vec![b' '; MAX_BODY_BYTES + 1];
    let id = Hash32::sha256(&body);
    let err = check_body(&id, &body).unwrap_err();
    assert_eq!(err.code(), "BODY_TOO_LARGE");
    let exact = vec![b' '; MAX_BODY_BYTES];
    assert_eq!(check_body(&Hash32::sha256(&exact), &exact), Ok(()));
}

#[tokio::test]
async fn put_and_get_run_off_the_executor() {
    let dir = tempfile::tempdir().unwrap();
    let store = BodyStore::open(dir.path()).unwrap();
    let id = Hash32::sha256(BODY);
    store.put(id, BODY.to_vec()).await.unwrap();
    assert_eq!(store.get(id).await.unwrap().as_deref(), Some(BODY));
}

fn request() -> BodyRequest {
    BodyRequest {
        document: Hash32::sha256(BODY),
        party: OrgId::new("BANK").unwrap(),
        proof: Proof::Connection,
    }
}

#[tokio::test]
async fn requests_and_responses_cross_the_codec_unchanged() {
    let mut codec = BodyCodec;
    let mut wire = Cursor::new(Vec::new());
    codec
        .write_request(&PROTOCOL, &mut wire, request())
        .await
        .unwrap();
    let mut read = Cursor::new(wire.into_inner());
    assert_eq!(
        codec.read_request(&PROTOCOL, &mut read).await.unwrap(),
        request()
    );

    let mut wire = Cursor::new(Vec::new());
    let found = BodyResponse::Found(BODY.to_vec());
    codec
        .write_response(&PROTOCOL, &mut wire, found.clone())
        .await
        .unwrap();
    let mut read = Cursor::new(wire.into_inner());
    assert_eq!(
        codec.read_response(&PROTOCOL, &mut read).await.unwrap(),
        found
    );
}

#[tokio::test]
async fn a_malformed_or_oversized_message_is_invalid_data() {
    let mut codec = BodyCodec;
    let mut garbage = Cursor::new(vec![0xff; 40]);
    let err = codec
        .read_request(&PROTOCOL, &mut garbage)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);

    let mut big = Cursor::new(vec![0; MAX_REQUEST_BYTES + 1]);
    let err = codec.read_request(&PROTOCOL, &mut big).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);

    // A response announcing a body longer than the limit never allocates it.
    let mut huge = ebl_ledger::codec::encode(&BodyResponse::Found(vec![1; 8]));
    huge[4..12].copy_from_slice(&u64::MAX.to_be_bytes());
    let err = codec
        .read_response(&PROTOCOL, &mut Cursor::new(huge))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);

    // Trailing bytes after a valid request.
    let mut bytes = ebl_ledger::codec::encode(&request());
    bytes.push(0);
    let err = codec
        .read_request(&PROTOCOL, &mut Cursor::new(bytes))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
}
