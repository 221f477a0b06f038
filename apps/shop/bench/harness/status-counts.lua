-- wrk script: counts responses by status over every thread, and the 503s that carry Retry-After.
-- Optional request from the environment: WRK_METHOD, WRK_BODY (JSON; Content-Type set).
-- done() prints one line per status, `status <code> <count>`, and `retry-after-503 <count>`,
-- parsed by harness/load.ts.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  retry_after_503 = 0
  local method = os.getenv("WRK_METHOD")
  if method and method ~= "" then wrk.method = method end
  local body = os.getenv("WRK_BODY")
  if body and body ~= "" then
    wrk.body = body
    wrk.headers["Content-Type"] = "application/json"
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 and (headers["retry-after"] or headers["Retry-After"]) then
    retry_after_503 = retry_after_503 + 1
  end
end

function done(summary, latency, requests)
  local total = {}
  local retry = 0
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      total[code] = (total[code] or 0) + n
    end
    retry = retry + t:get("retry_after_503")
  end
  for code, n in pairs(total) do
    io.write(string.format("status %d %d\n", code, n))
  end
  io.write(string.format("retry-after-503 %d\n", retry))
end
