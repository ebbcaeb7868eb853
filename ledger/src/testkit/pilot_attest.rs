//! Step 9 of the pilot walk-through: GDSW's authority seals a paperless approval certificate
//! for the shipment and the Singapore single window checks it by the document's hash and
//! leaves a receipt (specs/protocol.md §9z).
#![allow(clippy::print_stdout)]

use crate::attest::{
    AttestFacts, AttestIssue, AttestRecord, AttestRef, AttestStatus, Subject, TradeCertificateKind,
};
use crate::entry::{Body, DocumentRef};
use crate::hash::{DocumentId, Hash32};
use crate::receipt::{VerificationOutcome, VerificationReceipt};
use crate::state::keys;
use crate::storage::Storage;
use crate::testkit::TestNetwork;

/// Runs step 9 for the shipment of eBL `ebl`.
pub fn approval<S: Storage>(net: &mut TestNetwork<S>, ebl: &DocumentId) -> Result<(), String> {
    println!(
        "\n9. GDSW's authority seals an approval certificate; the Singapore single window checks it"
    );
    let document = Hash32::sha256(b"{\"approval\":\"GDSW-AP-1\",\"type\":\"export licence\"}");
    let today = net.time().date();
    let number = format!("GDSW-AP-{:08}", net.ledger.head().height);
    let issue = AttestIssue {
        number: number.clone(),
        kind: TradeCertificateKind::ApprovalCertificate,
        facts: AttestFacts {
            subject: Subject {
                exporter: "Guangzhou Soy Exporters".into(),
                importer: "Singapore Foods Pte".into(),
                goods: "Soybean meal, HS 2304.00".into(),
                origin_country: "CN".into(),
                destination_country: "SG".into(),
                ebl: Some(*ebl),
            },
            document,
            valid_from: today,
            valid_until: today.add_months(3),
            place: "Guangzhou".into(),
        },
    };
    net.submit(
        "GDSW",
        Body::Attested(crate::attest::AttestAction::Issue(issue)),
    )
    .map_err(|code| format!("approval certificate: rejected with {code}"))?;
    let reference = AttestRef {
        authority: net.org("GDSW"),
        number,
    };
    let record = net
        .ledger
        .get::<AttestRecord>(&keys::attested(&reference))
        .map_err(|e| e.to_string())?
        .ok_or("approval certificate missing")?;
    println!(
        "  ✓ sealed by {} in entry {} at height {}",
        record.seal.actor, record.seal.entry, record.seal.height
    );
    if record.facts.document != document || record.status_at(net.time()) != AttestStatus::Valid {
        return Err("the approval does not verify against the document it was issued for".into());
    }
    let receipt = VerificationReceipt {
        subject: DocumentRef::Attested(reference),
        outcome: VerificationOutcome::Verified,
        purpose: "IMPORT_CLEARANCE".into(),
        detail: "approval document hash matches the seal".into(),
        cites: Vec::new(),
    };
    net.submit("SGSW", Body::Verification(receipt))
        .map_err(|code| format!("receipt by SGSW: rejected with {code}"))?;
    println!("  ✓ document hash matches, status VALID; receipt by SGSW");
    Ok(())
}
