//! The bounded set of recently seen message ids that keeps a relay's replayed
//! history (common after a reconnect) from reaching the app twice.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

/// Ids remembered by the websocket source by default: far more than a relay
/// replays after a reconnect, small enough (~1 MB) to never matter.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// A fixed-capacity set of ids with first-in-first-out eviction.
/// Insert and lookup are O(1); the oldest id is forgotten when full.
#[derive(Debug, Clone)]
pub struct RecentIds {
    capacity: usize,
    set: HashSet<Arc<str>>,
    order: VecDeque<Arc<str>>,
}

impl RecentIds {
    /// A capacity of 0 is raised to 1 so the set always remembers the last id.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        RecentIds {
            capacity,
            set: HashSet::with_capacity(capacity),
            order: VecDeque::with_capacity(capacity),
        }
    }

    /// Records `id`; returns true when it was not among the recent ids (deliver
    /// it), false when it was (a duplicate to drop).
    pub fn insert(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() == self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.set.remove(&oldest);
            }
        }
        let id: Arc<str> = Arc::from(id);
        self.set.insert(Arc::clone(&id));
        self.order.push_back(id);
        true
    }

    pub fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

impl Default for RecentIds {
    fn default() -> Self {
        RecentIds::new(DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_rejected_until_evicted() {
        let mut ids = RecentIds::new(3);
        assert!(ids.insert("a"));
        assert!(!ids.insert("a"));
        assert!(ids.insert("b"));
        assert!(ids.insert("c"));
        assert_eq!(ids.len(), 3);
        // "d" evicts the oldest, "a"; "b" and "c" are still remembered.
        assert!(ids.insert("d"));
        assert_eq!(ids.len(), 3);
        assert!(!ids.contains("a"));
        assert!(!ids.insert("b"));
        assert!(!ids.insert("c"));
        assert!(ids.insert("a"));
    }

    #[test]
    fn zero_capacity_still_remembers_the_last_id() {
        let mut ids = RecentIds::new(0);
        assert!(ids.insert("x"));
        assert!(!ids.insert("x"));
        assert!(ids.insert("y"));
        assert!(ids.insert("x"));
    }
}
