//! The wall clock, read in one place: Unix milliseconds.

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
