#!/usr/bin/env python3
"""Helpers for scripts/bench-submit.sh (standard library only).

  bench_submit.py course DIR
      Write the bench-only course `bench-submit` under DIR: one module with one lesson, a bank
      of 66 questions (11 of each type) and the course-level quiz `bench-exam` drawing 50.
  bench_submit.py prepare BASE_URL EMAIL_PREFIX FIRST COUNT PASSWORD OUT [THREADS]
      For learners EMAIL_PREFIX-FIRST .. EMAIL_PREFIX-(FIRST+COUNT-1) @example.org (already in
      the database and verified): log in, enrol, start an attempt at `bench-exam` and save an
      answer to each of its 50 questions. Writes one `token attempt_id` line per learner to OUT.
  bench_submit.py count BASE_URL PROXY_PORT UPSTREAM_HOST:PORT EMAIL_PREFIX FIRST COUNT PASSWORD
      Run a counting proxy on 127.0.0.1:PROXY_PORT in front of PostgreSQL, wait until a server
      using it answers on BASE_URL, then for each learner start, save, submit and submit again,
      one request at a time, and print how many statements each request sent to PostgreSQL
      (extended-protocol Execute messages plus simple Query messages).
"""
import json
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

COURSE = "bench-submit"
QUIZ = "bench-exam"
TYPES = ["single", "multiple", "true_false", "matching", "ordering", "numeric"]
PER_TYPE = 11
DRAW = 50

# ---- the course -------------------------------------------------------------------------------


def q(s):
    return json.dumps(s)  # a TOML basic string is a JSON string for this ASCII text


def question(kind, i):
    slug = f"{kind.replace('_', '-')}-{i:02d}"
    lines = ["[[questions]]", f"slug = {q(slug)}", f"type = {q(kind)}"]
    expl = f"Bench question {slug}: generated for load testing; the answer is fixed by construction."
    if kind == "single":
        lines.append(f"prompt = {q(f'Bench single-choice question {i}: which choice is right?')}")
        lines.append("choices = [")
        lines += [f"  {{ text = {q(f'Choice {c} of question {i}')}{', correct = true' if c == 1 else ''} }}," for c in range(1, 5)]
        lines.append("]")
    elif kind == "multiple":
        lines.append(f"prompt = {q(f'Bench multiple-choice question {i}: select all that apply.')}")
        lines.append("choices = [")
        lines += [f"  {{ text = {q(f'Option {c} of question {i}')}{', correct = true' if c <= 2 else ''} }}," for c in range(1, 6)]
        lines.append("]")
    elif kind == "true_false":
        lines.append(f"prompt = {q(f'Bench statement {i} is true.')}")
        lines.append(f"answer = {'true' if i % 2 else 'false'}")
    elif kind == "matching":
        lines.append(f"prompt = {q(f'Bench matching question {i}: match each item to its partner.')}")
        lines.append("pairs = [")
        lines += [f"  {{ left = {q(f'Left {p} ({i})')}, right = {q(f'Right {p} ({i})')} }}," for p in range(1, 5)]
        lines.append("]")
        lines.append(f"distractors = [{q(f'Distractor ({i})')}]")
    elif kind == "ordering":
        lines.append(f"prompt = {q(f'Bench ordering question {i}: put the steps in order.')}")
        lines.append("items = [" + ", ".join(q(f"Step {s} ({i})") for s in range(1, 6)) + "]")
    elif kind == "numeric":
        lines.append(f"prompt = {q(f'Bench numeric question {i}: what is {i} times 4?')}")
        lines.append(f"answer = {i * 4}.0")
        lines.append("tolerance = 0.05")
        lines.append('unit = "mg/dL"')
    lines.append(f"explanation = {q(expl)}")
    return "\n".join(lines) + "\n"


def write_course(root):
    course = os.path.join(root, COURSE)
    module = os.path.join(course, "modules", "01-bench-module")
    os.makedirs(module, exist_ok=True)
    with open(os.path.join(course, "course.toml"), "w") as f:
        f.write(f'''slug = "{COURSE}"
title = "Benchmark course"
summary = "A generated course used only by scripts/bench-submit.sh to load-test quiz submission."
description = """
Generated for load testing: one module, one lesson and a {DRAW}-question course-level quiz.
"""
level = "beginner"
estimated_hours = 1
contact_hours = 1.0
sequential = false
access_days = 365
published = true

[completion]
all_lessons = true
quizzes = []
externship = false

[[quizzes]]
slug = "{QUIZ}"
title = "Benchmark exam"
final = false
pass_percent = 70
max_attempts = 0
time_limit_minutes = 0
cooldown_minutes = 0
review = "after_submit"
requires_other_requirements = false
draw = [ {{ bank = "bench-module", count = {DRAW} }} ]
''')
    with open(os.path.join(module, "module.toml"), "w") as f:
        f.write('title = "Benchmark module"\n'
                'summary = "The only module of the benchmark course."\n')
    with open(os.path.join(module, "01-bench-lesson.md"), "w") as f:
        f.write('''+++
title = "Benchmark lesson"
estimated_minutes = 5
objectives = ["Exist so that the benchmark course is valid"]
free_preview = false
+++

This lesson exists only so that the generated benchmark course is valid.

## References

1. Benchside. *Course content format*, courses/README.md in this repository.
''')
    with open(os.path.join(module, "questions.toml"), "w") as f:
        for i in range(1, PER_TYPE + 1):
            for kind in TYPES:
                f.write(question(kind, i) + "\n")


# ---- HTTP -------------------------------------------------------------------------------------


def call(base, method, path, token=None, body=None, ok=(200, 201)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    if status not in ok:
        raise RuntimeError(f"{method} {path} -> {status}: {text[:300]!r}")
    return json.loads(text) if text else None


def answer(qn):
    kind = qn["type"]
    if kind == "single":
        return {"choice": qn["choices"][0]["key"]}
    if kind == "multiple":
        return {"choices": [c["key"] for c in qn["choices"][:2]]}
    if kind == "true_false":
        return {"value": True}
    if kind == "matching":
        return {"pairs": {l["key"]: r["key"] for l, r in zip(qn["left"], qn["right"])}}
    if kind == "ordering":
        return {"order": [i["key"] for i in qn["items"]]}
    if kind == "numeric":
        return {"value": 4.0}
    raise RuntimeError(f"unknown question type {kind}")


def login(base, email, password):
    return call(base, "POST", "/api/v1/auth/login", body={"email": email, "password": password})["access_token"]


def start(base, token):
    enrolment = call(base, "POST", f"/api/v1/courses/{COURSE}/enrolment", token)["id"]
    return call(base, "POST", f"/api/v1/enrolments/{enrolment}/quizzes/{QUIZ}/attempts", token)


def save_all(base, token, attempt):
    body = {"answers": {qn["key"]: answer(qn) for qn in attempt["questions"]}}
    saved = call(base, "PUT", f"/api/v1/attempts/{attempt['id']}/answers", token, body)
    if saved["saved"] != DRAW:
        raise RuntimeError(f"saved {saved['saved']} answers, expected {DRAW}")


def prepare(base, prefix, first, count, password, out, threads=8):
    def one(i):
        token = login(base, f"{prefix}-{i}@example.org", password)
        attempt = start(base, token)
        if len(attempt["questions"]) != DRAW or attempt["state"] != "open":
            raise RuntimeError(f"attempt {attempt['id']}: {len(attempt['questions'])} questions, {attempt['state']}")
        save_all(base, token, attempt)
        return f"{token} {attempt['id']}"

    t0 = time.time()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        lines = list(pool.map(one, range(first, first + count)))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"prepared {len(lines)} open attempts with {DRAW} saved answers each in {time.time() - t0:.1f} s",
          file=sys.stderr)


# ---- statement counting proxy ------------------------------------------------------------------


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.n = {"E": 0, "Q": 0, "P": 0, "S": 0}

    def add(self, kind):
        with self.lock:
            if kind in self.n:
                self.n[kind] += 1

    def snapshot(self):
        with self.lock:
            return dict(self.n)


def pipe_client(src, dst, counter):
    """Forward client -> server bytes, counting frontend message types after startup."""
    buf = b""
    started = False
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
            buf += data
            while True:
                if not started:  # untyped: SSLRequest / GSSENCRequest / StartupMessage
                    if len(buf) < 8:
                        break
                    n = int.from_bytes(buf[:4], "big")
                    if len(buf) < n:
                        break
                    code = int.from_bytes(buf[4:8], "big")
                    buf = buf[n:]
                    if code == 196608:  # protocol 3.0 startup
                        started = True
                    continue
                if len(buf) < 5:
                    break
                n = int.from_bytes(buf[1:5], "big")
                if len(buf) < n + 1:
                    break
                counter.add(chr(buf[0]))
                buf = buf[n + 1:]
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def pipe_server(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass


def proxy(port, upstream, counter):
    host, uport = upstream.rsplit(":", 1)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)

    def serve():
        while True:
            c, _ = ls.accept()
            u = socket.create_connection((host, int(uport)))
            for s in (c, u):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=pipe_client, args=(c, u, counter), daemon=True).start()
            threading.Thread(target=pipe_server, args=(u, c), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()


def count(base, port, upstream, prefix, first, n, password):
    counter = Counter()
    proxy(port, upstream, counter)
    for _ in range(600):
        try:
            call(base, "GET", "/readyz")
            break
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    else:
        raise RuntimeError(f"no server on {base}")

    def measured(fn):
        time.sleep(0.1)  # let anything still in flight land
        before = counter.snapshot()
        result = fn()
        time.sleep(0.1)
        after = counter.snapshot()
        return result, {k: after[k] - before[k] for k in after}

    rows = {"start": [], "save (50 answers)": [], "submit (grades)": [], "submit again": []}
    for i in range(first, first + n):
        token = login(base, f"{prefix}-{i}@example.org", password)
        enrolment = call(base, "POST", f"/api/v1/courses/{COURSE}/enrolment", token)["id"]
        attempt, d = measured(lambda: call(base, "POST", f"/api/v1/enrolments/{enrolment}/quizzes/{QUIZ}/attempts", token))
        rows["start"].append(d)
        _, d = measured(lambda: save_all(base, token, attempt))
        rows["save (50 answers)"].append(d)
        path = f"/api/v1/attempts/{attempt['id']}/submit"
        result, d = measured(lambda: call(base, "POST", path, token))
        assert result["state"] == "submitted" and len(result["result"]["questions"]) == DRAW
        rows["submit (grades)"].append(d)
        _, d = measured(lambda: call(base, "POST", path, token))
        rows["submit again"].append(d)

    print(f"statements sent to PostgreSQL per request ({n} learners, one request at a time;")
    print("Execute = extended-protocol statements, Query = simple-protocol strings, Sync = round trips):")
    for name, ds in rows.items():
        def span(k):  # "min-max (most common)" or the one value
            vals = sorted(d[k] for d in ds)
            mode = max(set(vals), key=vals.count)
            return str(vals[0]) if vals[0] == vals[-1] else f"{vals[0]}-{vals[-1]} ({mode})"
        print(f"  {name:<20} Execute {span('E'):>9}  Query {span('Q'):>9}  Parse {span('P'):>9}  Sync {span('S'):>9}")
    print("Execute per learner, in order (an occasional +1 is a background query that landed in the window,")
    print("e.g. the session-revocation refresh every 2 s):")
    for name, ds in rows.items():
        print(f"  {name:<20} " + " ".join(str(d["E"]) for d in ds))


def main(argv):
    if len(argv) >= 2 and argv[1] == "course":
        write_course(argv[2])
    elif len(argv) >= 8 and argv[1] == "prepare":
        prepare(argv[2], argv[3], int(argv[4]), int(argv[5]), argv[6], argv[7],
                int(argv[8]) if len(argv) > 8 else 8)
    elif len(argv) == 9 and argv[1] == "count":
        count(argv[2], int(argv[3]), argv[4], argv[5], int(argv[6]), int(argv[7]), argv[8])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
