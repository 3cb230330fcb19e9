//! The Twitch protocol against lines shaped as Twitch's IRC docs show them:
//! a recorded session (tests/data/twitch/session.irc), tag sets, escapes,
//! /me, several lines a frame, PING, RECONNECT, refused logins, bad lines
//! among good ones, and arbitrary text that must never panic it.

use livestall::chat::protocol::{Frame, Protocol, Step};
use livestall::chat::twitch::{fallback_id, Twitch, MAX_LINE_BYTES};
use livestall::chat::ChatMessage;
use proptest::prelude::*;

const SESSION: &str = include_str!("data/twitch/session.irc");

/// The example PRIVMSG on Twitch's "IRC Tags" page, every tag as shown.
const DOCS_PRIVMSG: &str = "@badge-info=;badges=broadcaster/1;client-nonce=997dcf443c31e258c1d32a8da47b6936;color=#0000FF;display-name=abc;emotes=;first-msg=0;flags=0-6:S.7;id=eb24e920-8065-492a-8aea-266a00fc5126;mod=0;room-id=713936733;subscriber=0;tmi-sent-ts=1642786203573;turbo=0;user-id=713936733;user-type= :abc!abc@abc.tmi.twitch.tv PRIVMSG #xyz :HeyGuys";

fn twitch(channel: &str) -> Twitch {
    Twitch::anonymous(channel).expect("valid channel")
}

fn read(twitch: &mut Twitch, text: &str) -> (Vec<Step>, Result<(), String>) {
    let mut out = Vec::new();
    let result = twitch.read(Frame::Text(text.to_string()), &mut out);
    (out, result)
}

/// The one chat message a frame must yield.
fn one_chat(twitch: &mut Twitch, text: &str) -> ChatMessage {
    match read(twitch, text) {
        (steps, Ok(())) => match steps.as_slice() {
            [Step::Chat(chat)] => chat.clone(),
            other => panic!("want one chat from {text:?}, got {other:?}"),
        },
        (_, Err(e)) => panic!("{text:?} refused: {e}"),
    }
}

fn privmsg(tags: &str, login: &str, channel: &str, text: &str) -> String {
    format!("@{tags} :{login}!{login}@{login}.tmi.twitch.tv PRIVMSG {channel} :{text}")
}

fn chat(id: &str, user: &str, user_id: &str, text: &str, ts: i64) -> Step {
    Step::Chat(ChatMessage {
        id: id.into(),
        user: user.into(),
        user_id: Some(user_id.into()),
        text: text.into(),
        ts: Some(ts),
    })
}

fn pong() -> Step {
    Step::Send(Frame::Text("PONG :tmi.twitch.tv".into()))
}

#[test]
fn opening_requests_tags_then_logs_in_then_joins() {
    let mut twitch = twitch("#FarmLive");
    let frames = twitch.opening();
    let nick = twitch.nick().to_string();
    assert!(nick.starts_with("justinfan"), "{nick}");
    assert_eq!(
        frames,
        vec![
            Frame::Text("CAP REQ :twitch.tv/tags twitch.tv/commands".into()),
            Frame::Text("PASS SCHMOOPIIE".into()),
            Frame::Text(format!("NICK {nick}")),
            Frame::Text("JOIN #farmlive".into()),
        ]
    );
    // A fresh connection opens the same way.
    assert_eq!(twitch.opening(), frames);
}

#[test]
fn channels_that_would_break_the_join_line_are_refused() {
    assert!(Twitch::anonymous("farm\r\nPRIVMSG #x :spam").is_err());
    assert!(Twitch::anonymous("").is_err());
    assert_eq!(twitch("farmlive").channel(), "#farmlive");
}

#[test]
fn the_docs_example_privmsg_becomes_chat() {
    let mut twitch = twitch("xyz");
    assert_eq!(
        one_chat(&mut twitch, DOCS_PRIVMSG),
        ChatMessage {
            id: "eb24e920-8065-492a-8aea-266a00fc5126".into(),
            user: "abc".into(),
            user_id: Some("713936733".into()),
            text: "HeyGuys".into(),
            ts: Some(1_642_786_203_573),
        }
    );
}

#[test]
fn recorded_session_reads_to_chat_pongs_and_a_reconnect() {
    let want = vec![
        chat(
            "eb24e920-8065-492a-8aea-266a00fc5126",
            "FarmAuntie",
            "713936733",
            "Today: honey, eggs and tea. Type the number to order!",
            1_642_786_203_573,
        ),
        chat(
            "3f1f9c9e-2b6a-4d0b-9a8e-1c2d3e4f5a60",
            "小王",
            "40123456",
            "扣1 两斤蜂蜜",
            1_642_786_210_012,
        ),
        chat(
            "9b0c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e",
            "Tea Lover;42",
            "51234567",
            "2 x3 please 🍵🍵",
            1_642_786_214_550,
        ),
        chat(
            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "HelperBee",
            "62345678",
            "reminds everyone: shipping on Friday",
            1_642_786_220_101,
        ),
        // An empty display-name falls back to the login.
        chat(
            "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
            "quietbuyer",
            "73456789",
            "3號 一盒 🥚",
            1_642_786_225_333,
        ),
        pong(),
        chat(
            "6d7e8f9a-0b1c-4d2e-9f3a-4b5c6d7e8f9a",
            "Buyer_Zed",
            "84567890",
            "@小王 me too Kappa",
            1_642_786_231_777,
        ),
        // No id tag: the derived one.
        chat(
            &fallback_id(
                "#farmlive",
                "latebird",
                "1 一罐 还有吗？",
                1_642_786_250_999,
            ),
            "LateBird",
            "10678901",
            "1 一罐 还有吗？",
            1_642_786_250_999,
        ),
        chat(
            "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            "TeaLover42",
            "51234567",
            "改成 2 x4",
            1_642_786_262_020,
        ),
        pong(),
        Step::Reconnect,
    ];

    // The whole recording as one frame.
    let (whole, result) = read(&mut twitch("farmlive"), SESSION);
    assert_eq!(result, Ok(()));
    assert_eq!(whole, want);

    // One line a frame reads the same.
    let mut per_line = twitch("farmlive");
    let mut steps = Vec::new();
    for line in SESSION.split_inclusive("\r\n") {
        per_line
            .read(Frame::Text(line.to_string()), &mut steps)
            .unwrap_or_else(|e| panic!("{line:?}: {e}"));
    }
    assert_eq!(steps, want);
}

#[test]
fn escaped_display_names_are_unescaped() {
    let table = [
        (r"Tea\sLover", "Tea Lover"),
        (r"semi\:colon", "semi;colon"),
        (r"back\\slash", r"back\slash"),
        (r"two\nlines\r", "two\nlines\r"),
        (r"odd\x", "oddx"),
        ("trailing\\", "trailing"),
        ("农场小王", "农场小王"),
        // Nothing but an escaped space is no name: the login stands in.
        (r"\s\s", "buyer"),
    ];
    let mut twitch = twitch("c");
    for (escaped, want) in table {
        let line = privmsg(
            &format!("display-name={escaped};id=x1;tmi-sent-ts=1700000000000;user-id=7"),
            "buyer",
            "#c",
            "1",
        );
        assert_eq!(one_chat(&mut twitch, &line).user, want, "{escaped:?}");
    }
}

#[test]
fn cjk_emoji_and_colons_in_text_arrive_whole() {
    let mut twitch = twitch("c");
    let text = "扣2：三斤 🍯🍯 :) a:b ;; \\s";
    let line = privmsg("id=a;tmi-sent-ts=1700000000000", "x", "#c", text);
    assert_eq!(one_chat(&mut twitch, &line).text, text);
}

#[test]
fn me_actions_are_unwrapped() {
    let mut twitch = twitch("c");
    for (raw, want) in [
        ("\u{1}ACTION 要 3 盒\u{1}", "要 3 盒"),
        ("\u{1}ACTION waves", "waves"),
        ("ACTION is just a word", "ACTION is just a word"),
    ] {
        let line = privmsg("id=a;tmi-sent-ts=1700000000000", "x", "#c", raw);
        assert_eq!(one_chat(&mut twitch, &line).text, want);
    }
    // An empty action is no chat.
    let empty = privmsg("id=b", "x", "#c", "\u{1}ACTION\u{1}");
    assert_eq!(read(&mut twitch, &empty), (vec![], Ok(())));
}

#[test]
fn several_lines_in_one_frame_all_read_in_order() {
    let mut twitch = twitch("c");
    let frame = format!(
        "{}\r\n{}\nPING :tmi.twitch.tv\r\n\r\n{}",
        privmsg("id=1;tmi-sent-ts=1", "a", "#c", "one"),
        privmsg("id=2;tmi-sent-ts=2", "b", "#c", "two"),
        privmsg("id=3;tmi-sent-ts=3", "c", "#c", "three"),
    );
    let (steps, result) = read(&mut twitch, &frame);
    assert_eq!(result, Ok(()));
    let kinds: Vec<String> = steps
        .iter()
        .map(|s| match s {
            Step::Chat(c) => c.id.clone(),
            Step::Send(Frame::Text(t)) => t.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["1", "2", "PONG :tmi.twitch.tv", "3"]);
}

#[test]
fn ping_is_answered_with_its_own_parameter() {
    let mut twitch = twitch("c");
    for (ping, want) in [
        ("PING :tmi.twitch.tv", "PONG :tmi.twitch.tv"),
        ("PING :edge-42.tmi", "PONG :edge-42.tmi"),
        ("PING", "PONG :tmi.twitch.tv"),
        (":tmi.twitch.tv PING :x", "PONG :x"),
    ] {
        assert_eq!(
            read(&mut twitch, ping),
            (vec![Step::Send(Frame::Text(want.into()))], Ok(())),
            "{ping}"
        );
    }
}

#[test]
fn reconnect_asks_the_loop_to_reconnect() {
    let mut twitch = twitch("c");
    assert_eq!(
        read(&mut twitch, ":tmi.twitch.tv RECONNECT\r\n"),
        (vec![Step::Reconnect], Ok(()))
    );
}

#[test]
fn refused_logins_are_refusals_and_other_notices_are_skipped() {
    let mut twitch = twitch("c");
    for notice in [
        ":tmi.twitch.tv NOTICE * :Login authentication failed",
        ":tmi.twitch.tv NOTICE * :Improperly formatted auth",
    ] {
        let words = notice.rsplit_once(" :").unwrap().1;
        assert_eq!(
            read(&mut twitch, notice),
            (vec![Step::Refused(words.into())], Ok(()))
        );
    }
    let slow = "@msg-id=slow_on :tmi.twitch.tv NOTICE #c :This room is now in slow mode.";
    assert_eq!(read(&mut twitch, slow), (vec![], Ok(())));
}

#[test]
fn a_line_without_tags_uses_the_login_and_a_per_connection_id() {
    let mut twitch = twitch("c");
    let line = ":buyer!buyer@buyer.tmi.twitch.tv PRIVMSG #c :扣1";
    let first = one_chat(&mut twitch, line);
    assert_eq!(first.user, "buyer");
    assert_eq!(first.user_id, None);
    assert_eq!(first.ts, None);
    assert_eq!(first.text, "扣1");
    // Without a send time a repeat is a new message, never a replay.
    let second = one_chat(&mut twitch, line);
    assert_ne!(first.id, second.id);
}

#[test]
fn a_missing_id_gets_a_stable_one_from_channel_user_time_and_text() {
    let line = |login: &str, text: &str, ts: i64| {
        privmsg(
            &format!("display-name=Buyer;tmi-sent-ts={ts};user-id=5"),
            login,
            "#c",
            text,
        )
    };
    let id = |l: String| one_chat(&mut twitch("c"), &l).id;
    let base = id(line("buyer", "扣1", 1_700_000_000_000));
    // Replayed on another connection: the same id, so dedupe drops it.
    assert_eq!(base, id(line("buyer", "扣1", 1_700_000_000_000)));
    assert_eq!(base, fallback_id("#c", "buyer", "扣1", 1_700_000_000_000));
    // Any difference is another message.
    assert_ne!(base, id(line("buyer", "扣2", 1_700_000_000_000)));
    assert_ne!(base, id(line("other", "扣1", 1_700_000_000_000)));
    assert_ne!(base, id(line("buyer", "扣1", 1_700_000_000_001)));
    // The same line in another channel is another message.
    let elsewhere = one_chat(
        &mut twitch("d"),
        &privmsg("tmi-sent-ts=1700000000000", "buyer", "#d", "扣1"),
    );
    assert_ne!(base, elsewhere.id);
    // An empty or absurdly long id is no id.
    let empty = privmsg("id=;tmi-sent-ts=1700000000000", "buyer", "#c", "扣1");
    assert_eq!(one_chat(&mut twitch("c"), &empty).id, base);
    let huge = privmsg(
        &format!("id={};tmi-sent-ts=1700000000000", "x".repeat(500)),
        "buyer",
        "#c",
        "扣1",
    );
    assert_eq!(one_chat(&mut twitch("c"), &huge).id, base);
}

#[test]
fn messages_for_another_channel_are_not_this_sources_chat() {
    let mut twitch = twitch("c");
    let line = privmsg("id=1", "x", "#elsewhere", "扣1");
    assert_eq!(read(&mut twitch, &line), (vec![], Ok(())));
}

#[test]
fn other_commands_are_skipped() {
    let mut twitch = twitch("farmlive");
    for line in SESSION.lines() {
        let command_is = |c: &str| line.contains(&format!(" {c} "));
        if [
            "USERNOTICE",
            "CLEARCHAT",
            "CLEARMSG",
            "ROOMSTATE",
            "USERSTATE",
            "JOIN",
        ]
        .iter()
        .any(|c| command_is(c))
        {
            assert_eq!(read(&mut twitch, line), (vec![], Ok(())), "{line}");
        }
    }
}

#[test]
fn one_bad_line_among_good_ones_is_reported_and_the_good_ones_kept() {
    let mut twitch = twitch("c");
    let frame = format!(
        "{}\r\n@only-tags\r\n{}\r\n",
        privmsg("id=1;tmi-sent-ts=1", "a", "#c", "one"),
        privmsg("id=2;tmi-sent-ts=2", "b", "#c", "two"),
    );
    let (steps, result) = read(&mut twitch, &frame);
    assert_eq!(steps.len(), 2, "{steps:?}");
    let err = result.unwrap_err();
    assert!(err.starts_with("1 of 3 lines unreadable"), "{err}");

    // A frame of one bad line says just why.
    let (steps, result) = read(&mut twitch, ":tmi.twitch.tv PRIVMSG #c");
    assert!(steps.is_empty());
    assert_eq!(result, Err("PRIVMSG without text".into()));
    let (_, result) = read(&mut twitch, "PRIVMSG #c :no sender");
    assert_eq!(result, Err("PRIVMSG without a sender".into()));
}

#[test]
fn binary_frames_and_oversized_lines_are_errors() {
    let mut twitch = twitch("c");
    let mut out = Vec::new();
    assert!(twitch.read(Frame::Binary(vec![1, 2, 3]), &mut out).is_err());
    assert!(out.is_empty());

    let long = privmsg("id=1", "a", "#c", &"扣".repeat(MAX_LINE_BYTES / 3 + 1));
    let (steps, result) = read(&mut twitch, &format!("{long}\r\nPING :x"));
    assert_eq!(steps, vec![Step::Send(Frame::Text("PONG :x".into()))]);
    assert!(result.unwrap_err().contains("64 KiB"));
}

#[test]
fn long_text_and_names_are_capped_and_nuls_dropped() {
    let mut twitch = twitch("c");
    let line = privmsg(
        &format!("id=1;display-name={}", "名".repeat(500)),
        "a",
        "#c",
        &format!("a\0b{}", "字".repeat(5_000)),
    );
    let chat = one_chat(&mut twitch, &line);
    assert!(chat.text.starts_with("ab字"));
    assert_eq!(
        chat.text.chars().count(),
        livestall::chat::frame::MAX_TEXT_CHARS
    );
    assert_eq!(
        chat.user.chars().count(),
        livestall::chat::frame::MAX_USER_CHARS
    );
}

/// IRCv3 escaping, the writer's side, to check unescaping against.
fn escape(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        match c {
            ';' => out.push_str(r"\:"),
            ' ' => out.push_str(r"\s"),
            '\\' => out.push_str(r"\\"),
            '\r' => out.push_str(r"\r"),
            '\n' => out.push_str(r"\n"),
            c => out.push(c),
        }
    }
    out
}

/// Text with IRC's structure characters over-represented, so the parser's
/// branches are reached more often than by uniform strings.
fn irc_ish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("@".to_string()),
            Just(":".to_string()),
            Just(" ".to_string()),
            Just(";".to_string()),
            Just("=".to_string()),
            Just("\\".to_string()),
            Just("\r\n".to_string()),
            Just("\u{1}ACTION ".to_string()),
            Just("PRIVMSG #c ".to_string()),
            Just("PING".to_string()),
            Just("NOTICE * ".to_string()),
            Just("RECONNECT".to_string()),
            Just("display-name=".to_string()),
            Just("tmi-sent-ts=".to_string()),
            Just("id=".to_string()),
            Just("a!a@a ".to_string()),
            any::<String>(),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn any_text_never_panics(text in any::<String>()) {
        let mut out = Vec::new();
        let _ = twitch("c").read(Frame::Text(text), &mut out);
    }

    #[test]
    fn irc_shaped_text_never_panics_and_pongs_stay_one_line(text in irc_ish()) {
        let mut out = Vec::new();
        let _ = twitch("c").read(Frame::Text(text), &mut out);
        for step in out {
            if let Step::Send(Frame::Text(pong)) = step {
                prop_assert!(pong.starts_with("PONG :"));
                prop_assert!(!pong.contains(['\r', '\n', '\0']), "{:?}", pong);
            }
        }
    }

    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let mut out = Vec::new();
        let _ = twitch("c").read(Frame::Binary(bytes.clone()), &mut out);
        let _ = twitch("c").read(Frame::Text(String::from_utf8_lossy(&bytes).into_owned()), &mut out);
    }

    /// However the server batches lines into frames, the same chat comes
    /// out in the same order, its text as sent.
    #[test]
    fn batching_lines_into_frames_changes_nothing(
        messages in prop::collection::vec(
            ("[a-z0-9_]{1,25}", "[^\\x00\r\n]{1,60}", 1i64..2_000_000_000_000),
            1..20,
        ),
        cut in 1usize..5,
    ) {
        let lines: Vec<String> = messages
            .iter()
            .enumerate()
            .map(|(n, (login, text, ts))| {
                privmsg(&format!("id=m{n};tmi-sent-ts={ts}"), login, "#c", text)
            })
            .collect();
        let (whole, result) = read(&mut twitch("c"), &lines.join("\r\n"));
        prop_assert_eq!(result, Ok(()));
        let mut batched = Vec::new();
        let mut reader = twitch("c");
        for chunk in lines.chunks(cut) {
            let frame = format!("{}\r\n", chunk.join("\r\n"));
            prop_assert_eq!(reader.read(Frame::Text(frame), &mut batched), Ok(()));
        }
        prop_assert_eq!(&whole, &batched);
        let sent: Vec<String> = messages
            .iter()
            .filter(|(_, text, _)| !text.trim().is_empty())
            .map(|(_, text, _)| text.clone())
            .collect();
        let got: Vec<String> = whole
            .iter()
            .filter_map(|s| match s {
                Step::Chat(c) => Some(c.text.clone()),
                _ => None,
            })
            .collect();
        prop_assert_eq!(got, sent);
    }

    #[test]
    fn escaped_display_names_come_back_as_written(name in "[^\\x00]{1,40}") {
        prop_assume!(!name.trim().is_empty());
        let line = privmsg(&format!("display-name={};id=1", escape(&name)), "login", "#c", "1");
        prop_assert_eq!(one_chat(&mut twitch("c"), &line).user, name);
    }
}
