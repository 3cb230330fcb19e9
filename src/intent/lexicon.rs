//! The engine's word lists: buy verbs, cancel and change words, question,
//! past, future and hypothetical markers, show requests, classifiers, spec
//! units and the "non-product heads" that turn a product word into another
//! sense (小米手机, 小米粥). All generic Chinese / English chat vocabulary;
//! nothing here names a product. Compiled once into an Aho-Corasick automaton.

use super::words::Words;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A buy verb that stands on its own (拍, 下单, sold, take).
    Buy,
    /// A buy verb only when an object follows (要, 来, 拍, 留): "我要去上班" is
    /// modal, "拍照" and "留言" are not buying.
    BuyIfObject,
    /// 扣 / 加 as in 扣1, 加一: the following number is a quantity.
    Kou,
    Cancel,
    Change,
    /// 不要 / no before a product: that product is refused.
    Refuse,
    /// 不买: nothing in the message is an order.
    NoBuy,
    Question,
    Past,
    Future,
    Hypothetical,
    /// 看看: a request to show, not to buy.
    Show,
    /// 这个 / this one: the product on air.
    This,
    /// 各 / each: the same quantity for every product named.
    Each,
    /// Politeness and filler that do not change a bare order (谢谢, 主播, pls).
    Filler,
    /// A tag that turns an order into a polite question ("来两袋可以吗"):
    /// the clause keeps its order; alone it asks nothing orderable.
    PoliteTag,
    /// 买了: a buy verb when nothing follows ("这个我买了"), a past purchase
    /// when an object follows ("我买了两袋").
    BoughtIfObject,
    /// 换 as in "腊肉不要了，换香肠": a buy verb only when a product follows
    /// ("换一个", "换货" are not orders of anything named).
    BuyIfProduct,
    /// 冲 / 搞 as in "冲两只", "搞两斤": a buy verb only before a count or a
    /// product ("冲冲冲" cheers, "搞笑" jokes).
    BuyIfCounted,
    /// A third person ("他", "楼上", "那个大哥"): with a perfective buy verb
    /// after it the message reports someone else's purchase.
    Others,
    /// A word that merely contains a verb character and is not that verb:
    /// 进来, 原来, 起来, 来自 (来 is "come" there, not "give me").
    Word,
    /// How or why the buying is done (直接拍, 狠狠下单, 秒杀来3份, 拍两单凑
    /// 满减): beside an order it is neither its object nor another one.
    Manner,
}

impl Marker {
    /// This kind as one bit, for sets of kinds.
    pub fn bit(self) -> u32 {
        1 << self as u32
    }
}

const MARKERS: &[(&str, Marker)] = {
    use Marker::*;
    &[
        // Buy verbs.
        ("拍", BuyIfObject),
        ("拍了", Buy),
        ("买了", BoughtIfObject),
        // Grabbed in a flash sale, as 买了: "抢了两袋" is a purchase made.
        ("抢了", BoughtIfObject),
        ("下单", Buy),
        ("整", BuyIfObject),
        ("拿", BuyIfObject),
        ("订", BuyIfObject),
        ("留", BuyIfObject),
        ("买", BuyIfObject),
        ("抢", BuyIfObject),
        // With an object or alone ("再来两袋", "我也来"); not "再来一遍".
        ("再来", BuyIfObject),
        ("再加", BuyIfObject),
        ("也来", BuyIfObject),
        ("再要", BuyIfObject),
        ("要了", Buy),
        ("给我来", Buy),
        // "来个" orders only with nothing after it or an order's object:
        // "来个特写" asks the broadcaster for a close-up.
        ("来个", BuyIfObject),
        ("安排", Buy),
        // Ordered already, as 拍了: "已拍", "已下单".
        ("已拍", Buy),
        ("已下单", Buy),
        ("预定", Buy),
        ("预订", Buy),
        ("sold", Buy),
        ("take", BuyIfObject),
        ("i'll take", BuyIfObject),
        ("ill take", BuyIfObject),
        ("buy", BuyIfObject),
        ("get", BuyIfObject),
        ("order", BuyIfObject),
        ("want", BuyIfObject),
        ("need", BuyIfObject),
        ("i want", BuyIfObject),
        ("give me", BuyIfObject),
        ("i'll have", Buy),
        ("add", Buy),
        ("another", Buy),
        ("要", BuyIfObject),
        ("来", BuyIfObject),
        ("我要", BuyIfObject),
        ("也要", BuyIfObject),
        ("扣", Kou),
        ("加", Kou),
        ("i'd like", Buy),
        ("id like", Buy),
        ("would like", Buy),
        ("put me down for", Buy),
        // Claiming an item on a live sale.
        ("claim", Buy),
        ("claiming", Buy),
        ("dibs", Buy),
        ("me me", Buy),
        ("mine", BuyIfObject),
        ("冲", BuyIfCounted),
        ("搞", BuyIfCounted),
        ("gimme", BuyIfObject),
        // Put me down for one: 记我一份, 算我一个, 给我记上, 给我留着.
        ("记我", BuyIfObject),
        ("算我", BuyIfObject),
        ("记上", Buy),
        ("拿下", BuyIfObject),
        ("给我留着", Buy),
        ("给我称", Buy),
        ("寄", BuyIfObject),
        // Cantonese: 俾我 / 畀我 give me, 嚟 come (as 来).
        ("俾我", BuyIfObject),
        ("畀我", BuyIfObject),
        ("嚟", BuyIfObject),
        ("lemme get", BuyIfObject),
        ("count me in for", Buy),
        ("换", BuyIfProduct),
        // Words that hold 来 without it being the buy verb: directional
        // complements (进来, 过来, 起来), adverbs (原来, 后来, 本来) and
        // 来 + verb compounds (来自, 来不及). Leftmost-longest lets them
        // swallow the 来 before it can read as "来两袋".
        ("进来", Word),
        ("过来", Word),
        ("回来", Word),
        ("出来", Word),
        ("起来", Word),
        ("下来", Word),
        ("上来", Word),
        ("醒来", Word),
        ("带来", Word),
        ("赶来", Word),
        ("跑来", Word),
        ("原来", Word),
        ("后来", Word),
        ("本来", Word),
        ("将来", Word),
        ("未来", Word),
        ("从来", Word),
        ("向来", Word),
        ("近来", Word),
        ("以来", Word),
        ("看来", Word),
        ("说来", Word),
        ("到来", Word),
        // Arriving, not "give me": "晚上好，刚来", "第一次来".
        ("刚来", Word),
        ("才来", Word),
        ("第一次来", Word),
        ("新来", Word),
        ("他", Others),
        ("她", Others),
        ("他们", Others),
        ("她们", Others),
        ("别人", Others),
        ("人家", Others),
        ("大哥", Others),
        ("大姐", Others),
        ("楼上", Others),
        ("有人", Others),
        ("其他", Word),
        ("其它", Word),
        ("来自", Word),
        ("来源", Word),
        ("来不及", Word),
        ("来得及", Word),
        ("来往", Word),
        ("来回", Word),
        // Found as words so the grammar reads them off the marker list
        // instead of searching every message: 还是 (是…还是 asks which),
        // 没 / 没有 (clause-final, they ask: "发货了没").
        ("还是", Word),
        // 要 inside other words: 重要 important, 只要 as long as, 要求 demand.
        ("重要", Word),
        ("主要", Word),
        ("只要", Word),
        ("必要", Word),
        ("要求", Word),
        ("要紧", Word),
        ("要么", Word),
        ("没", Word),
        ("没有", Word),
        // 么 in 这么 / 那么 / 多么 is degree, not the question particle.
        ("这么", Word),
        ("那么", Word),
        ("多么", Word),
        // Polite tags after an order.
        ("可以吗", PoliteTag),
        ("可以嘛", PoliteTag),
        ("可以么", PoliteTag),
        ("可以不可以", PoliteTag),
        ("行吗", PoliteTag),
        ("行嘛", PoliteTag),
        ("行么", PoliteTag),
        ("行不行", PoliteTag),
        ("好吗", PoliteTag),
        ("好嘛", PoliteTag),
        ("好不好", PoliteTag),
        ("ok吗", PoliteTag),
        ("okay?", PoliteTag),
        ("ok?", PoliteTag),
        // Cancel.
        ("不要了", Cancel),
        ("不要啦", Cancel),
        ("取消", Cancel),
        ("退掉", Cancel),
        ("退了", Cancel),
        ("退货", Cancel),
        ("退款", Cancel),
        ("算了", Cancel),
        // Reckoning, not withdrawing: "我算了一下比超市便宜".
        ("算了一下", Word),
        // 满减 (spend-and-save): 减 there takes nothing off an order.
        ("满减", Word),
        ("算了下", Word),
        // Retreating (in a game), not withdrawing an order: "快撤退".
        ("撤退", Word),
        ("撤销", Cancel),
        ("撤单", Cancel),
        ("不买了", NoBuy),
        ("不拍了", NoBuy),
        ("别发了", Cancel),
        ("cancel", Cancel),
        ("remove", Cancel),
        ("cancelled", Cancel),
        ("nevermind", Cancel),
        ("never mind", Cancel),
        ("anymore", Cancel),
        ("nvm", Cancel),
        ("scratch", Cancel),
        ("don't cancel", Word),
        ("dont cancel", Word),
        ("莫要了", Cancel),
        ("不想要了", Cancel),
        ("不想要啦", Cancel),
        ("不整了", Cancel),
        ("唔要喇", Cancel),
        ("唔要了", Cancel),
        ("唔要啦", Cancel),
        ("不要喇", Cancel),
        ("scratch that", Cancel),
        ("forget it", Cancel),
        ("no longer", Cancel),
        // Change.
        ("改成", Change),
        ("改为", Change),
        ("改到", Change),
        // Cantonese: 改做 change to.
        ("改做", Change),
        ("换成", Change),
        ("换为", Change),
        ("变成", Change),
        ("make it", Change),
        ("make that", Change),
        ("make the", Change),
        ("make my", Change),
        ("switch", Change),
        ("改", Change),
        ("change", Change),
        ("instead", Change),
        // Refusal and negation.
        ("不要", Refuse),
        ("不想要", Refuse),
        ("别要", Refuse),
        ("唔要", Refuse),
        ("莫要", Refuse),
        ("不是要", Refuse),
        ("唔想要", Refuse),
        ("no", Refuse),
        ("not", Refuse),
        ("不买", NoBuy),
        ("不拍", NoBuy),
        ("不需要", NoBuy),
        ("不用", NoBuy),
        ("唔买", NoBuy),
        ("不整", NoBuy),
        ("少要", NoBuy),
        ("少来", NoBuy),
        ("减", NoBuy),
        ("don't want", NoBuy),
        ("dont want", NoBuy),
        ("don't need", NoBuy),
        // Questions.
        ("吗", Question),
        ("嘛", Question),
        ("么", Question),
        ("呢", Question),
        ("?", Question),
        ("多少", Question),
        ("几", Question),
        ("啥", Question),
        ("什么", Question),
        ("谁", Question),
        ("怎么", Question),
        ("咋", Question),
        ("哪", Question),
        ("有没有", Question),
        ("是不是", Question),
        ("能不能", Question),
        ("可不可以", Question),
        ("会不会", Question),
        ("要不要", Question),
        ("区别", Question),
        ("多大", Question),
        ("多重", Question),
        ("多久", Question),
        // "辣酱有多辣", "有多甜": how (much) so.
        ("有多", Question),
        ("是否", Question),
        ("请问", Question),
        // Cantonese: 咩 what / question particle, 几多 how many, 有冇 is there.
        ("咩", Question),
        ("几多", Question),
        ("有冇", Question),
        ("系咪", Question),
        ("得唔得", Question),
        ("求链接", Question),
        ("问一下", Question),
        ("how", Question),
        ("what", Question),
        ("when", Question),
        ("where", Question),
        ("why", Question),
        ("which", Question),
        ("do you", Question),
        ("does", Question),
        ("is it", Question),
        ("is the", Question),
        ("is this", Question),
        ("are they", Question),
        ("are the", Question),
        ("can you", Question),
        ("could you", Question),
        ("any ", Question),
        // Past.
        ("上次", Past),
        ("上回", Past),
        ("上周", Past),
        ("上个月", Past),
        ("上个星期", Past),
        ("去年", Past),
        ("前年", Past),
        ("昨天", Past),
        ("前天", Past),
        ("以前", Past),
        ("之前", Past),
        ("买过", Past),
        ("拍过", Past),
        ("吃过", Past),
        ("用过", Past),
        ("收到", Past),
        ("到了", Past),
        ("回购", Past),
        ("已经", Past),
        ("last week", Past),
        ("last time", Past),
        ("last month", Past),
        ("yesterday", Past),
        ("already", Past),
        ("bought", Past),
        ("received", Past),
        ("arrived", Past),
        ("ordered", Past),
        // Habits, not orders ("I usually get black tea at Starbucks").
        ("usually", Past),
        // What the buyer already has ("I have 2 dates this week").
        ("i have", Past),
        ("i've got", Past),
        ("i got", Past),
        // Brought, sent, posted: a story of goods already had.
        ("带了", Past),
        ("送了", Past),
        ("寄了", Past),
        ("normally", Past),
        ("平时", Past),
        ("都是买", Past),
        ("一直买", Past),
        ("经常买", Past),
        ("刚喝完", Past),
        ("刚吃完", Past),
        ("刚用完", Past),
        ("平常", Past),
        // Future.
        ("下次", Future),
        ("下回", Future),
        ("下周", Future),
        ("下个月", Future),
        ("下个星期", Future),
        ("明天", Future),
        ("后天", Future),
        ("改天", Future),
        ("以后", Future),
        ("过两天", Future),
        ("过几天", Future),
        ("回头", Future),
        ("等下", Future),
        ("等会", Future),
        ("待会", Future),
        ("一会", Future),
        ("晚点", Future),
        ("明年", Future),
        ("迟啲", Future),
        ("迟些", Future),
        ("晚啲", Future),
        // "蹲一个…上架": waiting for it to go on sale.
        ("蹲", Future),
        ("求上架", Future),
        ("等我", Future),
        ("等过", Future),
        ("等到", Future),
        ("等发", Future),
        // 等双十一再买, 等她下班再拍: waiting for something, then buying.
        ("等", Future),
        ("等等", Word),
        ("等了", Word),
        ("等待", Word),
        ("等级", Word),
        ("一等", Word),
        ("特等", Word),
        ("的时候", Future),
        ("发工资", Future),
        ("next week", Future),
        ("next time", Future),
        ("next month", Future),
        ("next stream", Future),
        ("next live", Future),
        ("next weekend", Future),
        ("next year", Future),
        ("next payday", Future),
        ("tomorrow", Future),
        ("later", Future),
        ("someday", Future),
        // Hypothetical.
        ("要是", Hypothetical),
        ("如果", Hypothetical),
        ("假如", Hypothetical),
        ("假设", Hypothetical),
        ("万一", Hypothetical),
        ("若是", Hypothetical),
        ("的话", Hypothetical),
        // "有优惠就拍", "便宜点就来三袋": a condition, then the buying.
        ("有优惠就", Hypothetical),
        ("有活动就", Hypothetical),
        ("有货就", Hypothetical),
        ("便宜就", Hypothetical),
        ("便宜点就", Hypothetical),
        ("降价就", Hypothetical),
        ("便宜点", Hypothetical),
        ("便宜一点", Hypothetical),
        ("包邮就", Hypothetical),
        ("if", Hypothetical),
        ("would", Hypothetical),
        ("i'd", Hypothetical),
        ("were", Hypothetical),
        // Show requests.
        ("看看", Show),
        ("看一下", Show),
        ("看一看", Show),
        ("瞧瞧", Show),
        ("瞅瞅", Show),
        ("展示", Show),
        ("打开", Show),
        ("show", Show),
        ("zoom", Show),
        ("close up", Show),
        ("closer look", Show),
        ("let me see", Show),
        ("给我看", Show),
        ("近一点", Show),
        ("近点", Show),
        // The product on air.
        ("这个", This),
        ("那个", This),
        ("这款", This),
        ("this one", This),
        ("this", This),
        ("it", This),
        // Each.
        ("各", Each),
        ("每样", Each),
        ("每种", Each),
        ("each", Each),
        // Filler.
        ("谢谢", Filler),
        ("谢谢主播", Filler),
        ("主播", Filler),
        ("我", Filler),
        ("给我", Filler),
        ("帮我", Filler),
        ("请", Filler),
        ("吧", Filler),
        ("啊", Filler),
        ("呀", Filler),
        ("哦", Filler),
        ("哈", Filler),
        ("了", Filler),
        ("的", Filler),
        ("也", Filler),
        ("还", Filler),
        ("再", Filler),
        ("先", Filler),
        ("就", Filler),
        ("一下", Filler),
        // Southwestern 一下: "看一哈", "改一哈".
        ("一哈", Filler),
        ("好的", Filler),
        ("please", Filler),
        ("pls", Filler),
        ("plz", Filler),
        ("thanks", Filler),
        ("thank you", Filler),
        ("thx", Filler),
        ("ty", Filler),
        ("tysm", Filler),
        ("tyvm", Filler),
        ("i", Filler),
        ("i'll", Filler),
        ("me", Filler),
        ("my", Filler),
        ("the", Filler),
        ("of", Filler),
        ("and", Filler),
        ("for", Filler),
        ("too", Filler),
        ("me too", Filler),
        ("also", Filler),
        ("as well", Filler),
        ("same", Filler),
        ("same here", Filler),
        ("ok", Filler),
        ("okay", Filler),
        ("yes", Filler),
        ("yeah", Filler),
        ("yep", Filler),
        ("sure", Filler),
        ("lol", Filler),
        ("haha", Filler),
        // The message above, someone else's: "同上 +1" echoes it, as
        // "楼上+1" does.
        ("同上", Others),
        // Particles and interjections: Cantonese 唔该 (please), 喇, 嘅, 啰;
        // Taiwanese 喔, 耶; 哇, 嗯; English omg, wow.
        ("唔该", Filler),
        ("喇", Filler),
        ("嘅", Filler),
        ("啰", Filler),
        ("喔", Filler),
        ("耶", Filler),
        ("哇", Filler),
        ("嗯", Filler),
        ("omg", Filler),
        // Malaysian and Singaporean English particles.
        ("lah", Filler),
        ("leh", Filler),
        ("lor", Filler),
        ("ya", Filler),
        ("boss", Filler),
        ("wow", Filler),
        ("yay", Filler),
        // Now, as against a past or a plan: they also start a clause of
        // their own (see `NOW_WORDS`).
        ("一共", Filler),
        ("总共", Filler),
        ("今天", Filler),
        ("现在", Filler),
        ("今年", Filler),
        ("这次", Filler),
        ("这回", Filler),
        ("嘞", Filler),
        ("跟", Filler),
        // Sichuanese and northern particles and pronouns: 噻, 俺 (I).
        ("噻", Filler),
        ("啦", Filler),
        ("唉", Filler),
        ("sorry", Filler),
        // "那算了", "那就来两袋": then, as a conjunction.
        ("那", Filler),
        ("俺", Filler),
        // Addressing the seller or the room: "老板来一个", "宝宝们 来一单".
        ("老板", Filler),
        ("老板娘", Filler),
        ("宝宝们", Filler),
        ("家人们", Filler),
        ("姐妹们", Filler),
        ("兄弟们", Filler),
        ("老铁", Filler),
        ("老铁们", Filler),
        ("亲们", Filler),
        ("小伙子", Filler),
        ("美女", Filler),
        ("帅哥", Filler),
        // "the last box", "dibs on the last one".
        ("last", Filler),
        ("on", Filler),
        // "one of these", "I'll take those": the product shown.
        ("these", This),
        ("those", This),
        // How or why the buying is done.
        ("直接", Manner),
        ("狠狠", Manner),
        ("狠狠地", Manner),
        ("果断", Manner),
        ("赶紧", Manner),
        ("马上", Manner),
        ("立马", Manner),
        ("多", Manner),
        ("秒杀", Manner),
        ("用券", Manner),
        ("领券", Manner),
        ("凑单", Manner),
        ("凑满减", Manner),
    ]
};

/// Every English word the lexicon knows (markers and unit words, split at
/// spaces and apostrophes): words a misspelling search must leave alone.
pub fn english_words() -> impl Iterator<Item = &'static str> {
    MARKERS
        .iter()
        .map(|(w, _)| *w)
        .chain(ENGLISH_UNITS.iter().copied())
        .flat_map(|w| w.split([' ', '\'']))
        .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Common English chat words near enough to produce names to be taken for
/// their misspellings ("rich" / "rice", "plus" / "plum", "apply" / "apple"):
/// a token spelled as one of these is never a typo.
pub const COMMON_ENGLISH: &[&str] = &[
    "about",
    "again",
    "amazing",
    "apply",
    "awesome",
    "bear",
    "beautiful",
    "best",
    "better",
    "beat",
    "bean",
    "bye",
    "call",
    "care",
    "chat",
    "cheap",
    "cheers",
    "cheese",
    "chips",
    "come",
    "cool",
    "core",
    "cute",
    "date",
    "dear",
    "deal",
    "delivery",
    "done",
    "fast",
    "fine",
    "free",
    "fresh",
    "from",
    "good",
    "great",
    "hear",
    "hello",
    "here",
    "hold",
    "home",
    "honest",
    "hope",
    "just",
    "know",
    "like",
    "live",
    "long",
    "look",
    "looks",
    "love",
    "lovely",
    "made",
    "maple",
    "mine",
    "more",
    "much",
    "near",
    "need",
    "nice",
    "okay",
    "only",
    "peace",
    "people",
    "plus",
    "pick",
    "price",
    "prices",
    "race",
    "real",
    "rich",
    "ride",
    "right",
    "rise",
    "safe",
    "sale",
    "shipping",
    "ship",
    "show",
    "size",
    "some",
    "soon",
    "still",
    "stock",
    "sure",
    "sweet",
    "taste",
    "tasty",
    "than",
    "that",
    "them",
    "then",
    "there",
    "they",
    "this",
    "time",
    "today",
    "tonight",
    "very",
    "wait",
    "watch",
    "well",
    "what",
    "when",
    "will",
    "wish",
    "with",
    "wonderful",
    "wood",
    "word",
    "work",
    "year",
    "years",
    "yummy",
    "your",
];

/// Classifiers that count selling units ("两袋", "2份"); the catalog's own
/// units are added per engine.
pub const SELLING_CLASSIFIERS: &[&str] = &[
    "袋", "盒", "包", "罐", "箱", "瓶", "桶", "提", "份", "单", "个", "件", "套", "组", "只", "条",
    "筐", "篮", "兜", "听", "板", "把", "串", "扎", "卷", "支", "张",
];

/// Count words that stand for whatever is sold ("来一个", "两份", "x2"):
/// a count in one of these, or in the catalog's own units, can be an order
/// of the product on air; one in another classifier ("来一把", "两张照片")
/// counts something else.
pub const GENERIC_COUNT_WORDS: &[&str] = &["个", "份", "单", "件", "x", "×"];

/// English unit words after a number ("2 bags", "three boxes").
pub const ENGLISH_UNITS: &[&str] = &[
    "bag", "bags", "box", "boxes", "pack", "packs", "packet", "packets", "jar", "jars", "can",
    "cans", "case", "cases", "bottle", "bottles", "piece", "pieces", "pcs", "pc", "tin", "tins",
    "crate", "crates", "basket", "baskets", "order", "orders", "set", "sets", "portion",
    "portions", "unit", "units", "of", "more", "bucket", "buckets", "barrel", "barrels", "tub",
    "tubs", "bundle", "bundles", "bunch", "bunches", "extra",
];

/// English words for a weight the catalog sells by ("2 jin of pears" when
/// the unit is 斤). Only these catalogs count them; elsewhere a weight is a
/// spec, like 斤 is.
pub fn english_weight_words(unit: &str) -> &'static [&'static str] {
    match unit {
        "斤" => &["jin", "catty", "catties"],
        "公斤" | "千克" => &["kilo", "kilos", "kilogram", "kilograms"],
        _ => &[],
    }
}

/// Measures after a number that make it part of something else: a spec
/// (5斤装, 30枚), a time (2024年, 12点), money (5块), a count of times (5次).
pub const SPEC_UNITS: &[&str] = &[
    "斤",
    "公斤",
    "千克",
    "克",
    "kg",
    "g",
    "ml",
    "l",
    "毫升",
    "升",
    "枚",
    "颗",
    "粒",
    "年",
    "月",
    "日",
    "号",
    "点",
    "块",
    "元",
    "毛",
    "角",
    "分",
    "次",
    "岁",
    "天",
    "周",
    "小时",
    "分钟",
    "秒",
    "寸",
    "度",
    "%",
    "人",
    "位",
    "w",
    "万",
    "遍",
    "年代",
    "后",
    "cm",
    "mm",
    "米",
    "码",
    "折",
    "楼",
    "层",
    "集",
    "期",
    "个人",
    "个晚上",
    "个下午",
    "个上午",
    "个早上",
    "个钟头",
    "句",
    "首",
    "个月",
    "单元",
    "个小时",
    "个星期",
    "个礼拜",
    "个孩子",
    "个朋友",
    "个同学",
    "个同事",
];

/// Buy verbs that, with no count and no object, are as often a cheer or
/// "come on" as an order ("来！", "来来来", "来吧"): alone they reach the
/// helper below the auto-confirm line.
pub const WEAK_ALONE_VERBS: &[&str] = &["来", "也来", "嚟"];

/// Words before a number that make it an ordinal or a name, not a count:
/// "第二件半价", "周5", "星期3", "礼拜六".
pub const ORDINAL_PREFIXES: &[&str] = &["第", "周", "星期", "礼拜"];

/// English subjects other than the sender: a buy or cancel word right
/// after one is someone else's doing ("we take it", "let's get them", "he
/// sold", "you can't play anymore").
pub const OTHER_SUBJECTS: &[&str] = &[
    "we",
    "you",
    "u",
    "ya",
    "she",
    "he",
    "they",
    "lets",
    "let's",
    "let’s",
    "yall",
    "y'all",
    "y’all",
    "everyone",
    "everybody",
];

/// English cancel words that follow the verb they negate ("don't want it
/// anymore", "be cancelled"): after a word of other content ("play
/// anymore") they are about that.
pub const POSTPOSED_CANCELS: &[&str] = &["anymore", "no longer", "cancelled"];

/// English modals: after someone other than "i" ("Tom could get one")
/// the verb is about them, not the sender ordering.
pub const MODALS: &[&str] = &[
    "could", "should", "might", "can", "will", "gonna", "must", "may", "shall",
];

/// Chinese pronouns for someone other than the sender: a cancel word after
/// one in its clause is their doing ("你赶紧退了吧", "你的枪还是算了").
pub const OTHER_PERSONS_ZH: &[char] = &['你', '您', '他', '她'];

/// Words for now that start a new clause in run-on chat: "去年买的香油吃完了
/// 今年再给我来两瓶" is a past, then an order.
pub const NOW_WORDS: &[&str] = &["今天", "现在", "今年", "这次", "这回"];

/// Times and events that, right before 再, put the buying after them: "过年再订",
/// "下播再买" (以后 / 下次 and the like are plan markers of their own).
pub const PLAN_TIMES_BEFORE_ZAI: &[&str] = &[
    "春天",
    "夏天",
    "秋天",
    "冬天",
    "开春",
    "月初",
    "过年",
    "过年前",
    "年前",
    "年后",
    "节后",
    "放假",
    "开学",
    "下播",
    "回家",
    "月底",
    "年底",
    "周末",
    "有空",
    "有钱",
    "到货",
    "发货",
    "降价",
    "便宜",
];

/// Words that, right after a product word, show it is used in another sense:
/// a phone brand, a dish, a company.
pub const NON_PRODUCT_HEADS: &[&str] = &[
    "手机",
    "粥",
    "电视",
    "平板",
    "笔记本",
    "汽车",
    "手环",
    "手表",
    "耳机",
    "音箱",
    "路由器",
    "充电器",
    "电脑",
    "股票",
    "公司",
    "集团",
    "官网",
    "之家",
    "系统",
    "商城",
    "粉",
    "汁饮料",
    "味的薯片",
    "饭",
    "汤",
    "面包",
    "蛋糕",
    "酒",
    "醋",
    "牌",
    // 菊花台, 芒果台: a song, a TV channel.
    "台",
    // 茶叶蛋, 土鸡蛋 when the catalog sells the tea or the hen.
    "蛋",
    // 火锅店: a shop; 蜂蜜水, 柠檬水: a drink.
    "店",
    "水",
];

/// A marker found in normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkerHit {
    pub start: usize,
    pub end: usize,
    pub marker: Marker,
}

/// The compiled marker vocabulary and the word lists read around numbers
/// and products.
pub struct Lexicon {
    markers: Option<Words>,
    pub selling_classifiers: PrefixList,
    pub english_units: PrefixList,
    pub spec_units: PrefixList,
    pub non_product_heads: PrefixList,
}

impl Default for Lexicon {
    fn default() -> Self {
        Self::new()
    }
}

impl Lexicon {
    pub fn new() -> Self {
        // A DFA: the word lists are fixed and small, so its larger build is
        // paid once per process (see `shared`) for the fastest search.
        let markers = Words::new(MARKERS.iter().map(|(w, _)| *w), true);
        Lexicon {
            markers,
            selling_classifiers: PrefixList::new(SELLING_CLASSIFIERS.iter().copied()),
            english_units: PrefixList::new(ENGLISH_UNITS.iter().copied()),
            spec_units: PrefixList::new(SPEC_UNITS.iter().copied()),
            non_product_heads: PrefixList::new(NON_PRODUCT_HEADS.iter().copied()),
        }
    }

    /// The lexicon does not depend on the catalog: one per process.
    pub fn shared() -> &'static Lexicon {
        static SHARED: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        SHARED.get_or_init(Lexicon::new)
    }

    /// Appends the markers of `text` to `out`, leftmost-longest, skipping
    /// English words that are only part of a longer word.
    pub fn find(&self, text: &str, out: &mut Vec<MarkerHit>) {
        self.find_in(text, 0..text.len(), out);
    }

    /// `find` in the stretches of `text` between the given sorted,
    /// non-overlapping spans (the product words): a marker never straddles
    /// a product word, so "藕带来两瓶" keeps its 来 after the product 藕带.
    pub fn find_between(
        &self,
        text: &str,
        spans: impl IntoIterator<Item = (usize, usize)>,
        out: &mut Vec<MarkerHit>,
    ) {
        let mut from = 0;
        for (start, end) in spans {
            if start > from {
                self.find_in(text, from..start, out);
            }
            from = from.max(end);
        }
        if from < text.len() {
            self.find_in(text, from..text.len(), out);
        }
    }

    fn find_in(&self, text: &str, span: std::ops::Range<usize>, out: &mut Vec<MarkerHit>) {
        let Some(ac) = &self.markers else { return };
        ac.each_match(text, span, |start, end, pattern| {
            if ascii_word_boundaries(text, start, end) {
                out.push(MarkerHit {
                    start,
                    end,
                    marker: MARKERS[pattern].1,
                });
            }
        });
    }
}

/// True when a match that begins or ends with an ASCII letter or digit is not
/// glued to more of the same ("no" is not inside "know", "1" not inside
/// "12"); letters next to digits are separate words ("goji2bags").
pub fn ascii_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let same = |x: u8, y: u8| {
        (x.is_ascii_alphabetic() && y.is_ascii_alphabetic())
            || (x.is_ascii_digit() && y.is_ascii_digit())
    };
    if start > 0 && b.get(start).is_some_and(|&c| same(b[start - 1], c)) {
        return false;
    }
    if end > 0 && b.get(end).is_some_and(|&c| same(b[end - 1], c)) {
        return false;
    }
    true
}

/// A word list looked up by prefix ("which of these words does the text
/// start with here?"): grouped by first character, longest first within a
/// group, and the groups found by a small open-addressed hash of that
/// character, so a look-up is one hash probe (usually a miss: most text
/// after a number is no unit) and a short run of compares.
#[derive(Debug, Clone)]
pub struct PrefixList {
    /// The words, grouped by first character, longest first in a group.
    words: Vec<Box<str>>,
    /// A power-of-two table, at most half full, from a first character to
    /// its group in `words`; probed linearly from the character's hash.
    slots: Box<[Group]>,
}

/// One first character's words: `words[start..end]`.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// The character as `u32`; [`Group::EMPTY`] for a free slot.
    first: u32,
    start: u32,
    end: u32,
}

impl Group {
    /// Not a `char`, so never a word's first character.
    const EMPTY: Group = Group {
        first: u32::MAX,
        start: 0,
        end: 0,
    };
}

impl Default for PrefixList {
    fn default() -> Self {
        PrefixList::new([])
    }
}

impl PrefixList {
    pub fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Self {
        let mut words: Vec<(char, Box<str>)> = words
            .into_iter()
            .filter_map(|w| Some((first_char(w)?, w.into())))
            .collect();
        words.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.len().cmp(&a.1.len())));
        let mut groups: Vec<Group> = Vec::new();
        for (i, (c, _)) in words.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if g.first == u32::from(*c) => g.end = i as u32 + 1,
                _ => groups.push(Group {
                    first: u32::from(*c),
                    start: i as u32,
                    end: i as u32 + 1,
                }),
            }
        }
        // At most half full, so a probe meets a free slot soon.
        let mut slots = vec![Group::EMPTY; (groups.len() * 2).next_power_of_two()];
        let mask = slots.len() - 1;
        for g in groups {
            let mut i = slot_of(g.first, mask);
            while slots[i].first != Group::EMPTY.first {
                i = (i + 1) & mask;
            }
            slots[i] = g;
        }
        PrefixList {
            words: words.into_iter().map(|(_, w)| w).collect(),
            slots: slots.into(),
        }
    }

    /// The words that start with `first`, longest first.
    #[inline]
    fn group(&self, first: char) -> &[Box<str>] {
        let first = u32::from(first);
        let mask = self.slots.len() - 1;
        let mut i = slot_of(first, mask);
        loop {
            let g = self.slots[i];
            if g.first == first {
                return &self.words[g.start as usize..g.end as usize];
            }
            if g.first == Group::EMPTY.first {
                return &[];
            }
            i = (i + 1) & mask;
        }
    }

    /// The longest word that `text[pos..]` starts with, as its length.
    /// English words must end at a word boundary.
    pub fn longest(&self, text: &str, pos: usize) -> Option<usize> {
        let rest = text.get(pos..)?;
        let first = first_char(rest)?;
        self.group(first)
            .iter()
            .find(|w| has_prefix(rest, w) && ascii_word_boundaries(text, pos, pos + w.len()))
            .map(|w| w.len())
    }
}

/// The slot where the search for character `c` starts, in a table of
/// `mask + 1` slots (a multiplicative hash: its high bits are well mixed).
#[inline]
fn slot_of(c: u32, mask: usize) -> usize {
    ((u64::from(c).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize) & mask
}

/// The first character of `s`.
fn first_char(s: &str) -> Option<char> {
    s.chars().next()
}

/// `text.starts_with(word)` for the short words of these lists, compared
/// byte by byte in place (the library's version calls memcmp, which costs
/// more than the compare for a word of a few bytes).
fn has_prefix(text: &str, word: &str) -> bool {
    let (t, w) = (text.as_bytes(), word.as_bytes());
    t.len() >= w.len() && t.iter().zip(w).all(|(a, b)| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markers(text: &str) -> Vec<(String, Marker)> {
        let mut out = Vec::new();
        Lexicon::new().find(text, &mut out);
        out.iter()
            .map(|h| (text[h.start..h.end].to_string(), h.marker))
            .collect()
    }

    #[test]
    fn longest_marker_wins() {
        assert_eq!(markers("不要了"), vec![("不要了".into(), Marker::Cancel)]);
        assert_eq!(markers("要是"), vec![("要是".into(), Marker::Hypothetical)]);
        assert_eq!(markers("要不要"), vec![("要不要".into(), Marker::Question)]);
    }

    #[test]
    fn english_markers_respect_word_boundaries() {
        assert!(markers("i know").iter().all(|(_, m)| *m != Marker::Refuse));
        assert_eq!(markers("no millet")[0], ("no".into(), Marker::Refuse));
        assert!(markers("iffy").is_empty());
    }

    #[test]
    fn prefix_lists_find_what_a_scan_of_every_word_finds() {
        let lists = [
            SELLING_CLASSIFIERS,
            ENGLISH_UNITS,
            SPEC_UNITS,
            NON_PRODUCT_HEADS,
        ];
        for words in lists {
            let list = PrefixList::new(words.iter().copied());
            let naive = |text: &str, pos: usize| {
                words
                    .iter()
                    .filter(|w| {
                        text[pos..].starts_with(**w)
                            && ascii_word_boundaries(text, pos, pos + w.len())
                    })
                    .map(|w| w.len())
                    .max()
            };
            for w in words {
                for text in [
                    w.to_string(),
                    format!("2{w}"),
                    format!("{w}x"),
                    format!("{w}的"),
                ] {
                    for pos in (0..text.len()).filter(|&p| text.is_char_boundary(p)) {
                        assert_eq!(
                            list.longest(&text, pos),
                            naive(&text, pos),
                            "{text:?} at {pos}"
                        );
                    }
                }
            }
        }
        assert_eq!(PrefixList::default().longest("袋", 0), None);
        assert_eq!(PrefixList::new(["袋"]).longest("盒", 0), None);
        assert_eq!(PrefixList::new(["袋"]).longest("袋", 1), None);
    }

    #[test]
    fn prefixes_are_longest_and_bounded() {
        let lexicon = Lexicon::shared();
        assert_eq!(lexicon.spec_units.longest("5斤装", 1), Some("斤".len()));
        assert_eq!(lexicon.spec_units.longest("5公斤", 1), Some("公斤".len()));
        assert_eq!(lexicon.english_units.longest("2 bags", 2), Some(4));
        assert_eq!(lexicon.english_units.longest("2 bagsy", 2), None);
        assert_eq!(lexicon.english_units.longest("x", 9), None);
        assert_eq!(lexicon.english_units.longest("2 袋", 2), None);
        // Longest first, whatever the order the words were given in.
        let list = PrefixList::new(["公", "克", "公斤装", "公斤"]);
        assert_eq!(list.longest("3公斤", 1), Some("公斤".len()));
        assert_eq!(list.longest("3公斤装", 1), Some("公斤装".len()));
        assert_eq!(list.longest("3公里", 1), Some("公".len()));
        assert_eq!(list.longest("3千克", 1), None);
    }
}
