//! Twitch chat as a `Protocol`: IRC over a websocket, logged in anonymously
//! (read-only), one channel per connection. Owns the login lines, the IRCv3
//! line grammar (tags, prefix, command, parameters), tag-value unescaping and
//! which commands become chat, replies, reconnects or refusals. Connecting,
//! backoff and dedupe are the websocket loop's.
//!
//! What it follows, looked up rather than guessed:
//! - Twitch "IRC Concepts" and "Authenticating with the Twitch IRC Server"
//!   (dev.twitch.tv/docs/irc, /docs/irc/authenticate-bot): the websocket URL
//!   `wss://irc-ws.chat.twitch.tv:443`; `CAP REQ :twitch.tv/tags
//!   twitch.tv/commands`; PASS before NICK, else `NOTICE * :Improperly
//!   formatted auth`; a bad login gets `NOTICE * :Login authentication
//!   failed`; the server PINGs and expects `PONG :tmi.twitch.tv`.
//! - Twitch "IRC Tags" (dev.twitch.tv/docs/irc/tags): PRIVMSG tags `id`,
//!   `display-name`, `user-id`, `tmi-sent-ts` (Unix ms); tags come in any
//!   order and unknown ones are ignored.
//! - IRCv3 message tags (ircv3.net/specs/extensions/message-tags), escaping
//!   of values: `\:` `;`, `\s` space, `\\` backslash, `\r` CR, `\n` LF, any
//!   other escaped char stands for itself, a lone trailing backslash is
//!   dropped (as in the twitch_message and ircv3_parse crates).
//! - RFC 1459/2812 message grammar: `[:prefix] COMMAND params [:trailing]`,
//!   at most 15 parameters; the RECONNECT notice (twitchchat's docs: "After
//!   a short time, the connection is closed … reconnect and rejoin").
//! - Anonymous login as `justinfan` + digits, which Twitch lets read but not
//!   send, with a placeholder PASS (`SCHMOOPIIE`, the one tmi.js-era
//!   clients and many overlays send), as tmi.js and Chatterino do.
//!
//! Opening lines go one to a websocket frame without a CRLF, which is what
//! Twitch's web client and tmi.js send: a frame is a whole message, so no
//! server ever sees a half line, and a refusal names the line it refused.
//!
//! A received frame may hold several CRLF-separated lines. Each is read on
//! its own: a bad line never hides the good ones around it. `read` pushes
//! the steps of every good line and, when any line was bad, then returns
//! `Err` naming how many and the first reason, so the loop counts one bad
//! frame; the loop must act on `out` whatever `read` returns.

use super::frame::{derived_id, MAX_ID_CHARS, MAX_TEXT_CHARS, MAX_USER_CHARS};
use super::protocol::{Frame, Protocol, Step};
use super::ChatMessage;
use rand::Rng;
use std::borrow::Cow;

/// Twitch's IRC-over-websocket endpoint.
pub const DEFAULT_URL: &str = "wss://irc-ws.chat.twitch.tv:443";

/// Longest line read, in bytes. Twitch allows 8 KiB of tags plus a 512-byte
/// message, so a longer line is not Twitch's; the cap bounds the work one
/// hostile line can cause.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Most tags read on one line. Twitch sends about twenty on a PRIVMSG.
pub const MAX_TAGS: usize = 64;

/// Twitch login names are 4–25 chars of `a-z`, `0-9` and `_`; older ones
/// can be shorter, so only the upper bound is checked.
const MAX_CHANNEL_CHARS: usize = 25;

/// RFC 2812: after 14 middle parameters the rest of the line is the last one.
const MAX_MIDDLE_PARAMS: usize = 14;

/// Longest PONG parameter echoed: an IRC line is at most 512 bytes.
const MAX_PONG_BYTES: usize = 400;

/// What the anonymous login sends as its password; Twitch ignores it for
/// `justinfan` nicks.
const ANONYMOUS_PASS: &str = "SCHMOOPIIE";

/// Words of a NOTICE that mean the login was refused.
const AUTH_FAILURES: [&str; 3] = [
    "login authentication failed",
    "improperly formatted auth",
    "login unsuccessful",
];

/// A channel name that cannot be joined. Channel names go into a JOIN line,
/// so anything but `a-z0-9_` could split it into other commands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    #[error("the Twitch channel is empty")]
    Empty,
    #[error("{0:?} is not a Twitch channel: use at most 25 letters, digits or _")]
    Invalid(String),
}

impl ChannelError {
    /// The same error in Chinese, for config errors shown in Chinese.
    pub fn zh(&self) -> String {
        match self {
            ChannelError::Empty => "Twitch 频道名是空的".to_string(),
            ChannelError::Invalid(name) => {
                format!("{name:?} 不是 Twitch 频道名：只能用字母、数字或 _，最多 25 个")
            }
        }
    }
}

/// The `#channel` form of a channel name as a user may write it (any case,
/// with or without `#`, surrounding spaces).
pub fn normalize_channel(raw: &str) -> Result<String, ChannelError> {
    let name = raw.trim();
    let name = name.strip_prefix('#').unwrap_or(name).to_ascii_lowercase();
    if name.is_empty() {
        return Err(ChannelError::Empty);
    }
    let valid = name.chars().count() <= MAX_CHANNEL_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid {
        return Err(ChannelError::Invalid(raw.to_string()));
    }
    Ok(format!("#{name}"))
}

/// One connection's Twitch protocol state.
#[derive(Debug)]
pub struct Twitch {
    /// `#name`, lower case.
    channel: String,
    nick: String,
    /// Lines without a `tmi-sent-ts` (a server that ignored the tags
    /// capability) cannot get a replay-stable id; they get
    /// `n-<nonce>-<seq>`, unique per connection thanks to the random nonce,
    /// so a real repeat is never dropped as a replay.
    untimed_nonce: u32,
    untimed_seq: u64,
}

impl Twitch {
    /// A read-only login to `channel` as `justinfan` + random digits.
    pub fn anonymous(channel: &str) -> Result<Self, ChannelError> {
        let mut rng = rand::rng();
        let nick = format!("justinfan{}", rng.random_range(1_000..100_000_000u32));
        Ok(Twitch {
            channel: normalize_channel(channel)?,
            nick,
            untimed_nonce: rng.random(),
            untimed_seq: 0,
        })
    }

    /// The joined channel, `#name`.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    pub fn nick(&self) -> &str {
        &self.nick
    }

    fn read_line(&mut self, line: &str, out: &mut Vec<Step>) -> Result<(), String> {
        let msg = parse_line(line).map_err(str::to_string)?;
        let command = msg.command;
        if command.eq_ignore_ascii_case("PRIVMSG") {
            if let Some(chat) = self.chat(&msg)? {
                out.push(Step::Chat(chat));
            }
        } else if command.eq_ignore_ascii_case("PING") {
            out.push(Step::Send(Frame::Text(pong(msg.params.last().copied()))));
        } else if command.eq_ignore_ascii_case("RECONNECT") {
            out.push(Step::Reconnect);
        } else if command.eq_ignore_ascii_case("NOTICE") {
            if let Some(text) = msg.params.get(1).filter(|t| is_auth_failure(t)) {
                out.push(Step::Refused(clean(text, MAX_TEXT_CHARS)));
            }
        }
        // Welcome numerics, CAP, JOIN, ROOMSTATE, USERSTATE, CLEARCHAT,
        // USERNOTICE and the rest carry no chat to take orders from.
        Ok(())
    }

    /// The chat message of a PRIVMSG; `Ok(None)` for one that is not chat
    /// here (another channel, nothing but spaces).
    fn chat(&mut self, msg: &Line<'_>) -> Result<Option<ChatMessage>, String> {
        let login = msg
            .prefix
            .and_then(|p| p.split(['!', '@']).next())
            .filter(|l| !l.is_empty())
            .ok_or("PRIVMSG without a sender")?;
        let (target, text) = match msg.params.as_slice() {
            [target, text, ..] => (*target, *text),
            _ => return Err("PRIVMSG without text".to_string()),
        };
        if !target.eq_ignore_ascii_case(&self.channel) {
            return Ok(None);
        }
        let text = clean(unwrap_action(text), MAX_TEXT_CHARS);
        if text.trim().is_empty() {
            return Ok(None);
        }
        let tags = &msg.tags;
        let user = tags
            .display_name
            .map(|n| clean(&unescape(n), MAX_USER_CHARS))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| clean(login, MAX_USER_CHARS));
        let user_id = tags
            .user_id
            .map(|u| clean(&unescape(u), MAX_USER_CHARS))
            .filter(|u| !u.trim().is_empty());
        let ts = tags.tmi_sent_ts.and_then(|t| timestamp_ms(&unescape(t)));
        // Twitch ids are UUIDs; a longer one is not Twitch's and gets the
        // derived id rather than bloating every stored row.
        let id = tags
            .id
            .map(|i| clean(&unescape(i), usize::MAX))
            .filter(|i| !i.trim().is_empty() && i.chars().count() <= MAX_ID_CHARS);
        let id = match (id, ts) {
            (Some(id), _) => id,
            (None, Some(ts)) => fallback_id(&self.channel, login, &text, ts),
            (None, None) => {
                self.untimed_seq += 1;
                format!("n-{:08x}-{}", self.untimed_nonce, self.untimed_seq)
            }
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

impl Protocol for Twitch {
    fn opening(&mut self) -> Vec<Frame> {
        vec![
            Frame::Text("CAP REQ :twitch.tv/tags twitch.tv/commands".to_string()),
            Frame::Text(format!("PASS {ANONYMOUS_PASS}")),
            Frame::Text(format!("NICK {}", self.nick)),
            Frame::Text(format!("JOIN {}", self.channel)),
        ]
    }

    fn read(&mut self, frame: Frame, out: &mut Vec<Step>) -> Result<(), String> {
        let text = match frame {
            Frame::Text(text) => text,
            Frame::Binary(bytes) => {
                return Err(format!(
                    "binary frame of {} bytes; Twitch IRC sends text",
                    bytes.len()
                ))
            }
        };
        let mut lines = 0usize;
        let mut bad = 0usize;
        let mut first_reason = None;
        for raw in text.split('\n') {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim_matches(' ').is_empty() {
                continue;
            }
            lines += 1;
            if let Err(reason) = self.read_line(line, out) {
                bad += 1;
                first_reason.get_or_insert(reason);
            }
        }
        match first_reason {
            None => Ok(()),
            Some(reason) if lines == 1 => Err(reason),
            Some(reason) => Err(format!(
                "{bad} of {lines} lines unreadable; first: {reason}"
            )),
        }
    }
}

/// The id of a PRIVMSG without one: the same message replayed gets the same
/// id. The channel and login are joined by a space, which neither can hold.
pub fn fallback_id(channel: &str, login: &str, text: &str, ts_ms: i64) -> String {
    derived_id(&format!("{channel} {login}"), text, ts_ms)
}

/// The tags this protocol reads, still escaped.
#[derive(Debug, Default)]
struct Tags<'a> {
    id: Option<&'a str>,
    display_name: Option<&'a str>,
    user_id: Option<&'a str>,
    tmi_sent_ts: Option<&'a str>,
}

/// One IRC line, borrowed from the frame.
#[derive(Debug)]
struct Line<'a> {
    tags: Tags<'a>,
    prefix: Option<&'a str>,
    command: &'a str,
    params: Vec<&'a str>,
}

/// Parses `[@tags ][:prefix ]COMMAND[ params][ :trailing]`. Runs of spaces
/// between parts are taken as one, as most servers and clients do.
fn parse_line(line: &str) -> Result<Line<'_>, &'static str> {
    if line.len() > MAX_LINE_BYTES {
        return Err("line longer than 64 KiB");
    }
    let mut rest = line.trim_start_matches(' ');
    let mut tags = Tags::default();
    if let Some(after) = rest.strip_prefix('@') {
        let (raw, after) = after.split_once(' ').ok_or("tags but no command")?;
        tags = parse_tags(raw)?;
        rest = after.trim_start_matches(' ');
    }
    let mut prefix = None;
    if let Some(after) = rest.strip_prefix(':') {
        let (source, after) = after.split_once(' ').ok_or("prefix but no command")?;
        if source.is_empty() {
            return Err("empty prefix");
        }
        prefix = Some(source);
        rest = after.trim_start_matches(' ');
    }
    let (command, mut rest) = rest.split_once(' ').unwrap_or((rest, ""));
    let is_word = !command.is_empty() && command.bytes().all(|b| b.is_ascii_alphabetic());
    let is_numeric = command.len() == 3 && command.bytes().all(|b| b.is_ascii_digit());
    if !is_word && !is_numeric {
        return Err("no IRC command");
    }
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start_matches(' ');
        if rest.is_empty() {
            break;
        }
        if let Some(trailing) = rest.strip_prefix(':') {
            params.push(trailing);
            break;
        }
        if params.len() == MAX_MIDDLE_PARAMS {
            params.push(rest);
            break;
        }
        let (param, after) = rest.split_once(' ').unwrap_or((rest, ""));
        params.push(param);
        rest = after;
    }
    Ok(Line {
        tags,
        prefix,
        command,
        params,
    })
}

/// Picks the tags this protocol reads out of `k=v;k;k=` (a key without `=`
/// has an empty value). When a key repeats, the last one counts.
fn parse_tags(raw: &str) -> Result<Tags<'_>, &'static str> {
    let mut tags = Tags::default();
    for (n, tag) in raw.split(';').enumerate() {
        if n >= MAX_TAGS {
            return Err("more than 64 tags");
        }
        let (key, value) = tag.split_once('=').unwrap_or((tag, ""));
        match key {
            "id" => tags.id = Some(value),
            "display-name" => tags.display_name = Some(value),
            "user-id" => tags.user_id = Some(value),
            "tmi-sent-ts" => tags.tmi_sent_ts = Some(value),
            _ => {}
        }
    }
    Ok(tags)
}

/// An IRCv3 tag value with its escapes undone.
fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(':') => out.push(';'),
            Some('s') => out.push(' '),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            // `\\` and any unknown escape stand for the char itself.
            Some(other) => out.push(other),
            // A lone trailing backslash is dropped.
            None => {}
        }
    }
    Cow::Owned(out)
}

/// The text of a `/me` action (`\x01ACTION text\x01`), or `text` as it is.
/// The closing `\x01` is optional: some clients leave it off.
fn unwrap_action(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("\u{1}ACTION") else {
        return text;
    };
    let rest = match rest.strip_prefix(' ') {
        Some(rest) => rest,
        None if rest.is_empty() || rest.starts_with('\u{1}') => rest,
        // `\x01ACTIONS…` is some other CTCP word, not an action.
        None => return text,
    };
    rest.strip_suffix('\u{1}').unwrap_or(rest)
}

/// The answer to a PING, echoing its parameter. CR, LF and NUL are dropped
/// so an echo can never become a second command.
fn pong(param: Option<&str>) -> String {
    let param = param.filter(|p| !p.is_empty()).unwrap_or("tmi.twitch.tv");
    let mut echo = String::with_capacity(param.len().min(MAX_PONG_BYTES));
    for c in param.chars().filter(|c| !matches!(c, '\r' | '\n' | '\0')) {
        if echo.len() + c.len_utf8() > MAX_PONG_BYTES {
            break;
        }
        echo.push(c);
    }
    format!("PONG :{echo}")
}

fn is_auth_failure(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    AUTH_FAILURES.iter().any(|words| text.contains(words))
}

/// `tmi-sent-ts`: Unix milliseconds, positive, below the year 33658 (the
/// JSON frames' bound too).
fn timestamp_ms(raw: &str) -> Option<i64> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|&ms| ms > 0 && ms < 1_000_000_000_000_000)
}

/// Drops NULs (they end strings in C, SQLite tools and terminals) and keeps
/// at most `max_chars` chars, as JSON frames are cleaned.
fn clean(s: &str, max_chars: usize) -> String {
    s.chars().filter(|&c| c != '\0').take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_follows_ircv3() {
        let table = [
            ("plain", "plain"),
            (r"a\sb", "a b"),
            (r"semi\:colon", "semi;colon"),
            (r"back\\slash", r"back\slash"),
            (r"cr\rlf\n", "cr\rlf\n"),
            (r"unknown\q", "unknownq"),
            ("trailing\\", "trailing"),
            (r"\\s", r"\s"),
            ("", ""),
            ("\\", ""),
        ];
        for (raw, want) in table {
            assert_eq!(unescape(raw), want, "unescape({raw:?})");
        }
    }

    #[test]
    fn lines_split_into_parts() {
        let line =
            parse_line("@a=1;id=x\\sy :nick!nick@host PRIVMSG  #chan :hello :world").unwrap();
        assert_eq!(line.tags.id, Some("x\\sy"));
        assert_eq!(line.prefix, Some("nick!nick@host"));
        assert_eq!(line.command, "PRIVMSG");
        assert_eq!(line.params, ["#chan", "hello :world"]);

        let bare = parse_line("PING :tmi.twitch.tv").unwrap();
        assert!(bare.prefix.is_none());
        assert_eq!(bare.params, ["tmi.twitch.tv"]);

        let numeric = parse_line(":tmi.twitch.tv 001 justinfan1 :Welcome, GLHF!").unwrap();
        assert_eq!(numeric.command, "001");
        assert_eq!(numeric.params, ["justinfan1", "Welcome, GLHF!"]);
    }

    #[test]
    fn fifteenth_parameter_takes_the_rest() {
        let middles: Vec<String> = (1..=16).map(|n| n.to_string()).collect();
        let line = format!("CMD {}", middles.join(" "));
        let parsed = parse_line(&line).unwrap();
        assert_eq!(parsed.params.len(), 15);
        assert_eq!(parsed.params[14], "15 16");
    }

    #[test]
    fn malformed_lines_are_refused_with_a_reason() {
        for bad in [
            "@tags-only",
            ":prefix-only",
            ": PRIVMSG #a :b",
            "!!! nonsense",
            "12 short numeric",
            "1234 long numeric",
        ] {
            assert!(parse_line(bad).is_err(), "{bad:?} parsed");
        }
        let long = format!("PING :{}", "x".repeat(MAX_LINE_BYTES));
        assert_eq!(parse_line(&long).unwrap_err(), "line longer than 64 KiB");
        let many = (0..=MAX_TAGS)
            .map(|n| format!("k{n}=v"))
            .collect::<Vec<_>>();
        let line = format!("@{} PING", many.join(";"));
        assert_eq!(parse_line(&line).unwrap_err(), "more than 64 tags");
    }

    #[test]
    fn repeated_tag_keeps_the_last_value() {
        let line = parse_line("@id=first;id=second PING").unwrap();
        assert_eq!(line.tags.id, Some("second"));
    }

    #[test]
    fn actions_unwrap_and_other_ctcp_stays() {
        assert_eq!(unwrap_action("\u{1}ACTION waves\u{1}"), "waves");
        assert_eq!(unwrap_action("\u{1}ACTION waves"), "waves");
        assert_eq!(unwrap_action("\u{1}ACTION\u{1}"), "");
        assert_eq!(unwrap_action("\u{1}ACTIONS x\u{1}"), "\u{1}ACTIONS x\u{1}");
        assert_eq!(unwrap_action("ACTION plain"), "ACTION plain");
    }

    #[test]
    fn pong_echoes_safely() {
        assert_eq!(pong(None), "PONG :tmi.twitch.tv");
        assert_eq!(pong(Some("")), "PONG :tmi.twitch.tv");
        assert_eq!(pong(Some("abc")), "PONG :abc");
        assert_eq!(pong(Some("a\rb\nc")), "PONG :abc");
        let long = pong(Some(&"界".repeat(500)));
        assert!(long.len() <= "PONG :".len() + MAX_PONG_BYTES);
        assert!(long.ends_with('界'));
    }

    #[test]
    fn channels_are_normalized_or_refused() {
        assert_eq!(normalize_channel("Shroud").unwrap(), "#shroud");
        assert_eq!(
            normalize_channel(" #farm_live_01 ").unwrap(),
            "#farm_live_01"
        );
        assert_eq!(normalize_channel("#"), Err(ChannelError::Empty));
        assert_eq!(normalize_channel("   "), Err(ChannelError::Empty));
        for bad in ["a b", "a\r\nJOIN #b", "农场", "a,b", &"x".repeat(26)] {
            assert!(
                matches!(normalize_channel(bad), Err(ChannelError::Invalid(_))),
                "{bad:?} accepted"
            );
        }
        let err = normalize_channel("a b").unwrap_err();
        assert!(err.to_string().contains("not a Twitch channel"));
        assert!(err.zh().contains("不是 Twitch 频道名"));
    }

    #[test]
    fn anonymous_nick_is_justinfan_and_digits() {
        let twitch = Twitch::anonymous("Chan").unwrap();
        let digits = twitch.nick().strip_prefix("justinfan").unwrap();
        assert!(digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(twitch.channel(), "#chan");
    }

    #[test]
    fn untimed_ids_differ_between_connections_and_messages() {
        let line = ":a!a@a.tmi.twitch.tv PRIVMSG #c :same".to_string();
        let mut ids = Vec::new();
        for _ in 0..2 {
            let mut twitch = Twitch::anonymous("c").unwrap();
            for _ in 0..2 {
                let mut out = Vec::new();
                twitch.read(Frame::Text(line.clone()), &mut out).unwrap();
                match out.as_slice() {
                    [Step::Chat(chat)] => ids.push(chat.id.clone()),
                    other => panic!("{other:?}"),
                }
            }
        }
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 4, "{ids:?}");
    }
}
