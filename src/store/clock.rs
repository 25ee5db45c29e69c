//! The time the log stamps on events, and the date the rules take as "today".
//!
//! It is the server's clock, except while a scenario is loaded on its own dates (the demo's
//! conference sat 23–27 November, whatever day it is loaded): then the clock reads a set time
//! that moves on with real time. Every event recorded meanwhile says so in its metadata
//! ([`SIMULATED`]), so an auditor can tell a scenario's dates from a real command's.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

/// The metadata key, and its value, on events recorded under a simulated clock.
pub const SIMULATED: (&str, &str) = ("clock", "simulated");

/// Shared by the store's writer and the application; cloning shares the setting.
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<Setting>);

#[derive(Debug, Default)]
struct Setting {
    simulated: AtomicBool,
    /// Simulated minus system time, in microseconds.
    offset_us: AtomicI64,
}

impl Clock {
    /// Microseconds since the Unix epoch.
    pub fn now_us(&self) -> i64 {
        let now = super::now_us();
        if self.is_simulated() {
            now + self.0.offset_us.load(Ordering::Acquire)
        } else {
            now
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.now_us()).unwrap_or_default()
    }

    /// The UTC date, for rules that need "today".
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// From now on the clock reads `at`, moving on with real time. Only for loading scenarios
    /// and for tests; nothing a client sends can call it.
    pub fn simulate(&self, at: DateTime<Utc>) {
        let offset = at.timestamp_micros() - super::now_us();
        self.0.offset_us.store(offset, Ordering::Release);
        self.0.simulated.store(true, Ordering::Release);
    }

    /// Back to the server's clock.
    pub fn system(&self) {
        self.0.simulated.store(false, Ordering::Release);
        self.0.offset_us.store(0, Ordering::Release);
    }

    pub fn is_simulated(&self) -> bool {
        self.0.simulated.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulated_clock_moves_on_from_the_time_set_and_goes_back() {
        let clock = Clock::default();
        assert!(!clock.is_simulated());
        let system = clock.now_us();
        assert!((system - super::super::now_us()).abs() < 5_000_000);

        let at: DateTime<Utc> = "2026-11-24T14:00:00Z".parse().unwrap();
        let shared = clock.clone();
        shared.simulate(at);
        assert!(clock.is_simulated());
        assert_eq!(clock.today().to_string(), "2026-11-24");
        let first = clock.now_us();
        assert!(first >= at.timestamp_micros() && first < at.timestamp_micros() + 5_000_000);
        assert!(clock.now_us() >= first, "it moves on, never back");

        clock.system();
        assert!(!shared.is_simulated());
        assert!(shared.now_us() >= system);
    }
}
