//! The `[coop]` table: the co-op's PostgreSQL database and this station's
//! name in it, read with spans like the rest of the file so a mistake
//! names its line and key. Without the table the station is on its own.

use super::record::ErrAt;
use super::ConfigError;
use serde::Deserialize;
use toml::Spanned;

/// The environment variable a co-op password may come from instead of the
/// url, so the config file can be shared without it.
pub const PASSWORD_VAR: &str = "LIVESTALL_COOP_PASSWORD";

/// `[coop]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCoop {
    pub url: Option<Spanned<String>>,
    pub station: Option<Spanned<String>>,
    pub block: Option<Spanned<f64>>,
}

/// The co-op database this station shares orders and stock through.
#[derive(Clone, PartialEq)]
pub struct CoopConfig {
    /// `postgres://user@host:port/database`, as written.
    pub url: String,
    /// From `LIVESTALL_COOP_PASSWORD` when set: it wins over one in the url.
    pub password: Option<String>,
    /// This station's name in the co-op (unique among its stations).
    pub station: String,
    /// The share of what is left in the pool a station takes at a time
    /// (its allocation, sold from even while the co-op cannot be reached).
    pub block: f64,
}

impl CoopConfig {
    /// The share of a product's pool a station takes at a time, unless
    /// `[coop] block` says otherwise.
    pub const DEFAULT_BLOCK: f64 = 0.1;
}

// Never print a password: the url's is masked, the variable's left out.
impl std::fmt::Debug for CoopConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoopConfig")
            .field("url", &masked(&self.url))
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("station", &self.station)
            .field("block", &self.block)
            .finish()
    }
}

/// `url` with any password in it replaced by `…`, for messages and logs.
pub fn masked(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:…@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The longest station name: it is shown in columns beside orders.
const STATION_MAX: usize = 24;

pub(super) fn read_coop(
    raw: Option<Spanned<RawCoop>>,
    err: ErrAt<'_>,
) -> Result<Option<CoopConfig>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let table = raw.span();
    let raw = raw.into_inner();
    let Some(url) = raw.url else {
        return Err(err(
            table,
            "coop.url".into(),
            "[coop] needs the co-op database: url = \"postgres://livestall@192.168.1.10/coop\""
                .into(),
            "[coop] 要写合作社数据库的地址：url = \"postgres://livestall@192.168.1.10/coop\""
                .into(),
        ));
    };
    let written = url.get_ref().trim();
    let scheme_ok = written.starts_with("postgres://") || written.starts_with("postgresql://");
    if !scheme_ok || written.parse::<tokio_postgres::Config>().is_err() {
        return Err(err(
            url.span(),
            "coop.url".into(),
            format!(
                "url {:?} is not a PostgreSQL address; write postgres://USER@HOST:PORT/DATABASE (the password may come from {PASSWORD_VAR})",
                masked(written)
            ),
            format!(
                "url {:?} 不是 PostgreSQL 地址；请写 postgres://用户@主机:端口/数据库（密码可以放在环境变量 {PASSWORD_VAR} 里）",
                masked(written)
            ),
        ));
    }
    let Some(station) = raw.station else {
        return Err(err(
            table,
            "coop.station".into(),
            "[coop] needs this station's name: station = \"王家峪\" (unique among the co-op's stations)".into(),
            "[coop] 要写本服务站的名字：station = \"王家峪\"（合作社里每个站各不相同）".into(),
        ));
    };
    let name = station.get_ref().trim();
    if name.is_empty() || crate::sanitize::sanitize_capped(name, STATION_MAX) != name {
        return Err(err(
            station.span(),
            "coop.station".into(),
            format!("station {name:?} cannot be a station's name: 1 to {STATION_MAX} visible characters"),
            format!("station {name:?} 不能作站名：要 1 到 {STATION_MAX} 个看得见的字符"),
        ));
    }
    let block = match raw.block {
        None => CoopConfig::DEFAULT_BLOCK,
        Some(block) => {
            let share = *block.get_ref();
            if !(share > 0.0 && share <= 1.0) {
                return Err(err(
                    block.span(),
                    "coop.block".into(),
                    format!("block {share} is not a share of the pool; write a number above 0 and at most 1 (0.1 takes a tenth of what is left at a time)"),
                    format!("block {share} 不是库存池的份额；请写大于 0、不超过 1 的数（0.1 是每次取剩余的十分之一）"),
                ));
            }
            share
        }
    };
    let password = std::env::var(PASSWORD_VAR).ok().filter(|p| !p.is_empty());
    Ok(Some(CoopConfig {
        url: written.to_string(),
        password,
        station: name.to_string(),
        block,
    }))
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn a_password_in_the_url_is_never_shown() {
        assert_eq!(
            masked("postgres://coop:s3cret@10.0.0.2:5432/coop"),
            "postgres://coop:…@10.0.0.2:5432/coop"
        );
        assert_eq!(
            masked("postgres://coop@10.0.0.2/coop"),
            "postgres://coop@10.0.0.2/coop"
        );
        assert_eq!(masked("postgresql://h/db"), "postgresql://h/db");
        // An @ in the password itself.
        assert_eq!(masked("postgres://u:p@ss@h/db"), "postgres://u:…@h/db");
    }
}
