//! Whole-engine tests of rules that span stages, by catalog and sentence.

use crate::catalog::{Catalog, Product};
use crate::intent::Engine;

fn product(name: &str, unit: &str, link: u32) -> Product {
    Product {
        sku: name.into(),
        name: name.into(),
        aliases: Vec::new(),
        link,
        unit: unit.into(),
        price_fen: 100,
        stock: 1,
        limit_per_buyer: None,
    }
}

fn read(catalog: &Catalog, text: &str) -> Vec<(String, u32)> {
    Engine::new(catalog)
        .parse(text, None)
        .iter()
        .map(|i| {
            let sku = i.product.and_then(|p| catalog.get(p));
            (
                sku.map_or("-".into(), |p| p.sku.clone()),
                i.qty.unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn a_product_word_before_another_is_a_list_not_another_sense() {
    // 粉 is a head word ("绿豆粉" the dish), but here it starts 粉丝.
    let catalog = Catalog::new(vec![product("绿豆", "袋", 1), product("粉丝", "把", 2)]);
    assert_eq!(
        read(&catalog, "绿豆粉丝各两份"),
        vec![("绿豆".into(), 2), ("粉丝".into(), 2)]
    );
    assert!(read(&catalog, "绿豆粉好喝").is_empty());
}

#[test]
fn a_typo_of_a_longer_word_may_hold_a_shorter_one_whole() {
    // "麻拉香肠" holds 香肠 spelt right; read whole it is 麻辣香肠 misspelt.
    let catalog = Catalog::new(vec![product("香肠", "斤", 1), product("麻辣香肠", "斤", 2)]);
    assert_eq!(read(&catalog, "麻拉香肠两斤"), vec![("麻辣香肠".into(), 2)]);
    assert_eq!(read(&catalog, "香肠两斤"), vec![("香肠".into(), 2)]);
}

#[test]
fn pinyin_reads_every_reading_of_a_heteronym_and_v_for_u_umlaut() {
    // 参 reads can first; 人参 is ren shen. 绿 is lü, typed lv.
    let catalog = Catalog::new(vec![product("人参片", "盒", 1), product("绿豆", "斤", 2)]);
    assert_eq!(
        read(&catalog, "renshen pian liang he"),
        vec![("人参片".into(), 2)]
    );
    assert_eq!(read(&catalog, "lvdou 2 jin"), vec![("绿豆".into(), 2)]);
    assert_eq!(read(&catalog, "绿逗两斤"), vec![("绿豆".into(), 2)]);
}

#[test]
fn a_marker_never_straddles_a_product_word() {
    // 带来 ("bring") would swallow the 来 after the product 藕带.
    let catalog = Catalog::new(vec![product("藕带", "瓶", 1)]);
    assert_eq!(read(&catalog, "藕带来两瓶"), vec![("藕带".into(), 2)]);
}

#[test]
fn weight_words_count_only_for_catalogs_selling_by_weight() {
    let by_jin = Catalog::new(vec![product("蒜", "斤", 1)]);
    assert_eq!(read(&by_jin, "3 jin of 蒜"), vec![("蒜".into(), 3)]);
    let by_bag = Catalog::new(vec![product("蒜", "袋", 1)]);
    assert_eq!(read(&by_bag, "要3 jin of 蒜"), vec![("蒜".into(), 1)]);
}
