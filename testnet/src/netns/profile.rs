//! WAN profiles of `ebl-testnet up --netns --wan NAME` (R433): what each link between the two
//! groups adds. Within a group nodes share a bridge and nothing is added (a LAN).

use std::time::Duration;

/// A named WAN profile (`--wan`). Unknown names are refused by clap.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum WanProfile {
    /// China ↔ Singapore: 30–60 ms one way, 0.5 % loss each way.
    Corridor,
}

/// What a link between the groups does to each packet, one way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkShape {
    /// Least added delay.
    pub min_delay: Duration,
    /// Most added delay (each packet's delay is uniform in `min_delay..=max_delay`).
    pub max_delay: Duration,
    /// Probability that a packet is dropped (0.0–1.0).
    pub loss: f64,
}

impl WanProfile {
    /// The one-way shape of a link between the China and the Singapore group.
    pub fn shape(self) -> LinkShape {
        match self {
            // R433: the figures of issue 17 for a Shenzhen–Singapore path.
            WanProfile::Corridor => LinkShape {
                min_delay: Duration::from_millis(30),
                max_delay: Duration::from_millis(60),
                loss: 0.005,
            },
        }
    }

    /// Its name on the command line and in the state file.
    pub fn name(self) -> &'static str {
        match self {
            WanProfile::Corridor => "corridor",
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum as _;

    use super::*;

    #[test]
    fn the_corridor_adds_thirty_to_sixty_ms_one_way_and_half_a_percent_loss() {
        let shape = WanProfile::Corridor.shape();
        assert_eq!(shape.min_delay, Duration::from_millis(30));
        assert_eq!(shape.max_delay, Duration::from_millis(60));
        assert!((shape.loss - 0.005).abs() < f64::EPSILON);
    }

    #[test]
    fn only_known_profile_names_parse() {
        assert_eq!(
            WanProfile::from_str("corridor", false),
            Ok(WanProfile::Corridor)
        );
        assert!(WanProfile::from_str("moon", false).is_err());
    }
}
