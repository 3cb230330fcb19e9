//! Every user-visible string of the TUI, one table per language (Chinese and
//! English), chosen by `config.shop.language`. Views take words from here and
//! nowhere else, so a screen never mixes languages.

use crate::app::keymap::{Action, Key};
use crate::app::model::Notice;
use crate::chat::OutageKind;
use crate::config::Language;
use crate::intent::suggest::Note;
use crate::store::{Refusal, StoreError};
use crossterm::event::{KeyCode, KeyModifiers};
use std::time::Duration;

pub struct Strings {
    pub connecting: &'static str,
    pub connected: &'static str,
    pub reconnecting: &'static str,
    pub per_second: &'static str,
    pub chat_rate: &'static str,
    pub sold: &'static str,
    pub on_air: &'static str,
    pub nothing_on_air: &'static str,
    pub left: &'static str,
    pub pending: &'static str,
    pub sold_out: &'static str,
    pub inbox_title: &'static str,
    pub inbox_empty: &'static str,
    pub covered: &'static str,
    /// "Sold out" short enough for the inbox's coverage column (6 columns).
    pub none_left: &'static str,
    pub short: &'static str,
    pub cancel: &'static str,
    pub change_to: &'static str,
    pub no_product: &'static str,
    pub confirming: &'static str,
    pub rejecting: &'static str,
    pub offered: &'static str,
    /// Stock running out (a product pane flag, 4 columns at most).
    pub low_stock: &'static str,
    pub col_time: &'static str,
    pub col_buyer: &'static str,
    pub col_qty: &'static str,
    pub col_stock: &'static str,
    pub col_sure: &'static str,
    pub col_state: &'static str,
    pub picker_title: &'static str,
    pub picker_keys: &'static str,
    pub picker_none: &'static str,
    pub cart_title: &'static str,
    pub cart_total: &'static str,
    pub cart_empty: &'static str,
    pub cart_keys: &'static str,
    pub loading: &'static str,
    pub waiting_for_order: &'static str,
    pub sale: &'static str,
    pub retired: &'static str,
    pub prompt_restock: &'static str,
    pub prompt_sale: &'static str,
    pub prompt_keys: &'static str,
    pub prompt_bad_stock: &'static str,
    pub prompt_bad_sale: &'static str,
    pub why: &'static str,
    pub chat_title: &'static str,
    pub chat_empty: &'static str,
    pub chat_paused: &'static str,
    pub gap: &'static str,
    pub reconnected: &'static str,
    pub products_title: &'static str,
    /// The queue's keys, under its pane or overlay while it has them.
    pub queue_keys: &'static str,
    pub col_product: &'static str,
    pub col_price: &'static str,
    pub col_left: &'static str,
    pub col_sold: &'static str,
    pub recent_orders: &'static str,
    pub no_orders: &'static str,
    pub order_cancelled: &'static str,
    pub help_title: &'static str,
    pub help_footer: &'static str,
    pub help_more: &'static str,
    pub help_more_above: &'static str,
}

pub static ZH: Strings = Strings {
    connecting: "连接中",
    connected: "已连接",
    reconnecting: "重连中",
    per_second: "/秒",
    chat_rate: "弹幕",
    sold: "已售",
    on_air: "讲解中",
    nothing_on_air: "没有商品",
    left: "剩余",
    pending: "待确认",
    sold_out: "售罄",
    inbox_title: "待确认",
    inbox_empty: "暂无待确认订单",
    covered: "有货",
    none_left: "售罄",
    short: "不足",
    cancel: "取消",
    change_to: "改为",
    no_product: "未知商品",
    confirming: "确认中…",
    rejecting: "拒绝中…",
    offered: "有货了，可确认",
    low_stock: "快没",
    col_time: "时间",
    col_buyer: "买家",
    col_qty: "数量",
    col_stock: "库存",
    col_sure: "把握",
    col_state: "状态",
    picker_title: "改商品",
    picker_keys: "输入 链接号/名称/拼音首字母  ↑↓ 选择  回车 确定  Esc 取消",
    picker_none: "没有相符的商品",
    cart_title: "买家",
    cart_total: "合计",
    cart_empty: "这位买家还没有订单",
    cart_keys: "↑↓ 选择  x 取消订单  +/- 改数量  u 撤销  Esc 关闭",
    loading: "读取中…",
    waiting_for_order: "等它的订单确认",
    sale: "秒杀",
    retired: "已下架",
    prompt_restock: "补货：输入增加的数量（如 20），或 =数量 直接设定库存",
    prompt_sale: "秒杀：输入 数量 价格 分钟（如 50 19.9 10）",
    prompt_keys: "回车 确定    Esc 取消",
    prompt_bad_stock: "请输入整数，如 20、-5 或 =50",
    prompt_bad_sale: "请输入三项：数量 价格 分钟，如 50 19.9 10",
    why: "依据",
    chat_title: "弹幕",
    chat_empty: "等待弹幕…",
    chat_paused: "条新弹幕在下面，End 回到最新",
    gap: "断线，可能漏掉弹幕",
    reconnected: "已重新连接",
    products_title: "商品",
    queue_keys: "回车 讲解  K/J 上移/下移  x 售罄  R 补货  F 秒杀  Esc 返回",
    col_product: "商品",
    col_price: "价格",
    col_left: "剩余",
    col_sold: "已售",
    recent_orders: "最近订单",
    no_orders: "暂无",
    order_cancelled: "已取消",
    help_title: "帮助",
    help_footer: "确认后等数据库保存完才算数；被拒的原因显示在订单下面。",
    help_more: "↓ 更多",
    help_more_above: "↑ 上面还有",
};

pub static EN: Strings = Strings {
    connecting: "connecting",
    connected: "connected",
    reconnecting: "reconnecting",
    per_second: "/s",
    chat_rate: "chat",
    sold: "sold",
    on_air: "ON AIR",
    nothing_on_air: "no products",
    left: "left",
    pending: "pending",
    sold_out: "SOLD OUT",
    inbox_title: "Pending",
    inbox_empty: "No pending orders",
    covered: "ok",
    none_left: "OUT",
    short: "short",
    cancel: "cancel",
    change_to: "set to",
    no_product: "unknown",
    confirming: "confirming…",
    rejecting: "rejecting…",
    offered: "in stock again: y confirms",
    low_stock: "LOW",
    col_time: "time",
    col_buyer: "buyer",
    col_qty: "qty",
    col_stock: "stock",
    col_sure: "sure",
    col_state: "state",
    picker_title: "Product",
    picker_keys: "type link no. / name / initials  ↑↓  Enter ok  Esc cancel",
    picker_none: "no product matches",
    cart_title: "Buyer",
    cart_total: "total",
    cart_empty: "no orders from this buyer yet",
    cart_keys: "↑↓ select  x cancel order  +/- qty  u undo  Esc close",
    loading: "loading…",
    waiting_for_order: "waits for its order",
    sale: "SALE",
    retired: "retired",
    prompt_restock: "Restock: units to add (e.g. 20), or =N to set the stock",
    prompt_sale: "Flash sale: count price minutes (e.g. 50 19.9 10)",
    prompt_keys: "Enter ok    Esc cancel",
    prompt_bad_stock: "a whole number, like 20, -5 or =50",
    prompt_bad_sale: "three things: count price minutes, like 50 19.9 10",
    why: "why",
    chat_title: "Chat",
    chat_empty: "waiting for chat…",
    chat_paused: "newer lines below, End follows",
    gap: "disconnected, messages may be missing",
    reconnected: "reconnected",
    products_title: "Products",
    queue_keys: "Enter on air  K/J move  x sold out  R stock  F sale  Esc",
    col_product: "product",
    col_price: "price",
    col_left: "left",
    col_sold: "sold",
    recent_orders: "Recent",
    no_orders: "none yet",
    order_cancelled: "cancelled",
    help_title: "Help",
    help_footer: "An order counts once it is saved; a refusal shows under its row.",
    help_more: "↓ more",
    help_more_above: "↑ more above",
};

pub fn strings(language: Language) -> &'static Strings {
    match language {
        Language::Zh => &ZH,
        Language::En => &EN,
    }
}

/// A link number as viewers say it: "3号链接" / "#3".
pub fn link(language: Language, link: u32) -> String {
    match language {
        Language::Zh => format!("{link}号链接"),
        Language::En => format!("#{link}"),
    }
}

/// Said on the terminal after the screen closes: this run's orders, the
/// shop's sales so far, and what is still waiting (it is saved).
pub fn quit_summary(model: &crate::app::model::Model) -> String {
    let (units, fen) = model.sales_total();
    let orders = model.confirmed_this_run;
    let pending = model.pending_total();
    let money = crate::catalog::yuan(fen);
    match model.language {
        Language::Zh => format!(
            "livestall：本场确认 {orders} 单；共售出 {units} 件，¥{money}；还有 {pending} 条没确认（已存好，下次打开还在）"
        ),
        Language::En => format!(
            "livestall: {orders} orders confirmed this run; {units} units sold in all, ¥{money}; {pending} intents still pending (saved, there next time)"
        ),
    }
}

/// Under the chat when Bilibili is read anonymously (uid 0): it masks
/// buyers' names then, so two buyers may look alike.
pub fn masked_names(language: Language) -> &'static str {
    match language {
        Language::Zh => "B站匿名连接：用户名被打码（在配置里填 uid 和 key 可看到全名）",
        Language::En => "Bilibili read anonymously: names are masked (set uid and key to see them)",
    }
}

/// A chat line where the source dropped history a relay sent again.
/// The chat line where a dropped source came back: which stretch of chat
/// may be missing, from the drop to now.
pub fn reconnected_after(language: Language, from: &str, to: &str) -> String {
    if from == to {
        // Back within the second: a range from a time to itself reads oddly.
        return match language {
            Language::Zh => format!("已重新连接（{to} 前后的弹幕可能漏掉）"),
            Language::En => format!("reconnected (messages around {to} may be missing)"),
        };
    }
    match language {
        Language::Zh => format!("已重新连接（{from}–{to} 之间的弹幕可能漏掉）"),
        Language::En => format!("reconnected (messages from {from} to {to} may be missing)"),
    }
}

pub fn skipped_replays(language: Language, count: u32) -> String {
    match language {
        Language::Zh => format!("跳过了 {count} 条重复的弹幕（重连后中转重发的历史）"),
        Language::En => format!("skipped {count} replayed (history resent after the reconnect)"),
    }
}

/// A waitlisted row's place in its product's line.
pub fn waitlisted(language: Language, place: u32) -> String {
    match (language, place) {
        (Language::Zh, 0) => "候补中".to_string(),
        (Language::Zh, n) => format!("候补第 {n} 位"),
        (Language::En, 0) => "waitlisted".to_string(),
        (Language::En, n) => format!("waitlist #{n}"),
    }
}

/// A waitlisted row's reason while the co-op cannot be reached: the desk
/// has sold what it holds and cannot take more until it is back.
pub fn coop_offline(language: Language) -> &'static str {
    match language {
        Language::Zh => "合作社离线",
        Language::En => "co-op offline",
    }
}

pub fn refusal(language: Language, refusal: &Refusal) -> String {
    match language {
        // The store's own messages are English already.
        Language::En => refusal.to_string(),
        Language::Zh => match refusal {
            Refusal::OutOfStock { left } => format!("库存不足：只剩 {left}"),
            Refusal::OverLimit { limit, already } => {
                format!("超过限购 {limit}（已买 {already}）")
            }
            Refusal::Duplicate { order_id } => format!("这条弹幕已下过单（订单 {order_id}）"),
            Refusal::NoOpenOrder => "该买家没有可取消或修改的订单".to_string(),
            Refusal::Waitlisted { place, left } => {
                format!("库存不够，排队候补第 {place} 位（剩 {left}）")
            }
            Refusal::UnknownOrder(order_id) => format!("没有已确认的订单 {order_id}"),
            Refusal::CannotUndo => "这个决定已无法撤销".to_string(),
            Refusal::UnknownProduct(sku) => format!("未知商品 {sku}"),
            Refusal::NoProduct => "没有指定商品".to_string(),
            Refusal::Rejected => "这条之前已被拒绝".to_string(),
            Refusal::DecidedElsewhere { helper, decision } => {
                let done = if decision == "rejected" {
                    "拒绝"
                } else {
                    "确认"
                };
                format!("{helper} 已在另一台电脑上{done}")
            }
            Refusal::Storage(error) => store_error(language, error),
        },
    }
}

/// The short mark a suggestion row carries where others show how sure the
/// reading is (four columns).
pub fn suggestion_mark(language: Language) -> &'static str {
    match language {
        Language::Zh => "建议",
        Language::En => "hint",
    }
}

/// Why a row waits for the helper (`intent::suggest::Note`), under the
/// selected row; `unit` is its product's selling unit.
pub fn note(language: Language, note: Note, unit: &str) -> String {
    let zh = language == Language::Zh;
    match note {
        Note::SaidMoreSince if zh => "不确定：下单后还说过别的，核实后再确认".into(),
        Note::SaidMoreSince => "uncertain: they said other things since ordering".into(),
        Note::OldOrder if zh => "不确定：订单已过10分钟，核实后再确认".into(),
        Note::OldOrder => "uncertain: their order is over 10 minutes old".into(),
        Note::SeveralOrders if zh => "不确定：买家有几个订单，不知是哪个".into(),
        Note::SeveralOrders => "uncertain: the buyer has several open orders".into(),
        Note::SameAsAbove if zh => "建议：「同上」照刚才别人的订单".into(),
        Note::SameAsAbove => "suggestion: \"same\" as the order just above".into(),
        Note::NothingOnAir if zh => "建议：没有在播商品，按刚才大家买的".into(),
        Note::NothingOnAir => {
            "suggestion: nothing on air, so the product chat was just ordering".into()
        }
        Note::OtherUnit if zh => format!("建议：写的是重量，本品按{unit}卖，先核对数量"),
        Note::OtherUnit => {
            format!("suggestion: written as a weight, sold by the {unit}: check the quantity")
        }
    }
}

/// What the helper can do about a row the store refused.
pub fn next_step(language: Language, notice: &Notice) -> Option<&'static str> {
    let zh = language == Language::Zh;
    Some(match notice {
        Notice::Refused(refusal) => match refusal {
            Refusal::NoOpenOrder | Refusal::CannotUndo | Refusal::UnknownOrder(_) => {
                if zh {
                    "按 n 拒绝"
                } else {
                    "n rejects it"
                }
            }
            Refusal::OutOfStock { .. } | Refusal::Waitlisted { .. } => {
                if zh {
                    "R 补货，或 n 拒绝"
                } else {
                    "R restocks, n rejects"
                }
            }
            Refusal::OverLimit { .. } => {
                if zh {
                    "- 减数量，或 n 拒绝"
                } else {
                    "- lowers it, n rejects"
                }
            }
            Refusal::Duplicate { .. } | Refusal::Rejected | Refusal::DecidedElsewhere { .. } => {
                if zh {
                    "已处理过，按 n 移走"
                } else {
                    "decided before: n clears it"
                }
            }
            Refusal::UnknownProduct(_) | Refusal::NoProduct => {
                if zh {
                    "e 选商品，或 n 拒绝"
                } else {
                    "e picks a product, n rejects"
                }
            }
            Refusal::Storage(_) => {
                if zh {
                    "稍后再按 y"
                } else {
                    "y again later"
                }
            }
        },
        Notice::NoProduct => {
            if zh {
                "e 选商品"
            } else {
                "e picks a product"
            }
        }
        Notice::StoreFailed(_) => {
            if zh {
                "稍后再按 y"
            } else {
                "y again later"
            }
        }
        _ => return None,
    })
}

pub fn store_error(language: Language, error: &StoreError) -> String {
    match language {
        Language::En => error.to_string(),
        Language::Zh => match error {
            StoreError::Locked(_) => "数据库被其他程序占用".to_string(),
            StoreError::DiskFull(_) => "磁盘已满，订单无法保存".to_string(),
            StoreError::ReadOnly(_) => "数据库文件或所在文件夹不能写入，请检查权限".to_string(),
            StoreError::Open { path, reason } => {
                use crate::store::{NOT_LIVESTALL, NO_DATABASE, WRITTEN_BY_NEWER};
                let path = crate::ui::sanitize::sanitize(path);
                if reason == NO_DATABASE {
                    format!("{path} 没有数据库（请检查 --db 或 [store] path）")
                } else if reason == NOT_LIVESTALL {
                    format!("{path} 不是 livestall 的数据库")
                } else if reason.starts_with(WRITTEN_BY_NEWER) {
                    format!("{path} 是更新版本的 livestall 写的，请先升级 livestall")
                } else {
                    format!("无法打开数据库 {path}")
                }
            }
            StoreError::Unavailable(detail) => format!("数据库无法读写：{detail}"),
            StoreError::Sqlite(detail) => format!("数据库错误：{detail}"),
            StoreError::Closed => "数据库线程已停止".to_string(),
        },
    }
}

pub fn notice(language: Language, notice: &Notice) -> String {
    match notice {
        Notice::Refused(r) => refusal(language, r),
        Notice::StoreFailed(e) => store_error(language, e),
        Notice::StockKept(differs) => {
            let (sku, in_config, in_db) = differs.first().cloned().unwrap_or_default();
            let more = differs.len().saturating_sub(1);
            match language {
                Language::Zh => {
                    let more = if more > 0 {
                        format!("（另有 {more} 项）")
                    } else {
                        String::new()
                    };
                    format!("库存以数据库为准：{sku} 配置 {in_config}，数据库 {in_db}{more}")
                }
                Language::En => {
                    let more = if more > 0 {
                        format!(" (+{more} more)")
                    } else {
                        String::new()
                    };
                    format!("stock kept from the database: {sku} config {in_config}, database {in_db}{more}")
                }
            }
        }
        Notice::NothingMatches => match language {
            Language::Zh => "没有符合的待确认订单".to_string(),
            Language::En => "no pending intent matches".to_string(),
        },
        Notice::NothingToUndo => match language {
            Language::Zh => "没有可撤销的操作".to_string(),
            Language::En => "nothing to undo".to_string(),
        },
        Notice::Learned(phrase, name) => {
            let phrase = crate::ui::sanitize::sanitize(phrase);
            match language {
                Language::Zh => format!("已记住：「{phrase}」就是「{name}」（下次启动起生效）"),
                Language::En => format!("learned: \"{phrase}\" is {name} (from the next start)"),
            }
        }
        Notice::LearnRefused(detail) => match language {
            Language::Zh => format!("没有记住：{detail}"),
            Language::En => format!("not learned: {detail}"),
        },
        Notice::StockChanged(sku, before, after) => match language {
            Language::Zh => format!("{sku} 库存 {before} → {after}"),
            Language::En => format!("{sku} stock {before} → {after}"),
        },
        Notice::StockRefused(detail) => match language {
            Language::Zh => format!("库存没有改：{detail}"),
            Language::En => format!("stock not changed: {detail}"),
        },
        Notice::SaleRefused(detail) => match language {
            Language::Zh => format!("秒杀没有改：{detail}"),
            Language::En => format!("flash sale not changed: {detail}"),
        },
        Notice::ChatLineGone => match language {
            Language::Zh => "这条弹幕已不在弹幕记录里（太早了）".to_string(),
            Language::En => "that message is no longer in the chat history".to_string(),
        },
        Notice::RecordStopped(failure) => record_stopped(language, failure),
        Notice::DecidedTwice {
            user,
            product,
            qty,
            count,
        } => {
            let user = crate::ui::sanitize::sanitize(user);
            let more = count.saturating_sub(1);
            match language {
                Language::Zh if more > 0 => format!(
                    "合作社断线时两台电脑都确认了 {user} 的 {product}×{qty}（另有 {more} 单），请核对是否重复"
                ),
                Language::Zh => {
                    format!("合作社断线时两台电脑都确认了 {user} 的 {product}×{qty}，请核对是否重复")
                }
                Language::En if more > 0 => format!(
                    "both laptops confirmed {user}'s {product}×{qty} while the co-op was out of reach (+{more} more): check for a double order"
                ),
                Language::En => format!(
                    "both laptops confirmed {user}'s {product}×{qty} while the co-op was out of reach: check for a double order"
                ),
            }
        }
        Notice::NoProduct => match language {
            Language::Zh => "这条没有指定商品，无法确认（可按 n 拒绝）".to_string(),
            Language::En => "no product named: cannot confirm (n rejects)".to_string(),
        },
    }
}

/// Added to a bulk rejection's question when the database holds intents
/// the inbox has not loaded: they are rejected too.
pub fn also_unloaded(language: Language) -> &'static str {
    match language {
        Language::Zh => "（数据库里还没显示的同类待确认也一起拒绝）",
        Language::En => "(those of them not loaded on screen yet are rejected too)",
    }
}

/// The lines of a bulk question: what will happen, and a warning when the
/// stock cannot cover it.
pub fn question(language: Language, bulk: &crate::app::model::Bulk, name: &str) -> Vec<String> {
    use crate::app::model::Bulk;
    let n = bulk.keys().len();
    match (language, bulk) {
        (Language::Zh, Bulk::RejectProduct { .. }) => {
            vec![format!("拒绝「{name}」的全部 {n} 条待确认？")]
        }
        (Language::En, Bulk::RejectProduct { .. }) => {
            vec![format!("Reject all {n} pending intents for {name}?")]
        }
        (Language::Zh, Bulk::RejectOlder { minutes, .. }) => {
            vec![format!("拒绝 {minutes} 分钟前的全部 {n} 条待确认？")]
        }
        (Language::En, Bulk::RejectOlder { minutes, .. }) => {
            vec![format!(
                "Reject all {n} pending intents older than {minutes} minutes?"
            )]
        }
        (Language::Zh, Bulk::TeachAlias { phrase, .. }) => vec![
            format!(
                "以后把「{}」读作「{name}」？",
                crate::ui::sanitize::sanitize(phrase)
            ),
            "（记在数据库里，下次启动起生效）".to_string(),
        ],
        (Language::En, Bulk::TeachAlias { phrase, .. }) => vec![
            format!(
                "From now on read \"{}\" as {name}?",
                crate::ui::sanitize::sanitize(phrase)
            ),
            "(kept in the database; read from the next start)".to_string(),
        ],
        (Language::Zh, Bulk::EndSale { .. }) => vec![format!("结束「{name}」的秒杀？")],
        (Language::En, Bulk::EndSale { .. }) => vec![format!("End the flash sale of {name}?")],
        (Language::Zh, Bulk::SoldOut { .. }) => vec![
            format!("把「{name}」标为售罄？"),
            "（库存设为 0，所有助手和大屏都会看到；补货用 R）".to_string(),
        ],
        (Language::En, Bulk::SoldOut { .. }) => vec![
            format!("Mark {name} sold out?"),
            "(stock set to 0 for every helper and the board; R restocks)".to_string(),
        ],
        (language, Bulk::ConfirmOnAir { units, stock, .. }) => {
            let short = i64::try_from(*units).unwrap_or(i64::MAX) > *stock;
            let mut lines = vec![match language {
                Language::Zh => {
                    format!("确认「{name}」的 {n} 条订单（共 {units} 件，库存 {stock}）？")
                }
                Language::En => {
                    format!("Confirm {n} orders for {name} ({units} units, {stock} in stock)?")
                }
            }];
            if short {
                lines.push(match language {
                    Language::Zh => "库存不够：先到先得，后面的进候补队列".to_string(),
                    Language::En => {
                        "Stock is short: first come first served, the last join the waitlist"
                            .to_string()
                    }
                });
            }
            lines
        }
    }
}

/// Why the chat source is not connected, the word that matters first:
/// "拒绝连接" / "refused". The server's own close reason is kept as sent
/// (views sanitize it).
pub fn outage(language: Language, kind: &OutageKind) -> String {
    let zh = language == Language::Zh;
    match kind {
        OutageKind::Refused => pick(zh, "拒绝连接", "refused"),
        OutageKind::NotFound => pick(zh, "找不到地址", "address not found"),
        OutageKind::Unreachable => pick(zh, "网络不通", "network unreachable"),
        OutageKind::TimedOut { .. } => pick(zh, "超时", "timed out"),
        OutageKind::NoData { after } => {
            let secs = whole_seconds(*after);
            if zh {
                format!("超时（{secs}秒没有数据）")
            } else {
                format!("timed out (no data for {secs} s)")
            }
        }
        OutageKind::Handshake { status } => {
            let word = pick(zh, "握手被拒", "handshake refused");
            match status {
                Some(status) => format!("{word} (HTTP {status})"),
                None => word,
            }
        }
        OutageKind::Closed { code, reason } => {
            let word = pick(zh, "服务器关闭了连接", "closed by the server");
            match (code, reason.is_empty()) {
                (Some(code), true) => format!("{word} ({code})"),
                (Some(code), false) => format!("{word} ({code}: {reason})"),
                (None, _) => word,
            }
        }
        OutageKind::Lost => pick(zh, "连接中断", "connection lost"),
        OutageKind::Protocol => pick(zh, "协议错误", "protocol error"),
        OutageKind::Denied { .. } => pick(zh, "平台拒绝登录", "login refused"),
        OutageKind::Other => pick(zh, "连接出错", "connection error"),
        OutageKind::Stopped => pick(zh, "弹幕源已停止", "chat source stopped"),
        OutageKind::Finished => pick(zh, "回放结束", "replay finished"),
    }
}

/// What a helper can do about an outage of this kind.
pub fn outage_advice(language: Language, kind: &OutageKind) -> &'static str {
    let zh = language == Language::Zh;
    let (zh_words, en_words) = match kind {
        OutageKind::Refused => (
            "那里没有程序在听：弹幕中转程序开着吗？端口号对吗？",
            "nothing listens there: is the chat relay running? is the port right?",
        ),
        OutageKind::NotFound => (
            "查不到这个主机名：检查地址的拼写；是网上的地址就检查网络。",
            "the name does not resolve: check its spelling (and the network)",
        ),
        OutageKind::Unreachable => (
            "网络不通：检查网线、Wi-Fi 或手机热点。",
            "the network cannot be reached: check the cable, Wi-Fi or hotspot",
        ),
        OutageKind::TimedOut { .. } => (
            "对方一直没有应答：地址对吗？网络通吗？有没有防火墙挡着？",
            "no answer: is the address right? the network up? a firewall in the way?",
        ),
        OutageKind::NoData { .. } => (
            "连上了但一直没有数据：弹幕中转程序还在正常运行吗？",
            "connected, but nothing came: is the chat relay still working?",
        ),
        OutageKind::Handshake { .. } => (
            "那里有程序应答，但不是弹幕中转：检查地址里的端口和路径。",
            "something answers there, but not as a chat relay: check port and path",
        ),
        OutageKind::Closed { .. } => (
            "弹幕中转程序关闭了连接：它是不是重启或退出了？",
            "the chat relay closed the connection: did it restart or quit?",
        ),
        OutageKind::Lost => (
            "连接断了，多半是网络不稳；会自动重连。",
            "the connection broke (an unsteady network?); it reconnects by itself",
        ),
        OutageKind::Protocol => (
            "对方说的不是 websocket：这个地址是弹幕中转的吗？",
            "the other side does not speak websocket: is this the relay's address?",
        ),
        OutageKind::Denied { .. } => (
            "平台不让连：检查配置里的房间号和 key（token）是否过期。",
            "the platform refused: check the room and the key (token) in the config",
        ),
        OutageKind::Other => (
            "详情见下一行和 livestall.log。",
            "the next line and livestall.log say more",
        ),
        OutageKind::Stopped => (
            "弹幕源停了，不会自动重试：按 q 退出，再重新打开 livestall。",
            "the chat source stopped for good: press q and start livestall again",
        ),
        OutageKind::Finished => (
            "录制的弹幕放完了：待确认的照常处理，按 q 退出。",
            "the recording played to its end: pending intents can still be decided; q quits",
        ),
    };
    if zh {
        zh_words
    } else {
        en_words
    }
}

/// When the source tries again: "3秒后重试" / "retry in 3 s", or
/// "重试中…" once that time has come.
/// The retry to come, when earlier ones failed too: "（第3次）" / " (try 3)".
pub fn attempt(language: Language, next: u32) -> String {
    match language {
        Language::Zh => format!("（第{next}次）"),
        Language::En => format!(" (try {next})"),
    }
}

pub fn retry(language: Language, left: Duration) -> String {
    let secs = whole_seconds(left);
    match (language, secs) {
        (Language::Zh, 0) => "重试中…".to_string(),
        (Language::En, 0) => "retrying…".to_string(),
        (Language::Zh, secs) => format!("{secs}秒后重试"),
        (Language::En, secs) => format!("retry in {secs} s"),
    }
}

/// The chat pane while the source has not been reached once: that it has
/// not connected, what is being tried, and what to do.
pub fn not_reached(
    language: Language,
    word: &str,
    url: &str,
    config_file: Option<&str>,
) -> [String; 2] {
    let url = if url.is_empty() { "?" } else { url };
    match (language, config_file) {
        (Language::Zh, Some(file)) => [
            format!("还没连上弹幕：{word}"),
            format!("地址 {url}（{file} 里的 [source] url）"),
        ],
        (Language::Zh, None) => [
            format!("还没连上弹幕：{word}"),
            format!("地址 {url}（配置里的 [source] url）"),
        ],
        (Language::En, Some(file)) => [
            format!("Not connected to the chat yet: {word}"),
            format!("address {url} ([source] url in {file})"),
        ],
        (Language::En, None) => [
            format!("Not connected to the chat yet: {word}"),
            format!("address {url} ([source] url in the config)"),
        ],
    }
}

/// The last line of the not-yet-connected pane: it retries by itself, and
/// a changed config takes a restart.
pub fn not_reached_retry(language: Language, retry: Option<&str>) -> String {
    match (language, retry) {
        (Language::Zh, Some(retry)) => format!("{retry}；改了配置要重新打开 livestall。"),
        (Language::Zh, None) => "改了配置要重新打开 livestall。".to_string(),
        (Language::En, Some(retry)) => {
            format!("{retry}; after changing the config, start livestall again")
        }
        (Language::En, None) => "after changing the config, start livestall again".to_string(),
    }
}

/// The chat pane while the first attempt is under way.
pub fn connecting_to(language: Language, url: &str) -> String {
    match language {
        Language::Zh => format!("正在连接弹幕 {url} …"),
        Language::En => format!("connecting to the chat at {url} …"),
    }
}

fn pick(zh: bool, zh_words: &str, en_words: &str) -> String {
    if zh { zh_words } else { en_words }.to_string()
}

/// Seconds as a person counts down: 2.1 s left is "3", 0 is "0".
fn whole_seconds(duration: Duration) -> u64 {
    duration.as_millis().div_ceil(1000) as u64
}

/// The keys a question answers to.
pub fn question_keys(language: Language) -> &'static str {
    match language {
        Language::Zh => "y 确认    n 取消",
        Language::En => "y yes    n no",
    }
}

/// A key as its cap reads (`↑`, `PgUp`, `Ctrl+C`, `Y`), for help and hints.
pub fn key_name(language: Language, key: Key) -> String {
    let mut out = String::new();
    for (modifier, word) in [
        (KeyModifiers::CONTROL, "Ctrl+"),
        (KeyModifiers::ALT, "Alt+"),
        (KeyModifiers::SHIFT, "Shift+"),
    ] {
        if key.modifiers.contains(modifier) {
            out.push_str(word);
        }
    }
    let zh = language == Language::Zh;
    let name = match key.code {
        // Ctrl+C, as keyboards print it; a character alone is itself.
        KeyCode::Char(c) if !key.modifiers.is_empty() && c.is_ascii_lowercase() => {
            c.to_ascii_uppercase().to_string()
        }
        KeyCode::Char(' ') if zh => "空格".into(),
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Enter if zh => "回车".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift+Tab".into(),
        KeyCode::Delete => "Delete".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Insert => "Insert".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    out.push_str(&name);
    out
}

/// What an action does, for the help: one line, in the screen's language.
pub fn action_help(language: Language, action: Action) -> &'static str {
    let zh = language == Language::Zh;
    match action {
        Action::SelectUp if zh => "选择上一个（帮助里：向上滚）",
        Action::SelectUp => "select the one above (in help: scroll up)",
        Action::SelectDown if zh => "选择下一个（帮助里：向下滚）",
        Action::SelectDown => "select the one below (in help: scroll down)",
        Action::Confirm if zh => "确认所选订单 / 回答“是”",
        Action::Confirm => "confirm the selected order / answer yes",
        Action::Reject if zh => "拒绝所选订单",
        Action::Reject => "reject the selected order",
        Action::Undo if zh => "撤销上一次决定（再按撤销更早的）",
        Action::Undo => "undo the last decision; again for the one before",
        Action::RejectProductAll if zh => "拒绝该商品的全部待确认",
        Action::RejectProductAll => "reject every pending order of that product",
        Action::RejectStale if zh => "拒绝10分钟前的全部待确认",
        Action::RejectStale => "reject every pending order over 10 min old",
        Action::ConfirmOnAirAll if zh => "确认讲解中商品的全部有把握订单",
        Action::ConfirmOnAirAll => "confirm every sure order of the product on air",
        Action::Restock if zh => "补货 / 设库存（讲解中或选中的商品）",
        Action::Restock => "restock / set stock (on air, or the one selected)",
        Action::FlashSale if zh => "开始 / 结束秒杀（讲解中或选中的商品）",
        Action::FlashSale => "start / end a flash sale (on air, or selected)",
        Action::FocusProducts if zh => "用键盘操作商品列表 / 回到待确认",
        Action::FocusProducts => "work the product queue by key / back to the inbox",
        Action::PutOnAir if zh => "所选商品开始讲解",
        Action::PutOnAir => "put the selected product on air",
        Action::MoveProductUp if zh => "所选商品往前排",
        Action::MoveProductUp => "move the selected product up the queue",
        Action::MoveProductDown if zh => "所选商品往后排",
        Action::MoveProductDown => "move the selected product down the queue",
        Action::SoldOut if zh => "所选商品标为售罄（先问一句）",
        Action::SoldOut => "mark the selected product sold out (asked first)",
        Action::OpenOrders if zh => "订单总览：合计、每分钟订单、各商品销量、各买家",
        Action::OpenOrders => "orders: totals, a minute, per product, per buyer",
        Action::OpenWaitlist if zh => "候补队列：有货了的按 y 确认，n 拒绝",
        Action::OpenWaitlist => "waitlist: y confirms one in stock again, n rejects",
        Action::ShowBoard if zh => "主播看板全屏显示（按任意键返回）",
        Action::ShowBoard => "the broadcaster's board full screen (any key back)",
        Action::Filter if zh => "筛选：弹幕内容、买家或商品（Esc 清除）",
        Action::Filter => "filter by text, buyer or product (Esc clears)",
        Action::JumpToChat if zh => "跳到所选订单的那条弹幕",
        Action::JumpToChat => "jump to the selected order's chat line",
        Action::GroupByBuyer if zh => "同一买家的订单排在一起 / 恢复",
        Action::GroupByBuyer => "group each buyer's orders together / back",
        Action::OpenCart if zh => "所选买家的全部订单（取消、改数量）",
        Action::OpenCart => "the selected buyer's orders: cancel, change qty",
        Action::OpenPicker if zh => "给所选订单换商品（链接号、名称、拼音首字母）",
        Action::OpenPicker => "pick another product: link no., name, initials",
        Action::CancelOrder if zh => "取消所选订单（退回库存）",
        Action::CancelOrder => "cancel the selected order (back to stock)",
        Action::QtyUp if zh => "所选订单多一件",
        Action::QtyUp => "one more of the selected order",
        Action::QtyDown if zh => "所选订单少一件",
        Action::QtyDown => "one fewer of the selected order",
        Action::NextProduct if zh => "下一个商品讲解",
        Action::NextProduct => "next product on air",
        Action::PrevProduct if zh => "上一个商品讲解",
        Action::PrevProduct => "previous product on air",
        Action::ToggleProducts if zh => "显示 / 隐藏商品列表",
        Action::ToggleProducts => "show / hide the product list",
        Action::ChatOlder if zh => "往前翻弹幕",
        Action::ChatOlder => "scroll the chat back",
        Action::ChatNewer if zh => "往后翻弹幕",
        Action::ChatNewer => "scroll the chat forward",
        Action::ChatLatest if zh => "回到最新弹幕",
        Action::ChatLatest => "follow the newest chat again",
        Action::ToggleHelp if zh => "显示 / 隐藏帮助",
        Action::ToggleHelp => "show / hide this help",
        Action::CloseOverlay if zh => "关闭弹窗 / 回答“否”",
        Action::CloseOverlay => "close the overlay / answer no",
        Action::Quit if zh => "退出（待确认订单已存好，不会丢）",
        Action::Quit => "quit (pending orders are saved)",
    }
}

/// An action in a word or two, for the hints line at the bottom.
pub fn action_hint(language: Language, action: Action) -> &'static str {
    let zh = language == Language::Zh;
    match action {
        Action::SelectUp | Action::SelectDown if zh => "选择",
        Action::SelectUp | Action::SelectDown => "select",
        Action::Confirm if zh => "确认",
        Action::Confirm => "confirm",
        Action::Reject if zh => "拒绝",
        Action::Reject => "reject",
        Action::Undo if zh => "撤销",
        Action::Undo => "undo",
        Action::RejectProductAll if zh => "拒绝该商品",
        Action::RejectProductAll => "reject product",
        Action::RejectStale if zh => "拒绝旧单",
        Action::RejectStale => "reject old",
        Action::ConfirmOnAirAll if zh => "全部确认",
        Action::ConfirmOnAirAll => "confirm all",
        Action::Restock if zh => "补货",
        Action::Restock => "restock",
        Action::FlashSale if zh => "秒杀",
        Action::FlashSale => "flash sale",
        Action::FocusProducts if zh => "商品键",
        Action::FocusProducts => "queue keys",
        Action::PutOnAir if zh => "讲解",
        Action::PutOnAir => "on air",
        Action::MoveProductUp | Action::MoveProductDown if zh => "排序",
        Action::MoveProductUp | Action::MoveProductDown => "move",
        Action::SoldOut if zh => "售罄",
        Action::SoldOut => "sold out",
        Action::OpenOrders if zh => "订单总览",
        Action::OpenOrders => "orders",
        Action::OpenWaitlist if zh => "候补",
        Action::OpenWaitlist => "waitlist",
        Action::ShowBoard if zh => "看板",
        Action::ShowBoard => "board",
        Action::Filter if zh => "筛选",
        Action::Filter => "filter",
        Action::JumpToChat if zh => "看弹幕",
        Action::JumpToChat => "chat line",
        Action::GroupByBuyer if zh => "按买家",
        Action::GroupByBuyer => "by buyer",
        Action::OpenCart if zh => "买家订单",
        Action::OpenCart => "cart",
        Action::OpenPicker if zh => "改商品",
        Action::OpenPicker => "fix product",
        Action::CancelOrder if zh => "取消订单",
        Action::CancelOrder => "cancel order",
        Action::QtyUp | Action::QtyDown if zh => "数量",
        Action::QtyUp | Action::QtyDown => "qty",
        Action::NextProduct | Action::PrevProduct if zh => "换讲解",
        Action::NextProduct | Action::PrevProduct => "on air",
        Action::ToggleProducts if zh => "商品",
        Action::ToggleProducts => "products",
        Action::ChatOlder | Action::ChatNewer if zh => "翻弹幕",
        Action::ChatOlder | Action::ChatNewer => "scroll chat",
        Action::ChatLatest if zh => "最新弹幕",
        Action::ChatLatest => "latest chat",
        Action::ToggleHelp if zh => "帮助",
        Action::ToggleHelp => "help",
        Action::CloseOverlay if zh => "关闭",
        Action::CloseOverlay => "close",
        Action::Quit if zh => "退出",
        Action::Quit => "quit",
    }
}

/// The broadcaster's board (`livestall board`, src/ui/board.rs): its own
/// few words, kept apart from the helper's screen's table.
pub struct BoardStrings {
    pub on_air: &'static str,
    pub price: &'static str,
    pub sale_price: &'static str,
    pub left: &'static str,
    pub sold_out: &'static str,
    pub buyers: &'static str,
    pub no_buyers: &'static str,
    pub orders: &'static str,
    pub nothing_on_air: &'static str,
    pub unreadable: &'static str,
    /// The board started before the shop's database was made.
    pub waiting: &'static str,
    pub waiting_why: &'static str,
    pub quit: &'static str,
}

pub static BOARD_ZH: BoardStrings = BoardStrings {
    on_air: "讲解中",
    price: "价格",
    sale_price: "秒杀价",
    left: "剩余",
    sold_out: "售罄",
    buyers: "刚刚下单",
    no_buyers: "还没有订单",
    orders: "订单",
    nothing_on_air: "没有商品",
    unreadable: "读不到数据库，显示的是上次读到的",
    waiting: "等待店铺的数据库",
    waiting_why: "助手的 livestall 打开这家店后，订单就会显示在这里。一直不出现的话，检查 --db 或配置里的 [store] path。",
    quit: "q 退出",
};

pub static BOARD_EN: BoardStrings = BoardStrings {
    on_air: "ON AIR",
    price: "price",
    sale_price: "FLASH SALE",
    left: "left",
    sold_out: "SOLD OUT",
    buyers: "Just ordered",
    no_buyers: "no orders yet",
    orders: "orders",
    nothing_on_air: "no products",
    unreadable: "cannot read the database; showing the last read",
    waiting: "Waiting for the shop's database",
    waiting_why: "Orders show here once a helper's livestall opens this shop. If it never comes, check --db or [store] path in the config.",
    quit: "q quits",
};

pub fn board_strings(language: Language) -> &'static BoardStrings {
    match language {
        Language::Zh => &BOARD_ZH,
        Language::En => &BOARD_EN,
    }
}

/// The board's flash-sale line: units left at the sale price, the time
/// left as a countdown, and the regular price.
pub fn board_sale(
    language: Language,
    left: u32,
    unit: &str,
    countdown: &str,
    regular_price: &str,
) -> String {
    match language {
        Language::Zh => {
            format!("秒杀 还剩 {left} {unit} · 倒计时 {countdown} · 原价 ¥{regular_price}")
        }
        Language::En => {
            format!("FLASH SALE: {left} left · ends in {countdown} · was ¥{regular_price}")
        }
    }
}

/// The order book's views (`o` orders, `w` waitlist): their own words,
/// kept apart from the main screen's table.
pub struct ViewStrings {
    pub orders_title: &'static str,
    pub orders: &'static str,
    pub units: &'static str,
    pub revenue: &'static str,
    pub pending: &'static str,
    pub per_product: &'static str,
    pub buyers: &'static str,
    pub col_buyer: &'static str,
    pub col_orders: &'static str,
    pub col_units: &'static str,
    pub col_total: &'static str,
    pub no_orders: &'static str,
    pub orders_keys: &'static str,
    pub waitlist_title: &'static str,
    pub col_place: &'static str,
    pub col_qty: &'static str,
    pub col_since: &'static str,
    pub col_state: &'static str,
    pub waiting: &'static str,
    pub offered: &'static str,
    pub waitlist_empty: &'static str,
    pub waitlist_keys: &'static str,
    pub left: &'static str,
}

pub static VIEWS_ZH: ViewStrings = ViewStrings {
    orders_title: "订单总览",
    orders: "订单",
    units: "件数",
    revenue: "销售额",
    pending: "待确认",
    per_product: "各商品销量（件）",
    buyers: "买家（按金额）",
    col_buyer: "买家",
    col_orders: "单数",
    col_units: "件数",
    col_total: "合计",
    no_orders: "还没有订单",
    orders_keys: "↑↓ 选择  回车 看这位买家的订单  o/Esc 关闭",
    waitlist_title: "候补队列",
    col_place: "位次",
    col_qty: "数量",
    col_since: "排队自",
    col_state: "状态",
    waiting: "等补货",
    offered: "有货了，y 确认",
    waitlist_empty: "没有在候补的订单",
    waitlist_keys: "↑↓ 选择  y 确认有货的  n 拒绝  w/Esc 关闭",
    left: "剩余",
};

pub static VIEWS_EN: ViewStrings = ViewStrings {
    orders_title: "Orders",
    orders: "orders",
    units: "units",
    revenue: "revenue",
    pending: "pending",
    per_product: "Units sold per product",
    buyers: "Buyers (by money)",
    col_buyer: "buyer",
    col_orders: "orders",
    col_units: "units",
    col_total: "total",
    no_orders: "no orders yet",
    orders_keys: "↑↓ select  Enter that buyer's orders  o/Esc close",
    waitlist_title: "Waitlist",
    col_place: "place",
    col_qty: "qty",
    col_since: "since",
    col_state: "state",
    waiting: "waiting",
    offered: "in stock: y confirms",
    waitlist_empty: "nobody is waiting for stock",
    waitlist_keys: "↑↓ select  y confirm one in stock  n reject  w/Esc close",
    left: "left",
};

pub fn view_strings(language: Language) -> &'static ViewStrings {
    match language {
        Language::Zh => &VIEWS_ZH,
        Language::En => &VIEWS_EN,
    }
}

/// The sales sparkline's title: the window and its busiest minute.
pub fn sales_a_minute(language: Language, minutes: u32, peak: u64) -> String {
    match language {
        Language::Zh => format!("每分钟订单（近 {minutes} 分钟，最多 {peak} 单）"),
        Language::En => format!("Orders a minute (last {minutes} min, peak {peak})"),
    }
}

/// The buyers table's title when the list holds only the biggest.
pub fn buyers_shown(language: Language, shown: usize, all: u64) -> String {
    match language {
        Language::Zh => format!("前 {shown} 位，共 {all} 位"),
        Language::En => format!("top {shown} of {all}"),
    }
}

/// A product's line over its waitlist: stock left and how many wait.
pub fn waiting_for(language: Language, left: i64, waiting: usize) -> String {
    match language {
        Language::Zh => format!("剩余 {left} · 候补 {waiting} 人"),
        Language::En => format!("{left} left · {waiting} waiting"),
    }
}

/// The inbox's title: how many rows, and with a filter set how many of
/// them it shows and what it is (`typing`: with a cursor), and whether the
/// rows are grouped by buyer.
///
/// `total` counts the rows loaded; `more` the undecided intents the
/// database holds beyond them (the inbox loads the oldest page of a long
/// backlog and the rest as those are decided).
pub fn inbox_title(
    language: Language,
    shown: usize,
    total: usize,
    more: u64,
    filter: Option<&str>,
    typing: bool,
    grouped: bool,
) -> String {
    let cursor = if typing { "▏" } else { "" };
    let all = (total as u64).saturating_add(more);
    let mut title = match (language, filter) {
        (Language::Zh, None) if more > 0 => format!("待确认 ({all}，先显示最早的 {total} 条)"),
        (Language::En, None) if more > 0 => format!("Pending ({all}; the oldest {total} shown)"),
        (Language::Zh, None) => format!("待确认 ({total})"),
        (Language::En, None) => format!("Pending ({total})"),
        (Language::Zh, Some(query)) => format!("待确认 {shown}/{total} · 筛选 /{query}{cursor}"),
        (Language::En, Some(query)) => {
            format!("Pending {shown} of {total} · filter /{query}{cursor}")
        }
    };
    if more > 0 && filter.is_some() {
        title.push_str(&match language {
            Language::Zh => format!(" · 另有 {more} 条未载入"),
            Language::En => format!(" · {more} more not loaded"),
        });
    }
    if grouped {
        title.push_str(match language {
            Language::Zh => " · 按买家",
            Language::En => " · by buyer",
        });
    }
    title
}

/// The inbox when the filter shows none of its rows.
pub fn filter_none(language: Language) -> &'static str {
    match language {
        Language::Zh => "没有符合筛选的订单（Esc 清除筛选）",
        Language::En => "no pending order matches the filter (Esc clears it)",
    }
}

/// The key-hints line while the filter is typed.
pub fn filter_hints(language: Language) -> &'static str {
    match language {
        Language::Zh => "输入 内容/买家/商品/链接号/拼音首字母  ↑↓ 选择  回车 保留筛选  Esc 清除",
        Language::En => "type text/buyer/product/link/initials  ↑↓ select  Enter keep  Esc clear",
    }
}

/// The chat record could not be written: what happened, where, and that
/// the run goes on. Chinese words by the kind of failure (the system's own
/// are English).
pub fn record_stopped(language: Language, failure: &crate::chat::record::RecordFailure) -> String {
    use std::io::ErrorKind;
    let path = crate::ui::sanitize::sanitize(&failure.path.display().to_string());
    match language {
        Language::En => format!(
            "chat recording stopped ({}): {path}; the run goes on",
            crate::ui::sanitize::sanitize(&failure.detail)
        ),
        Language::Zh => {
            let why = match failure.kind {
                ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "磁盘已满",
                ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => "没有写入权限",
                ErrorKind::NotADirectory | ErrorKind::AlreadyExists => "路径不是文件夹",
                ErrorKind::NotFound => "找不到文件夹",
                _ => "写入出错",
            };
            format!("弹幕录制已停止（{why}）：{path}；直播照常进行")
        }
    }
}

/// The status bar's word on the co-op: synced, rows waiting to be pushed,
/// or offline since when (the desk sells from what it holds meanwhile).
pub fn coop_status(
    language: Language,
    status: &crate::coop::link::CoopStatus,
    utc_offset_secs: i32,
) -> String {
    use crate::coop::link::CoopStatus;
    match (status, language) {
        (CoopStatus::Connecting, Language::Zh) => "合作社 连接中".into(),
        (CoopStatus::Connecting, Language::En) => "co-op connecting".into(),
        (CoopStatus::Synced, Language::Zh) => "合作社 ✓ 已同步".into(),
        (CoopStatus::Synced, Language::En) => "co-op ✓ synced".into(),
        (CoopStatus::Waiting(n), Language::Zh) => format!("合作社 {n} 条待同步"),
        (CoopStatus::Waiting(n), Language::En) => format!("co-op {n} waiting"),
        (
            CoopStatus::Offline {
                since_ms, waiting, ..
            },
            _,
        ) => {
            let clock = crate::ui::text::clock(*since_ms, utc_offset_secs);
            let since = clock.get(..5).unwrap_or(&clock);
            match language {
                Language::Zh => format!("✗ 合作社离线 {since} 起 · {waiting} 条待同步"),
                Language::En => format!("✗ co-op offline since {since} · {waiting} waiting"),
            }
        }
    }
}

/// The hub's words.
pub struct HubStrings {
    pub title: &'static str,
    pub stations: &'static str,
    pub station: &'static str,
    pub state: &'static str,
    pub online: &'static str,
    pub offline: &'static str,
    /// After a count of audit rows a station has not pushed yet.
    pub behind: &'static str,
    pub on_air: &'static str,
    pub orders: &'static str,
    pub units: &'static str,
    pub money: &'static str,
    pub stock: &'static str,
    pub product: &'static str,
    pub pool: &'static str,
    pub held_sold: &'static str,
    pub recent: &'static str,
    pub none: &'static str,
    pub unreadable: &'static str,
    pub keys: &'static str,
}

pub static HUB_ZH: HubStrings = HubStrings {
    title: "合作社总览",
    stations: "服务站",
    station: "服务站",
    state: "状态",
    online: "在线",
    offline: "离线",
    behind: "待同步",
    on_air: "讲解中",
    orders: "订单",
    units: "件数",
    money: "金额",
    stock: "共享库存（库存池 · 各站 持有/已售）",
    product: "商品",
    pool: "库存池",
    held_sold: "持有/已售",
    recent: "最新订单",
    none: "还没有",
    unreadable: "读不到合作社数据库，显示的是上次读到的",
    keys: "q 退出",
};

pub static HUB_EN: HubStrings = HubStrings {
    title: "Co-op hub",
    stations: "Stations",
    station: "station",
    state: "state",
    online: "online",
    offline: "offline",
    behind: "behind",
    on_air: "on air",
    orders: "orders",
    units: "units",
    money: "money",
    stock: "Shared stock (pool · each station held/sold)",
    product: "product",
    pool: "pool",
    held_sold: "held/sold",
    recent: "Latest orders",
    none: "none yet",
    unreadable: "cannot read the co-op database; showing the last read",
    keys: "q quit",
};

pub fn hub_strings(language: Language) -> &'static HubStrings {
    match language {
        Language::Zh => &HUB_ZH,
        Language::En => &HUB_EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_worded_in_the_screen_language() {
        let r = Refusal::OutOfStock { left: 0 };
        assert_eq!(refusal(Language::En, &r), "out of stock: 0 left");
        assert_eq!(refusal(Language::Zh, &r), "库存不足：只剩 0");
    }

    #[test]
    fn every_action_is_described_in_both_languages() {
        for action in crate::app::Keymap::default().actions() {
            for language in [Language::Zh, Language::En] {
                assert!(!action_help(language, action).is_empty(), "{action:?}");
                assert!(!action_hint(language, action).is_empty(), "{action:?}");
            }
        }
    }

    #[test]
    fn keys_are_named_as_their_caps_read() {
        use crossterm::event::{KeyCode, KeyModifiers};
        let name = |code, mods| key_name(Language::En, Key::new(code, mods));
        assert_eq!(name(KeyCode::PageUp, KeyModifiers::NONE), "PgUp");
        assert_eq!(name(KeyCode::Char('c'), KeyModifiers::CONTROL), "Ctrl+C");
        assert_eq!(name(KeyCode::Char('Y'), KeyModifiers::SHIFT), "Y");
        assert_eq!(name(KeyCode::BackTab, KeyModifiers::SHIFT), "Shift+Tab");
        assert_eq!(
            key_name(Language::Zh, Key::new(KeyCode::Enter, KeyModifiers::NONE)),
            "回车"
        );
    }
}
