//! Progress events: bytes done, rate and time left, computed from an injected elapsed time so
//! the arithmetic is testable.

use std::time::Duration;

/// A progress report for one file.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// Bytes stored so far (parts already on the server at resume count as done).
    pub bytes_done: u64,
    /// The file's size.
    pub bytes_total: u64,
    /// Bytes per second sent in this run (0 until something was sent).
    pub rate: f64,
    /// Estimated time left at that rate; `None` until a rate is known.
    pub eta: Option<Duration>,
}

/// Receives progress reports; called from upload tasks, so it must be quick.
pub type ProgressSink = std::sync::Arc<dyn Fn(Progress) + Send + Sync>;

/// Turns byte counts into [`Progress`] reports.
#[derive(Debug, Clone)]
pub struct ProgressMeter {
    total: u64,
    /// Bytes that were already done when this run started (not counted in the rate).
    resumed: u64,
}

impl ProgressMeter {
    /// A meter for a file of `total` bytes of which `resumed` were already stored.
    pub fn new(total: u64, resumed: u64) -> Self {
        Self { total, resumed }
    }

    /// The report when `done` bytes are stored, `elapsed` after this run started.
    pub fn report(&self, done: u64, elapsed: Duration) -> Progress {
        let sent = done.saturating_sub(self.resumed);
        let seconds = elapsed.as_secs_f64();
        let rate = if sent > 0 && seconds > 0.0 {
            sent as f64 / seconds
        } else {
            0.0
        };
        let eta = (rate > 0.0)
            .then(|| Duration::from_secs_f64(self.total.saturating_sub(done) as f64 / rate));
        Progress {
            bytes_done: done,
            bytes_total: self.total,
            rate,
            eta,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_and_eta_count_only_this_run() {
        let meter = ProgressMeter::new(100, 20);
        let start = meter.report(20, Duration::ZERO);
        assert_eq!(start.rate, 0.0);
        assert_eq!(start.eta, None);
        let later = meter.report(60, Duration::from_secs(4));
        assert_eq!(later.bytes_done, 60);
        assert_eq!(later.rate, 10.0);
        assert_eq!(later.eta, Some(Duration::from_secs(4)));
        let done = meter.report(100, Duration::from_secs(8));
        assert_eq!(done.eta, Some(Duration::ZERO));
    }
}
