-- wrk script of oob-bench.sh: CPS publish (POST) or retrieve (GET) of
-- /passports/DEST/ORIG, each request with its own pre-signed bearer token
-- (a token's jti is accepted once: 409 on replay). Thread t of T takes the
-- tokens t, t+T, t+2T, ...; once it has used them all it sends GET /health
-- (not counted) until the pass ends, so no token is ever sent twice.
-- The rate oob-bench.sh reports is the counted answers over the pass's
-- duration: when the tokens ran out before the end it is a lower bound
-- (oob-bench.sh says so). Right answers: publish 201, retrieve 200 with a
-- passports array.
-- args: MODE (publish|retrieve) TOKENS_FILE BODY_FILE PATH NTHREADS
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "serve-common.lua")

function init(args)
    mode, path = args[1], args[4]
    local nt, i = tonumber(args[5]), 0
    toks = {}
    for line in io.lines(args[2]) do
        if i % nt == (tid or 1) - 1 then
            table.insert(toks, line)
        end
        i = i + 1
    end
    assert(#toks > 0, "no tokens for thread " .. tostring(tid))
    if mode == "publish" then
        local f = assert(io.open(args[3], "rb"))
        body = f:read("*a")
        f:close()
    end
    n = 0
end

function request()
    n = n + 1
    if n > #toks then
        -- tokens used up, answers still in flight on other connections:
        -- a harmless request until the thread stops (not counted)
        return wrk.format("GET", "/health")
    end
    local h = { ["Authorization"] = "Bearer " .. toks[n] }
    if mode == "publish" then
        h["Content-Type"] = "application/json"
        return wrk.format("POST", path, h, body)
    end
    return wrk.format("GET", path, h)
end

local base_response = response
function response(status, headers, body)
    if body:find('"store":', 1, true) ~= nil then
        return
    end
    base_response(status, headers, body)
end

function check(status, body)
    if mode == "publish" then
        return status == 201
    end
    return status == 200 and body:find('"passports":[', 1, true) ~= nil
end
