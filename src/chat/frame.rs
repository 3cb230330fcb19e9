//! Decoding one JSON text frame from a chat relay into a `ChatMessage`, using
//! the configured JSON pointers. Owns the rules for ids, timestamps and the
//! limits put on untrusted text; sanitising text for the screen is the UI's job.

use super::ChatMessage;
use crate::config::FieldMap;
use serde_json::Value;
use std::borrow::Cow;

/// Longest chat text kept, in chars; longer text is truncated. Real chat lines
/// are far shorter; the cap bounds memory and the intent engine's work.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Longest user name or user id kept, in chars.
pub const MAX_USER_CHARS: usize = 64;
/// Ids longer than this are replaced by a hash of themselves, so a hostile
/// relay cannot make every stored id huge while equal ids stay equal.
pub const MAX_ID_CHARS: usize = 128;

/// Unix timestamps below this are taken as seconds, not milliseconds:
/// 1e11 ms is March 1973, 1e11 s is the year 5138.
const SECONDS_BELOW: f64 = 1e11;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame is not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    #[error("frame is JSON but not an object")]
    NotObject,
    /// `inner` points at text that is not JSON.
    #[error("the frame's inner text is not JSON: {0}")]
    InnerNotJson(serde_json::Error),
    /// `inner` points at something that is neither a JSON object nor text
    /// holding one.
    #[error("the frame's inner value is not a JSON object")]
    InnerNotObject,
}

/// Decodes one frame. `Ok(None)` means a valid frame carrying no chat text
/// (gifts, likes, joins, heartbeats), which the caller skips quietly.
///
/// The filter reads the frame as received; with `fields.inner` set, the
/// field pointers read the object at that pointer instead, parsed first when
/// it is JSON text (relays such as BarrageGrab send `{"Type":1,"Data":"{…}"}`).
///
/// When the frame has no id, one is derived: from (user, text, ts) when the
/// frame has a timestamp, so a replayed frame gets the same id and is
/// deduplicated; otherwise from `fallback_seq`, which the caller must keep
/// unique (such frames cannot be deduplicated).
pub fn decode_frame(
    text: &str,
    fields: &FieldMap,
    fallback_seq: u64,
) -> Result<Option<ChatMessage>, FrameError> {
    let frame: Value = serde_json::from_str(text)?;
    if !frame.is_object() {
        return Err(FrameError::NotObject);
    }

    if let Some((pointer, equals)) = &fields.filter {
        if pointer_text(&frame, pointer).as_deref() != Some(equals.as_str()) {
            return Ok(None);
        }
    }
    let parsed_inner;
    let frame = match &fields.inner {
        None => &frame,
        Some(pointer) => match frame.pointer(pointer) {
            // Passed the filter but carries nothing: a heartbeat or a
            // status frame, not a broken one.
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(inner)) => {
                parsed_inner =
                    serde_json::from_str::<Value>(inner).map_err(FrameError::InnerNotJson)?;
                if !parsed_inner.is_object() {
                    return Err(FrameError::InnerNotObject);
                }
                &parsed_inner
            }
            // A relay version that nests the object itself instead of its
            // text reads the same way.
            Some(object @ Value::Object(_)) => object,
            Some(_) => return Err(FrameError::InnerNotObject),
        },
    };
    let Some(chat_text) = first_text(frame, &fields.text) else {
        return Ok(None);
    };
    let chat_text = clean(&without_html(&chat_text), MAX_TEXT_CHARS);
    if chat_text.trim().is_empty() {
        return Ok(None);
    }

    let user_id = first_text(frame, &fields.user_id)
        .map(|u| clean(&u, MAX_USER_CHARS))
        .filter(|u| !u.is_empty());
    let user = first_text(frame, &fields.user)
        .map(|u| clean(&u, MAX_USER_CHARS))
        .filter(|u| !u.trim().is_empty())
        .or_else(|| user_id.clone())
        .unwrap_or_default();
    let ts = fields
        .ts
        .iter()
        .filter(|p| !p.is_empty())
        .find_map(|p| lookup(frame, p).and_then(timestamp_ms));

    let id = match first_text(frame, &fields.id).map(|i| clean(&i, usize::MAX)) {
        Some(id) if !id.is_empty() && id.chars().count() <= MAX_ID_CHARS => id,
        Some(id) if !id.is_empty() => format!("h-{:016x}", fnv1a64(&[id.as_bytes()])),
        _ => match ts {
            Some(ts) => derived_id(user_id.as_deref().unwrap_or(&user), &chat_text, ts),
            None => format!("n-{fallback_seq}"),
        },
    };

    Ok(Some(ChatMessage {
        id,
        user,
        user_id,
        text: chat_text,
        ts,
    }))
}

/// The id of a frame that has none, stable across replays of the same frame.
pub fn derived_id(user: &str, text: &str, ts_ms: i64) -> String {
    let ts = ts_ms.to_string();
    let hash = fnv1a64(&[user.as_bytes(), text.as_bytes(), ts.as_bytes()]);
    format!("d-{hash:016x}")
}

/// The text at the first of `pointers` that has one.
fn first_text<'a>(frame: &'a Value, pointers: &[String]) -> Option<Cow<'a, str>> {
    pointers.iter().find_map(|p| pointer_text(frame, p))
}

/// `strip_html`, without copying text that has no markup (most chat).
fn without_html(text: &str) -> Cow<'_, str> {
    if text.contains(['<', '&']) {
        Cow::Owned(strip_html(text))
    } else {
        Cow::Borrowed(text)
    }
}

/// Chat text as relays that scrape a web page send it: HTML tags dropped,
/// an emote's `<img alt="…">` kept as its words, the common entities read.
/// Only what is shaped like a tag (`<` then a letter, `</` then a letter, or
/// `<!`, up to `>`) counts, so "I <3 millet", "2<5" and "</>" stay as written.
pub fn strip_html(text: &str) -> String {
    if !text.contains('<') && !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        let (before, tag) = rest.split_at(at);
        out.push_str(before);
        let mut after = tag[1..].chars();
        let opens_tag = match after.next() {
            Some(c) if c.is_ascii_alphabetic() || c == '!' => true,
            Some('/') => after.next().is_some_and(|c| c.is_ascii_alphabetic()),
            _ => false,
        };
        match tag.find('>') {
            Some(end) if opens_tag => {
                if let Some(alt) = alt_of(&tag[..end]) {
                    out.push_str(&alt);
                }
                rest = &tag[end + 1..];
            }
            _ => {
                out.push('<');
                rest = &tag[1..];
            }
        }
    }
    out.push_str(rest);
    decode_entities(&out)
}

/// The `alt` text of an `<img …>` tag, if it has one.
fn alt_of(tag: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    if !lower.starts_with("<img") {
        return None;
    }
    let at = lower.find("alt=")? + 4;
    let value = &tag[at..];
    let quote = value.chars().next().filter(|&c| c == '"' || c == '\'')?;
    let inner = &value[1..];
    inner.find(quote).map(|end| inner[..end].to_string())
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// A string or a number at `pointer`, as text; anything else (missing, null,
/// bool, object) is absent. An empty pointer is the whole frame in RFC 6901,
/// which is never a field here, so it counts as absent.
fn pointer_text<'a>(frame: &'a Value, pointer: &str) -> Option<Cow<'a, str>> {
    if pointer.is_empty() {
        return None;
    }
    match lookup(frame, pointer)? {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// `frame.pointer(pointer)` without its two allocations a token (it
/// unescapes every token into a new string): a frame is read through five
/// pointers or more, up to 100,000 frames a second. A pointer with an
/// escape (`~0`, `~1`) goes the library's way.
fn lookup<'a>(frame: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.contains('~') || !pointer.starts_with('/') {
        return frame.pointer(pointer);
    }
    pointer
        .split('/')
        .skip(1)
        .try_fold(frame, |target, token| match target {
            Value::Object(map) => map.get(token),
            Value::Array(list) => array_index(token).and_then(|i| list.get(i)),
            _ => None,
        })
}

/// An array index token as RFC 6901 (and serde_json) reads it: decimal
/// digits, no sign, no leading zero.
fn array_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

/// Unix milliseconds from a number (or numeric string) of ms or seconds.
fn timestamp_ms(value: &Value) -> Option<i64> {
    let raw = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !raw.is_finite() || raw <= 0.0 {
        return None;
    }
    let ms = if raw < SECONDS_BELOW {
        raw * 1000.0
    } else {
        raw
    };
    // Beyond i64 range (or absurdly far future) is not a real timestamp.
    if ms >= 1e15 {
        return None;
    }
    let ms = ms.round() as i64;
    (ms > 0).then_some(ms)
}

/// Drops NULs (they end strings in C, SQLite tools and terminals) and keeps at
/// most `max_chars` chars.
fn clean(s: &str, max_chars: usize) -> String {
    s.chars().filter(|&c| c != '\0').take(max_chars).collect()
}

/// FNV-1a, 64 bit, over the parts separated by a 0xff byte (never in UTF-8),
/// so ("ab","c") and ("a","bc") differ. Chosen over std's hasher because its
/// output must not change between Rust versions: derived ids end up stored.
fn fnv1a64(parts: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash ^= 0xff;
            hash = hash.wrapping_mul(PRIME);
        }
        for &b in part.iter() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_vectors() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(&[b""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(&[b"foobar"]), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn part_boundaries_matter() {
        assert_ne!(fnv1a64(&[b"ab", b"c"]), fnv1a64(&[b"a", b"bc"]));
    }

    #[test]
    fn lookup_reads_pointers_as_serde_json_does() {
        let frame = serde_json::json!({
            "id": "m1",
            "data": {"comment": "hi", "list": [10, {"x": "y"}], "a/b": 1, "m~n": 2, "": 3},
            "07": "seven",
        });
        for pointer in [
            "",
            "/",
            "/id",
            "/data",
            "/data/comment",
            "/data/list/0",
            "/data/list/1/x",
            "/data/list/01",
            "/data/list/+1",
            "/data/list/2",
            "/data/list/-",
            "/data/a~1b",
            "/data/m~0n",
            "/data/",
            "/07",
            "/missing",
            "/id/0",
            "id",
            "/data/list/0/x",
        ] {
            assert_eq!(
                lookup(&frame, pointer),
                frame.pointer(pointer),
                "{pointer:?}"
            );
        }
    }

    #[test]
    fn seconds_and_millis() {
        assert_eq!(
            timestamp_ms(&serde_json::json!(1_700_000_000)),
            Some(1_700_000_000_000)
        );
        assert_eq!(
            timestamp_ms(&serde_json::json!(1_700_000_000.25)),
            Some(1_700_000_000_250)
        );
        assert_eq!(
            timestamp_ms(&serde_json::json!(1_700_000_000_123_i64)),
            Some(1_700_000_000_123)
        );
        assert_eq!(timestamp_ms(&serde_json::json!(-5)), None);
        assert_eq!(timestamp_ms(&serde_json::json!(1e300)), None);
        assert_eq!(timestamp_ms(&serde_json::json!(true)), None);
    }
}
