//! Real PostgreSQL for the co-op tests: a throwaway server of Debian's
//! packages, initialised in a temporary folder, run as an unprivileged user
//! (PostgreSQL refuses root), on a free loopback port, stopped when dropped.
//!
//! `.ci/run` starts one for the whole suite and exports its url as
//! `LIVESTALL_TEST_PG_URL`; tests that only need a database get a fresh one
//! inside it. Fault tests (an immediate shutdown, a restart) start their
//! own with [`Server::start`]. Without the variable, the first test starts
//! a server for its process. When no PostgreSQL can be had at all, the
//! tests print a notice and return, unless `LIVESTALL_TEST_PG_REQUIRED` is
//! set (CI sets it, so a broken harness fails there instead of skipping).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The password of the throwaway cluster's superuser.
pub const PASSWORD: &str = "livestall-test";
/// The throwaway cluster's superuser.
pub const USER: &str = "livestall";

/// Where PostgreSQL's programs are: `LIVESTALL_PG_BIN`, else the newest of
/// Debian's `/usr/lib/postgresql/*/bin`, else `pg_config --bindir`.
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LIVESTALL_PG_BIN") {
        let dir = PathBuf::from(dir);
        return dir.join("initdb").exists().then_some(dir);
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Some(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let dir = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    dir.join("initdb").exists().then_some(dir)
}

/// Says why the test cannot run, and whether it may be skipped.
pub fn unavailable(why: &str) {
    if std::env::var_os("LIVESTALL_TEST_PG_REQUIRED").is_some() {
        panic!("PostgreSQL is required here (LIVESTALL_TEST_PG_REQUIRED) but {why}");
    }
    eprintln!("notice: skipping a PostgreSQL test: {why}");
}

/// The user the server runs as: ourselves, or `postgres` / `nobody` when
/// we are root (initdb and postgres refuse to run as root).
#[cfg(unix)]
fn run_as() -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { geteuid() } == 0;
    if !root {
        return None;
    }
    ["postgres", "nobody"]
        .into_iter()
        .find(|user| {
            Command::new("id")
                .arg("-u")
                .arg(user)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .map(str::to_string)
}

#[cfg(unix)]
extern "C" {
    fn geteuid() -> u32;
    fn atexit(callback: extern "C" fn()) -> i32;
}

/// At exit: the suite's own server, if this process started one.
#[cfg(unix)]
extern "C" fn stop_shared() {
    if let Some(Some(Shared::Own(server))) = SHARED.get() {
        server.stop("immediate");
        let _ = std::fs::remove_dir_all(server.dir.path());
    }
}

#[cfg(not(unix))]
fn run_as() -> Option<String> {
    None
}

/// One throwaway PostgreSQL server.
pub struct Server {
    bin: PathBuf,
    as_user: Option<String>,
    // Dropped last: the server is stopped first.
    dir: tempfile::TempDir,
    pub port: u16,
}

impl Server {
    /// Initialises a cluster in a temporary folder and starts it; `None`
    /// (after [`unavailable`]) when PostgreSQL cannot be had here.
    pub fn start() -> Option<Server> {
        let Some(bin) = bin_dir() else {
            unavailable("no PostgreSQL programs found (apt-get install postgresql)");
            return None;
        };
        let as_user = run_as();
        let dir = tempfile::Builder::new()
            .prefix("livestall-pg")
            .tempdir()
            .expect("a temporary folder");
        let server = Server {
            bin,
            as_user,
            dir,
            port: free_port(),
        };
        server.give_to_user(server.dir.path());
        let pwfile = server.dir.path().join("pw");
        std::fs::write(&pwfile, PASSWORD).expect("password file");
        server.give_to_user(&pwfile);
        let init = server.run(
            "initdb",
            &[
                "-D".as_ref(),
                server.data().as_os_str(),
                "-U".as_ref(),
                USER.as_ref(),
                "-A".as_ref(),
                "scram-sha-256".as_ref(),
                "--pwfile".as_ref(),
                pwfile.as_os_str(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C.UTF-8".as_ref(),
                "--no-sync".as_ref(),
            ],
        );
        if !init.status.success() {
            unavailable(&format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&init.stderr)
            ));
            return None;
        }
        if let Err(why) = server.start_again() {
            unavailable(&why);
            return None;
        }
        Some(server)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The url of `database` on this server, with the superuser's password.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// Starts the server (again, after [`Server::kill`]) and waits until it
    /// takes connections.
    pub fn start_again(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        let out = self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                self.data().as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                "30".as_ref(),
                "start".as_ref(),
            ],
        );
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "the server did not start: {}{}",
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(&log).unwrap_or_default()
            ))
        }
    }

    /// An immediate shutdown: every backend killed at once, no checkpoint,
    /// as a crash or a pulled plug leaves it (recovery replays the WAL).
    pub fn kill(&self) {
        self.stop("immediate");
    }

    fn stop(&self, mode: &str) {
        let _ = self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                self.data().as_os_str(),
                "-m".as_ref(),
                mode.as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        );
    }

    /// Runs `sql` with psql as the superuser on `database`.
    pub fn psql(&self, database: &str, sql: &str) -> Output {
        psql(&self.url(database), sql)
    }

    /// A fresh, empty database on this server; its url.
    pub fn database(&self) -> String {
        create_in(&self.url("postgres"))
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Output {
        let program = self.bin.join(program);
        let mut command = match &self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        command
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
    }

    /// The server's user owns `path` (we may be root).
    fn give_to_user(&self, path: &Path) {
        #[cfg(unix)]
        if let Some(user) = &self.as_user {
            let status = Command::new("chown")
                .arg(user)
                .arg(path)
                .status()
                .expect("chown runs");
            assert!(status.success(), "chown {user} {}", path.display());
        }
        #[cfg(not(unix))]
        let _ = path;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop("immediate");
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The suite's server: `LIVESTALL_TEST_PG_URL` (.ci/run's), else one this
/// process starts on first use and keeps until it exits.
enum Shared {
    Url(String),
    Own(Server),
}

static SHARED: OnceLock<Option<Shared>> = OnceLock::new();

/// A fresh, empty database for one test (on the suite's server); `None`,
/// with a notice, when no PostgreSQL can be had.
pub fn database() -> Option<String> {
    let shared = SHARED.get_or_init(|| match std::env::var("LIVESTALL_TEST_PG_URL") {
        Ok(url) => Some(Shared::Url(url)),
        Err(_) => {
            let server = Server::start().map(Shared::Own);
            // A static is never dropped: stop this process's server when it
            // exits, or every plain `cargo test` leaves one running.
            #[cfg(unix)]
            if server.is_some() {
                // SAFETY: registering a plain function to run at exit.
                unsafe { atexit(stop_shared) };
            }
            server
        }
    });
    let Some(shared) = shared.as_ref() else {
        eprintln!("notice: skipping a PostgreSQL test: no PostgreSQL here (said above)");
        return None;
    };
    match shared {
        Shared::Own(server) => Some(server.database()),
        Shared::Url(url) => Some(create_in(url)),
    }
}

/// Runs `sql` with psql on the database of `url` (psql beside the server's
/// programs, else on the PATH); its output, failed or not.
pub fn psql(url: &str, sql: &str) -> Output {
    let program = bin_dir()
        .map(|bin| bin.join("psql"))
        .filter(|psql| psql.exists())
        .unwrap_or_else(|| PathBuf::from("psql"));
    Command::new(program)
        .args(["-v", "ON_ERROR_STOP=1", "-qAt", "-d", url, "-c", sql])
        .output()
        .expect("psql runs")
}

/// Creates a database with a unique name on the server of `admin_url` (a
/// url to a database the user may create databases from); its url.
fn create_in(admin_url: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!(
        "t{}_{}_{n}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let out = psql(admin_url, &format!("CREATE DATABASE {name}"));
    assert!(
        out.status.success(),
        "CREATE DATABASE: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("not a postgres url: {admin_url}"),
    }
}

/// Waits up to `limit` for `ready`, polling every 20 ms.
pub fn eventually(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    ready()
}

/// A TCP proxy to a server that can be cut off (a partition: bytes stop
/// flowing both ways, connections stay open, nothing is refused) and
/// healed again.
pub struct Proxy {
    pub port: u16,
    cut: std::sync::Arc<std::sync::atomic::AtomicBool>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Proxy {
    /// Forwards a free loopback port to `target` (a port on 127.0.0.1).
    pub fn start(target: u16) -> Proxy {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (Arc::clone(&cut), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let Ok(server) = std::net::TcpStream::connect(("127.0.0.1", target)) else {
                            continue;
                        };
                        for (from, to) in [
                            (client.try_clone().unwrap(), server.try_clone().unwrap()),
                            (server, client),
                        ] {
                            let (c, s) = (Arc::clone(&c), Arc::clone(&s));
                            std::thread::spawn(move || pump(from, to, &c, &s));
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Proxy { port, cut, stop }
    }

    /// Bytes stop flowing (both ways, on every connection).
    pub fn partition(&self) {
        self.cut.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Bytes flow again.
    pub fn heal(&self) {
        self.cut.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn pump(
    mut from: std::net::TcpStream,
    mut to: std::net::TcpStream,
    cut: &std::sync::atomic::AtomicBool,
    stop: &std::sync::atomic::AtomicBool,
) {
    use std::io::{Read, Write};
    use std::sync::atomic::Ordering;
    let _ = from.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buf = [0u8; 16 * 1024];
    while !stop.load(Ordering::Relaxed) {
        if cut.load(Ordering::Relaxed) {
            // Nothing is read: what the sender writes waits in its buffers.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// A co-op config for `station` on the database of `url` (password in
/// the url, a tenth of the pool a block).
pub fn coop_config(url: &str, station: &str) -> livestall::config::CoopConfig {
    livestall::config::CoopConfig {
        url: url.to_string(),
        password: None,
        station: station.to_string(),
        block: 0.1,
    }
}

/// A runtime for the co-op's async calls (two workers, as the app's).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// What `sql` prints with psql (unaligned, no headers), asserting it ran.
pub fn sql(url: &str, sql: &str) -> String {
    let out = psql(url, sql);
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A shop of one product, 太行小米 5斤装 (XM-5J, ¥39.90 a bag), `stock` bags.
pub fn millet(stock: i64) -> livestall::catalog::Catalog {
    livestall::catalog::Catalog::new(vec![livestall::catalog::Product {
        sku: "XM-5J".into(),
        name: "太行小米 5斤装".into(),
        aliases: vec![],
        link: 1,
        unit: "袋".into(),
        price_fen: 3990,
        stock,
        limit_per_buyer: None,
    }])
}

/// Records `user`'s order of `qty` bags of XM-5J as message `msg_id`.
pub fn record_order(store: &livestall::store::Store, msg_id: &str, user: &str, qty: u32) {
    store.record_intents(vec![livestall::store::NewIntent {
        key: livestall::store::IntentKey {
            msg_id: msg_id.into(),
            index: 0,
        },
        source: "json".into(),
        user: user.into(),
        user_id: None,
        text: "扣1".into(),
        kind: livestall::intent::IntentKind::Order,
        sku: Some("XM-5J".into()),
        qty: Some(qty),
        confidence: 0.95,
        received_at_ms: 1,
        note: None,
    }]);
}

/// Confirms the order recorded as `msg_id` (again, when it waited).
pub async fn confirm_order(
    store: &livestall::store::Store,
    msg_id: &str,
    user: &str,
    qty: u32,
) -> Result<(), livestall::store::Refusal> {
    livestall::store::reply(store.confirm(livestall::store::ConfirmRequest {
        key: livestall::store::IntentKey {
            msg_id: msg_id.into(),
            index: 0,
        },
        kind: livestall::intent::IntentKind::Order,
        user: user.into(),
        user_id: None,
        sku: Some("XM-5J".into()),
        qty: Some(qty),
        helper: "helper".into(),
    }))
    .await
    .map(drop)
}
