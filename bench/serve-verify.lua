-- wrk script of serve-bench.sh: POST /stir/v1/verification over a pool of
-- distinct Identity values signed by the server in the signing pass (so the
-- server verifies a different signature each time, as clid_bench's
-- verify_warm does; the certificate is in the verifier's cache after the
-- first request). An answer is right when it is 200 with the verstat
-- TN-Validation-Passed.
-- args: POOL_FILE
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "serve-common.lua")

function init(args)
    local h = { ["Content-Type"] = "application/json" }
    reqs = {}
    for id in io.lines(args[1]) do
        table.insert(reqs, wrk.format("POST", "/stir/v1/verification", h,
            '{"verificationRequest":{"from":{"tn":"12025550100"},"to":{"tn":["12025550101"]},' ..
            '"identity":"' .. id .. '"}}'))
    end
    assert(#reqs > 0, "empty Identity pool " .. args[1])
    -- threads start at different places of the pool
    n = (tid or 1) * 7919 % #reqs
    init_extra(args)
end

function init_extra(args)
end

function request()
    n = n + 1
    if n > #reqs then
        n = 1
    end
    return reqs[n]
end

function check(status, body)
    return status == 200 and body:find('"verstat":"TN-Validation-Passed"', 1, true) ~= nil
end
