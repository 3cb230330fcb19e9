//! Text normalisation for the intent engine: NFKC, case folding, a small
//! traditional→simplified step, emoji and decoration stripping, whitespace
//! collapsing and folding of stammered characters ("要要要" → "要"). Every
//! byte of the normalised text remembers which bytes of the original it came
//! from, so evidence found in the normalised text can be shown in the original.

use std::ops::Range;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The normalised form of one message plus its map back to the original.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// Normalised text: lower case, simplified, NFKC, no emoji.
    pub text: String,
    /// For each byte of `text`, the original byte range of the char it came from.
    src: Vec<(u32, u32)>,
    run_char: char,
    run_len: u32,
}

impl Normalized {
    /// Maps a byte range of `text` to the byte range of the original it came
    /// from. Always a valid char-boundary range of the original.
    pub fn to_original(&self, range: Range<usize>) -> Range<usize> {
        if self.src.is_empty() || range.start >= range.end || range.end > self.src.len() {
            return 0..0;
        }
        let start = self.src[range.start].0 as usize;
        let end = self.src[range.end - 1].1 as usize;
        start..end.max(start)
    }

    fn push(&mut self, c: char, from: u32, to: u32) {
        if c.is_whitespace() {
            // Collapse whitespace runs into one space.
            if self.text.ends_with(' ') || self.text.is_empty() {
                self.extend_last(to);
                return;
            }
            self.run_char = ' ';
            self.run_len = 1;
            self.append(' ', from, to);
            return;
        }
        // Stammering ("要要要", "！！！") folds to one char; digits and letters
        // are left alone because "111" and "666" mean different things than "1" and "6".
        if !c.is_ascii_alphanumeric() && c == self.run_char {
            self.run_len += 1;
            match self.run_len {
                2 => self.append(c, from, to),
                3 => {
                    let len = c.len_utf8();
                    let cut = self.text.len() - len;
                    self.text.truncate(cut);
                    self.src.truncate(cut);
                    self.extend_last(to);
                }
                _ => self.extend_last(to),
            }
            return;
        }
        self.run_char = c;
        self.run_len = 1;
        self.append(c, from, to);
    }

    fn append(&mut self, c: char, from: u32, to: u32) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.src.push((from, to));
        }
    }

    /// Widens the source range of the last char to end at `to`.
    fn extend_last(&mut self, to: u32) {
        let Some(last) = self.text.chars().next_back() else {
            return;
        };
        let n = self.src.len();
        for entry in &mut self.src[n - last.len_utf8()..] {
            entry.1 = to;
        }
    }
}

/// Normalises `input` into a fresh [`Normalized`].
pub fn normalize(input: &str) -> Normalized {
    let mut out = Normalized::default();
    normalize_into(input, &mut out);
    out
}

/// Normalises `input` into `out`, reusing its buffers.
pub fn normalize_into(input: &str, out: &mut Normalized) {
    out.text.clear();
    out.src.clear();
    out.run_char = '\0';
    out.run_len = 0;
    // Offsets are kept as u32; longer inputs are cut (a chat message never is).
    let limit = input.len().min(u32::MAX as usize / 2);
    for (i, c) in input.char_indices() {
        if i >= limit {
            break;
        }
        let from = i as u32;
        let to = (i + c.len_utf8()) as u32;
        if c.is_ascii() {
            if c.is_ascii_control() && !c.is_ascii_whitespace() {
                continue;
            }
            out.push(c.to_ascii_lowercase(), from, to);
        } else if let Some(d) = other_script_digit(c) {
            out.push(char::from(b'0' + d), from, to);
        } else if let Some(v) = roman_numeral(c) {
            // NFKC would give "II"; chat means the number.
            if v >= 10 {
                out.push(char::from(b'0' + v / 10), from, to);
            }
            out.push(char::from(b'0' + v % 10), from, to);
        } else if is_cjk_ideograph(c) {
            out.push(to_simplified(c), from, to);
        } else if is_decoration(c) || is_combining_mark(c) {
            // Standalone combining marks (zalgo stacks, decomposed accents)
            // only decorate the letter before them.
            continue;
        } else {
            for d in std::iter::once(c).nfkc() {
                if is_decoration(d) {
                    continue;
                }
                for l in d.to_lowercase() {
                    out.push(to_simplified(l), from, to);
                }
            }
        }
    }
}

/// Decimal digits of other scripts (Arabic-Indic ٢, Persian ۲, Devanagari
/// २, Thai ๒…): each block is ten code points from its zero. NFKC leaves
/// them alone, so they are mapped here to ASCII digits.
fn other_script_digit(c: char) -> Option<u8> {
    const ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
        0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0,
        0xAA50, 0xABF0,
    ];
    let cp = u32::from(c);
    let i = ZEROS.partition_point(|&z| z <= cp).checked_sub(1)?;
    let d = cp - ZEROS[i];
    (d < 10).then_some(d as u8)
}

/// Roman numerals Ⅰ…Ⅻ and ⅰ…ⅻ (one code point each) as their value.
fn roman_numeral(c: char) -> Option<u8> {
    match u32::from(c) {
        cp @ 0x2160..=0x216B => Some((cp - 0x2160 + 1) as u8),
        cp @ 0x2170..=0x217B => Some((cp - 0x2170 + 1) as u8),
        _ => None,
    }
}

fn is_cjk_ideograph(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Emoji, pictographs, dingbats, arrows, variation selectors, joiners and
/// control characters: decoration that carries no order meaning.
pub fn is_decoration(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1FAFF}'
        | '\u{2600}'..='\u{27BF}'
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{2190}'..='\u{21FF}'
        | '\u{2300}'..='\u{23FF}'
        | '\u{25A0}'..='\u{25FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{20E3}'
        | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}'
        | '\u{E0000}'..='\u{E007F}'
        | '\u{E000}'..='\u{F8FF}')
        || (c.is_control() && !c.is_whitespace())
}

/// Traditional → simplified for the characters live chat actually uses.
pub fn to_simplified(c: char) -> char {
    match T2S.binary_search_by(|(t, _)| t.cmp(&c)) {
        Ok(i) => T2S[i].1,
        Err(_) => c,
    }
}

// Generated, sorted by the traditional character (binary-searched above).
pub(crate) const T2S: &[(char, char)] = &[
    ('乾', '干'),
    ('來', '来'),
    ('個', '个'),
    ('們', '们'),
    ('價', '价'),
    ('億', '亿'),
    ('優', '优'),
    ('兒', '儿'),
    ('兩', '两'),
    ('剛', '刚'),
    ('務', '务'),
    ('區', '区'),
    ('參', '参'),
    ('員', '员'),
    ('問', '问'),
    ('啟', '启'),
    ('單', '单'),
    ('嗎', '吗'),
    ('嗚', '呜'),
    ('嘗', '尝'),
    ('嚐', '尝'),
    ('圓', '圆'),
    ('團', '团'),
    ('場', '场'),
    ('壓', '压'),
    ('壞', '坏'),
    ('媽', '妈'),
    ('孫', '孙'),
    ('學', '学'),
    ('實', '实'),
    ('寫', '写'),
    ('寶', '宝'),
    ('對', '对'),
    ('帶', '带'),
    ('幫', '帮'),
    ('幹', '干'),
    ('幾', '几'),
    ('廣', '广'),
    ('後', '后'),
    ('從', '从'),
    ('愛', '爱'),
    ('應', '应'),
    ('戶', '户'),
    ('換', '换'),
    ('搶', '抢'),
    ('據', '据'),
    ('數', '数'),
    ('時', '时'),
    ('會', '会'),
    ('東', '东'),
    ('條', '条'),
    ('棗', '枣'),
    ('業', '业'),
    ('樂', '乐'),
    ('標', '标'),
    ('樣', '样'),
    ('機', '机'),
    ('檸', '柠'),
    ('櫻', '樱'),
    ('歡', '欢'),
    ('歲', '岁'),
    ('氣', '气'),
    ('沒', '没'),
    ('準', '准'),
    ('滿', '满'),
    ('漿', '浆'),
    ('灣', '湾'),
    ('為', '为'),
    ('無', '无'),
    ('熱', '热'),
    ('燒', '烧'),
    ('爛', '烂'),
    ('爺', '爷'),
    ('獼', '猕'),
    ('現', '现'),
    ('產', '产'),
    ('異', '异'),
    ('當', '当'),
    ('發', '发'),
    ('盤', '盘'),
    ('確', '确'),
    ('禮', '礼'),
    ('種', '种'),
    ('穀', '谷'),
    ('窩', '窝'),
    ('筍', '笋'),
    ('籃', '篮'),
    ('籠', '笼'),
    ('糧', '粮'),
    ('紀', '纪'),
    ('紅', '红'),
    ('組', '组'),
    ('結', '结'),
    ('給', '给'),
    ('經', '经'),
    ('綠', '绿'),
    ('綫', '线'),
    ('網', '网'),
    ('線', '线'),
    ('縣', '县'),
    ('總', '总'),
    ('繼', '继'),
    ('續', '续'),
    ('罈', '坛'),
    ('習', '习'),
    ('聲', '声'),
    ('聽', '听'),
    ('腦', '脑'),
    ('臺', '台'),
    ('與', '与'),
    ('舉', '举'),
    ('莊', '庄'),
    ('華', '华'),
    ('萬', '万'),
    ('葉', '叶'),
    ('蓮', '莲'),
    ('蔔', '卜'),
    ('蔥', '葱'),
    ('蕎', '荞'),
    ('薑', '姜'),
    ('藍', '蓝'),
    ('蘋', '苹'),
    ('蘭', '兰'),
    ('蘿', '萝'),
    ('處', '处'),
    ('號', '号'),
    ('裏', '里'),
    ('裝', '装'),
    ('裡', '里'),
    ('見', '见'),
    ('視', '视'),
    ('親', '亲'),
    ('覺', '觉'),
    ('訂', '订'),
    ('註', '注'),
    ('証', '证'),
    ('試', '试'),
    ('話', '话'),
    ('該', '该'),
    ('認', '认'),
    ('說', '说'),
    ('請', '请'),
    ('謝', '谢'),
    ('證', '证'),
    ('讀', '读'),
    ('讓', '让'),
    ('讚', '赞'),
    ('豬', '猪'),
    ('貨', '货'),
    ('貴', '贵'),
    ('買', '买'),
    ('費', '费'),
    ('賣', '卖'),
    ('質', '质'),
    ('購', '购'),
    ('贊', '赞'),
    ('趕', '赶'),
    ('車', '车'),
    ('軟', '软'),
    ('輕', '轻'),
    ('辦', '办'),
    ('農', '农'),
    ('這', '这'),
    ('週', '周'),
    ('進', '进'),
    ('運', '运'),
    ('過', '过'),
    ('還', '还'),
    ('邊', '边'),
    ('郵', '邮'),
    ('鄉', '乡'),
    ('醬', '酱'),
    ('銀', '银'),
    ('錢', '钱'),
    ('錯', '错'),
    ('鍋', '锅'),
    ('鎮', '镇'),
    ('鏈', '链'),
    ('長', '长'),
    ('門', '门'),
    ('開', '开'),
    ('間', '间'),
    ('闆', '板'),
    ('關', '关'),
    ('陸', '陆'),
    ('隻', '只'),
    ('雙', '双'),
    ('雞', '鸡'),
    ('電', '电'),
    ('靈', '灵'),
    ('響', '响'),
    ('順', '顺'),
    ('頭', '头'),
    ('顆', '颗'),
    ('題', '题'),
    ('飯', '饭'),
    ('飽', '饱'),
    ('餅', '饼'),
    ('餘', '余'),
    ('馬', '马'),
    ('驗', '验'),
    ('鬧', '闹'),
    ('魚', '鱼'),
    ('鮮', '鲜'),
    ('鳳', '凤'),
    ('鴨', '鸭'),
    ('鵝', '鹅'),
    ('鷄', '鸡'),
    ('鹹', '咸'),
    ('鹽', '盐'),
    ('麗', '丽'),
    ('麥', '麦'),
    ('麩', '麸'),
    ('麵', '面'),
    ('麼', '么'),
    ('麽', '么'),
    ('黃', '黄'),
    ('點', '点'),
    ('龍', '龙'),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(T2S.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn normalises_the_forms_chat_uses() {
        let cases = [
            ("來兩袋小米", "来两袋小米"),
            ("紅棗ｘ２", "红枣x2"),
            ("＋２", "+2"),
            ("SOLD #9", "sold #9"),
            ("🌰核桃x2🌰", "核桃x2"),
            ("❤️❤️锅巴三包❤️❤️", "锅巴三包"),
            ("要要要锅巴五包", "要锅巴五包"),
            ("谢谢", "谢谢"),
            ("扣1！！！", "扣1!"),
            ("a   b", "a b"),
            ("111", "111"),
            ("上週買了兩盒禮盒", "上周买了两盒礼盒"),
            ("＃４来两盒", "#4来两盒"),
            ("小̶̷米̀́来҉两̴袋", "小米来两袋"),
            ("\u{202e}小米\u{202c}\u{feff}", "小米"),
            ("来٢袋", "来2袋"),
            ("۳ bags", "3 bags"),
            ("来Ⅱ袋ⅻ", "来2袋12"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).text, want, "input {input:?}");
        }
    }

    #[test]
    fn maps_ranges_back_to_the_original() {
        let input = "🌰核桃ｘ２";
        let n = normalize(input);
        let start = n.text.find("核桃").unwrap_or(0);
        let r = n.to_original(start..start + "核桃".len());
        assert_eq!(&input[r], "核桃");
        let x = n.text.find('x').unwrap_or(0);
        let r = n.to_original(x..n.text.len());
        assert_eq!(&input[r], "ｘ２");
    }

    #[test]
    fn folded_run_maps_to_the_whole_run() {
        let input = "要要要锅巴";
        let n = normalize(input);
        assert_eq!(&input[n.to_original(0..3)], "要要要");
    }

    #[test]
    fn empty_and_bad_ranges_are_empty() {
        let n = normalize("");
        assert_eq!(n.to_original(0..3), 0..0);
        let n = normalize("ab");
        assert_eq!(n.to_original(1..9), 0..0);
    }
}
