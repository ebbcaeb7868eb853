//! DCSA parties ↔ ledger organisations, through `identifyingCodes`.

use ebl_ledger::docfacts::{PartyLookup, lookup_party};
use ebl_ledger::identity::Organisation;
use ebl_ledger::identity::Role;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde_json::{Value, json};

use super::DcsaConfig;
use crate::AppState;
use crate::error::ApiResult;
use crate::records;

/// The organisation a DCSA identifying code (`codeListProvider`, `partyCode`) names: our own
/// platform code with the organisation id, or a configured alias. This is the directory the
/// title facts of a document are read with (R220, `ebl_ledger::docfacts`).
pub fn org_of_code(config: &DcsaConfig, provider: &str, party_code: &str) -> Option<OrgId> {
    if provider == config.platform {
        return OrgId::new(party_code).ok();
    }
    config
        .parties
        .iter()
        .find(|a| a.code_list_provider == provider && a.party_code == party_code)
        .map(|a| a.org.clone())
}

/// Why a DCSA party does not name a member organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartyProblem {
    /// None of its codes is ours or a known alias.
    NoKnownCode,
    /// Its codes name several organisations.
    Ambiguous(Vec<OrgId>),
    /// The code names an organisation that is not on the ledger.
    NotMember(OrgId),
}

impl PartyProblem {
    /// A one-line explanation for `party_name`.
    pub fn describe(&self, party_name: &str, platform: &str) -> String {
        match self {
            PartyProblem::NoKnownCode => format!(
                "\"{party_name}\" has no identifying code known here (use codeListProvider \
                 {platform} with the organisation id, or a configured alias)"
            ),
            PartyProblem::Ambiguous(orgs) => {
                let list: Vec<&str> = orgs.iter().map(OrgId::as_str).collect();
                format!(
                    "\"{party_name}\" names several organisations: {}",
                    list.join(", ")
                )
            }
            PartyProblem::NotMember(org) => {
                format!("\"{party_name}\" is {org}, which is not a member organisation")
            }
        }
    }
}

/// Resolves a DCSA party object (with `identifyingCodes`) to one member organisation.
pub async fn resolve(state: &AppState, party: &Value) -> ApiResult<Result<OrgId, PartyProblem>> {
    let config = &state.config.dcsa;
    let org = match lookup_party(party, &|p, c| org_of_code(config, p, c)) {
        PartyLookup::Named(org) => org,
        PartyLookup::NoKnownCode => return Ok(Err(PartyProblem::NoKnownCode)),
        PartyLookup::Ambiguous(orgs) => return Ok(Err(PartyProblem::Ambiguous(orgs))),
    };
    member(state, org).await
}

/// `org` if it is a member organisation.
pub async fn member(state: &AppState, org: OrgId) -> ApiResult<Result<OrgId, PartyProblem>> {
    match organisation(state, &org).await? {
        Some(_) => Ok(Ok(org)),
        None => Ok(Err(PartyProblem::NotMember(org))),
    }
}

/// A member organisation's record.
pub async fn organisation(state: &AppState, org: &OrgId) -> ApiResult<Option<Organisation>> {
    records::get::<Organisation>(state, keys::organisation(org)).await
}

/// The carriers among the member organisations (at most the configured list size).
pub async fn carriers(state: &AppState) -> ApiResult<Vec<OrgId>> {
    let orgs = records::scan::<Organisation>(state, keys::organisation_prefix()).await?;
    Ok(orgs
        .into_iter()
        .filter(|o| o.has_role(Role::Carrier))
        .map(|o| o.id)
        .collect())
}

/// The DCSA party object (`ActorParty` / `RecipientParty`) of an organisation: its name, this
/// platform, our code for it and its configured aliases. `represented` is the organisation the
/// party acted for, when it acted under a grant.
pub fn party_json(
    config: &DcsaConfig,
    org: &OrgId,
    name: Option<&str>,
    represented: Option<(&OrgId, Option<&str>)>,
) -> Value {
    let mut party = json!({
        "partyName": party_name(org, name),
        "eblPlatform": config.platform,
        "identifyingCodes": codes(config, org),
    });
    if let Some((rep, rep_name)) = represented {
        party["representedParty"] = json!({
            "partyName": party_name(rep, rep_name),
            "identifyingCodes": codes(config, rep),
        });
    }
    party
}

fn party_name(org: &OrgId, name: Option<&str>) -> String {
    // DCSA partyName: 1–70 characters, no leading or trailing space.
    let name = super::schema::one_line(name.unwrap_or(org.as_str()), 70);
    if name.is_empty() {
        org.as_str().to_string()
    } else {
        name
    }
}

fn codes(config: &DcsaConfig, org: &OrgId) -> Vec<Value> {
    let mut codes = vec![json!({"codeListProvider": config.platform, "partyCode": org.as_str()})];
    codes.extend(
        config
            .parties
            .iter()
            .filter(|a| &a.org == org)
            .map(|a| json!({"codeListProvider": a.code_list_provider, "partyCode": a.party_code})),
    );
    codes
}
