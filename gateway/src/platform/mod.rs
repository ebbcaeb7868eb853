//! This network as a DCSA PINT 3.0 platform (specs/protocol.md §9r–§9t, ADR 0036, ADR 0037):
//! the edge around the pure protocol library [`crate::pint`].
//!
//! - [`inbox`]: receiving envelopes (`/v3/envelopes…`); [`accept`]: acceptance is a
//!   PINT_IMPORT final before RECE; [`answers`]: signed and unsigned answers.
//! - [`export`]: the PINT_EXPORT a holder signs, with this platform's chain entry.
//! - [`outbox`]: the sender: pending exports on the ledger are sent and their signed answers
//!   recorded (PINT_EXPORT_ANSWER), exactly once across crashes because the ledger holds the
//!   pending export and the exact chain entry.
//! - [`directory`]: parties across platforms; [`sessions`]: transfers in progress.

pub mod accept;
pub mod answers;
pub mod control;
pub mod directory;
pub mod export;
pub mod import;
pub mod inbox;
pub mod outbox;
mod outbox_http;
pub mod self_signed;
pub mod sessions;
pub mod validation;

use std::path::PathBuf;
use std::sync::Arc;

use crate::pint::trust::{TrustConfig, TrustError, TrustStore};

/// PINT settings of a gateway.
#[derive(Debug, Clone)]
pub struct PintSettings {
    /// The trust file (this platform's code and signing key, trusted platforms and carriers);
    /// re-read when it changes, so keys rotate without a restart.
    pub trust_file: PathBuf,
    /// The API key this gateway presents to each receiving platform (by platform code).
    pub api_keys: std::collections::BTreeMap<String, String>,
    /// The platform signing key from the node's encrypted keystore; the trust file's own when
    /// `None` (ADR 0036).
    pub signing_key: Option<crate::pint::jws::PlatformSigningKey>,
}

/// The running platform edge of a gateway.
#[derive(Debug)]
pub struct Platform {
    trust: TrustStore,
    /// Transfers in progress.
    pub sessions: sessions::Sessions,
    /// Exports being sent now (one sender per bill).
    pub sending: outbox::InFlight,
    /// Final answers waiting for self-signing holders (R339).
    pub answers: self_signed::Answers,
}

impl Platform {
    /// Loads the trust file; its platform code must be the gateway's DCSA platform code.
    pub fn open(settings: &PintSettings, platform_code: &str) -> Result<Self, TrustError> {
        let trust = TrustStore::load_with(&settings.trust_file, settings.signing_key.clone())?;
        let code = trust.current().platform_code.clone();
        if code != platform_code {
            return Err(TrustError::Refused(format!(
                "the trust file's platformCode {code} is not this gateway's platform code {platform_code}"
            )));
        }
        Ok(Platform {
            trust,
            sessions: sessions::Sessions::default(),
            sending: outbox::InFlight::default(),
            answers: self_signed::Answers::default(),
        })
    }

    /// The trust configuration in use, re-read first if its file changed (a bad new file is
    /// logged and the keys in use are kept).
    pub fn trust(&self) -> Arc<TrustConfig> {
        if let Err(e) = self.trust.reload_if_changed() {
            tracing::error!(error = %e, "PINT trust file not reloaded");
        }
        self.trust.current()
    }
}
