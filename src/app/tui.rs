//! The screen's shell: keys from the terminal in, the model drawn out, at a
//! coalesced pace (never one frame per chat message). Events are not
//! printed: the screen shows the model they changed.

use crate::app::driver::{self, Flush, Session, Shell};
use crate::app::event::Event;
use crate::app::model::Model;
use crate::app::msg::Msg;
use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use std::time::Duration;
use tokio::time::Instant;

/// The shortest time between two frames (about 40 frames a second at most).
const FRAME: Duration = Duration::from_millis(25);
/// How long quitting waits for the store to commit what is queued.
pub const FLUSH_ON_QUIT: Duration = Duration::from_secs(3);

struct TuiShell {
    terminal: ratatui::DefaultTerminal,
    keys: EventStream,
    pacer: FramePacer,
}

/// When to draw: only when the model changed, and never twice within `FRAME`.
#[derive(Debug, Default)]
struct FramePacer {
    dirty: bool,
    last_draw: Option<Instant>,
}

impl FramePacer {
    fn changed(&mut self) {
        self.dirty = true;
    }

    /// Whether to draw at `now`; if so, the frame counts as drawn.
    fn draw_now(&mut self, now: Instant) -> bool {
        let due = self.dirty && self.last_draw.is_none_or(|at| now >= at + FRAME);
        if due {
            self.dirty = false;
            self.last_draw = Some(now);
        }
        due
    }

    /// When a change not yet drawn may be drawn.
    fn wake_at(&self) -> Option<Instant> {
        match self.last_draw {
            Some(at) if self.dirty => Some(at + FRAME),
            // Never drawn: `draw_now` draws at once, so nothing to wait for.
            _ => None,
        }
    }
}

impl Shell for TuiShell {
    async fn input(&mut self) -> Option<anyhow::Result<Msg>> {
        loop {
            return match self.keys.next().await? {
                Ok(TermEvent::Key(key)) => Some(Ok(Msg::Key(key))),
                Ok(TermEvent::Resize(..)) => Some(Ok(Msg::Resize)),
                Ok(_) => continue,
                Err(error) => Some(Err(error.into())),
            };
        }
    }

    fn input_end_stops(&self) -> bool {
        true
    }

    fn chat_end_stops(&self) -> bool {
        false
    }

    fn publish(&mut self, _event: &Event) -> anyhow::Result<()> {
        Ok(())
    }

    fn changed(&mut self) {
        self.pacer.changed();
    }

    fn present(&mut self, model: &Model) -> anyhow::Result<()> {
        if self.pacer.draw_now(Instant::now()) {
            self.terminal
                .draw(|frame| crate::ui::render(model, frame))?;
        }
        Ok(())
    }

    fn wake_at(&self) -> Option<Instant> {
        self.pacer.wake_at()
    }

    fn leave(&mut self) {
        ratatui::restore();
    }
}

/// Wraps the panic hook in place (ratatui's, which gives the terminal back
/// and prints): a panic inside the engine's guard is only logged, because the
/// guard catches it and the screen goes on; any other panic reaches the
/// wrapped hook as before.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if crate::intent::in_guarded_parse() {
            tracing::error!(%info, "the intent engine panicked on a message");
        } else {
            previous(info);
        }
    }));
}

/// Runs the helper's screen until the helper quits or a signal stops it.
/// The terminal is restored on return and on panic; then the store gets a
/// bounded time to commit, and the helper hears on stderr if it did not.
pub async fn run(mut session: Session) -> anyhow::Result<()> {
    session.model.utc_offset_secs = chrono::Local::now().offset().local_minus_utc();
    let terminal = match ratatui::try_init() {
        Ok(terminal) => terminal,
        Err(error) => {
            // Setup may have stopped half way (raw mode on, no alternate screen).
            ratatui::restore();
            return Err(anyhow::Error::new(error).context("cannot set up the terminal"));
        }
    };
    install_panic_hook();
    let mut shell = TuiShell {
        terminal,
        keys: EventStream::new(),
        pacer: FramePacer {
            dirty: true,
            last_draw: None,
        },
    };
    let (ran, flush, _) = driver::run(session, &mut shell).await;
    // The terminal is back to normal, so stderr reaches the helper. Orders
    // shown as confirmed were committed before they showed; only detected
    // intents still queued can be at risk here.
    match flush {
        Flush::Done => {}
        Flush::Failed(error) => {
            tracing::warn!(%error, "store flush on quit failed");
            eprintln!(
                "livestall: the last detected intents may not be saved: {error} \
                 (orders shown as confirmed are saved)"
            );
        }
        Flush::TimedOut(within) => {
            tracing::warn!("store flush on quit timed out");
            eprintln!(
                "livestall: the database did not answer within {} s; the last detected \
                 intents may not be saved (orders shown as confirmed are saved)",
                within.as_secs()
            );
        }
    }
    ran
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_frame_is_drawn_at_once_and_later_ones_are_paced() {
        let start = Instant::now();
        let mut pacer = FramePacer::default();
        assert!(!pacer.draw_now(start), "nothing changed, nothing to draw");
        pacer.changed();
        assert_eq!(pacer.wake_at(), None);
        assert!(pacer.draw_now(start), "the first frame comes at once");
        assert!(!pacer.draw_now(start), "drawn already");
        pacer.changed();
        pacer.changed();
        assert_eq!(pacer.wake_at(), Some(start + FRAME));
        assert!(
            !pacer.draw_now(start + FRAME / 2),
            "too soon after the last"
        );
        assert!(pacer.draw_now(start + FRAME), "one frame for both changes");
        assert_eq!(pacer.wake_at(), None);
    }
}
