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
    /// (late operator, the operator standing in for it) (R440).
    pub stand_ins: Vec<(String, String)>,
}

impl Plan {
    /// The plan for `validators` nodes (1..=[`MAX_VALIDATORS`]).
    pub fn new(validators: usize) -> Result<Plan> {
        Self::without(validators, &[])
    }

    /// R440: the plan for `validators` nodes with the pilot organisations `late` left out of
    /// genesis, to join later (`ebl-testnet join`). A late validator operator's place is
    /// taken by the next operator (`OPERATOR5`, …); the organisations its node would have held
    /// go to another node of their country.
    pub fn without(validators: usize, late: &[String]) -> Result<Plan> {
        if validators == 0 || validators > MAX_VALIDATORS {
            return Err(TestnetError::Usage(format!(
                "--validators must be between 1 and {MAX_VALIDATORS}"
            )));
        }
        if let Some(unknown) = late.iter().find(|id| pilot_org(id).is_none()) {
            return Err(TestnetError::Usage(format!(
                "--late {unknown}: not a pilot organisation"
            )));
        }
        let mut orgs: Vec<OrgSpec> = PILOT_ORGS
            .iter()
            .filter(|(id, ..)| !late.iter().any(|l| l == id))
            .map(|(id, name, country, roles)| OrgSpec {
                id: (*id).to_string(),
                name: (*name).to_string(),
                country: (*country).to_string(),
                roles: roles.to_vec(),
            })
            .collect();
        let mut operators: Vec<String> = PILOT_OPERATORS
            .iter()
            .filter(|op| !late.iter().any(|l| l == *op))
            .take(validators)
            .map(|s| (*s).to_string())
            .collect();
        let extra = validators.saturating_sub(operators.len());
        // A stand-in for a late operator is of its country, so that country keeps a node.
        let late_operators: Vec<OrgSpec> = late
            .iter()
            .filter(|id| PILOT_OPERATORS.contains(&id.as_str()))
            .filter_map(|id| pilot_org(id))
            .collect();
        let mut stand_ins = Vec::new();
        for (k, n) in (PILOT_OPERATORS.len() + 1..=PILOT_OPERATORS.len() + extra).enumerate() {
            let id = format!("OPERATOR{n}");
            let country = match late_operators.get(k) {
                Some(late_op) => {
                    stand_ins.push((late_op.id.clone(), id.clone()));
                    late_op.country.clone()
                }
                None => if n % 2 == 0 { "SG" } else { "CN" }.to_string(),
            };
            orgs.push(OrgSpec {
                id: id.clone(),
                name: format!("Validator Operator {n}"),
                country,
                roles: vec![Role::ValidatorOperator],
            });
            operators.push(id);
        }
        Ok(Plan {
            orgs,
            operators,
            stand_ins,
        })
    }

    /// The node index whose custodian holds `org`'s key (see [`PREFERRED_HOST`]).
    pub fn host_of(&self, org: &OrgSpec) -> usize {
        let node_of = |id: &str| self.operators.iter().position(|o| o == id);
        if let Some(own) = node_of(&org.id) {
            return own;
        }
        // A late operator's organisations go to the operator standing in for it (R440).
        let stand_in = |host: &str| -> String {
            self.stand_ins
                .iter()
                .find(|(late, _)| late == host)
                .map_or_else(|| host.to_string(), |(_, s)| s.clone())
        };
        let preferred = PREFERRED_HOST
            .iter()
            .find(|(o, _)| *o == org.id)
            .and_then(|(_, host)| node_of(&stand_in(host)));
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

/// The pilot organisation `id` (name, country, roles), also one left out of genesis.
pub fn pilot_org(id: &str) -> Option<OrgSpec> {
    PILOT_ORGS
        .iter()
        .find(|(org, ..)| *org == id)
        .map(|(id, name, country, roles)| OrgSpec {
            id: (*id).to_string(),
            name: (*name).to_string(),
            country: (*country).to_string(),
            roles: roles.to_vec(),
        })
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
    fn a_late_organisation_is_left_out_and_its_operator_place_and_hosted_keys_go_elsewhere() {
        let plan = Plan::without(4, &["SGSW".into()]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.operators, ["GDSW", "MSA", "BANK", "OPERATOR5"]);
        assert!(plan.orgs.iter().all(|o| o.id != "SGSW"));
        // SGSW's node would have held these; OPERATOR5 is the Singapore node now.
        for org in ["CONSIGNEE", "MPA", "CARRIER2", "BUYER2"] {
            assert_eq!(host(&plan, org), "OPERATOR5", "{org}");
        }
        assert!(Plan::without(4, &["NOBODY".into()]).is_err());
    }

    #[test]
    fn more_than_four_validators_get_extra_operators_and_zero_is_refused() {
        let plan = Plan::new(6).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.operators[4..], ["OPERATOR5", "OPERATOR6"]);
        assert!(Plan::new(0).is_err());
        assert!(Plan::new(MAX_VALIDATORS + 1).is_err());
    }
}
