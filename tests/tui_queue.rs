//! The product queue worked by key (issue 9, item 4): `P` puts the keys on
//! it, ↑↓/jk select, Enter puts on air, K/J (Shift+↑↓) move a product in
//! the order of selling, `x` asks then sets the stock to 0, R and F act on
//! the selected product; `p` opens the overlay on small screens and hides
//! the pane on wide ones; `]`/`[` follow the order. The order is kept in
//! the database, survives a restart and reaches a second helper by sync.
//! Snapshots of the focused queue in both languages at 80x24 and 160x48.

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;
use livestall::app::model::{Bulk, Mode, PromptFor};
use livestall::app::{Effect, Event, Model, Msg};
use livestall::config::Language;
use livestall::store::{
    wait, Resume, Sale, StockChange, StockRow, StockTo, Store, StoreEvent, StoreJob, SyncReport,
};
use tui_support::*;

const SKUS: [&str; 5] = ["millet-5jin", "gift-box", "crackers", "apricot", "walnut"];

fn shift(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::SHIFT))
}

fn resize(width: u16, height: u16) -> Msg {
    Msg::Resize { width, height }
}

/// The queue as SKUs, first to sell first.
fn order(m: &Model) -> Vec<&str> {
    m.queue
        .iter()
        .map(|&i| m.products[i].sku.as_str())
        .collect()
}

fn set_queue_jobs(fx: &[Effect]) -> Vec<Vec<String>> {
    jobs(fx)
        .into_iter()
        .filter_map(|job| match job {
            StoreJob::SetQueue { skus, .. } => Some(skus.clone()),
            _ => None,
        })
        .collect()
}

fn on_air_sku(m: &Model) -> Option<&str> {
    m.on_air_product().map(|p| p.sku.as_str())
}

#[test]
fn p_focuses_the_queue_with_the_product_on_air_selected_and_selects_along_it() {
    let mut m = model(Language::Zh);
    update(&mut m, ch(']'));
    assert_eq!(on_air_sku(&m), Some("gift-box"));
    update(&mut m, ch('P'));
    assert_eq!(m.mode, Mode::Products);
    assert_eq!(m.queue_selected, 1, "the product on air is selected");
    feed(&mut m, [ch('j'), key(KeyCode::Down)]);
    assert_eq!(m.products[m.queue_selected].sku, "apricot");
    feed(&mut m, (0..9).map(|_| ch('j')));
    assert_eq!(
        m.products[m.queue_selected].sku, "walnut",
        "stops at the end"
    );
    feed(&mut m, [ch('k'), key(KeyCode::Up)]);
    assert_eq!(m.products[m.queue_selected].sku, "crackers");
    // Selecting moves nothing on air, and the inbox's selection is untouched.
    assert_eq!(on_air_sku(&m), Some("gift-box"));
    assert_eq!(m.selected, 0);
    // P or Esc gives the keys back.
    update(&mut m, ch('P'));
    assert_eq!(m.mode, Mode::Inbox);
    feed(&mut m, [ch('P'), key(KeyCode::Esc)]);
    assert_eq!(m.mode, Mode::Inbox);
}

#[test]
fn enter_puts_the_selected_product_on_air_and_keeps_it() {
    let mut m = model(Language::En);
    feed(&mut m, [ch('P'), ch('j'), ch('j')]);
    let fx = update(&mut m, key(KeyCode::Enter));
    assert_eq!(on_air_sku(&m), Some("crackers"));
    assert!(
        jobs(&fx)
            .iter()
            .any(|j| matches!(j, StoreJob::SetOnAir { sku, .. } if sku == "crackers")),
        "{fx:?}"
    );
    assert!(published(&fx)
        .iter()
        .any(|e| matches!(e, Event::OnAir { sku, link: 3, .. } if sku == "crackers")));
    assert_eq!(m.mode, Mode::Products, "the keys stay on the queue");
    // Enter on the product already on air writes nothing.
    assert!(update(&mut m, key(KeyCode::Enter)).is_empty());
}

#[test]
fn k_and_j_move_the_selected_product_in_the_order_of_selling() {
    let mut m = model(Language::Zh);
    feed(&mut m, [ch('P'), ch('j'), ch('j'), ch('j'), ch('j')]);
    assert_eq!(m.products[m.queue_selected].sku, "walnut");
    let fx = update(&mut m, ch('K'));
    let want = ["millet-5jin", "gift-box", "crackers", "walnut", "apricot"];
    assert_eq!(order(&m), want);
    assert_eq!(set_queue_jobs(&fx), [want.map(String::from).to_vec()]);
    assert!(published(&fx)
        .iter()
        .any(|e| matches!(e, Event::QueueChanged { skus } if skus == &want)));
    // The selection moves with the product; Shift+↑ moves it too.
    assert_eq!(m.products[m.queue_selected].sku, "walnut");
    feed(&mut m, [shift(KeyCode::Up), ch('K'), ch('K')]);
    assert_eq!(
        order(&m),
        ["walnut", "millet-5jin", "gift-box", "crackers", "apricot"]
    );
    assert!(
        update(&mut m, ch('K')).is_empty(),
        "the first stays first, and nothing is written"
    );
    feed(&mut m, [ch('J'), shift(KeyCode::Down)]);
    assert_eq!(
        order(&m),
        ["millet-5jin", "gift-box", "walnut", "crackers", "apricot"]
    );
    // Products keep their indices: intents name products by them.
    assert_eq!(
        m.products
            .iter()
            .map(|p| p.sku.as_str())
            .collect::<Vec<_>>(),
        SKUS
    );
    // The inbox's K and J are not the queue's.
    update(&mut m, key(KeyCode::Esc));
    assert!(update(&mut m, ch('K')).is_empty());
}

#[test]
fn next_and_previous_on_air_follow_the_queue_not_the_catalog() {
    let mut m = model(Language::Zh);
    // Walnut (catalog last) to sell second.
    feed(&mut m, [ch('P'), ch('j'), ch('j'), ch('j'), ch('j')]);
    feed(&mut m, [ch('K'), ch('K'), ch('K'), key(KeyCode::Esc)]);
    assert_eq!(
        order(&m),
        ["millet-5jin", "walnut", "gift-box", "crackers", "apricot"]
    );
    assert_eq!(on_air_sku(&m), Some("millet-5jin"));
    update(&mut m, ch(']'));
    assert_eq!(on_air_sku(&m), Some("walnut"));
    update(&mut m, ch(']'));
    assert_eq!(on_air_sku(&m), Some("gift-box"));
    feed(&mut m, [ch('['), ch('['), ch('[')]);
    assert_eq!(on_air_sku(&m), Some("millet-5jin"), "stops at the first");
    feed(&mut m, (0..9).map(|_| ch(']')));
    assert_eq!(on_air_sku(&m), Some("apricot"), "stops at the last");
}

#[test]
fn x_asks_then_sets_the_stock_to_zero_through_the_audited_stock_path() {
    let mut m = model(Language::Zh);
    feed(&mut m, [ch('P'), ch('j')]);
    assert!(
        update(&mut m, ch('x')).is_empty(),
        "nothing before the answer"
    );
    assert_eq!(m.mode, Mode::Ask);
    assert_eq!(m.question, Some(Bulk::SoldOut { product: 1 }));
    // n drops it and goes back to the queue.
    assert!(update(&mut m, ch('n')).is_empty());
    assert_eq!((m.mode, m.question.is_none()), (Mode::Products, true));
    update(&mut m, ch('x'));
    let fx = update(&mut m, ch('y'));
    assert_eq!(
        jobs(&fx),
        [&StoreJob::Stock(StockChange {
            sku: "gift-box".into(),
            to: StockTo::Set(0),
            helper: "小王".into(),
        })]
    );
    assert_eq!(m.mode, Mode::Products, "back on the queue");
    // Esc in the question goes back to the queue too.
    feed(&mut m, [ch('x'), key(KeyCode::Esc)]);
    assert_eq!(m.mode, Mode::Products);
}

#[test]
fn restock_and_flash_sale_act_on_the_selected_product() {
    let mut m = model(Language::Zh);
    feed(&mut m, [ch('P'), ch('j'), ch('j')]);
    update(&mut m, ch('R'));
    assert_eq!(m.mode, Mode::Prompt);
    assert_eq!(
        m.prompt.as_ref().map(|p| p.purpose),
        Some(PromptFor::Restock(2))
    );
    let fx = feed(&mut m, [ch('2'), ch('0'), key(KeyCode::Enter)]);
    assert_eq!(
        jobs(&fx),
        [&StoreJob::Stock(StockChange {
            sku: "crackers".into(),
            to: StockTo::Add(20),
            helper: "小王".into(),
        })]
    );
    assert_eq!(
        m.mode,
        Mode::Products,
        "the prompt closes back to the queue"
    );
    update(&mut m, ch('j'));
    update(&mut m, ch('F'));
    assert_eq!(
        m.prompt.as_ref().map(|p| p.purpose),
        Some(PromptFor::Sale(3))
    );
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.mode, Mode::Products);
    // From the inbox they still act on the product on air.
    update(&mut m, key(KeyCode::Esc));
    update(&mut m, ch('R'));
    assert_eq!(
        m.prompt.as_ref().map(|p| p.purpose),
        Some(PromptFor::Restock(0))
    );
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.mode, Mode::Inbox);
}

#[test]
fn p_opens_the_overlay_on_a_small_screen_and_hides_the_pane_on_a_wide_one() {
    // Small: the queue is an overlay that takes the keys.
    let mut m = model(Language::En);
    update(&mut m, resize(80, 24));
    update(&mut m, ch('p'));
    assert_eq!((m.mode, m.products_hidden), (Mode::Products, false));
    update(&mut m, ch('j'));
    assert_eq!(m.queue_selected, 1);
    update(&mut m, ch('p'));
    assert_eq!(m.mode, Mode::Inbox);

    // Wide: the pane is there already; p hides it and shows it again,
    // leaving the keys with the inbox.
    update(&mut m, resize(160, 48));
    busy_stream(&mut m);
    update(&mut m, ch('p'));
    assert_eq!((m.mode, m.products_hidden), (Mode::Inbox, true));
    let s = screen(&m, 160, 48);
    assert!(!s.contains("Products"), "{s}");
    // P shows the hidden pane and puts the keys on it; p hides it and
    // gives the keys back.
    update(&mut m, ch('P'));
    assert_eq!((m.mode, m.products_hidden), (Mode::Products, false));
    assert!(screen(&m, 160, 48).contains("Products"));
    update(&mut m, ch('p'));
    assert_eq!((m.mode, m.products_hidden), (Mode::Inbox, true));
    update(&mut m, ch('p'));
    assert_eq!((m.mode, m.products_hidden), (Mode::Inbox, false));
}

#[test]
fn the_stored_order_is_followed_with_unknown_products_dropped_and_new_ones_last() {
    let mut m = model(Language::Zh);
    let resume = Resume {
        on_air: Some("walnut".into()),
        queue: Some(vec![
            "walnut".into(),
            "gone-from-config".into(),
            "crackers".into(),
            "millet-5jin".into(),
        ]),
        recent: vec![],
        open_orders: vec![],
    };
    let fx = update(&mut m, Msg::Store(StoreEvent::Resumed(resume)));
    assert_eq!(
        order(&m),
        ["walnut", "crackers", "millet-5jin", "gift-box", "apricot"]
    );
    assert!(published(&fx)
        .iter()
        .any(|e| matches!(e, Event::QueueChanged { .. })));
    assert!(set_queue_jobs(&fx).is_empty(), "followed, not written back");
    update(&mut m, ch(']'));
    assert_eq!(on_air_sku(&m), Some("crackers"));
}

/// A sync read before this run's own move was written must not undo it;
/// a later one brings another helper's order.
#[test]
fn a_sync_brings_another_helper_s_order_but_never_undoes_a_fresh_move() {
    let mut m = model(Language::Zh);
    update(&mut m, Msg::Tick(at(14, 0, 0)));
    update(
        &mut m,
        Msg::Store(StoreEvent::Synced(Ok(SyncReport::default()))),
    );
    feed(&mut m, [ch('P'), ch('j'), ch('J')]);
    let moved = ["millet-5jin", "crackers", "gift-box", "apricot", "walnut"];
    assert_eq!(order(&m), moved);
    let stale = SyncReport {
        queue: Some(SKUS.map(String::from).to_vec()),
        ..SyncReport::default()
    };
    update(&mut m, Msg::Store(StoreEvent::Synced(Ok(stale))));
    assert_eq!(order(&m), moved, "the stale sync is not followed");

    update(&mut m, Msg::Tick(at(14, 0, 5)));
    let theirs = SyncReport {
        queue: Some(vec!["apricot".into(), "walnut".into()]),
        ..SyncReport::default()
    };
    let fx = update(&mut m, Msg::Store(StoreEvent::Synced(Ok(theirs))));
    assert_eq!(
        order(&m),
        ["apricot", "walnut", "millet-5jin", "gift-box", "crackers"]
    );
    assert!(published(&fx)
        .iter()
        .any(|e| matches!(e, Event::QueueChanged { .. })));
}

fn sale_row(m: &Model, product: usize, ends_at_ms: i64) -> StockRow {
    let p = &m.products[product];
    StockRow {
        sku: p.sku.clone(),
        name: p.name.clone(),
        link: p.link,
        price_fen: p.price_fen,
        stock: p.stock,
        sold: 0,
        revenue_fen: 0,
        retired: false,
        sale: Some(Sale {
            sale_id: 1,
            sku: p.sku.clone(),
            qty: 50,
            price_fen: 1990,
            starts_at_ms: ends_at_ms - 600_000,
            ends_at_ms,
            sold: 8,
        }),
    }
}

#[test]
fn a_flash_sale_counts_down_on_the_on_air_line_and_in_the_pane_then_ends() {
    for (language, sale) in [(Language::Zh, "秒杀"), (Language::En, "SALE")] {
        let mut m = model(language);
        busy_stream(&mut m);
        let ends = at(14, 32, 5) + 4 * 60_000 + 59_500;
        let row = sale_row(&m, 0, ends);
        update(&mut m, Msg::Store(StoreEvent::Inventory(vec![row])));
        let s = screen(&m, 160, 48);
        assert!(s.contains("¥19.90") && s.contains("· 5:00"), "{s}");
        assert!(s.contains(&format!("{sale} 5:00")), "{s}");
        update(&mut m, Msg::Tick(at(14, 35, 5)));
        let s = screen(&m, 80, 24);
        assert!(s.contains("· 2:00"), "{s}");
        assert_rows_fit(&m, 160, 48);
        // Its time is up: it ends on screen and the store is asked what is
        // available now.
        let fx = update(&mut m, Msg::Tick(ends));
        assert!(m.products[0].sale.is_none());
        assert!(jobs(&fx).contains(&&StoreJob::Inventory), "{fx:?}");
        assert!(!screen(&m, 160, 48).contains(&format!("{sale} 0:")));
    }
}

/// The order of selling, kept by one run's store, is there for the next
/// run (`Resume`) and reaches a second helper's run on the same database
/// through its sync.
#[test]
fn the_queue_survives_a_restart_and_reaches_a_second_helper_by_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let catalog = config(Language::Zh).catalog;
    let resume_of = |store: &Store| {
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        store.submit(StoreJob::Resume, &tx);
        match rx.blocking_recv() {
            Some(StoreEvent::Resumed(resume)) => resume,
            other => panic!("{other:?}"),
        }
    };
    let moved;
    {
        let (mine, _) = Store::open(&path, &catalog).unwrap();
        let (theirs, _) = Store::open(&path, &catalog).unwrap();
        assert_eq!(resume_of(&mine).queue, None, "nobody moved a product yet");
        let cursor = wait(theirs.sync(None)).unwrap().cursor;

        // The helper moves walnut to sell first, as the driver hands it over.
        let mut m = model(Language::Zh);
        feed(&mut m, [ch('P'), ch('j'), ch('j'), ch('j'), ch('j')]);
        let fx = feed(&mut m, [ch('K'), ch('K'), ch('K'), ch('K')]);
        let (tx, _rx) = tokio::sync::mpsc::channel(8);
        for job in jobs(&fx) {
            mine.submit(job.clone(), &tx);
        }
        wait(mine.flush()).unwrap();
        moved = order(&m).into_iter().map(String::from).collect::<Vec<_>>();
        assert_eq!(moved[0], "walnut");

        let report = wait(theirs.sync(Some(cursor))).unwrap();
        assert_eq!(report.queue.as_deref(), Some(&moved[..]));
        let mut other = model(Language::Zh);
        update(
            &mut other,
            Msg::Store(StoreEvent::Synced(Ok(SyncReport::default()))),
        );
        update(&mut other, Msg::Store(StoreEvent::Synced(Ok(report))));
        assert_eq!(order(&other), order(&m), "the second helper follows");
        // Nothing changed since: the next sync says nothing of the queue.
        let cursor = wait(theirs.sync(None)).unwrap().cursor;
        assert_eq!(wait(theirs.sync(Some(cursor))).unwrap().queue, None);
    }
    // A new run: the store says what the last one kept.
    let (store, _) = Store::open(&path, &catalog).unwrap();
    let resume = resume_of(&store);
    assert_eq!(resume.queue.as_deref(), Some(&moved[..]));
    let mut m = model(Language::Zh);
    update(&mut m, Msg::Store(StoreEvent::Resumed(resume)));
    assert_eq!(order(&m), moved);
    drop(store);
    // The move is in the audit trail.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let audited: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM events WHERE action = 'queue' AND helper = '小王'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(audited, 4, "one audit event a move");
}

fn lang_name(language: Language) -> &'static str {
    match language {
        Language::Zh => "zh",
        Language::En => "en",
    }
}

/// The focused queue with a selection, after a move, and the sold-out
/// question, in each language at 80x24 (the overlay) and 160x48 (the pane).
fn queue_script(language: Language, (w, h): (u16, u16)) {
    let name = format!("queue_{}_{w}x{h}", lang_name(language));
    let s = i18n_words(language);
    let mut m = model(language);
    update(&mut m, resize(w, h));
    busy_stream(&mut m);
    feed(&mut m, [ch('P'), ch('j'), ch('j')]);
    let focused = screen(&m, w, h);
    assert!(focused.contains("▸   3"), "crackers selected: {focused}");
    assert!(focused.contains(s.queue_keys), "{focused}");
    assert_rows_fit(&m, w, h);
    assert_snapshot!(format!("{name}_1_selected"), focused);

    update(&mut m, ch('K'));
    let moved = screen(&m, w, h);
    // Only the queue names these two (nobody ordered them).
    let at = |name: &str| moved.find(name).unwrap();
    assert!(
        at("小米锅巴") < at("小米礼盒"),
        "crackers above the gift box: {moved}"
    );
    assert_snapshot!(format!("{name}_2_moved"), moved);

    update(&mut m, ch('x'));
    let asked = screen(&m, w, h);
    assert!(asked.contains(s.sold_out_asked), "{asked}");
    assert_rows_fit(&m, w, h);
    assert_snapshot!(format!("{name}_3_sold_out_question"), asked);
}

struct Words {
    queue_keys: &'static str,
    sold_out_asked: &'static str,
}

fn i18n_words(language: Language) -> Words {
    Words {
        queue_keys: livestall::ui::i18n::strings(language).queue_keys,
        sold_out_asked: match language {
            Language::Zh => "把「小米锅巴」标为售罄？",
            Language::En => "Mark 小米锅巴 sold out?",
        },
    }
}

#[test]
fn queue_zh_small() {
    queue_script(Language::Zh, (80, 24));
}

#[test]
fn queue_en_small() {
    queue_script(Language::En, (80, 24));
}

#[test]
fn queue_zh_large() {
    queue_script(Language::Zh, (160, 48));
}

#[test]
fn queue_en_large() {
    queue_script(Language::En, (160, 48));
}

/// The focused queue draws at every size without panics and with rows of
/// the right width.
#[test]
fn the_focused_queue_fits_every_size() {
    for language in [Language::Zh, Language::En] {
        let mut m = model(language);
        busy_stream(&mut m);
        feed(&mut m, [ch('P'), ch('j'), ch('J')]);
        for (w, h) in [
            (60, 20),
            (80, 24),
            (119, 30),
            (120, 30),
            (200, 50),
            (300, 80),
        ] {
            update(&mut m, resize(w, h));
            assert_rows_fit(&m, w, h);
        }
    }
}
