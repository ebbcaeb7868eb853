//! The survey regime of each certificate kind: which periodic surveys keep it valid and when
//! (specs/protocol.md §6 "Survey regime per kind", R72, R79, R280–R283).
//!
//! Every regime is built on the same calendar: the anniversary windows of
//! [`CertificateRecord::annual_windows`]. A regime turns them into *requirements* (a survey of
//! one of some kinds dated in some windows); a certificate is ENDORSEMENT_OVERDUE once a
//! requirement's last window closed unmet, and an endorsement is accepted only where the regime
//! has a survey of its kind.

use crate::cert::status::EndorsementWindow;
use crate::cert::{CertificateKind, CertificateRecord, EndorsementKind};
use crate::time::CalendarDate;

use EndorsementKind::{Annual, Intermediate, Periodical};

/// How a certificate kind is kept valid between issue and renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SurveyRegime {
    /// ANNUAL survey in every anniversary window; an INTERMEDIATE survey in the 2nd or 3rd window
    /// takes the place of that annual one and is required (SOLAS I/10, MARPOL I reg. 6,
    /// MARPOL VI reg. 5; HSSC, Res. A.1156(32)).
    AnnualWithIntermediate,
    /// ANNUAL survey in every anniversary window; a PERIODICAL survey in the 2nd or 3rd window
    /// takes the place of that annual one and is required (SOLAS I/8).
    AnnualWithPeriodical,
    /// PERIODICAL survey in every anniversary window (SOLAS I/9: radio installations).
    PeriodicalEachYear,
    /// ANNUAL survey or verification in every anniversary window (Load Lines Art. 14(1)(c),
    /// ISM Code 13.4 for the DOC).
    AnnualOnly,
    /// At least one INTERMEDIATE verification; if only one, between the 2nd and 3rd anniversary
    /// (ISM Code 13.8 for the SMC, ISPS Code A/19.1.1.3 for the ISSC). More may be recorded
    /// anywhere in validity, as the Administration requires.
    IntermediateVerification,
    /// One INTERMEDIATE inspection between the 2nd and 3rd anniversary (MLC 2006 A5.1.3 §2).
    IntermediateInspection,
    /// No periodic endorsement: renewal only (registry, tonnage, safe manning; passenger ship
    /// safety certificates are renewed every 12 months, SOLAS I/7).
    RenewalOnly,
}

impl CertificateKind {
    /// R280: the survey regime of the kind (the table in specs/protocol.md §6).
    pub fn survey_regime(self) -> SurveyRegime {
        use CertificateKind::*;
        use SurveyRegime as R;
        match self {
            SafetyConstruction | Iopp | Iapp => R::AnnualWithIntermediate,
            SafetyEquipment => R::AnnualWithPeriodical,
            SafetyRadio => R::PeriodicalEachYear,
            LoadLine | Doc => R::AnnualOnly,
            Smc | Issc => R::IntermediateVerification,
            Mlc => R::IntermediateInspection,
            PassengerShipSafety | Registry | MinimumSafeManning | Tonnage => R::RenewalOnly,
        }
    }
}

impl SurveyRegime {
    /// Whether the regime has any survey of `kind` (RENEWAL is not periodic and is judged by
    /// R73 alone).
    pub fn has(self, kind: EndorsementKind) -> bool {
        use SurveyRegime as R;
        match self {
            R::AnnualWithIntermediate => matches!(kind, Annual | Intermediate),
            R::AnnualWithPeriodical => matches!(kind, Annual | Periodical),
            R::PeriodicalEachYear => kind == Periodical,
            R::AnnualOnly => kind == Annual,
            R::IntermediateVerification | R::IntermediateInspection => kind == Intermediate,
            R::RenewalOnly => false,
        }
    }
}

/// Why a periodic survey is refused (R72).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyRefusal {
    /// The kind's regime has no survey of this kind (`INVALID_FIELD`).
    NotInRegime,
    /// It has, but not on this date (`INVALID_DATES`).
    OutsideWindow,
}

/// A survey the regime requires: one of `kinds`, dated in one of `windows`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Where a survey counts, earliest first (the HSSC intermediate or periodical survey may
    /// fall in the 2nd or the 3rd anniversary window).
    pub windows: Vec<EndorsementWindow>,
    /// The survey kinds that meet it.
    pub kinds: &'static [EndorsementKind],
}

impl Requirement {
    fn one(window: EndorsementWindow, kinds: &'static [EndorsementKind]) -> Self {
        Requirement {
            windows: vec![window],
            kinds,
        }
    }

    /// The last day a survey still meets it (`None` only for a requirement without windows,
    /// which the regimes never build).
    pub fn closes(&self) -> Option<CalendarDate> {
        self.windows.iter().map(|w| w.closes).max()
    }

    /// Whether a survey of `kind` on `date` meets it.
    pub fn met_by(&self, kind: EndorsementKind, date: CalendarDate) -> bool {
        self.kinds.contains(&kind) && self.windows.iter().any(|w| w.contains(date))
    }
}

/// R281: the requirements of an HSSC regime: a survey in every anniversary window, the annual
/// one or, in the 2nd and 3rd windows, also the survey that replaces it (`annual_or_replacing`);
/// and the replacing survey (`replacing_only`) in the 2nd or 3rd window.
fn hssc(
    windows: &[EndorsementWindow],
    annual_or_replacing: &'static [EndorsementKind],
    replacing_only: &'static [EndorsementKind],
) -> Vec<Requirement> {
    let mut required: Vec<Requirement> = windows
        .iter()
        .enumerate()
        .map(|(index, window)| match index {
            1 | 2 => Requirement::one(*window, annual_or_replacing),
            _ => Requirement::one(*window, &[Annual]),
        })
        .collect();
    // R281: with a 2nd and a 3rd anniversary, one of their windows holds the replacing survey.
    if let [_, second, third, ..] = windows {
        required.push(Requirement {
            windows: vec![*second, *third],
            kinds: replacing_only,
        });
    }
    required
}

impl CertificateRecord {
    /// R282: the intermediate window of SMC, ISSC and MLC: from the 2nd anniversary date to the
    /// 3rd, both included; none when the certificate has no 3rd anniversary.
    pub fn intermediate_window(&self) -> Option<EndorsementWindow> {
        match self.annual_windows().as_slice() {
            [_, second, third, ..] => Some(EndorsementWindow {
                anniversary: third.anniversary,
                opens: second.anniversary,
                closes: third.anniversary,
            }),
            _ => None,
        }
    }

    /// R280–R282: the surveys the kind's regime requires, in no particular order.
    pub fn requirements(&self) -> Vec<Requirement> {
        use SurveyRegime as R;
        let windows = self.annual_windows();
        match self.kind.survey_regime() {
            R::AnnualWithIntermediate => hssc(&windows, &[Annual, Intermediate], &[Intermediate]),
            R::AnnualWithPeriodical => hssc(&windows, &[Annual, Periodical], &[Periodical]),
            R::PeriodicalEachYear => windows
                .iter()
                .map(|w| Requirement::one(*w, &[Periodical]))
                .collect(),
            R::AnnualOnly => windows
                .iter()
                .map(|w| Requirement::one(*w, &[Annual]))
                .collect(),
            R::IntermediateVerification | R::IntermediateInspection => self
                .intermediate_window()
                .map(|w| Requirement::one(w, &[Intermediate]))
                .into_iter()
                .collect(),
            R::RenewalOnly => Vec::new(),
        }
    }

    /// Whether a recorded survey meets `requirement`. Survey dates are facts about the ship, so
    /// a survey recorded late still counts for its window.
    pub fn met(&self, requirement: &Requirement) -> bool {
        self.endorsements
            .iter()
            .any(|e| requirement.met_by(e.endorsement.kind, e.endorsement.survey_date))
    }

    /// R72: whether a periodic survey of `kind` on `date` may be recorded: the regime has it
    /// and it meets one of the regime's requirements, or it is an additional ISM/ISPS
    /// intermediate verification (any date in validity, R71).
    pub fn accepts_survey(
        &self,
        kind: EndorsementKind,
        date: CalendarDate,
    ) -> Result<(), SurveyRefusal> {
        let regime = self.kind.survey_regime();
        if !regime.has(kind) {
            return Err(SurveyRefusal::NotInRegime);
        }
        if regime == SurveyRegime::IntermediateVerification {
            return Ok(());
        }
        if self.requirements().iter().any(|r| r.met_by(kind, date)) {
            Ok(())
        } else {
            Err(SurveyRefusal::OutsideWindow)
        }
    }
}
