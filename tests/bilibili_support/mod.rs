//! A fake Bilibili danmaku server for tests: one websocket connection that
//! speaks the wire protocol as bilibili-API-collect's `live/message_stream`
//! describes it. It expects the auth packet (op 7) first, answers op 8 with a
//! chosen code, sends the given frames, then answers heartbeats (op 2) with
//! op 3 until the client goes away.

#![allow(dead_code)] // each test binary that includes this uses a part of it

use futures_util::{SinkExt, StreamExt};
use livestall::chat::bilibili::{decode, encode, op, ver, HEARTBEAT_BODY};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// What the fake saw from its client.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// The auth packet's JSON body.
    pub auth: Value,
    /// Heartbeats (op 2) received after the frames were sent.
    pub heartbeats: usize,
}

/// The popularity every heartbeat reply carries.
pub const POPULARITY: u32 = 1234;

/// Accepts one websocket on `listener` and plays the server's side: auth,
/// an op 8 reply with `auth_code` (0 accepts; a refusal then closes), the
/// `frames` as binary messages, then op 3 for every op 2 until the client
/// closes. `Err` says what the client did wrong.
pub async fn serve_one(
    listener: TcpListener,
    auth_code: i64,
    frames: Vec<Vec<u8>>,
) -> Result<Seen, String> {
    let (tcp, _) = listener.accept().await.map_err(|e| e.to_string())?;
    let mut ws = tokio_tungstenite::accept_async(tcp)
        .await
        .map_err(|e| e.to_string())?;

    let first = match ws.next().await {
        Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
        other => return Err(format!("expected the binary auth packet, got {other:?}")),
    };
    let packets = decode(&first).map_err(|e| format!("auth frame: {e}"))?;
    let [auth] = packets.as_slice() else {
        return Err(format!("expected one auth packet, got {}", packets.len()));
    };
    if auth.op != op::AUTH {
        return Err(format!("expected op 7 first, got op {}", auth.op));
    }
    let auth: Value = serde_json::from_slice(&auth.body).map_err(|e| format!("auth body: {e}"))?;

    let reply = json!({ "code": auth_code }).to_string();
    send(
        &mut ws,
        encode(op::AUTH_REPLY, ver::HEADER_DEFAULT, reply.as_bytes()),
    )
    .await?;
    let mut seen = Seen {
        auth,
        heartbeats: 0,
    };
    if auth_code != 0 {
        let _ = ws.close(None).await;
        return Ok(seen);
    }
    for frame in frames {
        send(&mut ws, frame).await?;
    }

    while let Some(message) = ws.next().await {
        let bytes = match message {
            Ok(Message::Binary(bytes)) => bytes,
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => continue,
        };
        let packets = decode(&bytes).map_err(|e| format!("client frame: {e}"))?;
        for packet in packets {
            if packet.op != op::HEARTBEAT {
                return Err(format!("unexpected op {} from the client", packet.op));
            }
            seen.heartbeats += 1;
            // As the real server does: the declared length covers the
            // popularity only, and the client's body is echoed after it.
            let mut reply = encode(
                op::HEARTBEAT_REPLY,
                ver::HEADER_DEFAULT,
                &POPULARITY.to_be_bytes(),
            );
            reply.extend_from_slice(HEARTBEAT_BODY);
            send(&mut ws, reply).await?;
        }
    }
    Ok(seen)
}

async fn send(
    ws: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    frame: Vec<u8>,
) -> Result<(), String> {
    ws.send(Message::binary(frame))
        .await
        .map_err(|e| format!("send: {e}"))
}
