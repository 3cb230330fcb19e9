//! Why the co-op database could not be used, as a farmer can act on it:
//! a wrong password, a host that cannot be reached (and how), a database
//! from a newer livestall, a lost connection. Each has its words in both
//! languages; the station goes on alone whatever it is.

use crate::config::Language;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoopError {
    #[error("the co-op database refused the password of user {user:?} (check [coop] url or {var})", var = crate::config::COOP_PASSWORD_VAR)]
    WrongPassword { user: String },
    #[error("the co-op database has no database {name:?} (check [coop] url)")]
    NoDatabase { name: String },
    #[error("cannot reach the co-op database at {address}: {}", .why.words(Language::En))]
    Unreachable { address: String, why: Reach },
    #[error("the co-op database was written by a newer livestall (schema {found}; this one knows up to {known}): update livestall on this station")]
    NewerSchema { found: i32, known: i32 },
    #[error("the connection to the co-op database was lost")]
    Lost,
    #[error("the co-op database refused: {0}")]
    Refused(String),
}

/// How a host could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Nothing listens there (wrong port, server down).
    Refused,
    /// The name does not resolve.
    NotFound,
    /// No answer in time (network down, firewall).
    Timeout,
    /// Anything else the network said.
    Other,
}

impl Reach {
    pub fn words(self, language: Language) -> &'static str {
        match (self, language) {
            (Reach::Refused, Language::En) => "connection refused",
            (Reach::Refused, Language::Zh) => "拒绝连接",
            (Reach::NotFound, Language::En) => "address not found",
            (Reach::NotFound, Language::Zh) => "找不到地址",
            (Reach::Timeout, Language::En) => "timed out",
            (Reach::Timeout, Language::Zh) => "超时",
            (Reach::Other, Language::En) => "network error",
            (Reach::Other, Language::Zh) => "网络错误",
        }
    }
}

impl CoopError {
    /// An error of a statement or of the connection under it.
    pub fn from_db(error: tokio_postgres::Error) -> CoopError {
        if let Some(db) = error.as_db_error() {
            use tokio_postgres::error::SqlState;
            let code = db.code();
            if *code == SqlState::INVALID_PASSWORD
                || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                return CoopError::WrongPassword {
                    user: String::new(),
                };
            }
            if *code == SqlState::INVALID_CATALOG_NAME {
                return CoopError::NoDatabase {
                    name: String::new(),
                };
            }
            if code.code().starts_with("08") || code.code().starts_with("57P") {
                // Connection exceptions, and the server shutting down.
                return CoopError::Lost;
            }
            return CoopError::Refused(db.message().to_string());
        }
        if error.is_closed() {
            return CoopError::Lost;
        }
        let mut source: Option<&(dyn std::error::Error + 'static)> =
            std::error::Error::source(&error);
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                return CoopError::Unreachable {
                    address: String::new(),
                    why: reach_of(io),
                };
            }
            source = cause.source();
        }
        let text = error.to_string();
        if text.contains("timeout") || text.contains("timed out") {
            return CoopError::Unreachable {
                address: String::new(),
                why: Reach::Timeout,
            };
        }
        CoopError::Lost
    }

    /// The same error, naming what was tried (the user, database and
    /// address of the url), for messages.
    pub fn at(self, config: &tokio_postgres::Config, address: &str) -> CoopError {
        match self {
            CoopError::WrongPassword { .. } => CoopError::WrongPassword {
                user: config.get_user().unwrap_or_default().to_string(),
            },
            CoopError::NoDatabase { .. } => CoopError::NoDatabase {
                name: config.get_dbname().unwrap_or_default().to_string(),
            },
            CoopError::Unreachable { why, .. } => CoopError::Unreachable {
                address: address.to_string(),
                why,
            },
            other => other,
        }
    }

    /// For the event lines and the status bar: which kind of trouble.
    pub fn kind(&self) -> &'static str {
        match self {
            CoopError::WrongPassword { .. } => "wrong_password",
            CoopError::NoDatabase { .. } => "no_database",
            CoopError::Unreachable { .. } => "unreachable",
            CoopError::NewerSchema { .. } => "newer_schema",
            CoopError::Lost => "lost",
            CoopError::Refused(_) => "refused",
        }
    }

    /// The error in the screen's language.
    pub fn words(&self, language: Language) -> String {
        match language {
            Language::En => self.to_string(),
            Language::Zh => match self {
                CoopError::WrongPassword { user } => format!(
                    "合作社数据库不接受用户 {user:?} 的密码（检查 [coop] url 或 {}）",
                    crate::config::COOP_PASSWORD_VAR
                ),
                CoopError::NoDatabase { name } => {
                    format!("合作社服务器上没有数据库 {name:?}（检查 [coop] url）")
                }
                CoopError::Unreachable { address, why } => {
                    format!("连不上合作社数据库 {address}：{}", why.words(Language::Zh))
                }
                CoopError::NewerSchema { found, known } => format!(
                    "合作社数据库是更新版本的 livestall 写的（版本 {found}，本机只认到 {known}）：请更新本站的 livestall"
                ),
                CoopError::Lost => "和合作社数据库的连接断了".to_string(),
                CoopError::Refused(detail) => format!("合作社数据库拒绝了：{detail}"),
            },
        }
    }
}

fn reach_of(io: &std::io::Error) -> Reach {
    use std::io::ErrorKind;
    match io.kind() {
        ErrorKind::ConnectionRefused => Reach::Refused,
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Reach::Timeout,
        _ => {
            let text = io.to_string();
            if text.contains("lookup")
                || text.contains("resolve")
                || text.contains("Name or service")
            {
                Reach::NotFound
            } else {
                Reach::Other
            }
        }
    }
}
