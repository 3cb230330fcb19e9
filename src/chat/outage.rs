//! Why a chat source is not connected, as data: the kind of failure (refused,
//! address not found, timed out, …), the address that was tried, the library's
//! own words for logs and scripts, and when the source tries again. Views word
//! it in the screen's language (`ui::i18n`); headless mode tells its `kind`.
//! Sources classify their own errors (see `websocket::classify`).

use std::time::Duration;

/// One failed connection attempt or one lost connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    pub kind: OutageKind,
    /// The address that was tried (empty when not known, as for `Stopped`).
    pub url: String,
    /// What the connection library said, in English: for the log and for
    /// headless mode's `reason`, which scripts may already read.
    pub detail: String,
    /// How long until the source tries again; `None` when it will not.
    pub retry_in: Option<Duration>,
    /// How many attempts in a row have failed, this one included (the
    /// retry to come is attempt `attempt + 1`); 0 when nothing is retried.
    pub attempt: u32,
}

/// What went wrong, in the terms a helper can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutageKind {
    /// Nothing listens at that address: the relay is not running, or the port is wrong.
    Refused,
    /// The host name does not resolve (DNS): a typo, or no network.
    NotFound,
    /// No route to the host or its network: the network is down.
    Unreachable,
    /// The attempt got no answer in time: within `after` (the connect
    /// timeout), or within the system's own limit when `after` is `None`.
    TimedOut { after: Option<Duration> },
    /// Connected, but nothing came for `after`, not even an answer to a ping.
    NoData { after: Duration },
    /// Something answered but refused the websocket handshake (an HTTP
    /// status such as 404 for a wrong path), or TLS failed.
    Handshake { status: Option<u16> },
    /// The server ended the connection, with its close code and reason when it sent them.
    Closed { code: Option<u16>, reason: String },
    /// The connection broke without a close (reset, broken pipe).
    Lost,
    /// The other side does not speak websocket as it should.
    Protocol,
    /// The chat server refused the login (a wrong room number or token),
    /// in its own words.
    Denied { reason: String },
    /// Anything else; `Outage::detail` says what.
    Other,
    /// The source task itself ended (a bug): nothing will retry.
    Stopped,
    /// A replay played its recording to the end: nothing was missed and
    /// nothing more will come.
    Finished,
}

impl OutageKind {
    /// A stable name for scripts (headless mode's `kind`).
    pub fn name(&self) -> &'static str {
        match self {
            OutageKind::Refused => "refused",
            OutageKind::NotFound => "not_found",
            OutageKind::Unreachable => "unreachable",
            OutageKind::TimedOut { .. } => "timeout",
            OutageKind::NoData { .. } => "no_data",
            OutageKind::Handshake { .. } => "handshake",
            OutageKind::Closed { .. } => "closed",
            OutageKind::Lost => "lost",
            OutageKind::Protocol => "protocol",
            OutageKind::Denied { .. } => "denied",
            OutageKind::Other => "other",
            OutageKind::Stopped => "stopped",
            OutageKind::Finished => "finished",
        }
    }
}

impl Outage {
    /// The source task ended: nothing will retry, and its address is not known here.
    pub fn stopped() -> Outage {
        Outage {
            kind: OutageKind::Stopped,
            url: String::new(),
            detail: "source stopped".into(),
            retry_in: None,
            attempt: 0,
        }
    }
}

/// `url` shortened in steps, longest first: as written, without the
/// `ws://` scheme, then host and port alone. A view takes the first that fits.
pub fn url_forms(url: &str) -> Vec<String> {
    let bare = url
        .strip_prefix("ws://")
        .or_else(|| url.strip_prefix("wss://"))
        .unwrap_or(url);
    let host_port = bare.split(['/', '?', '#']).next().unwrap_or(bare);
    let mut forms = vec![url.to_string()];
    for form in [bare, host_port] {
        if !form.is_empty() && forms.last().is_none_or(|last| last != form) {
            forms.push(form.to_string());
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_shorten_to_host_and_port() {
        assert_eq!(
            url_forms("ws://127.0.0.1:9001/chat"),
            [
                "ws://127.0.0.1:9001/chat",
                "127.0.0.1:9001/chat",
                "127.0.0.1:9001"
            ]
        );
        assert_eq!(
            url_forms("ws://relay.local:9001"),
            ["ws://relay.local:9001", "relay.local:9001"]
        );
        assert_eq!(url_forms("odd"), ["odd"]);
        assert_eq!(url_forms(""), [""]);
    }
}
