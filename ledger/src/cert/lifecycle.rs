//! SUSPEND, REINSTATE, WITHDRAW and SUPERSEDE (specs/protocol.md R75–R78).
//!
//! | stored standing | SUSPEND | REINSTATE | WITHDRAW | SUPERSEDE |
//! |---|---|---|---|---|
//! | in force (VALID, ENDORSEMENT_OVERDUE, NOT_YET_VALID) | SUSPENDED | WRONG_STATUS | WITHDRAWN | SUPERSEDED |
//! | EXPIRED (by date) | WRONG_STATUS | WRONG_STATUS | WITHDRAWN | SUPERSEDED |
//! | SUSPENDED | WRONG_STATUS | in force | WITHDRAWN | SUPERSEDED |
//! | WITHDRAWN, SUPERSEDED | DOCUMENT_CLOSED | DOCUMENT_CLOSED | DOCUMENT_CLOSED | DOCUMENT_CLOSED |

use crate::cert::CertificateRef;
use crate::cert::record::{self, CertificateRecord, Stamp, StatusChange, StatusEvent};
use crate::cert::status::CertificateStatus;
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::state::EntryContext;

fn record_change(
    ctx: &mut EntryContext<'_>,
    mut record: CertificateRecord,
    stamp: &Stamp,
    action: ActionKind,
    change: StatusChange,
) {
    record.status_events.push(StatusEvent {
        change,
        stamp: stamp.clone(),
    });
    record.log(action, stamp);
    record::store(&mut ctx.state, &record);
}

/// R75: SUSPEND a certificate that is in force: not already suspended, not expired.
pub fn suspend(
    ctx: &mut EntryContext<'_>,
    reference: &CertificateRef,
    reason: &str,
) -> ExecResult<()> {
    let (record, stamp) = super::rules::open_for(ctx, ActionKind::CertSuspend, reference)?;
    if record.is_suspended() {
        return Err(RuleError::WrongStatus(CertificateStatus::Suspended.code()).into());
    }
    if record.status_at(ctx.time) == CertificateStatus::Expired {
        return Err(RuleError::WrongStatus(CertificateStatus::Expired.code()).into());
    }
    let change = StatusChange::Suspended {
        reason: reason.to_string(),
    };
    record_change(ctx, record, &stamp, ActionKind::CertSuspend, change);
    Ok(())
}

/// R76: REINSTATE only a suspended certificate.
pub fn reinstate(ctx: &mut EntryContext<'_>, reference: &CertificateRef) -> ExecResult<()> {
    let (record, stamp) = super::rules::open_for(ctx, ActionKind::CertReinstate, reference)?;
    if !record.is_suspended() {
        return Err(RuleError::WrongStatus(record.status_at(ctx.time).code()).into());
    }
    record_change(
        ctx,
        record,
        &stamp,
        ActionKind::CertReinstate,
        StatusChange::Reinstated,
    );
    Ok(())
}

/// R77: WITHDRAW, final, from any standing that is not already closed.
pub fn withdraw(
    ctx: &mut EntryContext<'_>,
    reference: &CertificateRef,
    reason: &str,
) -> ExecResult<()> {
    let (record, stamp) = super::rules::open_for(ctx, ActionKind::CertWithdraw, reference)?;
    let change = StatusChange::Withdrawn {
        reason: reason.to_string(),
    };
    record_change(ctx, record, &stamp, ActionKind::CertWithdraw, change);
    Ok(())
}

/// R78: SUPERSEDE, final, by a certificate of the same Administration that is on the ledger
/// (UNKNOWN_CERTIFICATE), open (DOCUMENT_CLOSED), for the same ship (IMO number) and kind, and
/// that supersedes nothing yet (INVALID_FIELD). Both records are linked.
pub fn supersede(
    ctx: &mut EntryContext<'_>,
    reference: &CertificateRef,
    by_utn: &str,
) -> ExecResult<()> {
    let (mut old, stamp) = super::rules::open_for(ctx, ActionKind::CertSupersede, reference)?;
    let new_ref = CertificateRef {
        administration: old.reference.administration.clone(),
        utn: by_utn.to_string(),
    };
    let mut new = record::load(&ctx.state, &new_ref)?;
    if let Some(status) = new.closed() {
        return Err(RuleError::DocumentClosed(status).into());
    }
    if new.ship.imo_number != old.ship.imo_number {
        return Err(RuleError::invalid("by_utn", "the new certificate is for another ship").into());
    }
    if new.kind != old.kind {
        return Err(RuleError::invalid("by_utn", "the new certificate is of another kind").into());
    }
    if new.supersedes.is_some() {
        return Err(
            RuleError::invalid("by_utn", "the new certificate already supersedes another").into(),
        );
    }
    new.supersedes = Some(old.reference.clone());
    new.log(ActionKind::CertSupersede, &stamp);
    record::store(&mut ctx.state, &new);
    old.superseded_by = Some(new_ref.clone());
    let change = StatusChange::Superseded { by: new_ref };
    record_change(ctx, old, &stamp, ActionKind::CertSupersede, change);
    Ok(())
}
