//! The board following a real database: it reads what `Store` committed,
//! sees a later commit from another connection on its next look (whether
//! the database was open elsewhere when the board started or not), and
//! never writes: no byte of the database changes and no file appears.

mod common;
use common::snapshot;
use futures_util::{stream, StreamExt};
use livestall::catalog::{Catalog, Product};
use livestall::commands::board::{product_on_air, BoardFeed, BoardSettings};
use livestall::config::Language;
use livestall::intent::IntentKind;
use livestall::store::{wait, ConfirmRequest, IntentKey, NewIntent, SaleStart, Store};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn product(sku: &str, name: &str, link: u32, price_fen: i64, stock: i64) -> Product {
    Product {
        sku: sku.into(),
        name: name.into(),
        aliases: vec![],
        link,
        unit: "袋".into(),
        price_fen,
        stock,
        limit_per_buyer: None,
    }
}

fn catalog() -> Catalog {
    Catalog::new(vec![
        product("MILLET", "武乡小米", 1, 3990, 100),
        product("WALNUT", "薄皮核桃", 2, 3500, 50),
    ])
}

/// Records and confirms an order, committed before it returns.
fn order(store: &Store, msg_id: &str, user: &str, sku: &str, qty: u32) {
    let key = IntentKey {
        msg_id: msg_id.into(),
        index: 0,
    };
    store.record_intents(vec![NewIntent {
        key: key.clone(),
        source: "json".into(),
        user: user.into(),
        user_id: None,
        text: "来两袋".into(),
        kind: IntentKind::Order,
        sku: Some(sku.into()),
        qty: Some(qty),
        confidence: 0.9,
        received_at_ms: 1,
        note: None,
    }]);
    wait(store.confirm(ConfirmRequest {
        key,
        kind: IntentKind::Order,
        user: user.into(),
        user_id: None,
        sku: Some(sku.into()),
        qty: Some(qty),
        helper: "tester".into(),
    }))
    .unwrap();
}

fn shop(dir: &Path) -> (PathBuf, Store) {
    let db = dir.join("shop.db");
    let (store, _) = Store::open(&db, &catalog()).unwrap();
    order(&store, "m1", "李姐", "MILLET", 2);
    order(&store, "m2", "Tom", "WALNUT", 1);
    order(&store, "m3", "北京吃货", "MILLET", 3);
    (db, store)
}

fn settings(db: &Path) -> BoardSettings {
    BoardSettings {
        database: db.to_path_buf(),
        language: Language::Zh,
        shop_name: None,
    }
}

#[test]
fn the_board_reads_a_store_and_follows_its_next_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (db, store) = shop(dir.path());
    let mut feed = BoardFeed::open(&db).unwrap();

    let data = feed.data();
    let buyers: Vec<_> = data.recent.iter().map(|o| o.user.as_str()).collect();
    assert_eq!(buyers, ["北京吃货", "Tom", "李姐"], "newest first");
    assert_eq!(data.orders, 3);
    let on_air = product_on_air(data).unwrap();
    assert_eq!((on_air.sku.as_str(), on_air.stock), ("MILLET", 95));
    let view = feed.view(&settings(&db), 0, 0);
    assert_eq!(view.revenue_fen, 5 * 3990 + 3500);
    assert_eq!(view.on_air.as_ref().unwrap().unit, "袋");

    assert!(!feed.poll(), "nothing committed, nothing read");

    // Another connection (the store's thread) commits: the next look sees it.
    order(&store, "m4", "阿强", "MILLET", 4);
    assert!(feed.poll());
    let data = feed.data();
    assert_eq!(data.recent[0].user, "阿强");
    assert_eq!(data.orders, 4);
    assert_eq!(product_on_air(data).unwrap().stock, 91);

    wait(store.start_sale(SaleStart {
        sku: "MILLET".into(),
        qty: 20,
        price_fen: 1990,
        minutes: 10,
        helper: "tester".into(),
    }))
    .unwrap();
    assert!(feed.poll());
    let sale = feed.view(&settings(&db), livestall::clock::now_ms(), 0);
    let sale = sale.on_air.unwrap().sale.unwrap();
    assert_eq!((sale.price_fen, sale.left), (1990, 20));
    assert!(feed.trouble().is_none());
}

#[test]
fn a_board_started_before_the_screen_follows_it_once_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let (db, store) = shop(dir.path());
    drop(store);
    assert_eq!(
        snapshot(dir.path()).len(),
        1,
        "closed cleanly: the file alone"
    );
    // Nobody has the database open: the board reads the file as it is.
    let mut feed = BoardFeed::open(&db).unwrap();
    assert_eq!(feed.data().orders, 3);

    let (store, _) = Store::open(&db, &catalog()).unwrap();
    order(&store, "m4", "阿强", "WALNUT", 1);
    assert!(feed.poll(), "the commit of a screen opened later is seen");
    assert_eq!(feed.data().recent[0].user, "阿强");
    assert!(!feed.poll());
    order(&store, "m5", "梅梅", "WALNUT", 2);
    assert!(feed.poll());
    assert_eq!(feed.data().orders, 5);
}

#[test]
fn the_on_air_guess_follows_what_most_recent_orders_are_for() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let (store, _) = Store::open(&db, &catalog()).unwrap();
    let mut feed = BoardFeed::open(&db).unwrap();
    assert_eq!(
        product_on_air(feed.data()).unwrap().sku,
        "MILLET",
        "no orders: the first in queue order"
    );
    order(&store, "m1", "李姐", "WALNUT", 1);
    feed.poll();
    assert_eq!(product_on_air(feed.data()).unwrap().sku, "WALNUT");
    order(&store, "m2", "Tom", "MILLET", 1);
    feed.poll();
    assert_eq!(
        product_on_air(feed.data()).unwrap().sku,
        "MILLET",
        "a tie goes to the newest"
    );
    order(&store, "m3", "阿强", "MILLET", 1);
    order(&store, "m4", "梅梅", "MILLET", 1);
    order(&store, "m5", "兰兰", "WALNUT", 1);
    feed.poll();
    assert_eq!(
        product_on_air(feed.data()).unwrap().sku,
        "MILLET",
        "one order of another link does not swap the board"
    );
    order(&store, "m6", "小王", "WALNUT", 1);
    order(&store, "m7", "老张", "WALNUT", 1);
    feed.poll();
    assert_eq!(
        product_on_air(feed.data()).unwrap().sku,
        "WALNUT",
        "three in a row follow a switch"
    );
    // Once a helper's screen puts a product on air, the board shows that,
    // whatever the orders say.
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    store.submit(
        livestall::store::StoreJob::SetOnAir {
            sku: "MILLET".into(),
            helper: "小王".into(),
        },
        &tx,
    );
    store.submit(livestall::store::StoreJob::Flush, &tx);
    assert!(matches!(
        rx.blocking_recv(),
        Some(livestall::store::StoreEvent::Flushed(Ok(())))
    ));
    feed.poll();
    assert_eq!(product_on_air(feed.data()).unwrap().sku, "MILLET");
}

/// The board's own loop, on a TestBackend for a few looks: the folder holds
/// the same bytes after as before.
/// What the terminal shows, as text: the cell after a wide character
/// holds nothing of its own.
fn drawn(terminal: &Terminal<TestBackend>) -> String {
    let mut drawn = String::new();
    let mut hidden = false;
    for cell in &terminal.backend().buffer().content {
        if !std::mem::take(&mut hidden) {
            drawn.push_str(cell.symbol());
            hidden = unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1;
        }
    }
    drawn
}

/// A runtime for the board's loop (the store's blocking `wait` must not run on one).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn the_board_changes_no_byte_and_creates_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let (db, store) = shop(dir.path());
    drop(store);
    let before = snapshot(dir.path());

    let mut feed = BoardFeed::open(&db).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let keys = stream::pending::<std::io::Result<crossterm::event::Event>>();
    let settings = settings(&db);
    let board = livestall::commands::board::follow(
        &mut terminal,
        &mut feed,
        &settings,
        keys,
        stopped,
        Duration::from_millis(20),
    );
    let stopper = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.send(true).unwrap();
    };
    let (ran, ()) = runtime().block_on(async { tokio::join!(board, stopper) });
    ran.unwrap();

    let drawn = drawn(&terminal);
    assert!(
        drawn.contains("北京吃货") && drawn.contains("██"),
        "{drawn}"
    );
    assert!(
        snapshot(dir.path()) == before,
        "the board changed the folder"
    );
}

#[test]
fn q_ends_the_board() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let (db, _store) = shop(dir.path());
    let mut feed = BoardFeed::open(&db).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let settings = settings(&db);
    for key in [
        KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
    ] {
        // Another key first: only the quitting ones end it.
        let keys = stream::iter(vec![
            Ok::<_, std::io::Error>(Event::Key(KeyEvent::new(
                KeyCode::Char('y'),
                KeyModifiers::NONE,
            ))),
            Ok(Event::Key(key)),
        ])
        .chain(stream::pending());
        let board = livestall::commands::board::follow(
            &mut terminal,
            &mut feed,
            &settings,
            keys,
            stopped.clone(),
            Duration::from_millis(20),
        );
        let ended =
            runtime().block_on(async { tokio::time::timeout(Duration::from_secs(5), board).await });
        assert!(matches!(ended, Ok(Ok(()))), "{key:?}");
    }
    let other_keys = stream::iter(vec![Ok::<_, std::io::Error>(Event::Key(KeyEvent::new(
        KeyCode::Char('y'),
        KeyModifiers::NONE,
    )))])
    .chain(stream::pending());
    let board = livestall::commands::board::follow(
        &mut terminal,
        &mut feed,
        &settings,
        other_keys,
        stopped,
        Duration::from_millis(20),
    );
    let ended =
        runtime().block_on(async { tokio::time::timeout(Duration::from_millis(200), board).await });
    assert!(ended.is_err(), "no other key ends the board");
}

/// Opened before any helper's screen made the shop's database, the board
/// says what it waits for (the file, what to check), creates nothing, and
/// follows the database from the moment a screen makes it; q ends the wait.
#[test]
fn a_board_opened_before_the_database_waits_for_it() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use livestall::commands::board::wait_for_database;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let settings = settings(&db);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (_stop, stopped) = tokio::sync::watch::channel(false);

    // Nobody makes it: the board waits, drawing why, and q ends the wait.
    let mut keys = stream::iter(vec![Ok::<_, std::io::Error>(Event::Key(KeyEvent::new(
        KeyCode::Char('q'),
        KeyModifiers::NONE,
    )))])
    .chain(stream::pending());
    let waited = runtime().block_on(async {
        let mut pending = stream::pending::<std::io::Result<Event>>();
        let still = tokio::time::timeout(
            Duration::from_millis(200),
            wait_for_database(
                &mut terminal,
                &settings,
                &mut pending,
                stopped.clone(),
                Duration::from_millis(20),
            ),
        )
        .await;
        assert!(still.is_err(), "the board stopped waiting with no database");
        wait_for_database(
            &mut terminal,
            &settings,
            &mut keys,
            stopped.clone(),
            Duration::from_millis(20),
        )
        .await
    });
    assert!(matches!(waited, Ok(None)), "q did not end the wait");
    let drawn = drawn(&terminal);
    assert!(drawn.contains("等待店铺的数据库"), "{drawn}");
    assert!(drawn.contains("shop.db"), "{drawn}");
    assert!(!db.exists(), "the waiting board made the database");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // A helper's screen makes it: the board opens it and reads its orders.
    let maker = std::thread::spawn({
        let dir = dir.path().to_path_buf();
        move || {
            std::thread::sleep(Duration::from_millis(150));
            shop(&dir)
        }
    });
    let opened = runtime().block_on(async {
        let mut pending = stream::pending::<std::io::Result<Event>>();
        tokio::time::timeout(
            Duration::from_secs(10),
            wait_for_database(
                &mut terminal,
                &settings,
                &mut pending,
                stopped,
                Duration::from_millis(20),
            ),
        )
        .await
    });
    let (_, _store) = maker.join().unwrap();
    let mut feed = opened
        .expect("the board did not open the database once it was made")
        .unwrap()
        .expect("the wait ended without a feed");
    // It may have opened the file between the screen's schema steps and
    // its first orders: it follows what is committed from then on.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while feed.data().orders < 3 && std::time::Instant::now() < deadline {
        feed.poll();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(feed.data().orders, 3);
}

/// The binary on a database: a missing one is refused with its name; with
/// no terminal to draw on it says so; neither touches the folder.
#[test]
fn the_verb_refuses_plainly_and_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store) = shop(dir.path());
    drop(store);
    let before = snapshot(dir.path());
    let run = |db: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_livestall"))
            .current_dir(dir.path())
            .args(["board", "--db", db])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let missing = run("missing.db");
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(!missing.status.success());
    assert!(
        err.contains("missing.db") && err.contains("no database there"),
        "{err}"
    );
    let piped = run("shop.db");
    let err = String::from_utf8_lossy(&piped.stderr);
    assert!(!piped.status.success());
    assert!(err.contains("terminal"), "{err}");
    assert!(
        snapshot(dir.path()) == before,
        "the board changed the folder"
    );
}

/// The binary on a pseudo-terminal (util-linux `script`), as a broadcaster
/// runs it: it draws the database as it is, creates nothing beside it while
/// it runs, shows an order a screen opened later confirms, and quits on q.
/// Skipped where `script` is not installed.
#[cfg(unix)]
#[test]
fn the_board_on_a_terminal_follows_a_screen_opened_after_it() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("notice: util-linux `script` not found; skipping the board's terminal test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, store) = shop(dir.path());
    drop(store);
    let before = snapshot(dir.path());

    let command = format!(
        "stty rows 24 cols 80; exec '{}' board --db '{}'",
        env!("CARGO_BIN_EXE_livestall"),
        db.display()
    );
    let mut child = Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .env("LANG", "zh_CN.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut keys = child.stdin.take().unwrap();
    let screen = Arc::new(Mutex::new(Vec::new()));
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn({
        let screen = Arc::clone(&screen);
        move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = out.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                screen.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        }
    });
    let shows = |words: &str| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if String::from_utf8_lossy(&screen.lock().unwrap()).contains(words) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    };

    let drawn = shows("Tom");
    let untouched = snapshot(dir.path()) == before;
    let (store, _) = Store::open(&db, &catalog()).unwrap();
    order(&store, "m9", "Zed", "MILLET", 1);
    let followed = shows("Zed");
    let _ = keys.write_all(b"q");
    let _ = keys.flush();
    let status = common::wait_or_kill(&mut child, Duration::from_secs(15));
    let _ = reader.join();
    assert!(drawn, "the board drew the database's orders");
    assert!(untouched, "the running board changed the folder");
    assert!(
        followed,
        "a confirm from a screen opened later did not show"
    );
    assert!(
        status.is_some_and(|s| s.success()),
        "the board did not quit cleanly on q: {status:?}"
    );
}
