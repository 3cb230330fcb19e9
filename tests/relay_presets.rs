//! The README's relay presets, read from README.md itself (so the README and
//! these tests cannot drift apart) through `Config`, and run on frames shaped
//! as each tool documents its output: chat decodes into the right
//! id/user/user_id/text/ts, other frame types (gifts, likes, joins) are
//! skipped.

use livestall::chat::{decode_frame, ChatMessage};
use livestall::config::{self, FieldMap, SourceKind};
use serde_json::json;
use std::path::Path;

/// Every preset in the README, each tested below.
const PRESETS: [&str; 4] = [
    "social-stream-ninja",
    "tiktok-live-connector",
    "douyin-barragegrab",
    "douyin-barragegrab-wss",
];

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

/// The ```toml block after `<!-- preset: NAME ` in the README.
fn preset_block(name: &str) -> String {
    let readme = readme();
    let marker = format!("<!-- preset: {name} ");
    let at = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README has no preset {name:?}"));
    let rest = &readme[at..];
    let open = rest
        .find("```toml\n")
        .expect("a toml block after the marker")
        + "```toml\n".len();
    let close = rest[open..].find("```").expect("the toml block ends");
    rest[open..open + close].to_string()
}

/// The preset read as a whole config would be: the block plus the shop a
/// config needs anyway. Returns the url and the field map.
fn load(name: &str) -> (String, FieldMap) {
    const SHOP: &str = r#"
[shop]
language = "en"

[[products]]
sku = "XM"
name = "小米"
link = 2
price = 39.9
stock = 10
"#;
    let text = format!("{}{SHOP}", preset_block(name));
    let c = config::parse_with_locale(&text, "README.md", Path::new("."), Some("C"))
        .unwrap_or_else(|e| panic!("preset {name}: {e}"));
    let source = c
        .sources
        .into_iter()
        .next()
        .expect("the preset has a [source]");
    assert_eq!(source.kind, SourceKind::Json, "{name}");
    (source.url, source.fields)
}

fn decode(fields: &FieldMap, frame: &str) -> Option<ChatMessage> {
    decode_frame(frame, fields, 77).unwrap_or_else(|e| panic!("{e}: {frame}"))
}

fn chat(id: &str, user: &str, user_id: Option<&str>, text: &str, ts: Option<i64>) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        user: user.into(),
        user_id: user_id.map(Into::into),
        text: text.into(),
        ts,
    }
}

#[test]
fn every_preset_in_the_readme_is_tested_and_loads() {
    let readme = readme();
    let named: Vec<&str> = readme
        .match_indices("<!-- preset: ")
        .map(|(at, m)| {
            let rest = &readme[at + m.len()..];
            &rest[..rest.find(' ').expect("a space after the name")]
        })
        .collect();
    assert_eq!(
        named, PRESETS,
        "a README preset without a test, or the other way round"
    );
    for name in PRESETS {
        load(name);
    }
}

/// Social Stream Ninja, steveseguin/social_stream `api.md`: channel 4 carries
/// `chatname`, `chatmessage` (HTML) and `type` (the platform); no id or time
/// is documented.
#[test]
fn social_stream_ninja() {
    let (url, fields) = load("social-stream-ninja");
    assert!(
        url.starts_with("wss://io.socialstream.ninja/join/"),
        "{url}"
    );
    let frame = json!({
        "chatname": "李姐",
        "chatmessage": "小米<img src=\"https://example.invalid/e.png\" alt=\"🌾\">来两袋 &amp; 核桃",
        "type": "youtube",
    })
    .to_string();
    assert_eq!(
        decode(&fields, &frame),
        Some(chat("n-77", "李姐", None, "小米🌾来两袋 & 核桃", None))
    );
    let no_message = json!({"chatname": "李姐", "type": "youtube"}).to_string();
    assert_eq!(decode(&fields, &no_message), None);
}

/// TikTok-Live-Connector through a relay sending `{"event", "data"}` frames
/// (TikFinity, ws://localhost:21213/). `data` as documented in
/// zerodytrash/TikTok-Live-Connector README.md (1.x, "chat", "gift",
/// "member", "like" data structures), and as the 2.x rewrite names it
/// (.proto/src/webcast.proto `WebcastChatMessage` { common, user, comment },
/// .proto/src/data.proto `CommonMessageData` { msgId, createTime }, `User`
/// { userId, nickname, uniqueId }).
#[test]
fn tiktok_live_connector_v1_and_v2_chat() {
    let (url, fields) = load("tiktok-live-connector");
    assert_eq!(url, "ws://localhost:21213/");

    let v1 = json!({"event": "chat", "data": {
        "comment": "2号 来两袋",
        "userId": "6813181309701719620",
        "secUid": "<redacted>",
        "uniqueId": "zerodytester",
        "nickname": "Zerody Tester",
        "profilePictureUrl": "https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0...webp",
        "followRole": 0,
        "userBadges": [{"type": "pm_mt_moderator_im", "name": "Moderator"}],
        "userDetails": {"createTime": "0", "bioDescription": "", "profilePictureUrls": []},
        "followInfo": {"followingCount": 10000, "followerCount": 606, "followStatus": 0, "pushStatus": 0},
        "isModerator": false,
        "isNewGifter": false,
        "isSubscriber": false,
        "topGifterRank": null,
        "msgId": "7137750790064065286",
        "createTime": "1661887134718"
    }})
    .to_string();
    let expected = chat(
        "7137750790064065286",
        "Zerody Tester",
        Some("6813181309701719620"),
        "2号 来两袋",
        Some(1_661_887_134_718),
    );
    assert_eq!(decode(&fields, &v1), Some(expected.clone()));

    // 2.x: int64 fields as text or as numbers, depending on how the relay
    // serialises them; both read the same.
    let v2 = json!({"event": "chat", "data": {
        "common": {"method": "WebcastChatMessage", "msgId": "7137750790064065286",
                   "roomId": "7137682087200557829", "createTime": "1661887134718"},
        "user": {"userId": "6813181309701719620", "nickname": "Zerody Tester",
                 "uniqueId": "zerodytester", "secUid": "<redacted>"},
        "comment": "2号 来两袋",
        "visibleToSender": false,
        "contentLanguage": "zh"
    }})
    .to_string();
    assert_eq!(decode(&fields, &v2), Some(expected.clone()));
    let v2_numbers = v2
        .replace("\"1661887134718\"", "1661887134718")
        .replace("\"6813181309701719620\"", "6813181309701719620");
    assert_eq!(decode(&fields, &v2_numbers), Some(expected));

    // No nickname: the @handle names the buyer.
    let handle_only = json!({"event": "chat", "data": {
        "comment": "要一袋", "userId": "1", "uniqueId": "farmfan",
        "msgId": "9", "createTime": "1661887134718"
    }})
    .to_string();
    assert_eq!(decode(&fields, &handle_only).unwrap().user, "farmfan");
}

#[test]
fn tiktok_live_connector_other_events_are_skipped() {
    let (_, fields) = load("tiktok-live-connector");
    let user = json!({
        "userId": "6813181309701719620", "uniqueId": "zerodytester", "nickname": "Zerody Tester",
        "msgId": "7137749190944230150", "createTime": "1661887134397"
    });
    let with = |extra: serde_json::Value| {
        let mut data = user.clone();
        data.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        data
    };
    let others = [
        json!({"event": "gift", "data": with(json!({
            "giftId": 5953, "repeatCount": 1, "repeatEnd": true, "giftType": 1,
            "describe": "Sent Nevalyashka doll", "giftName": "Nevalyashka doll", "diamondCount": 25,
            "displayType": "webcast_aweme_gift_send_message", "label": "{0:user} sent {1:gift} {2:string}"
        }))}),
        json!({"event": "member", "data": with(json!({
            "actionId": 1, "displayType": "live_room_enter_toast", "label": "{0:user} joined"
        }))}),
        json!({"event": "like", "data": with(json!({
            "likeCount": 6, "totalLikeCount": 21349, "displayType": "pm_mt_msg_viewer",
            "label": "{0:user} sent likes to the host"
        }))}),
        json!({"event": "social", "data": with(json!({
            "displayType": "pm_main_follow_message_viewer_2", "label": "{0:user} followed the host"
        }))}),
        // Even a frame of another kind that carries a comment is not chat.
        json!({"event": "questionNew", "data": with(json!({
            "questionText": "2号还有吗", "comment": "2号还有吗"
        }))}),
        json!({"event": "roomUser", "data": {"viewerCount": 630, "topViewers": []}}),
    ];
    for frame in others {
        let frame = frame.to_string();
        assert_eq!(decode(&fields, &frame), None, "{frame}");
    }
}

/// HaoDong108/DouyinBarrageGrab: `BarrageGrab/WsBarrageServer.cs` broadcasts
/// `BarrageMsgPack { Type, ProcessName, Data }` serialised by Newtonsoft
/// (enum as number), `Data` being the message serialised first, so a JSON
/// text; `Modles/JsonEntity/BarrageMessages.cs` names the fields (`Msg`:
/// MsgId, User, Content, RoomId, WebRoomId; `MsgUser`: Id, ShortId,
/// DisplayId, Nickname, …) and the types (1 chat, 2 like, 3 join, 5 gift,
/// 6 room statistics). No time is sent.
#[test]
fn douyin_barragegrab_data_as_json_text() {
    let (url, fields) = load("douyin-barragegrab");
    assert_eq!(url, "ws://127.0.0.1:8888");
    let user = json!({
        "Id": 1411400097607259_i64, "ShortId": 2200868407_i64, "DisplayId": "2200868407",
        "Nickname": "雅馨💅", "Level": 0, "PayLevel": 30, "Gender": 2,
        "HeadImgUrl": "https://p3.douyinpic.com/aweme/100x100/x.jpeg", "SecUid": "MS4wLjABAAAAxKx07",
        "FansClub": {"ClubName": "熊家人", "Level": 8},
        "FollowerCount": 325, "FollowStatus": 2, "FollowingCount": 134
    });
    let pack = |kind: u8, msg: serde_json::Value| {
        json!({"Type": kind, "ProcessName": "chrome", "Data": msg.to_string()}).to_string()
    };
    let message = |msg_id: u64, content: &str, extra: serde_json::Value| {
        let mut m = json!({
            "MsgId": msg_id, "User": user, "Content": content,
            "RoomId": 7338657973104921378_u64, "WebRoomId": 940152769375_u64
        });
        m.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        m
    };

    let frame = pack(1, message(7338697347818230818, "2号链接 要两袋", json!({})));
    assert_eq!(
        decode(&fields, &frame),
        Some(chat(
            "7338697347818230818",
            "雅馨💅",
            Some("1411400097607259"),
            "2号链接 要两袋",
            None
        ))
    );

    let others = [
        pack(
            2,
            message(
                7338697335486453772,
                "雅馨💅 为主播点了5个赞，总点赞418060",
                json!({"Count": 5, "Total": 418060}),
            ),
        ),
        pack(
            3,
            message(
                7338701468109681418,
                "雅馨💅 来了 直播间人数:6438",
                json!({"CurrentCount": 6438}),
            ),
        ),
        pack(
            5,
            message(
                7338697242632999936,
                "雅馨💅 送出 大啤酒 x 1个，增量1个",
                json!({"GiftId": 2002, "GiftName": "大啤酒", "GroupId": 0, "GiftCount": 1,
                   "RepeatCount": 1, "DiamondCount": 2}),
            ),
        ),
        pack(
            6,
            json!({
                "MsgId": 7338699901570204223_u64, "User": null,
                "Content": "当前直播间人数 3937，累计直播间人数 26.9万",
                "OnlineUserCount": 3937, "TotalUserCount": 269277,
                "RoomId": 7338657973104921378_u64, "WebRoomId": 0
            }),
        ),
    ];
    for frame in others {
        assert_eq!(decode(&fields, &frame), None, "{frame}");
    }
}

/// wushuaihua520/BarrageGrab: README.md 消息体注解 and
/// `GrabServices/DouyinBarrageGrabService.cs` (`OpenBarrageMessage { Type,
/// Data }`, `MessageTypeEnum`: 1 Member, 2 Social, 3 Chat, 4 Like, 5 Gift,
/// 7 RoomUserSeq; `DouyinUser.NickName`). `Data` is an object; no time.
/// The frames are the README's examples.
#[test]
fn douyin_barragegrab_wss_data_as_object() {
    let (url, fields) = load("douyin-barragegrab-wss");
    assert_eq!(url, "ws://127.0.0.1:8888");
    let chat_frame = r#"{
	"Type": 3,
	"Data": {
		"MsgId": 7338697347818230818,
		"User": {
			"FollowingCount": 134,
			"Id": 1411400097607259,
			"ShortId": 2200868407,
			"DisplayId": "2200868407",
			"NickName": "雅馨💅",
			"Level": 0,
			"PayLevel": 30,
			"Gender": 2,
			"Birthday": 0,
			"Telephone": null,
			"Avatar": "https://p3.douyinpic.com/aweme/100x100/aweme-avatar/x.jpeg?from=3067671334",
			"SecUid": "MS4wLjABAAAAxKx07UstZBmcpNz4vr4r8pRbq5PYRcP98mI--SQx0c7fHVa7pmMCYFdvnlgmivty",
			"FansClub": {"ClubName": "熊家人", "Level": 8},
			"FollowerCount": 325,
			"FollowStatus": 2
		},
		"Content": "流量呢",
		"RoomId": 7338657973104921378
	}
}"#;
    assert_eq!(
        decode(&fields, chat_frame),
        Some(chat(
            "7338697347818230818",
            "雅馨💅",
            Some("1411400097607259"),
            "流量呢",
            None
        ))
    );
    let user = json!({"Id": 101685213389_i64, "NickName": "小铭.", "DisplayId": "1196943920"});
    let others = [
        json!({"Type": 1, "Data": {"MemberCount": 6438, "MsgId": 7338701468109681418_u64,
               "User": user, "Content": "小铭. 来了", "RoomId": 7338688640757009202_u64}}),
        json!({"Type": 2, "Data": {"MsgId": 7338701469288500020_u64, "User": user,
               "Content": "小铭. 关注了主播", "RoomId": 7338688640757009202_u64}}),
        json!({"Type": 4, "Data": {"Count": 5, "Total": 418060, "MsgId": 7338697335486453772_u64,
               "User": user, "Content": "小铭. 为主播点了5个赞，总点赞418060",
               "RoomId": 7338657973104921378_u64}}),
        json!({"Type": 5, "Data": {"GiftId": 2002, "GiftName": "大啤酒", "GroupId": 0,
               "GiftCount": 1, "RepeatCount": 0, "DiamondCount": 2, "ToUser": null,
               "MsgId": 7338697242632999936_u64, "User": user,
               "Content": "小铭. 送出 大啤酒 x 1 个", "RoomId": 7338657973104921378_u64}}),
        json!({"Type": 7, "Data": {"OnlineUserCount": 3937, "TotalUserCount": 269277,
               "MsgId": 7338699901570204223_u64, "User": null,
               "Content": "当前直播间人数 3937，累计直播间人数 26.9万",
               "RoomId": 7338657973104921378_u64}}),
    ];
    for frame in others {
        let frame = frame.to_string();
        assert_eq!(decode(&fields, &frame), None, "{frame}");
    }
}

/// The two BarrageGrabs share a port but not a frame: each preset reads
/// nothing from the other's chat, rather than reading it wrong.
#[test]
fn the_two_barragegrab_presets_do_not_read_each_others_frames() {
    let (_, text_data) = load("douyin-barragegrab");
    let (_, object_data) = load("douyin-barragegrab-wss");
    let object_chat = json!({"Type": 3, "Data": {"MsgId": 1, "Content": "要两袋",
        "User": {"Id": 2, "NickName": "A"}}})
    .to_string();
    let text_chat = json!({"Type": 1, "ProcessName": "chrome",
        "Data": json!({"MsgId": 1, "Content": "要两袋", "User": {"Id": 2, "Nickname": "A"}}).to_string()})
    .to_string();
    assert_eq!(decode(&text_data, &object_chat), None);
    assert_eq!(decode(&object_data, &text_chat), None);
}
