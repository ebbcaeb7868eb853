use super::*;

fn peer(n: u8) -> PeerId {
    let key = libp2p::identity::Keypair::ed25519_from_bytes([n; 32]).unwrap();
    key.public().to_peer_id()
}

#[test]
fn a_peer_cannot_have_more_than_its_share_judged_at_once_while_others_still_can() {
    let now = Instant::now();
    let mut quotas = PeerQuotas::new(2, 1_000_000, 1_000_000);
    let (flooder, honest) = (peer(1), peer(2));
    assert_eq!(quotas.admit(flooder, 1, now), Ok(()));
    assert_eq!(quotas.admit(flooder, 1, now), Ok(()));
    assert_eq!(quotas.admit(flooder, 1, now), Err(PEER_BUSY));
    assert_eq!(quotas.admit(honest, 1, now), Ok(()));
    quotas.done(&flooder);
    assert_eq!(quotas.in_flight(&flooder), 1);
    assert_eq!(quotas.admit(flooder, 1, now), Ok(()));
}

#[test]
fn entries_beyond_a_peers_rate_are_refused_until_its_bucket_refills() {
    let start = Instant::now();
    let mut quotas = PeerQuotas::new(usize::MAX, 1_000, 1_024);
    let flooder = peer(1);
    assert_eq!(quotas.admit(flooder, 512, start), Ok(()));
    assert_eq!(quotas.admit(flooder, 512, start), Ok(()));
    assert_eq!(quotas.admit(flooder, 1, start), Err(PEER_QUOTA));
    // Another peer has its own bucket.
    assert_eq!(quotas.admit(peer(2), 512, start), Ok(()));
    // Half a second refills 500 entries: a full batch still waits, a small one passes.
    let later = start + Duration::from_millis(500);
    assert_eq!(quotas.admit(flooder, 512, later), Err(PEER_QUOTA));
    assert_eq!(quotas.admit(flooder, 400, later), Ok(()));
}

#[test]
fn the_claimed_count_is_the_batch_length_prefix_clamped() {
    let one = crate::p2p::batch::encode(&[]);
    assert_eq!(claimed_entries(&one), 1);
    let mut data = 300u64.to_be_bytes().to_vec();
    data.extend_from_slice(b"rest");
    assert_eq!(claimed_entries(&data), 300);
    assert_eq!(claimed_entries(&u64::MAX.to_be_bytes()), MAX_BATCH_ENTRIES);
    assert_eq!(claimed_entries(b"short"), 1);
}

#[test]
fn peers_that_left_are_forgotten_once_idle() {
    let start = Instant::now();
    let mut quotas = PeerQuotas::new(4, 1_000, 1_000);
    let (gone, staying) = (peer(1), peer(2));
    quotas.admit(gone, 1, start).unwrap();
    quotas.admit(staying, 1, start).unwrap();
    quotas.done(&gone);
    quotas.retain(|p| *p == staying, start + Duration::from_secs(5));
    assert_eq!(quotas.buckets.len(), 1);
    assert!(quotas.buckets.contains_key(&staying));
}
