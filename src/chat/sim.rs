//! The simulated live-stream chat behind `livestall demo` and `livestall sim`:
//! a deterministic (seeded) generator of realistic viewer messages for any
//! catalog. Product words come only from the catalog (name, aliases, link,
//! unit); the generator follows its own "on air" product through the catalog
//! in order, with a burst of orders each time a new product goes on air.

use crate::catalog::{Catalog, Product};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;

/// Messages between two product switches of the simulated broadcaster.
pub const DEFAULT_SWITCH_EVERY: u32 = 40;
/// Messages after a switch that form the buying burst.
const BURST_LEN: u32 = 8;
/// Chance that a message is an order, in and out of the burst: with the
/// default switch period about 30% of all messages are orders.
const ORDER_SHARE_BURST: f64 = 0.65;
const ORDER_SHARE_CALM: f64 = 0.22;
/// Messages arrive this many times faster during a burst.
const BURST_SPEEDUP: f64 = 3.0;
/// Users at the front of the pool who chat more often than the rest.
const REGULARS: usize = 10;
/// Default average pace, messages per second.
pub const DEFAULT_RATE: f64 = 4.0;

/// One product line of a simulated order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOrder {
    pub sku: String,
    pub qty: u32,
}

/// What the generator meant by a message: the ground truth for tests and
/// for anyone checking the intent engine against the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimIntent {
    /// One or more orders, in the order mentioned.
    Order(Vec<SimOrder>),
    /// Withdraw an order; `sku` when the message names the product.
    Cancel { sku: Option<String> },
    /// Set a new total; `sku` when the message names the product.
    Change { sku: Option<String>, qty: u32 },
    /// Price, stock, shipping questions: never orders.
    Question,
    /// Greetings, praise, slang, emoji, reviews: never orders.
    Chatter,
    /// Text made to break naive programs: escapes, control and invisible
    /// characters, bidi overrides, floods. Not orders.
    Hostile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimMessage {
    pub id: String,
    pub user: String,
    pub text: String,
    /// The product the simulated broadcaster has on air as this is sent.
    pub current_sku: Option<String>,
    /// Wait this long after the previous message before sending this one.
    pub delay_ms: u64,
    pub intent: SimIntent,
}

/// The words a product is called by, picked apart once.
#[derive(Debug, Clone)]
struct ProductWords {
    sku: String,
    /// Name and aliases containing Chinese (or any non-ASCII) characters.
    zh: Vec<String>,
    /// Name and aliases in plain ASCII, for English-speaking viewers.
    en: Vec<String>,
    link: u32,
    unit: String,
    /// English unit words (singular, plural) when the unit is a common one.
    unit_en: Option<(&'static str, &'static str)>,
}

impl ProductWords {
    fn from_product(p: &Product) -> Self {
        let mut zh = Vec::new();
        let mut en = Vec::new();
        // Viewers type short names: a catalog name with a size or spec in it
        // ("武乡小米 5斤装") is used only when the product has no alias.
        let name = p.name.trim();
        let name_is_casual =
            !name.contains(char::is_whitespace) && !name.contains(|c: char| c.is_ascii_digit());
        let casual_name = (name_is_casual || p.aliases.is_empty()).then_some(name);
        for word in casual_name
            .into_iter()
            .chain(p.aliases.iter().map(|a| a.trim()))
        {
            if word.is_empty() {
                continue;
            }
            let list = if word.is_ascii() { &mut en } else { &mut zh };
            if !list.iter().any(|w| w == word) {
                list.push(word.to_string());
            }
        }
        ProductWords {
            sku: p.sku.clone(),
            zh,
            en,
            link: p.link,
            unit: p.unit.clone(),
            unit_en: english_unit(&p.unit),
        }
    }
}

fn english_unit(unit: &str) -> Option<(&'static str, &'static str)> {
    Some(match unit {
        "袋" => ("bag", "bags"),
        "盒" => ("box", "boxes"),
        "包" => ("pack", "packs"),
        "罐" => ("jar", "jars"),
        "箱" => ("case", "cases"),
        "瓶" => ("bottle", "bottles"),
        "斤" => ("jin", "jin"),
        "桶" => ("bucket", "buckets"),
        "份" => ("portion", "portions"),
        "个" | "只" | "颗" => ("piece", "pieces"),
        _ => return None,
    })
}

/// A deterministic chat generator: the same catalog and seed give the same
/// messages, delays included.
#[derive(Debug, Clone)]
pub struct SimChat {
    products: Vec<ProductWords>,
    rng: SmallRng,
    seed: u64,
    seq: u64,
    on_air: usize,
    since_switch: u32,
    switch_every: u32,
    rate: f64,
    users: Vec<String>,
    /// Recent buyers, who are the ones that later cancel or change.
    recent_buyers: VecDeque<String>,
}

impl SimChat {
    pub fn new(catalog: &Catalog, seed: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed);
        let users = user_pool(&mut rng);
        SimChat {
            products: catalog
                .products
                .iter()
                .map(ProductWords::from_product)
                .collect(),
            rng,
            seed,
            seq: 0,
            on_air: 0,
            since_switch: 0,
            switch_every: DEFAULT_SWITCH_EVERY,
            rate: DEFAULT_RATE,
            users,
            recent_buyers: VecDeque::new(),
        }
    }

    /// Average messages per second (bursts are faster, calm stretches slower).
    /// Values that are not positive and finite fall back to the default.
    pub fn with_rate(mut self, rate: f64) -> Self {
        self.rate = if rate.is_finite() && rate > 0.0 {
            rate.min(100_000.0)
        } else {
            DEFAULT_RATE
        };
        self
    }

    /// Messages between product switches (at least 1).
    pub fn with_switch_every(mut self, messages: u32) -> Self {
        self.switch_every = messages.max(1);
        self
    }

    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The SKU the simulated broadcaster has on air now.
    pub fn on_air(&self) -> Option<&str> {
        self.products.get(self.on_air).map(|p| p.sku.as_str())
    }

    pub fn next_message(&mut self) -> SimMessage {
        self.seq += 1;
        if self.since_switch >= self.switch_every && !self.products.is_empty() {
            self.on_air = (self.on_air + 1) % self.products.len();
            self.since_switch = 0;
        }
        let in_burst = self.since_switch < BURST_LEN.min(self.switch_every);
        self.since_switch += 1;

        let order_share = if in_burst {
            ORDER_SHARE_BURST
        } else {
            ORDER_SHARE_CALM
        };
        let mut user = self.pick_user();
        let roll: f64 = self.rng.random();
        let (text, intent) = if !self.products.is_empty() && roll < order_share {
            self.remember_buyer(&user);
            self.order_text()
        } else {
            let rest: f64 = self.rng.random();
            if rest < 0.05 && !self.products.is_empty() {
                user = self.pick_buyer().unwrap_or(user);
                self.cancel_text()
            } else if rest < 0.09 && !self.products.is_empty() {
                user = self.pick_buyer().unwrap_or(user);
                self.change_text()
            } else if rest < 0.36 {
                (self.question_text(), SimIntent::Question)
            } else if rest < 0.975 {
                (self.chatter_text(), SimIntent::Chatter)
            } else {
                if self.rng.random_bool(0.3) {
                    user = pick(&mut self.rng, HOSTILE_USERS).to_string();
                }
                (self.hostile_text(), SimIntent::Hostile)
            }
        };
        let text = if matches!(intent, SimIntent::Hostile) {
            text
        } else {
            self.maybe_emoji(text)
        };

        SimMessage {
            id: format!("sim-{:x}-{}", self.seed, self.seq),
            user,
            text,
            current_sku: self.on_air().map(str::to_string),
            delay_ms: self.delay_ms(in_burst),
            intent,
        }
    }

    /// Exponential gaps (a Poisson stream) whose overall mean is 1/rate, with
    /// the burst part `BURST_SPEEDUP` times denser.
    fn delay_ms(&mut self, in_burst: bool) -> u64 {
        let period = f64::from(self.switch_every);
        let burst_fraction = f64::from(BURST_LEN.min(self.switch_every)) / period;
        let mean_ms = 1000.0 / self.rate;
        let calm_mean = mean_ms / (1.0 - burst_fraction + burst_fraction / BURST_SPEEDUP);
        let mean = if in_burst {
            calm_mean / BURST_SPEEDUP
        } else {
            calm_mean
        };
        let u: f64 = self.rng.random();
        let gap = -(1.0 - u).ln() * mean;
        // Cap the tail so a demo never sits silent for long.
        gap.min(mean * 6.0).round() as u64
    }

    fn pick_user(&mut self) -> String {
        // A handful of regulars (the front of the pool) talk more than lurkers.
        let regulars = REGULARS.min(self.users.len());
        let index = if regulars > 0 && self.rng.random_bool(0.3) {
            self.rng.random_range(0..regulars)
        } else if self.users.is_empty() {
            0
        } else {
            self.rng.random_range(0..self.users.len())
        };
        self.users
            .get(index)
            .cloned()
            .unwrap_or_else(|| "viewer".to_string())
    }

    fn remember_buyer(&mut self, user: &str) {
        if self.recent_buyers.len() >= 20 {
            self.recent_buyers.pop_front();
        }
        self.recent_buyers.push_back(user.to_string());
    }

    fn pick_buyer(&mut self) -> Option<String> {
        if self.recent_buyers.is_empty() {
            return None;
        }
        let i = self.rng.random_range(0..self.recent_buyers.len());
        self.recent_buyers.get(i).cloned()
    }

    fn quantity(&mut self) -> u32 {
        let r: f64 = self.rng.random();
        match r {
            r if r < 0.50 => 1,
            r if r < 0.78 => 2,
            r if r < 0.90 => 3,
            r if r < 0.94 => 4,
            r if r < 0.98 => 5,
            _ => 10,
        }
    }

    /// A quantity as a viewer types it in Chinese chat: 两, 三, 2, ２ …
    fn zh_qty(&mut self, q: u32) -> String {
        let r: f64 = self.rng.random();
        if r < 0.35 {
            q.to_string()
        } else if r < 0.40 {
            full_width(q)
        } else {
            zh_numeral(q).to_string()
        }
    }

    fn product_index(&mut self) -> usize {
        // Mostly the product on air; sometimes one shown earlier or later.
        if self.rng.random_bool(0.75) {
            self.on_air
        } else {
            self.rng.random_range(0..self.products.len())
        }
    }

    fn zh_word(&mut self, index: usize) -> String {
        let p = &self.products[index];
        let words = if p.zh.is_empty() { &p.en } else { &p.zh };
        if words.is_empty() {
            return format!("{}号链接", p.link);
        }
        let i = self.rng.random_range(0..words.len());
        words[i].clone()
    }

    fn en_word(&mut self, index: usize) -> Option<String> {
        let p = &self.products[index];
        if p.en.is_empty() {
            return None;
        }
        let i = self.rng.random_range(0..p.en.len());
        Some(p.en[i].clone())
    }

    fn order_text(&mut self) -> (String, SimIntent) {
        if self.products.len() >= 2 && self.rng.random_bool(0.06) {
            return self.multi_order_text();
        }
        let index = self.product_index();
        let q = self.quantity();
        let sku = self.products[index].sku.clone();
        let bare = index == self.on_air && self.rng.random_bool(0.5);
        let english = self.rng.random_bool(0.15);
        let text = match (bare, english) {
            (true, false) => self.bare_zh_order(index, q),
            (true, true) => self.bare_en_order(q),
            (false, false) => self.named_zh_order(index, q),
            (false, true) => self.named_en_order(index, q),
        };
        (text, SimIntent::Order(vec![SimOrder { sku, qty: q }]))
    }

    /// Orders that only make sense for the product on air.
    fn bare_zh_order(&mut self, index: usize, q: u32) -> String {
        let unit = self.products[index].unit.clone();
        let n = self.zh_qty(q);
        match (q, self.rng.random_range(0..10)) {
            (1, 0) => "扣1".into(),
            (1, 1) => "111".into(),
            (1, 2) => "要".into(),
            (1, 3) => "我要".into(),
            (1, 4) => "+1".into(),
            (1, 5) => "１".into(),
            (1, 6) => "拍了".into(),
            (2, 0) => "来俩".into(),
            (2, 1) => "＋２".into(),
            (3, 0) => "来仨".into(),
            (_, 0 | 1) => format!("扣{q}"),
            (_, 2) => q.to_string(),
            (_, 3) => format!("+{q}"),
            (_, 4) => format!("这个来{n}{unit}"),
            (_, 5) => format!("拍{n}{unit}"),
            (_, 6) => format!("我也要{n}{unit}"),
            (_, 7) => format!("要{n}{unit}"),
            (_, 8) => format!("给我留{n}{unit}"),
            _ => format!("扣{q}扣{q}"),
        }
    }

    fn bare_en_order(&mut self, q: u32) -> String {
        match self.rng.random_range(0..4) {
            0 => format!("sold {q}"),
            1 => format!("x{q}"),
            2 if q == 1 => "+1 me too".into(),
            2 => format!("I'll take {}", english_number(q)),
            _ => format!("+{q}"),
        }
    }

    fn named_zh_order(&mut self, index: usize, q: u32) -> String {
        let word = self.zh_word(index);
        let link = self.products[index].link;
        let unit = self.products[index].unit.clone();
        let n = self.zh_qty(q);
        match self.rng.random_range(0..15) {
            0 => format!("{word}来{n}{unit}"),
            1 => format!("要{n}{unit}{word}"),
            2 => format!("{link}号链接拍{n}单"),
            3 => format!("{link}号链接 +{q}"),
            4 => format!("链接{link}要{q}{unit}"),
            5 => format!("#{link} x{q}"),
            6 => format!("{word}{q}{unit}"),
            7 => format!("我要{n}{unit}{word}"),
            8 => format!("{word}+{q}"),
            9 => format!("{word}，{q}份"),
            10 => format!("{word}再来{n}{unit}"),
            11 => format!("{word}來{}{unit}", trad_numeral(q)),
            12 => format!("{link}号拍{n}{unit}"),
            13 => format!("给我留{n}{unit}{word}"),
            _ => format!("{word}拿{n}{unit}，谢谢主播"),
        }
    }

    fn named_en_order(&mut self, index: usize, q: u32) -> String {
        let link = self.products[index].link;
        let unit_en = self.products[index].unit_en;
        let Some(word) = self.en_word(index) else {
            // No English name in the catalog: English speakers use the link.
            return match self.rng.random_range(0..2) {
                0 => format!("link {link} x{q}"),
                _ => format!("#{link} +{q} please"),
            };
        };
        match (self.rng.random_range(0..4), unit_en) {
            (0, Some((one, many))) => {
                let unit = if q == 1 { one } else { many };
                format!("{q} {unit} of {word} please")
            }
            (1, _) => format!("{word} x{q}"),
            (2, _) => format!("I'll take {} {word}", english_number(q)),
            _ => format!("link {link} x{q}"),
        }
    }

    fn multi_order_text(&mut self) -> (String, SimIntent) {
        let first = self.on_air;
        let mut second = self.rng.random_range(0..self.products.len() - 1);
        if second >= first {
            second += 1;
        }
        let a = self.zh_word(first);
        let b = self.zh_word(second);
        let sku_a = self.products[first].sku.clone();
        let sku_b = self.products[second].sku.clone();
        if self.rng.random_bool(0.5) {
            let q = self.quantity();
            let n = self.zh_qty(q);
            let same_unit = self.products[first].unit == self.products[second].unit;
            let unit = if same_unit {
                self.products[first].unit.clone()
            } else {
                "份".to_string()
            };
            let text = format!("{a}{b}各{n}{unit}");
            let orders = vec![
                SimOrder { sku: sku_a, qty: q },
                SimOrder { sku: sku_b, qty: q },
            ];
            (text, SimIntent::Order(orders))
        } else {
            let qa = self.quantity();
            let qb = self.quantity();
            let na = self.zh_qty(qa);
            let nb = self.zh_qty(qb);
            let ua = self.products[first].unit.clone();
            let ub = self.products[second].unit.clone();
            let text = format!("{a}{na}{ua}，{b}{nb}{ub}");
            let orders = vec![
                SimOrder {
                    sku: sku_a,
                    qty: qa,
                },
                SimOrder {
                    sku: sku_b,
                    qty: qb,
                },
            ];
            (text, SimIntent::Order(orders))
        }
    }

    fn cancel_text(&mut self) -> (String, SimIntent) {
        if self.rng.random_bool(0.6) {
            let text = pick(
                &mut self.rng,
                &[
                    "不要了",
                    "取消",
                    "取消订单",
                    "算了不要了",
                    "刚才那个不要了",
                    "退掉吧",
                    "cancel",
                    "cancel my order pls",
                    "不要了不要了，拍错了",
                ],
            );
            return (text.to_string(), SimIntent::Cancel { sku: None });
        }
        let index = self.product_index();
        let word = self.zh_word(index);
        let link = self.products[index].link;
        let text = match self.rng.random_range(0..4) {
            0 => format!("{word}不要了"),
            1 => format!("退掉{word}"),
            2 => format!("{link}号链接取消"),
            _ => format!("{word}算了，取消"),
        };
        let sku = Some(self.products[index].sku.clone());
        (text, SimIntent::Cancel { sku })
    }

    fn change_text(&mut self) -> (String, SimIntent) {
        let q = self.quantity().max(2);
        let n = self.zh_qty(q);
        let index = self.product_index();
        let unit = self.products[index].unit.clone();
        if self.rng.random_bool(0.6) {
            let text = match self.rng.random_range(0..4) {
                0 => format!("改成{n}{unit}"),
                1 => format!("换成{n}{unit}"),
                2 => format!("make it {q}"),
                _ => format!("我的改成{n}{unit}吧"),
            };
            return (text, SimIntent::Change { sku: None, qty: q });
        }
        let word = self.zh_word(index);
        let text = format!("{word}改成{n}{unit}");
        let sku = Some(self.products[index].sku.clone());
        (text, SimIntent::Change { sku, qty: q })
    }

    fn question_text(&mut self) -> String {
        if self.products.is_empty() || self.rng.random_bool(0.45) {
            return pick(&mut self.rng, GENERAL_QUESTIONS).to_string();
        }
        let index = self.product_index();
        let word = self.zh_word(index);
        let link = self.products[index].link;
        let unit = self.products[index].unit.clone();
        match self.rng.random_range(0..10) {
            0 => format!("{word}多少钱"),
            1 => format!("{word}多少钱一{unit}"),
            2 => format!("{link}号链接还有吗"),
            3 => format!("有没有{word}"),
            4 => format!("{word}是今年的新货吗"),
            5 => format!("{word}怎么吃"),
            6 => format!("{word}保质期多久？"),
            7 => format!("{word}多少錢"),
            8 => match self.en_word(index) {
                Some(en) => format!("how much is the {en}?"),
                None => format!("how much is link {link}?"),
            },
            _ => format!("{link}号是什么"),
        }
    }

    fn chatter_text(&mut self) -> String {
        if !self.products.is_empty() && self.rng.random_bool(0.1) {
            let index = self.rng.random_range(0..self.products.len());
            let word = self.zh_word(index);
            return match self.rng.random_range(0..3) {
                0 => format!("上次买的{word}已经吃完了，真好吃"),
                1 => format!("{word}收到了，很新鲜"),
                _ => format!("家乡的{word}就是香"),
            };
        }
        pick(&mut self.rng, CHATTER).to_string()
    }

    fn hostile_text(&mut self) -> String {
        match self.rng.random_range(0..HOSTILE.len() + 2) {
            // A flood: longer than any frame limit.
            i if i == HOSTILE.len() => "主播好".repeat(self.rng.random_range(700..1_200)),
            i if i == HOSTILE.len() + 1 => "6".repeat(self.rng.random_range(300..3_000)),
            i => HOSTILE[i].to_string(),
        }
    }

    fn maybe_emoji(&mut self, text: String) -> String {
        if self.rng.random_bool(0.15) {
            let emoji = pick(&mut self.rng, EMOJI);
            format!("{text}{emoji}")
        } else {
            text
        }
    }
}

fn pick<'a>(rng: &mut SmallRng, items: &[&'a str]) -> &'a str {
    if items.is_empty() {
        return "";
    }
    items[rng.random_range(0..items.len())]
}

fn zh_numeral(q: u32) -> &'static str {
    match q {
        1 => "一",
        2 => "两",
        3 => "三",
        4 => "四",
        5 => "五",
        6 => "六",
        7 => "七",
        8 => "八",
        9 => "九",
        10 => "十",
        _ => "几",
    }
}

fn trad_numeral(q: u32) -> &'static str {
    if q == 2 {
        "兩"
    } else {
        zh_numeral(q)
    }
}

fn full_width(q: u32) -> String {
    q.to_string()
        .chars()
        .map(|c| {
            c.to_digit(10)
                .and_then(|d| char::from_u32('０' as u32 + d))
                .unwrap_or(c)
        })
        .collect()
}

fn english_number(q: u32) -> &'static str {
    match q {
        1 => "one",
        2 => "two",
        3 => "three",
        4 => "four",
        5 => "five",
        10 => "ten",
        _ => "some",
    }
}

/// Regulars first (they talk most), then generated masked names as platforms
/// show them.
fn user_pool(rng: &mut SmallRng) -> Vec<String> {
    let mut users: Vec<String> = NICKNAMES.iter().map(|s| s.to_string()).collect();
    for _ in 0..12 {
        users.push(format!("用户****{:02}", rng.random_range(0..100)));
    }
    for _ in 0..6 {
        users.push(format!("用户{:05}", rng.random_range(0..100_000)));
    }
    for _ in 0..4 {
        users.push(format!("抖音用户{:08}", rng.random_range(0..100_000_000)));
    }
    // Shuffle so the regulars are a mix of fixed and masked names.
    let len = users.len();
    for i in (1..len).rev() {
        let j = rng.random_range(0..=i);
        users.swap(i, j);
    }
    users
}

const NICKNAMES: &[&str] = &[
    "山西老陈",
    "小花猫🐱",
    "吃货一枚",
    "晋中李姐",
    "老王🍉",
    "阿强",
    "快乐的小羊",
    "种地的老张",
    "幸福一家人",
    "向日葵🌻",
    "太原小刘",
    "宝妈丽丽",
    "追风少年",
    "静静",
    "平安是福",
    "一只鱼🐟",
    "老家在武乡",
    "开心果",
    "北漂十年",
    "月亮不睡我不睡🌙",
    "大刘师傅",
    "梅梅",
    "蓝天白云",
    "台北阿嬤",
    "Emily_W",
    "Tom from NY",
    "Jessica🌸",
    "momo",
    "Kevin Zhang",
    "xiaoyu_99",
    "🍀lucky🍀",
    "A-Mei",
];

const HOSTILE_USERS: &[&str] = &[
    "\u{1b}[31mRED\u{1b}[0m",
    "admin\u{202e}nimda",
    "\u{200b}\u{200b}\u{200b}",
    "用户\u{0007}响铃",
];

const GENERAL_QUESTIONS: &[&str] = &[
    "包邮吗",
    "什么时候发货",
    "发什么快递？",
    "新疆包邮吗",
    "能开发票吗",
    "现在讲的是几号",
    "主播是哪里人",
    "多少钱？",
    "有优惠吗",
    "可以送人吗，有礼品袋吗",
    "包郵嗎",
    "什麼時候發貨",
    "do you ship to Guangdong?",
    "is it organic?",
    "？？？",
    "刚进来，讲到几号了",
];

const CHATTER: &[&str] = &[
    "主播好",
    "来了来了",
    "大家晚上好",
    "主播下午好呀",
    "老乡来支持了",
    "從台灣來看你們",
    "hello from Canada 🇨🇦",
    "hi everyone",
    "88",
    "先走了 88",
    "明天再来",
    "666",
    "6666",
    "233",
    "2333",
    "yyds",
    "520",
    "1314",
    "999",
    "老铁双击666",
    "主播声音真好听",
    "看着就香",
    "支持家乡",
    "主播辛苦了",
    "真实在",
    "加油加油",
    "哈哈哈哈",
    "👍👍👍",
    "🌾🌾🌾",
    "❤️❤️",
    "looks delicious!",
    "love this stream ❤️",
    "這個看起來不錯",
    "已关注",
    "点赞了",
    "主播家的地真大",
    "我妈让我来的",
    "卡了吗？",
    "画面好清楚",
    "又是我",
];

const HOSTILE: &[&str] = &[
    "\u{1b}[2J\u{1b}[H\u{1b}[31m清屏了吗",
    "\u{1b}]0;hacked\u{7}主播好",
    "\u{1b}[5m闪烁\u{1b}[0m",
    "主\u{200b}播\u{200b}好\u{200d}\u{2060}",
    "\u{202e}好播主",
    "\u{7}\u{7}\u{7}响铃",
    "<script>alert(1)</script>",
    "'; DROP TABLE orders; --",
    "Z\u{0334}\u{0321}\u{031b}a\u{0337}l\u{0338}g\u{0335}o\u{0336}",
    "\r\n换行\r\n攻击\r\n",
    "👨\u{200d}👩\u{200d}👧\u{200d}👦\u{fe0f}\u{fe0f}\u{fe0f}",
    "\u{feff}\u{fffd}\u{fffe}",
    "\t\t\t\t\t\t\t\t",
];

const EMOJI: &[&str] = &["🙏", "❤️", "😄", "👍", "🌾", "😋", "🔥", "💪", "🥰", "😂"];
