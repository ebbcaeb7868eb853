//! What a flood reports (R213): per mode what was sent and what could not be, and the ids of a
//! few entries that must never become final.

use std::collections::BTreeMap;

use serde::Serialize;

use super::mix::Mode;

/// Ids of must-fail entries kept per mode for checking afterwards.
pub const SAMPLE_IDS: usize = 16;

/// Counts of one mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ModeCounts {
    /// Messages handed to gossipsub for at least one honest node.
    pub messages: u64,
    /// Entries in them (a junk message counts the entries of the batch it stands in for).
    pub entries: u64,
    /// Entries not sent: no honest node connected and subscribed, every send queue full, or
    /// nothing to make the message from (see `unsent_why`).
    pub unsent: u64,
    /// Entries sent while every node that had the flooder in its mesh when the flood began had
    /// pruned it (gossipsub prunes a peer it scores below zero and keeps it out for its prune
    /// backoff): scored down, most likely graylisted (R114), so dropped unjudged. An estimate:
    /// a node's score of a peer is not visible to the peer.
    pub penalised: u64,
}

/// The `flood` object of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FloodReport {
    /// The member organisation whose key the flooder used (`--as`).
    #[serde(rename = "as")]
    pub as_org: String,
    /// Offered entries per second, over all modes.
    pub rate: f64,
    /// Entries per message.
    pub batch: usize,
    /// Seconds the flood ran.
    pub duration_secs: f64,
    /// CPU the flooder used (its one thread: building, signing and sending messages), in
    /// percent of one core over `duration_secs`: on a shared machine, CPU the nodes lacked.
    pub cpu_percent: f64,
    /// Honest nodes dialled.
    pub nodes: usize,
    /// Honest nodes connected and subscribed when the flood began.
    pub peers_at_start: usize,
    /// Of those, nodes that had the flooder in their gossip mesh (the baseline of `penalised`).
    pub meshed_at_start: usize,
    /// Counts per mode (`forged`, `duplicate`, `stranger`, `junk`).
    pub modes: BTreeMap<Mode, ModeCounts>,
    /// Messages not sent, by reason (`NO_PEERS`, `QUEUES_FULL`, `NOTHING_TO_DUPLICATE`, …).
    pub unsent_why: BTreeMap<String, u64>,
    /// Times the flooder dialled an honest node again (it had disconnected, or pruned the
    /// flooder from its mesh).
    pub reconnects: u64,
    /// Ids (hex) of forged and stranger entries sent, at most [`SAMPLE_IDS`] per mode.
    pub must_fail: BTreeMap<Mode, Vec<String>>,
}

impl FloodReport {
    /// The counts of `mode`, created empty.
    pub fn mode(&mut self, mode: Mode) -> &mut ModeCounts {
        self.modes.entry(mode).or_default()
    }

    /// Records entries that must never become final, keeping the first [`SAMPLE_IDS`].
    pub fn sample(&mut self, mode: Mode, ids: impl IntoIterator<Item = String>) {
        let mut ids = ids.into_iter().peekable();
        if ids.peek().is_none() {
            return;
        }
        let kept = self.must_fail.entry(mode).or_default();
        kept.extend(ids.take(SAMPLE_IDS.saturating_sub(kept.len())));
    }

    /// Records a message not sent.
    pub fn unsent(&mut self, mode: Mode, entries: u64, why: &str) {
        self.mode(mode).unsent += entries;
        *self.unsent_why.entry(why.to_string()).or_default() += 1;
    }

    /// One line for the bench's text report (R213).
    pub fn line(&self) -> String {
        let per_mode = |f: fn(&ModeCounts) -> u64| -> String {
            self.modes
                .iter()
                .map(|(m, c)| format!("{} {}", m.name(), f(c)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let why = self
            .unsent_why
            .iter()
            .map(|(why, n)| format!(" {why} {n}"))
            .collect::<String>();
        format!(
            "flood as {} at {:.0}/s ({} per message, {}/{} nodes, cpu {:.0} %): sent {}; \
             unsent {} (messages:{}); penalised {}; reconnects {}\n",
            self.as_org,
            self.rate,
            self.batch,
            self.peers_at_start,
            self.nodes,
            self.cpu_percent,
            per_mode(|c| c.entries),
            per_mode(|c| c.unsent),
            if why.is_empty() { " none" } else { &why },
            per_mode(|c| c.penalised),
            self.reconnects,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_every_mode_sent_and_the_json_uses_mode_names() {
        let mut r = FloodReport {
            as_org: "BANK".into(),
            rate: 5_000.0,
            batch: 32,
            ..FloodReport::default()
        };
        r.mode(Mode::Forged).entries = 64;
        r.unsent(Mode::Duplicate, 32, "NOTHING_TO_DUPLICATE");
        let line = r.line();
        assert!(line.starts_with("flood as BANK at 5000/s"), "{line}");
        assert!(line.contains("sent forged 64, duplicate 0"), "{line}");
        let json = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(json["as"], "BANK");
        assert_eq!(json["modes"]["duplicate"]["unsent"], 32);
        assert_eq!(json["unsent_why"]["NOTHING_TO_DUPLICATE"], 1);
    }

    #[test]
    fn at_most_a_few_ids_are_kept_per_mode() {
        let mut r = FloodReport::default();
        r.sample(Mode::Forged, (0..40).map(|i| i.to_string()));
        r.sample(Mode::Forged, ["late".to_string()]);
        r.sample(Mode::Junk, Vec::new());
        assert_eq!(r.must_fail[&Mode::Forged].len(), SAMPLE_IDS);
        assert!(!r.must_fail.contains_key(&Mode::Junk));
    }
}
