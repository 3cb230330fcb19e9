//! What a platform's chat protocol says over one websocket connection, apart
//! from the connection itself. Connecting, reconnecting with backoff, stall
//! detection, dropping replayed ids and delivering messages are the shared
//! websocket loop's (`websocket`); a platform (JSON relays, Bilibili, Twitch)
//! only turns frames into chat and says what to send back.
//!
//! A protocol is a plain state machine with no I/O and no clock, so it is
//! tested with recorded frames alone.

use super::ChatMessage;
use std::time::Duration;

/// A websocket frame as a protocol sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Text(String),
    Binary(Vec<u8>),
}

/// What one received frame asks of the loop, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A chat message to deliver (the loop drops it when its id was seen).
    Chat(ChatMessage),
    /// A frame to send back (an IRC PONG, say).
    Send(Frame),
    /// The server asked the client to reconnect (Twitch RECONNECT): the
    /// loop closes this connection and connects again at once.
    Reconnect,
    /// The server refused the client (a Bilibili auth reply with a non-zero
    /// code, a Twitch NOTICE "Login authentication failed"): the words are
    /// shown to the helper, and the loop retries with backoff.
    Refused(String),
}

/// One platform's side of a connection. A fresh value is made for every
/// connection (`opening` starts it over).
pub trait Protocol: Send {
    /// Frames to send as soon as the websocket is open (auth, login, join).
    fn opening(&mut self) -> Vec<Frame>;

    /// The application's own heartbeat, when it has one: how often, and
    /// the frame (Bilibili's op 2 every 30 s). Websocket pings are the
    /// loop's.
    fn heartbeat(&self) -> Option<(Duration, Frame)> {
        None
    }

    /// Reads one received frame, pushing what it asks for onto `out`.
    /// A frame the protocol cannot read is an `Err` with a short reason;
    /// the loop counts and logs it and reads on.
    fn read(&mut self, frame: Frame, out: &mut Vec<Step>) -> Result<(), String>;
}
