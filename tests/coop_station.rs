//! A station's SQLite store and the co-op on a real PostgreSQL together:
//! a product joins (its stock to the pool), the desk sells only what it
//! was granted, the outbox is pushed in order and a push repeated changes
//! nothing, and units given back reach the pool once.

mod pg_support;

use livestall::coop::{escrow, push, Coop};
use livestall::store::{reply, Refusal, Store};
use pg_support::{coop_config, millet, sql as psql};

async fn order(store: &Store, msg_id: &str, user: &str, qty: u32) -> Result<(), Refusal> {
    pg_support::record_order(store, msg_id, user, qty);
    pg_support::confirm_order(store, msg_id, user, qty).await
}

#[test]
fn a_desk_sells_its_grant_pushes_in_order_and_gives_back_once() {
    let Some(url) = pg_support::database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("shop.db"), &millet(300)).unwrap();
    let rt = pg_support::runtime();
    rt.block_on(async {
        let coop = Coop::open(&coop_config(&url, "王家峪")).await.unwrap();
        let mut client = coop.client().await.unwrap();
        let desk = reply(store.desk()).await.unwrap();
        assert_eq!(reply(store.desk()).await.unwrap(), desk, "made once");
        escrow::register_desk(&**client, "王家峪", &desk, "小李")
            .await
            .unwrap();

        // Join: the first station seeds the pool with its stock, which
        // leaves the station for the pool.
        let ledger = reply(store.ledger()).await.unwrap();
        let seeds: Vec<_> = ledger
            .rows
            .iter()
            .map(|row| escrow::SeedProduct {
                sku: row.sku.clone(),
                name: "太行小米 5斤装".into(),
                unit: "袋".into(),
                price_fen: 3990,
                stock: row.stock,
            })
            .collect();
        escrow::seed(&**client, "王家峪", &seeds).await.unwrap();
        let joined = reply(store.coop_join(vec!["XM-5J".into()], "小李"))
            .await
            .unwrap();
        assert_eq!(joined, [("XM-5J".to_string(), 300)]);
        assert!(reply(store.coop_join(vec!["XM-5J".into()], "小李"))
            .await
            .unwrap()
            .is_empty());

        // Nothing granted yet: nothing to sell (the order waits in line).
        let refused = order(&store, "m0", "阿花", 1).await;
        assert!(
            matches!(refused, Err(Refusal::Waitlisted { left: 0, .. })),
            "{refused:?}"
        );

        // A block of a tenth: 30 bags, applied once however often told.
        let grant = escrow::take_block(&mut client, "王家峪", &desk, "XM-5J", 0.1, 1)
            .await
            .unwrap();
        assert_eq!((grant.taken, grant.pool), (30, 270));
        assert_eq!(
            reply(store.coop_grant("XM-5J", grant.granted, "小李"))
                .await
                .unwrap(),
            30
        );
        assert_eq!(
            reply(store.coop_grant("XM-5J", grant.granted, "小李"))
                .await
                .unwrap(),
            0
        );

        order(&store, "m1", "阿花", 2).await.unwrap();
        order(&store, "m2", "李姐", 3).await.unwrap();
        let row = &reply(store.ledger()).await.unwrap().rows[0];
        assert_eq!((row.stock, row.granted, row.returned), (25, 30, 0));

        // Push the outbox; then the same batch again.
        let after = push::pushed_seq(&**client, "王家峪", &desk).await.unwrap();
        assert_eq!(after, 0);
        let batch = reply(store.outbox(after, 500)).await.unwrap();
        let actions: Vec<&str> = batch.events.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"coop_joined") && actions.contains(&"coop_granted"),
            "{actions:?}"
        );
        assert_eq!(batch.orders.len(), 2);
        let first = push::push(&mut client, "王家峪", &desk, &batch)
            .await
            .unwrap();
        assert_eq!(first.events, batch.events.len() as u64);
        assert_eq!(Some(first.seq), batch.last_seq());
        let again = push::push(&mut client, "王家峪", &desk, &batch)
            .await
            .unwrap();
        assert_eq!((again.events, again.seq), (0, first.seq));
        assert_eq!(reply(store.outbox_backlog(first.seq)).await.unwrap(), 0);

        // Give back all but 5: here first, then the co-op, told twice.
        let (returned, back) = reply(store.coop_give_back("XM-5J", 5, "小李"))
            .await
            .unwrap();
        assert_eq!((returned, back), (20, 20));
        for _ in 0..2 {
            escrow::give_back(&mut client, "王家峪", &desk, "XM-5J", returned)
                .await
                .unwrap();
        }
        // The give-back is an audit row too: the next push carries it.
        let batch = reply(store.outbox(first.seq, 500)).await.unwrap();
        assert_eq!(batch.events.len(), 1);
        assert_eq!(batch.events[0].action, "coop_returned");
        push::push(&mut client, "王家峪", &desk, &batch)
            .await
            .unwrap();
    });
    // The pool, what the desk holds and what it sold add up to the stock.
    assert_eq!(psql(&url, "SELECT pool FROM products"), "290");
    assert_eq!(
        psql(&url, "SELECT granted - returned FROM allocations"),
        "10",
        "5 on hand and 5 sold"
    );
    assert_eq!(
        psql(
            &url,
            "SELECT count(*), sum(qty) FROM orders WHERE status = 'confirmed'"
        ),
        "2|5"
    );
    assert_eq!(
        psql(
            &url,
            "SELECT string_agg(user_name, ',' ORDER BY order_id) FROM orders"
        ),
        "阿花,李姐"
    );
}
