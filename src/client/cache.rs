//! A token cache with single flight.
//!
//! Reads of a fresh token write no shared memory: the current token sits in
//! an `ArcSwapOption`, whose `load` borrows it through a per-thread slot
//! instead of touching the shared reference count, so threads reading one
//! client do not contend for a cache line. When the token is
//! missing or due for refresh, exactly one caller (the leader) runs the fetch
//! while every other caller waits for the leader's result — success or
//! error. Errors are handed to the waiters of that flight but never stored,
//! so the next call after a failure tries again.

use crate::error::{Error, ErrorKind, Result};
use arc_swap::ArcSwapOption;
use std::ops::Deref;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A cached value with the instant after which it is fetched again.
#[derive(Debug)]
pub struct Fresh<T> {
    /// The token.
    pub value: T,
    /// When the cache stops serving it (its lifetime less the refresh margin).
    pub refresh_at: Instant,
}

struct Flight<T> {
    outcome: Mutex<Option<Result<Arc<Fresh<T>>>>>,
    landed: Condvar,
}

/// A fresh cached value, borrowed from the cache.
pub struct Cached<T>(CachedRef<T>);

enum CachedRef<T> {
    Loaded(arc_swap::Guard<Option<Arc<Fresh<T>>>>),
    Owned(Arc<Fresh<T>>),
}

impl<T> Deref for Cached<T> {
    type Target = Fresh<T>;

    fn deref(&self) -> &Fresh<T> {
        match &self.0 {
            CachedRef::Loaded(guard) => guard.as_ref().expect("checked when loaded"),
            CachedRef::Owned(arc) => arc,
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Cached<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

pub(crate) struct SingleFlightCache<T> {
    current: ArcSwapOption<Fresh<T>>,
    flight: Mutex<Option<Arc<Flight<T>>>>,
}

impl<T> Default for SingleFlightCache<T> {
    fn default() -> Self {
        SingleFlightCache {
            current: ArcSwapOption::empty(),
            flight: Mutex::new(None),
        }
    }
}

/// Lands the flight with an error if the leader unwinds (a panic in the
/// fetch), so that no waiter blocks forever.
struct LandOnDrop<'a, T> {
    cache: &'a SingleFlightCache<T>,
    flight: Arc<Flight<T>>,
    landed: bool,
}

impl<T> LandOnDrop<'_, T> {
    fn land(&mut self, outcome: Result<Arc<Fresh<T>>>) {
        if let Ok(fresh) = &outcome {
            self.cache.current.store(Some(fresh.clone()));
        }
        *lock(&self.flight.outcome) = Some(outcome);
        // Clear the slot before waking waiters, so a caller that arrives
        // after this point sees the new token (or starts a new flight after
        // an error) instead of joining a finished one.
        *lock(&self.cache.flight) = None;
        self.flight.landed.notify_all();
        self.landed = true;
    }
}

impl<T> Drop for LandOnDrop<'_, T> {
    fn drop(&mut self) {
        if !self.landed {
            self.land(Err(Error::new(
                ErrorKind::Internal,
                "internal error in erpauth: the token fetch panicked",
            )));
        }
    }
}

fn lock<U>(m: &Mutex<U>) -> std::sync::MutexGuard<'_, U> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<T> SingleFlightCache<T> {
    fn fresh(&self, now: Instant) -> Option<Cached<T>> {
        let guard = self.current.load();
        match &*guard {
            Some(f) if now < f.refresh_at => Some(Cached(CachedRef::Loaded(guard))),
            _ => None,
        }
    }

    /// The cached value, or the result of one `fetch` shared by every
    /// caller that asks while it runs.
    pub fn get(&self, fetch: impl FnOnce() -> Result<Fresh<T>>) -> Result<Cached<T>> {
        if let Some(fresh) = self.fresh(Instant::now()) {
            return Ok(fresh);
        }
        let (flight, leader) = {
            let mut slot = lock(&self.flight);
            // A flight may have landed between the check above and the lock.
            if let Some(fresh) = self.fresh(Instant::now()) {
                return Ok(fresh);
            }
            match &*slot {
                Some(flight) => (flight.clone(), false),
                None => {
                    let flight = Arc::new(Flight {
                        outcome: Mutex::new(None),
                        landed: Condvar::new(),
                    });
                    *slot = Some(flight.clone());
                    (flight, true)
                }
            }
        };
        if leader {
            let mut guard = LandOnDrop {
                cache: self,
                flight: flight.clone(),
                landed: false,
            };
            guard.land(fetch().map(Arc::new));
        }
        let mut outcome = lock(&flight.outcome);
        while outcome.is_none() {
            outcome = flight
                .landed
                .wait(outcome)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        match outcome.as_ref().expect("landed") {
            Ok(fresh) => Ok(Cached(CachedRef::Owned(fresh.clone()))),
            Err(e) => Err(e.clone()),
        }
    }

    /// Whether a value is cached that `get` would still serve.
    pub fn holds_fresh(&self) -> bool {
        self.fresh(Instant::now()).is_some()
    }

    /// Whether a fetch is running.
    pub fn in_flight(&self) -> bool {
        lock(&self.flight).is_some()
    }

    /// Forgets the cached value; the next `get` fetches.
    pub fn invalidate(&self) {
        self.current.store(None);
    }

    /// Forgets the cached value only if `stale` says it is the one that was
    /// refused: a value another thread fetched meanwhile stays.
    pub fn invalidate_if(&self, stale: impl Fn(&T) -> bool) {
        let guard = self.current.load();
        if guard.as_ref().is_some_and(|fresh| stale(&fresh.value)) {
            // Only replaces what was loaded: a newer value stored between
            // the load and here is kept.
            self.current.compare_and_swap(&*guard, None);
        }
    }
}

/// When a token that lives `lifetime` from now must be fetched again: before
/// it ends by `margin`, but by no more than a tenth of its lifetime, so that
/// a short-lived token is still used for most of its life.
pub(crate) fn refresh_at(lifetime: Duration, margin: Duration) -> Instant {
    Instant::now() + lifetime - margin.min(lifetime / 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn one_fetch_for_many_threads_and_errors_are_not_cached() {
        let cache = Arc::new(SingleFlightCache::<String>::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (cache, fetches) = (cache.clone(), fetches.clone());
                std::thread::spawn(move || {
                    cache
                        .get(|| {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(100));
                            Ok(Fresh {
                                value: "t".to_string(),
                                refresh_at: Instant::now() + Duration::from_secs(60),
                            })
                        })
                        .unwrap()
                        .value
                        .clone()
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), "t");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);

        cache.invalidate();
        let err = cache
            .get(|| Err(Error::new(ErrorKind::Network, "down")))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Network);
        let again = cache.get(|| {
            Ok(Fresh {
                value: "u".to_string(),
                refresh_at: Instant::now() + Duration::from_secs(60),
            })
        });
        assert_eq!(again.unwrap().value, "u");
    }

    #[test]
    fn a_panicking_fetch_releases_waiters() {
        let cache = SingleFlightCache::<String>::default();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = cache.get(|| panic!("boom"));
        }));
        assert!(r.is_err());
        let ok = cache.get(|| {
            Ok(Fresh {
                value: "v".into(),
                refresh_at: Instant::now() + Duration::from_secs(1),
            })
        });
        assert_eq!(ok.unwrap().value, "v");
    }
}
