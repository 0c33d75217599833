//! The clock: the current time in milliseconds, and the process-wide
//! timestamp that never repeats (Weaver signs).

use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch (0 if the clock is before 1970).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

static LAST_TIMESTAMP_MS: AtomicI64 = AtomicI64::new(0);

/// The current time in milliseconds, but strictly greater than every value
/// returned before in this process. The e9 server refuses a sign it has seen,
/// so two signs made in the same millisecond (two threads, or a quick retry)
/// must still differ; when calls outrun the clock the value runs a little
/// ahead of it, well inside the server's five-minute window.
pub fn unique_timestamp_ms() -> i64 {
    let now = now_ms();
    let mut last = LAST_TIMESTAMP_MS.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST_TIMESTAMP_MS.compare_exchange_weak(
            last,
            next,
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_strictly_increase() {
        let mut prev = unique_timestamp_ms();
        for _ in 0..10_000 {
            let next = unique_timestamp_ms();
            assert!(next > prev);
            prev = next;
        }
    }
}
