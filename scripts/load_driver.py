"""The driver of scripts/load.sh: the hot learner routes, closed loop for capacity, then a fixed rate.

    python3 scripts/load_driver.py --base URL --pid SERVE_PID --database URL
        [--learners N] [--capacity-seconds S] [--connections C] [--seconds S] [--fraction F]
        [--rate R] [--out FILE]

1. Prepares N learners of the seeded cohort (`benchside seed` accounts, password
   `seed-learner-password`): a login each, their enrolment, the lesson they would read next, a
   lesson they completed (re-completing it changes nothing), and, where the course lets them,
   an open quiz attempt with a numeric question for autosaves.
2. Capacity: C connections in a closed loop (each sends its next request when the answer
   arrives) for S seconds after a 5 s warm-up; capacity is the throughput of that phase.
3. The run: an open loop at a fixed rate (F x capacity, or --rate): request i is due at
   t0 + i / rate whatever the answers do, and its latency is counted from when it was due, not
   from when a connection was free to send it (no coordinated omission). Connections are
   opened as needed, up to --max-connections (default 64, twice the capacity phase's): past
   that, due requests wait in the driver, and the wait counts in their latency (as with
   wrk2's fixed connections; an unbounded number of connections makes an overloaded server
   slower still, behind a load balancer's bounded upstream pool that does not happen).

The mix (one in 20): heartbeat 6, lesson read 5, enrolment detail 3, dashboard 2, lesson
re-completion 2, quiz answer autosave 2 (the lesson read instead for a learner without an open
attempt). An error is any answer other than 2xx, a connection error or no answer in 10 s.

Prints the figures and, with --out, writes them as JSON. The serve process's RSS is sampled
from /proc every 0.5 s (and its VmHWM, the kernel's peak, read at the end); its CPU time
from /proc/PID/stat; the machine's load from /proc/loadavg.
"""

import argparse
import array
import asyncio
import collections
import json
import os
import resource
import subprocess
import sys
import time
import urllib.error
import urllib.request

PASSWORD = "seed-learner-password"
TIMEOUT = 10.0
# (kind, weight) in a cycle of 20.
MIX = [("heartbeat", 6), ("lesson", 5), ("enrolment", 3), ("dashboard", 2), ("completion", 2),
       ("autosave", 2)]
CYCLE = [k for k, w in MIX for _ in range(w)]
# Spread the kinds over the cycle instead of running each in a block.
CYCLE = [CYCLE[(i * 7) % 20] for i in range(20)]


def die(msg):
    print(f"load: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


# ---- setup (plain blocking HTTP) --------------------------------------------------------------

def call(base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, (json.loads(raw) if raw else None)
        except ValueError:
            return e.code, None


def psql(database, sql):
    out = subprocess.run(["psql", "-X", "-q", "-At", database, "-c", sql],
                         check=True, capture_output=True, text=True)
    return [line.split("|") for line in out.stdout.splitlines() if line]


def prepare(base, database, n):
    """Learners spread over the seeded progress: every k-th seeded account with a next lesson."""
    rows = psql(database, f"""
        SELECT u.email FROM users u JOIN enrolments e ON e.user_id = u.id
         WHERE u.email LIKE 'seed-%@example.org' AND e.state = 'active'
           AND e.completed_at IS NULL
         ORDER BY u.email""")
    # Spread over the cohort's progress; a learner whose every request of the mix does not
    # answer 2xx here (nothing completed yet, the next lesson locked) is passed over.
    step = max(1, len(rows) // (2 * n))
    emails = [rows[i][0] for i in range(0, len(rows), step)]
    learners, attempts, skipped = [], 0, 0
    for addr in emails:
        if len(learners) == n:
            break
        status, body = call(base, "POST", "/api/v1/auth/login",
                            {"email": addr, "password": PASSWORD})
        if status != 200:
            die(f"login {addr} -> {status} {body}")
        token = body["access_token"]
        status, mine = call(base, "GET", "/api/v1/me/enrolments", token=token)
        if status != 200 or not mine:
            die(f"dashboard of {addr} -> {status} {mine}")
        eid = mine["enrolments"][0]["id"]
        status, detail = call(base, "GET", f"/api/v1/enrolments/{eid}", token=token)
        if status != 200:
            die(f"enrolment of {addr} -> {status} {detail}")
        lessons = [l for m in detail["modules"] for l in m["lessons"]]
        nxt = (detail.get("next_lesson") or {}).get("slug") or lessons[0]["slug"]
        done = [l["slug"] for l in lessons if l["completed"]]
        if not done:
            skipped += 1
            continue
        redo = done[-1]
        checks = [call(base, "PUT", f"/api/v1/enrolments/{eid}/lessons/{redo}/completion",
                       token=token)[0],
                  call(base, "GET", f"/api/v1/enrolments/{eid}/lessons/{nxt}", token=token)[0],
                  call(base, "POST", f"/api/v1/enrolments/{eid}/lessons/{nxt}/heartbeat",
                       {"seconds": 15, "position": {"scroll": 0}}, token=token)[0]]
        if any(not 200 <= c < 300 for c in checks):
            skipped += 1
            continue
        attempt = question = None
        for m in detail["modules"]:
            quiz = m.get("quiz")
            if not quiz or m["locked"] or not all(l["completed"] for l in m["lessons"]):
                continue
            status, body = call(base, "POST", f"/api/v1/enrolments/{eid}/quizzes/"
                                f"{quiz['slug']}/attempts", token=token)
            if status == 201:
                numeric = [q["key"] for q in body["questions"] if q["type"] == "numeric"]
                if numeric:
                    attempt, question = body["id"], numeric[0]
                    attempts += 1
                    break
        learners.append({"token": token, "enrolment": eid, "next": nxt, "redo": redo,
                         "attempt": attempt, "question": question})
    if len(learners) < n:
        die(f"only {len(learners)} of the seeded learners can take the whole mix ({skipped} "
            f"passed over), {n} wanted (seed more)")
    return learners, attempts


def requests_for(host, learners):
    """Every learner's request of every kind, as raw HTTP/1.1 bytes, indexed [learner][kind]."""
    def raw(method, path, token, body=None):
        head = (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                "Accept: application/json\r\n")
        if body is None:
            if method in ("PUT", "POST"):
                head += "Content-Length: 0\r\n"
            return (head + "\r\n").encode()
        data = json.dumps(body, separators=(",", ":")).encode()
        return (head + f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                ).encode() + data

    out = []
    for i, l in enumerate(learners):
        e, t = f"/api/v1/enrolments/{l['enrolment']}", l["token"]
        lesson = f"{e}/lessons/{l['next']}"
        reqs = {
            "heartbeat": raw("POST", f"{lesson}/heartbeat", t,
                             {"seconds": 15, "position": {"scroll": i % 100}}),
            "lesson": raw("GET", lesson, t),
            "enrolment": raw("GET", e, t),
            "dashboard": raw("GET", "/api/v1/me/enrolments", t),
            "completion": raw("PUT", f"{e}/lessons/{l['redo']}/completion", t),
        }
        reqs["autosave"] = (raw("PUT", f"/api/v1/attempts/{l['attempt']}/answers", t,
                                {"answers": {l["question"]: {"value": i % 50}}})
                            if l["attempt"] else reqs["lesson"])
        out.append(reqs)
    return out


# ---- a small HTTP/1.1 keep-alive client --------------------------------------------------------

class Conn(asyncio.Protocol):
    def __init__(self):
        self.buf = bytearray()
        self.waiter = None
        self.transport = None
        self.closed = False

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        self.closed = True
        if self.waiter and not self.waiter.done():
            self.waiter.set_result(0)

    def data_received(self, data):
        self.buf += data
        if self.waiter is None or self.waiter.done():
            return
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buf[:end]).lower()
        status = int(head[9:12])
        i = head.find(b"\r\ncontent-length:")
        if i >= 0:
            j = head.find(b"\r\n", i + 2)
            total = end + 4 + int(head[i + 17:j if j >= 0 else len(head)])
            if len(self.buf) < total:
                return
            del self.buf[:total]
        elif b"\r\ntransfer-encoding: chunked" in head:
            stop = self.buf.find(b"\r\n0\r\n\r\n", end)
            if stop < 0:
                return
            del self.buf[:stop + 7]
        else:
            del self.buf[:end + 4]
        self.waiter.set_result(status)

    async def send(self, data):
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.waiter


class Stats:
    def __init__(self):
        self.lat = {k: array.array("f") for k, _ in MIX}   # milliseconds
        self.errors = {}
        self.sent = 0

    def record(self, kind, ms, status):
        self.lat[kind].append(ms)
        if not 200 <= status < 300:
            key = f"{kind} {status or 'connection'}" if status != -1 else f"{kind} timeout"
            self.errors[key] = self.errors.get(key, 0) + 1

    def all(self):
        return sorted(x for a in self.lat.values() for x in a)


def pct(sorted_values, p):
    if not sorted_values:
        return 0.0
    return float(sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))])


class Client:
    def __init__(self, host, port, reqs, max_connections):
        self.host, self.port, self.reqs = host, port, reqs
        self.max_connections = max_connections
        self.idle = []
        self.open = 0
        self.opened = 0
        self.waiters = collections.deque()

    async def connect(self):
        self.open += 1
        self.opened += 1
        try:
            _, proto = await asyncio.get_running_loop().create_connection(
                Conn, self.host, self.port)
        except OSError:
            self.open -= 1
            raise
        return proto

    async def take(self):
        """An idle connection (reused: True), a new one, or the next one given back."""
        while self.idle:
            c = self.idle.pop()
            if not c.closed:
                return c, True
            self.open -= 1
        if self.open < self.max_connections:
            return await self.connect(), False
        fut = asyncio.get_running_loop().create_future()
        self.waiters.append(fut)
        return await fut, True

    def give(self, c):
        if c.closed:
            self.open -= 1
            if self.waiters:
                asyncio.get_running_loop().create_task(self.replace())
            return
        while self.waiters:
            fut = self.waiters.popleft()
            if not fut.done():
                fut.set_result(c)
                return
        self.idle.append(c)

    async def replace(self):
        try:
            self.give(await self.connect())
        except OSError:
            pass

    async def one(self, n, stats, due):
        """Request number n (its learner and kind follow from n); latency from `due`."""
        loop = asyncio.get_running_loop()
        kind = CYCLE[n % 20]
        data = self.reqs[(n // 20 * 7 + n) % len(self.reqs)][kind]
        status = 0
        for _ in range(2):
            try:
                c, reused = await self.take()
            except OSError:
                break
            try:
                status = await asyncio.wait_for(c.send(data), TIMEOUT)
            except asyncio.TimeoutError:
                status = -1
                c.transport.close()
                c.closed = True
            self.give(c)
            # A kept-alive connection the server closed while it was idle: send again on a
            # new one, as HTTP clients do (nothing of the request was answered).
            if not (status == 0 and reused):
                break
        stats.sent += 1
        stats.record(kind, (loop.time() - due) * 1000.0, status)


async def closed_loop(client, connections, seconds, stats):
    loop = asyncio.get_running_loop()
    stop = loop.time() + seconds
    counter = [0]

    async def worker():
        while loop.time() < stop:
            n = counter[0]
            counter[0] += 1
            await client.one(n, stats, loop.time())

    await asyncio.gather(*(worker() for _ in range(connections)))


async def open_loop(client, rate, seconds, stats, sampler):
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    total = int(rate * seconds)
    n = 0
    tasks = set()
    lag = 0.0
    while n < total:
        now = loop.time()
        due_n = min(total, int((now - t0) * rate) + 1)
        while n < due_n:
            t = loop.create_task(client.one(n, stats, t0 + n / rate))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
            n += 1
        # How late the driver itself issued the last due request (its own lag, not the server's).
        lag = max(lag, now - (t0 + (n - 1) / rate))
        await asyncio.sleep(0.002)
    await asyncio.gather(*list(tasks))
    return loop.time() - t0, lag


# ---- the serve process -----------------------------------------------------------------------

class Sampler:
    def __init__(self, pid):
        self.pid = pid
        self.peak_rss_kb = 0
        self.next_at = 0.0
        self.next_load_at = 0.0
        self.loads = []

    def rss_kb(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def hwm_kb(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def cpu_secs(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tick(self, force=False):
        now = time.monotonic()
        if force or now >= self.next_at:
            self.next_at = now + 0.5
            self.peak_rss_kb = max(self.peak_rss_kb, self.rss_kb())
        if force or now >= self.next_load_at:
            self.next_load_at = now + 10
            with open("/proc/loadavg") as f:
                self.loads.append(float(f.read().split()[0]))

    async def run(self, stop):
        while not stop.is_set():
            self.tick(force=False)
            await asyncio.sleep(0.5)


def summary(stats, seconds, label):
    values = stats.all()
    errors = sum(stats.errors.values())
    per = {k: {"n": len(a), "p50_ms": round(pct(sorted(a), 50), 2),
               "p99_ms": round(pct(sorted(a), 99), 2)} for k, a in stats.lat.items()}
    out = {"phase": label, "seconds": round(seconds, 1), "requests": len(values),
           "throughput_rps": round(len(values) / seconds, 1),
           "p50_ms": round(pct(values, 50), 2), "p90_ms": round(pct(values, 90), 2),
           "p99_ms": round(pct(values, 99), 2), "p999_ms": round(pct(values, 99.9), 2),
           "max_ms": round(values[-1], 2) if values else 0.0,
           "errors": errors, "errors_by_kind": stats.errors, "by_route": per}
    print(f"load: {label}: {out['requests']} requests in {out['seconds']} s = "
          f"{out['throughput_rps']}/s; p50 {out['p50_ms']} ms, p90 {out['p90_ms']} ms, "
          f"p99 {out['p99_ms']} ms, p99.9 {out['p999_ms']} ms, max {out['max_ms']} ms; "
          f"errors {errors} {stats.errors or ''}", flush=True)
    for k, v in per.items():
        print(f"load:   {k:<10} {v['n']:>8}  p50 {v['p50_ms']:>7} ms  p99 {v['p99_ms']:>7} ms")
    return out


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--database", required=True)
    ap.add_argument("--learners", type=int, default=200)
    ap.add_argument("--capacity-seconds", type=float, default=30)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--max-connections", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--fraction", type=float, default=0.8)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--out")
    a = ap.parse_args()
    host, port = a.base.split("//")[1].split(":")
    port = int(port.rstrip("/"))

    t = time.time()
    learners, attempts = prepare(a.base, a.database, a.learners)
    print(f"load: {len(learners)} learners logged in ({attempts} with an open quiz attempt) in "
          f"{time.time() - t:.1f} s", flush=True)
    client = Client(host, port, requests_for(f"{host}:{port}", learners), a.max_connections)
    sampler = Sampler(a.pid)
    result = {"learners": len(learners), "open_attempts": attempts,
              "mix": dict(MIX), "connections": a.connections}

    with open("/proc/loadavg") as f:
        result["loadavg_before"] = f.read().split()[:3]
    if a.rate:
        rate = a.rate
    else:
        await closed_loop(client, a.connections, 5, Stats())  # warm-up
        stats = Stats()
        t = time.monotonic()
        await closed_loop(client, a.connections, a.capacity_seconds, stats)
        result["capacity"] = summary(stats, time.monotonic() - t,
                                     f"capacity ({a.connections} connections, closed loop)")
        rate = round(result["capacity"]["throughput_rps"] * a.fraction)
    result["rate"] = rate
    print(f"load: fixed rate {rate}/s for {a.seconds:.0f} s", flush=True)
    cpu0, ru0 = sampler.cpu_secs(), resource.getrusage(resource.RUSAGE_SELF)
    sampler.peak_rss_kb = 0
    sampler.tick(force=True)
    rss_start = sampler.rss_kb()
    stats = Stats()
    stop = asyncio.Event()
    bg = asyncio.create_task(sampler.run(stop))
    took, lag = await open_loop(client, rate, a.seconds, stats, sampler)
    stop.set()
    await bg
    sampler.tick(force=True)
    run = summary(stats, took, f"fixed rate {rate}/s")
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    run.update({
        "target_rps": rate,
        "serve_rss_start_mb": round(rss_start / 1024, 1),
        "serve_rss_end_mb": round(sampler.rss_kb() / 1024, 1),
        "serve_rss_peak_sampled_mb": round(sampler.peak_rss_kb / 1024, 1),
        "serve_vmhwm_mb": round(sampler.hwm_kb() / 1024, 1),
        "serve_cpu_cores": round((sampler.cpu_secs() - cpu0) / took, 2),
        "driver_cpu_cores": round((ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime)
                                  / took, 2),
        "loadavg_1m_samples": sampler.loads,
        "connections_open_at_end": client.open,
        "connections_opened": client.opened,
        "driver_max_lag_ms": round(lag * 1000, 1),
    })
    result["run"] = run
    with open("/proc/loadavg") as f:
        result["loadavg_after"] = f.read().split()[:3]
    print(f"load: serve RSS {run['serve_rss_start_mb']} MB at the start, peak "
          f"{run['serve_rss_peak_sampled_mb']} MB (sampled every 0.5 s; VmHWM "
          f"{run['serve_vmhwm_mb']} MB), {run['serve_rss_end_mb']} MB at the end; serve used "
          f"{run['serve_cpu_cores']} cores, the driver {run['driver_cpu_cores']}; "
          f"{client.opened} connections opened; driver lag at most {run['driver_max_lag_ms']} ms; "
          f"load average "
          f"{min(sampler.loads, default=0)}-{max(sampler.loads, default=0)}", flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    if run["errors"]:
        die(f"{run['errors']} requests failed: {run['errors_by_kind']}")


if __name__ == "__main__":
    asyncio.run(main())
