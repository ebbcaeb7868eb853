//! The China–Singapore pilot walk-through on one ledger (the `pilot` example and a test run it):
//! each step checks what the ledger answered and stops at the first surprise.
#![allow(clippy::print_stdout)]

use crate::block::Outcome;
use crate::cert::{
    CertAction, CertificateIssue, CertificateKind, CertificateRecord, CertificateRef, Endorsement,
    EndorsementKind, Ship,
};
use crate::ebl::{EblAction, EblIssue, EblRecord, EblType};
use crate::entry::{ActionKind, Body, DocumentRef};
use crate::identity::{DocumentKind, GrantAction, GrantTerms, Grantee};
use crate::receipt::{VerificationOutcome, VerificationReceipt};
use crate::state::keys;
use crate::storage::Storage;
use crate::testkit::TestNetwork;
use crate::time::Timestamp;

const SAMPLE: &str = include_str!("dcsa-issuance-request.json");

type Net<S> = TestNetwork<S>;

fn expect_ok<S: Storage>(
    net: &mut Net<S>,
    who: &str,
    body: Body,
    what: &str,
) -> Result<(), String> {
    net.submit(who, body)
        .map_err(|code| format!("{what}: rejected with {code}"))?;
    println!("  ✓ {what} (height {})", net.ledger.head().height);
    Ok(())
}

fn ebl<S: Storage>(net: &Net<S>, id: &crate::hash::DocumentId) -> Result<EblRecord, String> {
    net.ledger
        .get::<EblRecord>(&keys::ebl(id))
        .map_err(|e| e.to_string())?
        .ok_or("eBL missing".into())
}

/// Runs every step, printing what happens.
pub fn run<S: Storage>(net: &mut Net<S>) -> Result<(), String> {
    let id = bill_of_lading(net)?;
    certificate(net)?;
    super::pilot_attest::approval(net, &id)?;
    proof(net, &id)
}

fn bill_of_lading<S: Storage>(net: &mut Net<S>) -> Result<crate::hash::DocumentId, String> {
    println!("\n1. The carrier issues a to-order eBL from its DCSA document");
    let mut request: serde_json::Value = serde_json::from_str(SAMPLE).map_err(|e| e.to_string())?;
    let reference = format!("PILOT{:015}", net.ledger.head().height);
    request["document"]["transportDocumentReference"] = reference.clone().into();
    let id = crate::docid::document_id(&request["document"]).map_err(|e| e.to_string())?;
    println!("  transportDocumentReference {reference}, transportDocumentChecksum {id}");
    let issue = EblIssue {
        document: id,
        reference,
        kind: EblType::ToOrderBl,
        issue_to: net.org("SHIPPER"),
        consignee: Some(net.org("SHIPPER")),
    };
    expect_ok(
        net,
        "CARRIER",
        Body::Ebl(EblAction::Issue(issue)),
        "ISSUE to SHIPPER, to the order of SHIPPER",
    )?;

    println!("\n2. The shipper passes it to its bank under the letter of credit");
    let bank = net.org("BANK");
    let body = Body::Ebl(EblAction::EndorseToOrder {
        document: id,
        endorsee: bank.clone(),
    });
    expect_ok(net, "SHIPPER", body, "ENDORSE_TO_ORDER to BANK")?;
    expect_ok(
        net,
        "SHIPPER",
        Body::Ebl(EblAction::Transfer {
            document: id,
            to: bank,
        }),
        "TRANSFER to BANK",
    )?;

    println!(
        "\n3+5. The bank endorses to the Singapore consignee and transfers; in the same block the former holder tries to transfer too"
    );
    let consignee = net.org("CONSIGNEE");
    let body = Body::Ebl(EblAction::EndorseToOrder {
        document: id,
        endorsee: consignee.clone(),
    });
    expect_ok(net, "BANK", body, "ENDORSE_TO_ORDER to CONSIGNEE")?;
    let good = net.sign(
        "BANK",
        Body::Ebl(EblAction::Transfer {
            document: id,
            to: consignee,
        }),
    );
    let stale = net.sign(
        "SHIPPER",
        Body::Ebl(EblAction::Transfer {
            document: id,
            to: net.org("BUYER2"),
        }),
    );
    let outcomes = net.commit(vec![good, stale]);
    match (&outcomes[0], &outcomes[1]) {
        (Outcome::Applied, Outcome::Failed { code, .. }) if code == "NOT_HOLDER" => {
            println!("  ✓ BANK → CONSIGNEE applied; SHIPPER → BUYER2 rejected NOT_HOLDER");
        }
        other => {
            return Err(format!(
                "concurrent transfers: unexpected outcomes {other:?}"
            ));
        }
    }
    let record = ebl(net, &id)?;
    println!(
        "  holder {}, endorsee {:?}",
        record.holder(),
        record.endorsee().map(|o| o.as_str())
    );

    println!(
        "\n4. The Singapore single window verifies title from its own records and leaves a receipt"
    );
    if record.holder().as_str() != "CONSIGNEE" {
        return Err("title check: CONSIGNEE is not the holder".into());
    }
    let receipt = VerificationReceipt {
        subject: DocumentRef::Ebl { id },
        outcome: VerificationOutcome::Verified,
        purpose: "IMPORT_CLEARANCE".into(),
        detail: "holder and endorsee CONSIGNEE".into(),
        cites: Vec::new(),
    };
    expect_ok(
        net,
        "SGSW",
        Body::Verification(receipt),
        "verification receipt by SGSW",
    )?;

    println!("\n6. The consignee surrenders for delivery and the carrier accepts");
    expect_ok(
        net,
        "CONSIGNEE",
        Body::Ebl(EblAction::SurrenderForDelivery {
            document: id,
            request_reference: None,
        }),
        "SURRENDER_FOR_DELIVERY",
    )?;
    expect_ok(
        net,
        "CARRIER",
        Body::Ebl(EblAction::AcceptSurrender { document: id }),
        "SACC",
    )?;
    match net.submit(
        "CARRIER",
        Body::Ebl(EblAction::Transfer {
            document: id,
            to: net.org("BANK"),
        }),
    ) {
        Err(code) if code == "DOCUMENT_CLOSED" => {
            println!("  ✓ a later transfer is rejected DOCUMENT_CLOSED");
        }
        other => {
            return Err(format!(
                "transfer after SACC: expected DOCUMENT_CLOSED, got {other:?}"
            ));
        }
    }
    let record = ebl(net, &id)?;
    println!(
        "  status {:?}, {} history entries",
        record.status,
        record.history.len()
    );
    Ok(id)
}

fn certificate<S: Storage>(net: &mut Net<S>) -> Result<(), String> {
    println!(
        "\n7. The maritime administration lets its class society endorse, issues a certificate, the RO endorses it"
    );
    let grant = GrantTerms {
        grantee: Grantee::Organisation(net.org("CLASS")),
        actions: vec![ActionKind::CertEndorse],
        document_kinds: vec![DocumentKind::ShipCertificate],
        document: None,
        valid_from: net.time(),
        valid_until: Timestamp(net.time().0 + 365 * 86_400_000),
    };
    expect_ok(
        net,
        "MSA",
        Body::Grant(GrantAction::Create(grant)),
        "MSA grants CLASS the right to endorse",
    )?;
    let today = net.time().date();
    let issued_on = today.add_months(-10);
    let utn = format!("MSA-SC-{:08}", net.ledger.head().height);
    let issue = CertificateIssue {
        utn: utn.clone(),
        kind: CertificateKind::SafetyConstruction,
        ship: Ship {
            imo_number: "9074729".into(),
            name: "PILOT STAR".into(),
            flag: "CN".into(),
            call_sign: "BPXA".into(),
            gross_tonnage: 41_000,
        },
        issued_on,
        expires_on: issued_on.add_months(60),
        document: None,
        place: "Guangzhou".into(),
    };
    expect_ok(
        net,
        "MSA",
        Body::Certificate(CertAction::Issue(issue)),
        "Cargo Ship Safety Construction Certificate issued",
    )?;
    let cert = CertificateRef {
        administration: net.org("MSA"),
        utn,
    };
    let endorsement = Endorsement {
        kind: EndorsementKind::Annual,
        survey_date: today,
        place: "Nansha".into(),
        surveyor: "J. Chen".into(),
        extended_until: None,
    };
    let body = Body::Certificate(CertAction::Endorse {
        certificate: cert.clone(),
        endorsement,
    });
    let key = net.party("CLASS").key.clone();
    let entry = net.sign_with(&key, Some("MSA"), body);
    net.submit_entry(entry)
        .map_err(|c| format!("annual endorsement by CLASS: rejected with {c}"))?;
    println!("  ✓ annual endorsement recorded by CLASS for MSA");

    println!("\n7b. The Singapore port authority verifies the certificate and leaves a receipt");
    let record = net
        .ledger
        .get::<CertificateRecord>(&keys::certificate(&cert))
        .map_err(|e| e.to_string())?
        .ok_or("certificate missing")?;
    let status = record.status_at(net.time());
    println!("  status at block time: {status:?}");
    let receipt = VerificationReceipt {
        subject: DocumentRef::Certificate(cert),
        outcome: VerificationOutcome::Verified,
        purpose: "PORT_STATE_CONTROL".into(),
        detail: format!("status {status:?}"),
        cites: Vec::new(),
    };
    expect_ok(
        net,
        "MPA",
        Body::Verification(receipt),
        "verification receipt by MPA",
    )
}

fn proof<S: Storage>(net: &Net<S>, id: &crate::hash::DocumentId) -> Result<(), String> {
    println!("\n8. A proof of the eBL record against the last block's state root, checked offline");
    let proof = net
        .ledger
        .prove(&keys::ebl(id))
        .map_err(|e| e.to_string())?;
    proof
        .verify(&net.state_root())
        .map_err(|e| format!("proof does not verify: {e}"))?;
    let mut tampered = proof;
    if let Some(v) = tampered.value.as_mut() {
        v[0] ^= 1;
    }
    if tampered.verify(&net.state_root()).is_ok() {
        return Err("a tampered record verified".into());
    }
    println!("  ✓ proof verifies; a record altered by one bit does not");
    Ok(())
}
