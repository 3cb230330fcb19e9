//! The fake Twitch server (tests/twitch_support) against a plain
//! tokio-tungstenite client driven by the Twitch protocol: proof that the
//! fake speaks what the protocol reads, before the shared websocket loop
//! is pointed at it.

mod twitch_support;

use futures_util::{SinkExt, StreamExt};
use livestall::chat::protocol::{Frame, Protocol, Step};
use livestall::chat::twitch::Twitch;
use tokio::net::TcpListener;
use tokio::time::timeout;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;
use twitch_support::{serve_one, Act, Greeting, WAIT};

const SESSION: &str = include_str!("data/twitch/session.irc");

/// Connects to `addr`, sends the opening and answers what the protocol asks
/// until the server closes or asks for a reconnect or refuses the login.
async fn drive(addr: std::net::SocketAddr, twitch: &mut Twitch) -> Vec<Step> {
    let (mut ws, _) = connect_async(format!("ws://{addr}"))
        .await
        .expect("connect");
    for frame in twitch.opening() {
        let Frame::Text(text) = frame else {
            panic!("Twitch opens with text")
        };
        ws.send(Message::text(text)).await.expect("send opening");
    }
    let mut seen = Vec::new();
    loop {
        let msg = match timeout(WAIT, ws.next()).await.expect("server in time") {
            Some(Ok(msg)) => msg,
            None | Some(Err(_)) => return seen,
        };
        let text = match msg {
            Message::Text(text) => text.as_str().to_string(),
            Message::Close(_) => return seen,
            _ => continue,
        };
        let mut out = Vec::new();
        twitch
            .read(Frame::Text(text.clone()), &mut out)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"));
        for step in out {
            let done = matches!(step, Step::Reconnect | Step::Refused(_));
            if let Step::Send(Frame::Text(reply)) = &step {
                ws.send(Message::text(reply.clone())).await.expect("reply");
            }
            seen.push(step);
            if done {
                let _ = ws.close(None).await;
                return seen;
            }
        }
    }
}

/// The recorded session's lines after the join burst, without its PINGs and
/// RECONNECT, which the script places itself.
fn chat_lines() -> Vec<String> {
    SESSION
        .lines()
        .skip_while(|l| !l.contains(" ROOMSTATE "))
        .skip(1)
        .filter(|l| !l.starts_with("PING") && !l.ends_with("RECONNECT"))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn fake_server_logs_in_plays_chat_checks_pongs_and_asks_for_reconnect() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let lines = chat_lines();
    let (first, rest) = lines.split_at(lines.len() / 2);
    let mut script: Vec<Act> = first.chunks(3).map(|c| Act::Send(c.to_vec())).collect();
    script.push(Act::Ping("tmi.twitch.tv".into()));
    script.extend(rest.chunks(3).map(|c| Act::Send(c.to_vec())));
    script.push(Act::line(":tmi.twitch.tv RECONNECT"));
    let server = tokio::spawn(async move { serve_one(&listener, Greeting::Welcome, script).await });

    let mut twitch = Twitch::anonymous("FarmLive").expect("channel");
    let steps = drive(addr, &mut twitch).await;
    let login = server.await.expect("server task").expect("session");

    assert_eq!(
        login.caps,
        ["twitch.tv/tags", "twitch.tv/commands"],
        "{login:?}"
    );
    assert_eq!(login.pass.as_deref(), Some("SCHMOOPIIE"));
    assert_eq!(login.nick.as_deref(), Some(twitch.nick()));
    assert_eq!(login.channel.as_deref(), Some("#farmlive"));
    assert_eq!(login.pongs, 1);
    assert!(login.other.is_empty(), "{:?}", login.other);

    // Over the wire the chat reads exactly as the lines read offline.
    let mut offline = Twitch::anonymous("farmlive").expect("channel");
    let mut want = Vec::new();
    offline
        .read(Frame::Text(lines.join("\r\n")), &mut want)
        .expect("offline read");
    let chats: Vec<&Step> = steps
        .iter()
        .filter(|s| matches!(s, Step::Chat(_)))
        .collect();
    assert_eq!(chats.len(), 8);
    assert_eq!(chats, want.iter().collect::<Vec<_>>());
    assert_eq!(
        steps.iter().filter(|s| matches!(s, Step::Send(_))).count(),
        1
    );
    assert_eq!(steps.last(), Some(&Step::Reconnect));
}

#[tokio::test]
async fn fake_server_refusing_the_login_is_a_refusal() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server =
        tokio::spawn(async move { serve_one(&listener, Greeting::RefuseLogin, vec![]).await });
    let mut twitch = Twitch::anonymous("farmlive").expect("channel");
    let steps = drive(addr, &mut twitch).await;
    let login = server.await.expect("server task").expect("session");
    assert_eq!(
        steps,
        vec![Step::Refused("Login authentication failed".into())]
    );
    assert!(login.channel.is_none());
}
