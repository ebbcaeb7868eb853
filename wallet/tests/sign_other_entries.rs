//! Every certificate, grant, governance and verification-receipt `sign` subcommand builds an
//! entry that passes the ledger's `check_stateless`; envelope flags are carried.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ebl_ledger::cert::CertAction;
use ebl_ledger::entry::Body;
use ebl_ledger::identity::{GovernanceAction, GrantAction, Grantee, Proposal};

#[test]
fn every_certificate_action_signs_and_passes_the_stateless_check() {
    let sb = Sandbox::new();
    sb.generate("me");
    std::fs::write(sb.path("cert.json"), r#"{"utn":"SG-1"}"#).unwrap();
    let issue = checked(
        &sb,
        0,
        &[
            "cert",
            "issue",
            "--utn",
            "SG-2026-0001",
            "--kind",
            "safety-radio",
            "--imo",
            "9074729",
            "--ship-name",
            "MV Example",
            "--flag",
            "SG",
            "--call-sign",
            "9V1234",
            "--gross-tonnage",
            "50000",
            "--issued-on",
            "2026-01-15",
            "--expires-on",
            "2031-01-14",
            "--place",
            "Singapore",
            "--document-file",
            "cert.json",
        ],
        "CERT_ISSUE",
    );
    let Body::Certificate(CertAction::Issue(ci)) = &issue.entry().body else {
        panic!()
    };
    assert_eq!(ci.ship.imo_number, "9074729");
    assert_eq!(ci.issued_on.to_string(), "2026-01-15");
    assert!(ci.document.is_some());
    let c = ["--administration", "MSA", "--utn", "SG-2026-0001"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "endorse",
                "--kind",
                "ANNUAL",
                "--survey-date",
                "2027-01-10",
                "--place",
                "Singapore",
                "--surveyor",
                "J. Tan",
            ],
            "CERT_ENDORSE",
        ),
        (
            vec!["extend", "--new-expiry", "2031-04-14", "--reason", "voyage"],
            "CERT_EXTEND",
        ),
        (vec!["suspend", "--reason", "detention"], "CERT_SUSPEND"),
        (vec!["reinstate"], "CERT_REINSTATE"),
        (vec!["withdraw", "--reason", "scrapped"], "CERT_WITHDRAW"),
        (
            vec!["supersede", "--by-utn", "SG-2031-0001"],
            "CERT_SUPERSEDE",
        ),
    ];
    for (i, (args, code)) in cases.into_iter().enumerate() {
        let mut full = vec!["cert", args[0]];
        full.extend(c);
        full.extend(&args[1..]);
        checked(&sb, 1 + i as u64, &full, code);
    }
}

#[test]
fn flag_changes_and_profile_proposals_sign_and_pass_the_stateless_check() {
    let sb = Sandbox::new();
    sb.generate("me");
    let change = checked(
        &sb,
        0,
        &[
            "cert",
            "flag-change",
            "--imo",
            "9074729",
            "--to-flag",
            "SG",
            "--effective-on",
            "2027-03-01",
        ],
        "CERT_FLAG_CHANGE",
    );
    let Body::Certificate(CertAction::FlagChange {
        imo_number,
        to_flag,
        effective_on,
    }) = &change.entry().body
    else {
        panic!()
    };
    assert_eq!((imo_number.as_str(), to_flag.as_str()), ("9074729", "SG"));
    assert_eq!(effective_on.to_string(), "2027-03-01");
    let profile = checked(
        &sb,
        1,
        &[
            "governance",
            "propose",
            "--expires-at-height",
            "500",
            "set-organisation-profile",
            "--org",
            "GDSW",
            "--name-en",
            "Guangdong Single Window",
            "--name-zh",
            "广东国际贸易单一窗口",
            "--utc-offset-minutes",
            "480",
            "--time-zone",
            "Asia/Shanghai",
        ],
        "PROPOSE",
    );
    let Body::Governance(GovernanceAction::Propose {
        proposal: Proposal::SetOrganisationProfile { org, profile },
        ..
    }) = &profile.entry().body
    else {
        panic!()
    };
    assert_eq!(org.as_str(), "GDSW");
    assert_eq!(profile.names.zh.as_deref(), Some("广东国际贸易单一窗口"));
    assert_eq!(profile.zone.utc_offset_minutes, 480);
}

#[test]
fn grants_governance_and_receipts_sign_and_pass_the_stateless_check() {
    let sb = Sandbox::new();
    sb.generate("me");
    let key = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    let grant = checked(
        &sb,
        0,
        &[
            "grant",
            "create",
            "--grantee-org",
            "AGENT",
            "--action",
            "ISSUE",
            "--action",
            "sacc",
            "--valid-from",
            "2026-01-01T00:00:00Z",
            "--valid-until",
            "2026-12-31T00:00:00Z",
        ],
        "GRANT",
    );
    let Body::Grant(GrantAction::Create(terms)) = &grant.entry().body else {
        panic!()
    };
    assert_eq!(
        terms.grantee,
        Grantee::Organisation(ebl_ledger::ids::OrgId("AGENT".into()))
    );
    assert_eq!(terms.actions.len(), 2);
    checked(
        &sb,
        1,
        &[
            "grant",
            "create",
            "--grantee-key",
            key,
            "--action",
            "TRANSFER",
            "--document",
            DOC,
            "--valid-from",
            "0",
            "--valid-until",
            "1000",
        ],
        "GRANT",
    );
    checked(
        &sb,
        2,
        &[
            "grant",
            "create",
            "--grantee-org",
            "CLASS",
            "--action",
            "CERT_ENDORSE",
            "--certificate",
            "MSA:SG-2026-0001",
            "--valid-from",
            "0",
            "--valid-until",
            "1000",
        ],
        "GRANT",
    );
    checked(&sb, 3, &["grant", "revoke", "--grant", DOC], "GRANT_REVOKE");

    let dir = sb.dir.path();
    let run = |args: &[&str]| {
        assert!(
            std::process::Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .status()
                .unwrap()
                .success()
        );
    };
    run(&["genpkey", "-algorithm", "ed25519", "-out", "org.key"]);
    run(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "org.key",
        "-subj",
        "/CN=NEWORG/O=New Org/C=SG/OU=BANK",
        "-days",
        "30",
        "-out",
        "org.crt",
    ]);
    let admit = checked(
        &sb,
        4,
        &[
            "governance",
            "propose",
            "--expires-at-height",
            "500",
            "admit-organisation",
            "--certificate",
            "org.crt",
        ],
        "PROPOSE",
    );
    let Body::Governance(GovernanceAction::Propose {
        proposal: Proposal::AdmitOrganisation {
            certificate_der, ..
        },
        expires_at_height,
    }) = &admit.entry().body
    else {
        panic!()
    };
    assert_eq!(*expires_at_height, 500);
    assert_eq!(certificate_der[0], 0x30);
    let p = ["governance", "propose", "--expires-at-height", "500"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["revoke-organisation", "--org", "BUYER2", "--reason", "left"],
            "PROPOSE",
        ),
        (
            vec![
                "add-validator",
                "--key",
                key,
                "--operator",
                "MPA",
                "--power",
                "2",
            ],
            "PROPOSE",
        ),
        (vec!["remove-validator", "--key", key], "PROPOSE"),
        (
            vec!["set-validator-power", "--key", key, "--power", "3"],
            "PROPOSE",
        ),
    ];
    for (i, (args, code)) in cases.into_iter().enumerate() {
        let mut full = p.to_vec();
        full.extend(args);
        checked(&sb, 5 + i as u64, &full, code);
    }
    let yes = checked(
        &sb,
        9,
        &["governance", "vote", "--proposal", DOC, "--approve"],
        "VOTE",
    );
    let no = checked(
        &sb,
        10,
        &["governance", "vote", "--proposal", DOC, "--reject"],
        "VOTE",
    );
    assert!(matches!(
        yes.entry().body,
        Body::Governance(GovernanceAction::Vote { approve: true, .. })
    ));
    assert!(matches!(
        no.entry().body,
        Body::Governance(GovernanceAction::Vote { approve: false, .. })
    ));

    checked(
        &sb,
        11,
        &[
            "verify-receipt",
            "--ebl",
            DOC,
            "--outcome",
            "verified",
            "--purpose",
            "LC_PAYMENT",
        ],
        "VERIFY",
    );
    // R407: a bank's receipt citing the evidence links it matched.
    let citing = checked(
        &sb,
        13,
        &[
            "verify-receipt",
            "--ebl",
            DOC,
            "--outcome",
            "VERIFIED",
            "--purpose",
            "OFFSHORE_TRADE_CHECK",
            "--cite",
            "1",
            "--cite",
            "3",
        ],
        "VERIFY",
    );
    match citing.into_entry().body {
        Body::Verification(r) => assert_eq!(r.cites, [1, 3]),
        other => panic!("not a receipt: {other:?}"),
    }
    checked(
        &sb,
        12,
        &[
            "verify-receipt",
            "--certificate",
            "MSA:SG-2026-0001",
            "--outcome",
            "FAILED",
            "--purpose",
            "PORT_STATE_CONTROL",
            "--detail",
            "expired",
        ],
        "VERIFY",
    );
}

#[test]
fn act_for_and_remark_are_carried_and_the_entry_check_command_accepts_the_output() {
    let sb = Sandbox::new();
    sb.generate("me");
    let signed = sb.sign(
        "me",
        4,
        &[
            "--act-for",
            "CARRIER",
            "--remark",
            "hello",
            "ebl",
            "sign",
            "--document",
            DOC,
        ],
    );
    assert_eq!(
        signed.entry().act_for,
        Some(ebl_ledger::ids::OrgId("CARRIER".into()))
    );
    assert_eq!(signed.entry().remark.as_deref(), Some(&b"hello"[..]));
    let hex = hex::encode(signed.encode());
    sb.wallet()
        .args([
            "entry",
            "check",
            &hex,
            "--chain-id",
            CHAIN_ID,
            "--genesis-hash",
            &genesis().to_hex(),
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains(signed.id().to_hex()));
    sb.wallet()
        .args([
            "entry",
            "check",
            &hex,
            "--chain-id",
            "other-chain",
            "--genesis-hash",
            &genesis().to_hex(),
        ])
        .assert()
        .code(1);
}
