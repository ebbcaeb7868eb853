//! Organisation profiles: display names in two scripts and the local zone, from genesis,
//! admission and SET_ORGANISATION_PROFILE (specs/protocol.md R380–R382).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::entry::Body;
use ebl_ledger::identity::{
    GenesisProfile, GovernanceAction, OrgProfile, Proposal, ProposalStatus, Role,
    check_governance_stateless,
};
use ebl_ledger::ids::OrgId;
use ebl_ledger::local_time::LocalZone;
use ebl_ledger::testkit::{TestNetwork, Validity, key_from_label};

mod governance_support;
use governance_support::{fails, organisation, pass, record, try_propose};

fn shanghai() -> LocalZone {
    LocalZone::new(480, "Asia/Shanghai")
}

fn set_profile(org: &str, profile: OrgProfile) -> Proposal {
    Proposal::SetOrganisationProfile {
        org: OrgId::new(org).unwrap(),
        profile,
    }
}

fn newco(net: &TestNetwork, profile: Option<OrgProfile>) -> Proposal {
    let der = net.ca.issue(
        "NEWCO",
        "New Trading Co",
        "CN",
        &[Role::TradeParty],
        &key_from_label("org:NEWCO"),
        Validity::default(),
    );
    Proposal::AdmitOrganisation {
        certificate_der: der,
        profile,
    }
}

#[test]
fn pilot_organisations_have_chinese_names_and_utc_plus_eight_from_genesis() {
    let net = TestNetwork::pilot();
    let gdsw = organisation(&net, "GDSW").unwrap();
    assert_eq!(gdsw.profile.names.en, "Guangdong Single Window");
    assert_eq!(
        gdsw.profile.names.zh.as_deref(),
        Some("广东国际贸易单一窗口")
    );
    assert_eq!(gdsw.profile.zone, shanghai());
    let mpa = organisation(&net, "MPA").unwrap();
    assert_eq!(mpa.profile.zone, LocalZone::new(480, "Asia/Singapore"));
    for id in [
        "CARRIER",
        "CARRIER2",
        "SHIPPER",
        "BANK",
        "CONSIGNEE",
        "BUYER2",
        "MSA",
        "CLASS",
    ] {
        let org = organisation(&net, id).unwrap();
        assert!(org.profile.names.zh.is_some(), "{id} has no Chinese name");
        assert_eq!(org.profile.zone.utc_offset_minutes, 480, "{id}");
        assert_eq!(org.profile.names.en, org.name, "{id}");
    }
}

#[test]
fn an_organisation_admitted_without_a_profile_gets_its_certificate_name_and_utc() {
    let mut net = TestNetwork::pilot();
    let proposal = newco(&net, None);
    pass(&mut net, proposal);
    let org = organisation(&net, "NEWCO").unwrap();
    assert_eq!(org.profile, OrgProfile::default_for("New Trading Co"));
    assert_eq!(org.profile.zone, LocalZone::utc());
}

#[test]
fn an_organisation_admitted_with_a_profile_keeps_it() {
    let mut net = TestNetwork::pilot();
    let profile = OrgProfile::new("NewCo Trading", Some("新公司贸易"), shanghai());
    let proposal = newco(&net, Some(profile.clone()));
    pass(&mut net, proposal);
    assert_eq!(organisation(&net, "NEWCO").unwrap().profile, profile);
}

#[test]
fn governance_changes_a_profile_and_refuses_unknown_or_revoked_organisations() {
    let mut net = TestNetwork::pilot();
    let renamed = OrgProfile::new("Guangdong E-Port", Some("广东电子口岸"), shanghai());
    let id = pass(&mut net, set_profile("GDSW", renamed.clone()));
    assert_eq!(record(&net, id).status, ProposalStatus::Executed);
    assert_eq!(organisation(&net, "GDSW").unwrap().profile, renamed);

    // R94: refused when it is proposed, with nothing written.
    let (_, unknown) = try_propose(&mut net, 0, set_profile("NOBODY", renamed.clone()));
    assert_eq!(unknown, fails("UNKNOWN_ORGANISATION"));
    let revoke = Proposal::RevokeOrganisation {
        org: OrgId::new("BUYER2").unwrap(),
        reason: "left the pilot".into(),
    };
    pass(&mut net, revoke);
    let before = organisation(&net, "BUYER2").unwrap();
    let (_, revoked) = try_propose(&mut net, 0, set_profile("BUYER2", renamed));
    assert_eq!(revoked, fails("ORGANISATION_REVOKED"));
    assert_eq!(organisation(&net, "BUYER2").unwrap(), before);
}

#[test]
fn profiles_out_of_bounds_are_refused_before_execution() {
    let net = TestNetwork::pilot();
    let good = OrgProfile::new("A", Some("甲"), shanghai());
    let bad_profiles = [
        OrgProfile::new("", None, shanghai()),
        OrgProfile::new("A", Some(" "), shanghai()),
        OrgProfile::new(&"A".repeat(257), None, shanghai()),
        OrgProfile::new("A", None, LocalZone::new(841, "Asia/Shanghai")),
        OrgProfile::new("A", None, LocalZone::new(-721, "Asia/Shanghai")),
        OrgProfile::new("A", None, LocalZone::new(480, "")),
        OrgProfile::new("A", None, LocalZone::new(480, "Asia/Shang hai")),
    ];
    let propose = |proposal| GovernanceAction::Propose {
        proposal,
        expires_at_height: 10,
    };
    for bad in bad_profiles {
        let set = propose(set_profile("GDSW", bad.clone()));
        assert!(
            matches!(
                check_governance_stateless(&set),
                Err(ebl_ledger::error::RuleError::InvalidField { .. })
            ),
            "{bad:?}"
        );
        let admit = propose(newco(&net, Some(bad.clone())));
        assert!(check_governance_stateless(&admit).is_err(), "{bad:?}");
    }
    assert_eq!(
        check_governance_stateless(&propose(set_profile("GDSW", good))),
        Ok(())
    );
}

#[test]
fn an_out_of_bounds_profile_is_refused_by_the_mempool_rules_too() {
    let mut net = TestNetwork::pilot();
    let key = net.validator_keys[0].clone();
    let body = Body::Governance(GovernanceAction::Propose {
        proposal: set_profile("GDSW", OrgProfile::new("A", None, LocalZone::new(900, "X"))),
        expires_at_height: net.ledger.head().height + 10,
    });
    let entry = net.sign_with(&key, None, body);
    assert_eq!(net.submit_entry(entry), fails("INVALID_FIELD"));
    assert_eq!(organisation(&net, "GDSW").unwrap().profile.zone, shanghai());
}

#[test]
fn a_genesis_profile_must_name_a_genesis_organisation_once() {
    let net = TestNetwork::pilot();
    let mut unknown = net.genesis.clone();
    unknown.organisation_profiles.push(GenesisProfile {
        org: OrgId::new("NOBODY").unwrap(),
        profile: OrgProfile::default_for("Nobody"),
    });
    assert!(unknown.execute().is_err());
    let mut twice = net.genesis.clone();
    let first = twice.organisation_profiles[0].clone();
    twice.organisation_profiles.push(first);
    assert!(twice.execute().is_err());
    let mut bad = net.genesis.clone();
    bad.organisation_profiles[0].profile.zone.utc_offset_minutes = 2000;
    assert!(bad.execute().is_err());
    let mut none = net.genesis;
    none.organisation_profiles.clear();
    assert!(none.execute().is_ok());
}
