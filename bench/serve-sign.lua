-- wrk script of serve-bench.sh: POST /stir/v1/signing, the claims of
-- clid_bench's "sign" path (fixed orig, dest and origid; iat left to the
-- server's clock). An answer is right when it is 200 with an Identity.
-- Each thread also writes the first POOL_PER_THREAD Identity values it gets
-- to POOL_PREFIX.TID: every one is distinct (ECDSA signatures are
-- randomized), and the verification pass uses them as its pool.
-- args: TOKEN POOL_PREFIX POOL_PER_THREAD
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "serve-common.lua")

function init(args)
    req = wrk.format("POST", "/stir/v1/signing",
        { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. args[1] },
        '{"signingRequest":{"attest":"A","orig":{"tn":"12025550100"},' ..
        '"dest":{"tn":["12025550101"]},"origid":"123e4567-e89b-12d3-a456-426614174000"}}')
    pool_file = assert(io.open(args[2] .. "." .. tostring(tid), "w"))
    pool_left = tonumber(args[3])
end

function request()
    return req
end

-- Each pooled value is flushed as it comes (the pool is small, so this is
-- cheap), so a run stopped by -d leaves whole lines.
function check(status, body)
    if status ~= 200 then
        return false
    end
    local id = body:match('"identity":"([^"]+)"')
    if id == nil then
        return false
    end
    if pool_left > 0 then
        pool_left = pool_left - 1
        pool_file:write(id, "\n")
        pool_file:flush()
    end
    return true
end
