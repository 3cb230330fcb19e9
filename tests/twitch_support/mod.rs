//! A fake Twitch chat server for tests: IRC over one websocket, speaking as
//! Twitch's IRC docs describe it. It takes the client's CAP/PASS/NICK/JOIN,
//! answers with the CAP ACK, the welcome numerics (001–004, 375/372/376) and
//! the join burst (JOIN, 353/366, USERSTATE, ROOMSTATE), then plays a script:
//! frames of lines, PINGs whose PONG it waits for, a drop. What the client
//! sent comes back as a `Login`, for the test to check.

#![allow(dead_code)] // each test file uses a different part of the fake

use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{accept_async, WebSocketStream};

/// How long the fake waits for any one thing the client owes it. Far above
/// what a loaded machine takes, far below a hung test's patience.
pub const WAIT: Duration = Duration::from_secs(10);

type Ws = WebSocketStream<TcpStream>;

/// How the server answers the login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Greeting {
    /// Welcome any `justinfan` nick, or any nick with an `oauth:` PASS.
    Welcome,
    /// Answer NICK with `NOTICE * :Login authentication failed` and close,
    /// as Twitch does for a bad token.
    RefuseLogin,
}

/// One step of the server's script after the join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// One frame holding these lines, each ended by CRLF (Twitch batches
    /// several lines into a frame).
    Send(Vec<String>),
    /// Sends `PING :<param>` and waits for the client's `PONG :<param>`;
    /// a wrong answer or none within `WAIT` ends the session with an error.
    Ping(String),
    /// Drops the TCP connection without a close frame.
    Drop,
}

impl Act {
    pub fn line(line: impl Into<String>) -> Act {
        Act::Send(vec![line.into()])
    }
}

/// What the client sent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Login {
    /// Capabilities asked for with `CAP REQ`.
    pub caps: Vec<String>,
    pub pass: Option<String>,
    pub nick: Option<String>,
    /// The channel joined, `#name`.
    pub channel: Option<String>,
    /// PONGs that answered the script's PINGs.
    pub pongs: usize,
    /// Any other line the client sent, in order.
    pub other: Vec<String>,
}

/// Accepts one websocket on `listener`, takes the login, plays `script` and
/// closes. `Err` when the client breaks the protocol (NICK before PASS, JOIN
/// before login, a missing PONG) or goes silent.
pub async fn serve_one(
    listener: &TcpListener,
    greeting: Greeting,
    script: Vec<Act>,
) -> Result<Login, String> {
    let (tcp, _) = timeout(WAIT, listener.accept())
        .await
        .map_err(|_| "no client connected".to_string())?
        .map_err(|e| format!("accept: {e}"))?;
    let mut ws = accept_async(tcp)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let mut login = Login::default();

    // The login: lines may come one a frame or several to a frame.
    'login: loop {
        for line in next_lines(&mut ws).await? {
            let (command, arg) = line.split_once(' ').unwrap_or((&line, ""));
            match command {
                "CAP" => {
                    let caps = arg
                        .strip_prefix("REQ :")
                        .ok_or_else(|| format!("unexpected {line:?}"))?;
                    login.caps = caps.split(' ').map(str::to_string).collect();
                    send(&mut ws, &[format!(":tmi.twitch.tv CAP * ACK :{caps}")]).await?;
                }
                "PASS" => login.pass = Some(arg.to_string()),
                "NICK" => {
                    if login.pass.is_none() {
                        send(
                            &mut ws,
                            &[":tmi.twitch.tv NOTICE * :Improperly formatted auth"],
                        )
                        .await?;
                        return Err("NICK before PASS".into());
                    }
                    login.nick = Some(arg.to_string());
                    let anonymous = arg.strip_prefix("justinfan").is_some_and(|digits| {
                        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
                    });
                    let token = login.pass.as_deref().unwrap_or("").starts_with("oauth:");
                    if greeting == Greeting::RefuseLogin || !(anonymous || token) {
                        send(
                            &mut ws,
                            &[":tmi.twitch.tv NOTICE * :Login authentication failed"],
                        )
                        .await?;
                        let _ = ws.close(None).await;
                        return Ok(login);
                    }
                    send(&mut ws, &welcome(arg)).await?;
                }
                "JOIN" => {
                    let nick = login.nick.clone().ok_or("JOIN before NICK")?;
                    login.channel = Some(arg.to_string());
                    send(&mut ws, &join_burst(&nick, arg)).await?;
                    break 'login;
                }
                _ => login.other.push(line.clone()),
            }
        }
    }

    for act in script {
        match act {
            Act::Send(lines) => send(&mut ws, &lines).await?,
            Act::Ping(param) => {
                send(&mut ws, &[format!("PING :{param}")]).await?;
                let want = format!("PONG :{param}");
                'pong: loop {
                    for line in next_lines(&mut ws).await? {
                        if line == want {
                            login.pongs += 1;
                            break 'pong;
                        }
                        if line.starts_with("PONG") {
                            return Err(format!("wanted {want:?}, got {line:?}"));
                        }
                        login.other.push(line);
                    }
                }
            }
            Act::Drop => return Ok(login),
        }
    }

    // A polite end: a close frame, then whatever the client still sends
    // until it closes too.
    let _ = ws.close(None).await;
    let _ = timeout(WAIT, async {
        while let Some(Ok(msg)) = ws.next().await {
            if let Message::Text(text) = msg {
                login.other.extend(split_lines(text.as_str()));
            }
        }
    })
    .await;
    Ok(login)
}

/// The welcome numerics Twitch sends after a good NICK, as one frame.
pub fn welcome(nick: &str) -> Vec<String> {
    [
        "001 {n} :Welcome, GLHF!",
        "002 {n} :Your host is tmi.twitch.tv",
        "003 {n} :This server is rather new",
        "004 {n} :-",
        "375 {n} :-",
        "372 {n} :You are in a maze of twisty passages, all alike.",
        "376 {n} :>",
    ]
    .iter()
    .map(|l| format!(":tmi.twitch.tv {}", l.replace("{n}", nick)))
    .collect()
}

/// What Twitch answers a JOIN with, as one frame.
pub fn join_burst(nick: &str, channel: &str) -> Vec<String> {
    vec![
        format!(":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN {channel}"),
        format!(":{nick}.tmi.twitch.tv 353 {nick} = {channel} :{nick}"),
        format!(":{nick}.tmi.twitch.tv 366 {nick} {channel} :End of /NAMES list"),
        format!("@badge-info=;badges=;color=;display-name={nick};emote-sets=0;mod=0;subscriber=0;user-type= :tmi.twitch.tv USERSTATE {channel}"),
        format!("@emote-only=0;followers-only=-1;r9k=0;room-id=713936733;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE {channel}"),
    ]
}

/// Sends `lines` as one text frame, each line ended by CRLF.
async fn send(ws: &mut Ws, lines: &[impl AsRef<str>]) -> Result<(), String> {
    let mut frame = String::new();
    for line in lines {
        frame.push_str(line.as_ref());
        frame.push_str("\r\n");
    }
    ws.send(Message::text(frame))
        .await
        .map_err(|e| format!("send: {e}"))
}

/// The lines of the client's next text frame (websocket pings and pongs are
/// the library's business and skipped).
async fn next_lines(ws: &mut Ws) -> Result<Vec<String>, String> {
    loop {
        let msg = timeout(WAIT, ws.next())
            .await
            .map_err(|_| "client went silent".to_string())?
            .ok_or("client closed")?
            .map_err(|e| format!("read: {e}"))?;
        match msg {
            Message::Text(text) => return Ok(split_lines(text.as_str())),
            Message::Close(_) => return Err("client closed".into()),
            Message::Binary(_) => return Err("client sent a binary frame".into()),
            _ => {}
        }
    }
}

fn split_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}
