//! The co-op database on a real PostgreSQL (tests/pg_support): opening
//! migrates it once, however many stations start at once; a database from
//! a newer livestall is refused untouched; a wrong password, a missing
//! database and a host nobody listens on are each told as such.

mod pg_support;

use livestall::coop::{schema, Coop, CoopError, Reach};
use pg_support::{coop_config as coop, runtime, sql as psql};

#[test]
fn opening_migrates_once_and_registering_names_each_station() {
    let Some(url) = pg_support::database() else {
        return;
    };
    runtime().block_on(async {
        // Three stations start at the same moment on an empty database.
        let opened = futures_util::future::join_all(
            ["王家峪", "砖壁", "县中心"].map(|s| Coop::open_owned(coop(&url, s))),
        )
        .await;
        for o in &opened {
            assert!(o.is_ok(), "{:?}", o.as_ref().err());
        }
    });
    assert_eq!(
        psql(&url, "SELECT version FROM livestall_schema"),
        schema::VERSION.to_string()
    );
    assert_eq!(psql(&url, "SELECT count(*) FROM livestall_schema"), "1");
    // Opening registers nothing (the hub opens the database too); each
    // station's link registers its desk.
    assert_eq!(psql(&url, "SELECT count(*) FROM stations"), "0");
    runtime().block_on(async {
        let opened = Coop::open(&coop(&url, "王家峪")).await.unwrap();
        let client = opened.client().await.unwrap();
        for (station, desk) in [
            ("王家峪", "a"),
            ("砖壁", "b"),
            ("县中心", "c"),
            ("王家峪", "a"),
        ] {
            livestall::coop::escrow::register_desk(&**client, station, desk, "helper")
                .await
                .unwrap();
        }
    });
    assert_eq!(
        psql(
            &url,
            "SELECT string_agg(station, ',' ORDER BY station) FROM stations"
        ),
        "县中心,王家峪,砖壁"
    );
    assert_eq!(psql(&url, "SELECT count(*) FROM desks"), "3");
}

#[test]
fn a_database_from_a_newer_livestall_is_refused_untouched() {
    let Some(url) = pg_support::database() else {
        return;
    };
    psql(
        &url,
        "CREATE TABLE livestall_schema (version integer NOT NULL);
         INSERT INTO livestall_schema VALUES (99);",
    );
    let error = runtime()
        .block_on(Coop::open(&coop(&url, "王家峪")))
        .err()
        .expect("a newer schema is refused");
    assert_eq!(
        error,
        CoopError::NewerSchema {
            found: 99,
            known: schema::VERSION
        }
    );
    assert!(error.to_string().contains("newer livestall"), "{error}");
    assert!(
        error
            .words(livestall::config::Language::Zh)
            .contains("更新本站的 livestall"),
        "{error}"
    );
    // Nothing was created: not even the station.
    assert_eq!(
        psql(
            &url,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ),
        "1"
    );
}

#[test]
fn a_wrong_password_a_missing_database_and_a_dead_port_are_told_apart() {
    let Some(url) = pg_support::database() else {
        return;
    };
    let wrong = url.replace(pg_support::PASSWORD, "not-the-password");
    let error = runtime()
        .block_on(Coop::open(&coop(&wrong, "王家峪")))
        .err()
        .expect("a wrong password is refused");
    assert_eq!(
        error,
        CoopError::WrongPassword {
            user: pg_support::USER.to_string()
        }
    );
    assert!(!error.to_string().contains("not-the-password"));

    // The password from the environment's variable wins over the url's.
    let mut from_env = coop(&wrong, "王家峪");
    from_env.password = Some(pg_support::PASSWORD.to_string());
    assert!(runtime().block_on(Coop::open(&from_env)).is_ok());

    let (server, _) = url.rsplit_once('/').unwrap();
    let missing = format!("{server}/no_such_coop");
    let error = runtime()
        .block_on(Coop::open(&coop(&missing, "王家峪")))
        .err()
        .expect("a missing database is refused");
    assert_eq!(
        error,
        CoopError::NoDatabase {
            name: "no_such_coop".to_string()
        }
    );

    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = format!("postgres://livestall:x@127.0.0.1:{port}/coop");
    let error = runtime()
        .block_on(Coop::open(&coop(&dead, "王家峪")))
        .err()
        .expect("nobody listens");
    assert_eq!(
        error,
        CoopError::Unreachable {
            address: format!("127.0.0.1:{port}"),
            why: Reach::Refused
        }
    );
    assert!(
        error
            .words(livestall::config::Language::Zh)
            .contains("拒绝连接"),
        "{error}"
    );
}
