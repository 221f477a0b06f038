-- wrk script for placements (P1): POST with a JSON body, a unique Idempotency-Key per request and
-- the Authorization header rotating over the tokens in WRK_TOKENS (one `Bearer …` per line).
-- Each thread starts at its own offset in the token list. WRK_KEY_PREFIX makes the keys unique
-- across runs. Counts answers by status; done() prints `status <code> <count>` (harness/load.ts).
local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  tokens = {}
  for line in io.lines(os.getenv("WRK_TOKENS")) do
    if line ~= "" then table.insert(tokens, line) end
  end
  prefix = (os.getenv("WRK_KEY_PREFIX") or "k") .. "-" .. tid .. "-"
  body = os.getenv("WRK_BODY")
  if not body or body == "" then body = '{"quantity":1}' end
  n = 0
  cursor = math.floor(#tokens * (tid - 1) / 16)
end

function request()
  n = n + 1
  cursor = cursor % #tokens + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = tokens[cursor],
    ["Idempotency-Key"] = prefix .. n,
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, c in pairs(t:get("statuses")) do
      total[code] = (total[code] or 0) + c
    end
  end
  for code, c in pairs(total) do
    io.write(string.format("status %d %d\n", code, c))
  end
  io.write("retry-after-503 0\n")
end
