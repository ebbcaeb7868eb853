//! `[api.dcsa]` of `config.toml`: the DCSA endpoints' directory and callbacks (ADR 0013).
//!
//! ```toml
//! [api.dcsa]
//! platform = "EBLL"                        # this platform's DCSA code (≤ 4 characters)
//! carrier_scac = { CARRIER = "OLSC" }      # carrierSCACCode shown for a carrier
//! memory = 10000                           # verdicts and surrender requests remembered
//!
//! [[api.dcsa.parties]]                     # further party codes naming member organisations
//! code_list_provider = "BOLE"
//! party_code = "BOLE001"
//! org = "SHIPPER"
//!
//! [api.dcsa.callbacks.CARRIER]             # where CARRIER receives issuance responses
//! url = "https://carrier.example/v3/ebl-issuance-responses"
//! secret_file = "secrets/carrier-callback" # HMAC key, relative to the config file
//!
//! [api.dcsa.surrender_endpoints.CARRIER]   # where CARRIER receives surrender requests (R245)
//! url = "https://carrier.example/v3/ebl-surrender-requests"
//! secret_file = "secrets/carrier-surrender"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use ebl_gateway::dcsa::callback::CallbackTarget;
use ebl_gateway::dcsa::{DcsaConfig, PartyAlias};
use ebl_ledger::ids::OrgId;
use serde::{Deserialize, Serialize};

/// `[api.dcsa]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DcsaSection {
    /// This platform's DCSA code; the gateway's default when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// SCAC code per carrier organisation.
    pub carrier_scac: BTreeMap<String, String>,
    /// Verdicts and surrender requests remembered; the gateway's default when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<usize>,
    /// Party code aliases.
    pub parties: Vec<PartyEntry>,
    /// Issuance-response callbacks per carrier organisation.
    pub callbacks: BTreeMap<String, CallbackEntry>,
    /// R245: DCSA SUR endpoints (`POST /v3/ebl-surrender-requests`) per carrier organisation.
    pub surrender_endpoints: BTreeMap<String, CallbackEntry>,
}

/// One `[[api.dcsa.parties]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyEntry {
    /// DCSA `codeListProvider`.
    pub code_list_provider: String,
    /// DCSA `partyCode`.
    pub party_code: String,
    /// The member organisation.
    pub org: String,
}

/// One `[api.dcsa.callbacks.<ORG>]` or `[api.dcsa.surrender_endpoints.<ORG>]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackEntry {
    /// The carrier's `.../v3/ebl-issuance-responses` (or `.../v3/ebl-surrender-requests`) URL.
    pub url: String,
    /// File holding the HMAC secret (relative to the config file).
    pub secret_file: PathBuf,
}

fn org(text: &str, what: &str) -> anyhow::Result<OrgId> {
    OrgId::new(text)
        .with_context(|| format!("api.dcsa: `{text}` in {what} is not an organisation id"))
}

impl DcsaSection {
    /// The gateway's DCSA configuration; relative secret files resolve against `base`.
    pub fn to_config(&self, base: &Path) -> anyhow::Result<DcsaConfig> {
        let mut config = DcsaConfig::default();
        if let Some(platform) = &self.platform {
            if platform.is_empty() || platform.chars().count() > 4 || platform.contains(' ') {
                bail!("api.dcsa.platform must be 1-4 characters without spaces");
            }
            config.platform.clone_from(platform);
        }
        if let Some(memory) = self.memory {
            config.memory = memory;
        }
        for (carrier, scac) in &self.carrier_scac {
            config
                .carrier_scac
                .insert(org(carrier, "carrier_scac")?, scac.clone());
        }
        for p in &self.parties {
            config.parties.push(PartyAlias {
                code_list_provider: p.code_list_provider.clone(),
                party_code: p.party_code.clone(),
                org: org(&p.org, "parties")?,
            });
        }
        for (carrier, entry) in &self.callbacks {
            let target = target(base, "callbacks", carrier, entry)?;
            config.callbacks.insert(org(carrier, "callbacks")?, target);
        }
        for (carrier, entry) in &self.surrender_endpoints {
            let target = target(base, "surrender_endpoints", carrier, entry)?;
            let carrier = org(carrier, "surrender_endpoints")?;
            config.surrender_endpoints.insert(carrier, target);
        }
        Ok(config)
    }
}

/// `[api.dcsa.<table>.<carrier>]` as a target: an http(s) URL and a secret of ≥ 16 characters.
fn target(
    base: &Path,
    table: &str,
    carrier: &str,
    entry: &CallbackEntry,
) -> anyhow::Result<CallbackTarget> {
    let path = base.join(&entry.secret_file);
    let secret = std::fs::read_to_string(&path)
        .with_context(|| format!("api.dcsa.{table}.{carrier}: read {}", path.display()))?
        .trim()
        .to_string();
    if secret.len() < 16 {
        bail!("api.dcsa.{table}.{carrier}: the secret must have at least 16 characters");
    }
    if !(entry.url.starts_with("http://") || entry.url.starts_with("https://")) {
        bail!("api.dcsa.{table}.{carrier}: url must be http:// or https://");
    }
    Ok(CallbackTarget {
        url: entry.url.clone(),
        secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_section_becomes_the_gateway_configuration() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("cb"), "a-callback-secret-of-32-chars!!\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let section: DcsaSection = toml::from_str(
            r#"
            platform = "SGTD"
            carrier_scac = { CARRIER = "OLSC" }
            [[parties]]
            code_list_provider = "BOLE"
            party_code = "BOLE001"
            org = "SHIPPER"
            [callbacks.CARRIER]
            url = "https://carrier.example/v3/ebl-issuance-responses"
            secret_file = "cb"
            [surrender_endpoints.CARRIER]
            url = "https://carrier.example/v3/ebl-surrender-requests"
            secret_file = "cb"
            "#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let config = section
            .to_config(dir.path())
            .unwrap_or_else(|e| panic!("{e}"));
        let carrier = OrgId::new("CARRIER").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.platform, "SGTD");
        assert_eq!(config.carrier_scac[&carrier], "OLSC");
        assert_eq!(config.parties[0].party_code, "BOLE001");
        assert_eq!(
            config.callbacks[&carrier].secret,
            "a-callback-secret-of-32-chars!!"
        );
        assert_eq!(
            config.surrender_endpoints[&carrier].url,
            "https://carrier.example/v3/ebl-surrender-requests"
        );
    }

    #[test]
    fn bad_platform_codes_org_ids_urls_and_short_secrets_are_refused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("short"), "short").unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("long"), "a-callback-secret-of-32-chars!!")
            .unwrap_or_else(|e| panic!("{e}"));
        for text in [
            r#"platform = "TOOLONG""#,
            r#"carrier_scac = { "not an org" = "X" }"#,
            "[callbacks.CARRIER]\nurl = \"https://c.example/x\"\nsecret_file = \"short\"",
            "[callbacks.CARRIER]\nurl = \"ftp://c.example/x\"\nsecret_file = \"long\"",
            "[callbacks.CARRIER]\nurl = \"https://c.example/x\"\nsecret_file = \"missing\"",
            "[surrender_endpoints.CARRIER]\nurl = \"ftp://c.example/x\"\nsecret_file = \"long\"",
            "[surrender_endpoints.CARRIER]\nurl = \"https://c.example/x\"\nsecret_file = \"short\"",
        ] {
            let section: DcsaSection = toml::from_str(text).unwrap_or_else(|e| panic!("{e}"));
            assert!(section.to_config(dir.path()).is_err(), "{text}");
        }
        assert!(toml::from_str::<DcsaSection>("unknown = 1").is_err());
    }
}
