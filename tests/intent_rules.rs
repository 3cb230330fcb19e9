//! Rule-by-rule table tests for the intent engine on the orchard test catalog
//! (tests/data/catalog-orchard.toml): each row is one behaviour from
//! LABELING.md, so a failing row names the rule that broke.

mod common;

use livestall::catalog::Catalog;
use livestall::intent::{Engine, IntentKind, AUTO_CONFIRM_CONFIDENCE};
use std::path::Path;

fn catalog() -> Catalog {
    common::load_catalog(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/catalog-orchard.toml"),
    )
}

/// Parses `text` and renders the intents as "kind:SKU:qty" strings.
fn read(engine: &Engine, catalog: &Catalog, text: &str, current: Option<&str>) -> Vec<String> {
    let current = current.and_then(|s| catalog.index_of_sku(s));
    engine
        .parse(text, current)
        .iter()
        .map(|i| {
            let sku = i
                .product
                .and_then(|p| catalog.get(p))
                .map_or("-", |p| p.sku.as_str());
            let qty = i.qty.map_or("-".to_string(), |q| q.to_string());
            format!("{}:{sku}:{qty}", i.kind.as_str())
        })
        .collect()
}

fn table(rows: &[(&str, Option<&str>, &[&str])]) {
    let catalog = catalog();
    let engine = Engine::new(&catalog);
    let mut failures = Vec::new();
    for (text, current, want) in rows {
        let got = read(&engine, &catalog, text, *current);
        if got != *want {
            failures.push(format!(
                "{text:?} (current {current:?}): want {want:?}, got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn quantities_in_every_form() {
    table(&[
        ("苹果来两箱", None, &["order:APPLE:2"]),
        ("蘋果來兩箱", None, &["order:APPLE:2"]),
        ("猕猴桃２盒", None, &["order:KIWI:2"]),
        ("蜂蜜x3", None, &["order:HONEY:3"]),
        ("蜂蜜×3", None, &["order:HONEY:3"]),
        ("蜂蜜*3", None, &["order:HONEY:3"]),
        ("香菇2份", None, &["order:SHIITAKE:2"]),
        ("木耳来仨", None, &["order:WOOD-EAR:3"]),
        ("板栗来十二斤", None, &["order:CHESTNUT:12"]),
        ("three bags of mushrooms", None, &["order:SHIITAKE:3"]),
        ("a jar of honey please", None, &["order:HONEY:1"]),
        ("扣一", Some("KIWI"), &["order:KIWI:1"]),
        ("加1", Some("KIWI"), &["order:KIWI:1"]),
        ("1111", Some("KIWI"), &["order:KIWI:1"]),
        ("+２", Some("KIWI"), &["order:KIWI:2"]),
    ]);
}

#[test]
fn numbers_that_are_not_quantities() {
    table(&[
        ("666", Some("APPLE"), &[]),
        ("88", Some("APPLE"), &[]),
        ("5201314", Some("APPLE"), &[]),
        ("21", Some("APPLE"), &[]),
        ("苹果15拍照好", None, &[]),
        ("10斤装的苹果来一箱", None, &["order:APPLE:1"]),
        ("2026年的新苹果来两箱", None, &["order:APPLE:2"]),
        ("电话13900001234，苹果来两箱", None, &["order:APPLE:2"]),
        ("我家3个孩子都爱吃苹果", None, &[]),
        ("12点了", Some("APPLE"), &[]),
        ("-1", Some("APPLE"), &[]),
        ("59.9", Some("APPLE"), &[]),
        ("留言了", Some("APPLE"), &[]),
        ("主播拍照真好看", Some("APPLE"), &[]),
        // Digits of other scripts and Roman numerals are digits.
        ("蜂蜜拿٣瓶", None, &["order:HONEY:3"]),
        ("柿饼Ⅳ袋", None, &["order:PERSIMMON:4"]),
        ("4 catties of chestnuts", None, &["order:CHESTNUT:4"]),
        ("2 buckets of honey", None, &["order:HONEY:2"]),
    ]);
}

#[test]
fn lai_as_come_is_not_a_buy_verb() {
    table(&[
        // 来 + a verb, or 来 inside a directional or adverb word.
        ("大伙都来捧场", Some("KIWI"), &[]),
        ("姐妹们来帮忙转发", Some("KIWI"), &[]),
        ("我来张嘴说两句", Some("KIWI"), &[]),
        ("刚过来，现在卖什么", Some("HONEY"), &[]),
        ("下班回来了", Some("HONEY"), &[]),
        ("看起来挺新鲜", Some("HONEY"), &[]),
        ("主播说到哪个了", Some("HONEY"), &[]),
        ("现在是几号链接", Some("HONEY"), &[]),
        // 来 with a quantity, a product, 这个 or a standalone unit still buys.
        ("来瓶蜂蜜", None, &["order:HONEY:1"]),
        ("来盒", Some("KIWI"), &["order:KIWI:1"]),
        ("香菇这么香，来两袋", None, &["order:SHIITAKE:2"]),
    ]);
}

#[test]
fn questions_that_carry_an_order() {
    table(&[
        // A polite tag keeps the order.
        ("木耳来三包行吗", None, &["order:WOOD-EAR:3"]),
        ("酥梨拍五斤好吗", None, &["order:PEAR:5"]),
        // A question, then an order clause without punctuation: the product
        // asked about is what is ordered.
        ("香菇泡得开吗我要四袋", Some("APPLE"), &["order:SHIITAKE:4"]),
        ("柿饼甜不甜我拿两袋", None, &["order:PERSIMMON:2"]),
        // Two products asked about: no guessing.
        ("苹果和酥梨哪个甜？来两箱", None, &[]),
        ("蜂蜜纯不纯", Some("HONEY"), &[]),
    ]);
}

#[test]
fn bare_orders_with_english_filler() {
    table(&[
        ("+2 also", Some("KIWI"), &["order:KIWI:2"]),
        ("+1 same", Some("KIWI"), &["order:KIWI:1"]),
        ("3 yeah", Some("KIWI"), &["order:KIWI:3"]),
        ("sure, 1 box", Some("KIWI"), &["order:KIWI:1"]),
        ("+1 nice stream", Some("KIWI"), &[]),
    ]);
}

#[test]
fn products_links_and_the_product_on_air() {
    table(&[
        ("3号链接来一箱", None, &["order:APPLE:1"]),
        ("链接5拍两盒", None, &["order:KIWI:2"]),
        ("#21 x5", None, &["order:CHESTNUT:5"]),
        ("link 9 x2", None, &["order:PERSIMMON:2"]),
        ("要12号两斤", None, &["order:PEAR:2"]),
        ("槐花蜂蜜两瓶", None, &["order:HONEY:2"]),
        ("我要", Some("PEAR"), &["order:PEAR:1"]),
        ("这个来五斤", Some("PEAR"), &["order:PEAR:5"]),
        ("扣1", None, &[]),
        ("苹果苹果来两箱", None, &["order:APPLE:2"]),
    ]);
}

#[test]
fn several_products_each_and_refusals() {
    table(&[
        ("苹果3箱猕猴桃2盒", None, &["order:APPLE:3", "order:KIWI:2"]),
        ("3箱苹果2盒猕猴桃", None, &["order:APPLE:3", "order:KIWI:2"]),
        (
            "苹果和猕猴桃各两份",
            None,
            &["order:APPLE:2", "order:KIWI:2"],
        ),
        ("不要苹果，要猕猴桃两盒", None, &["order:KIWI:2"]),
        ("苹果不要，猕猴桃要两盒", None, &["order:KIWI:2"]),
        ("no apples, 2 kiwis", None, &["order:KIWI:2"]),
        ("苹果真好吃，来两箱", None, &["order:APPLE:2"]),
    ]);
}

#[test]
fn cancels_and_changes() {
    table(&[
        ("不要了", Some("APPLE"), &["cancel:-:-"]),
        ("苹果不要了", None, &["cancel:APPLE:-"]),
        ("不要苹果了", None, &["cancel:APPLE:-"]),
        ("取消蜂蜜", Some("KIWI"), &["cancel:HONEY:-"]),
        ("cancel the honey", None, &["cancel:HONEY:-"]),
        ("柿饼改成3袋", None, &["change:PERSIMMON:3"]),
        ("换成五斤", Some("PEAR"), &["change:-:5"]),
        ("make it 4", Some("PEAR"), &["change:-:4"]),
        ("苹果要三箱，不对，改成两箱", None, &["change:APPLE:2"]),
        ("改做兩盒唔該", Some("KIWI"), &["change:-:2"]),
    ]);
}

#[test]
fn changes_and_cancels_of_something_else_amend_nothing() {
    table(&[
        // The new total is no count of the shop's: a count of another
        // thing, a decimal, a name, a range.
        ("变成一个圆", None, &[]),
        ("两个问题改了一天，变成十个问题", None, &[]),
        ("亮度0.5改成了1.5", None, &[]),
        ("从4G改成5G了", None, &[]),
        ("只改了4-8倍", None, &[]),
        ("change to 3 goals", None, &[]),
        // A change word run into a word of its own.
        ("不改名支持了1个灯牌", None, &[]),
        ("设置改一哈", None, &[]),
        // Someone else's doing, or about something else.
        ("你赶紧退了吧", None, &[]),
        ("你的枪还是算了", None, &[]),
        ("快撤退", None, &[]),
        ("they cancel", None, &[]),
        ("you can't play anymore", None, &[]),
        ("i won't play anymore", None, &[]),
        // The sender's own still amend.
        ("改成两盒", Some("KIWI"), &["change:-:2"]),
        ("改成两个吧", Some("KIWI"), &["change:-:2"]),
        ("i don't want it anymore", None, &["cancel:-:-"]),
        ("nah cancel it", None, &["cancel:-:-"]),
    ]);
}

#[test]
fn an_english_verb_after_someone_elses_subject_orders_nothing() {
    table(&[
        ("we take it", Some("KIWI"), &[]),
        ("let's get them", Some("KIWI"), &[]),
        ("he sold", Some("KIWI"), &[]),
        ("Tom could get one", Some("KIWI"), &[]),
        // The sender's own.
        ("can i get 2", Some("KIWI"), &["order:KIWI:2"]),
        ("thank you take 2", Some("KIWI"), &["order:KIWI:2"]),
        ("sold", Some("KIWI"), &["order:KIWI:1"]),
    ]);
}

#[test]
fn messages_that_hold_no_order() {
    table(&[
        ("苹果多少钱一箱", None, &[]),
        ("有没有苹果", Some("APPLE"), &[]),
        ("how sweet are the pears?", None, &[]),
        ("去年买的板栗特别面", None, &[]),
        // 买了 with what was bought after it is a past purchase.
        ("我买了三斤板栗", None, &[]),
        ("买了两瓶蜂蜜送人", Some("HONEY"), &[]),
        ("这瓶蜂蜜我买了", Some("HONEY"), &["order:HONEY:1"]),
        ("下周再来买蜂蜜", None, &[]),
        ("等会儿拍", Some("APPLE"), &[]),
        ("要是便宜点我就拿五箱苹果", None, &[]),
        ("主播要多吃水果啊", Some("APPLE"), &[]),
        ("我要去做饭了", Some("KIWI"), &[]),
        ("看一下木耳", Some("APPLE"), &[]),
        ("我用苹果手机看的", Some("APPLE"), &[]),
        ("苹果醋来一瓶", None, &[]),
        ("来了来了", Some("APPLE"), &[]),
        ("苹果不要太好吃", None, &[]),
        // "有多…" asks how much so.
        ("蜂蜜有多甜", Some("HONEY"), &[]),
        // 同上 points at someone else's message: "+1" after it echoes it.
        ("同上 +1", Some("HONEY"), &[]),
        ("同上", Some("HONEY"), &[]),
    ]);
}

#[test]
fn confidence_flags_what_the_helper_must_check() {
    let catalog = catalog();
    let engine = Engine::new(&catalog);
    let named = engine.parse("苹果来两箱", None);
    assert!(named[0].confidence >= AUTO_CONFIRM_CONFIDENCE);
    let bare = engine.parse("3", catalog.index_of_sku("APPLE"));
    assert!(bare[0].confidence < AUTO_CONFIRM_CONFIDENCE);
    let huge = engine.parse("要1000箱苹果", None);
    assert_eq!(huge[0].qty, Some(1000));
    assert!(huge[0].confidence < 0.5);
    assert_eq!(huge[0].kind, IntentKind::Order);
}

#[test]
fn every_cancel_word_cancels() {
    // One row per cancel word of the lexicon that chat uses, alone (the
    // product on air) and with a product named; a word dropped from the
    // lexicon shows here by name.
    table(&[
        ("不要了", Some("KIWI"), &["cancel:-:-"]),
        ("不要啦", Some("KIWI"), &["cancel:-:-"]),
        ("蜂蜜不要啦", None, &["cancel:HONEY:-"]),
        ("取消", Some("KIWI"), &["cancel:-:-"]),
        ("蜂蜜取消", None, &["cancel:HONEY:-"]),
        ("退掉吧", Some("KIWI"), &["cancel:-:-"]),
        ("蜂蜜退掉", None, &["cancel:HONEY:-"]),
        ("退掉蜂蜜", None, &["cancel:HONEY:-"]),
        ("算了", Some("KIWI"), &["cancel:-:-"]),
        ("算了算了", Some("KIWI"), &["cancel:-:-"]),
        ("撤单", Some("KIWI"), &["cancel:-:-"]),
        ("撤销蜂蜜", None, &["cancel:HONEY:-"]),
        ("柿饼别发了", None, &["cancel:PERSIMMON:-"]),
        ("莫要了", Some("KIWI"), &["cancel:-:-"]),
        ("不想要了", Some("KIWI"), &["cancel:-:-"]),
        ("蜂蜜不想要了", None, &["cancel:HONEY:-"]),
        ("never mind", Some("KIWI"), &["cancel:-:-"]),
        ("nevermind", Some("KIWI"), &["cancel:-:-"]),
        ("forget it", Some("KIWI"), &["cancel:-:-"]),
        ("remove the honey", None, &["cancel:HONEY:-"]),
    ]);
}

#[test]
fn large_quantities_reach_the_helper_flagged() {
    // README: quantities above 50 are flagged, above 999 read at confidence
    // 0.2 for the helper to check, and from 100,000 a number is no quantity
    // (an order or phone number). Rows: text, product on air, the reading,
    // and the most (or least) confidence it may have.
    #[derive(Debug)]
    enum Conf {
        AtMost(f32),
        Below(f32),
        AtLeast(f32),
    }
    use Conf::*;
    let rows: &[(&str, Option<&str>, &[&str], Conf)] = &[
        // At the flag line, not above it: a normal order.
        (
            "苹果来50箱",
            None,
            &["order:APPLE:50"],
            AtLeast(AUTO_CONFIRM_CONFIDENCE),
        ),
        // Above 50: read, but below the auto-confirm line.
        (
            "苹果来60箱",
            None,
            &["order:APPLE:60"],
            Below(AUTO_CONFIRM_CONFIDENCE),
        ),
        (
            "蜂蜜x60",
            None,
            &["order:HONEY:60"],
            Below(AUTO_CONFIRM_CONFIDENCE),
        ),
        (
            "要900箱",
            Some("APPLE"),
            &["order:APPLE:900"],
            Below(AUTO_CONFIRM_CONFIDENCE),
        ),
        // Above 999: read at 0.2 at most, whatever else the message says.
        ("苹果来1500箱", None, &["order:APPLE:1500"], AtMost(0.2)),
        (
            "1500 boxes of kiwis",
            None,
            &["order:KIWI:1500"],
            AtMost(0.2),
        ),
        ("蜂蜜x1000", None, &["order:HONEY:1000"], AtMost(0.2)),
        (
            "要98765箱",
            Some("APPLE"),
            &["order:APPLE:98765"],
            AtMost(0.2),
        ),
    ];
    let catalog = catalog();
    let engine = Engine::new(&catalog);
    let mut failures = Vec::new();
    for (text, current, want, conf) in rows {
        let got = read(&engine, &catalog, text, *current);
        let current = current.and_then(|s| catalog.index_of_sku(s));
        let confidence: Vec<f32> = engine
            .parse(text, current)
            .iter()
            .map(|i| i.confidence)
            .collect();
        let ok = confidence.iter().all(|&c| match conf {
            AtMost(max) => c <= *max,
            Below(line) => c < *line,
            AtLeast(min) => c >= *min,
        });
        if got != *want || !ok {
            failures.push(format!(
                "{text:?}: want {want:?} at confidence {conf:?}, got {got:?} at {confidence:?}"
            ));
        }
    }
    // From 100,000 up a number is never a quantity, with a unit or without.
    for text in ["苹果来100000箱", "要123456箱苹果", "蜂蜜x100000", "100000"] {
        let read = engine.parse(text, catalog.index_of_sku("APPLE"));
        if read.iter().any(|i| i.qty.is_some_and(|q| q >= 100_000)) {
            failures.push(format!("{text:?}: read as a quantity: {read:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn long_messages_parse_without_trouble() {
    let catalog = catalog();
    let engine = Engine::new(&catalog);
    let once = "苹果来两箱，好吃吗？666 #5 x2 ";
    let text = once.repeat(1100);
    assert!(text.chars().count() > 20_000);
    let intents = engine.parse(&text, Some(0));
    for i in &intents {
        for r in &i.evidence {
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        }
    }
    // A message pasted over and over orders what it orders once: each
    // product at its count, nothing from the question or the 666, and no
    // order multiplied by the repetition.
    let want = ["order:APPLE:2", "order:KIWI:2"];
    assert_eq!(read(&engine, &catalog, once, Some("APPLE")), want);
    assert_eq!(read(&engine, &catalog, &text, Some("APPLE")), want);
}

#[test]
fn learned_aliases_name_products_and_win_over_the_catalog() {
    let catalog = livestall::config::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/catalog-millet.toml"),
    )
    .expect("catalog")
    .catalog;
    let plain = Engine::new(&catalog);
    let phrase = "金谷子";
    assert!(plain.parse(&format!("{phrase}来两袋"), None).is_empty());
    let last = catalog.products.last().expect("a product");
    let learned = Engine::with_learned(&catalog, [(phrase, last.sku.as_str())]);
    let read = learned.parse(&format!("{phrase}来两袋"), None);
    assert_eq!(read.len(), 1, "{read:?}");
    assert_eq!(read[0].product, catalog.index_of_sku(&last.sku));
    assert_eq!(read[0].qty, Some(2));
    // Taught a catalog word for another product: the teaching wins.
    let first = &catalog.products[0];
    let relearned = Engine::with_learned(&catalog, [(first.name.as_str(), last.sku.as_str())]);
    let read = relearned.parse(&format!("{}来两袋", first.name), None);
    assert_eq!(read[0].product, catalog.index_of_sku(&last.sku));
    // Unknown SKUs are ignored, not a panic.
    let ignored = Engine::with_learned(&catalog, [(phrase, "no-such-sku")]);
    assert!(ignored.parse(&format!("{phrase}来两袋"), None).is_empty());
}

#[test]
fn days_of_the_month_are_not_links() {
    table(&[
        ("我5号生日，苹果来两箱", None, &["order:APPLE:2"]),
        ("5号之前能发吗", None, &[]),
        ("3月2号拍了两箱苹果的到了吗", None, &[]),
        ("5号拍两单", None, &["order:KIWI:2"]),
        ("5号链接来一单", None, &["order:KIWI:1"]),
        ("5号到了吗", None, &[]),
    ]);
}

#[test]
fn laige_orders_only_with_an_order_object() {
    table(&[
        ("来个近景", Some("APPLE"), &[]),
        ("来个", Some("APPLE"), &["order:APPLE:1"]),
        ("来个猕猴桃", Some("APPLE"), &["order:KIWI:1"]),
    ]);
}

#[test]
fn waiting_for_something_then_buying_is_a_plan() {
    table(&[
        ("等周末再下单", Some("APPLE"), &[]),
        ("过节的时候再买猕猴桃", Some("APPLE"), &[]),
        ("发工资就拍苹果", Some("APPLE"), &[]),
        ("等等，猕猴桃要两盒", Some("APPLE"), &["order:KIWI:2"]),
    ]);
}

#[test]
fn someone_elses_purchase_is_reported_not_ordered() {
    table(&[
        ("楼上拍了五箱苹果", Some("APPLE"), &[]),
        ("他买了两盒猕猴桃", Some("APPLE"), &[]),
        ("给他来两盒猕猴桃", Some("APPLE"), &["order:KIWI:2"]),
        ("其他不要，猕猴桃拍了", Some("APPLE"), &["order:KIWI:1"]),
    ]);
}

#[test]
fn homophone_typos_and_pinyin_are_read_at_low_confidence() {
    table(&[
        ("猕猴陶两盒", None, &["order:KIWI:2"]),
        ("镇安板立来三斤", None, &["order:CHESTNUT:3"]),
        ("pingguo yi xiang", None, &["order:APPLE:1"]),
        ("mihoutao 2 he", None, &["order:KIWI:2"]),
        ("ping guo duoshao qian", None, &[]),
        // English is not pinyin, however short its words.
        ("2 kiwis please", None, &["order:KIWI:2"]),
        ("he said no", Some("APPLE"), &[]),
        // One-character units in pinyin.
        ("banli san jin", None, &["order:CHESTNUT:3"]),
        // Misspelt English: a letter dropped, doubled or swapped.
        ("kiwii 2 boxes", None, &["order:KIWI:2"]),
        ("hnoey x2", None, &["order:HONEY:2"]),
        ("musrooms 3 bags", None, &["order:SHIITAKE:3"]),
        ("chesnuts x2", None, &["order:CHESTNUT:2"]),
        // A replaced letter in a short word is another word, not a typo.
        ("pearl tea is nice", Some("APPLE"), &[]),
        ("so rich, honey", None, &[]),
    ]);
    let catalog = catalog();
    let engine = Engine::new(&catalog);
    for text in ["猕猴陶两盒", "pingguo yi xiang", "kiwii 2 boxes"] {
        let read = engine.parse(text, None);
        assert!(
            read.iter()
                .all(|i| i.confidence <= livestall::intent::fuzzy::FUZZY_CONFIDENCE),
            "{text}: {read:?}"
        );
    }
    let exact = engine.parse("猕猴桃两盒", None);
    assert!(exact[0].confidence >= AUTO_CONFIRM_CONFIDENCE);
    // The evidence of a rewritten word points at what the buyer typed.
    let typo = "猕猴陶两盒";
    let read = engine.parse(typo, None);
    let spans: Vec<&str> = read[0].evidence.iter().map(|r| &typo[r.clone()]).collect();
    assert!(spans.contains(&"猕猴陶"), "{spans:?}");
}

#[test]
fn a_large_new_total_is_flagged_like_a_large_order() {
    let catalog = catalog();
    let engine = Engine::new(&catalog);
    for text in ["改成100箱", "苹果改成56箱", "change to 56"] {
        let read = engine.parse(text, Some(0));
        assert_eq!(read.len(), 1, "{text}: {read:?}");
        assert_eq!(read[0].kind, IntentKind::Change, "{text}");
        assert!(
            read[0].confidence < AUTO_CONFIRM_CONFIDENCE,
            "{text}: {read:?}"
        );
    }
    // A small one is as sure as the sender's orders make it: read alone,
    // which order it changes cannot be known; against one fresh order, sure.
    let small = engine.parse("改成3箱", Some(0));
    assert!(small[0].confidence < AUTO_CONFIRM_CONFIDENCE, "{small:?}");
    let one_order = [livestall::intent::sender::OpenOrder {
        product: Some(0),
        qty: 2,
        ago_s: 30,
    }];
    let sender = livestall::intent::sender::SenderContext {
        orders: &one_order,
        history: &[],
    };
    let mut small = Vec::new();
    engine.parse_in_context("改成3箱", Some(0), Some(&sender), &mut small);
    assert!(small[0].confidence >= AUTO_CONFIRM_CONFIDENCE, "{small:?}");
}

#[test]
fn a_past_or_show_clause_does_not_kill_a_later_order() {
    table(&[
        (
            "上回买的柿饼吃完了，这次再来三袋",
            None,
            &["order:PERSIMMON:3"],
        ),
        ("收到了，再拍两箱苹果", Some("KIWI"), &["order:APPLE:2"]),
        (
            "之前买过，很甜，给我来两盒",
            Some("KIWI"),
            &["order:KIWI:2"],
        ),
        // Without a later order, or with a negated one, nothing is ordered.
        ("上次买过，很甜", Some("KIWI"), &[]),
        ("先看看，不急着买", Some("KIWI"), &[]),
        ("昨天拍了两箱，到了再说", Some("KIWI"), &[]),
        ("I usually buy honey at the market", Some("HONEY"), &[]),
        ("平时都买柿饼", Some("HONEY"), &[]),
    ]);
}

#[test]
fn english_order_phrasings() {
    table(&[
        (
            "honey and kiwis, 2 each",
            None,
            &["order:HONEY:2", "order:KIWI:2"],
        ),
        ("one more box of kiwis", None, &["order:KIWI:1"]),
        ("two more jars of honey", None, &["order:HONEY:2"]),
        ("put me down for 3", Some("KIWI"), &["order:KIWI:3"]),
        // The singular of a plural alias ("chestnuts", "dried persimmons").
        ("chestnut x2", None, &["order:CHESTNUT:2"]),
        ("1 dried persimmon", None, &["order:PERSIMMON:1"]),
        ("i don't want the honey anymore", None, &["cancel:HONEY:-"]),
    ]);
}

#[test]
fn counts_that_describe_and_clause_final_questions() {
    table(&[
        ("蜂蜜先来两瓶", None, &["order:HONEY:2"]),
        ("11111111", Some("KIWI"), &["order:KIWI:1"]),
        // A count before 的 describes the product; the order's count follows.
        ("10斤一箱的苹果来两箱", None, &["order:APPLE:2"]),
        ("12个一盒的猕猴桃来两盒", None, &["order:KIWI:2"]),
        // Northern clause-final 不 / 没 ask.
        ("买两箱苹果能便宜点不", None, &[]),
        ("猕猴桃还有没", None, &[]),
        ("包邮不", Some("KIWI"), &[]),
        // 换 + a product orders it; 换 alone orders nothing.
        (
            "蜂蜜不要了，换柿饼",
            None,
            &["cancel:HONEY:-", "order:PERSIMMON:1"],
        ),
        ("换一个", Some("KIWI"), &[]),
        ("能换货吗", Some("KIWI"), &[]),
    ]);
}

#[test]
fn requests_units_and_which_questions() {
    table(&[
        // A product and a please ask for it; a product alone names it.
        ("link 8 please", None, &["order:HONEY:1"]),
        ("#3 pls", None, &["order:APPLE:1"]),
        ("苹果", None, &[]),
        ("zoom in on the honey pls", Some("HONEY"), &[]),
        // Units are not converted: a weight is no count of boxes.
        ("我家一年吃两百斤苹果", Some("KIWI"), &[]),
        ("苹果来20斤", None, &["order:APPLE:1"]),
        ("酥梨来5斤", None, &["order:PEAR:5"]),
        // 是…还是 asks which; 还是 alone does not.
        ("蜂蜜是一瓶还是两瓶", Some("HONEY"), &[]),
        ("还是来两瓶吧", Some("HONEY"), &["order:HONEY:2"]),
        ("gimme 3", Some("KIWI"), &["order:KIWI:3"]),
        ("nvm", Some("KIWI"), &["cancel:-:-"]),
        ("scratch that", Some("KIWI"), &["cancel:-:-"]),
        ("i have 3 apples at home", Some("KIWI"), &[]),
        // Letters next to digits are separate words.
        ("honey2jars", None, &["order:HONEY:2"]),
        ("an extra box of kiwis please", None, &["order:KIWI:1"]),
    ]);
    let catalog = catalog();
    let engine = Engine::new(&catalog);
    let weight = engine.parse("苹果来20斤", None);
    assert!(weight[0].confidence < AUTO_CONFIRM_CONFIDENCE, "{weight:?}");
}

#[test]
fn cantonese_and_taiwanese_chat() {
    table(&[
        ("俾我两盒猕猴桃", None, &["order:KIWI:2"]),
        ("嚟兩瓶蜂蜜唔該", None, &["order:HONEY:2"]),
        ("+2唔該", Some("KIWI"), &["order:KIWI:2"]),
        ("要一盒喔", Some("KIWI"), &["order:KIWI:1"]),
        ("唔要蜂蜜，要柿饼两袋", None, &["order:PERSIMMON:2"]),
        ("唔要喇", Some("KIWI"), &["cancel:-:-"]),
        ("柿饼有冇", None, &[]),
        ("遲啲再買", Some("KIWI"), &[]),
        // Taiwan's word for a link.
        ("5號連結一盒", None, &["order:KIWI:1"]),
        ("拿蜂蜜近一點給我看", Some("HONEY"), &[]),
    ]);
}

#[test]
fn what_a_count_counts_and_when_the_buying_is() {
    table(&[
        // 个 counting people, a price per unit: no count of the product.
        ("宿舍4个人 来两盒", Some("KIWI"), &["order:KIWI:2"]),
        ("20块钱一斤酥梨有点贵", Some("PEAR"), &[]),
        // 扣N standing apart orders; talked about, it does not.
        ("大三学生 扣2", Some("KIWI"), &["order:KIWI:2"]),
        ("大家快扣1", Some("KIWI"), &[]),
        // A later please takes the quantity to the product before.
        ("the pears look good, 3 jin please", None, &["order:PEAR:3"]),
        // Something to do or wait for, then 再: a plan.
        ("考完试再来买柿饼", Some("KIWI"), &[]),
        ("过年再订蜂蜜", None, &[]),
        ("吃完了再来两盒", Some("KIWI"), &["order:KIWI:2"]),
        ("算了不要蜂蜜了", Some("KIWI"), &["cancel:HONEY:-"]),
        ("回家带了两箱苹果 爸妈都说甜", Some("APPLE"), &[]),
        ("bu yao le", Some("KIWI"), &["cancel:-:-"]),
    ]);
}

#[test]
fn run_on_chat_without_punctuation() {
    table(&[
        // A space between Chinese words parts clauses.
        (
            "蜂蜜不要了 给我来两袋柿饼",
            None,
            &["cancel:HONEY:-", "order:PERSIMMON:2"],
        ),
        ("我们吃不了多少 来一盒猕猴桃就够了", None, &["order:KIWI:1"]),
        // A word for now starts a clause: a past, then an order.
        (
            "去年买的蜂蜜吃完了今年再给我来两瓶",
            None,
            &["order:HONEY:2"],
        ),
        // An order before a plan about another product stands; a plan
        // that names nothing takes the order back.
        ("苹果先来两箱 柿饼等发了工资再买", None, &["order:APPLE:2"]),
        ("我妈说要买两袋柿饼，等她下班再拍", None, &[]),
        ("买了三次了，再来两盒", Some("KIWI"), &["order:KIWI:2"]),
        // 呢 after a long statement only colours it.
        ("给我寄两瓶蜂蜜我闺女坐月子呢", None, &["order:HONEY:2"]),
        ("蜂蜜呢", None, &[]),
        // Letter-spaced text.
        ("蜂 蜜 两 瓶", None, &["order:HONEY:2"]),
        ("【蜂蜜】来两瓶", None, &["order:HONEY:2"]),
        ("蜂蜜///两瓶", None, &["order:HONEY:2"]),
    ]);
}

#[test]
fn changes_addresses_prices_and_pieces() {
    table(&[
        (
            "苹果改成两箱，蜂蜜改成一瓶",
            None,
            &["change:APPLE:2", "change:HONEY:1"],
        ),
        // 3号楼 is a building, not link 3.
        (
            "要两盒 地址幸福小区3号楼2单元",
            Some("KIWI"),
            &["order:KIWI:2"],
        ),
        // A price, not a model number; a count right after a price is per unit.
        ("柿饼25.5一袋是吧，拍三袋", None, &["order:PERSIMMON:3"]),
        ("10斤一箱的给我来三箱", Some("APPLE"), &["order:APPLE:3"]),
        // Counted in pieces and in its own unit: its own unit wins.
        ("一人一个猕猴桃，给我来三盒", None, &["order:KIWI:3"]),
    ]);
}

#[test]
fn put_me_down_phrasings_and_false_friends() {
    table(&[
        ("记我一份", Some("KIWI"), &["order:KIWI:1"]),
        ("算我一个", Some("KIWI"), &["order:KIWI:1"]),
        ("给我记上", Some("KIWI"), &["order:KIWI:1"]),
        ("要嘞", Some("KIWI"), &["order:KIWI:1"]),
        ("不是要苹果 是要柿饼 两袋", None, &["order:PERSIMMON:2"]),
        ("我算了一下比超市便宜", Some("KIWI"), &[]),
        ("cancel lah", Some("KIWI"), &["cancel:-:-"]),
        ("cancel culture is crazy", Some("KIWI"), &[]),
        ("晚上好，刚来", Some("KIWI"), &[]),
    ]);
}

#[test]
fn a_clause_after_an_a_not_a_question_starts_on_a_character() {
    // "稀不稀" ends a clause with a cut inside its last character; a later
    // clause's past word made the engine slice there (found by a blind
    // corpus, e0085 of elder-messages.jsonl).
    table(&[
        ("蜂蜜稀不稀 去年买别家的稠得搅不动", Some("HONEY"), &[]),
        (
            "甜不甜 上次买的很好 再来两盒",
            Some("KIWI"),
            &["order:KIWI:2"],
        ),
    ]);
}

#[test]
fn live_sale_english() {
    table(&[
        ("claim", Some("KIWI"), &["order:KIWI:1"]),
        ("mine!", Some("KIWI"), &["order:KIWI:1"]),
        ("dibs on the last box", Some("KIWI"), &["order:KIWI:1"]),
        ("me me me", Some("KIWI"), &["order:KIWI:1"]),
        ("don't cancel mine lol", Some("KIWI"), &[]),
        ("3x kiwis", None, &["order:KIWI:3"]),
        ("honey (2)", None, &["order:HONEY:2"]),
        ("link 8, 2 please", None, &["order:HONEY:2"]),
        (
            "not the honey, kiwis please",
            Some("HONEY"),
            &["order:KIWI:1"],
        ),
        (
            "don't want the honey, give me 2 kiwis",
            None,
            &["order:KIWI:2"],
        ),
        ("I don't want the honey anymore", None, &["cancel:HONEY:-"]),
        ("scratch the honey", None, &["cancel:HONEY:-"]),
        ("make it 2 instead of 1", Some("KIWI"), &["change:-:2"]),
        ("make the honey 3 instead", None, &["change:HONEY:3"]),
        ("switch my honey to 2 bottles", None, &["change:HONEY:2"]),
        ("next stream I'm getting 2 kiwis", Some("KIWI"), &[]),
    ]);
}

#[test]
fn sichuan_and_northeastern_chat() {
    table(&[
        // 嘛 after an order softens it; after a plain statement it asks.
        ("来两盒嘛", Some("KIWI"), &["order:KIWI:2"]),
        ("改成三盒嘛", Some("KIWI"), &["change:-:3"]),
        ("有货嘛", Some("KIWI"), &[]),
        ("搞两斤酥梨", None, &["order:PEAR:2"]),
        ("冲两盒", Some("KIWI"), &["order:KIWI:2"]),
        ("冲冲冲", Some("KIWI"), &[]),
        ("莫要苹果，要柿饼两袋", None, &["order:PERSIMMON:2"]),
        ("不整了", Some("KIWI"), &["cancel:-:-"]),
        ("父母的身体最重要", Some("KIWI"), &[]),
        ("开苹果店的朋友推荐的", None, &[]),
    ]);
}

#[test]
fn look_alike_orders_that_are_not() {
    table(&[
        // Negated or reported verbs.
        ("没拍", Some("KIWI"), &[]),
        ("还没下单，在犹豫", Some("KIWI"), &[]),
        ("我妈说要买两盒猕猴桃", None, &[]),
        // Conditions, over every clause.
        ("有优惠就拍", Some("KIWI"), &[]),
        ("要是明天还有，我再来两盒", Some("KIWI"), &[]),
        // A count of something else is no object of the verb.
        ("主播来两句陕西话", Some("KIWI"), &[]),
        ("再来一遍，刚才没听清", Some("KIWI"), &[]),
        ("整一个晚上都在刷这个直播间", Some("KIWI"), &[]),
        // The count after the sender's own verb wins over a "+1" of agreement.
        ("楼上+1，我也来两盒", Some("KIWI"), &["order:KIWI:2"]),
        // Orders beside a later plan or review stand.
        ("先来一盒猕猴桃，好吃再回购", None, &["order:KIWI:1"]),
        ("柿饼来一袋，上次买的很好", None, &["order:PERSIMMON:1"]),
    ]);
}

#[test]
fn a_times_sign_after_a_count_is_its_mark() {
    // "两 ×" once cut the × in half (found by the proptest in CI).
    table(&[
        ("两 ×两链接", Some("KIWI"), &[]),
        ("3 × 猕猴桃", None, &["order:KIWI:3"]),
        ("3× 猕猴桃", None, &["order:KIWI:3"]),
        ("猕猴桃 ×3", None, &["order:KIWI:3"]),
    ]);
}

#[test]
fn pack_sizes_and_group_orders() {
    // A head word several names share names none of them alone; next to a
    // product word it is part of it (a catalog of sizes, below).
    let catalog = common::load_catalog(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/catalog-sizes.toml"),
    );
    let engine = Engine::new(&catalog);
    let cases: &[(&str, Option<&str>, &[&str])] = &[
        ("槐花蜜来两瓶", Some("HUAI-1K"), &["order:HUAI-1K:2"]),
        ("五斤装小米拍4袋", Some("MILLET-FAM"), &["order:MILLET-5:4"]),
        ("要两大瓶", Some("HUAI-500"), &["order:HUAI-1K:2"]),
        ("蜂蜜水冲一勺就够甜", Some("ZAO-500"), &[]),
        ("我家都是买家庭装的", Some("MILLET-FAM"), &[]),
        ("刚喝完一大瓶", Some("HUAI-500"), &[]),
    ];
    for (text, current, want) in cases {
        assert_eq!(read(&engine, &catalog, text, *current), *want, "{text}");
    }
    table(&[
        ("再帮我妈加两盒", Some("KIWI"), &["order:KIWI:2"]),
        ("接龙统计好了，苹果一共二十五箱", None, &["order:APPLE:25"]),
    ]);
}

#[test]
fn promotions_weights_and_seasons() {
    table(&[
        // 满减: 减 there is a discount, not fewer units.
        ("满100减10，那我再加一盒猕猴桃", None, &["order:KIWI:1"]),
        (
            "凑个满减，蜂蜜柿饼各两份",
            None,
            &["order:HONEY:2", "order:PERSIMMON:2"],
        ),
        ("便宜点我就拍三盒", Some("KIWI"), &[]),
        // 要 before a verb whose object is no product: modal.
        ("我要抢福袋！", Some("KIWI"), &[]),
        ("主播来一首歌", Some("KIWI"), &[]),
        ("拿下", Some("KIWI"), &["order:KIWI:1"]),
        // One unit and what it weighs, then the count ordered.
        ("苹果一箱十斤左右，给我来两箱", None, &["order:APPLE:2"]),
        ("要一箱十斤左右的", Some("APPLE"), &["order:APPLE:1"]),
        ("春天再买", Some("KIWI"), &[]),
    ]);
}

#[test]
fn a_count_or_verb_about_something_else_orders_nothing_on_air() {
    table(&[
        // A number beside the verb too large to count the product, or a
        // decimal: a price, a version.
        ("这个要8800", Some("KIWI"), &[]),
        ("3000直接拿下", Some("KIWI"), &[]),
        ("要3.5", Some("KIWI"), &[]),
        // A count of digits; a count in another product's unit.
        ("再加3个0", Some("KIWI"), &[]),
        ("再来两瓶", Some("KIWI"), &[]),
        // English: a unit word or a number that counts nothing before the
        // object; "it" of another verb; a word of other content before a
        // verb that ends its clause.
        ("get more coffee in here", Some("KIWI"), &[]),
        ("need more 20+ minute videos", Some("KIWI"), &[]),
        ("please win it", Some("KIWI"), &[]),
        ("early need", Some("KIWI"), &[]),
        // Grabbed already, as 买了.
        ("抢了两个", Some("KIWI"), &[]),
        // Orders still.
        ("再来两盒", Some("KIWI"), &["order:KIWI:2"]),
        ("要两个", Some("KIWI"), &["order:KIWI:2"]),
        ("take 2 more", Some("KIWI"), &["order:KIWI:2"]),
        ("i need it", Some("KIWI"), &["order:KIWI:1"]),
        ("这个我抢了", Some("KIWI"), &["order:KIWI:1"]),
    ]);
}

/// A cancel word's object may stand before it, pointed at with a
/// classifier (这个皮肤) or put there by 把 (把静音取消): then it cancels
/// that thing, not an order. 它, 这个, the order itself and an English
/// determiner before the order ("cancel that order") still cancel; a
/// politeness word after a bare quantity is no object ("+1 ty").
#[test]
fn a_cancel_word_s_object_before_it_or_after_a_determiner() {
    table(&[
        ("这个皮肤退掉吧 太丑了", None, &[]),
        ("那首歌算了", None, &[]),
        ("把静音取消一下", Some("APPLE"), &[]),
        ("把它取消吧", None, &["cancel:-:-"]),
        ("这个不要了", None, &["cancel:-:-"]),
        ("把订单取消一下", None, &["cancel:-:-"]),
        ("把苹果取消", None, &["cancel:APPLE:-"]),
        ("cancel that order", None, &["cancel:-:-"]),
        ("cancel your order pls", None, &["cancel:-:-"]),
        ("cancel that", None, &["cancel:-:-"]),
        ("cancel that noise", None, &[]),
        ("cancel culture is wild", None, &[]),
        ("+1 ty", Some("APPLE"), &["order:APPLE:1"]),
        ("2 tysm", Some("APPLE"), &["order:APPLE:2"]),
    ]);
}
