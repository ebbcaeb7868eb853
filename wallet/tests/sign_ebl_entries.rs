//! Every `sign ebl` subcommand builds an entry that decodes with `SignedEntry::decode` and passes
//! the ledger's `check_stateless`, with the body the flags describe.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ebl_ledger::ebl::{AmendmentReason, EblAction, EblType};
use ebl_ledger::entry::{Body, SignedEntry};

fn write_doc(sb: &Sandbox, name: &str, reference: &str, code: &str, to_order: bool) -> String {
    let doc = serde_json::json!({
        "transportDocumentReference": reference,
        "transportDocumentTypeCode": code,
        "isToOrder": to_order,
        "shipper": "S"
    });
    std::fs::write(sb.path(name), doc.to_string()).unwrap();
    name.to_string()
}

fn ebl(signed: &SignedEntry) -> &EblAction {
    match &signed.entry().body {
        Body::Ebl(a) => a,
        other => panic!("not an eBL body: {other:?}"),
    }
}

#[test]
fn every_ebl_action_signs_and_passes_the_stateless_check() {
    let sb = Sandbox::new();
    sb.generate("me");
    let neg = sample(NEGOTIABLE_BL);
    let neg = neg.to_str().unwrap();
    let issued = checked(
        &sb,
        0,
        &[
            "ebl",
            "issue",
            neg,
            "--issue-to",
            "SHIPPER",
            "--reference",
            "R1",
            // The sample names its endorsee by codes the wallet cannot read (R222).
            "--consignee",
            "BANK",
        ],
        "ISSUE",
    );
    let EblAction::Issue(issue) = ebl(&issued) else {
        panic!()
    };
    assert_eq!(issue.kind, EblType::ToOrderBl);
    assert_eq!(
        issue.consignee,
        Some(ebl_ledger::ids::OrgId::new("BANK").unwrap())
    );
    assert_eq!(
        issue.document,
        ebl_ledger::docid::document_id_of_json(&std::fs::read(neg).unwrap()).unwrap()
    );

    let req = sample(ISSUANCE_REQUEST);
    let from_request = checked(
        &sb,
        1,
        &[
            "ebl",
            "issue",
            req.to_str().unwrap(),
            "--issue-to",
            "SHIPPER",
        ],
        "ISSUE",
    );
    let EblAction::Issue(issue) = ebl(&from_request) else {
        panic!()
    };
    assert_eq!(issue.reference, "62CD536BA8D34C469AFD");
    // Blank, as its document says: an endorsee given by flag would contradict it (R222).
    assert_eq!(issue.consignee, None);

    let a = write_doc(&sb, "a.json", "SPLIT-A", "BOL", false);
    let b = write_doc(&sb, "b.json", "SPLIT-B", "BOL", false);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["transfer", "--document", DOC, "--to", "BANK"],
            "TRANSFER",
        ),
        (
            vec!["endorse", "--document", DOC, "--endorsee", "BUYER2"],
            "ENDORSE",
        ),
        (
            vec!["endorse-to-order", "--document", DOC, "--endorsee", "BANK"],
            "ENDORSE_TO_ORDER",
        ),
        (vec!["blank-endorse", "--document", DOC], "BLANK_ENDORSE"),
        (
            vec!["nominate", "--document", DOC, "--nominee", "BUYER2"],
            "NOMINATE",
        ),
        (
            vec!["reject", "--document", DOC, "--reason", "wrong party"],
            "REJECT",
        ),
        (vec!["sign", "--document-file", neg], "SIGN"),
        (
            vec!["surrender", "--document", DOC, "--for", "delivery"],
            "SURRENDER_FOR_DELIVERY",
        ),
        (
            vec![
                "surrender",
                "--document",
                DOC,
                "--for",
                "amendment",
                "--reason",
                "COD",
            ],
            "SURRENDER_FOR_AMENDMENT",
        ),
        (vec!["accept-surrender", "--document", DOC], "SACC"),
        (
            vec![
                "reject-surrender",
                "--document",
                DOC,
                "--reason",
                "broken chain",
            ],
            "SREJ",
        ),
        (
            vec![
                "amend",
                "--document",
                DOC,
                "--replacement",
                &a,
                "--issue-to",
                "SHIPPER",
                "--consignee",
                "CONSIGNEE",
            ],
            "AMEND",
        ),
        (
            vec![
                "split",
                "--document",
                DOC,
                "--replacement",
                &a,
                "--replacement",
                &b,
                "--issue-to",
                "SHIPPER",
                "--consignee",
                "CONSIGNEE",
            ],
            "SPLIT",
        ),
        (
            vec![
                "combine",
                "--document",
                DOC,
                "--document",
                DOC2,
                "--replacement",
                &a,
                "--issue-to",
                "SHIPPER",
                "--consignee",
                "CONSIGNEE",
            ],
            "COMBINE",
        ),
        (
            vec!["void", "--document", DOC, "--reason", "issued in error"],
            "VOID",
        ),
    ];
    for (i, (args, code)) in cases.into_iter().enumerate() {
        let mut full = vec!["ebl"];
        full.extend(args);
        let signed = checked(&sb, 2 + i as u64, &full, code);
        match ebl(&signed) {
            EblAction::SurrenderForAmendment { reason, .. } => {
                assert_eq!(*reason, AmendmentReason::ChangeOfDestination);
            }
            EblAction::Split { replacements, .. } => {
                let refs: Vec<_> = replacements.iter().map(|r| r.reference.as_str()).collect();
                assert_eq!(refs, ["SPLIT-A", "SPLIT-B"]);
            }
            EblAction::Combine { documents, .. } => assert_eq!(documents.len(), 2),
            EblAction::Sign { document } => assert_eq!(document, &issue_id(neg)),
            _ => {}
        }
    }
}

fn issue_id(path: &str) -> ebl_ledger::hash::Hash32 {
    ebl_ledger::docid::document_id_of_json(&std::fs::read(path).unwrap()).unwrap()
}

/// R337, R339: a self-signing holder's PINT export and the answer it records, built from the
/// chain entry and answer its gateway served.
#[test]
fn pint_export_and_its_answer_sign_and_pass_the_stateless_check() {
    let sb = Sandbox::new();
    sb.generate("me");
    let doc = "11".repeat(32);
    let party = serde_json::json!({"partyName": "Consignee on B", "eblPlatform": "EBLB",
        "identifyingCodes": [{"codeListProvider": "EBLB", "partyCode": "CONSIGNEE"}]});
    std::fs::write(sb.path("party.json"), party.to_string()).unwrap();
    let jws = "eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2ln";
    let export = checked(
        &sb,
        0,
        &[
            "ebl",
            "export",
            "--document",
            &doc,
            "--recipient",
            "party.json",
            "--chain-entry",
            jws,
        ],
        "PINT_EXPORT",
    );
    let EblAction::Export {
        to,
        endorse,
        chain_entry,
        ..
    } = ebl(&export)
    else {
        panic!()
    };
    assert_eq!(to.ebl_platform, "EBLB");
    assert!(!endorse);
    assert_eq!(chain_entry, jws);
    let answer = checked(
        &sb,
        1,
        &[
            "ebl",
            "export-answer",
            "--document",
            &doc,
            "--code",
            "RECE",
            "--response",
            jws,
        ],
        "PINT_EXPORT_ANSWER",
    );
    let EblAction::ExportAnswer { code, .. } = ebl(&answer) else {
        panic!()
    };
    assert_eq!(*code, ebl_ledger::ebl::ExportAnswerCode::Received);
    // A code PINT does not end a transfer with, or a recipient that is no PINT party, is refused.
    let refused = sb
        .wallet()
        .args([
            "--identity",
            "me",
            "sign",
            "--dry-run",
            "--chain-id",
            CHAIN_ID,
        ])
        .args(["--genesis-hash", &genesis().to_hex(), "--sequence", "2"])
        .args([
            "ebl",
            "export-answer",
            "--document",
            &doc,
            "--code",
            "DISE",
            "--response",
            jws,
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    std::fs::write(sb.path("bad.json"), r#"{"partyName": "x"}"#).unwrap();
    let refused = sb
        .wallet()
        .args([
            "--identity",
            "me",
            "sign",
            "--dry-run",
            "--chain-id",
            CHAIN_ID,
        ])
        .args(["--genesis-hash", &genesis().to_hex(), "--sequence", "2"])
        .args([
            "ebl",
            "export",
            "--document",
            &doc,
            "--recipient",
            "bad.json",
            "--chain-entry",
            jws,
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
}
