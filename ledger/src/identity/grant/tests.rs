use super::*;
use crate::identity::GrantAction;

const T0: Timestamp = Timestamp(1_000_000);
const T1: Timestamp = Timestamp(2_000_000);

fn key(label: &str) -> PublicKey {
    PublicKey::from(crate::testkit::key_from_label(label).verifying_key())
}

fn doc(label: &[u8]) -> DocumentRef {
    DocumentRef::Ebl {
        id: Hash32::sha256(label),
    }
}

fn terms(grantee: Grantee) -> GrantTerms {
    GrantTerms {
        grantee,
        actions: vec![ActionKind::EblTransfer, ActionKind::RecordVerification],
        document_kinds: vec![DocumentKind::Ebl],
        document: None,
        valid_from: T0,
        valid_until: T1,
    }
}

fn record(terms: GrantTerms) -> GrantRecord {
    GrantRecord {
        id: Hash32::ZERO,
        grantor: OrgId("BANK".into()),
        terms,
        created_at_height: 1,
        created_at: T0,
        revoked_at_height: None,
        revoked_at: None,
    }
}

struct Ask {
    grantor: OrgId,
    signer: PublicKey,
    signer_org: Option<OrgId>,
    kind: ActionKind,
    document_kind: Option<DocumentKind>,
    document: Option<DocumentRef>,
}

impl Ask {
    fn by_key(label: &str) -> Self {
        Ask {
            grantor: OrgId("BANK".into()),
            signer: key(label),
            signer_org: None,
            kind: ActionKind::EblTransfer,
            document_kind: Some(DocumentKind::Ebl),
            document: Some(doc(b"one")),
        }
    }

    fn request(&self) -> Request<'_> {
        Request {
            grantor: &self.grantor,
            signer: &self.signer,
            signer_org: self.signer_org.as_ref(),
            kind: self.kind,
            document_kind: self.document_kind,
            document: self.document.as_ref(),
        }
    }
}

#[test]
fn a_key_grant_covers_its_key_action_and_kind_inside_the_window() {
    let grant = record(terms(Grantee::Key(key("system"))));
    let ask = Ask::by_key("system");
    assert!(grant.covers(&ask.request(), T0));
    assert!(grant.covers(&ask.request(), T1));
}

#[test]
fn a_grant_does_not_cover_outside_its_window() {
    let grant = record(terms(Grantee::Key(key("system"))));
    let ask = Ask::by_key("system");
    assert!(!grant.covers(&ask.request(), Timestamp(T0.0 - 1)));
    assert!(!grant.covers(&ask.request(), Timestamp(T1.0 + 1)));
}

#[test]
fn a_grant_does_not_cover_another_key_action_kind_or_grantor() {
    let grant = record(terms(Grantee::Key(key("system"))));
    let other_key = Ask::by_key("intruder");
    let mut other_action = Ask::by_key("system");
    other_action.kind = ActionKind::EblSurrenderForDelivery;
    let mut other_kind = Ask::by_key("system");
    other_kind.document_kind = Some(DocumentKind::ShipCertificate);
    let mut other_grantor = Ask::by_key("system");
    other_grantor.grantor = OrgId("CARRIER".into());
    for ask in [other_key, other_action, other_kind, other_grantor] {
        assert!(!grant.covers(&ask.request(), T0));
    }
}

#[test]
fn an_organisation_grant_covers_every_key_of_that_organisation_only() {
    let grant = record(terms(Grantee::Organisation(OrgId("AGENT".into()))));
    let mut member = Ask::by_key("agent-key");
    member.signer_org = Some(OrgId("AGENT".into()));
    let mut outsider = Ask::by_key("agent-key");
    outsider.signer_org = Some(OrgId("OTHER".into()));
    let keyless = Ask::by_key("agent-key");
    assert!(grant.covers(&member.request(), T0));
    assert!(!grant.covers(&outsider.request(), T0));
    assert!(!grant.covers(&keyless.request(), T0));
}

#[test]
fn a_grant_scoped_to_one_document_does_not_cover_another() {
    let mut t = terms(Grantee::Key(key("system")));
    t.document = Some(doc(b"one"));
    let grant = record(t);
    let mut other = Ask::by_key("system");
    other.document = Some(doc(b"two"));
    assert!(grant.covers(&Ask::by_key("system").request(), T0));
    assert!(!grant.covers(&other.request(), T0));
}

#[test]
fn a_revoked_grant_covers_nothing_and_is_not_live() {
    let mut grant = record(terms(Grantee::Key(key("system"))));
    grant.revoked_at_height = Some(2);
    assert!(!grant.covers(&Ask::by_key("system").request(), T0));
    assert!(!grant.is_live(T0));
}

fn create(t: GrantTerms) -> GrantAction {
    GrantAction::Create(t)
}

#[test]
fn stateless_checks_accept_well_formed_terms() {
    let mut t = terms(Grantee::Key(key("system")));
    t.document = Some(doc(b"one"));
    assert_eq!(check_grant_stateless(&create(t)), Ok(()));
}

#[test]
fn stateless_checks_reject_bad_terms() {
    let base = || terms(Grantee::Key(key("system")));
    let mut no_actions = base();
    no_actions.actions.clear();
    let mut too_many_actions = base();
    too_many_actions.actions = vec![ActionKind::EblTransfer; MAX_GRANT_ACTIONS + 1];
    let mut duplicate_action = base();
    duplicate_action.actions = vec![ActionKind::EblTransfer, ActionKind::EblTransfer];
    let mut no_kinds = base();
    no_kinds.document_kinds.clear();
    let mut three_kinds = base();
    three_kinds.document_kinds = vec![DocumentKind::Ebl; 3];
    let mut wrong_document_kind = base();
    wrong_document_kind.document_kinds = vec![DocumentKind::ShipCertificate];
    wrong_document_kind.document = Some(doc(b"one"));
    let mut backwards = base();
    backwards.valid_until = backwards.valid_from;
    let mut bad_org = base();
    bad_org.grantee = Grantee::Organisation(OrgId("not an id".into()));
    for t in [
        no_actions,
        too_many_actions,
        duplicate_action,
        no_kinds,
        three_kinds,
        wrong_document_kind,
        backwards,
        bad_org,
    ] {
        assert_eq!(
            check_grant_stateless(&create(t)).unwrap_err().code(),
            "INVALID_FIELD"
        );
    }
}

#[test]
fn grant_and_governance_actions_cannot_be_delegated() {
    for kind in [
        ActionKind::GrantCreate,
        ActionKind::GrantRevoke,
        ActionKind::GovernancePropose,
        ActionKind::GovernanceVote,
    ] {
        let mut t = terms(Grantee::Key(key("system")));
        t.actions.push(kind);
        assert_eq!(
            check_grant_stateless(&create(t)).unwrap_err().code(),
            "INVALID_FIELD"
        );
    }
}

#[test]
fn a_small_order_grantee_key_is_weak() {
    // The identity point (y = 1) has order 1.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let t = terms(Grantee::Key(PublicKey(identity)));
    assert_eq!(
        check_grant_stateless(&create(t)).unwrap_err().code(),
        "WEAK_KEY"
    );
}

fn read_terms(reader: &str) -> GrantTerms {
    GrantTerms {
        actions: vec![ActionKind::EblReadTitle],
        ..terms(Grantee::Organisation(OrgId(reader.into())))
    }
}

#[test]
fn a_read_grant_lets_its_organisation_read_inside_the_window() {
    let grant = record(read_terms("CUSTOMS"));
    let customs = OrgId("CUSTOMS".into());
    assert!(grant.lets_read(&customs, &doc(b"one"), T0));
    assert!(grant.lets_read(&customs, &doc(b"one"), T1));
    assert!(!grant.lets_read(&customs, &doc(b"one"), Timestamp(T1.0 + 1)));
    assert!(!grant.lets_read(&customs, &doc(b"one"), Timestamp(T0.0 - 1)));
}

#[test]
fn a_read_grant_does_not_let_another_organisation_or_document_be_read() {
    let mut t = read_terms("CUSTOMS");
    t.document = Some(doc(b"one"));
    let grant = record(t);
    assert!(!grant.lets_read(&OrgId("OTHER".into()), &doc(b"one"), T0));
    assert!(!grant.lets_read(&OrgId("CUSTOMS".into()), &doc(b"two"), T0));
}

#[test]
fn a_grant_without_read_title_or_revoked_lets_nobody_read() {
    let transfer_only = record(terms(Grantee::Organisation(OrgId("CUSTOMS".into()))));
    let mut revoked = record(read_terms("CUSTOMS"));
    revoked.revoked_at_height = Some(2);
    for grant in [transfer_only, revoked] {
        assert!(!grant.lets_read(&OrgId("CUSTOMS".into()), &doc(b"one"), T0));
    }
}

#[test]
fn a_read_grant_covers_no_entry_the_grantee_could_sign() {
    let grant = record(read_terms("CUSTOMS"));
    for kind in ActionKind::ALL
        .iter()
        .filter(|k| **k != ActionKind::EblReadTitle)
    {
        let mut ask = Ask::by_key("customs-key");
        ask.signer_org = Some(OrgId("CUSTOMS".into()));
        ask.kind = *kind;
        assert!(!grant.covers(&ask.request(), T0), "{kind:?}");
    }
}

#[test]
fn read_title_is_granted_to_an_organisation_not_a_key() {
    assert_eq!(
        check_grant_stateless(&create(read_terms("CUSTOMS"))),
        Ok(())
    );
    let mut to_key = read_terms("CUSTOMS");
    to_key.grantee = Grantee::Key(key("system"));
    assert_eq!(
        check_grant_stateless(&create(to_key)).unwrap_err().code(),
        "INVALID_FIELD"
    );
}
