-- wrk script for the routes of scripts/bench.sh and scripts/bench-submit.sh that change what
-- they answer (first lesson completion, grading submit): every request is its own learner's,
-- sent once.
-- Env: BENCH_ONCE     file of "METHOD PATH TOKEN [BODY]" lines (required; BODY is JSON
--                     without spaces, sent as application/json)
--      BENCH_THREADS  wrk's -t (default 2): thread k (1-based) takes lines k, k+T, k+2T, ...
-- A thread that has sent its whole slice starts over; those requests are counted as repeats
-- (a repeat is a re-completion or an already-submitted attempt, so a run with repeats does not
-- measure the route: bench.sh refuses it).
-- done() prints, like the reference wrk.lua:
--   BENCH_RESULT <rps> <p50_ms> <p99_ms> <errors> <requests>
-- and then
--   BENCH_ONCE <lines_in_file> <fresh_requests_sent> <repeat_requests_sent>

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
   threads[#threads + 1] = thread
end

function init(args)
   local file = os.getenv("BENCH_ONCE") or error("BENCH_ONCE is not set")
   local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
   local tid = wrk.thread:get("tid")
   slice = {}
   local n = 0
   for line in io.lines(file) do
      local method, path, token, body = line:match("^(%S+)%s+(%S+)%s+(%S+)%s*(%S*)$")
      if method then
         n = n + 1
         if (n - 1) % nthreads == tid - 1 then
            local headers = { ["Authorization"] = "Bearer " .. token }
            if body == "" then
               body = nil
            else
               headers["Content-Type"] = "application/json"
            end
            slice[#slice + 1] = { method, path, headers, body }
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
   return wrk.format(e[1], e[2], e[3], e[4])
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
   io.write(string.format("BENCH_ONCE %d %d %d\n", total, fresh, repeats))
end
