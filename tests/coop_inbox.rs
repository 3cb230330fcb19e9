//! The shared inbox of one station's laptops, on a real PostgreSQL: each
//! intent is claimed by one desk only, however many claim it at once; a
//! desk follows what the others decided (in order, missing none), keeps it
//! as decided elsewhere in its own SQLite, and a late copy of the message
//! finds it decided; a decision made while the co-op could not be claimed
//! from is claimed when it is pushed.

mod pg_support;

use livestall::coop::inbox::{self, Claim, ClaimAnswer};
use livestall::coop::link::{self, CoopStatus, LinkSettings};
use livestall::coop::{escrow, Coop};
use livestall::intent::IntentKind;
use livestall::store::{reply, IntentKey, Refusal, Store};
use pg_support::{coop_config, millet};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tokio::sync::watch;

fn key(msg_id: &str) -> IntentKey {
    IntentKey {
        msg_id: msg_id.into(),
        index: 0,
    }
}

fn claim_of(msg_id: &str, helper: &str, confirmed: bool) -> Claim {
    Claim {
        key: key(msg_id),
        helper: helper.into(),
        confirmed,
        user: "阿花".into(),
        kind: IntentKind::Order,
        sku: Some("XM-5J".into()),
        qty: Some(1),
    }
}

#[test]
fn each_intent_is_claimed_by_one_desk_however_many_claim_it_at_once() {
    let Some(url) = pg_support::database() else {
        return;
    };
    let rt = pg_support::runtime();
    rt.block_on(async {
        let config = coop_config(&url, "王家峪");
        let coop = Coop::open(&config).await.unwrap();
        for desk in ["a", "b", "c"] {
            let client = coop.client().await.unwrap();
            escrow::register_desk(&**client, "王家峪", desk, desk)
                .await
                .unwrap();
        }
        // Three laptops on the same chat, each going down the same 300
        // intents as fast as it can (one from the end, to cross the others).
        const N: usize = 300;
        let mut tasks = Vec::new();
        for (desk, reversed) in [("a", false), ("b", false), ("c", true)] {
            let coop = Coop::open(&config).await.unwrap();
            tasks.push(tokio::spawn(async move {
                let mut client = coop.client().await.unwrap();
                let mut won = Vec::new();
                let mut lost = Vec::new();
                let order: Vec<usize> = if reversed {
                    (0..N).rev().collect()
                } else {
                    (0..N).collect()
                };
                for n in order {
                    let msg_id = format!("m{n}");
                    let helper = format!("helper-{desk}");
                    match inbox::claim(
                        &mut client,
                        "王家峪",
                        desk,
                        &claim_of(&msg_id, &helper, true),
                    )
                    .await
                    .unwrap()
                    {
                        ClaimAnswer::Won => won.push(msg_id),
                        ClaimAnswer::Lost(by) => lost.push((msg_id, by.desk, by.helper)),
                    }
                }
                (desk, won, lost)
            }));
        }
        let mut winner: HashMap<String, &str> = HashMap::new();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        for (desk, won, _) in &results {
            for msg_id in won {
                let before = winner.insert(msg_id.clone(), desk);
                assert!(before.is_none(), "{msg_id} won by {before:?} and {desk}");
            }
        }
        assert_eq!(winner.len(), N, "every intent was decided once");
        // Every loser was told who won, by the winner's own name.
        for (desk, _, lost) in &results {
            for (msg_id, by_desk, by_helper) in lost {
                assert_ne!(by_desk, desk);
                assert_eq!(winner[msg_id], by_desk.as_str());
                assert_eq!(by_helper, &format!("helper-{by_desk}"));
            }
        }
        // Claiming again what it won is no loss.
        let (desk, won, _) = &results[0];
        if let Some(msg_id) = won.first() {
            let mut client = coop.client().await.unwrap();
            let again = inbox::claim(&mut client, "王家峪", desk, &claim_of(msg_id, "x", false))
                .await
                .unwrap();
            assert_eq!(again, ClaimAnswer::Won);
        }
        let counts: Vec<usize> = results.iter().map(|(_, won, _)| won.len()).collect();
        println!("300 intents claimed by three desks at once: won {counts:?}, none twice");
    });
}

#[test]
fn a_follower_misses_no_decision_while_desks_claim_at_once() {
    let Some(url) = pg_support::database() else {
        return;
    };
    let rt = pg_support::runtime();
    rt.block_on(async {
        let config = coop_config(&url, "王家峪");
        let coop = Coop::open(&config).await.unwrap();
        for desk in ["a", "b", "c", "follower"] {
            let client = coop.client().await.unwrap();
            escrow::register_desk(&**client, "王家峪", desk, desk)
                .await
                .unwrap();
        }
        let mut tasks = Vec::new();
        for desk in ["a", "b", "c"] {
            let coop = Coop::open(&config).await.unwrap();
            tasks.push(tokio::spawn(async move {
                let mut client = coop.client().await.unwrap();
                for n in 0..200 {
                    let msg_id = format!("{desk}-{n}");
                    inbox::claim(
                        &mut client,
                        "王家峪",
                        desk,
                        &claim_of(&msg_id, desk, n % 3 != 0),
                    )
                    .await
                    .unwrap();
                }
            }));
        }
        // The follower reads after the last number it saw, as a desk's
        // link does, while the others write.
        let client = coop.client().await.unwrap();
        let mut seen = HashSet::new();
        let mut after = 0;
        loop {
            let writing = tasks.iter().any(|t| !t.is_finished());
            let rows = inbox::decided_since(&**client, "王家峪", "follower", after, 50)
                .await
                .unwrap();
            for row in &rows {
                assert!(row.seq > after, "in order");
                after = row.seq;
                assert!(seen.insert(row.key.msg_id.clone()), "read once");
            }
            if !writing && rows.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        assert_eq!(seen.len(), 600, "every decision followed");
    });
}

struct Desk {
    store: Store,
    path: std::path::PathBuf,
    status: watch::Receiver<CoopStatus>,
    // The link ends when the core's side of its requests goes.
    requests: tokio::sync::mpsc::Sender<link::LinkRequest>,
    _link: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn desk(url: &str, helper: &str, stop: &watch::Receiver<bool>) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let (store, _) = Store::open(&path, &millet(300)).unwrap();
    let mut settings = LinkSettings::new(coop_config(url, "王家峪"), millet(300), helper);
    settings.every = Duration::from_millis(100);
    // As `livestall` does: the products join before anything is sold.
    link::join_all(&settings, &store).await.unwrap();
    let (handle, link) = link::spawn(settings, store.clone(), stop.clone());
    Desk {
        store,
        path,
        status: handle.status,
        requests: handle.requests,
        _link: link,
        _dir: dir,
    }
}

/// The intent's status and helper in the desk's own SQLite file.
async fn status_of(d: &Desk, msg_id: &str) -> Option<(String, Option<String>)> {
    use rusqlite::OptionalExtension;
    let conn = rusqlite::Connection::open(&d.path).unwrap();
    conn.query_row(
        "SELECT status, helper FROM intents WHERE msg_id = ?1 AND idx = 0",
        [msg_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
    .unwrap()
}

#[test]
fn a_laptop_follows_what_another_laptop_of_its_station_decided() {
    let Some(url) = pg_support::database() else {
        return;
    };
    let rt = pg_support::runtime();
    rt.block_on(async {
        let (stop_tx, stop) = watch::channel(false);
        let a = desk(&url, "小李", &stop).await;
        let b = desk(&url, "小张", &stop).await;
        for d in [&a, &b] {
            let mut status = d.status.clone();
            tokio::time::timeout(
                Duration::from_secs(20),
                status.wait_for(|s| *s == CoopStatus::Synced),
            )
            .await
            .expect("online")
            .unwrap();
        }
        // The same chat reaches both laptops.
        for d in [&a, &b] {
            pg_support::record_order(&d.store, "m1", "阿花", 1);
            pg_support::record_order(&d.store, "m2", "老王", 2);
            reply(d.store.flush()).await.unwrap();
        }
        // Laptop A decides both alone (as while the co-op was out of
        // reach: nothing claimed first); its push claims them.
        let decided = Instant::now();
        reply(a.store.reject(key("m2"), "小李".into()))
            .await
            .unwrap();
        // The desk holds no millet yet: the order waits, and A's link
        // takes a block; the helper confirms again.
        let mut confirmed = false;
        for _ in 0..100 {
            match pg_support::confirm_order(&a.store, "m1", "阿花", 1).await {
                Ok(()) => {
                    confirmed = true;
                    break;
                }
                Err(Refusal::Waitlisted { .. }) => {
                    let _ = a.requests.try_send(link::LinkRequest::TopUp {
                        sku: "XM-5J".into(),
                        at_least: 1,
                    });
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                Err(other) => panic!("{other:?}"),
            }
        }
        assert!(confirmed);

        // B keeps both as decided on A, by A's helper.
        let mut followed = None;
        while decided.elapsed() < Duration::from_secs(10) {
            let m1 = status_of(&b, "m1").await;
            let m2 = status_of(&b, "m2").await;
            if m1.as_ref().map(|s| s.0.as_str()) == Some("confirmed_elsewhere")
                && m2.as_ref().map(|s| s.0.as_str()) == Some("rejected_elsewhere")
            {
                followed = Some(decided.elapsed());
                assert_eq!(m1.unwrap().1.as_deref(), Some("helper"));
                assert_eq!(m2.unwrap().1.as_deref(), Some("小李"));
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let followed = followed.expect("B followed A's decisions");
        println!("laptop B saw laptop A's decisions {followed:?} after the first");
        // B's inbox no longer has them, and B cannot decide them again.
        let pending = reply(b.store.pending()).await.unwrap();
        assert!(pending.is_empty(), "{pending:?}");
        let again = pg_support::confirm_order(&b.store, "m1", "阿花", 1).await;
        assert!(
            matches!(&again, Err(Refusal::DecidedElsewhere { helper, decision })
                if helper == "helper" && decision == "confirmed"),
            "{again:?}"
        );

        // A's later decision on a message B has not received yet: B keeps
        // it, and the message, when it comes, is already decided.
        pg_support::record_order(&a.store, "m3", "阿花", 1);
        reply(a.store.flush()).await.unwrap();
        reply(a.store.reject(key("m3"), "小李".into()))
            .await
            .unwrap();
        let mut kept = false;
        for _ in 0..200 {
            if status_of(&b, "m3").await.is_some() {
                kept = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(kept, "B keeps a decision on a message it has not seen");
        let late = reply(b.store.record(vec![livestall::store::NewIntent {
            key: key("m3"),
            source: "json".into(),
            user: "阿花".into(),
            user_id: None,
            text: "扣1".into(),
            kind: IntentKind::Order,
            sku: Some("XM-5J".into()),
            qty: Some(1),
            confidence: 0.95,
            received_at_ms: 2,
            note: None,
        }]))
        .await
        .unwrap();
        assert_eq!(late, [key("m3")], "answered as decided before");

        // The co-op's shared inbox has each decision once, by A's desk.
        let rows = pg_support::sql(
            &url,
            "SELECT msg_id || ':' || decision FROM decisions ORDER BY msg_id",
        );
        assert_eq!(rows, "m1:confirmed\nm2:rejected\nm3:rejected");
        stop_tx.send_replace(true);
    });
}

/// A helper restocks a product of the co-op at one laptop (20 more bags
/// came in): the desk sells them, and what it gives back at the end of the
/// stream reaches the pool, so the co-op's stock grows by exactly 20.
#[test]
fn a_restock_at_a_station_goes_to_the_pool_when_given_back() {
    let Some(url) = pg_support::database() else {
        return;
    };
    let rt = pg_support::runtime();
    rt.block_on(async {
        let (stop_tx, stop) = watch::channel(false);
        let a = desk(&url, "小李", &stop).await;
        let mut status = a.status.clone();
        tokio::time::timeout(
            Duration::from_secs(20),
            status.wait_for(|s| *s == CoopStatus::Synced),
        )
        .await
        .unwrap_or_else(|_| panic!("online: {:?}", *a.status.borrow()))
        .unwrap();
        let pool = |url: &str| -> i64 {
            pg_support::sql(url, "SELECT pool FROM products WHERE sku = 'XM-5J'")
                .parse()
                .unwrap()
        };
        assert_eq!(pool(&url), 300, "seeded from the config");
        reply(a.store.change_stock(livestall::store::StockChange {
            sku: "XM-5J".into(),
            to: livestall::store::StockTo::Add(20),
            helper: "小李".into(),
        }))
        .await
        .unwrap();
        // Three of them sold here, without asking the co-op for a block.
        for n in 0..3 {
            let msg_id = format!("r{n}");
            pg_support::record_order(&a.store, &msg_id, "阿花", 1);
            pg_support::confirm_order(&a.store, &msg_id, "阿花", 1)
                .await
                .unwrap();
        }
        let ledger = reply(a.store.ledger()).await.unwrap();
        assert_eq!(ledger.row("XM-5J").unwrap().added, 20);
        // The stream ends: the 17 left go to the pool.
        stop_tx.send_replace(true);
        let mut grown = false;
        for _ in 0..200 {
            if pool(&url) == 317 {
                grown = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(grown, "pool {}", pool(&url));
        assert_eq!(
            pg_support::sql(
                &url,
                "SELECT granted || '/' || added || '/' || returned FROM allocations"
            ),
            "0/20/17"
        );
    });
}

/// The laptops of one station share the product on air: a helper puts
/// walnuts on air on laptop A, and laptop B (which had millet on air
/// from its last run) follows within a couple of seconds, as does the hub.
#[test]
fn the_laptops_of_a_station_share_the_product_on_air() {
    let Some(url) = pg_support::database() else {
        return;
    };
    let two = || {
        let mut catalog = millet(300);
        let mut walnut = catalog.products[0].clone();
        walnut.sku = "HT-1J".into();
        walnut.name = "薄皮核桃".into();
        walnut.link = 2;
        catalog.products.push(walnut);
        livestall::catalog::Catalog::new(catalog.products)
    };
    let rt = pg_support::runtime();
    rt.block_on(async {
        let (stop_tx, stop) = watch::channel(false);
        let mut laptops = Vec::new();
        for (helper, on_air) in [("小李", "XM-5J"), ("小张", "XM-5J")] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("shop.db");
            let (store, _) = Store::open(&path, &two()).unwrap();
            reply(store.set_on_air(on_air, helper)).await.unwrap();
            let mut settings = LinkSettings::new(coop_config(&url, "王家峪"), two(), helper);
            settings.every = Duration::from_millis(100);
            link::join_all(&settings, &store).await.unwrap();
            let (handle, task) = link::spawn(settings, store.clone(), stop.clone());
            laptops.push((store, handle, task, dir));
        }
        let on_air = |store: &Store| {
            let store = store.clone();
            async move { reply(store.ledger()).await.unwrap().on_air }
        };
        // Both online.
        for (_, handle, _, _) in &laptops {
            let mut status = handle.status.clone();
            tokio::time::timeout(
                Duration::from_secs(20),
                status.wait_for(|s| *s == CoopStatus::Synced),
            )
            .await
            .expect("online")
            .unwrap();
        }
        let station_on_air = || pg_support::sql(&url, "SELECT on_air FROM stations");
        assert_eq!(station_on_air(), "XM-5J");
        let changed = Instant::now();
        reply(laptops[0].0.set_on_air("HT-1J", "小李"))
            .await
            .unwrap();
        let mut followed = None;
        while changed.elapsed() < Duration::from_secs(10) {
            if on_air(&laptops[1].0).await.as_deref() == Some("HT-1J") {
                followed = Some(changed.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let followed = followed.expect("laptop B followed laptop A's product on air");
        println!("laptop B put 薄皮核桃 on air {followed:?} after laptop A did");
        assert_eq!(station_on_air(), "HT-1J");
        // And back, from B this time: A follows, nobody flips it back.
        reply(laptops[1].0.set_on_air("XM-5J", "小张"))
            .await
            .unwrap();
        let mut back = false;
        for _ in 0..250 {
            if on_air(&laptops[0].0).await.as_deref() == Some("XM-5J") {
                back = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(back, "laptop A followed laptop B");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(on_air(&laptops[0].0).await.as_deref(), Some("XM-5J"));
        assert_eq!(on_air(&laptops[1].0).await.as_deref(), Some("XM-5J"));
        assert_eq!(station_on_air(), "XM-5J");
        stop_tx.send_replace(true);
        for (_, _, task, _) in laptops {
            let _ = task.await;
        }
    });
}
