//! The bounded in-memory log of webhook deliveries (`GET /v1/webhooks/deliveries`).

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

/// One delivery's outcome so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Subscription id.
    pub subscription: String,
    /// Event id.
    pub event: String,
    /// Target.
    pub url: String,
    /// Tries so far.
    pub attempts: u32,
    /// Last HTTP status, if any answer came.
    pub last_status: Option<u16>,
    /// `pending`, `delivered` or `failed`.
    pub state: &'static str,
}

/// The last deliveries, oldest dropped first.
#[derive(Debug)]
pub struct DeliveryLog {
    capacity: usize,
    items: Mutex<VecDeque<Delivery>>,
}

impl DeliveryLog {
    /// A log keeping at most `capacity` deliveries.
    pub fn new(capacity: usize) -> Self {
        DeliveryLog {
            capacity,
            items: Mutex::new(VecDeque::new()),
        }
    }

    /// The deliveries, oldest first.
    pub fn snapshot(&self) -> Vec<Delivery> {
        self.lock().iter().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Delivery>> {
        self.items
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds `d`, or updates the entry of the same subscription and event.
    pub(super) fn record(&self, d: &Delivery) {
        let mut items = self.lock();
        match items
            .iter_mut()
            .find(|x| x.event == d.event && x.subscription == d.subscription)
        {
            Some(x) => *x = d.clone(),
            None => {
                if items.len() >= self.capacity {
                    items.pop_front();
                }
                items.push_back(d.clone());
            }
        }
    }
}
