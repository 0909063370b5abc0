-- wrk script for scripts/multi-process.sh: a learner mix through the load balancer.
-- Env: MULTI_LEARNERS_FILE  lines of "token enrolment_id lesson_slug" (required)
-- Each request picks the next learner of its thread and one of: the dashboard, the enrolment,
-- the lesson read, the lesson completion (idempotent after the first), a heartbeat.
-- done() prints: MULTI_RESULT <rps> <p50_ms> <p99_ms> <non_2xx> <socket_errors> <requests>

local counter = 0
function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
end

function init(args)
   local tid = wrk.thread:get("tid")
   learners = {}
   local n = 0
   for line in io.lines(os.getenv("MULTI_LEARNERS_FILE")) do
      local token, enrolment, lesson = line:match("^(%S+)%s+(%S+)%s+(%S+)$")
      if token then
         n = n + 1
         if n % 2 == tid % 2 then
            learners[#learners + 1] = { token = token, enrolment = enrolment, lesson = lesson }
         end
      end
   end
   i = 0
end

function request()
   i = i + 1
   local l = learners[(i % #learners) + 1]
   local headers = { ["Authorization"] = "Bearer " .. l.token }
   local kind = i % 5
   local lesson = "/api/v1/enrolments/" .. l.enrolment .. "/lessons/" .. l.lesson
   if kind == 0 then
      return wrk.format("GET", "/api/v1/me/enrolments", headers)
   elseif kind == 1 then
      return wrk.format("GET", "/api/v1/enrolments/" .. l.enrolment, headers)
   elseif kind == 2 then
      return wrk.format("GET", lesson, headers)
   elseif kind == 3 then
      return wrk.format("PUT", lesson .. "/completion", headers)
   else
      headers["Content-Type"] = "application/json"
      return wrk.format("POST", lesson .. "/heartbeat", headers,
         '{"seconds":15,"position":{"scroll":' .. (i % 100) .. '}}')
   end
end

function done(summary, latency, requests)
   local non2xx = summary.errors.status
   local sock = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
   io.write(string.format("MULTI_RESULT %.1f %.2f %.2f %d %d %d\n",
      summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, non2xx, sock, summary.requests))
end
