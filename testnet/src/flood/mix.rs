//! What a hostile member floods with (R211): the four kinds of message, taken round-robin.

use serde::Serialize;

/// One kind of flood message (R211). Every message is a gossip batch (R110) of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Well-formed entries of real registered signers, at their next sequence numbers, with
    /// well-formed signatures made by another key.
    Forged,
    /// Entries already committed or gossiped by honest nodes, with other signature bytes.
    Duplicate,
    /// Entries signed by fresh, unregistered keys, acting for a member that granted nothing.
    Stranger,
    /// Random bytes where a batch belongs.
    Junk,
}

impl Mode {
    /// Every mode, in report order.
    pub const ALL: [Mode; 4] = [Mode::Forged, Mode::Duplicate, Mode::Stranger, Mode::Junk];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Forged => "forged",
            Mode::Duplicate => "duplicate",
            Mode::Stranger => "stranger",
            Mode::Junk => "junk",
        }
    }
}

/// The modes of a flood, each used in turn (R211: message `j` is of mode `j mod n`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mix {
    modes: Vec<Mode>,
    next: usize,
}

impl Mix {
    /// The mix of `modes` in the given order, each once; `None` when empty.
    pub fn new(modes: &[Mode]) -> Option<Self> {
        let mut unique: Vec<Mode> = Vec::with_capacity(Mode::ALL.len());
        for m in modes {
            if !unique.contains(m) {
                unique.push(*m);
            }
        }
        (!unique.is_empty()).then_some(Mix {
            modes: unique,
            next: 0,
        })
    }

    /// The modes, in turn order.
    pub fn modes(&self) -> &[Mode] {
        &self.modes
    }

    /// The mode of the next message.
    pub fn next_mode(&mut self) -> Mode {
        let mode = self.modes.get(self.next).copied().unwrap_or(Mode::Junk);
        self.next = (self.next + 1) % self.modes.len().max(1);
        mode
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_take_turns_in_the_order_given_each_once() {
        let mut mix = Mix::new(&[Mode::Junk, Mode::Forged, Mode::Junk]).unwrap_or_else(|| {
            panic!("a mix of two modes");
        });
        assert_eq!(mix.modes(), &[Mode::Junk, Mode::Forged]);
        let turns: Vec<Mode> = (0..5).map(|_| mix.next_mode()).collect();
        assert_eq!(
            turns,
            vec![
                Mode::Junk,
                Mode::Forged,
                Mode::Junk,
                Mode::Forged,
                Mode::Junk
            ]
        );
    }

    #[test]
    fn an_empty_mix_is_refused() {
        assert!(Mix::new(&[]).is_none());
    }
}
