//! R185, R188: an entry a faulty proposer includes again after it applied (failing `REPLAY`
//! there) stays `final` at its first height for `GET /v1/entries/{id}` and for resubmission.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

#[tokio::test]
async fn a_replayed_final_entry_keeps_its_final_status_and_height() {
    let (node, app) = app();
    let issue = signed_issue(&node);
    let id = issue.id().to_hex();
    let first = post(&app, "/v1/entries", &hex_body(&issue)).await;
    assert_eq!(first.status, 202, "{}", first.body);
    let height = node.with(|n| n.ledger.head().height);
    // A faulty proposer includes it again, twice, in later blocks: REPLAY there.
    let outcomes = node.with(|n| n.commit(vec![issue.clone(), issue.clone()]));
    assert!(
        outcomes.iter().all(
            |o| matches!(o, ebl_ledger::block::Outcome::Failed { code, .. } if code == "REPLAY")
        ),
        "{outcomes:?}"
    );
    node.with(|n| n.commit(vec![issue.clone()]));
    let status = get(&app, &format!("/v1/entries/{id}")).await;
    assert_eq!(status.status, 200, "{}", status.body);
    assert_eq!(status.body["status"], "final");
    assert_eq!(status.body["height"], height);
    let again = post(&app, "/v1/entries", &hex_body(&issue)).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["status"], "final");
    assert_eq!(again.body["height"], height);
}
