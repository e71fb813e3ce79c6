-- wrk script of serve_load.sh / serve_ops.sh: verification requests, one in
-- ten malformed; every answer classified by its content (a valid request
-- must pass, a malformed one must get 400 with a JSON error); each thread
-- stops after its share of answers. Prints one "RESULT ok bad wrong" line.
-- args: IDENTITY_FILE ANSWERS_PER_THREAD DONE_PREFIX
-- wrk runs for its -d whatever the threads do: a thread that has its
-- answers writes DONE_PREFIX.N, and the test then stops wrk with SIGINT
-- (wrk prints its summary and calls done()).
local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("tid", #threads)
end

function init(args)
    local f = assert(io.open(args[1], "r"))
    local id = f:read("*l")
    f:close()
    per = tonumber(args[2])
    done_file = args[3] .. "." .. tostring(tid)
    local h = { ["Content-Type"] = "application/json" }
    valid = wrk.format("POST", "/stir/v1/verification", h,
        '{"verificationRequest":{"from":{"tn":"12025550100"},"to":{"tn":["12025550101"]},"identity":"' ..
        id .. '"}}')
    malformed = wrk.format("POST", "/stir/v1/verification", h, '{"verificationRequest":{"from":')
    sent, answers, ok, bad, wrong = 0, 0, 0, 0, 0
end

function request()
    sent = sent + 1
    if sent % 10 == 0 then
        return malformed
    end
    return valid
end

function response(status, headers, body)
    answers = answers + 1
    if status == 200 and body:find('"verstat":"TN%-Validation%-Passed"', 1) then
        ok = ok + 1
    elseif status == 400 and body:find('"error":{', 1, true) then
        bad = bad + 1
    else
        wrong = wrong + 1
        if wrong <= 3 then
            io.stderr:write("WRONG " .. status .. " " .. body:sub(1, 200) .. "\n")
        end
    end
    if answers == per then
        local d = assert(io.open(done_file, "w"))
        d:write("done\n")
        d:close()
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local o, b, w = 0, 0, 0
    for _, t in ipairs(threads) do
        o = o + t:get("ok")
        b = b + t:get("bad")
        w = w + t:get("wrong")
    end
    io.write(string.format("RESULT %d %d %d %d %d\n", o, b, w,
        summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
end
