//! `[api.pint]` of `config.toml`: this network as a DCSA PINT platform (ADR 0036, ADR 0037).
//!
//! ```toml
//! [api.pint]
//! trust_file = "pint-trust.json"           # platform code, signing key, trusted platforms
//!                                          # and carriers; re-read when it changes
//! signing_identity = "platform"           # optional: the platform key from [api.custody]'s
//!                                          # encrypted keystore (the trust file then names none)
//! [api.pint.partners.EBLB]                 # the API key this gateway presents to EBLB
//! api_key_file = "secrets/eblb-api-key"
//! ```
//!
//! The trust file's `platformCode` becomes the gateway's DCSA platform code when `[api.dcsa]`
//! names none; when both are given they must agree (the gateway refuses PINT otherwise).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use ebl_gateway::platform::PintSettings;
use serde::{Deserialize, Serialize};

/// `[api.pint]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PintSection {
    /// The trust file (relative to the config file).
    pub trust_file: PathBuf,
    /// Per receiving platform code: the file holding the API key presented to it.
    #[serde(default)]
    pub partners: BTreeMap<String, PartnerEntry>,
    /// The custodial keystore identity (`[api.custody]`) holding the platform's signing key;
    /// the trust file then names no `signingKey`. Absent: the trust file's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_identity: Option<String>,
}

/// One `[api.pint.partners.<CODE>]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerEntry {
    /// File holding the API key (relative to the config file).
    pub api_key_file: PathBuf,
}

impl PintSection {
    /// The gateway's PINT settings; relative files resolve against `base`; `held` are the
    /// unlocked custodial keys (the platform key may be one of them).
    pub fn to_settings(
        &self,
        base: &Path,
        held: &[crate::custody::HeldKey],
    ) -> anyhow::Result<PintSettings> {
        let signing_key = match &self.signing_identity {
            None => None,
            Some(name) => {
                let identity = held.iter().find(|h| &h.name == name).with_context(|| {
                    format!(
                        "api.pint.signing_identity `{name}` is not an identity of [api.custody]"
                    )
                })?;
                Some(ebl_gateway::pint::jws::PlatformSigningKey {
                    kid: name.clone(),
                    key: identity.key.clone(),
                })
            }
        };
        let mut api_keys = BTreeMap::new();
        for (code, partner) in &self.partners {
            let path = base.join(&partner.api_key_file);
            let key = std::fs::read_to_string(&path)
                .with_context(|| format!("api.pint.partners.{code}: {}", path.display()))?;
            api_keys.insert(code.clone(), key.trim().to_string());
        }
        Ok(PintSettings {
            trust_file: base.join(&self.trust_file),
            api_keys,
            signing_key,
        })
    }
}

/// The `platformCode` a trust file names (read once at start to set the DCSA platform code).
pub fn platform_code(trust_file: &Path) -> anyhow::Result<String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Head {
        platform_code: String,
    }
    let text = std::fs::read_to_string(trust_file)
        .with_context(|| format!("PINT trust file {}", trust_file.display()))?;
    let head: Head = serde_json::from_str(&text)
        .with_context(|| format!("PINT trust file {}", trust_file.display()))?;
    Ok(head.platform_code)
}

/// Applies `settings` to `config`: PINT on, and the DCSA platform code from the trust file
/// unless the operator set one.
pub fn apply(
    config: &mut ebl_gateway::GatewayConfig,
    settings: PintSettings,
    dcsa_platform_set: bool,
) -> anyhow::Result<()> {
    if !dcsa_platform_set {
        config.dcsa.platform = platform_code(&settings.trust_file)?;
    }
    config.pint = Some(settings);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partners_keys_are_read_and_the_platform_code_comes_from_the_trust_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("trust.json"), r#"{"platformCode": "EBLA"}"#).unwrap();
        std::fs::write(dir.path().join("eblb-key"), "secret-b\n").unwrap();
        let section: PintSection = toml::from_str(
            "trust_file = \"trust.json\"\n[partners.EBLB]\napi_key_file = \"eblb-key\"\n",
        )
        .unwrap();
        let settings = section.to_settings(dir.path(), &[]).unwrap();
        assert_eq!(settings.api_keys["EBLB"], "secret-b");
        let mut config = ebl_gateway::GatewayConfig::default();
        apply(&mut config, settings, false).unwrap();
        assert_eq!(config.dcsa.platform, "EBLA");
        assert!(config.pint.is_some());
    }

    #[test]
    fn a_missing_partner_key_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let section: PintSection = toml::from_str(
            "trust_file = \"trust.json\"\n[partners.EBLB]\napi_key_file = \"missing\"\n",
        )
        .unwrap();
        let error = section.to_settings(dir.path(), &[]).unwrap_err();
        assert!(format!("{error:#}").contains("api.pint.partners.EBLB"));
    }
}

#[cfg(test)]
mod keystore_tests {
    use super::*;

    #[test]
    fn the_platform_key_may_come_from_the_keystore_and_must_be_one_of_its_identities() {
        let dir = tempfile::tempdir().unwrap();
        let section: PintSection =
            toml::from_str("trust_file = \"trust.json\"\nsigning_identity = \"platform\"\n")
                .unwrap();
        let held = crate::custody::HeldKey {
            name: "platform".into(),
            org: ebl_ledger::ids::OrgId::new("CARRIER").unwrap(),
            key: ed25519_dalek::SigningKey::from_bytes(&[5; 32]),
        };
        let settings = section
            .to_settings(dir.path(), std::slice::from_ref(&held))
            .unwrap();
        let key = settings.signing_key.unwrap();
        assert_eq!(key.kid, "platform");
        assert_eq!(key.key.to_bytes(), [5; 32]);
        let error = section.to_settings(dir.path(), &[]).unwrap_err();
        assert!(
            format!("{error:#}").contains("signing_identity"),
            "{error:#}"
        );
    }
}
