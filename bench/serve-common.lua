-- Shared part of the wrk scripts of serve-bench.sh (loaded by dofile from
-- serve-sign.lua, serve-verify.lua and serve-paced.lua; not a wrk script by
-- itself). Every answer is checked by the script that loads this one
-- (check(status, body) returns true when it is right); done() prints one
-- machine-readable line that serve-bench.sh parses:
--   RESULT requests ok wrong socket_errors timeouts duration_us p50_us p99_us max_us
-- (wrk's own percentiles, from its latency histogram, in microseconds).
local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("tid", #threads)
end

ok, wrong = 0, 0

function response(status, headers, body)
    if check(status, body) then
        ok = ok + 1
    else
        wrong = wrong + 1
        if wrong <= 3 then
            io.stderr:write("WRONG " .. status .. " " .. body:sub(1, 200) .. "\n")
        end
    end
end

function done(summary, latency, requests)
    local o, w = 0, 0
    for _, t in ipairs(threads) do
        o = o + t:get("ok")
        w = w + t:get("wrong")
    end
    local e = summary.errors
    io.write(string.format("RESULT %d %d %d %d %d %d %.0f %.0f %.0f\n", summary.requests, o, w,
        e.connect + e.read + e.write + e.status, e.timeout, summary.duration,
        latency:percentile(50), latency:percentile(99), latency.max))
end
