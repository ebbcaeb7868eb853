//! R325: envelope transfers in progress at this gateway (started, waiting for additional
//! documents), bounded in number, bytes and age. Only what the ledger does not decide lives
//! here: an accepted transfer is a PINT_IMPORT on the ledger, so DUPE and DISE are answered
//! from replicated state on every member's gateway; a transfer lost with this memory is
//! simply started again by the sender (PINT: "the sending platform should retry").

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ebl_ledger::hash::Hash32;
use ebl_ledger::ids::OrgId;

use crate::pint::model::DocumentMetadata;
use crate::pint::receive::CheckedEnvelope;

/// Most transfers in progress at once.
pub const MAX_SESSIONS: usize = 64;
/// Most transfers in progress from one sending platform: a partner that floods starts costs
/// itself, not the others (R325).
pub const MAX_SESSIONS_PER_PLATFORM: usize = 16;
/// Most bytes of additional documents held for all transfers together.
pub const MAX_HELD_BYTES: usize = 64 * 1024 * 1024;
/// Most bytes held for the transfers of one sending platform.
pub const MAX_HELD_BYTES_PER_PLATFORM: usize = 16 * 1024 * 1024;
/// How long a started transfer waits for its documents and its finish.
pub const SESSION_TTL: Duration = Duration::from_secs(3600);

/// One started transfer.
#[derive(Debug, Clone)]
pub struct Session {
    /// The checked envelope.
    pub envelope: CheckedEnvelope,
    /// The member receiving it and the custodial identity that will sign its import.
    pub member: OrgId,
    /// That identity's keystore name.
    pub identity: String,
    /// The title party here (`None`: blank or as the ledger reads it).
    pub title: Option<OrgId>,
    /// Additional documents still missing, by checksum.
    pub missing: BTreeMap<Hash32, DocumentMetadata>,
    /// Additional documents received, by checksum.
    pub received: BTreeMap<Hash32, Vec<u8>>,
    /// Checksums of documents this platform already had.
    pub held: Vec<Hash32>,
    started: Instant,
}

impl Session {
    /// A new session.
    pub fn new(
        envelope: CheckedEnvelope,
        member: OrgId,
        identity: String,
        title: Option<OrgId>,
        missing: BTreeMap<Hash32, DocumentMetadata>,
        held: Vec<Hash32>,
    ) -> Self {
        Session {
            envelope,
            member,
            identity,
            title,
            missing,
            received: BTreeMap::new(),
            held,
            started: Instant::now(),
        }
    }

    fn bytes(&self) -> usize {
        self.received.values().map(Vec::len).sum()
    }
}

/// Why a session cannot be opened or fed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// [`MAX_SESSIONS`] transfers are in progress.
    #[error("too many envelope transfers in progress; retry later")]
    Full,
    /// [`MAX_HELD_BYTES`] would be exceeded.
    #[error("too many additional-document bytes held; retry later")]
    TooManyBytes,
    /// No transfer with that reference (never started, finished, or expired).
    #[error("no envelope transfer in progress with this reference")]
    Unknown,
}

/// The transfers in progress.
#[derive(Debug, Default)]
pub struct Sessions {
    inner: Mutex<BTreeMap<String, Session>>,
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Session>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn expire(map: &mut BTreeMap<String, Session>) {
        map.retain(|_, s| s.started.elapsed() < SESSION_TTL);
    }

    /// The reference of a transfer in progress for the same last chain entry (a retried start).
    pub fn find(&self, last_checksum: &Hash32) -> Option<(String, Session)> {
        let mut map = self.lock();
        Self::expire(&mut map);
        map.iter()
            .find(|(_, s)| s.envelope.last_checksum == *last_checksum)
            .map(|(r, s)| (r.clone(), s.clone()))
    }

    /// Opens a transfer under `reference`; a start for the same document replaces the older one
    /// (PINT: a new start means the sender retries).
    pub fn open(&self, reference: String, session: Session) -> Result<(), SessionError> {
        let mut map = self.lock();
        Self::expire(&mut map);
        let document = session.envelope.document_checksum;
        map.retain(|_, s| s.envelope.document_checksum != document);
        let platform = &session.envelope.sending_platform;
        let theirs = map
            .values()
            .filter(|s| &s.envelope.sending_platform == platform)
            .count();
        if map.len() >= MAX_SESSIONS || theirs >= MAX_SESSIONS_PER_PLATFORM {
            return Err(SessionError::Full);
        }
        map.insert(reference, session);
        Ok(())
    }

    /// A copy of the transfer `reference`.
    pub fn get(&self, reference: &str) -> Result<Session, SessionError> {
        let mut map = self.lock();
        Self::expire(&mut map);
        map.get(reference).cloned().ok_or(SessionError::Unknown)
    }

    /// Keeps the document `checksum` of transfer `reference`.
    pub fn receive(
        &self,
        reference: &str,
        checksum: Hash32,
        bytes: Vec<u8>,
    ) -> Result<(), SessionError> {
        let mut map = self.lock();
        Self::expire(&mut map);
        let platform = map
            .get(reference)
            .ok_or(SessionError::Unknown)?
            .envelope
            .sending_platform
            .clone();
        let held: usize = map.values().map(Session::bytes).sum();
        let theirs: usize = map
            .values()
            .filter(|s| s.envelope.sending_platform == platform)
            .map(Session::bytes)
            .sum();
        if held + bytes.len() > MAX_HELD_BYTES || theirs + bytes.len() > MAX_HELD_BYTES_PER_PLATFORM
        {
            return Err(SessionError::TooManyBytes);
        }
        let session = map.get_mut(reference).ok_or(SessionError::Unknown)?;
        if session.missing.remove(&checksum).is_some() {
            session.received.insert(checksum, bytes);
        }
        Ok(())
    }

    /// Ends the transfer `reference`.
    pub fn close(&self, reference: &str) {
        self.lock().remove(reference);
    }
}
