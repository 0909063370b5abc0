#!/usr/bin/env python3
"""Helpers for scripts/bench-instr.sh (standard library only; uses scripts/bench_submit.py).

  bench_instr.py prepare BASE_URL EMAIL_PREFIX COUNT PASSWORD OUT
      Learner EMAIL_PREFIX-0@example.org (the reader) enrols in `phlebotomy-technician` and in
      `bench-submit`, opens and completes the first lesson and starts an attempt at
      `bench-exam`; learners EMAIL_PREFIX-1 .. EMAIL_PREFIX-COUNT (already in the database
      and verified) each enrol in `phlebotomy-technician`, open every lesson open to them
      (none completed) and start an attempt at `bench-exam` with all 50 answers saved.
      Writes the plan as JSON to OUT.
  bench_instr.py count BASE_URL PLAN PROXY_PORT UPSTREAM_HOST:PORT N ROUTE...
      Runs the counting proxy of scripts/bench_submit.py on PROXY_PORT in front of PostgreSQL,
      waits until a server using it answers on BASE_URL, then for each ROUTE sends N requests
      one at a time after a warm-up of 5 and prints the statements (Execute), Parse and
      Sync (round trips) messages per request the server sent to PostgreSQL.
  bench_instr.py once PLAN ROUTE OUT
      Writes to OUT the "METHOD PATH TOKEN" lines of ROUTE's send-once requests (first
      completion of each open lesson of each prepared learner, or each prepared attempt's
      submit) for scripts/bench-once.lua, and prints how many.
  bench_instr.py measure BASE_URL PLAN PID N ROUTE...
      For each ROUTE, with the server running under `valgrind --tool=callgrind` as PID: a
      warm-up of 5 requests, then two windows of N/5 and N/5 + N sequential requests on one
      keep-alive connection, each window between `callgrind_control --zero` and `--dump`;
      prints the instructions per request as the difference of the two windows over N (what
      the process spends whatever the window's length, such as the dumps, cancels out).
"""
import glob
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_submit as bs  # noqa: E402

LESSON_COURSE = "phlebotomy-technician"
ROUTES = ["lesson", "completion", "dashboard", "enrolment", "autosave", "first-completion", "submit"]


def prepare(base, prefix, count, password, out):
    token = bs.login(base, f"{prefix}-0@example.org", password)
    enrolment = bs.call(base, "POST", f"/api/v1/courses/{LESSON_COURSE}/enrolment", token)["id"]
    bs.call(base, "POST", f"/api/v1/courses/{bs.COURSE}/enrolment", token)
    detail = bs.call(base, "GET", f"/api/v1/enrolments/{enrolment}", token)
    lesson = detail["next_lesson"]["slug"]
    # The lessons open to a new learner (first completions beyond the first lesson).
    open_lessons = [l["slug"] for m in detail["modules"] for l in m["lessons"] if not l["locked"]]
    path = f"/api/v1/enrolments/{enrolment}/lessons/{lesson}"
    bs.call(base, "GET", path, token)
    bs.call(base, "PUT", path + "/completion", token)
    attempt = bs.start(base, token)
    first = attempt["questions"][0]
    autosave = {"answers": {first["key"]: bs.answer(first)}}

    learners = []

    def one(i):
        t = bs.login(base, f"{prefix}-{i}@example.org", password)
        e = bs.call(base, "POST", f"/api/v1/courses/{LESSON_COURSE}/enrolment", t)["id"]
        # Opened, as the web app does before a completion: the first completions complete a
        # lesson the learner is reading (and the tables hold the rows a cohort has).
        for slug in open_lessons:
            bs.call(base, "GET", f"/api/v1/enrolments/{e}/lessons/{slug}", t)
        a = bs.start(base, t)
        bs.save_all(base, t, a)
        q = a["questions"][0]
        save = {"answers": {q["key"]: bs.answer(q)}}
        return {"token": t, "enrolment": e, "attempt": a["id"], "autosave": save}

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        learners = list(pool.map(one, range(1, count + 1)))
    plan = {
        "token": token,
        "enrolment": enrolment,
        "lesson": lesson,
        "open_lessons": open_lessons,
        "attempt": attempt["id"],
        "autosave": autosave,
        "learners": learners,
    }
    with open(out, "w") as f:
        json.dump(plan, f)


def requests_for(route, plan):
    """An endless supply of (method, path, token, body) for ROUTE."""
    e, lesson, token = plan["enrolment"], plan["lesson"], plan["token"]
    if route in ("lesson", "completion", "dashboard", "enrolment", "autosave"):
        one = {
            "lesson": ("GET", f"/api/v1/enrolments/{e}/lessons/{lesson}", None),
            "completion": ("PUT", f"/api/v1/enrolments/{e}/lessons/{lesson}/completion", None),
            "dashboard": ("GET", "/api/v1/me/enrolments", None),
            "enrolment": ("GET", f"/api/v1/enrolments/{e}", None),
            "autosave": ("PUT", f"/api/v1/attempts/{plan['attempt']}/answers", plan["autosave"]),
        }[route]
        if route == "autosave":
            # The web app shows an attempt before it saves into it: the server then holds its
            # draw and checks the answers in memory.
            yield "GET", f"/api/v1/attempts/{plan['attempt']}", token, None
        while True:
            yield one[0], one[1], token, one[2]
    for learner in plan["learners"][plan.setdefault("used_" + route, 0):]:
        plan["used_" + route] += 1
        if route == "first-completion":
            path = f"/api/v1/enrolments/{learner['enrolment']}/lessons/{lesson}/completion"
            yield "PUT", path, learner["token"], None
        elif route == "submit":
            yield "POST", f"/api/v1/attempts/{learner['attempt']}/submit", learner["token"], None
        else:
            raise SystemExit(f"unknown route {route}")
    raise SystemExit(f"{route}: not enough prepared learners")


def once(plan_file, route, out):
    """Writes the "METHOD PATH TOKEN [BODY]" lines of ROUTE's requests that may each be sent
    once (scripts/bench-once.lua): a first completion of every open lesson of every prepared
    learner (lesson by lesson, so that requests in flight are different learners'), the
    submit of every prepared attempt, or an autosave into every prepared attempt (its learner's
    first question). Prints how many."""
    with open(plan_file) as f:
        plan = json.load(f)
    lines = []
    if route == "first-completion":
        for lesson in plan["open_lessons"]:
            for learner in plan["learners"]:
                path = f"/api/v1/enrolments/{learner['enrolment']}/lessons/{lesson}/completion"
                lines.append(f"PUT {path} {learner['token']}")
    elif route == "submit":
        for learner in plan["learners"]:
            lines.append(f"POST /api/v1/attempts/{learner['attempt']}/submit {learner['token']}")
    elif route == "autosave-learners":
        # Each learner's own open attempt, its first answer saved again (a write each time, so
        # a request sent twice measures the same work: repeats are allowed for this route).
        for learner in plan["learners"]:
            body = json.dumps(learner["autosave"], separators=(",", ":"))
            lines.append(f"PUT /api/v1/attempts/{learner['attempt']}/answers {learner['token']} {body}")
    else:
        raise SystemExit(f"{route}: not a send-once route")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(len(lines))


def ctl(pid, *args):
    subprocess.run(["callgrind_control", *args, str(pid)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def dumped_total(pid, before):
    """The instruction total of the dump written since `before` (the set of earlier files)."""
    for _ in range(200):
        new = sorted(set(glob.glob(f"callgrind.out.{pid}*")) - before)
        if new:
            time.sleep(0.2)  # let the file be written out
            with open(new[-1]) as f:
                for line in f:
                    if line.startswith(("totals:", "summary:")):
                        return int(line.split()[1])
        time.sleep(0.1)
    raise SystemExit("no callgrind dump appeared")


def window(conn, pid, reqs, n):
    ctl(pid, "--zero")
    for _ in range(n):
        method, path, token, body = next(reqs)
        send(conn, method, path, token, body)
    before = set(glob.glob(f"callgrind.out.{pid}*"))
    ctl(pid, "--dump")
    return dumped_total(pid, before)


def send(conn, method, path, token, body):
    headers = {"Authorization": "Bearer " + token}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    text = r.read()
    if r.status >= 300:
        raise SystemExit(f"{method} {path} -> {r.status}: {text[:300]!r}")


def measure(base, plan_file, pid, n, routes):
    with open(plan_file) as f:
        plan = json.load(f)
    url = urllib.parse.urlparse(base)
    small = max(1, n // 5)
    print(f"instructions per request (callgrind, release build, one HTTP worker; "
          f"(windows of {small + n} - {small} requests) / {n}):")
    for route in routes:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
        reqs = requests_for(route, plan)
        for _ in range(5):
            send(conn, *next(reqs))
        a = window(conn, pid, reqs, small)
        b = window(conn, pid, reqs, small + n)
        conn.close()
        print(f"  {route:<18} {(b - a) / n / 1000:10.1f} k", flush=True)


class Messages:
    """Counts the frontend message types in a client's byte stream (as scripts/bench_submit.py)."""

    def __init__(self, counter):
        self.counter, self.buf, self.started = counter, b"", False

    def feed(self, data):
        self.buf += data
        while True:
            if not self.started:  # untyped: SSLRequest / GSSENCRequest / StartupMessage
                if len(self.buf) < 8:
                    return
                n = int.from_bytes(self.buf[:4], "big")
                if len(self.buf) < n:
                    return
                code = int.from_bytes(self.buf[4:8], "big")
                self.buf = self.buf[n:]
                self.started = code == 196608  # protocol 3.0 startup
                continue
            if len(self.buf) < 5:
                return
            n = int.from_bytes(self.buf[1:5], "big")
            if len(self.buf) < n + 1:
                return
            self.counter.add(chr(self.buf[0]))
            self.buf = self.buf[n + 1:]


class Turns:
    """Round trips of one proxied connection: client bytes after the server last spoke."""

    def __init__(self, counter):
        self.counter, self.server_spoke = counter, True

    def client(self, data):
        if self.server_spoke:
            self.server_spoke = False
            self.counter.add("R")

    def server(self, data):
        self.server_spoke = True


def pipe(src, dst, on_data):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            on_data(data)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (src, dst):
            try:
                sock.shutdown(2)
            except OSError:
                pass


def counting_proxy(port, upstream, counter):
    """scripts/bench_submit.py's proxy (message types), also counting round trips (R)."""
    import socket
    import threading

    host, uport = upstream.rsplit(":", 1)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)

    def serve():
        while True:
            c, _ = ls.accept()
            u = socket.create_connection((host, int(uport)))
            for sock in (c, u):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            turns, messages = Turns(counter), Messages(counter)

            def client_side(data, turns=turns, messages=messages):
                turns.client(data)
                messages.feed(data)

            threading.Thread(target=pipe, args=(c, u, client_side), daemon=True).start()
            threading.Thread(target=pipe, args=(u, c, turns.server), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()


def count(base, plan_file, port, upstream, n, routes):
    with open(plan_file) as f:
        plan = json.load(f)
    counter = bs.Counter()
    counter.n["R"] = 0
    counting_proxy(port, upstream, counter)
    for _ in range(600):
        try:
            bs.call(base, "GET", "/readyz")
            break
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    else:
        raise SystemExit(f"no server on {base}")
    url = urllib.parse.urlparse(base)
    print(f"sent to PostgreSQL per request (mean of {n}, one request at a time): Execute ="
          " statements, Parse = statements parsed (not prepared before on the connection),"
          " Query = simple-protocol strings (BEGIN, COMMIT), round trips = turns of the conversation:")
    for route in routes:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        reqs = requests_for(route, plan)
        for _ in range(5):
            send(conn, *next(reqs))
        time.sleep(0.2)
        before = counter.snapshot()
        for _ in range(n):
            send(conn, *next(reqs))
        time.sleep(0.2)
        after = counter.snapshot()
        conn.close()
        d = {k: (after[k] - before[k]) / n for k in after}
        print(f"  {route:<18} Execute {d['E']:5.2f}  Parse {d['P']:5.2f}  Query {d['Q']:5.2f}"
              f"  round trips {d['R']:5.2f}", flush=True)


def main(argv):
    if len(argv) == 7 and argv[1] == "prepare":
        prepare(argv[2], argv[3], int(argv[4]), argv[5], argv[6])
    elif len(argv) >= 7 and argv[1] == "count":
        count(argv[2], argv[3], int(argv[4]), argv[5], int(argv[6]), argv[7:] or ROUTES)
    elif len(argv) == 5 and argv[1] == "once":
        once(argv[2], argv[3], argv[4])
    elif len(argv) >= 6 and argv[1] == "measure":
        measure(argv[2], argv[3], int(argv[4]), int(argv[5]), argv[6:] or ROUTES)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
