//! A websocket chat relay for end-to-end tests: serves a fixed chat to
//! every client that connects, then holds the connection open.

use futures_util::SinkExt;
use serde_json::json;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// Serves `chat` to every client that connects, then holds the connection open.
pub async fn chat_server(
    listener: TcpListener,
    chat: &'static [(&'static str, &'static str, &'static str)],
) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            for (id, user, text) in chat {
                let frame =
                    json!({"id": id, "user": user, "text": text, "ts": 1_700_000_000_000i64});
                if ws.send(Message::text(frame.to_string())).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
    }
}
