//! `parse` reading a message that trips a bug in the engine (a test hook
//! makes the engine fail on it): that line gets an error line, the lines
//! around it their readings, and the run ends normally.

use livestall::commands::parse::{run_with, Flush};
use livestall::intent::Engine;
use serde_json::Value;
use std::path::Path;

#[test]
fn an_engine_failure_is_that_line_s_error_and_parsing_goes_on() {
    let config = livestall::config::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shop-small.toml"),
    )
    .unwrap();
    let engine = Engine::new(&config.catalog).failing_on("炸");
    // The second line takes the fast path, the third the general one (a
    // numeric id), so both readers' guards are exercised.
    let input = concat!(
        r#"{"id":"a","user":"u","text":"小米来两袋"}"#,
        "\n",
        r#"{"id":"b","user":"u","text":"炸 小米来两袋"}"#,
        "\n",
        r#"{"id":7,"user":"u","text":"炸了"}"#,
        "\n",
        r#"{"id":"c","user":"u","text":"核桃一袋"}"#,
        "\n",
    );
    let mut out = Vec::new();
    run_with(
        &config.catalog,
        &engine,
        input.as_bytes(),
        &mut out,
        Flush::AtEnd,
    )
    .unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert_eq!(lines[0]["intents"][0]["sku"], "MILLET");
    for (row, line_no) in [(1, 2), (2, 3)] {
        assert_eq!(lines[row]["line"], line_no, "{lines:#?}");
        assert!(
            lines[row]["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{lines:#?}"
        );
        assert!(lines[row].get("intents").is_none());
    }
    assert_eq!(lines[3]["intents"][0]["sku"], "WALNUT");
}
