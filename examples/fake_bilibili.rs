//! A stand-in for Bilibili's danmaku server on loopback, to drive the real
//! binary by hand (`[source] kind = "bilibili"`, `url` pointed here): it
//! takes the auth packet (op 7) and answers it (op 8, code 0), answers
//! heartbeats (op 2 → op 3), and sends the simulated chat as `DANMU_MSG`
//! commands, a few to a zlib-compressed frame. With `--drop-every N` it
//! hangs up after N messages (and replays the last 20 on the next
//! connection, as relays do), so reconnects can be watched.
//!
//! ```text
//! cargo run --release --example fake_bilibili -- 127.0.0.1:9401 --rate 5 --drop-every 40
//! ```

use futures_util::{SinkExt, StreamExt};
use livestall::chat::bilibili::{decode, encode, op, ver};
use livestall::chat::SimChat;
use std::io::Write;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

fn danmu(id: &str, uid: u64, name: &str, text: &str, ts: i64) -> Vec<u8> {
    let extra = serde_json::json!({"id_str": id, "content": text}).to_string();
    let body = serde_json::json!({
        "cmd": "DANMU_MSG",
        "info": [
            [0, 1, 25, 16_777_215, ts, 0, 0, "", 0, 0, 0, "", 0, "{}", "{}", {"extra": extra}],
            text,
            [uid, name, 0, 0, 0, 10_000, 1, ""]
        ]
    });
    encode(op::COMMAND, ver::PLAIN, body.to_string().as_bytes())
}

fn zlib(packets: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(packets).expect("in memory");
    encode(op::COMMAND, ver::ZLIB, &z.finish().expect("in memory"))
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:9401".into());
    let mut rate = 5.0_f64;
    let mut drop_every: Option<usize> = None;
    while let Some(flag) = args.next() {
        let value = args.next().expect("a value after the flag");
        match flag.as_str() {
            "--rate" => rate = value.parse().expect("--rate: messages a second"),
            "--drop-every" => drop_every = Some(value.parse().expect("--drop-every: messages")),
            other => panic!("unknown flag {other}"),
        }
    }
    let config = livestall::config::parse(
        livestall::config::SAMPLE_CONFIG,
        "config.toml",
        std::path::Path::new("."),
    )
    .expect("the sample config");
    let mut chat = SimChat::new(&config.catalog, 7).with_rate(rate);
    let listener = TcpListener::bind(&addr).await.expect("bind");
    eprintln!("fake bilibili on ws://{addr}/sub");
    let mut sent: Vec<Vec<u8>> = Vec::new();
    loop {
        let (tcp, peer) = listener.accept().await.expect("accept");
        let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
            continue;
        };
        // The auth packet first.
        match ws.next().await {
            Some(Ok(Message::Binary(bytes))) => match decode(&bytes) {
                Ok(packets) if packets.first().is_some_and(|p| p.op == op::AUTH) => {
                    eprintln!("{peer}: auth {}", String::from_utf8_lossy(&packets[0].body));
                }
                _ => continue,
            },
            _ => continue,
        }
        let ok = encode(op::AUTH_REPLY, ver::PLAIN, br#"{"code":0}"#);
        if ws.send(Message::binary(ok)).await.is_err() {
            continue;
        }
        // History again, as a relay replays it after a reconnect.
        for packet in sent.iter().rev().take(20).rev() {
            let _ = ws.send(Message::binary(packet.clone())).await;
        }
        let mut this_connection = 0usize;
        let gap = Duration::from_secs_f64(1.0 / rate.max(0.01));
        loop {
            tokio::select! {
                incoming = ws.next() => match incoming {
                    Some(Ok(Message::Binary(bytes))) => {
                        if decode(&bytes).is_ok_and(|p| p.iter().any(|p| p.op == op::HEARTBEAT)) {
                            let reply = encode(op::HEARTBEAT_REPLY, ver::PLAIN, &1234u32.to_be_bytes());
                            let _ = ws.send(Message::binary(reply)).await;
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                },
                _ = tokio::time::sleep(gap) => {
                    let m = chat.next_message();
                    let ts = livestall::clock::now_ms();
                    let uid = 1000 + (m.user.len() as u64 * 7919) % 100_000;
                    let packet = danmu(&m.id, uid, &m.user, &m.text, ts);
                    sent.push(packet.clone());
                    if ws.send(Message::binary(zlib(&packet))).await.is_err() {
                        break;
                    }
                    this_connection += 1;
                    if drop_every.is_some_and(|n| this_connection >= n) {
                        eprintln!("{peer}: dropping the connection after {this_connection}");
                        break;
                    }
                }
            }
        }
    }
}
