//! Table tests for decoding relay frames into chat messages.

use livestall::chat::frame::{derived_id, strip_html, MAX_TEXT_CHARS};
use livestall::chat::{decode_frame, ChatMessage, FrameError};
use livestall::config::FieldMap;

fn fields(id: &str, user: &str, user_id: &str, text: &str, ts: &str) -> FieldMap {
    FieldMap {
        id: vec![id.into()],
        user: vec![user.into()],
        user_id: vec![user_id.into()],
        text: vec![text.into()],
        ts: vec![ts.into()],
        filter: None,
        inner: None,
    }
}

fn msg(id: &str, user: &str, user_id: Option<&str>, text: &str, ts: Option<i64>) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        user: user.into(),
        user_id: user_id.map(Into::into),
        text: text.into(),
        ts,
    }
}

#[test]
fn decodes_frames_by_pointer() {
    let flat = FieldMap::default();
    let relay = fields(
        "/data/msgId",
        "/data/user/nickname",
        "/data/user/uid",
        "/data/comment",
        "/data/timestamp",
    );
    let cases: Vec<(&str, &FieldMap, &str, Option<ChatMessage>)> = vec![
        (
            "flat frame, all fields",
            &flat,
            r#"{"id":"m1","user":"山西老陈","user_id":"u9","text":"小米来两袋","ts":1700000000123}"#,
            Some(msg(
                "m1",
                "山西老陈",
                Some("u9"),
                "小米来两袋",
                Some(1_700_000_000_123),
            )),
        ),
        (
            "numeric id and user id become strings",
            &flat,
            r#"{"id":42,"user":"Tom","user_id":7,"text":"+1"}"#,
            Some(msg("42", "Tom", Some("7"), "+1", None)),
        ),
        (
            "ts in seconds becomes milliseconds",
            &flat,
            r#"{"id":"s","user":"a","text":"扣1","ts":1700000000}"#,
            Some(msg("s", "a", None, "扣1", Some(1_700_000_000_000))),
        ),
        (
            "nested relay fields",
            &relay,
            r#"{"type":"comment","data":{"msgId":"7301","comment":"3号链接拍两单","timestamp":1700000000500,
                "user":{"uid":123456,"nickname":"用户****23"}}}"#,
            Some(msg(
                "7301",
                "用户****23",
                Some("123456"),
                "3号链接拍两单",
                Some(1_700_000_000_500),
            )),
        ),
        (
            "relay event without a comment is skipped",
            &relay,
            r#"{"type":"gift","data":{"msgId":"7302","giftName":"rose","user":{"uid":1,"nickname":"x"}}}"#,
            None,
        ),
        (
            "missing text is skipped",
            &flat,
            r#"{"id":"m2","user":"a"}"#,
            None,
        ),
        (
            "null text is skipped",
            &flat,
            r#"{"id":"m3","user":"a","text":null}"#,
            None,
        ),
        (
            "blank text is skipped",
            &flat,
            r#"{"id":"m4","user":"a","text":"  \u0000 "}"#,
            None,
        ),
        (
            "missing user falls back to user id",
            &flat,
            r#"{"id":"m5","user_id":"u5","text":"要"}"#,
            Some(msg("m5", "u5", Some("u5"), "要", None)),
        ),
        (
            "NULs are stripped, escapes are kept as data",
            &flat,
            r#"{"id":"m6","user":"a\u0000b","text":"扣\u00001\u001b[2J"}"#,
            Some(msg("m6", "ab", None, "扣1\u{1b}[2J", None)),
        ),
        (
            "empty user id is absent",
            &flat,
            r#"{"id":"m8","user":"b","user_id":"","text":"1"}"#,
            Some(msg("m8", "b", None, "1", None)),
        ),
        (
            "numeric text is text",
            &flat,
            r#"{"id":"m7","user":"a","text":2}"#,
            Some(msg("m7", "a", None, "2", None)),
        ),
    ];
    for (name, map, frame, expected) in cases {
        let got = decode_frame(frame, map, 1).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn bad_frames_are_errors() {
    let flat = FieldMap::default();
    for frame in ["not json", "{\"id\":", "", "\u{1b}[31m"] {
        assert!(
            matches!(decode_frame(frame, &flat, 0), Err(FrameError::NotJson(_))),
            "{frame:?}"
        );
    }
    for frame in ["[1,2]", "\"text\"", "42", "null"] {
        assert!(
            matches!(decode_frame(frame, &flat, 0), Err(FrameError::NotObject)),
            "{frame:?}"
        );
    }
}

#[test]
fn missing_id_with_ts_is_stable_and_distinct() {
    let flat = FieldMap::default();
    let frame = r#"{"user":"阿强","text":"扣1","ts":1700000000123}"#;
    let a = decode_frame(frame, &flat, 1)
        .expect("decodes")
        .expect("has text");
    let b = decode_frame(frame, &flat, 99)
        .expect("decodes")
        .expect("has text");
    assert_eq!(a.id, b.id, "a replayed frame must get the same id");
    assert_eq!(a.id, derived_id("阿强", "扣1", 1_700_000_000_123));
    let later = decode_frame(
        r#"{"user":"阿强","text":"扣1","ts":1700000000999}"#,
        &flat,
        1,
    )
    .expect("decodes")
    .expect("has text");
    assert_ne!(
        a.id, later.id,
        "the same words sent later are a new message"
    );
    let other_user = decode_frame(
        r#"{"user":"小花","text":"扣1","ts":1700000000123}"#,
        &flat,
        1,
    )
    .expect("decodes")
    .expect("has text");
    assert_ne!(a.id, other_user.id);
}

#[test]
fn missing_id_without_ts_uses_the_sequence() {
    let flat = FieldMap::default();
    let frame = r#"{"user":"a","text":"+1"}"#;
    let first = decode_frame(frame, &flat, 7)
        .expect("decodes")
        .expect("text");
    let second = decode_frame(frame, &flat, 8)
        .expect("decodes")
        .expect("text");
    assert_eq!(first.id, "n-7");
    assert_ne!(
        first.id, second.id,
        "without ts, identical frames are not merged"
    );
}

#[test]
fn long_text_is_truncated_on_a_char_boundary() {
    let flat = FieldMap::default();
    let long = "主播好".repeat(5_000);
    let frame = serde_json::json!({"id": "long", "user": "x", "text": long}).to_string();
    let got = decode_frame(&frame, &flat, 0)
        .expect("decodes")
        .expect("text");
    assert_eq!(got.text.chars().count(), MAX_TEXT_CHARS);
    assert!(long.starts_with(&got.text));

    let huge_id = "9".repeat(10_000);
    let frame = serde_json::json!({"id": huge_id, "user": "x", "text": "1"}).to_string();
    let a = decode_frame(&frame, &flat, 0)
        .expect("decodes")
        .expect("text");
    let b = decode_frame(&frame, &flat, 5)
        .expect("decodes")
        .expect("text");
    assert!(a.id.len() < 64, "a huge id is replaced by its hash");
    assert_eq!(a.id, b.id, "the replacement is stable");
}

mod properties {
    use super::*;
    use livestall::chat::frame::{MAX_ID_CHARS, MAX_USER_CHARS};
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// Any text at all, JSON that is no object, JSON objects cut short, and
    /// whole chat frames: random strings alone are almost never JSON, so
    /// without the other kinds the decoder's Ok paths would go untried.
    fn any_frame() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            prop_oneof![
                any::<i64>().prop_map(|n| n.to_string()),
                any::<String>().prop_map(|s| json!(s).to_string()),
                any::<Vec<i32>>().prop_map(|v| json!(v).to_string()),
                Just("null".to_string()),
                Just("true".to_string()),
            ],
            (any::<String>(), any::<String>(), 0usize..80).prop_map(|(user, text, cut)| {
                json!({"id": "x", "user": user, "text": text})
                    .to_string()
                    .chars()
                    .take(cut)
                    .collect()
            }),
            (any::<String>(), any::<String>(), any::<String>()).prop_map(|(id, user, text)| {
                json!({"id": id, "user": user, "text": text}).to_string()
            }),
        ]
    }

    /// A field as the decoder keeps it: NULs dropped, at most `max` chars.
    fn kept(s: &str, max: usize) -> String {
        s.chars().filter(|&c| c != '\0').take(max).collect()
    }

    proptest! {
        /// Untrusted text never panics the decoder, and its answer is the
        /// right one for what the text is: not JSON, JSON but no object, or
        /// an object (Ok, with the text taken from its "text" field).
        #[test]
        fn any_text_decodes_or_errors(frame in any_frame()) {
            let result = decode_frame(&frame, &FieldMap::default(), 0);
            match serde_json::from_str::<Value>(&frame) {
                Err(_) => prop_assert!(
                    matches!(result, Err(FrameError::NotJson(_))),
                    "not JSON, decoded as {:?}", result
                ),
                Ok(v) if !v.is_object() => prop_assert!(
                    matches!(result, Err(FrameError::NotObject)),
                    "JSON {} but no object, decoded as {:?}", v, result
                ),
                Ok(v) => {
                    let text = match v.get("text") {
                        Some(Value::String(s)) => Some(kept(&strip_html(s), MAX_TEXT_CHARS)),
                        Some(Value::Number(n)) => Some(n.to_string()),
                        _ => None,
                    }
                    .filter(|t| !t.trim().is_empty());
                    match result {
                        Ok(Some(m)) => prop_assert_eq!(Some(m.text), text),
                        Ok(None) => prop_assert!(text.is_none(), "chat text {:?} dropped", text),
                        Err(e) => prop_assert!(false, "an object was refused: {}", e),
                    }
                }
            }
        }

        /// Whatever the relay sends as fields, what comes out is bounded and NUL-free.
        #[test]
        fn decoded_fields_are_bounded(
            text in any::<String>(),
            user in any::<String>(),
            id in prop_oneof![any::<String>().prop_map(serde_json::Value::from), any::<i64>().prop_map(serde_json::Value::from)],
            ts in prop_oneof![Just(serde_json::Value::Null), any::<i64>().prop_map(serde_json::Value::from), any::<f64>().prop_map(serde_json::Value::from)],
        ) {
            let frame = serde_json::json!({"id": id, "user": user, "text": text, "ts": ts}).to_string();
            if let Some(m) = decode_frame(&frame, &FieldMap::default(), 0).expect("valid JSON object") {
                prop_assert!(m.text.chars().count() <= MAX_TEXT_CHARS);
                prop_assert!(!m.text.contains('\0') && !m.user.contains('\0') && !m.id.contains('\0'));
                prop_assert!(!m.id.is_empty() && m.id.chars().count() <= 128);
                prop_assert!(m.ts.is_none_or(|t| t > 0));
            }
        }

        /// A frame's id, user and text come out as sent (less NULs, within
        /// the limits), so nothing is mixed up between fields or messages.
        #[test]
        /// (Text with markup is read as HTML, tested below and by its own property.)
        fn chat_fields_round_trip(
            id in any::<String>(),
            user in any::<String>(),
            text in any::<String>().prop_map(|s| s.replace(['<', '&'], "")),
        ) {
            let frame = json!({"id": id, "user": user, "text": text}).to_string();
            let got = decode_frame(&frame, &FieldMap::default(), 7).expect("a JSON object");
            let text = kept(&text, MAX_TEXT_CHARS);
            let Some(m) = got else {
                prop_assert!(text.trim().is_empty(), "text {:?} dropped", text);
                return Ok(());
            };
            prop_assert_eq!(m.text, text);
            let user = kept(&user, MAX_USER_CHARS);
            if !user.trim().is_empty() {
                prop_assert_eq!(m.user, user);
            }
            let id = kept(&id, usize::MAX);
            if id.is_empty() {
                // No id and no ts: the fallback sequence names it.
                prop_assert_eq!(m.id, "n-7");
            } else if id.chars().count() <= MAX_ID_CHARS {
                prop_assert_eq!(m.id, id);
            }
        }

        /// A `<` that opens no tag and no entity leaves the text as written:
        /// "I <3 millet", "a < b", "</>" are chat, not markup.
        #[test]
        fn text_without_markup_is_kept_as_written(
            s in any::<String>().prop_map(|s| s.replace('&', "").replace('<', "< ")),
        ) {
            prop_assert_eq!(strip_html(&s), s.clone());
            prop_assert_eq!(strip_html(&format!("{s}</>")), format!("{s}</>"));
        }
    }
}

/// A relay shaped like Social Stream Ninja's: chat nested under another
/// name in newer versions (a list of pointers tried in order), other frame
/// types mixed in (the filter), emotes as `<img alt>` in HTML text.
#[test]
fn pointer_lists_a_frame_filter_and_html_text() {
    let fields = FieldMap {
        id: vec!["/id".into()],
        user: vec!["/chatname".into(), "/data/chatname".into()],
        user_id: vec!["/userid".into()],
        text: vec!["/chatmessage".into(), "/data/chatmessage".into()],
        ts: vec!["/ts".into()],
        filter: Some(("/type".into(), "chat".into())),
        inner: None,
    };
    let old = r#"{"type":"chat","id":"1","chatname":"李姐","chatmessage":"小米<img src=x.png alt=\"🌾\">来两袋 &amp; 核桃"}"#;
    let m = decode_frame(old, &fields, 1).unwrap().expect("chat");
    assert_eq!(
        (m.user.as_str(), m.text.as_str()),
        ("李姐", "小米🌾来两袋 & 核桃")
    );
    let newer =
        r#"{"type":"chat","id":"2","data":{"chatname":"Tom","chatmessage":"I <3 millet, 2<5"}}"#;
    let m = decode_frame(newer, &fields, 2).unwrap().expect("chat");
    assert_eq!(
        (m.user.as_str(), m.text.as_str()),
        ("Tom", "I <3 millet, 2<5")
    );
    let gift = r#"{"type":"gift","id":"3","chatname":"Amy","chatmessage":"sent a rose"}"#;
    assert_eq!(decode_frame(gift, &fields, 3).unwrap(), None);
}

/// `inner`: the message is JSON text (or, in other versions of a relay, an
/// object) inside the frame; the filter reads the frame as sent.
#[test]
fn inner_json_text_is_read_with_the_filter_on_the_outer_frame() {
    let fields = FieldMap {
        id: vec!["/MsgId".into()],
        user: vec!["/User/Nickname".into()],
        user_id: vec!["/User/Id".into()],
        text: vec!["/Content".into()],
        ts: vec![],
        filter: Some(("/Type".into(), "1".into())),
        inner: Some("/Data".into()),
    };
    let as_text = r#"{"Type":1,"Data":"{\"MsgId\":7338697347818230818,\"User\":{\"Id\":1411400097607259,\"Nickname\":\"雅馨\"},\"Content\":\"<b>2</b>号 要两袋\"}"}"#;
    assert_eq!(
        decode_frame(as_text, &fields, 0).unwrap(),
        Some(msg(
            "7338697347818230818",
            "雅馨",
            Some("1411400097607259"),
            "2号 要两袋",
            None
        ))
    );
    let as_object =
        r#"{"Type":1,"Data":{"MsgId":5,"User":{"Id":6,"Nickname":"Tom"},"Content":"hi"}}"#;
    assert_eq!(
        decode_frame(as_object, &fields, 0).unwrap(),
        Some(msg("5", "Tom", Some("6"), "hi", None))
    );
    // The filter is on the outer frame, whatever the inner one says.
    let like = r#"{"Type":2,"Data":"{\"MsgId\":7,\"Content\":\"为主播点了5个赞\",\"Type\":1}"}"#;
    assert_eq!(decode_frame(like, &fields, 0).unwrap(), None);
    // A fields pointer never reaches the outer frame once `inner` is set.
    let outer_only = r#"{"Type":1,"Content":"outer","Data":"{\"MsgId\":8}"}"#;
    assert_eq!(decode_frame(outer_only, &fields, 0).unwrap(), None);
    for empty in [r#"{"Type":1}"#, r#"{"Type":1,"Data":null}"#] {
        assert_eq!(decode_frame(empty, &fields, 0).unwrap(), None, "{empty}");
    }
    let broken = r#"{"Type":1,"Data":"{\"MsgId\":"}"#;
    assert!(matches!(
        decode_frame(broken, &fields, 0),
        Err(FrameError::InnerNotJson(_))
    ));
    for not_object in [
        r#"{"Type":1,"Data":"[1,2]"}"#,
        r#"{"Type":1,"Data":"\"text\""}"#,
        r#"{"Type":1,"Data":42}"#,
        r#"{"Type":1,"Data":[{"Content":"x"}]}"#,
    ] {
        assert!(
            matches!(
                decode_frame(not_object, &fields, 0),
                Err(FrameError::InnerNotObject)
            ),
            "{not_object}"
        );
    }
}
