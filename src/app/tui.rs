//! The screen's shell: keys from the terminal in, the model drawn out, at a
//! coalesced pace (never one frame per chat message). Events are not
//! printed: the screen shows the model they changed.
//!
//! It owns the terminal's state: raw mode, the alternate screen, mouse
//! capture and the hidden cursor are taken in `run` and given back exactly
//! once, by whichever comes first: the end of the run (a quit, SIGTERM,
//! SIGHUP, SIGINT) or the panic hook.

use crate::app::driver::{self, Flush, Session, Shell};
use crate::app::event::Event;
use crate::app::model::Model;
use crate::app::msg::{Mouse, MouseKind, Msg};
use crossterm::event::{Event as TermEvent, EventStream, MouseButton, MouseEvent, MouseEventKind};
use futures_util::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::{DefaultTerminal, Terminal};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// The shortest time between two frames (about 40 frames a second at most).
const FRAME: Duration = Duration::from_millis(25);
/// How long quitting waits for the store to commit what is queued.
pub const FLUSH_ON_QUIT: Duration = Duration::from_secs(3);

/// Whether this process holds the terminal (raw mode, alternate screen).
static SCREEN_UP: AtomicBool = AtomicBool::new(false);

/// Raw mode on, the alternate screen and mouse capture; the first frame
/// hides the cursor.
fn take_terminal() -> std::io::Result<DefaultTerminal> {
    crossterm::terminal::enable_raw_mode()?;
    // Set before the alternate screen, so a setup that stops half way is undone too.
    SCREEN_UP.store(true, Ordering::SeqCst);
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::event::EnableMouseCapture
    )?;
    Terminal::new(CrosstermBackend::new(std::io::stdout()))
}

/// Gives the terminal back as the shell had it: raw mode off, mouse capture
/// off, the main screen, the cursor shown. Only the first call does
/// anything. Errors are only logged: after SIGHUP the terminal may be gone.
pub fn give_back_terminal() {
    if !SCREEN_UP.swap(false, Ordering::SeqCst) {
        return;
    }
    if let Err(error) = crossterm::terminal::disable_raw_mode() {
        tracing::debug!(%error, "raw mode could not be turned off");
    }
    // Mouse capture first: a shell left capturing gets escape codes for
    // every click and scroll.
    if let Err(error) = crossterm::execute!(
        std::io::stdout(),
        crossterm::event::DisableMouseCapture,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    ) {
        tracing::debug!(%error, "the terminal could not be given back");
    }
}

/// A line for the helper on stderr. A closed terminal is no reason to fail
/// (`eprintln!` would panic on it).
fn tell(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

struct TuiShell {
    /// `None` once the run is over and the terminal given back.
    terminal: Option<DefaultTerminal>,
    keys: EventStream,
    pacer: FramePacer,
    /// Input to hand the core before the terminal's (the size at start).
    queued: Option<Msg>,
}

/// A mouse event the core acts on: left clicks and the wheel.
fn mouse(event: MouseEvent) -> Option<Msg> {
    let kind = match event.kind {
        MouseEventKind::Down(MouseButton::Left) => MouseKind::Click,
        MouseEventKind::ScrollUp => MouseKind::WheelUp,
        MouseEventKind::ScrollDown => MouseKind::WheelDown,
        _ => return None,
    };
    Some(Msg::Mouse(Mouse {
        kind,
        column: event.column,
        row: event.row,
    }))
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
        if let Some(msg) = self.queued.take() {
            return Some(Ok(msg));
        }
        loop {
            return match self.keys.next().await? {
                Ok(TermEvent::Key(key)) => Some(Ok(Msg::Key(key))),
                Ok(TermEvent::Resize(width, height)) => Some(Ok(Msg::Resize { width, height })),
                Ok(TermEvent::Mouse(event)) => match mouse(event) {
                    Some(msg) => Some(Ok(msg)),
                    None => continue,
                },
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
        // The panic hook gave the terminal back (a panic outside the
        // screen's loop, e.g. in the chat source): drawing on would scribble
        // over the helper's shell and the panic's message.
        if !SCREEN_UP.load(Ordering::SeqCst) {
            anyhow::bail!("the screen stopped after an internal error (its message is above)");
        }
        if let Some(terminal) = self.terminal.as_mut() {
            if self.pacer.draw_now(Instant::now()) {
                terminal.draw(|frame| crate::ui::render(model, frame))?;
            }
        }
        Ok(())
    }

    fn wake_at(&self) -> Option<Instant> {
        self.pacer.wake_at()
    }

    fn bell(&mut self) {
        // BEL between frames; the terminal (or tmux) decides how it shows.
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(b"\x07").and_then(|()| out.flush());
    }

    fn leave(&mut self) {
        give_back_terminal();
        if let Some(mut terminal) = self.terminal.take() {
            // The cursor is shown already; telling ratatui keeps its drop
            // from trying again. If the terminal is gone that fails, and the
            // drop would print the failure to a closed stderr, which panics:
            // then the terminal is not dropped at all.
            if terminal.show_cursor().is_err() {
                std::mem::forget(terminal);
            }
        }
    }
}

/// Wraps the panic hook in place: a panic inside the engine's guard is only
/// logged, because the guard catches it and the screen goes on. Any other
/// panic gives the terminal back first (so its message lands on the main
/// screen, readable, and the shell is usable), then reaches the wrapped hook
/// as before; the screen stops at its next frame (see `present`).
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if crate::intent::in_guarded_parse() {
            tracing::error!(%info, "the intent engine panicked on a message");
        } else {
            give_back_terminal();
            previous(info);
        }
    }));
}

/// Runs the helper's screen until the helper quits or a signal stops it
/// (the session's stop switch: see `driver::StopSignals::Terminal`). The terminal
/// is given back on return and on panic; then the store gets a bounded time
/// to commit, and the helper hears on stderr if it did not.
pub async fn run(mut session: Session) -> anyhow::Result<()> {
    session.model.utc_offset_secs = chrono::Local::now().offset().local_minus_utc();
    // Before the terminal is taken, so a panic from here on gives it back.
    install_panic_hook();
    let terminal = match take_terminal() {
        Ok(terminal) => terminal,
        Err(error) => {
            // Setup may have stopped half way (raw mode on, no alternate screen).
            give_back_terminal();
            return Err(anyhow::Error::new(error).context("cannot set up the terminal"));
        }
    };
    // The core places the mouse on the screen's size, told from the start.
    let queued = match terminal.size() {
        Ok(size) => Some(Msg::Resize {
            width: size.width,
            height: size.height,
        }),
        Err(error) => {
            tracing::debug!(%error, "the terminal's size is not known yet");
            None
        }
    };
    let mut shell = TuiShell {
        terminal: Some(terminal),
        keys: EventStream::new(),
        pacer: FramePacer {
            dirty: true,
            last_draw: None,
        },
        queued,
    };
    let (ran, flush, model) = driver::run(session, &mut shell).await;
    if ran.is_ok() {
        // What the helper leaves behind, said once the screen is gone.
        tell(&crate::ui::i18n::quit_summary(&model));
    }
    // The terminal is back to normal, so stderr reaches the helper. Orders
    // shown as confirmed were committed before they showed; only detected
    // intents still queued can be at risk here.
    match flush {
        Flush::Done => {}
        Flush::Failed(error) => {
            tracing::warn!(%error, "store flush on quit failed");
            tell(&format!(
                "livestall: the last detected intents may not be saved: {error} \
                 (orders shown as confirmed are saved)"
            ));
        }
        Flush::TimedOut(within) => {
            tracing::warn!("store flush on quit timed out");
            tell(&format!(
                "livestall: the database did not answer within {} s; the last detected \
                 intents may not be saved (orders shown as confirmed are saved)",
                within.as_secs()
            ));
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
