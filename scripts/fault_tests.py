"""The fault scenarios of scripts/fault-tests.sh (run by it, not on its own).

argv: DIR BIN DATABASE_URL
Env:  FAULT_PG_CTL     pg_ctl of the cluster under DIR/pg (stopped with `-m immediate`)
      FAULT_REAL_LEASE when set, scenario b waits for the killed runner's leases to run out
                       (about 2.5 minutes) instead of moving their end to now

Everything runs against real processes: one PostgreSQL cluster (DIR/pg), one SMTP sink
(scripts/smtp_sink.py, DIR/sink), and `benchside serve` on 127.0.0.1. The load is a bounded set
of threads, each sending one real API write after another and recording what was acknowledged:

  - lesson heartbeats (one learner per thread, `seconds` 1 and `position.seq` counting up): one
    transaction updates `lesson_progress` and `enrolments`;
  - quiz answer autosaves, alternating with the heartbeats: the answer to a numeric question of
    the learner's open attempt is the same counter;
  - password-reset requests (a one-time token, an outbox row, its `mail.send` job and an audit
    row in one transaction);
  - registrations of new accounts (user, verification token, outbox row, job, audit row).

A write is "acknowledged" when it got a 2xx. After each fault the checks are, cumulatively:
every acknowledged write is in the database; none is half-written (the rows one transaction
writes are all there or none is); nothing is there that was never sent; every 5xx was a 503
with the JSON error envelope and a Retry-After (never a 500, never a hang); every outbox row was
delivered to the sink exactly once, under its outbox ID as Message-ID.
"""

import collections
import email
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

DIR = pathlib.Path(sys.argv[1])
BIN = sys.argv[2]
DB = sys.argv[3]
PG_CTL = os.environ["FAULT_PG_CTL"]
REAL_LEASE = bool(os.environ.get("FAULT_REAL_LEASE"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT, SINK_PORT = free_port(), free_port()
COURSE = "phlebotomy-technician"
PASSWORD = "calibrate-the-analyzer"
LEARNERS = 10
OK_503 = {"database_unavailable", "server_busy", "database_timeout", "service_unavailable"}
FAILURES = []
# Outbox IDs the sink accepted within KILL_WINDOW seconds before serve was killed: the one
# window in which a delivery cannot have been recorded yet, so those alone may arrive twice.
MAY_DOUBLE = set()
KILL_WINDOW = 0.1
SUMMARY = []


def log(msg):
    print(f"fault: {msg}", flush=True)


# ---- processes -------------------------------------------------------------------------------

def as_postgres(cmd):
    return (["runuser", "-u", "postgres", "--"] + cmd) if os.getuid() == 0 else cmd


def pg_stop_immediate():
    subprocess.run(as_postgres([PG_CTL, "-D", str(DIR / "pg" / "data"), "stop", "-m", "immediate"]),
                   check=True, capture_output=True)


def pg_start():
    subprocess.run([BIN, "cluster", "start", "--dir", str(DIR / "pg")], check=True,
                   capture_output=True)


def psql(sql):
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", DB, "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def rows(sql):
    text = psql(sql)
    return [line.split("\t") for line in text.splitlines()] if text else []


class Sink:
    def __init__(self):
        self.proc = None
        self.out = DIR / "sink"

    def start(self):
        self.proc = subprocess.Popen([sys.executable, "scripts/smtp_sink.py", str(SINK_PORT),
                                      str(self.out), str(DIR / "sink-delay-ms")], stdout=subprocess.PIPE, text=True)
        self.proc.stdout.readline()  # "sink listening on PORT"
        (DIR / "sink.pid").write_text(str(self.proc.pid))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)
        (DIR / "sink.pid").unlink()

    def slow(self, ms, only=""):
        (DIR / "sink-delay-ms").write_text(f"{ms} {only}")

    def received(self):
        """[(outbox_id, recipient, accepted at)] for every message on disk."""
        got = []
        for eml in self.out.glob("*.eml"):
            msg = email.message_from_bytes(eml.read_bytes())
            mid = (msg["Message-ID"] or "").strip("<>").split("@")[0]
            rcpt = (msg["X-Sink-Envelope"] or "").split(" -> ")[-1].strip("<>")
            got.append((mid, rcpt, eml.stat().st_mtime))
        return got


class Serve:
    def __init__(self, port, name, **extra):
        self.port, self.name, self.extra, self.proc = port, name, extra, None
        self.base = f"http://127.0.0.1:{port}"

    def start(self):
        env = dict(os.environ, DATABASE_URL=DB, BENCHSIDE_LISTEN=f"127.0.0.1:{self.port}",
                   BENCHSIDE_PUBLIC_URL=self.base, BENCHSIDE_DATA_DIR=str(DIR / "app"),
                   BENCHSIDE_MIGRATE_ON_START="false", BENCHSIDE_IMPORT_COURSES_ON_START="false",
                   BENCHSIDE_RATE_LIMITS="false", BENCHSIDE_WORKERS="2",
                   BENCHSIDE_SMTP_URL=f"smtp://127.0.0.1:{SINK_PORT}",
                   BENCHSIDE_SMTP_TIMEOUT_MS="2000", BENCHSIDE_MAIL_RETRY_BASE_MS="500",
                   BENCHSIDE_JOBS_POLL_MS="200", BENCHSIDE_DB_CONNECT_TIMEOUT_MS="2000",
                   BENCHSIDE_DB_POOL_TIMEOUT_MS="2000", RUST_LOG="warn",
                   BENCHSIDE_LOG_FORMAT="json")
        env.update(self.extra)
        logf = open(DIR / f"{self.name}.log", "ab")
        self.proc = subprocess.Popen([BIN, "serve"], env=env, stdout=logf, stderr=logf)
        (DIR / f"{self.name}.pid").write_text(str(self.proc.pid))
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fatal(f"serve ({self.name}) exited with {self.proc.returncode}; see {self.name}.log")
            if get(self.base + "/readyz")[0] == 200:
                return
            time.sleep(0.1)
        fatal(f"serve ({self.name}) not ready after 60 s")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        (DIR / f"{self.name}.pid").unlink()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(40)
        (DIR / f"{self.name}.pid").unlink()

    def alive(self):
        return self.proc.poll() is None


def fatal(msg):
    print(f"fault: FAILED: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


# ---- HTTP ------------------------------------------------------------------------------------

def call(url, method="GET", body=None, token=None, timeout=20):
    """(status, json body or None, headers, seconds); status 0 = no answer (connection error),
    -1 = no answer within `timeout` (a hang)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    t = time.time()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, parse(raw), r.headers, time.time() - t
    except urllib.error.HTTPError as e:
        return e.code, parse(e.read()), e.headers, time.time() - t
    except TimeoutError:
        return -1, None, {}, time.time() - t
    except (urllib.error.URLError, ConnectionError, OSError) as e:
        if "timed out" in str(e):
            return -1, None, {}, time.time() - t
        return 0, None, {}, time.time() - t


def parse(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def get(url):
    return call(url, timeout=5)


# ---- the load --------------------------------------------------------------------------------

class Tally:
    """What the load saw, by scenario: answers by status and code, acknowledgements."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answers = collections.Counter()
        self.bad = []           # 5xx without the promised envelope, 500s, hangs
        self.acked = 0
        self.sent = 0
        self.slowest_5xx = 0.0

    def record(self, status, body, headers, secs, conn_errors_ok):
        with self.lock:
            self.sent += 1
            if 200 <= status < 300:
                self.acked += 1
                self.answers["2xx"] += 1
                return True
            code = (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None
            key = {0: "no answer (connection)", -1: "hang (no answer in 20 s)"}.get(status,
                                                                                   f"{status} {code}")
            self.answers[key] += 1
            if status == 0 and not conn_errors_ok:
                self.bad.append("a connection error while serve was up")
            elif status == -1:
                self.bad.append(f"a request hung for {secs:.1f} s")
            elif status >= 500:
                self.slowest_5xx = max(self.slowest_5xx, secs)
                if status != 503 or code not in OK_503:
                    self.bad.append(f"{status} {code}")
                elif not headers.get("Retry-After"):
                    self.bad.append(f"503 {code} without Retry-After")
            elif status not in (0,):
                self.bad.append(f"unexpected {status} {code}")
            return False


class Load:
    """Bounded concurrent writers; each thread waits for its answer before the next write."""

    def __init__(self, base, learners, pause=0.02):
        self.base, self.learners, self.pause = base, learners, pause
        self.hb_sent = collections.Counter()     # enrolment id -> heartbeats sent
        self.hb_acked = collections.Counter()    # enrolment id -> heartbeats acknowledged
        self.hb_last_acked = {}                  # enrolment id -> last acknowledged seq
        self.save_sent = {}                      # attempt id -> last value sent
        self.save_acked = {}                     # attempt id -> last value acknowledged
        self.save_acked_n = collections.Counter()  # attempt id -> autosaves acknowledged
        self.reset_sent = collections.Counter()  # email -> reset requests sent
        self.reset_acked = collections.Counter()
        self.reg_sent, self.reg_acked = set(), set()
        self.reg_n = 0
        self.tally = Tally()
        self.stop_flag = threading.Event()
        self.conn_errors_ok = threading.Event()
        self.threads = []

    def start(self, tally):
        self.tally = tally
        self.stop_flag.clear()
        self.threads = [threading.Thread(target=self.heartbeats, args=(l,)) for l in self.learners]
        self.threads += [threading.Thread(target=self.resets, args=(i,)) for i in range(2)]
        self.threads.append(threading.Thread(target=self.registrations))
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join()

    def answer(self, res):
        return self.tally.record(*res, conn_errors_ok=self.conn_errors_ok.is_set())

    def heartbeats(self, learner):
        token, enrolment, lesson, attempt, question = learner
        url = f"{self.base}/api/v1/enrolments/{enrolment}/lessons/{lesson}/heartbeat"
        while not self.stop_flag.is_set():
            seq = self.hb_sent[enrolment] + 1
            self.hb_sent[enrolment] = seq
            if self.answer(call(url, "POST", {"seconds": 1, "position": {"seq": seq}}, token)):
                self.hb_acked[enrolment] += 1
                self.hb_last_acked[enrolment] = seq
            time.sleep(self.pause)
            if attempt and not self.stop_flag.is_set():
                self.save_sent[attempt] = seq
                if self.answer(call(f"{self.base}/api/v1/attempts/{attempt}/answers", "PUT",
                                    {"answers": {question: {"value": seq}}}, token)):
                    self.save_acked[attempt] = seq
                    self.save_acked_n[attempt] += 1
                time.sleep(self.pause)

    def resets(self, k):
        i = k
        while not self.stop_flag.is_set():
            addr = f"fault{i % LEARNERS}@example.org"
            i += 2
            self.reset_sent[addr] += 1
            if self.answer(call(self.base + "/api/v1/auth/password-reset/request", "POST",
                                {"email": addr})):
                self.reset_acked[addr] += 1
            time.sleep(self.pause * 5)

    def registrations(self):
        while not self.stop_flag.is_set():
            self.reg_n += 1
            addr = f"signup{self.reg_n}-{int(time.time() * 1000)}@example.org"
            self.reg_sent.add(addr)
            if self.answer(call(self.base + "/api/v1/auth/register", "POST",
                                {"email": addr, "name": "Fault Signup", "password": PASSWORD})):
                self.reg_acked.add(addr)
            time.sleep(self.pause * 10)


# ---- checks ----------------------------------------------------------------------------------

def check_writes(load, problems):
    """Every acknowledged write present, none half-written, nothing never sent. Returns figures."""
    present = 0
    for enrolment, total, parts, seq, lessons in rows(
            "SELECT e.id, e.time_spent_seconds, coalesce(sum(p.time_spent_seconds), 0), "
            "coalesce(max((p.last_position->>'seq')::int), 0), count(p.*) "
            "FROM enrolments e LEFT JOIN lesson_progress p ON p.enrolment_id = e.id "
            "GROUP BY e.id"):
        total, parts, seq = int(total), int(parts), int(seq)
        acked, sent = load.hb_acked[enrolment], load.hb_sent[enrolment]
        present += min(total, acked)
        if total != parts:
            problems.append(f"enrolment {enrolment}: {total} s on the enrolment but {parts} s "
                            "on its lessons (a heartbeat half-written)")
        if not acked <= total <= sent:
            problems.append(f"enrolment {enrolment}: {total} heartbeats recorded, {acked} "
                            f"acknowledged, {sent} sent")
        if not load.hb_last_acked.get(enrolment, 0) <= seq <= sent:
            problems.append(f"enrolment {enrolment}: last position {seq}, last acknowledged "
                            f"{load.hb_last_acked.get(enrolment, 0)}, last sent {sent}")
    saved = {r[0]: json.loads(r[1]) for r in rows("SELECT id, answers FROM quiz_attempts")}
    questions = {l[3]: l[4] for l in load.learners if l[3]}
    for attempt, sent in load.save_sent.items():
        value = int(saved.get(attempt, {}).get(questions[attempt], {}).get("value", 0))
        acked = load.save_acked.get(attempt, 0)
        # Each autosave replaces the one before: the last acknowledged one stands for all.
        present += load.save_acked_n[attempt] if acked and value >= acked else 0
        if not acked <= value <= sent:
            problems.append(f"attempt {attempt}: answer {value} saved, last acknowledged {acked},"
                            f" last sent {sent}")
    resets = {r[0]: [int(x) for x in r[1:]] for r in rows(
        "SELECT u.email, "
        "(SELECT count(*) FROM one_time_tokens t WHERE t.user_id = u.id "
        "  AND t.purpose = 'password_reset'), "
        "(SELECT count(*) FROM mail_outbox o WHERE o.recipient = u.email "
        "  AND o.kind = 'password_reset'), "
        "(SELECT count(*) FROM audit_log a WHERE a.subject_id = u.id::text "
        "  AND a.action = 'user.password_reset_requested') "
        "FROM users u WHERE u.email LIKE 'fault%@example.org'")}
    for addr, sent in load.reset_sent.items():
        tokens, mails, audits = resets.get(addr, [0, 0, 0])
        acked = load.reset_acked[addr]
        present += min(acked, mails)
        if not tokens == mails == audits:
            problems.append(f"{addr}: {tokens} reset tokens, {mails} reset mails, {audits} "
                            "audit rows (a reset request half-written)")
        if not acked <= mails <= sent:
            problems.append(f"{addr}: {mails} reset mails, {acked} acknowledged, {sent} sent")
    users = {r[0]: [int(x) for x in r[1:]] for r in rows(
        "SELECT u.email, "
        "(SELECT count(*) FROM one_time_tokens t WHERE t.user_id = u.id "
        "  AND t.purpose = 'verify_email'), "
        "(SELECT count(*) FROM mail_outbox o WHERE o.recipient = u.email "
        "  AND o.kind = 'verify_email'), "
        "(SELECT count(*) FROM audit_log a WHERE a.subject_id = u.id::text "
        "  AND a.action = 'user.registered') "
        "FROM users u WHERE u.email LIKE 'signup%@example.org'")}
    for addr in load.reg_acked:
        if addr in users:
            present += 1
        else:
            problems.append(f"registration of {addr} acknowledged but the account is missing")
    for addr, (tokens, mails, audits) in users.items():
        if addr not in load.reg_sent:
            problems.append(f"an account {addr} that was never registered")
        if (tokens, mails, audits) != (1, 1, 1):
            problems.append(f"{addr}: {tokens} verification tokens, {mails} verification mails, "
                            f"{audits} audit rows (a registration half-written)")
    orphans = psql("SELECT count(*) FROM mail_outbox o LEFT JOIN jobs j ON j.id = o.job_id "
                   "WHERE j.id IS NULL")
    if orphans != "0":
        problems.append(f"{orphans} outbox rows without their mail.send job")
    acked = (sum(load.hb_acked.values()) + sum(load.reset_acked.values()) + len(load.reg_acked)
             + sum(load.save_acked_n.values()))
    return acked, present


def drain(seconds=90):
    deadline = time.time() + seconds
    while time.time() < deadline:
        left = psql("SELECT count(*) FROM jobs WHERE state IN ('pending', 'running')")
        if left == "0":
            return True
        time.sleep(0.3)
    return False


def check_mail(sink, problems):
    """Every outbox row delivered once (those in MAY_DOUBLE at least once). Returns figures."""
    if not drain():
        problems.append("jobs still pending or running 90 s after the load: "
                        + psql("SELECT string_agg(kind || ' ' || state || ' attempts ' || attempts"
                               " || ' ' || coalesce(last_error, ''), '; ') FROM jobs "
                               "WHERE state IN ('pending', 'running')"))
    outbox = {r[0]: r[1] for r in rows("SELECT id, recipient FROM mail_outbox")}
    unsent = psql("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")
    failed = psql("SELECT count(*) FROM jobs WHERE state = 'failed'")
    received = sink.received()
    got = collections.Counter(mid for mid, _, _ in received)
    rcpt = {mid: to for mid, to, _ in received}
    if unsent != "0":
        problems.append(f"{unsent} outbox rows not sent")
    if failed != "0":
        problems.append(f"{failed} jobs failed")
    lost = [m for m in outbox if got[m] == 0]
    doubled = [m for m in outbox if got[m] > 1]
    strays = [m for m in got if m not in outbox]
    if lost:
        problems.append(f"{len(lost)} mails lost (in the outbox, never received), e.g. {lost[0]}")
    bad_double = [m for m in doubled if m not in MAY_DOUBLE]
    if bad_double:
        problems.append(f"{len(bad_double)} mails received twice, e.g. {bad_double[0]}")
    if strays:
        problems.append(f"{len(strays)} mails received that the outbox does not hold")
    wrong = [m for m in outbox if m in rcpt and rcpt[m] != outbox[m]]
    if wrong:
        problems.append(f"{len(wrong)} mails received by someone else than their recipient")
    return len(outbox), sum(got.values()), len(doubled)


def report(name, tally, load, sink, extra="", problems=None):
    problems = list(problems or [])
    problems += tally.bad[:5] + ([f"... {len(tally.bad) - 5} more"] if len(tally.bad) > 5 else [])
    acked, present = check_writes(load, problems)
    outbox, received, doubled = check_mail(sink, problems)
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(tally.answers.items()))
    verdict = "FAIL" if problems else "PASS"
    line = (f"{verdict} {name}: {tally.sent} writes sent in the scenario ({answers}); "
            f"{acked} acknowledged so far, {present} present; mail {outbox} queued, "
            f"{received} received, {doubled} twice{extra}")
    print(f"fault: {line}", flush=True)
    for p in problems:
        print(f"fault:    - {p}", flush=True)
    SUMMARY.append(f"{verdict} {name}")
    if problems:
        FAILURES.append(name)


def wait_ready(base, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if get(base + "/readyz")[0] == 200:
            return True
        time.sleep(0.1)
    return False


# ---- setup -----------------------------------------------------------------------------------

def prepare(base):
    for i in range(LEARNERS):
        status, body, _, _ = call(base + "/api/v1/auth/register", "POST",
                                  {"email": f"fault{i}@example.org", "name": f"Fault {i}",
                                   "password": PASSWORD})
        if status != 201:
            fatal(f"register fault{i} -> {status} {body}")
    psql("UPDATE users SET email_verified_at = now() WHERE email LIKE 'fault%@example.org'")
    learners = []
    for i in range(LEARNERS):
        status, body, _, _ = call(base + "/api/v1/auth/login", "POST",
                                  {"email": f"fault{i}@example.org", "password": PASSWORD})
        if status != 200:
            fatal(f"login fault{i} -> {status} {body}")
        token = body["access_token"]
        status, enrolment, _, _ = call(f"{base}/api/v1/courses/{COURSE}/enrolment", "POST",
                                       token=token)
        if status != 201:
            fatal(f"enrol fault{i} -> {status} {enrolment}")
        eid = enrolment["id"]
        status, detail, _, _ = call(f"{base}/api/v1/enrolments/{eid}", token=token)
        module = detail["modules"][0]
        for lesson in module["lessons"]:
            status, body, _, _ = call(f"{base}/api/v1/enrolments/{eid}/lessons/{lesson['slug']}"
                                      "/completion", "PUT", token=token)
            if status != 200:
                fatal(f"complete {lesson['slug']} -> {status} {body}")
        status, attempt, _, _ = call(f"{base}/api/v1/enrolments/{eid}/quizzes/"
                                     f"{module['quiz']['slug']}/attempts", "POST", token=token)
        if status != 201:
            fatal(f"start the quiz -> {status} {attempt}")
        numeric = [q["key"] for q in attempt["questions"] if q["type"] == "numeric"]
        learners.append((token, eid, module["lessons"][0]["slug"],
                         attempt["id"] if numeric else None, numeric[0] if numeric else None))
    return learners


# ---- the scenarios ---------------------------------------------------------------------------

def scenario_postgres(serve, load, sink):
    """a) PostgreSQL stopped with `-m immediate` mid-load, restarted; the same serve recovers."""
    tally = Tally()
    load.start(tally)
    time.sleep(3)
    pg_stop_immediate()
    down_at = time.time()
    time.sleep(0.5)
    probes = [get(serve.base + "/readyz") for _ in range(3)]
    time.sleep(4)
    during = sum(v for k, v in tally.answers.items() if k.startswith("503"))
    restart_at = time.time()
    pg_start()
    outage = time.time() - down_at
    restart_took = time.time() - restart_at
    ready = wait_ready(serve.base, 30)
    recovered_in = time.time() - down_at - outage
    acked_before = tally.acked
    time.sleep(3)
    load.stop()
    problems = []
    for status, body, headers, _ in probes:
        if status != 503 or (body or {}).get("error", {}).get("code") != "database_unavailable":
            problems.append(f"/readyz during the outage answered {status} {body}")
    if during == 0:
        problems.append("no request was answered 503 during the outage (did it bite?)")
    if not ready:
        problems.append("/readyz not 200 within 30 s of PostgreSQL's restart")
    if tally.acked - acked_before < 20:
        problems.append(f"only {tally.acked - acked_before} writes acknowledged after the "
                        "restart")
    if not serve.alive():
        problems.append("serve exited")
    report("a) PostgreSQL stopped -m immediate, restarted", tally, load, sink,
           f"; outage {outage:.1f} s (the restart took {restart_took:.1f} s), ready again {recovered_in:.1f} s after the restart, "
           f"same serve process (pid {serve.proc.pid}), slowest 503 {tally.slowest_5xx:.2f} s",
           problems)


def scenario_kill(serve, load, sink):
    """b) kill -9 of serve mid-load while a batch of mail is half delivered, serve restarted.

    The sink holds every message to fault0 for 1.5 s before taking it; the rest go through at
    once. A batch the runner claimed with a fault0 message in it is then, for 1.5 s, a batch
    whose other messages the sink has accepted and whose outcomes are not recorded (a batch is
    recorded after its slowest handler): serve is killed then.
    """
    tally = Tally()
    sink.slow(1500, "fault0@")
    load.start(tally)
    time.sleep(1)
    deadline, held, accepted = time.time() + 20, [], set()
    while time.time() < deadline:
        held = rows("SELECT j.id, o.id, o.recipient, j.lease_id FROM jobs j "
                    "JOIN mail_outbox o ON o.job_id = j.id WHERE j.state = 'running'")
        slow = {h[3] for h in held if h[2].startswith("fault0@")}
        at_sink = {mid for mid, _, _ in sink.received()}
        accepted = {h[1] for h in held if h[3] in slow and h[1] in at_sink}
        if accepted:
            break
        time.sleep(0.02)
    load.conn_errors_ok.set()
    old_pid = serve.proc.pid
    serve.kill9()
    killed_at = time.time()
    held = rows("SELECT j.id, coalesce(o.id::text, ''), j.lease_id FROM jobs j "
                "LEFT JOIN mail_outbox o ON o.job_id = j.id WHERE j.state = 'running'")
    held_jobs = [h[0] for h in held]
    MAY_DOUBLE.update(mid for mid, _, at in sink.received()
                      if killed_at - KILL_WINDOW <= at <= killed_at)
    time.sleep(1.5)
    if not REAL_LEASE and held_jobs:
        # The dead runner's leases would end in about 2 minutes; move their end to now (the
        # sweep in the restarted serve then recovers them, as it would after the wait).
        psql("UPDATE jobs SET locked_until = now() WHERE state = 'running' AND lease_id IN ("
             + ",".join(f"'{h[2]}'" for h in held) + ")")
    sink.slow(0)
    serve.start()
    load.conn_errors_ok.clear()
    time.sleep(3)
    load.stop()
    problems = []
    if REAL_LEASE:
        drain(200)
    if not held_jobs:
        problems.append("no job was leased when serve was killed (the kill missed the mail)")
    if not accepted:
        problems.append("no batch was half delivered when serve was killed")
    ids = ",".join(f"'{j}'" for j in held_jobs) or "NULL"
    rerun = rows(f"SELECT state, attempts FROM jobs WHERE id IN ({ids})")
    not_done = [r for r in rerun if r[0] != "succeeded"]
    if not_done:
        problems.append(f"{len(not_done)} jobs the killed runner held did not run again: {not_done}")
    again = collections.Counter(mid for mid, _, _ in sink.received() if mid in accepted)
    twice = sum(1 for n in again.values() if n > 1)
    report("b) serve killed with SIGKILL, restarted", tally, load, sink,
           f"; {len(held_jobs)} jobs leased by the killed process (pid {old_pid}), all run again"
           f" by pid {serve.proc.pid}"
           + ("" if REAL_LEASE else " after their lease end was moved to now")
           + f"; {len(accepted)} of their mails the relay had accepted before the kill, "
           f"{twice} of them sent again",
           problems)


def scenario_smtp(serve, load, sink):
    """c) the SMTP relay down, then up: mail queues, retries, arrives once."""
    tally = Tally()
    before = len(sink.received())
    load.start(tally)
    time.sleep(1.5)
    sink.stop()
    time.sleep(6)
    queued = psql("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")
    retrying = psql("SELECT count(*) FROM jobs WHERE kind = 'mail.send' AND state <> 'succeeded'"
                    " AND attempts >= 1 AND last_error IS NOT NULL")
    sink.start()
    up_at = time.time()
    time.sleep(2)
    load.stop()
    drain(60)
    caught_up = time.time() - up_at
    problems = []
    if int(retrying) == 0:
        problems.append("no mail job recorded a failed attempt while the relay was down")
    retries = psql("SELECT coalesce(sum(attempts - 1), 0) FROM jobs WHERE kind = 'mail.send'")
    report("c) SMTP relay down 6 s, then up", tally, load, sink,
           f"; {queued} mails waiting and {retrying} retrying while it was down, "
           f"{len(sink.received()) - before} received in the scenario, {retries} retried "
           f"attempts in all, queue empty {caught_up:.1f} s after the relay came back",
           problems)


def scenario_pool(load, sink, learners):
    """d) pool exhaustion: 3 connections, requests stuck behind a row lock, many waiting."""
    serve = Serve(PORT, "serve-pool", BENCHSIDE_DB_POOL_SIZE="3",
                  BENCHSIDE_DB_POOL_TIMEOUT_MS="500")
    serve.start()
    load.base = serve.base
    tally = Tally()
    # Hold every learner's enrolment row for 4 s: each heartbeat then waits in its UPDATE,
    # holding one of the 3 connections, and the rest wait for the pool.
    ids = ",".join(f"'{learner[1]}'" for learner in learners)
    locker = subprocess.Popen(["psql", "-X", "-q", DB, "-c",
                               f"BEGIN; SELECT 1 FROM enrolments WHERE id IN ({ids}) FOR UPDATE;"
                               " SELECT pg_sleep(4); COMMIT;"], stdout=subprocess.DEVNULL)
    deadline = time.time() + 10
    while psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'") == "0":
        if time.time() > deadline:
            fatal("the row lock of scenario d was not taken within 10 s")
        time.sleep(0.05)
    load.start(tally)
    # And a burst of reads from 20 more clients while the pool is held.
    burst = Tally()
    def reader():
        for _ in range(5):
            burst.record(*call(serve.base + "/api/v1/me", token=learners[0][0]),
                         conn_errors_ok=False)
    readers = [threading.Thread(target=reader) for _ in range(20)]
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    locker.wait(30)
    locked_answers = dict(tally.answers)
    acked_before = tally.acked
    time.sleep(3)
    load.stop()
    problems = list(burst.bad)
    busy = sum(v for k, v in list(tally.answers.items()) + list(burst.answers.items())
               if k == "503 server_busy")
    if busy == 0:
        problems.append("no request was answered 503 server_busy while the pool was held")
    if tally.acked - acked_before < 20:
        problems.append(f"only {tally.acked - acked_before} writes acknowledged after the lock "
                        "was released")
    if get(serve.base + "/readyz")[0] != 200:
        problems.append("/readyz not 200 after the exhaustion")
    for k, v in burst.answers.items():
        tally.answers["reads: " + k] += v
    slowest = max(tally.slowest_5xx, burst.slowest_5xx)
    report("d) pool exhaustion (3 connections, 4 s row lock)", tally, load, sink,
           f"; while held: {', '.join(f'{k}: {v}' for k, v in sorted(locked_answers.items()))};"
           f" slowest 503 {slowest:.2f} s", problems)
    serve.stop()


def main():
    started = time.time()
    sink = Sink()
    sink.start()
    serve = Serve(PORT, "serve")
    serve.start()
    learners = prepare(serve.base)
    if not drain(30):
        fatal("the setup's verification mails were not delivered")
    log(f"setup: {LEARNERS} enrolled learners ({sum(1 for l in learners if l[3])} with an open"
        f" quiz attempt to autosave), serve on {serve.base}, SMTP sink on {SINK_PORT}"
        f" ({time.time() - started:.1f} s)")
    load = Load(serve.base, learners)
    scenario_postgres(serve, load, sink)
    scenario_kill(serve, load, sink)
    scenario_smtp(serve, load, sink)
    serve.stop()
    scenario_pool(load, sink, learners)
    sink.stop()
    log(f"{len(SUMMARY) - len(FAILURES)} of {len(SUMMARY)} scenarios passed in "
        f"{time.time() - started:.0f} s: " + "; ".join(SUMMARY))
    sys.exit(1 if FAILURES else 0)


main()
