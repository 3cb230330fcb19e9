//! Bilibili and Twitch sources end to end: a config's `[source]` started by
//! `chat::spawn` (the path every front end takes) against fake servers that
//! speak each wire protocol (tests/bilibili_support, tests/twitch_support).

mod bilibili_support;
mod twitch_support;

use livestall::chat::bilibili::{encode, op, ver};
use livestall::chat::{spawn, SourceEvent};
use livestall::config::{FieldMap, SourceConfig, SourceKind};
use serde_json::json;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

async fn next_event(rx: &mut mpsc::Receiver<SourceEvent>) -> SourceEvent {
    timeout(LIMIT, rx.recv())
        .await
        .expect("event in time")
        .expect("source running")
}

fn danmu(id: &str, uid: u64, name: &str, text: &str) -> Vec<u8> {
    let extra = json!({"id_str": id, "content": text}).to_string();
    let body = json!({
        "cmd": "DANMU_MSG",
        "info": [
            [0, 1, 25, 16_777_215, 1_717_000_000_123_i64, 0, 0, "", 0, 0, 0, "", 0,
             "{}", "{}", {"extra": extra}],
            text,
            [uid, name, 0, 0, 0, 10_000, 1, ""]
        ]
    });
    encode(op::COMMAND, ver::PLAIN, body.to_string().as_bytes())
}

#[tokio::test]
async fn a_bilibili_room_is_read_through_spawn() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/sub", listener.local_addr().unwrap());
    // Two danmu in one frame, and the first again in a later one (a replay).
    let mut both = danmu("d1", 7, "晋中李姐", "小米来两袋");
    both.extend(danmu("d2", 8, "阿强", "核桃一袋"));
    let server = tokio::spawn(bilibili_support::serve_one(
        listener,
        0,
        vec![both, danmu("d1", 7, "晋中李姐", "小米来两袋")],
    ));
    let (tx, mut rx) = mpsc::channel(16);
    let (stop_tx, stop_rx) = watch::channel(false);
    let source = SourceConfig {
        name: "json".into(),
        kind: SourceKind::Bilibili {
            room: 21_452_505,
            key: "token".into(),
            uid: 42,
            buvid: None,
        },
        url,
        fields: FieldMap::default(),
    };
    let task = spawn(source, tx, stop_rx);
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    for (id, user, text) in [("d1", "晋中李姐", "小米来两袋"), ("d2", "阿强", "核桃一袋")]
    {
        match next_event(&mut rx).await {
            SourceEvent::Message(m) => {
                assert_eq!(
                    (m.id.as_str(), m.user.as_str(), m.text.as_str()),
                    (id, user, text)
                )
            }
            other => panic!("{other:?}"),
        }
    }
    // The replayed d1 is dropped: nothing more arrives.
    assert!(timeout(Duration::from_millis(300), rx.recv())
        .await
        .is_err());
    stop_tx.send(true).unwrap();
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
    let seen = timeout(LIMIT, server)
        .await
        .unwrap()
        .unwrap()
        .expect("served");
    assert_eq!(seen.auth["roomid"], 21_452_505);
    assert_eq!(seen.auth["key"], "token");
}

#[tokio::test]
async fn a_twitch_channel_is_read_through_spawn_and_pings_are_answered() {
    use twitch_support::{Act, Greeting};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let (tx, mut rx) = mpsc::channel(16);
    let (stop_tx, stop_rx) = watch::channel(false);
    let source = SourceConfig {
        name: "json".into(),
        kind: SourceKind::Twitch {
            channel: "somefarm".into(),
        },
        url,
        fields: FieldMap::default(),
    };
    let task = spawn(source, tx, stop_rx);
    let privmsg = |id: &str, name: &str, text: &str| {
        format!(
            "@badge-info=;color=#1E90FF;display-name={name};id={id};tmi-sent-ts=1717000000123;user-id=123 \
             :{login}!{login}@{login}.tmi.twitch.tv PRIVMSG #somefarm :{text}",
            login = name.to_lowercase()
        )
    };
    let script = vec![
        Act::Send(vec![
            privmsg("t1", "Tom", "walnut x2"),
            privmsg("t2", "Amy", "sold 3"),
        ]),
        Act::Ping("tmi.twitch.tv".into()),
        Act::line(privmsg("t3", "Tom", "millet 1")),
    ];
    let login = timeout(
        LIMIT,
        twitch_support::serve_one(&listener, Greeting::Welcome, script),
    )
    .await
    .unwrap()
    .expect("served");
    assert_eq!(login.channel.as_deref(), Some("#somefarm"));
    assert_eq!(login.pongs, 1);
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    let mut ids = Vec::new();
    while ids.len() < 3 {
        if let SourceEvent::Message(m) = next_event(&mut rx).await {
            ids.push(m.id);
        }
    }
    assert_eq!(ids, ["t1", "t2", "t3"]);
    stop_tx.send(true).unwrap();
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
}
