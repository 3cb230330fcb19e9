//! Bilibili's danmaku protocol (src/chat/bilibili.rs) against frames built
//! the way the server builds them: commands as plain packets, packed into a
//! zlib (protover 2) or brotli (protover 3) body, several to a frame; the
//! auth and heartbeat replies; frames that lie; a recorded-looking frame
//! file; and a fake server spoken to over a real websocket.

mod bilibili_support;

use livestall::chat::bilibili::{decode, encode, op, ver, Bilibili, DecodeError, Packet};
use livestall::chat::protocol::{Frame, Protocol, Step};
use livestall::chat::ChatMessage;
use serde_json::{json, Value};
use std::io::Write;

const ROOM: u64 = 21_452_505;
const TS: i64 = 1_717_000_000_123;

/// A `DANMU_MSG` command shaped like the server's: `info[0]` the meta array
/// (ms time at 4, the `extra` JSON string at 15), text, sender.
fn danmu(cmd: &str, id_str: Option<&str>, uid: u64, name: &str, text: &str, ts: i64) -> Value {
    let mut extra = json!({
        "send_from_me": false, "mode": 0, "color": 16_777_215, "dm_type": 0,
        "font_size": 25, "content": text, "user_hash": "2718923054",
        "emoticon_unique": "", "is_audited": false, "reply_mid": 0,
    });
    if let Some(id) = id_str {
        extra["id_str"] = Value::from(id);
    }
    json!({
        "cmd": cmd,
        "info": [
            [0, 1, 25, 16_777_215, ts, 1_717_000_000, 0, "a1b2c3d4", 0, 0, 0, "", 0,
             "{}", "{}", {"mode": 0, "show_player_type": 0, "extra": extra.to_string()},
             {"activity_identity": "", "activity_source": 0, "not_show": 0}, 0],
            text,
            [uid, name, 0, 0, 0, 10_000, 1, ""],
            [21, "牌子", "主播", ROOM, 1_725_515, "", 0],
            [11, 0, 6_406_234, ">50000", 0],
            ["", ""], 0, 0, null,
            {"ts": ts / 1000, "ct": "6B1C5C1A"}, 0, 0, null, null, 0, 105
        ],
        "dm_v2": ""
    })
}

fn gift() -> Value {
    json!({"cmd": "SEND_GIFT", "data": {"uid": 9, "uname": "送礼的人", "giftName": "辣条", "num": 1}})
}

fn command(value: &Value) -> Vec<u8> {
    encode(op::COMMAND, ver::PLAIN, value.to_string().as_bytes())
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(bytes).unwrap();
    z.finish().unwrap()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        w.write_all(bytes).unwrap();
    }
    out
}

/// Reads one binary frame with a fresh protocol.
fn read(bili: &mut Bilibili, frame: Vec<u8>) -> (Result<(), String>, Vec<Step>) {
    let mut out = Vec::new();
    let result = bili.read(Frame::Binary(frame), &mut out);
    (result, out)
}

fn chats(steps: &[Step]) -> Vec<&ChatMessage> {
    steps
        .iter()
        .map(|s| match s {
            Step::Chat(m) => m,
            other => panic!("expected only chat, got {other:?}"),
        })
        .collect()
}

fn room() -> Bilibili {
    Bilibili::new(ROOM, "tok", 5, Some("buvid-1".into()))
}

#[test]
fn an_accepting_auth_reply_asks_for_nothing() {
    let reply = encode(op::AUTH_REPLY, ver::HEADER_DEFAULT, br#"{"code":0}"#);
    assert_eq!(read(&mut room(), reply), (Ok(()), vec![]));
}

#[test]
fn a_refusing_auth_reply_is_a_refusal_naming_the_code() {
    let reply = encode(op::AUTH_REPLY, ver::HEADER_DEFAULT, br#"{"code":-101}"#);
    let (result, steps) = read(&mut room(), reply);
    assert_eq!(result, Ok(()));
    let [Step::Refused(why)] = steps.as_slice() else {
        panic!("expected one refusal, got {steps:?}");
    };
    assert!(why.contains("code -101"), "{why}");

    let reply = encode(op::AUTH_REPLY, ver::HEADER_DEFAULT, br#"{"code":1}"#);
    let (_, steps) = read(&mut room(), reply);
    assert!(matches!(steps.as_slice(), [Step::Refused(w)] if w.contains("code 1")));

    let garbled = encode(op::AUTH_REPLY, ver::HEADER_DEFAULT, b"<html>");
    assert!(read(&mut room(), garbled).0.is_err());
}

#[test]
fn a_heartbeat_reply_with_its_echo_is_read_quietly() {
    let mut reply = encode(
        op::HEARTBEAT_REPLY,
        ver::HEADER_DEFAULT,
        &77u32.to_be_bytes(),
    );
    // The server echoes the client's body past the declared length.
    reply.extend_from_slice(b"[object Object]");
    assert_eq!(read(&mut room(), reply), (Ok(()), vec![]));
}

#[test]
fn the_heartbeat_is_op_2_every_30_seconds() {
    let (every, Frame::Binary(frame)) = room().heartbeat().unwrap() else {
        panic!("binary heartbeat");
    };
    assert_eq!(every.as_secs(), 30);
    let packets = decode(&frame).unwrap();
    assert_eq!(packets.len(), 1);
    assert_eq!(packets[0].op, op::HEARTBEAT);
}

#[test]
fn a_zlib_frame_of_three_danmu_gives_three_messages_in_order() {
    let inner: Vec<u8> = [
        danmu("DANMU_MSG", Some("id-a"), 11, "阿明", "苹果 2 斤", TS),
        danmu("DANMU_MSG", Some("id-b"), 12, "小红", "+1", TS + 5),
        danmu("DANMU_MSG", Some("id-c"), 13, "老李", "梨要三箱", TS + 9),
    ]
    .iter()
    .flat_map(command)
    .collect();
    let frame = encode(op::COMMAND, ver::ZLIB, &zlib(&inner));

    let (result, steps) = read(&mut room(), frame);
    assert_eq!(result, Ok(()));
    let got = chats(&steps);
    assert_eq!(
        got[0],
        &ChatMessage {
            id: "id-a".into(),
            user: "阿明".into(),
            user_id: Some("11".into()),
            text: "苹果 2 斤".into(),
            ts: Some(TS),
        }
    );
    let summary: Vec<_> = got
        .iter()
        .map(|m| (m.id.as_str(), m.user.as_str(), m.text.as_str(), m.ts))
        .collect();
    assert_eq!(
        summary,
        [
            ("id-a", "阿明", "苹果 2 斤", Some(TS)),
            ("id-b", "小红", "+1", Some(TS + 5)),
            ("id-c", "老李", "梨要三箱", Some(TS + 9)),
        ]
    );
}

#[test]
fn a_brotli_frame_with_nested_packets_skips_other_commands() {
    let inner: Vec<u8> = [
        json!({"cmd": "INTERACT_WORD", "data": {"uname": "进场的人"}}),
        danmu("DANMU_MSG", Some("b-1"), 21, "甲", "来两袋米", TS),
        gift(),
        danmu("DANMU_MSG", Some("b-2"), 22, "乙", "我也要", TS + 1),
        json!({"cmd": "ONLINE_RANK_COUNT", "data": {"count": 300}}),
    ]
    .iter()
    .flat_map(command)
    .collect();
    // Two brotli packets back to back, then a plain one, in one frame.
    let mut frame = encode(op::COMMAND, ver::BROTLI, &brotli(&inner));
    let second: Vec<u8> = command(&danmu("DANMU_MSG", Some("b-3"), 23, "丙", "三斤", TS + 2));
    frame.extend(encode(op::COMMAND, ver::BROTLI, &brotli(&second)));
    frame.extend(command(&danmu(
        "DANMU_MSG",
        Some("b-4"),
        24,
        "丁",
        "四斤",
        TS + 3,
    )));

    let (result, steps) = read(&mut room(), frame);
    assert_eq!(result, Ok(()));
    let ids: Vec<_> = chats(&steps).iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids, ["b-1", "b-2", "b-3", "b-4"]);
}

#[test]
fn danmu_with_a_suffix_is_still_danmu() {
    let frame = command(&danmu(
        "DANMU_MSG:4:0:2:2:2:0",
        Some("s-1"),
        31,
        "后缀",
        "要一箱",
        TS,
    ));
    let (result, steps) = read(&mut room(), frame);
    assert_eq!(result, Ok(()));
    assert_eq!(chats(&steps)[0].text, "要一箱");

    // A command that only starts with the same letters is not danmu.
    let other = command(&json!({"cmd": "DANMU_MSGX", "info": []}));
    assert_eq!(read(&mut room(), other), (Ok(()), vec![]));
}

#[test]
fn danmu_without_extra_gets_a_stable_id_from_room_uid_time_and_text() {
    let id_of = |bili: &mut Bilibili, uid: u64, text: &str, ts: i64| {
        let mut value = danmu("DANMU_MSG", None, uid, "名", text, ts);
        // No info[0][15] at all.
        value["info"][0].as_array_mut().unwrap().truncate(15);
        let (result, steps) = read(bili, command(&value));
        assert_eq!(result, Ok(()));
        chats(&steps)[0].id.clone()
    };
    let first = id_of(&mut room(), 41, "两斤", TS);
    // A fresh connection (a reconnect) derives the same id.
    assert_eq!(first, id_of(&mut room(), 41, "两斤", TS));
    assert_ne!(first, id_of(&mut room(), 42, "两斤", TS));
    assert_ne!(first, id_of(&mut room(), 41, "三斤", TS));
    assert_ne!(first, id_of(&mut room(), 41, "两斤", TS + 1));
    let mut other_room = Bilibili::new(ROOM + 1, "tok", 5, None);
    assert_ne!(first, id_of(&mut other_room, 41, "两斤", TS));

    // `extra` present but without id_str (or not JSON) falls back the same way.
    let no_id = danmu("DANMU_MSG", None, 41, "名", "两斤", TS);
    assert_eq!(chats(&read(&mut room(), command(&no_id)).1)[0].id, first);
    let mut bad_extra = no_id.clone();
    bad_extra["info"][0][15]["extra"] = Value::from("{not json");
    assert_eq!(
        chats(&read(&mut room(), command(&bad_extra)).1)[0].id,
        first
    );

    // `extra` as an object rather than a string is read the same way.
    let mut object_extra = no_id;
    object_extra["info"][0][15]["extra"] = json!({"id_str": "obj-1"});
    assert_eq!(
        chats(&read(&mut room(), command(&object_extra)).1)[0].id,
        "obj-1"
    );
}

#[test]
fn anonymous_connections_keep_masked_names_without_a_user_id() {
    let mut anon = Bilibili::new(ROOM, "tok", 0, None);
    assert!(anon.masked_names());
    let frame = command(&danmu("DANMU_MSG", Some("m-1"), 0, "张**", "来一斤", TS));
    let (_, steps) = read(&mut anon, frame);
    let message = chats(&steps)[0];
    assert_eq!(message.user, "张**");
    assert_eq!(message.user_id, None);
}

#[test]
fn text_frames_are_not_this_protocol() {
    let mut out = Vec::new();
    assert!(room()
        .read(Frame::Text(r#"{"cmd":"DANMU_MSG"}"#.into()), &mut out)
        .is_err());
    assert!(out.is_empty());
}

#[test]
fn a_lying_length_is_an_error_not_a_panic() {
    let good = command(&danmu("DANMU_MSG", Some("l-1"), 1, "n", "t", TS));
    for declared in [0u32, 1, 15, good.len() as u32 + 1, u32::MAX] {
        let mut lying = good.clone();
        lying[..4].copy_from_slice(&declared.to_be_bytes());
        let (result, steps) = read(&mut room(), lying);
        assert!(result.is_err(), "declared {declared}");
        assert!(steps.is_empty());
    }
    // A lie inside a compressed body is caught the same way.
    let mut inner = good.clone();
    inner[..4].copy_from_slice(&u32::MAX.to_be_bytes());
    let frame = encode(op::COMMAND, ver::ZLIB, &zlib(&inner));
    assert!(matches!(
        decode(&frame),
        Err(DecodeError::PacketLength { .. })
    ));
    // A truncated compressed body is an error too.
    let whole = zlib(&good);
    let frame = encode(op::COMMAND, ver::ZLIB, &whole[..whole.len() / 2]);
    assert!(decode(&frame).is_err());
}

#[test]
fn decompression_past_the_cap_is_an_error() {
    // 9 MiB of zeros compresses to a few KiB: a small frame, a big bomb.
    let bomb = vec![0u8; 9 << 20];
    for frame in [
        encode(op::COMMAND, ver::ZLIB, &zlib(&bomb)),
        encode(op::COMMAND, ver::BROTLI, &brotli(&bomb)),
    ] {
        assert!(frame.len() < 64 << 10, "{}", frame.len());
        assert_eq!(decode(&frame), Err(DecodeError::TooLarge));
    }
    // The cap is for the whole frame: two bodies of 5 MiB (each one well
    // formed on its own) exceed it together.
    let half = encode(op::COMMAND, ver::PLAIN, &vec![b' '; 5 << 20]);
    let one = encode(op::COMMAND, ver::ZLIB, &zlib(&half));
    assert_eq!(decode(&one).map(|p| p.len()), Ok(1));
    let mut frame = encode(op::COMMAND, ver::ZLIB, &zlib(&half));
    frame.extend(encode(op::COMMAND, ver::ZLIB, &zlib(&half)));
    assert_eq!(decode(&frame), Err(DecodeError::TooLarge));
}

#[test]
fn one_bad_command_does_not_hide_the_others() {
    let mut frame = command(&danmu("DANMU_MSG", Some("g-1"), 1, "n", "好", TS));
    frame.extend(encode(op::COMMAND, ver::PLAIN, b"{broken"));
    frame.extend(command(
        &json!({"cmd": "DANMU_MSG", "info": "not an array"}),
    ));
    frame.extend(command(&danmu(
        "DANMU_MSG",
        Some("g-2"),
        1,
        "n",
        "也好",
        TS,
    )));
    let (result, steps) = read(&mut room(), frame);
    assert!(result.is_err());
    let ids: Vec<_> = chats(&steps).iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids, ["g-1", "g-2"]);
}

// The recorded-looking fixture. Generated by `write_fixture` below from this
// file's encoder, not captured from Bilibili; its layout is documented in the
// file's own comment lines.
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/bilibili/danmu-brotli-frame.hex"
);

fn fixture_frame() -> Vec<u8> {
    let inner: Vec<u8> = [
        json!({"cmd": "WATCHED_CHANGE", "data": {"num": 1520, "text_small": "1520"}}),
        danmu(
            "DANMU_MSG",
            Some("5e1f0c27d1b3a0e4"),
            3_546_381,
            "果园阿姨",
            "红富士 5斤 一箱",
            TS,
        ),
        gift(),
        danmu(
            "DANMU_MSG:4:0:2:2:2:0",
            Some("5e1f0c27d1b3a0e5"),
            0,
            "买***",
            "两箱 发顺丰",
            TS + 2_500,
        ),
    ]
    .iter()
    .flat_map(command)
    .collect();
    encode(op::COMMAND, ver::BROTLI, &brotli(&inner))
}

/// Rewrites the fixture: `cargo test --test bilibili_protocol -- --ignored`.
#[test]
#[ignore]
fn write_fixture() {
    let frame = fixture_frame();
    let mut text = String::from(
        "# One websocket binary frame as Bilibili sends danmaku, GENERATED by\n\
         # tests/bilibili_protocol.rs (write_fixture) with livestall's encoder;\n\
         # not captured from Bilibili. Lines starting with # are comments; the\n\
         # rest is hex. Layout: one packet, header (big-endian) = packet length\n\
         # u32, header length u16 = 16, protocol version u16 = 3 (brotli),\n\
         # operation u32 = 5 (command), sequence u32 = 1; its body brotli-\n\
         # decompresses to four plain packets (version 0, op 5), each a JSON\n\
         # command: WATCHED_CHANGE, DANMU_MSG (id_str 5e1f0c27d1b3a0e4),\n\
         # SEND_GIFT, DANMU_MSG:4:0:2:2:2:0 (anonymous: uid 0, masked name).\n",
    );
    for line in frame.chunks(32) {
        for byte in line {
            text.push_str(&format!("{byte:02x}"));
        }
        text.push('\n');
    }
    std::fs::create_dir_all(std::path::Path::new(FIXTURE).parent().unwrap()).unwrap();
    std::fs::write(FIXTURE, text).unwrap();
}

#[test]
fn the_recorded_frame_fixture_reads_as_two_messages() {
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let hex: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    let frame: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();

    let packets = decode(&frame).unwrap();
    assert_eq!(packets.len(), 4);
    assert!(packets.iter().all(|p| p.op == op::COMMAND && p.ver == 0));

    let (result, steps) = read(&mut room(), frame);
    assert_eq!(result, Ok(()));
    assert_eq!(
        chats(&steps),
        [
            &ChatMessage {
                id: "5e1f0c27d1b3a0e4".into(),
                user: "果园阿姨".into(),
                user_id: Some("3546381".into()),
                text: "红富士 5斤 一箱".into(),
                ts: Some(TS),
            },
            &ChatMessage {
                id: "5e1f0c27d1b3a0e5".into(),
                user: "买***".into(),
                user_id: None,
                text: "两箱 发顺丰".into(),
                ts: Some(TS + 2_500),
            },
        ]
    );
}

#[tokio::test]
async fn the_fake_server_speaks_to_a_plain_client() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let frames = vec![
        encode(
            op::COMMAND,
            ver::ZLIB,
            &zlib(&command(&danmu(
                "DANMU_MSG",
                Some("f-1"),
                7,
                "甲",
                "一斤",
                TS,
            ))),
        ),
        fixture_frame(),
    ];
    let server = tokio::spawn(bilibili_support::serve_one(listener, 0, frames));

    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/sub"))
        .await
        .unwrap();
    let mut bili = room();
    for frame in bili.opening() {
        let Frame::Binary(bytes) = frame else {
            panic!("binary opening")
        };
        ws.send(Message::binary(bytes)).await.unwrap();
    }

    let mut steps = Vec::new();
    // Auth reply, then the two frames.
    for _ in 0..3 {
        let frame = next_binary(&mut ws).await;
        bili.read(Frame::Binary(frame), &mut steps).unwrap();
    }
    let ids: Vec<_> = chats(&steps).iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids, ["f-1", "5e1f0c27d1b3a0e4", "5e1f0c27d1b3a0e5"]);

    let (_, Frame::Binary(beat)) = bili.heartbeat().unwrap() else {
        panic!("binary heartbeat")
    };
    ws.send(Message::binary(beat)).await.unwrap();
    let reply = next_binary(&mut ws).await;
    let packets = decode(&reply).unwrap();
    assert_eq!(
        packets,
        [Packet {
            ver: ver::HEADER_DEFAULT,
            op: op::HEARTBEAT_REPLY,
            seq: 1,
            body: bilibili_support::POPULARITY.to_be_bytes().to_vec(),
        }]
    );
    let mut quiet = Vec::new();
    bili.read(Frame::Binary(reply), &mut quiet).unwrap();
    assert!(quiet.is_empty());

    ws.close(None).await.unwrap();
    let seen = server.await.unwrap().unwrap();
    assert_eq!(seen.heartbeats, 1);
    assert_eq!(seen.auth["roomid"], ROOM);
    assert_eq!(seen.auth["key"], "tok");
    assert_eq!(seen.auth["protover"], 3);
    assert_eq!(seen.auth["buvid"], "buvid-1");
}

async fn next_binary(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Vec<u8> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    match ws.next().await {
        Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
        other => panic!("expected a binary frame, got {other:?}"),
    }
}

#[tokio::test]
async fn the_fake_server_refuses_a_bad_key() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(bilibili_support::serve_one(listener, -101, vec![]));
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/sub"))
        .await
        .unwrap();
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut bili = room();
    let Frame::Binary(auth) = bili.opening().remove(0) else {
        panic!("binary opening")
    };
    ws.send(Message::binary(auth)).await.unwrap();
    let reply = next_binary(&mut ws).await;
    let mut steps = Vec::new();
    bili.read(Frame::Binary(reply), &mut steps).unwrap();
    assert!(matches!(steps.as_slice(), [Step::Refused(w)] if w.contains("-101")));
    server.await.unwrap().unwrap();
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// Bytes that often start like a real header, so the fuzzing reaches
    /// the body and decompression paths instead of failing on byte one.
    fn frame_bytes() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..256),
            (
                any::<u32>(),
                0u16..40,
                0u16..5,
                0u32..10,
                proptest::collection::vec(any::<u8>(), 0..256)
            )
                .prop_map(|(len, header, v, op, body)| {
                    let len = if len % 2 == 0 {
                        16 + body.len() as u32
                    } else {
                        len
                    };
                    let mut bytes = Vec::new();
                    bytes.extend_from_slice(&len.to_be_bytes());
                    bytes.extend_from_slice(&header.to_be_bytes());
                    bytes.extend_from_slice(&v.to_be_bytes());
                    bytes.extend_from_slice(&op.to_be_bytes());
                    bytes.extend_from_slice(&1u32.to_be_bytes());
                    bytes.extend_from_slice(&body);
                    bytes
                }),
            // Well compressed bodies of arbitrary bytes, so the packets
            // inside a decompressed body are fuzzed too.
            (
                any::<bool>(),
                proptest::collection::vec(any::<u8>(), 0..256)
            )
                .prop_map(|(use_brotli, inner)| if use_brotli {
                    encode(op::COMMAND, ver::BROTLI, &brotli(&inner))
                } else {
                    encode(op::COMMAND, ver::ZLIB, &zlib(&inner))
                }),
        ]
    }

    proptest! {
        /// Arbitrary bytes never panic the decoder or the protocol, and
        /// every packet decode returns has a plain body.
        #[test]
        fn arbitrary_frames_never_panic(bytes in frame_bytes()) {
            if let Ok(packets) = decode(&bytes) {
                prop_assert!(packets.iter().all(|p| p.ver <= 1));
            }
            let mut out = Vec::new();
            let _ = room().read(Frame::Binary(bytes), &mut out);
        }

        /// Whatever plain packets are encoded, decode gives them back.
        #[test]
        fn encode_then_decode_round_trips(
            bodies in proptest::collection::vec(
                (0u32..20, proptest::collection::vec(any::<u8>(), 0..64)), 0..6)
        ) {
            let frame: Vec<u8> = bodies
                .iter()
                .flat_map(|(op, body)| encode(*op, ver::PLAIN, body))
                .collect();
            let packets = decode(&frame).unwrap();
            // Decoding stops after a heartbeat reply (its echo follows it).
            let expected: Vec<_> = bodies
                .iter()
                .scan(false, |stop, (op, body)| {
                    let keep = !*stop;
                    *stop |= *op == op::HEARTBEAT_REPLY;
                    keep.then(|| (*op, body.clone()))
                })
                .collect();
            let got: Vec<_> = packets.into_iter().map(|p| (p.op, p.body)).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
