-- wrk script of serve-bench.sh: the verification requests of
-- serve-verify.lua, paced to a total rate. Debian's wrk is not wrk2 (no
-- constant-rate mode), so pacing is by wrk's delay() hook: each thread owns
-- RATE/THREADS request slots per second, evenly spaced on CLOCK_MONOTONIC
-- (LuaJIT ffi); a connection that has its answer waits for the next free
-- slot. wrk's timers have millisecond granularity and fire late rather than
-- early, so a thread may fall a little behind its slots: it catches up on at
-- most CATCH_UP_MS of them at once (a short burst); slots further behind,
-- missed because every connection was still waiting for an answer, are not
-- made up (serve-bench.sh prints the achieved rate next to the asked one).
-- wrk2's correction for coordinated omission is not made: latency is from
-- send to answer.
-- args: POOL_FILE TOTAL_RATE THREADS
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "serve-verify.lua")
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } clid_bench_ts;
int clock_gettime(int clk, clid_bench_ts *ts);
]]
local ts = ffi.new("clid_bench_ts")
CATCH_UP_MS = 5
local function now_ms()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

function init_extra(args)
    interval = 1000 * tonumber(args[3]) / tonumber(args[2]) -- ms between this thread's slots
    next_slot = 0
end

function delay()
    local t = now_ms()
    if next_slot < t - CATCH_UP_MS then
        next_slot = t - CATCH_UP_MS
    end
    local d = next_slot - t
    next_slot = next_slot + interval
    return d > 0 and math.floor(d) or 0
end
