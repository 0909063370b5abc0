#!/usr/bin/env python3
"""Fixed-rate (open-loop) load for scripts/bench-rate.sh (standard library only).

  bench_rate.py run BASE_URL PLAN ROUTE CONNECTIONS SECONDS [RATE]
      Sends ROUTE's requests (see scripts/bench_instr.py for the routes and PLAN, the file its
      `prepare` writes) over CONNECTIONS keep-alive HTTP/1.1 connections for SECONDS.
      Without RATE: closed loop, each connection sends its next request when the last one is
      answered (the maximum rate). With RATE: request i is due at start + i / RATE, whatever
      happened before it, and its latency is counted from when it was due, so a stall of the
      server shows in the percentiles instead of slowing the load down (no coordinated
      omission). Prints one line: `RATE_RESULT route rate_asked rps p50_ms p99_ms errors n`.
      Requests that use up something (first-completion, submit) start after the ones an
      earlier run used (PLAN's `used` counters are written back).
"""
import asyncio
import json
import sys
import time
import urllib.parse


def requests_for(route, plan):
    """An endless supply of raw HTTP requests (bytes) for ROUTE."""
    e, lesson, token = plan["enrolment"], plan["lesson"], plan["token"]
    fixed = {
        "lesson": ("GET", f"/api/v1/enrolments/{e}/lessons/{lesson}", None),
        "completion": ("PUT", f"/api/v1/enrolments/{e}/lessons/{lesson}/completion", None),
        "dashboard": ("GET", "/api/v1/me/enrolments", None),
        "enrolment": ("GET", f"/api/v1/enrolments/{e}", None),
        "autosave": ("PUT", f"/api/v1/attempts/{plan['attempt']}/answers", plan["autosave"]),
    }
    if route in fixed:
        if route == "autosave":
            # Shown before it is saved into, as the web app does (see bench_instr.py).
            yield encode("GET", f"/api/v1/attempts/{plan['attempt']}", None, token)
        raw = encode(*fixed[route], token)
        while True:
            yield raw
    used = plan.setdefault("used", {})
    if route == "first-completion":
        pairs = [(le, s) for s in plan["open_lessons"] for le in plan["learners"]]
        for le, s in pairs[used.get(route, 0):]:
            used[route] = used.get(route, 0) + 1
            path = f"/api/v1/enrolments/{le['enrolment']}/lessons/{s}/completion"
            yield encode("PUT", path, None, le["token"])
    elif route == "submit":
        for le in plan["learners"][used.get(route, 0):]:
            used[route] = used.get(route, 0) + 1
            yield encode("POST", f"/api/v1/attempts/{le['attempt']}/submit", None, le["token"])
    else:
        raise SystemExit(f"unknown route {route}")


def encode(method, path, body, token):
    data = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
    if body is not None:
        head += "Content-Type: application/json\r\n"
    head += f"Content-Length: {len(data)}\r\n\r\n"
    return head.encode() + data


async def exchange(reader, writer, raw):
    """Sends one request and reads its answer: the status."""
    writer.write(raw)
    line = await reader.readline()
    if not line:
        raise ConnectionError("closed")
    status = int(line.split()[1])
    length = 0
    while True:
        h = await reader.readline()
        if h in (b"\r\n", b""):
            break
        k, _, v = h.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    if length:
        await reader.readexactly(length)
    return status


async def load(host, port, reqs, connections, seconds, rate):
    latencies, errors = [], [0]
    start = time.perf_counter() + 0.2
    end = start + seconds
    counter = [0]

    async def worker():
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                if rate:
                    i = counter[0]
                    counter[0] += 1
                    due = start + i / rate
                    if due >= end:
                        return
                    delay = due - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                else:
                    due = time.perf_counter()
                    if due >= end:
                        return
                try:
                    raw = next(reqs)
                except StopIteration:
                    return
                status = await exchange(reader, writer, raw)
                done = time.perf_counter()
                if due >= start:
                    latencies.append(done - due)
                    if status >= 400:
                        errors[0] += 1
        finally:
            writer.close()

    if not rate:
        await asyncio.sleep(0.2)
    await asyncio.gather(*(worker() for _ in range(connections)))
    took = time.perf_counter() - start
    return latencies, errors[0], took


def pct(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]


def run(base, plan_file, route, connections, seconds, rate):
    with open(plan_file) as f:
        plan = json.load(f)
    url = urllib.parse.urlparse(base)
    reqs = requests_for(route, plan)
    lat, errors, took = asyncio.run(load(url.hostname, url.port, reqs, connections, seconds, rate))
    with open(plan_file, "w") as f:
        json.dump(plan, f)
    lat.sort()
    rps = len(lat) / took
    print(f"RATE_RESULT {route} {rate or 'max'} {rps:.0f} {pct(lat, 0.5) * 1000:.2f} "
          f"{pct(lat, 0.99) * 1000:.2f} {errors} {len(lat)}", flush=True)


def main(argv):
    if len(argv) in (7, 8) and argv[1] == "run":
        rate = float(argv[7]) if len(argv) == 8 else 0.0
        run(argv[2], argv[3], argv[4], int(argv[5]), float(argv[6]), rate)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
