//! The screen's panic hook (its own test binary: panic hooks are global to
//! a process). A panic the engine's guard catches must not reach the hook
//! that gives the terminal back, or the screen would go on drawing into a
//! restored terminal; any other panic must.

use livestall::catalog::Catalog;
use livestall::intent::Engine;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[test]
fn guarded_engine_panics_skip_the_terminal_hook_and_others_do_not() {
    let outer_calls = Arc::new(AtomicUsize::new(0));
    let seen = outer_calls.clone();
    // Stands in for the hook found in place (the default one, which prints
    // the message after the screen's hook gave the terminal back).
    std::panic::set_hook(Box::new(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    }));
    livestall::app::tui::install_panic_hook();

    let engine = Engine::new(&Catalog::new(vec![])).failing_on("炸");
    let mut out = Vec::new();
    assert!(
        !engine.parse_guarded("炸", None, &mut out),
        "the guard caught it"
    );
    assert_eq!(outer_calls.load(Ordering::SeqCst), 0);
    assert!(
        engine.parse_guarded("你好", None, &mut out),
        "the next read is fine"
    );

    let other = std::panic::catch_unwind(|| panic!("a bug elsewhere"));
    assert!(other.is_err());
    assert_eq!(outer_calls.load(Ordering::SeqCst), 1);
    let _ = std::panic::take_hook();
}
