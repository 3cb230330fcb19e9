//! The shop's products, as loaded from config: the one read-only description of
//! what is for sale that the intent engine, the store and the screens share.
//! Stock here is only the *initial* stock; once seeded, the database owns it.

/// Money is kept as integer fen (1 yuan = 100 fen) so sums are exact.
pub type Fen = i64;

/// Formats fen as yuan with two decimals: `3990` → `"39.90"`.
pub fn yuan(fen: Fen) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Reads yuan as a person types them ("19.9", "20", "¥39.90") into fen;
/// `None` for anything else, a negative amount or more than two decimals.
pub fn parse_yuan(text: &str) -> Option<Fen> {
    let text = text.trim().trim_start_matches(['¥', '￥']);
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(frac) || frac.len() > 2 || whole.len() > 12 {
        return None;
    }
    let whole: Fen = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: Fen = match frac.len() {
        0 => 0,
        1 => frac.parse::<Fen>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    whole.checked_mul(100)?.checked_add(frac)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub sku: String,
    pub name: String,
    /// Other names viewers use for it; the name itself is matched too.
    pub aliases: Vec<String>,
    /// The link number on the stream ("3号链接").
    pub link: u32,
    /// The selling unit ("袋", "盒"); quantities always count this unit.
    pub unit: String,
    pub price_fen: Fen,
    /// Stock to seed the database with on first run.
    pub stock: i64,
    pub limit_per_buyer: Option<u32>,
}

/// Products in presentation order (the order of `[[products]]` in config).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub products: Vec<Product>,
}

impl Catalog {
    pub fn new(products: Vec<Product>) -> Self {
        Catalog { products }
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    pub fn index_of_sku(&self, sku: &str) -> Option<usize> {
        self.products.iter().position(|p| p.sku == sku)
    }

    pub fn by_sku(&self, sku: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.sku == sku)
    }

    pub fn index_of_link(&self, link: u32) -> Option<usize> {
        self.products.iter().position(|p| p.link == link)
    }

    pub fn get(&self, index: usize) -> Option<&Product> {
        self.products.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_formats_two_decimals() {
        assert_eq!(yuan(3990), "39.90");
        assert_eq!(yuan(8800), "88.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-1250), "-12.50");
    }
}
