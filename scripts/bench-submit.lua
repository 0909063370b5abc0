-- wrk script for scripts/bench-submit.sh: POST /api/v1/attempts/{id}/submit, each request with
-- its own learner's token and open attempt.
-- Env: BENCH_ATTEMPTS  file of "token attempt_id" lines (required)
--      BENCH_THREADS   wrk's -t (default 2): thread k (1-based) takes lines k, k+T, k+2T, ...
-- Each thread walks its slice once; when it runs out it starts over, and those requests hit the
-- idempotent already-submitted path (counted as "repeats" in the output).
-- done() prints, like the reference wrk.lua:
--   BENCH_RESULT <rps> <p50_ms> <p99_ms> <errors> <requests>
-- and then
--   BENCH_SUBMIT <attempts_in_file> <fresh_requests_sent> <repeat_requests_sent>
--   BENCH_LATENCY p50 .. p99.9 (ms)

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
   threads[#threads + 1] = thread
end

function init(args)
   local file = os.getenv("BENCH_ATTEMPTS") or error("BENCH_ATTEMPTS is not set")
   local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
   local tid = wrk.thread:get("tid")
   slice = {}
   local n = 0
   for line in io.lines(file) do
      local token, id = line:match("^(%S+)%s+(%S+)$")
      if token then
         n = n + 1
         if (n - 1) % nthreads == tid - 1 then
            slice[#slice + 1] = {
               "/api/v1/attempts/" .. id .. "/submit",
               { ["Authorization"] = "Bearer " .. token },
            }
         end
      end
   end
   total, pos, fresh, repeats = n, 0, 0, 0
end

function request()
   pos = pos + 1
   if pos > #slice then
      pos = 1
   end
   if fresh < #slice then fresh = fresh + 1 else repeats = repeats + 1 end
   local e = slice[pos]
   return wrk.format("POST", e[1], e[2], nil)
end

function done(summary, latency, requests)
   local e = summary.errors
   local errors = e.connect + e.read + e.write + e.status + e.timeout
   io.write(string.format("BENCH_RESULT %.1f %.3f %.3f %d %d\n",
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      errors, summary.requests))
   local total, fresh, repeats = 0, 0, 0
   for _, t in ipairs(threads) do
      total = t:get("total")
      fresh = fresh + t:get("fresh")
      repeats = repeats + t:get("repeats")
   end
   io.write(string.format("BENCH_SUBMIT %d %d %d\n", total, fresh, repeats))
   io.write("BENCH_LATENCY")
   for _, p in ipairs({ 50, 75, 90, 99, 99.9 }) do
      io.write(string.format(" p%s=%.3fms", p, latency:percentile(p) / 1000))
   end
   io.write(string.format(" max=%.3fms\n", latency.max / 1000))
end
