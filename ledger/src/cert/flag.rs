//! A ship's flag: who may issue its certificates, and FLAG_CHANGE (specs/protocol.md R385,
//! R387, R388).
//!
//! A ship certificate is issued by the flag State's Administration (or a recognized
//! organization under its grant), so the ship's flag must be the Administration's country. The
//! ledger keeps one record per IMO number with the current flag, the changes of flag, and the
//! certificates issued under the current flag: when the flag changes they cease to be valid
//! (SOLAS I/14), and the record is how FLAG_CHANGE finds them without a prefix scan, which the
//! state tree cannot do.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::cert::record::{self, Stamp, StatusChange, StatusEvent};
use crate::cert::{CertificateRef, Ship};
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::identity::org::organisation;
use crate::identity::{DocumentKind, Organisation, Role, authorize, require_role};
use crate::state::{EntryContext, Overlay, keys};
use crate::time::CalendarDate;

/// R385: most certificates one ship may hold under one flag that are not yet withdrawn or
/// superseded; it bounds the records one FLAG_CHANGE rewrites (R388).
pub const MAX_SHIP_CERTIFICATES: usize = 128;
/// R388: most changes of flag a ship record keeps; older ones stay in the chain's entries.
pub const MAX_FLAG_CHANGES: usize = 32;
/// R387: how far from the acting Administration's day `effective_on` may be, either way.
pub const MAX_FLAG_CHANGE_DAYS: i32 = 31;

/// One change of flag.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct FlagChangeRecord {
    /// The flag before (none when the ledger knew no flag for the ship).
    pub from_flag: Option<String>,
    /// The flag after.
    pub to_flag: String,
    /// First day under the new flag.
    pub effective_on: CalendarDate,
    /// Who recorded it and when.
    pub stamp: Stamp,
}

/// A ship as stored under [`keys::ship`].
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct ShipRecord {
    /// IMO number.
    pub imo_number: String,
    /// The current flag (ISO 3166-1 alpha-2).
    pub flag: String,
    /// The last [`MAX_FLAG_CHANGES`] changes of flag, oldest first.
    pub flag_changes: Vec<FlagChangeRecord>,
    /// Certificates issued under the current flag, in issue order (R385).
    pub certificates: Vec<CertificateRef>,
}

/// The ship record, if the ledger has one.
pub fn load_ship(state: &Overlay<'_>, imo: &str) -> ExecResult<Option<ShipRecord>> {
    state.get::<ShipRecord>(&keys::ship(imo))
}

/// R385: at CERT_ISSUE, the ship's flag must be `administration`'s country and, when the ledger
/// records a flag for the ship, that flag. Returns the ship record to pass to [`register`].
pub fn check_issue_flag(
    ctx: &EntryContext<'_>,
    administration: &Organisation,
    ship: &Ship,
) -> ExecResult<Option<ShipRecord>> {
    if ship.flag != administration.country {
        return Err(RuleError::FlagMismatch(format!(
            "ship flag {} is not the country {} of Administration `{}`",
            ship.flag, administration.country, administration.id
        ))
        .into());
    }
    let record = load_ship(&ctx.state, &ship.imo_number)?;
    if let Some(recorded) = &record
        && recorded.flag != ship.flag
    {
        return Err(RuleError::FlagMismatch(format!(
            "ship {} flies the flag {} on this ledger, not {}",
            ship.imo_number, recorded.flag, ship.flag
        ))
        .into());
    }
    Ok(record)
}

/// R385: adds a newly issued certificate to its ship's record (created with the issue's flag
/// if there is none). When [`MAX_SHIP_CERTIFICATES`] are listed, those since withdrawn or
/// superseded are dropped first; if all are still open the issue is refused.
pub fn register(
    ctx: &mut EntryContext<'_>,
    existing: Option<ShipRecord>,
    ship: &Ship,
    reference: &CertificateRef,
) -> ExecResult<()> {
    let mut record = existing.unwrap_or_else(|| ShipRecord {
        imo_number: ship.imo_number.clone(),
        flag: ship.flag.clone(),
        flag_changes: Vec::new(),
        certificates: Vec::new(),
    });
    if record.certificates.len() >= MAX_SHIP_CERTIFICATES {
        let mut open = Vec::with_capacity(record.certificates.len());
        for listed in record.certificates {
            if record::load(&ctx.state, &listed)?.closed().is_none() {
                open.push(listed);
            }
        }
        record.certificates = open;
    }
    if record.certificates.len() >= MAX_SHIP_CERTIFICATES {
        return Err(RuleError::invalid(
            "ship.imo_number",
            format!("the ship has {MAX_SHIP_CERTIFICATES} open certificates under its flag"),
        )
        .into());
    }
    record.certificates.push(reference.clone());
    ctx.state.put(keys::ship(&ship.imo_number), &record);
    Ok(())
}

/// R387–R388: FLAG_CHANGE.
///
/// The actor (the signer's organisation, or one it acts for under a grant of CERT_FLAG_CHANGE)
/// must be a maritime Administration of the new flag or of the ship's recorded flag
/// (FLAG_MISMATCH); a ship the ledger knows no flag for is registered by its new flag alone.
/// The new flag must differ from the recorded one (NO_CHANGE), and `effective_on` must lie
/// within [`MAX_FLAG_CHANGE_DAYS`] of the actor's local day and after the last change's
/// effective day (INVALID_DATES). Every certificate issued under the old flag that is still
/// open gets a FLAG_CHANGED status event (R388); the ship record takes the new flag and starts
/// an empty certificate list.
pub fn change_flag(
    ctx: &mut EntryContext<'_>,
    imo: &str,
    to_flag: &str,
    effective_on: CalendarDate,
) -> ExecResult<()> {
    let actor = authorize(
        ctx,
        ActionKind::CertFlagChange,
        Some(DocumentKind::ShipCertificate),
        None,
    )?;
    require_role(ctx, &actor, Role::MaritimeAdministration)?;
    let administration = organisation(&ctx.state, &actor)?;
    let existing = load_ship(&ctx.state, imo)?;
    let from_flag = existing.as_ref().map(|s| s.flag.clone());
    let country = administration.country.as_str();
    if country != to_flag && from_flag.as_deref() != Some(country) {
        return Err(RuleError::FlagMismatch(format!(
            "Administration `{actor}` ({country}) is of neither the old flag {} nor the new flag {to_flag}",
            from_flag.as_deref().unwrap_or("(none recorded)")
        ))
        .into());
    }
    if from_flag.as_deref() == Some(to_flag) {
        return Err(RuleError::NoChange.into());
    }
    check_effective_on(&administration, existing.as_ref(), ctx, effective_on)?;
    let stamp = Stamp::of(ctx, &actor)?;
    let mut ship = existing.unwrap_or_else(|| ShipRecord {
        imo_number: imo.to_string(),
        flag: to_flag.to_string(),
        flag_changes: Vec::new(),
        certificates: Vec::new(),
    });
    for reference in std::mem::take(&mut ship.certificates) {
        let mut cert = record::load(&ctx.state, &reference)?;
        if cert.closed().is_some() || Some(&cert.ship.flag) != from_flag.as_ref() {
            continue;
        }
        cert.status_events.push(StatusEvent {
            change: StatusChange::FlagChanged {
                to_flag: to_flag.to_string(),
                effective_on,
            },
            stamp: stamp.clone(),
        });
        cert.log(ActionKind::CertFlagChange, &stamp);
        record::store(&mut ctx.state, &cert);
    }
    if ship.flag_changes.len() >= MAX_FLAG_CHANGES {
        ship.flag_changes.remove(0);
    }
    ship.flag_changes.push(FlagChangeRecord {
        from_flag,
        to_flag: to_flag.to_string(),
        effective_on,
        stamp,
    });
    ship.flag = to_flag.to_string();
    ctx.state.put(keys::ship(imo), &ship);
    Ok(())
}

/// R387: `effective_on` is within a month of the actor's local day and after the last change.
fn check_effective_on(
    administration: &Organisation,
    ship: Option<&ShipRecord>,
    ctx: &EntryContext<'_>,
    effective_on: CalendarDate,
) -> ExecResult<()> {
    let today = administration.profile.zone.date_of(ctx.time);
    let earliest = CalendarDate(today.0.saturating_sub(MAX_FLAG_CHANGE_DAYS));
    let latest = CalendarDate(today.0.saturating_add(MAX_FLAG_CHANGE_DAYS));
    if effective_on < earliest || effective_on > latest {
        return Err(RuleError::InvalidDates(format!(
            "effective_on {effective_on} is not within {MAX_FLAG_CHANGE_DAYS} days of {today}"
        ))
        .into());
    }
    if let Some(last) = ship.and_then(|s| s.flag_changes.last())
        && effective_on <= last.effective_on
    {
        return Err(RuleError::InvalidDates(format!(
            "effective_on {effective_on} is not after the last change of flag on {}",
            last.effective_on
        ))
        .into());
    }
    Ok(())
}
