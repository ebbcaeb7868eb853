//! Identity and authority: root CAs, organisations, roles, grants, validators and governance
//! (specs/protocol.md R20–R29, R90–R99).

pub mod governance;
pub mod grant;
pub mod org;
pub mod standing;
mod types;
pub mod x509;

pub use governance::{
    ProposalRecord, ProposalStatus, ValidatorSet, apply_governance, check_governance_stateless,
};
pub use grant::{GrantRecord, apply_grant, check_grant_stateless};
pub use org::{Organisation, authorize, require_role};
pub use standing::{check_standing, entry_standing};
pub use types::*;

use crate::entry::ChainRef;
use crate::error::{ExecResult, RuleError};
use crate::genesis::Genesis;
use crate::state::{Overlay, keys};

/// R11: installs the genesis identities: root CAs, founding organisations (admitted at the
/// genesis time), and the first validator set.
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
    for der in &genesis.organisations {
        org::admit(state, der, genesis.genesis_time, 0)?;
    }
    let set = ValidatorSet::new(genesis.validators.clone())?;
    set.check_operators(state)?;
    state.put(keys::validators(), &set);
    Ok(())
}
