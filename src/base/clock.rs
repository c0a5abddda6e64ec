//! The one clock every time-dependent behaviour of the emulated service reads: token expiry,
//! rate windows, `Retry-After`, `meta.lastModified`, `read-lag` durations and journal timestamps.
//!
//! What a scenario does to the wire in time (`delay`, `hang`, `dribble` intervals) runs in real
//! time instead, on purpose: it stands for network latency, which the client under test measures
//! with its own wall-clock timeouts, and a frozen mock clock must not hang a request forever.
//!
//! It runs in real time by default. Tests and the admin API can freeze it, set it, or advance it,
//! so a client's 60-second backoff can be checked in milliseconds: advancing the clock refills
//! rate buckets and expires tokens exactly as the same amount of real time would.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use parking_lot::Mutex;

/// A controllable clock. Cloning shares the same clock.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    inner: Arc<Mutex<State>>,
}

#[derive(Debug)]
enum State {
    /// Real time plus an offset that `advance` and `set` adjust.
    Running { offset: Duration },
    /// Stopped at an instant until resumed.
    Frozen { at: DateTime<Utc> },
}

/// What `GET /__admin/clock` reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ClockStatus {
    pub now: String,
    pub frozen: bool,
}

impl Default for Clock {
    fn default() -> Self {
        Self::real()
    }
}

impl Clock {
    /// A clock that follows real time.
    pub(crate) fn real() -> Self {
        Self {
            inner: Arc::new(Mutex::new(State::Running {
                offset: Duration::zero(),
            })),
        }
    }

    /// A clock frozen at `at`.
    pub(crate) fn frozen(at: DateTime<Utc>) -> Self {
        Self {
            inner: Arc::new(Mutex::new(State::Frozen { at })),
        }
    }

    /// Parses a `--clock` spec: `real`, or `frozen:<RFC3339>`.
    pub(crate) fn from_spec(spec: &str) -> Result<Self, String> {
        if spec.eq_ignore_ascii_case("real") {
            return Ok(Self::real());
        }
        match spec.split_once(':') {
            Some((mode, at)) if mode.eq_ignore_ascii_case("frozen") => {
                let at = parse_time(at)?;
                Ok(Self::frozen(at))
            }
            _ => Err(format!(
                "unknown clock spec {spec:?}; expected `real` or `frozen:<RFC3339>` (e.g. frozen:2026-01-01T00:00:00Z)"
            )),
        }
    }

    /// The current time. A running clock stops at [`latest`]: RFC 3339 writes four-digit
    /// years, and every time the mock reports must be one it can write.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        match &*self.inner.lock() {
            State::Running { offset } => Utc::now()
                .checked_add_signed(*offset)
                .map_or_else(latest, |t| t.min(latest())),
            State::Frozen { at } => *at,
        }
    }

    /// Milliseconds since the Unix epoch, for arithmetic on deadlines.
    pub(crate) fn now_millis(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub(crate) fn advance(&self, by: Duration) {
        match &mut *self.inner.lock() {
            State::Running { offset } => *offset += by,
            State::Frozen { at } => *at += by,
        }
    }

    /// Sets the clock to `to`, keeping it frozen or running as it was.
    pub(crate) fn set(&self, to: DateTime<Utc>) {
        match &mut *self.inner.lock() {
            State::Running { offset } => *offset = to - Utc::now(),
            State::Frozen { at } => *at = to,
        }
    }

    /// Stops the clock at the current time.
    pub(crate) fn freeze(&self) {
        let now = self.now();
        *self.inner.lock() = State::Frozen { at: now };
    }

    /// Lets a frozen clock run again from where it stands.
    pub(crate) fn resume(&self) {
        let mut state = self.inner.lock();
        if let State::Frozen { at } = &*state {
            let offset = *at - Utc::now();
            *state = State::Running { offset };
        }
    }

    /// Whether the clock is frozen.
    pub(crate) fn is_frozen(&self) -> bool {
        matches!(&*self.inner.lock(), State::Frozen { .. })
    }

    /// A snapshot for the admin API.
    pub(crate) fn status(&self) -> ClockStatus {
        ClockStatus {
            now: format_time(self.now()),
            frozen: self.is_frozen(),
        }
    }
}

/// The last millisecond RFC 3339 can write: 9999-12-31T23:59:59.999Z. A running clock stops
/// there; `POST /__admin/clock` refuses to move past it.
pub(crate) fn latest() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(253_402_300_799_999).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Formats a time the way Genesys writes `lastModified`: `yyyy-MM-ddTHH:mm:ss.SSSZ`.
pub(crate) fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an RFC 3339 time.
pub(crate) fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("invalid RFC 3339 time {text:?}: {e}"))
}

/// Parses a duration such as `61s`, `1500ms`, `2m`, `1h`, `1d` (an integer and a unit).
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(text.len());
    let (num, unit) = text.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| format!("invalid duration {text:?}: expected e.g. 61s, 500ms, 2m, 1h"))?;
    let d = match unit {
        "ms" => Duration::try_milliseconds(n),
        "s" | "" => Duration::try_seconds(n),
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        _ => None,
    };
    d.ok_or_else(|| format!("invalid duration {text:?}: unit must be ms, s, m, h or d"))
}

/// A monotonic stopwatch for measuring how long a request took (journal timings). Not
/// affected by the controllable clock on purpose: timings describe the server, not the scenario.
pub(crate) fn stopwatch() -> Instant {
    Instant::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_told() {
        let c = Clock::from_spec("frozen:2026-01-01T00:00:00Z").unwrap();
        let t0 = c.now();
        assert_eq!(c.now(), t0);
        c.advance(parse_duration("61s").unwrap());
        assert_eq!(c.now() - t0, Duration::seconds(61));
        assert_eq!(format_time(c.now()), "2026-01-01T00:01:01.000Z");
    }

    #[test]
    fn running_clock_can_be_offset_frozen_and_resumed() {
        let c = Clock::real();
        c.advance(Duration::hours(1));
        assert!(c.now() > Utc::now() + Duration::minutes(59));
        c.freeze();
        assert!(c.is_frozen());
        let t = c.now();
        c.resume();
        assert!(!c.is_frozen());
        assert!(c.now() >= t);
    }

    #[test]
    fn a_running_clock_stops_at_the_last_millisecond_rfc_3339_writes() {
        assert_eq!(format_time(latest()), "9999-12-31T23:59:59.999Z");
        let c = Clock::real();
        c.set(latest() - Duration::milliseconds(1));
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(c.now(), latest());
        c.advance(Duration::days(1));
        assert_eq!(format_time(c.now()), "9999-12-31T23:59:59.999Z");
    }

    #[test]
    fn bad_specs_are_explained() {
        assert!(
            Clock::from_spec("sometimes")
                .unwrap_err()
                .contains("frozen:")
        );
        assert!(Clock::from_spec("frozen:yesterday").is_err());
        assert!(parse_duration("5 fortnights").is_err());
        assert_eq!(
            parse_duration("1500ms").unwrap(),
            Duration::milliseconds(1500)
        );
    }
}
