//! Bilibili's live danmaku protocol over one websocket connection: the packet
//! codec (16-byte big-endian headers, plain, zlib and brotli bodies, packets
//! nested inside compressed bodies) and the `Protocol` state machine that
//! authenticates, keeps the heartbeat and turns `DANMU_MSG` commands into
//! `ChatMessage`s. The connection itself is the shared websocket loop's.
//!
//! The wire format as read from public descriptions of it, not guessed:
//! - bilibili-API-collect, `live/message_stream.md`: the header layout
//!   (packet length u32, header length u16 = 16, protocol version u16,
//!   operation u32, sequence u32, all big-endian), the operations
//!   (2 heartbeat, 3 heartbeat reply with a u32 popularity, 5 command,
//!   7 auth, 8 auth reply) and the auth body (`uid`, `roomid`, `protover`,
//!   `platform`, `type`, `key`, `buvid`).
//! - xfgryujk/blivedm, `blivedm/clients/ws_base.py`: protocol versions
//!   (0 plain JSON, 1 the header default / popularity, 2 zlib, 3 brotli),
//!   the decompressed body being packets again, several packets back to back
//!   in one frame, the auth reply `{"code":0}` (-101 is a bad token), and a
//!   heartbeat reply whose declared length leaves out bytes the server echoes
//!   after it.
//! - bilive_client's `danmaku.d.ts` and blivedm's `models/web.py`: the
//!   `DANMU_MSG` `info` array (text `info[1]`, uid `info[2][0]`, name
//!   `info[2][1]`, ms time `info[0][4]`, and `info[0][15]` an object whose
//!   `extra` is a JSON string carrying `id_str`; blivedm's `extra_dict`
//!   shows a recorded one and also takes `extra` as an object).
//!
//! Everything here reads untrusted bytes: every length is checked against
//! what is really there before it is used, nothing is allocated from a
//! declared size, and decompression is capped per frame.

use super::frame::{derived_id, MAX_ID_CHARS, MAX_TEXT_CHARS, MAX_USER_CHARS};
use super::protocol::{Frame, Protocol, Step};
use super::ChatMessage;
use serde_json::{json, Value};
use std::io::Read;
use std::time::Duration;

/// Every header is 16 bytes.
pub const HEADER_LEN: usize = 16;
/// Most bytes all compressed bodies in one frame may decompress to, together.
/// Real frames decompress to a few KiB; the cap stops a compression bomb.
pub const MAX_DECOMPRESSED: usize = 8 << 20;
/// Compressed bodies nest once in practice (a compressed body of plain
/// packets); a little slack, and no unbounded recursion.
const MAX_NESTING: usize = 3;
/// How often the client must send op 2: the server drops a connection
/// silent for about 70 s, and clients send every 30 s.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(30);
/// Milliseconds past this (about the year 33658) are not a real send time.
const MAX_TS_MS: i64 = 1_000_000_000_000_000;
/// The heartbeat body the web client sends (a JavaScript object stringified).
pub const HEARTBEAT_BODY: &[u8] = b"[object Object]";

/// Operations (the header's `operation` field).
pub mod op {
    pub const HEARTBEAT: u32 = 2;
    pub const HEARTBEAT_REPLY: u32 = 3;
    pub const COMMAND: u32 = 5;
    pub const AUTH: u32 = 7;
    pub const AUTH_REPLY: u32 = 8;
}

/// Protocol versions (the header's `protocol version` field): how the body
/// is encoded.
pub mod ver {
    /// Plain JSON.
    pub const PLAIN: u16 = 0;
    /// What clients put in their own headers; the body is plain, and a
    /// heartbeat reply's is a u32.
    pub const HEADER_DEFAULT: u16 = 1;
    /// zlib; the inflated body is packets.
    pub const ZLIB: u16 = 2;
    /// brotli; the decompressed body is packets.
    pub const BROTLI: u16 = 3;
}

/// One packet with a plain body: compressed packets are replaced by the
/// packets inside them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub ver: u16,
    pub op: u32,
    pub seq: u32,
    pub body: Vec<u8>,
}

/// Why bytes could not be read as packets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("{0} bytes left, too few for a 16-byte header")]
    ShortHeader(usize),
    #[error("header length {0} is not 16..=packet length")]
    HeaderLength(u16),
    #[error("packet length {declared} with {available} bytes left")]
    PacketLength { declared: u32, available: usize },
    #[error("unknown protocol version {0}")]
    UnknownVersion(u16),
    #[error("{0} body does not decompress: {1}")]
    Decompress(&'static str, String),
    #[error("compressed bodies decompress to more than {MAX_DECOMPRESSED} bytes")]
    TooLarge,
    #[error("compressed bodies nested more than {MAX_NESTING} deep")]
    TooDeep,
}

/// One packet: a 16-byte header then `body`. Sequence 1, as clients send.
pub fn encode(op: u32, protover: u16, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(HEADER_LEN + body.len()).expect("a packet under 4 GiB");
    let mut packet = Vec::with_capacity(HEADER_LEN + body.len());
    packet.extend_from_slice(&len.to_be_bytes());
    packet.extend_from_slice(&(HEADER_LEN as u16).to_be_bytes());
    packet.extend_from_slice(&protover.to_be_bytes());
    packet.extend_from_slice(&op.to_be_bytes());
    packet.extend_from_slice(&1u32.to_be_bytes());
    packet.extend_from_slice(body);
    packet
}

/// Reads one websocket binary frame: packets back to back, compressed
/// bodies opened and the packets inside them read in their place.
pub fn decode(frame: &[u8]) -> Result<Vec<Packet>, DecodeError> {
    let mut packets = Vec::new();
    let mut budget = MAX_DECOMPRESSED;
    decode_into(frame, 0, &mut budget, &mut packets)?;
    Ok(packets)
}

fn decode_into(
    mut bytes: &[u8],
    depth: usize,
    budget: &mut usize,
    out: &mut Vec<Packet>,
) -> Result<(), DecodeError> {
    while !bytes.is_empty() {
        let header: &[u8; HEADER_LEN] = bytes
            .get(..HEADER_LEN)
            .and_then(|h| h.try_into().ok())
            .ok_or(DecodeError::ShortHeader(bytes.len()))?;
        let declared = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let header_len = u16::from_be_bytes([header[4], header[5]]);
        let ver = u16::from_be_bytes([header[6], header[7]]);
        let op = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
        let seq = u32::from_be_bytes([header[12], header[13], header[14], header[15]]);

        let packet_len = usize::try_from(declared)
            .ok()
            .filter(|&len| len <= bytes.len())
            .ok_or(DecodeError::PacketLength {
                declared,
                available: bytes.len(),
            })?;
        let header_len_usize = usize::from(header_len);
        if header_len_usize < HEADER_LEN || header_len_usize > packet_len {
            return Err(DecodeError::HeaderLength(header_len));
        }
        let body = &bytes[header_len_usize..packet_len];
        bytes = &bytes[packet_len..];

        match ver {
            ver::PLAIN | ver::HEADER_DEFAULT => out.push(Packet {
                ver,
                op,
                seq,
                body: body.to_vec(),
            }),
            ver::ZLIB | ver::BROTLI => {
                if depth >= MAX_NESTING {
                    return Err(DecodeError::TooDeep);
                }
                let inner = decompress(ver, body, budget)?;
                decode_into(&inner, depth + 1, budget, out)?;
            }
            other => return Err(DecodeError::UnknownVersion(other)),
        }

        // The server's heartbeat reply, sent in a frame of its own, declares
        // only its popularity, then echoes the client's heartbeat body after
        // it (blivedm notes this): what follows is not a packet. Inside a
        // decompressed body every length is exact, so reading goes on there.
        if op == op::HEARTBEAT_REPLY && depth == 0 {
            break;
        }
    }
    Ok(())
}

/// Decompresses `body`, taking what it yields from `budget`; more than is
/// left is an error, found without ever holding more than budget + 1 bytes.
fn decompress(ver: u16, body: &[u8], budget: &mut usize) -> Result<Vec<u8>, DecodeError> {
    let limit = *budget as u64 + 1;
    let mut out = Vec::new();
    let (name, read) = match ver {
        ver::ZLIB => (
            "zlib",
            flate2::read::ZlibDecoder::new(body)
                .take(limit)
                .read_to_end(&mut out),
        ),
        _ => (
            "brotli",
            brotli_decompressor::Decompressor::new(body, 4096)
                .take(limit)
                .read_to_end(&mut out),
        ),
    };
    read.map_err(|e| DecodeError::Decompress(name, e.to_string()))?;
    *budget = budget.checked_sub(out.len()).ok_or(DecodeError::TooLarge)?;
    Ok(out)
}

/// One Bilibili room, as one connection reads it.
#[derive(Debug, Clone)]
pub struct Bilibili {
    room: u64,
    key: String,
    uid: u64,
    buvid: Option<String>,
    protover: u32,
}

impl Bilibili {
    /// `room` is the real (long) room id; `key` the token from
    /// getDanmuInfo; `uid` 0 for an anonymous connection, which Bilibili
    /// answers with masked names; `buvid` the browser id cookie, when known.
    /// Asks for brotli bodies (protover 3), as the web client does.
    pub fn new(room: u64, key: impl Into<String>, uid: u64, buvid: Option<String>) -> Self {
        Bilibili {
            room,
            key: key.into(),
            uid,
            buvid,
            protover: u32::from(ver::BROTLI),
        }
    }

    /// True when the connection is anonymous, so Bilibili masks user names
    /// ("张**") and hides uids: the screen should say so.
    pub fn masked_names(&self) -> bool {
        self.uid == 0
    }

    /// The auth body (op 7).
    fn auth_body(&self) -> Vec<u8> {
        let mut body = json!({
            "uid": self.uid,
            "roomid": self.room,
            "protover": self.protover,
            "platform": "web",
            "type": 2,
            "key": self.key,
        });
        if let Some(buvid) = &self.buvid {
            body["buvid"] = Value::from(buvid.as_str());
        }
        body.to_string().into_bytes()
    }

    /// One plain command packet (op 5): a chat message for `DANMU_MSG`
    /// (with or without a `:…` suffix), nothing for any other command.
    fn command(&self, body: &[u8]) -> Result<Option<ChatMessage>, String> {
        let command: Value =
            serde_json::from_slice(body).map_err(|e| format!("command is not JSON: {e}"))?;
        let cmd = command.get("cmd").and_then(Value::as_str).unwrap_or("");
        if cmd.split(':').next() != Some("DANMU_MSG") {
            return Ok(None);
        }
        let info = command
            .get("info")
            .and_then(Value::as_array)
            .ok_or("DANMU_MSG without an info array")?;
        self.danmu(info).map_err(|e| format!("DANMU_MSG {e}"))
    }

    fn danmu(&self, info: &[Value]) -> Result<Option<ChatMessage>, String> {
        let meta = info.first().and_then(Value::as_array);
        let text = info
            .get(1)
            .and_then(Value::as_str)
            .ok_or("without text at info[1]")?;
        let sender = info
            .get(2)
            .and_then(Value::as_array)
            .ok_or("without a sender at info[2]")?;
        let uid = sender.first().and_then(Value::as_u64).unwrap_or(0);
        let user = sender.get(1).and_then(Value::as_str).unwrap_or("");

        let text = clean(text, MAX_TEXT_CHARS);
        if text.trim().is_empty() {
            return Ok(None);
        }
        // Anonymous connections see uid 0 for everyone: not an identity.
        let user_id = (uid != 0).then(|| uid.to_string());
        let user = match clean(user, MAX_USER_CHARS) {
            name if name.trim().is_empty() => user_id.clone().unwrap_or_default(),
            name => name,
        };
        let ts = meta
            .and_then(|m| m.get(4))
            .and_then(Value::as_i64)
            .filter(|ms| (1..MAX_TS_MS).contains(ms));

        let id = match meta.and_then(|m| m.get(15)).and_then(id_str) {
            Some(id) if id.chars().count() <= MAX_ID_CHARS => id,
            // A hostile id is replaced by a stable hash of itself.
            Some(id) => derived_id("bilibili-long-id", &id, 0),
            // No id: stable across a replay of the same message. Without a
            // time either (never seen from Bilibili), the same text from the
            // same sender collapses into one message, the safer mistake.
            None => derived_id(
                &format!("bilibili/{}/{uid}", self.room),
                &text,
                ts.unwrap_or(0),
            ),
        };
        Ok(Some(ChatMessage {
            id,
            user,
            user_id,
            text,
            ts,
        }))
    }
}

/// `id_str` from `info[0][15]`, whose `extra` is JSON inside a string (or,
/// as blivedm also accepts, an object already).
fn id_str(meta15: &Value) -> Option<String> {
    let id = match meta15.get("extra")? {
        Value::String(extra) => serde_json::from_str::<Value>(extra)
            .ok()?
            .get("id_str")?
            .as_str()?
            .to_owned(),
        extra => extra.get("id_str")?.as_str()?.to_owned(),
    };
    let id = clean(&id, usize::MAX);
    (!id.trim().is_empty()).then_some(id)
}

/// Drops NULs and keeps at most `max_chars` chars, as the JSON relay does;
/// the rest of the sanitising is the screen's.
fn clean(s: &str, max_chars: usize) -> String {
    s.chars().filter(|&c| c != '\0').take(max_chars).collect()
}

impl Protocol for Bilibili {
    fn opening(&mut self) -> Vec<Frame> {
        vec![Frame::Binary(encode(
            op::AUTH,
            ver::HEADER_DEFAULT,
            &self.auth_body(),
        ))]
    }

    fn heartbeat(&self) -> Option<(Duration, Frame)> {
        Some((
            HEARTBEAT_EVERY,
            Frame::Binary(encode(op::HEARTBEAT, ver::HEADER_DEFAULT, HEARTBEAT_BODY)),
        ))
    }

    /// Pushes every step it can read; a command it cannot read does not stop
    /// the others in the frame, and is reported as the `Err` at the end (so
    /// `out` holds good steps even when the result is an `Err`). A frame
    /// whose packets cannot be read at all pushes nothing.
    fn read(&mut self, frame: Frame, out: &mut Vec<Step>) -> Result<(), String> {
        let bytes = match frame {
            Frame::Binary(bytes) => bytes,
            Frame::Text(_) => return Err("bilibili sends binary frames, got text".into()),
        };
        let packets = decode(&bytes).map_err(|e| e.to_string())?;
        let mut first_error = None;
        for packet in packets {
            let step = match packet.op {
                op::AUTH_REPLY => auth_reply(&packet.body),
                op::COMMAND => self.command(&packet.body).map(|m| m.map(Step::Chat)),
                // Heartbeat replies (popularity) and operations the web
                // client ignores carry no chat.
                _ => Ok(None),
            };
            match step {
                Ok(Some(step)) => out.push(step),
                Ok(None) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// The auth reply (op 8): `{"code":0}` is accepted; any other code refused.
fn auth_reply(body: &[u8]) -> Result<Option<Step>, String> {
    let reply: Value =
        serde_json::from_slice(body).map_err(|e| format!("auth reply is not JSON: {e}"))?;
    match reply.get("code").and_then(Value::as_i64) {
        Some(0) => Ok(None),
        Some(code) => Ok(Some(Step::Refused(format!(
            "bilibili refused the connection (auth code {code}{})",
            if code == -101 {
                ": the key is wrong or expired"
            } else {
                ""
            }
        )))),
        None => Err("auth reply without a numeric code".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_writes_the_documented_header() {
        let packet = encode(op::HEARTBEAT, ver::HEADER_DEFAULT, b"ab");
        assert_eq!(
            packet,
            [0, 0, 0, 18, 0, 16, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, b'a', b'b']
        );
        let back = decode(&packet).unwrap();
        assert_eq!(
            back,
            vec![Packet {
                ver: 1,
                op: 2,
                seq: 1,
                body: b"ab".to_vec()
            }]
        );
    }

    #[test]
    fn a_header_longer_than_16_is_skipped_over() {
        let mut packet = encode(op::COMMAND, ver::PLAIN, b"xyz");
        // Declare a 20-byte header and a packet 4 bytes longer.
        packet[3] += 4;
        packet[5] = 20;
        packet.splice(16..16, [9, 9, 9, 9]);
        assert_eq!(decode(&packet).unwrap()[0].body, b"xyz");
    }

    #[test]
    fn lengths_that_lie_are_errors() {
        let good = encode(op::COMMAND, ver::PLAIN, b"{}");
        let mut long = good.clone();
        long[0] = 0x7f;
        assert!(matches!(
            decode(&long),
            Err(DecodeError::PacketLength { .. })
        ));
        let mut short = good.clone();
        short[3] = 8;
        assert_eq!(decode(&short), Err(DecodeError::HeaderLength(16)));
        let mut header = good.clone();
        header[5] = 3;
        assert_eq!(decode(&header), Err(DecodeError::HeaderLength(3)));
        assert_eq!(decode(&good[..10]), Err(DecodeError::ShortHeader(10)));
        assert_eq!(decode(&[]), Ok(vec![]));
    }

    #[test]
    fn only_a_top_level_heartbeat_reply_ends_the_frame() {
        use std::io::Write;
        let reply = encode(op::HEARTBEAT_REPLY, ver::HEADER_DEFAULT, &[0, 0, 0, 9]);
        let mut top = reply.clone();
        top.extend_from_slice(HEARTBEAT_BODY);
        assert_eq!(decode(&top).unwrap().len(), 1);

        let mut inner = reply;
        inner.extend(encode(op::COMMAND, ver::PLAIN, b"{}"));
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&inner).unwrap();
        let frame = encode(op::COMMAND, ver::ZLIB, &z.finish().unwrap());
        let ops: Vec<u32> = decode(&frame).unwrap().iter().map(|p| p.op).collect();
        assert_eq!(ops, [op::HEARTBEAT_REPLY, op::COMMAND]);
    }

    #[test]
    fn a_blank_name_falls_back_to_the_uid_and_absurd_times_are_dropped() {
        let bili = Bilibili::new(1, "", 5, None);
        let info = json!([[0, 1, 25, 0, i64::MAX], "hi", [77, " "]]);
        let message = bili.danmu(info.as_array().unwrap()).unwrap().unwrap();
        assert_eq!(message.user, "77");
        assert_eq!(message.ts, None);
    }

    #[test]
    fn unknown_versions_are_errors() {
        let packet = encode(op::COMMAND, 9, b"{}");
        assert_eq!(decode(&packet), Err(DecodeError::UnknownVersion(9)));
    }

    #[test]
    fn nesting_is_bounded() {
        use std::io::Write;
        let mut packet = encode(op::COMMAND, ver::PLAIN, b"{}");
        for _ in 0..=MAX_NESTING {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(&packet).unwrap();
            packet = encode(op::COMMAND, ver::ZLIB, &z.finish().unwrap());
        }
        assert_eq!(decode(&packet), Err(DecodeError::TooDeep));
    }

    #[test]
    fn auth_body_has_the_documented_fields() {
        let mut bili = Bilibili::new(42, "tok", 7, Some("B-UV".into()));
        let [Frame::Binary(frame)]: [Frame; 1] = bili.opening().try_into().unwrap() else {
            panic!("one binary frame");
        };
        let packet = &decode(&frame).unwrap()[0];
        assert_eq!(packet.op, op::AUTH);
        let body: Value = serde_json::from_slice(&packet.body).unwrap();
        assert_eq!(
            body,
            json!({"uid": 7, "roomid": 42, "protover": 3, "platform": "web",
                   "type": 2, "key": "tok", "buvid": "B-UV"})
        );
        assert!(!bili.masked_names());

        let anon = Bilibili::new(42, "tok", 0, None);
        let body: Value = serde_json::from_slice(&anon.auth_body()).unwrap();
        assert!(body.get("buvid").is_none());
        assert!(anon.masked_names());
    }

    #[test]
    fn long_ids_become_a_stable_hash() {
        let bili = Bilibili::new(1, "", 0, None);
        let long = "x".repeat(MAX_ID_CHARS + 1);
        let extra = json!({"id_str": long}).to_string();
        let info = json!([[0, 1, 25, 0, 1_700_000_000_000i64, 0, 0, "", 0, 0, 0, "", 0, {}, {}, {"extra": extra}],
                          "hi", [5, "n"]]);
        let a = bili.danmu(info.as_array().unwrap()).unwrap().unwrap();
        let b = bili.danmu(info.as_array().unwrap()).unwrap().unwrap();
        assert!(a.id.starts_with("d-"), "{}", a.id);
        assert_eq!(a.id, b.id);
    }
}
