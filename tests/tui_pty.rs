//! The real `livestall` screen on a pseudo-terminal (portable-pty; no
//! external program), its output read by a terminal emulator (vt100): it
//! starts on a chat relay served here, shows an intent, fixes its quantity
//! with `+`, confirms it on `y` (the database has the order), and on SIGTERM, or SIGHUP as when its
//! terminal is closed, ends with the terminal given back: the main screen,
//! the cursor shown, raw mode off. Where no pseudo-terminal can be made the
//! tests print a notice and pass.

#![cfg(unix)]

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

mod chat_server;
use chat_server::chat_server;

const CHAT: &[(&str, &str, &str)] = &[("m1", "李姐", "小米来两袋")];
const ROWS: u16 = 30;
const COLS: u16 = 100;
/// Generous: a debug build on a busy two-core machine.
const WAIT: Duration = Duration::from_secs(30);

const LEAVE_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
/// Mouse capture (button presses and the wheel) on, and off.
const MOUSE_ON: &[u8] = b"\x1b[?1000h";
const MOUSE_OFF: &[u8] = b"\x1b[?1000l";
/// ratatui hides the cursor at the end of every frame it draws.
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";

/// A chat relay on loopback and a shop whose config points at it.
struct Shop {
    _rt: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    config: PathBuf,
    db: PathBuf,
}

fn shop() -> Shop {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(chat_server(listener, CHAT));
    shop_on(rt, port)
}

/// A shop whose relay is not running: its port is closed.
fn shop_without_relay() -> Shop {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    shop_on(rt, port)
}

fn shop_on(rt: tokio::runtime::Runtime, port: u16) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let shop = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shop-small.toml"),
    )
    .unwrap()
    .replace(
        "ws://127.0.0.1:9/chat",
        &format!("ws://127.0.0.1:{port}/chat"),
    );
    let config = dir.path().join("shop.toml");
    std::fs::write(&config, shop).unwrap();
    let db = dir.path().join("orders.db");
    Shop {
        _rt: rt,
        dir,
        config,
        db,
    }
}

/// The binary running on a pseudo-terminal, everything it writes kept.
struct Screen {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    output: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
}

impl Screen {
    /// `None` (after a notice) where no pseudo-terminal can be made.
    fn start(shop: &Shop) -> Option<Screen> {
        let pair = match native_pty_system().openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        }) {
            Ok(pair) => pair,
            Err(error) => {
                eprintln!("notice: skipped, no pseudo-terminal can be made here: {error}");
                return None;
            }
        };
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_livestall"));
        command.args(["--config", shop.config.to_str().unwrap()]);
        command.args(["--db", shop.db.to_str().unwrap(), "--helper", "pty"]);
        command.cwd(shop.dir.path());
        command.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(command).expect("spawn livestall");
        // Only the child holds the terminal's other end, so reading ends
        // when it exits.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        let reader = std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = reader.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        Some(Screen {
            master: pair.master,
            writer,
            child,
            output,
            reader: Some(reader),
        })
    }

    fn bytes(&self) -> Vec<u8> {
        self.output.lock().unwrap().clone()
    }

    /// The terminal as a person would see it now.
    fn parsed(&self) -> vt100::Parser {
        let mut parser = emulator();
        parser.process(&self.bytes());
        parser
    }

    fn contents(&self) -> String {
        self.parsed().screen().contents()
    }

    /// Waits until the screen shows every one of `words`.
    fn wait_for(&self, words: &[&str]) {
        let deadline = Instant::now() + WAIT;
        loop {
            let shown = self.contents();
            if words.iter().all(|w| shown.contains(w)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {words:?}:\n{shown}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = self.child.process_id().expect("a running child") as libc::pid_t;
        // SAFETY: kill(2) with the pid of the child this test started.
        let sent = unsafe { libc::kill(pid, signal) };
        assert_eq!(sent, 0, "kill: {}", std::io::Error::last_os_error());
    }

    /// Waits for the run to end; its exit status, and all it wrote.
    fn ended(&mut self) -> (portable_pty::ExitStatus, Vec<u8>) {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the run did not end:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        if let Some(reader) = self.reader.take() {
            reader.join().expect("reader thread");
        }
        (status, self.bytes())
    }

    /// The terminal's line discipline as the run left it: whether it is
    /// back to lines with echo (raw mode off).
    fn cooked(&self) -> bool {
        let fd = self.master.as_raw_fd().expect("a unix pty");
        // SAFETY: tcgetattr fills the zeroed struct it is given; the fd is
        // the master this test holds open. On Linux the master reads the
        // settings of the terminal's other end.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut termios) }, 0);
        termios.c_lflag & libc::ICANON != 0 && termios.c_lflag & libc::ECHO != 0
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        // A failed test must not leave the binary running.
        let _ = self.child.kill();
    }
}

/// A terminal emulator the size of the pseudo-terminal.
fn emulator() -> vt100::Parser {
    let nonzero = |n| std::num::NonZeroU16::new(n).expect("a size");
    vt100::Parser::new(nonzero(ROWS), nonzero(COLS), 0)
}

fn last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// After the last frame, the alternate screen was left, mouse capture
/// switched off and the cursor shown, and raw mode is off; to a person, the
/// terminal is their shell's again (clicks and the wheel reach it).
fn assert_terminal_given_back(screen: &Screen, output: &[u8]) {
    let last_frame = last(output, HIDE_CURSOR).expect("at least one frame was drawn");
    assert!(last(output, MOUSE_ON).is_some(), "the mouse was captured");
    let released = last(output, MOUSE_OFF).expect("mouse capture was switched off");
    assert!(
        released > last_frame,
        "mouse capture was switched off before the last frame"
    );
    let left = last(output, LEAVE_ALTERNATE_SCREEN).expect("the alternate screen was left");
    let shown = last(output, SHOW_CURSOR).expect("the cursor was shown");
    assert!(
        left > last_frame,
        "the alternate screen was left before the last frame"
    );
    assert!(
        shown > last_frame,
        "the cursor was shown before the last frame"
    );
    let mut parser = emulator();
    parser.process(output);
    let terminal = parser.screen();
    assert!(
        !terminal.alternate_screen(),
        "still on the alternate screen"
    );
    assert!(!terminal.hide_cursor(), "the cursor is hidden");
    assert_eq!(
        terminal.mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "the mouse is still captured"
    );
    assert!(
        !terminal.contents().contains("待确认"),
        "the screen drew on the main screen:\n{}",
        terminal.contents()
    );
    assert!(screen.cooked(), "raw mode is still on");
}

#[test]
fn confirm_on_the_real_screen_then_sigterm_gives_the_terminal_back() {
    let shop = shop();
    let Some(mut screen) = Screen::start(&shop) else {
        return;
    };
    // The intent is in the inbox, selected (the only row).
    screen.wait_for(&["已连接", "李姐", "黄小米", "×2"]);
    assert!(!screen.cooked(), "the screen runs in raw mode");
    // The helper fixes the quantity before confirming: one bag more.
    screen.press("+");
    screen.wait_for(&["×3"]);
    screen.press("y");
    let deadline = Instant::now() + WAIT;
    let order = loop {
        // Read-only, beside the running screen (WAL).
        if let Ok(reader) = livestall::store::Reader::open(&shop.db) {
            if let Some(order) = reader.orders().unwrap_or_default().into_iter().next() {
                break order;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no order in the database:\n{}",
            screen.contents()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        (order.sku.as_str(), order.qty, order.status.as_str()),
        ("MILLET", 3, "confirmed")
    );
    assert_eq!(order.helper, "pty");
    assert_eq!(order.user, "李姐");

    screen.signal(libc::SIGTERM);
    let (status, output) = screen.ended();
    assert!(status.success(), "{status:?}");
    assert_terminal_given_back(&screen, &output);
    // Back on the main screen, the run says what it leaves behind.
    let mut parser = emulator();
    parser.process(&output);
    assert!(
        parser.screen().contents().contains("本场确认 1 单"),
        "{}",
        parser.screen().contents()
    );
}

/// A terminal that is closed sends SIGHUP: the screen ends as on a quit.
#[test]
fn sighup_gives_the_terminal_back() {
    let shop = shop();
    let Some(mut screen) = Screen::start(&shop) else {
        return;
    };
    screen.wait_for(&["已连接", "李姐"]);
    screen.signal(libc::SIGHUP);
    let (status, output) = screen.ended();
    assert!(status.success(), "{status:?}");
    assert_terminal_given_back(&screen, &output);
}

/// The first run with the relay not running: the screen says it has not
/// connected, why, where and what to do; q still quits cleanly.
#[test]
fn a_relay_that_is_not_running_is_explained_and_q_quits() {
    let shop = shop_without_relay();
    let Some(mut screen) = Screen::start(&shop) else {
        return;
    };
    screen.wait_for(&[
        "✗ 拒绝连接 ws://127.0.0.1:",
        "还没连上弹幕",
        "弹幕中转程序开着吗",
        "shop.toml 里的 [source] url",
    ]);
    screen.press("q");
    let (status, output) = screen.ended();
    assert!(status.success(), "{status:?}");
    assert_terminal_given_back(&screen, &output);
}
