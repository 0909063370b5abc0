//! A private PostgreSQL cluster for development and tests.
//!
//! With no `DATABASE_URL`, `serve` (and the test harness) run their own cluster from the
//! PostgreSQL server programs installed on the machine:
//!
//! ```text
//! <dir>/data        PGDATA, created by initdb on first use
//! <dir>/server.log  the server's log
//! <dir>/port        the TCP port the cluster last listened on (reused when free)
//! <dir>/lock        held while a process inspects, creates or starts the cluster
//! ```
//!
//! The cluster listens on 127.0.0.1 only (no Unix socket) with trust authentication, so it is
//! meant for a developer's own machine. Under root, `initdb` and `pg_ctl` run as the
//! unprivileged `postgres` OS user (PostgreSQL refuses to run as root).

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What went wrong with the private cluster. Each message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL server programs (initdb, pg_ctl, postgres) were not found on PATH, under \
         /usr/lib/postgresql/*/bin or in BENCHSIDE_PG_BIN. Install the PostgreSQL server \
         package (Debian/Ubuntu: `apt-get install postgresql`; Fedora: `dnf install \
         postgresql-server`; macOS: `brew install postgresql@15`), or set DATABASE_URL to use \
         an existing server"
    )]
    ServerProgramsMissing,
    #[error(
        "running as root needs an unprivileged OS user to own the cluster, and no `postgres` \
         user exists (install the PostgreSQL server package, which creates it, or set \
         DATABASE_URL)"
    )]
    NoUnprivilegedUser,
    #[error(
        "the `postgres` OS user cannot reach {0}; choose a BENCHSIDE_DATA_DIR whose parent \
         folders it can enter, or set DATABASE_URL"
    )]
    NotReachable(PathBuf),
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
}

/// Extra `postgresql.conf` settings written when a cluster is created.
pub type Settings<'a> = &'a [(&'a str, &'a str)];

/// A cluster that is running (started by us or found running).
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
    port: u16,
    started_here: bool,
}

impl Cluster {
    /// Creates the cluster if needed and starts it unless it is already running.
    ///
    /// `settings` are written to `postgresql.conf` only when the cluster is created.
    pub fn ensure_running(
        dir: &Path,
        pg_bin: Option<&Path>,
        settings: Settings<'_>,
    ) -> Result<Cluster, ClusterError> {
        let bin = find_server_programs(pg_bin)?;
        fs::create_dir_all(dir).map_err(|e| io(format!("creating {}", dir.display()), e))?;
        let dir =
            fs::canonicalize(dir).map_err(|e| io(format!("resolving {}", dir.display()), e))?;
        let _lock = lock(&dir)?;

        let run_as = unprivileged_user()?;
        let data = dir.join("data");
        let log = dir.join("server.log");
        if let Some(user) = &run_as {
            let (uid, gid) = user_ids(user).ok_or(ClusterError::NoUnprivilegedUser)?;
            fs::create_dir_all(&data).map_err(|e| io(format!("creating {}", data.display()), e))?;
            for p in [&dir, &data] {
                std::os::unix::fs::chown(p, Some(uid), Some(gid))
                    .map_err(|e| io(format!("giving {} to {user}", p.display()), e))?;
            }
            if !log.exists() {
                File::create(&log).map_err(|e| io(format!("creating {}", log.display()), e))?;
            }
            std::os::unix::fs::chown(&log, Some(uid), Some(gid))
                .map_err(|e| io(format!("giving {} to {user}", log.display()), e))?;
            // initdb needs to enter every parent folder as that user.
            let ok = Command::new("runuser")
                .args(["-u", user, "--", "test", "-w"])
                .arg(&data)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if !ok {
                return Err(ClusterError::NotReachable(data));
            }
        }

        let mut cluster = Cluster {
            dir: dir.clone(),
            bin,
            run_as,
            port: 0,
            started_here: false,
        };

        if !data.join("PG_VERSION").exists() {
            cluster.initdb(settings)?;
        }
        if let Some(port) = cluster.running_port() {
            tracing::info!(dir = %dir.display(), port, "reusing the running private PostgreSQL cluster");
            cluster.port = port;
            return Ok(cluster);
        }

        let port = fs::read_to_string(dir.join("port"))
            .ok()
            .and_then(|s| s.trim().parse::<u16>().ok())
            .filter(|p| port_is_free(*p))
            .map_or_else(free_port, Ok)?;
        cluster.start(port)?;
        fs::write(dir.join("port"), port.to_string())
            .map_err(|e| io(format!("writing {}", dir.join("port").display()), e))?;
        cluster.port = port;
        cluster.started_here = true;
        Ok(cluster)
    }

    /// Describes the cluster without creating or starting it: (exists, running port).
    pub fn inspect(dir: &Path) -> (bool, Option<u16>) {
        let data = dir.join("data");
        let exists = data.join("PG_VERSION").exists();
        (exists, postmaster_port(&data))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether this process started the cluster (and so should stop it).
    pub fn started_here(&self) -> bool {
        self.started_here
    }

    /// A connection URL for a database in this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The folder of the PostgreSQL server programs in use.
    pub fn bin_dir(&self) -> &Path {
        &self.bin
    }

    /// Stops the server (fast shutdown: running transactions are rolled back).
    pub fn stop(&self) -> Result<(), ClusterError> {
        let data = self.dir.join("data");
        self.run(
            "pg_ctl stop",
            "pg_ctl",
            &[
                "-D".into(),
                data.into(),
                "-m".into(),
                "fast".into(),
                "-w".into(),
                "stop".into(),
            ],
        )
        .map(|_| ())
    }

    /// Immediate stop, as after a crash; for tests of outage handling.
    pub fn kill(&self) -> Result<(), ClusterError> {
        let data = self.dir.join("data");
        self.run(
            "pg_ctl stop",
            "pg_ctl",
            &[
                "-D".into(),
                data.into(),
                "-m".into(),
                "immediate".into(),
                "-w".into(),
                "stop".into(),
            ],
        )
        .map(|_| ())
    }

    /// Starts the server again on the same port (after `stop` or `kill`).
    pub fn restart(&mut self) -> Result<(), ClusterError> {
        self.start(self.port)
    }

    fn initdb(&self, settings: Settings<'_>) -> Result<(), ClusterError> {
        let data = self.dir.join("data");
        tracing::info!(dir = %data.display(), "creating a private PostgreSQL cluster");
        self.run(
            "initdb",
            "initdb",
            &[
                "-D".into(),
                data.clone().into(),
                "-U".into(),
                "postgres".into(),
                "--auth=trust".into(),
                "-E".into(),
                "UTF8".into(),
                "--no-locale".into(),
                "--no-instructions".into(),
            ],
        )?;
        let mut conf = String::from(
            "\n# Written by benchside: a private development cluster.\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = ''\n",
        );
        for (k, v) in settings {
            conf.push_str(&format!("{k} = {v}\n"));
        }
        let path = data.join("postgresql.conf");
        let mut f = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| io(format!("opening {}", path.display()), e))?;
        std::io::Write::write_all(&mut f, conf.as_bytes())
            .map_err(|e| io(format!("writing {}", path.display()), e))
    }

    fn start(&self, port: u16) -> Result<(), ClusterError> {
        let data = self.dir.join("data");
        let log = self.dir.join("server.log");
        tracing::info!(dir = %data.display(), port, "starting the private PostgreSQL cluster");
        self.run(
            "pg_ctl start",
            "pg_ctl",
            &[
                "-D".into(),
                data.into(),
                "-l".into(),
                log.into(),
                "-w".into(),
                "-t".into(),
                "60".into(),
                "-o".into(),
                format!("-p {port}").into(),
                "start".into(),
            ],
        )
        .map(|_| ())
    }

    fn running_port(&self) -> Option<u16> {
        let data = self.dir.join("data");
        let status = self
            .command("pg_ctl")
            .arg("status")
            .arg("-D")
            .arg(&data)
            .output()
            .ok()?;
        if !status.status.success() {
            return None;
        }
        postmaster_port(&data)
    }

    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(exe);
                c
            }
            None => Command::new(exe),
        }
    }

    fn run(&self, what: &str, program: &str, args: &[OsString]) -> Result<String, ClusterError> {
        let out = self
            .command(program)
            .args(args)
            .current_dir(&self.dir)
            .output()
            .map_err(|e| io(format!("running {program}"), e))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            let mut detail = String::from_utf8_lossy(&out.stderr).trim().to_string();
            if detail.is_empty() {
                detail = String::from_utf8_lossy(&out.stdout).trim().to_string();
            }
            if program == "pg_ctl" && args.iter().any(|a| a == "start") {
                let log = fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(10).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                detail = format!("{detail}\nserver log:\n{}", tail.join("\n"));
            }
            Err(ClusterError::Command {
                what: what.to_string(),
                detail,
            })
        }
    }
}

/// Finds the folder holding `initdb`, `pg_ctl` and `postgres`.
pub fn find_server_programs(explicit: Option<&Path>) -> Result<PathBuf, ClusterError> {
    let has_all = |d: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|p| d.join(p).is_file())
    };
    if let Some(d) = explicit {
        return if has_all(d) {
            Ok(d.to_path_buf())
        } else {
            Err(ClusterError::ServerProgramsMissing)
        };
    }
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if has_all(&d) {
                // Resolve symlinks such as /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin.
                let real = fs::canonicalize(d.join("initdb"))
                    .ok()
                    .and_then(|p| p.parent().map(Path::to_path_buf))
                    .filter(|p| has_all(p))
                    .unwrap_or(d);
                return Ok(real);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_all(&bin).then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or(ClusterError::ServerProgramsMissing)
}

fn io(what: String, e: std::io::Error) -> ClusterError {
    ClusterError::Io(what, e)
}

/// An exclusive lock on `<dir>/lock`, released when dropped (also when the process dies).
fn lock(dir: &Path) -> Result<File, ClusterError> {
    let path = dir.join("lock");
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io(format!("opening {}", path.display()), e))?;
    f.lock()
        .map_err(|e| io(format!("locking {}", path.display()), e))?;
    Ok(f)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn unprivileged_user() -> Result<Option<String>, ClusterError> {
    if !is_root() {
        return Ok(None);
    }
    match user_ids("postgres") {
        Some(_) => Ok(Some("postgres".into())),
        None => Err(ClusterError::NoUnprivilegedUser),
    }
}

fn user_ids(name: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() >= 4 && f[0] == name).then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })
}

/// The port in `postmaster.pid` when that file names a live process.
fn postmaster_port(data: &Path) -> Option<u16> {
    let pidfile = fs::read_to_string(data.join("postmaster.pid")).ok()?;
    let mut lines = pidfile.lines();
    let pid: i32 = lines.next()?.trim().parse().ok()?;
    // SAFETY: kill with signal 0 only checks that the process exists.
    let alive = unsafe { libc::kill(pid, 0) == 0 }
        || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    if !alive {
        return None;
    }
    lines.nth(2)?.trim().parse().ok()
}

fn port_is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

fn free_port() -> Result<u16, ClusterError> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| io("finding a free port".into(), e))
}
