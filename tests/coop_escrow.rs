//! The co-op's stock pool and the desks' allocations (escrow) on a real
//! PostgreSQL: seeded once, blocks taken by desks racing each other never
//! take a unit twice or leave the pool below zero, and giving back is
//! idempotent by total.

mod pg_support;

use livestall::coop::escrow::{self, Allocation, SeedProduct};
use livestall::coop::Coop;
use pg_support::{coop_config as coop, runtime};

fn millet(stock: i64) -> SeedProduct {
    SeedProduct {
        sku: "XM-5J".into(),
        name: "太行小米 5斤装".into(),
        unit: "袋".into(),
        price_fen: 3990,
        stock,
    }
}

fn pool_of(url: &str, sku: &str) -> i64 {
    let out = pg_support::psql(
        url,
        &format!("SELECT pool FROM products WHERE sku = '{sku}'"),
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn the_first_station_seeds_the_pool_and_later_ones_change_nothing() {
    let Some(url) = pg_support::database() else {
        return;
    };
    runtime().block_on(async {
        let a = Coop::open(&coop(&url, "王家峪")).await.unwrap();
        let b = Coop::open(&coop(&url, "砖壁")).await.unwrap();
        let seeded = escrow::seed(&**a.client().await.unwrap(), "王家峪", &[millet(300)])
            .await
            .unwrap();
        assert_eq!(seeded, ["XM-5J"]);
        let seeded = escrow::seed(&**b.client().await.unwrap(), "砖壁", &[millet(120)])
            .await
            .unwrap();
        assert!(seeded.is_empty());
    });
    assert_eq!(pool_of(&url, "XM-5J"), 300);
}

#[test]
fn desks_racing_for_scarce_stock_take_every_unit_exactly_once() {
    let Some(url) = pg_support::database() else {
        return;
    };
    const INITIAL: i64 = 997;
    let rt = runtime();
    let totals = rt.block_on(async {
        let first = Coop::open(&coop(&url, "县中心")).await.unwrap();
        escrow::seed(
            &**first.client().await.unwrap(),
            "县中心",
            &[millet(INITIAL)],
        )
        .await
        .unwrap();
        // Three stations, two desks each, taking blocks as fast as they
        // can and now and then giving some back, until the pool is empty.
        let mut desks = Vec::new();
        for (station, desk) in [
            ("王家峪", "a1"),
            ("王家峪", "a2"),
            ("砖壁", "b1"),
            ("砖壁", "b2"),
            ("县中心", "c1"),
            ("县中心", "c2"),
        ] {
            let url = url.clone();
            desks.push(tokio::spawn(async move {
                let opened = Coop::open(&coop(&url, station)).await.unwrap();
                let mut client = opened.client().await.unwrap();
                escrow::register_desk(&**client, station, desk, "helper")
                    .await
                    .unwrap();
                let (mut held, mut returned, mut rounds) = (0i64, 0i64, 0u32);
                loop {
                    let grant = escrow::take_block(&mut client, station, desk, "XM-5J", 0.1, 1)
                        .await
                        .unwrap();
                    assert!(grant.pool >= 0);
                    if grant.taken == 0 {
                        break;
                    }
                    held += grant.taken;
                    rounds += 1;
                    // (Only early on: giving back refills the pool, and
                    // the race must end.)
                    if rounds % 3 == 0 && rounds < 10 && held > 1 {
                        // Give half back, told twice (a retry after a
                        // lost answer).
                        let back = held / 2;
                        held -= back;
                        returned += back;
                        for _ in 0..2 {
                            escrow::give_back(&mut client, station, desk, "XM-5J", returned)
                                .await
                                .unwrap();
                        }
                    }
                }
                let account = escrow::allocations(&**client, station, desk).await.unwrap();
                (held, returned, account)
            }));
        }
        let mut totals = Vec::new();
        for d in desks {
            totals.push(d.await.unwrap());
        }
        totals
    });
    let held: i64 = totals.iter().map(|t| t.0).sum();
    assert_eq!(held, INITIAL, "every unit is held by exactly one desk");
    assert_eq!(pool_of(&url, "XM-5J"), 0);
    for (held, returned, account) in &totals {
        let [(
            sku,
            Allocation {
                granted,
                returned: r,
                ..
            },
        )] = account.as_slice()
        else {
            panic!("one allocation a desk: {account:?}");
        };
        assert_eq!(sku, "XM-5J");
        assert_eq!(r, returned, "the co-op counted each give-back once");
        assert_eq!(granted - r, *held);
    }
}

#[test]
fn giving_back_is_idempotent_by_total_and_never_more_than_granted() {
    let Some(url) = pg_support::database() else {
        return;
    };
    runtime().block_on(async {
        let a = Coop::open(&coop(&url, "王家峪")).await.unwrap();
        let mut client = a.client().await.unwrap();
        escrow::seed(&**client, "王家峪", &[millet(100)])
            .await
            .unwrap();
        escrow::register_desk(&**client, "王家峪", "d1", "小李")
            .await
            .unwrap();
        let grant = escrow::take_block(&mut client, "王家峪", "d1", "XM-5J", 0.1, 1)
            .await
            .unwrap();
        assert_eq!((grant.taken, grant.granted, grant.pool), (10, 10, 90));
        // A confirm waiting on 25 takes at least that.
        let grant = escrow::take_block(&mut client, "王家峪", "d1", "XM-5J", 0.1, 25)
            .await
            .unwrap();
        assert_eq!((grant.taken, grant.granted, grant.pool), (25, 35, 65));
        let c = &mut client;
        assert_eq!(
            escrow::give_back(c, "王家峪", "d1", "XM-5J", 5)
                .await
                .unwrap(),
            5
        );
        // The same total again, then an older one: nothing moves.
        assert_eq!(
            escrow::give_back(c, "王家峪", "d1", "XM-5J", 5)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            escrow::give_back(c, "王家峪", "d1", "XM-5J", 3)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            escrow::give_back(c, "王家峪", "d1", "XM-5J", 8)
                .await
                .unwrap(),
            3
        );
        // More than was ever granted is refused by the co-op's CHECK.
        assert!(escrow::give_back(c, "王家峪", "d1", "XM-5J", 36)
            .await
            .is_err());
    });
    assert_eq!(pool_of(&url, "XM-5J"), 73);
}
