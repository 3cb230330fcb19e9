//! The chat mix both benches read: one list, so their figures are comparable.

/// A mix shaped like a lively stream: mostly noise and questions, a third orders.
pub const CHAT: &[&str] = &[
    "主播好！",
    "小米来两袋",
    "扣1",
    "包邮吗",
    "3号链接拍两单",
    "666666",
    "核桃多少钱一斤",
    "+1",
    "2 bags of walnuts please",
    "杏干红枣各两袋",
    "不要了",
    "主播声音真好听😂😂",
    "改成3袋",
    "小米手机能买吗哈哈",
    "sold 2",
    "什么时候发货",
    "要要要",
    "晚上好，刚来",
    "红棗來兩袋",
    "88",
];
