//! The fourth stage: what became of each product word. Owns the rules that
//! a product word inside a dead clause is dead, that a word followed by a
//! head word or a model number is used in another sense (小米手机, 小米14),
//! and that a refusal before or (clause-final) after it refuses it, which
//! may withdraw an order of it.

use super::super::lexicon::{Marker, MarkerHit};
use super::super::numbers::NumForm;
use super::clauses::is_clause_punct;
use super::context::{Ctx, Unit};
use super::mood::Mood;

/// What became of a product mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MentionState {
    Live,
    /// "不要小米": named only to be refused.
    Refused,
    /// "小米手机", "小米14": the word in another sense.
    OtherSense,
    /// Inside a question clause.
    Dead,
    /// Already used by a cancel or change.
    Used,
}

/// What the product words of one message came to.
pub(super) struct Senses<'a> {
    /// One per mention; amendments mark the ones they use.
    pub(super) state: &'a mut [MentionState],
    /// Numbers already read as something else (a model number; later a
    /// change's new total): no quantity.
    pub(super) used_nums: &'a mut Vec<usize>,
    /// Mentions refused in a way that withdraws an order ("小米不要了").
    pub(super) withdrawn: &'a [usize],
    /// Some product word was used in another sense.
    pub(super) other_sense: bool,
    /// Some refusal named a product.
    pub(super) refused_any: bool,
}

/// Reads the product words of `ctx` in the clauses `mood` left live, into
/// the reused lists.
#[inline]
pub(super) fn read<'a>(
    ctx: &Ctx<'_>,
    mood: &Mood<'_>,
    state: &'a mut Vec<MentionState>,
    used_nums: &'a mut Vec<usize>,
    withdrawn: &'a mut Vec<usize>,
) -> Senses<'a> {
    let text = ctx.text;
    state.clear();
    state.extend(ctx.mentions.iter().map(|m| {
        if mood.live(ctx, m.start) {
            MentionState::Live
        } else {
            MentionState::Dead
        }
    }));
    used_nums.clear();
    let mut other_sense = false;

    // Other senses: 小米手机, 小米粥, 小米su7, 小米14.
    for (i, m) in ctx.mentions.iter().enumerate() {
        if m.by_link
            || text[..m.end]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii())
        {
            continue;
        }
        let rest = &text[m.end..];
        // "小米粉条": a product word right before another is a list, even
        // when the next one starts like a head word (粉).
        let next_is_product = ctx.mention_at(m.end).is_some();
        let sense = if next_is_product {
            false
        } else if ctx.lexicon.non_product_heads.longest(text, m.end).is_some() {
            true
        } else if rest.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
            let b = rest.as_bytes();
            let quantity_prefix = b[0] == b'x' && b.get(1).is_none_or(|c| !c.is_ascii_alphabetic());
            !quantity_prefix
        } else if let Some(ni) = ctx.num_index_at(m.end) {
            let n = ctx.nums[ni];
            // "苹果13" is a phone; "莲子39.9" is a price.
            let b = text.as_bytes();
            let price =
                b.get(n.end) == Some(&b'.') && b.get(n.end + 1).is_some_and(u8::is_ascii_digit);
            // "大果85的": a size, not a model.
            let size = text[n.end..].starts_with('的');
            let model = n.form == NumForm::Arabic
                && n.value >= 10
                && !price
                && !size
                && ctx.unit_at(n.end) == Unit::None;
            if model {
                used_nums.push(ni);
            }
            model
        } else {
            false
        };
        if sense {
            state[i] = MentionState::OtherSense;
            other_sense = true;
        }
    }

    // Refusals: 不要小米 / no millet, and 小米不要. "不要小米了" and "小米不要"
    // withdraw the product when nothing else is ordered.
    let mut refused_any = false;
    withdrawn.clear();
    for mk in ctx.markers.iter().filter(|m| m.marker == Marker::Refuse) {
        if let Some(i) = ctx.mention_at(ctx.skip_articles(mk.end)) {
            if state[i] == MentionState::Live {
                state[i] = MentionState::Refused;
                let after = ctx.skip_spaces(ctx.mentions[i].end);
                if text[after..].starts_with(['了', '啦', '喇']) {
                    withdrawn.push(i);
                }
            }
            refused_any = true;
        } else if let Ok(i) = ctx
            .mentions
            .binary_search_by_key(&ctx.skip_spaces_back(mk.start), |m| m.end)
        {
            let next = ctx.skip_spaces(mk.end);
            let ends_clause = text[next..].chars().next().is_none_or(is_clause_punct);
            if state[i] == MentionState::Live && (!mk_is_cjk_word(text, mk) || !ends_clause) {
                // "小米不要太好吃" praises; only a clause-final 不要 refuses.
                continue;
            }
            if state[i] == MentionState::Live {
                state[i] = MentionState::Refused;
                withdrawn.push(i);
            }
            refused_any = true;
        }
    }
    Senses {
        state,
        used_nums,
        withdrawn,
        other_sense,
        refused_any,
    }
}

/// Postposed refusal is a Chinese pattern ("小米不要"); English "millet no" is not.
fn mk_is_cjk_word(text: &str, mk: &MarkerHit) -> bool {
    !text[mk.start..mk.end].is_ascii()
}

#[cfg(test)]
mod tests {
    use super::super::mood;
    use super::super::testing::Message;
    use super::*;

    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("粉丝", "把"), ("核桃", "袋")];

    /// The state of each product word of `text`, with the withdrawn ones
    /// and the numbers used up.
    fn senses_of(text: &str) -> (Vec<MentionState>, Vec<usize>, Vec<usize>) {
        let (mut dead, mut asked) = (Vec::new(), Vec::new());
        let (mut state, mut used, mut withdrawn) = (Vec::new(), Vec::new(), Vec::new());
        Message::new(PRODUCTS, text).read(|ctx, clauses| {
            let mood = mood::read(ctx, clauses.a_not_a, &mut dead, &mut asked);
            let senses = read(ctx, &mood, &mut state, &mut used, &mut withdrawn);
            (
                senses.state.to_vec(),
                senses.used_nums.clone(),
                senses.withdrawn.to_vec(),
            )
        })
    }

    fn states(text: &str) -> Vec<MentionState> {
        senses_of(text).0
    }

    use MentionState::*;

    #[test]
    fn a_head_word_after_a_product_word_is_another_sense() {
        assert_eq!(states("小米手机来两台"), [OtherSense]);
        assert_eq!(states("小米来两袋"), [Live]);
        // A product word before another is a list ("小米粉丝").
        assert_eq!(states("小米粉丝各两份"), [Live, Live]);
    }

    #[test]
    fn a_model_number_is_another_sense_and_used_up() {
        let (found, used, _) = senses_of("小米14多少钱,来两袋");
        assert_eq!((found, used), (vec![OtherSense], vec![0]));
        // A price or a unit after the number keeps the product.
        assert_eq!(states("小米39.9"), [Live]);
        assert_eq!(states("小米10袋"), [Live]);
    }

    #[test]
    fn a_product_in_a_question_is_dead() {
        assert_eq!(states("小米好吃吗?核桃来两袋"), [Dead, Live]);
    }

    #[test]
    fn a_refusal_refuses_and_a_final_one_withdraws() {
        let (found, _, withdrawn) = senses_of("不要小米,核桃来两袋");
        assert_eq!((found, withdrawn), (vec![Refused, Live], vec![]));
        let (found, _, withdrawn) = senses_of("不要小米了");
        assert_eq!((found, withdrawn), (vec![Refused], vec![0]));
        let (found, _, withdrawn) = senses_of("小米不要");
        assert_eq!((found, withdrawn), (vec![Refused], vec![0]));
        // Not clause-final, 不要 praises.
        assert_eq!(states("小米不要太好吃"), [Live]);
    }
}
