"""The load and the checks of scripts/multi-process.sh (run by it, not on its own).

argv: DIR SECONDS LEARNERS SIGNUPS DIRECT_DATABASE_URL
DIR holds a.pid, b.pid and the app processes' data directories (a/mail, b/mail: one .eml per
sent mail, named by the file transport).
"""

import concurrent.futures as cf
import email
import json
import os
import pathlib
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

DIR = pathlib.Path(sys.argv[1])
SECONDS, LEARNERS, SIGNUPS = (int(a) for a in sys.argv[2:5])
DIRECT = sys.argv[5]
LB, A, B = "http://127.0.0.1:18080", "http://127.0.0.1:18081", "http://127.0.0.1:18082"
PASSWORD = "calibrate-the-analyzer"
COURSE = "phlebotomy-technician"


def fail(msg):
    print(f"multi: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def call(base, method, path, body=None, token=None, cookie=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None), r.headers
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, (json.loads(raw) if raw else None), e.headers


def psql(sql):
    out = subprocess.run(["psql", "-X", "-q", "-At", DIRECT, "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def register(base, addr, name):
    status, body, _ = call(base, "POST", "/api/v1/auth/register",
                           {"email": addr, "name": name, "password": PASSWORD})
    if status != 201:
        fail(f"register {addr} -> {status} {body}")


def login(base, addr):
    status, body, headers = call(base, "POST", "/api/v1/auth/login",
                                 {"email": addr, "password": PASSWORD})
    if status != 200:
        fail(f"login {addr} on {base} -> {status} {body}")
    cookie = next(c.split(";")[0] for c in headers.get_all("Set-Cookie")
                  if c.startswith("benchside_refresh="))
    return body["access_token"], cookie


def make_learner(i):
    addr = f"load{i}@example.org"
    register(LB, addr, f"Load Learner {i}")
    return addr


def prepare_learners():
    with cf.ThreadPoolExecutor(8) as pool:
        addrs = list(pool.map(make_learner, range(LEARNERS)))
    psql("UPDATE users SET email_verified_at = now() WHERE email LIKE 'load%@example.org'")
    lines = []
    for addr in addrs:
        token, _ = login(LB, addr)
        status, enrolment, _ = call(LB, "POST", f"/api/v1/courses/{COURSE}/enrolment", token=token)
        if status != 201:
            fail(f"enrol {addr} -> {status} {enrolment}")
        status, detail, _ = call(LB, "GET", f"/api/v1/enrolments/{enrolment['id']}", token=token)
        lines.append(f"{token} {enrolment['id']} {detail['next_lesson']['slug']}")
    path = DIR / "learners.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def check_sessions():
    """A session started on A is good on B; ended on A, it is refused on B."""
    addr = "load0@example.org"
    token, cookie = login(A, addr)
    if call(B, "GET", "/api/v1/me", token=token)[0] != 200:
        fail("an access token from process A is refused by process B")
    status, body, headers = call(B, "POST", "/api/v1/auth/refresh", cookie=cookie)
    if status != 200:
        fail(f"a refresh cookie from A is refused by B: {status} {body}")
    token = body["access_token"]
    cookie = next(c.split(";")[0] for c in headers.get_all("Set-Cookie")
                  if c.startswith("benchside_refresh="))
    if call(A, "POST", "/api/v1/auth/logout", token=token, cookie=cookie)[0] != 204:
        fail("logout on A")
    deadline = time.time() + 10
    while call(B, "GET", "/api/v1/me", token=token)[0] == 200:
        if time.time() > deadline:
            fail("a session ended on A is still accepted by B after 10 s")
        time.sleep(0.2)
    print("multi: sessions: a login on A is valid on B, refreshes on B, and its logout on A "
          "is honoured by B")


def signups(results):
    def one(i):
        t = time.time()
        register(LB, f"signup{i}@example.org", f"Signup {i}")
        return time.time() - t
    with cf.ThreadPoolExecutor(4) as pool:
        results.extend(pool.map(one, range(SIGNUPS)))


def vm(pid, key):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    return 0


def run_load(learners_file):
    env = dict(os.environ, MULTI_LEARNERS_FILE=str(learners_file))
    signup_times = []
    t = threading.Thread(target=signups, args=(signup_times,))
    t.start()
    out = subprocess.run(["wrk", "-t2", "-c40", f"-d{SECONDS}s", "--latency",
                          "-s", "scripts/multi-load.lua", LB],
                         env=env, check=True, capture_output=True, text=True).stdout
    t.join()
    m = re.search(r"MULTI_RESULT (\S+) (\S+) (\S+) (\d+) (\d+) (\d+)", out)
    if not m:
        fail(f"wrk printed no result:\n{out}")
    rps, p50, p99 = (float(x) for x in m.groups()[:3])
    non2xx, sock, total = (int(x) for x in m.groups()[3:])
    print(f"multi: load {SECONDS} s, 40 connections through nginx: {total} requests, "
          f"{rps:.0f}/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, non-2xx {non2xx}, "
          f"socket errors {sock}; {len(signup_times)} sign-ups alongside")
    if non2xx or sock:
        fail("requests failed under load")


def drain():
    deadline = time.time() + 120
    while True:
        # A mail is sent by its job (mail_outbox.job_id): none pending or running, none left.
        left = psql("SELECT count(*) FROM jobs WHERE state IN ('pending', 'running')")
        if left == "0":
            return
        if time.time() > deadline:
            fail(f"{left} jobs or mails still queued after 120 s")
        time.sleep(0.5)


def check_mail():
    drain()
    ids, recipients = [], []
    for eml in list((DIR / "a" / "mail").glob("*.eml")) + list((DIR / "b" / "mail").glob("*.eml")):
        msg = email.message_from_bytes(eml.read_bytes())
        ids.append(msg["Message-ID"])
        recipients.append(msg["To"])
    sent = int(psql("SELECT count(*) FROM mail_outbox WHERE sent_at IS NOT NULL"))
    failed = int(psql("SELECT count(*) FROM mail_outbox o JOIN jobs j ON j.id = o.job_id"
                      " WHERE j.state = 'failed'"))
    rerun = int(psql("SELECT count(*) FROM jobs WHERE attempts > 1"))
    if failed:
        fail(f"{failed} mails failed")
    if len(ids) != len(set(ids)):
        fail(f"{len(ids) - len(set(ids))} mails were delivered twice")
    if len(ids) != sent:
        fail(f"{sent} mails marked sent but {len(ids)} delivered")
    for i in range(SIGNUPS):
        n = sum(1 for r in recipients if f"signup{i}@example.org" in r)
        if n != 1:
            fail(f"signup{i}@example.org received {n} verification mails")
    if rerun:
        fail(f"{rerun} jobs ran more than once")
    per = [len(list((DIR / p / "mail").glob("*.eml"))) for p in ("a", "b")]
    print(f"multi: mail: {len(ids)} sent exactly once ({per[0]} by A, {per[1]} by B), "
          f"every sign-up got one verification mail, no job ran twice")


def main():
    learners_file = prepare_learners()
    check_sessions()
    run_load(learners_file)
    check_mail()
    pids = [int((DIR / f"{p}.pid").read_text()) for p in ("a", "b")]
    print("multi: peak RSS " + ", ".join(f"{p} {vm(pid, 'VmHWM')} MB"
                                         for p, pid in zip("AB", pids)))
    print("multi: OK")


main()
