//! Who is in the testnet and where each organisation's signing key lives.
//!
//! The organisations are the pilot consortium of the ledger's testkit (`PILOT_ORGS`: the
//! Guangdong and Singapore single windows, carriers, shipper, bank, consignee, the Chinese
//! maritime administration, the Singapore port authority, a class society). Validators are run
//! by the validator-operator organisations in the order GDSW, SGSW, MSA, BANK; more than four
//! validators get extra operators `OPERATOR5`, `OPERATOR6`, … Every other organisation is a
//! non-validator participant whose key the node of its operator or country holds custodially.

use ebl_ledger::identity::Role;
use ebl_ledger::testkit::PILOT_ORGS;

use crate::error::{Result, TestnetError};
use crate::pki::OrgSpec;

/// Validator operators of the pilot, in node order.
pub const PILOT_OPERATORS: [&str; 4] = ["GDSW", "SGSW", "MSA", "BANK"];

/// Most validators `up` starts (ports and moniker width stay readable).
pub const MAX_VALIDATORS: usize = 16;

/// The organisation whose node should hold each pilot organisation's key: its own node if it
/// runs one, else the one named here (the operator of its country or trade), else the first
/// node of its country, else node 0.
const PREFERRED_HOST: [(&str, &str); 7] = [
    ("CARRIER", "GDSW"),
    ("SHIPPER", "GDSW"),
    ("CLASS", "MSA"),
    ("CONSIGNEE", "SGSW"),
    ("MPA", "SGSW"),
    ("CARRIER2", "SGSW"),
    ("BUYER2", "SGSW"),
];

/// The organisations and validator operators of an `n`-validator testnet.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Every organisation (genesis members).
    pub orgs: Vec<OrgSpec>,
    /// The operator of node `i` (an id in `orgs`).
    pub operators: Vec<String>,
}

impl Plan {
    /// The plan for `validators` nodes (1..=[`MAX_VALIDATORS`]).
    pub fn new(validators: usize) -> Result<Plan> {
        if validators == 0 || validators > MAX_VALIDATORS {
            return Err(TestnetError::Usage(format!(
                "--validators must be between 1 and {MAX_VALIDATORS}"
            )));
        }
        let mut orgs: Vec<OrgSpec> = PILOT_ORGS
            .iter()
            .map(|(id, name, country, roles)| OrgSpec {
                id: (*id).to_string(),
                name: (*name).to_string(),
                country: (*country).to_string(),
                roles: roles.to_vec(),
            })
            .collect();
        let mut operators: Vec<String> = PILOT_OPERATORS
            .iter()
            .take(validators)
            .map(|s| (*s).to_string())
            .collect();
        for n in PILOT_OPERATORS.len() + 1..=validators {
            let id = format!("OPERATOR{n}");
            orgs.push(OrgSpec {
                id: id.clone(),
                name: format!("Validator Operator {n}"),
                country: if n % 2 == 0 { "SG" } else { "CN" }.into(),
                roles: vec![Role::ValidatorOperator],
            });
            operators.push(id);
        }
        Ok(Plan { orgs, operators })
    }

    /// The node index whose custodian holds `org`'s key (see [`PREFERRED_HOST`]).
    pub fn host_of(&self, org: &OrgSpec) -> usize {
        let node_of = |id: &str| self.operators.iter().position(|o| o == id);
        if let Some(own) = node_of(&org.id) {
            return own;
        }
        let preferred = PREFERRED_HOST
            .iter()
            .find(|(o, _)| *o == org.id)
            .and_then(|(_, host)| node_of(host));
        if let Some(node) = preferred {
            return node;
        }
        self.operators
            .iter()
            .position(|op| {
                self.orgs
                    .iter()
                    .any(|o| &o.id == op && o.country == org.country)
            })
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(plan: &Plan, id: &str) -> String {
        let org = plan.orgs.iter().find(|o| o.id == id).cloned();
        let org = org.unwrap_or_else(|| panic!("no {id}"));
        plan.operators[plan.host_of(&org)].clone()
    }

    #[test]
    fn each_pilot_organisation_is_held_by_the_node_of_its_operator_or_country() {
        let plan = Plan::new(4).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.operators, PILOT_OPERATORS);
        for (org, node) in [
            ("CARRIER", "GDSW"),
            ("SHIPPER", "GDSW"),
            ("CONSIGNEE", "SGSW"),
            ("MPA", "SGSW"),
            ("BANK", "BANK"),
            ("CLASS", "MSA"),
            ("MSA", "MSA"),
        ] {
            assert_eq!(host(&plan, org), node, "{org}");
        }
    }

    #[test]
    fn with_fewer_nodes_keys_fall_back_to_a_node_of_the_same_country() {
        let plan = Plan::new(2).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(host(&plan, "BANK"), "GDSW");
        assert_eq!(host(&plan, "CLASS"), "GDSW");
        assert_eq!(host(&plan, "BUYER2"), "SGSW");
    }

    #[test]
    fn more_than_four_validators_get_extra_operators_and_zero_is_refused() {
        let plan = Plan::new(6).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.operators[4..], ["OPERATOR5", "OPERATOR6"]);
        assert!(Plan::new(0).is_err());
        assert!(Plan::new(MAX_VALIDATORS + 1).is_err());
    }
}
