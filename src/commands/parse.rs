//! `livestall parse`: JSON lines in, one JSON line of intents out per line in.
//! Reads the catalog only; needs no database and writes nothing.

use crate::catalog::Catalog;
use crate::intent::sender::{OpenOrder, Said, SenderContext};
use crate::intent::{Engine, Intent};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;
use std::io::{self, BufRead, Write};

/// Writes the output lines. The keys and kinds are fixed ASCII and the SKUs
/// are turned into JSON once per run, so a line is a few copies rather than
/// serde's escaping of every key, character by character. The lines are
/// exactly what serde_json writes for
/// `{"id", "intents": [{"kind", "sku", "qty", "confidence", "evidence"}]}`
/// (tests/cli_parse.rs reads them back with serde_json).
struct LineWriter {
    /// Each product's SKU as a JSON string, by catalog index.
    skus: Vec<String>,
    numbers: itoa::Buffer,
}

impl LineWriter {
    fn new(catalog: &Catalog) -> LineWriter {
        LineWriter {
            skus: catalog
                .products
                .iter()
                .map(|p| serde_json::to_string(&p.sku).unwrap_or_else(|_| "null".into()))
                .collect(),
            numbers: itoa::Buffer::new(),
        }
    }

    /// One line (without its newline): `id` as serde writes it (a raw id
    /// as it was written), then the intents.
    fn write<W: Write, Id: Serialize + ?Sized>(
        &mut self,
        out: &mut W,
        id: &Id,
        intents: &[Intent],
    ) -> io::Result<()> {
        out.write_all(b"{\"id\":")?;
        serde_json::to_writer(&mut *out, id)?;
        self.write_intents(out, intents)
    }

    /// `write` with the id as it was written in the input line (a JSON
    /// string with its quotes, or a number), which is what serde writes
    /// for a raw id.
    fn write_raw<W: Write>(&mut self, out: &mut W, id: &str, intents: &[Intent]) -> io::Result<()> {
        out.write_all(b"{\"id\":")?;
        out.write_all(id.as_bytes())?;
        self.write_intents(out, intents)
    }

    /// The rest of a line after its id.
    fn write_intents<W: Write>(&mut self, out: &mut W, intents: &[Intent]) -> io::Result<()> {
        out.write_all(b",\"intents\":[")?;
        for (k, intent) in intents.iter().enumerate() {
            if k > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"{\"kind\":\"")?;
            out.write_all(intent.kind.as_str().as_bytes())?;
            out.write_all(b"\",\"sku\":")?;
            match intent.product.and_then(|p| self.skus.get(p)) {
                Some(sku) => out.write_all(sku.as_bytes())?,
                None => out.write_all(b"null")?,
            }
            out.write_all(b",\"qty\":")?;
            match intent.qty {
                Some(qty) => out.write_all(self.numbers.format(qty).as_bytes())?,
                None => out.write_all(b"null")?,
            }
            out.write_all(b",\"confidence\":")?;
            let confidence = crate::intent::rounded_confidence(intent.confidence);
            serde_json::to_writer(&mut *out, &confidence)?;
            // What the reading rests on, as `[start, end)` byte offsets into `text`.
            out.write_all(b",\"evidence\":[")?;
            for (j, r) in intent.evidence.iter().enumerate() {
                out.write_all(if j > 0 { b",[" } else { b"[" })?;
                out.write_all(self.numbers.format(r.start).as_bytes())?;
                out.write_all(b",")?;
                out.write_all(self.numbers.format(r.end).as_bytes())?;
                out.write_all(b"]")?;
            }
            out.write_all(b"]}")?;
        }
        out.write_all(b"]}")
    }
}

/// The plainest line, and the commonest: one flat object whose values are
/// strings without escapes (and an id that may be a whole number), with
/// neither `history` nor `orders`. Read by hand in one pass over the bytes,
/// which costs a fraction of serde's generated reader; any other line
/// (escapes, nulls, other numbers, lists, a repeated key, bad UTF-8, text
/// after the object) is not read here at all but by `FastMessage` and the
/// slow path, as before, so what `parse` accepts and answers is unchanged.
struct PlainLine<'a> {
    /// The id as written: a JSON string with its quotes, or an integer.
    id: &'a str,
    text: &'a str,
    current: Option<&'a str>,
    on_air: Option<&'a str>,
}

/// Reads a plain line (see [`PlainLine`]), or `None` for any other.
fn read_plain(line: &[u8]) -> Option<PlainLine<'_>> {
    // The whole line checked once: every piece cut out below lies between
    // ASCII quotes or is ASCII, so it is valid UTF-8 as well.
    let text = std::str::from_utf8(line).ok()?;
    let mut r = PlainReader {
        s: text,
        b: line,
        i: 0,
    };
    r.eat(b'{')?;
    let (mut id, mut text, mut current, mut on_air) = (None, None, None, None);
    loop {
        r.skip_ws();
        let key = r.string()?;
        r.skip_ws();
        r.eat(b':')?;
        r.skip_ws();
        // A key given twice is an error for serde's reader: not plain.
        let slot = match key {
            "id" => {
                if id.is_some() {
                    return None;
                }
                id = Some(r.id()?);
                None
            }
            "text" => Some(&mut text),
            "current" => Some(&mut current),
            "on_air" => Some(&mut on_air),
            "history" | "orders" => return None,
            _ => {
                // Another key (`user`, a relay's own): ignored, as serde does.
                r.string()?;
                None
            }
        };
        if let Some(slot) = slot {
            if slot.is_some() {
                return None;
            }
            *slot = Some(r.string()?);
        }
        r.skip_ws();
        match r.next()? {
            b',' => continue,
            b'}' => break,
            _ => return None,
        }
    }
    r.skip_ws();
    if r.i != line.len() {
        return None;
    }
    Some(PlainLine {
        id: id?,
        text: text?,
        current,
        on_air,
    })
}

/// A cursor over a line for [`read_plain`].
struct PlainReader<'a> {
    /// The line, and the same as bytes.
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> PlainReader<'a> {
    fn next(&mut self) -> Option<u8> {
        let c = *self.b.get(self.i)?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// JSON's whitespace, the four bytes serde skips.
    fn skip_ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// A string without escapes or control characters (which JSON forbids
    /// raw): its contents, without the quotes.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let len = self.b[start..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        self.i = start + len;
        self.eat(b'"')?;
        self.s.get(start..start + len)
    }

    /// An id: a plain string (kept with its quotes) or an integer without
    /// leading zeros; a fraction or an exponent is left to serde.
    fn id(&mut self) -> Option<&'a str> {
        let start = self.i;
        if self.b.get(self.i) == Some(&b'"') {
            self.string()?;
        } else {
            if self.b.get(self.i) == Some(&b'-') {
                self.i += 1;
            }
            let digits = self.b[self.i..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits == 0 || (digits > 1 && self.b[self.i] == b'0') {
                return None;
            }
            self.i += digits;
            if matches!(self.b.get(self.i), Some(b'.' | b'e' | b'E')) {
                return None;
            }
        }
        self.s.get(start..self.i)
    }
}

/// The common line, read without building a JSON tree: the id kept as
/// written, text and current borrowed from the line unless they hold escapes.
/// Anything unusual (a wrong type, a duplicate key) goes the slow way, which
/// also words the error.
#[derive(Deserialize)]
struct FastMessage<'a> {
    #[serde(borrow)]
    id: &'a RawValue,
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(default, borrow)]
    current: Option<Cow<'a, str>>,
    /// A session file's line (`chat::record`): the product on air when it
    /// arrived, which is what `current` means; `current` wins when both are.
    #[serde(default, borrow)]
    on_air: Option<Cow<'a, str>>,
    /// The sender's earlier messages and open orders (LABELING.md, second
    /// edition); with neither, the message is read alone.
    #[serde(default, borrow)]
    history: Option<Vec<SaidLine<'a>>>,
    #[serde(default, borrow)]
    orders: Option<Vec<OrderLine<'a>>>,
}

/// One of `history`'s messages: `{"text", "ago_s", "current"?}`.
#[derive(Deserialize)]
struct SaidLine<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(default)]
    ago_s: f64,
}

/// One of `orders`: `{"sku", "qty", "ago_s"}`.
#[derive(Deserialize)]
struct OrderLine<'a> {
    #[serde(borrow)]
    sku: Cow<'a, str>,
    #[serde(default)]
    qty: Option<u32>,
    #[serde(default)]
    ago_s: f64,
}

/// Seconds as the context counts them (negative or not a number: now).
fn seconds(ago_s: f64) -> u64 {
    if ago_s.is_finite() && ago_s > 0.0 {
        ago_s as u64
    } else {
        0
    }
}

/// The sender's context of a line, in the engine's terms; `None` when the
/// line has neither `history` nor `orders` (read alone).
fn sender_context<'l>(
    catalog: &Catalog,
    history: Option<&'l [SaidLine<'l>]>,
    orders: Option<&[OrderLine<'_>]>,
    said: &mut Vec<Said<'l>>,
    open: &mut Vec<OpenOrder>,
) -> bool {
    said.clear();
    open.clear();
    if history.is_none() && orders.is_none() {
        return false;
    }
    said.extend(history.unwrap_or_default().iter().map(|h| Said {
        text: &h.text,
        ago_s: seconds(h.ago_s),
    }));
    open.extend(orders.unwrap_or_default().iter().map(|o| OpenOrder {
        product: catalog.index_of_sku(&o.sku),
        qty: o.qty.unwrap_or(1),
        ago_s: seconds(o.ago_s),
    }));
    true
}

impl FastMessage<'_> {
    /// An id must be a string or a number (not null, a list or an object).
    fn id_is_valid(&self) -> bool {
        self.id
            .get()
            .bytes()
            .next()
            .is_some_and(|b| b == b'"' || b == b'-' || b.is_ascii_digit())
    }
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    line: u64,
    error: &'a str,
}

/// One input message, or why the line is not one.
pub struct Message<'a> {
    pub id: &'a Value,
    pub text: &'a str,
    pub current: Option<&'a str>,
}

fn read_message(v: &Value) -> Result<Message<'_>, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| "not a JSON object with \"id\" and \"text\"".to_string())?;
    let id = obj
        .get("id")
        .filter(|id| id.is_string() || id.is_number())
        .ok_or_else(|| "missing \"id\" (a string or a number)".to_string())?;
    let text = match obj.get("text") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err("\"text\" is not a string".into()),
        None => return Err("missing \"text\"".into()),
    };
    let sku = |key: &str| match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(format!("\"{key}\" is not a SKU string")),
    };
    // A session file's `on_air` is what `current` means (see FastMessage).
    let current = sku("current")?.or(sku("on_air")?);
    Ok(Message { id, text, current })
}

/// When `run` pushes its output on to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// Only when `output` fills, and at the end: piped input, where a flush
    /// per line would cost a write system call per message.
    AtEnd,
    /// After every line: someone typing lines by hand waits for each answer.
    EachLine,
}

impl Flush {
    /// `EachLine` when the input is a terminal (a person), `AtEnd` otherwise.
    pub fn for_input(input: &impl std::io::IsTerminal) -> Flush {
        if input.is_terminal() {
            Flush::EachLine
        } else {
            Flush::AtEnd
        }
    }
}

/// Runs the parse loop over `input` to `output`. Every input line gives one
/// output line; lines that are not messages give `{"line": N, "error": ...}`.
pub fn run(
    catalog: &Catalog,
    engine: &Engine,
    input: impl BufRead,
    output: impl Write,
) -> io::Result<()> {
    run_with(catalog, engine, input, output, Flush::AtEnd)
}

/// `run`, flushing `output` as `flush` says.
pub fn run_with(
    catalog: &Catalog,
    engine: &Engine,
    input: impl BufRead,
    mut output: impl Write,
    flush: Flush,
) -> io::Result<()> {
    let mut input = input;
    let mut buf = Vec::with_capacity(256);
    let mut line_no: u64 = 0;
    // One list of intents for the whole run: no allocation per message.
    let mut intents = Vec::new();
    let mut lines = LineWriter::new(catalog);
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        let line = trim_newline(&buf);
        if let Some(m) = read_plain(line) {
            let current = m
                .current
                .or(m.on_air)
                .and_then(|sku| catalog.index_of_sku(sku));
            if engine.parse_guarded_in_context(m.text, current, None, &mut intents) {
                lines.write_raw(&mut output, m.id, &intents)?;
                output.write_all(b"\n")?;
                if flush == Flush::EachLine {
                    output.flush()?;
                }
                continue;
            }
            // An engine bug on this line: the paths below report it.
        }
        // Only an object: serde would also read ["id", "text"] into the struct.
        let object = line.first() == Some(&b'{');
        if let Some(m) = object
            .then(|| serde_json::from_slice::<FastMessage>(line).ok())
            .flatten()
        {
            if m.id_is_valid() {
                let current = m
                    .current
                    .as_deref()
                    .or(m.on_air.as_deref())
                    .and_then(|sku| catalog.index_of_sku(sku));
                let mut said = Vec::new();
                let mut open = Vec::new();
                let in_context = sender_context(
                    catalog,
                    m.history.as_deref(),
                    m.orders.as_deref(),
                    &mut said,
                    &mut open,
                );
                let sender = SenderContext {
                    orders: &open,
                    history: &said,
                };
                let sender = in_context.then_some(&sender);
                if engine.parse_guarded_in_context(&m.text, current, sender, &mut intents) {
                    lines.write(&mut output, m.id, &intents)?;
                    output.write_all(b"\n")?;
                    if flush == Flush::EachLine {
                        output.flush()?;
                    }
                    continue;
                }
                // An engine bug on this line: reported below as its error.
            }
        }
        let result = match serde_json::from_slice::<Value>(line) {
            Err(e) => Err(if std::str::from_utf8(line).is_err() {
                "line is not valid UTF-8".to_string()
            } else if line.iter().all(u8::is_ascii_whitespace) {
                "empty line".to_string()
            } else {
                format!("not JSON: {e}")
            }),
            Ok(v) => match read_message(&v) {
                Err(e) => Err(e),
                Ok(m) => {
                    let current = m.current.and_then(|sku| catalog.index_of_sku(sku));
                    if engine.parse_guarded(m.text, current, &mut intents) {
                        lines.write(&mut output, m.id, &intents)?;
                        Ok(())
                    } else {
                        Err(ENGINE_FAULT.to_string())
                    }
                }
            },
        };
        if let Err(error) = result {
            serde_json::to_writer(
                &mut output,
                &ErrorOut {
                    line: line_no,
                    error: &error,
                },
            )?;
        }
        output.write_all(b"\n")?;
        if flush == Flush::EachLine {
            output.flush()?;
        }
    }
    output.flush()
}

/// The error of a line the engine could not read (a bug, reported on
/// stderr by the panic): the run goes on with the next line.
const ENGINE_FAULT: &str = "internal error reading this message (please report it)";

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::io::{BufReader, Read};
    use std::rc::Rc;

    /// Where the buffered output lands once flushed: what a reader could see.
    #[derive(Clone, Default)]
    struct Seen(Rc<RefCell<Vec<u8>>>);

    impl Seen {
        fn lines(&self) -> usize {
            self.0.borrow().iter().filter(|&&b| b == b'\n').count()
        }
    }

    impl Write for Seen {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Hands out one line per read, like a person typing, and notes how many
    /// answers the reader could already see each time it is asked for more.
    struct Typist {
        lines: Vec<&'static str>,
        next: usize,
        seen: Seen,
        answers_visible: Vec<usize>,
    }

    impl Read for Typist {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.answers_visible.push(self.seen.lines());
            let Some(line) = self.lines.get(self.next) else {
                return Ok(0);
            };
            self.next += 1;
            // Test lines are far shorter than BufReader's buffer.
            buf[..line.len()].copy_from_slice(line.as_bytes());
            Ok(line.len())
        }
    }

    fn answers_visible_per_read(flush: Flush) -> (Vec<usize>, String) {
        let catalog = crate::config::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shop-small.toml"),
        )
        .unwrap()
        .catalog;
        let engine = Engine::new(&catalog);
        let seen = Seen::default();
        let mut typist = Typist {
            lines: vec![
                "{\"id\":\"a\",\"text\":\"小米来两袋\"}\n",
                "not json\n",
                "{\"id\":\"b\",\"text\":\"核桃一袋\"}\n",
            ],
            next: 0,
            seen: seen.clone(),
            answers_visible: Vec::new(),
        };
        let output = io::BufWriter::with_capacity(64 * 1024, seen.clone());
        run_with(
            &catalog,
            &engine,
            BufReader::new(&mut typist),
            output,
            flush,
        )
        .unwrap();
        let text = String::from_utf8(seen.0.borrow().clone()).unwrap();
        (typist.answers_visible, text)
    }

    #[test]
    fn each_line_shows_every_answer_before_the_next_line_is_read() {
        let (visible, text) = answers_visible_per_read(Flush::EachLine);
        // Asked for line 1, 2, 3, then EOF: the answers so far are out each time.
        assert_eq!(visible, [0, 1, 2, 3]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].contains("\"id\":\"a\""), "{text}");
        assert!(lines[1].contains("\"line\":2"), "{text}");
        assert!(lines[2].contains("\"id\":\"b\""), "{text}");
    }

    #[test]
    fn at_end_holds_answers_back_until_the_input_ends() {
        let (visible, text) = answers_visible_per_read(Flush::AtEnd);
        assert_eq!(visible, [0, 0, 0, 0]);
        assert_eq!(text.lines().count(), 3, "{text}");
    }

    /// What `read_plain` takes for a line, serde's reader must take too,
    /// and read the same: the hand reader may only pass lines on, never
    /// accept one the contract calls an error or read one differently.
    fn assert_plain_agrees_with_serde(line: &[u8]) {
        let Some(plain) = read_plain(line) else {
            return;
        };
        let m = serde_json::from_slice::<FastMessage>(line).unwrap_or_else(|e| {
            panic!(
                "{:?}: plain, but serde says {e}",
                String::from_utf8_lossy(line)
            )
        });
        assert!(m.id_is_valid(), "{:?}", String::from_utf8_lossy(line));
        assert_eq!(plain.id, m.id.get());
        assert_eq!(plain.text, m.text);
        assert_eq!(plain.current, m.current.as_deref());
        assert_eq!(plain.on_air, m.on_air.as_deref());
        assert!(m.history.is_none() && m.orders.is_none());
    }

    #[test]
    fn plain_lines_read_as_serde_reads_them() {
        let plain = [
            r#"{"id":"a","user":"李姐","text":"小米来两袋"}"#,
            r#"{"id":7,"text":"x2","current":"XM-5J"}"#,
            r#"{"id":-3,"text":"x2","on_air":"XM-5J"}"#,
            r#"{"id":0,"text":"","current":"A","on_air":"B"}"#,
            "{ \"id\" : \"b\" ,\t\"text\":\"扣1\" , \"ts\":\"\" }  ",
            r#"{"text":"扣1","id":"c","":"","user":"x","user":"y"}"#,
        ];
        for line in plain {
            assert!(read_plain(line.as_bytes()).is_some(), "{line}");
            assert_plain_agrees_with_serde(line.as_bytes());
        }
        let not_plain = [
            r#"{"id":"a","text":"\u5c0f\u7c73"}"#,
            r#"{"id":"a","text":"x","text":"y"}"#,
            r#"{"id":"a","id":"b","text":"y"}"#,
            r#"{"id":null,"text":"扣1"}"#,
            r#"{"id":01,"text":"扣1"}"#,
            r#"{"id":1.5,"text":"扣1"}"#,
            r#"{"id":"a","text":"扣1","current":null}"#,
            r#"{"id":"a","text":"扣1","current":7}"#,
            r#"{"id":"a","text":"扣1","ts":17}"#,
            r#"{"id":"a","text":"扣1","history":[]}"#,
            r#"{"id":"a","text":"扣1"} x"#,
            r#"{"id":"a","text":"扣1",}"#,
            r#"{"id":"a"}"#,
            r#"{"text":"扣1"}"#,
            r#" {"id":"a","text":"扣1"}"#,
            "{\"id\":\"a\",\"text\":\"tab\there\"}",
        ];
        for line in not_plain {
            assert!(read_plain(line.as_bytes()).is_none(), "{line}");
        }
        assert!(read_plain(b"{\"id\":\"a\",\"text\":\"\xff\"}").is_none());
    }

    proptest::proptest! {
        /// Lines put together from the pieces JSON and chat lines are made
        /// of, well formed or not: whatever the hand reader takes, serde
        /// takes and reads the same.
        #[test]
        fn plain_reading_never_disagrees_with_serde(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "{", "}", ":", ",", " ", "\t", "\"", "\\", "\"id\"", "\"text\"",
                    "\"current\"", "\"on_air\"", "\"user\"", "\"history\"", "\"a\"",
                    "\"小米来两袋\"", "\"XM-5J\"", "7", "-", "0", "01", "1.5", "1e3",
                    "null", "[]", "\u{1}", "\u{7f}", "\\u0041", "\"\"",
                ]),
                0..14,
            ),
            opener in proptest::bool::ANY,
        ) {
            let mut line = String::new();
            if opener {
                line.push('{');
            }
            line.extend(pieces);
            assert_plain_agrees_with_serde(line.as_bytes());
        }
    }

    proptest::proptest! {
        /// Objects of random fields: mostly well formed, so many are plain
        /// (and some repeat a key, hold a null or a number).
        #[test]
        fn plain_objects_read_as_serde_reads_them(
            fields in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "id", "text", "current", "on_air", "user", "ts", "", "历史",
                    ]),
                    proptest::sample::select(vec![
                        "\"a\"", "\"小米来两袋\"", "\"XM-5J\"", "\"\"", "7", "-12", "0",
                        "01", "-", "2.5", "null", "true", "[]", "\"\\n\"", "\"\u{7f}é\"",
                    ]),
                    proptest::sample::select(vec!["", " ", "\t", "\r\n"]),
                ),
                0..6,
            ),
            tail in proptest::sample::select(vec!["", " ", "x", ",", "}"]),
        ) {
            let body: Vec<String> = fields
                .iter()
                .map(|(k, v, ws)| format!("{ws}\"{k}\"{ws}:{ws}{v}{ws}"))
                .collect();
            let line = format!("{{{}}}{tail}", body.join(","));
            assert_plain_agrees_with_serde(line.as_bytes());
        }
    }

    /// The fast reading and the slow one agree on every shape of line: the
    /// fast path must never accept what the contract calls an error.
    #[test]
    fn fast_and_slow_readings_agree() {
        let config = crate::config::parse(
            crate::config::SAMPLE_CONFIG,
            "config.toml",
            std::path::Path::new("."),
        )
        .unwrap();
        let engine = Engine::new(&config.catalog);
        let input = concat!(
            r#"{"id":"a","text":"\u5c0f\u7c73来两袋"}"#,
            "\n",
            r#"["b","小米来两袋"]"#,
            "\n",
            r#"{"id":null,"text":"扣1"}"#,
            "\n",
            r#"{"id":{"x":1},"text":"扣1"}"#,
            "\n",
            r#"{"id":-3,"text":"x2","current":"XM-5J"}"#,
            "\n",
            r#"{"id":"c","text":"x2","current":7}"#,
            "\n",
            r#" {"id":"d","text":"扣1","current":"XM-5J"}"#,
            "\n",
        );
        let mut out = Vec::new();
        run(&config.catalog, &engine, input.as_bytes(), &mut out).unwrap();
        let lines: Vec<Value> = out
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 7);
        // Escaped text reads like plain text.
        assert_eq!(lines[0]["intents"][0]["sku"], "XM-5J");
        assert_eq!(lines[0]["intents"][0]["qty"], 2);
        // A list, a null id, an object id, a current that is no SKU string: errors.
        for (i, n) in [(1, 2), (2, 3), (3, 4), (5, 6)] {
            assert_eq!(lines[i]["line"], n, "{}", lines[i]);
            assert!(lines[i]["error"].is_string(), "{}", lines[i]);
        }
        assert_eq!(lines[4]["id"], -3);
        assert_eq!(lines[4]["intents"][0]["qty"], 2);
        // Leading space: not the fast path, same answer.
        assert_eq!(lines[6]["id"], "d");
        assert_eq!(lines[6]["intents"][0]["sku"], "XM-5J");
    }
}
