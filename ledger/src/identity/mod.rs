//! Identity and authority: root CAs, organisations, roles, grants, validators and governance
//! (specs/protocol.md R20–R29, R90–R99).

pub mod governance;
pub mod grant;
pub mod org;
pub mod profile;
pub mod standing;
mod types;
pub mod x509;

pub use governance::{
    ProposalRecord, ProposalStatus, ValidatorSet, apply_governance, check_governance_stateless,
};
pub use grant::{GrantRecord, apply_grant, check_grant_stateless};
pub use org::{Organisation, authorize, require_role};
pub use profile::{DisplayNames, GenesisProfile, OrgProfile};
pub use standing::{check_standing, entry_standing};
pub use types::*;

use std::collections::BTreeMap;

use crate::entry::ChainRef;
use crate::error::{ExecResult, RuleError};
use crate::genesis::Genesis;
use crate::ids::OrgId;
use crate::state::{Overlay, keys};

/// R11: installs the genesis identities: root CAs, founding organisations (admitted at the
/// genesis time, with their profiles, R381), and the first validator set.
pub fn install_genesis(
    state: &mut Overlay<'_>,
    _chain: &ChainRef,
    genesis: &Genesis,
) -> ExecResult<()> {
    if genesis.root_cas.is_empty() {
        return Err(RuleError::invalid("root_cas", "at least one root CA is required").into());
    }
    let roots = genesis
        .root_cas
        .iter()
        .map(|der| x509::parse_root(der))
        .collect::<Result<Vec<_>, _>>()?;
    state.put(keys::root_cas(), &roots);
    let profiles = genesis_profiles(genesis)?;
    for der in &genesis.organisations {
        let admitted = org::admit(state, der, None, genesis.genesis_time, 0)?;
        if let Some(profile) = profiles.get(&admitted.id) {
            org::set_profile(state, &admitted.id, profile)?;
        }
    }
    // R381: a profile for an organisation genesis does not admit is a mistake, not a no-op.
    for p in &genesis.organisation_profiles {
        if state.get_raw(&keys::organisation(&p.org))?.is_none() {
            return Err(RuleError::invalid(
                "organisation_profiles",
                format!("`{}` is not a genesis organisation", p.org),
            )
            .into());
        }
    }
    let set = ValidatorSet::new(genesis.validators.clone())?;
    set.check_operators(state)?;
    state.put(keys::validators(), &set);
    Ok(())
}

/// R381: the genesis profiles by organisation, each named at most once.
fn genesis_profiles(genesis: &Genesis) -> ExecResult<BTreeMap<OrgId, &OrgProfile>> {
    let mut profiles = BTreeMap::new();
    for p in &genesis.organisation_profiles {
        if profiles.insert(p.org.clone(), &p.profile).is_some() {
            return Err(RuleError::invalid(
                "organisation_profiles",
                format!("`{}` has two profiles", p.org),
            )
            .into());
        }
    }
    Ok(profiles)
}
