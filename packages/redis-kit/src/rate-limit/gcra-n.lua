-- GCRA over several keys at once, all or nothing (gcra.ts has the algorithm and its source):
-- every key is checked, and only when all of them admit the request are they all charged, so a
-- request denied by one policy costs the others nothing. The clock is Redis TIME: one clock for
-- every instance, whatever their own clocks say.
-- A key holds its theoretical arrival time (ms since the epoch, to the microsecond) and expires
-- when its quota is full again. Writes are absolute (SET … PXAT), so replaying them (replica,
-- AOF) gives the same state; a denied call writes nothing.
--
-- KEYS[1..n]  one GCRA state per policy; on a Cluster all of them share a hash slot
-- ARGV        three per key, in key order: limit (requests per window, integer >= 1),
--             window (ms, integer >= 1), cost (requests to charge, 0..limit; 0 only reads)
--
-- Returns     {allowed, remaining1, reset1, retry1, remaining2, reset2, retry2, ...}
--             allowed    1: every key admitted the request and was charged; 0: none was charged
--             remaining  requests left in the window after this call (denied: without it)
--             reset      ms until the key's quota is full again
--             retry      ms until the key would admit this request (0: it did)
local EPSILON = 0.001 -- ms; GCRA_EPSILON_MS in gcra.ts
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local out = { 1 }
local charge = {}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[3 * i - 2])
  local window = tonumber(ARGV[3 * i - 1])
  local cost = tonumber(ARGV[3 * i])
  local interval = window / limit
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then
    tat = now
  end
  local new_tat = tat + cost * interval
  local allow_at = new_tat - window
  local remaining, reset, retry
  if allow_at - now > EPSILON then
    out[1] = 0
    remaining = math.floor((window - (tat - now)) / interval + 1e-6)
    reset = tat - now
    retry = allow_at - now
  else
    remaining = math.floor((window - (new_tat - now)) / interval + 1e-6)
    reset = new_tat - now
    retry = 0
    if cost > 0 then
      charge[#charge + 1] = { KEYS[i], new_tat }
    end
  end
  out[3 * i - 1] = math.max(0, remaining)
  out[3 * i] = math.ceil(reset)
  out[3 * i + 1] = math.ceil(retry)
end
if out[1] == 1 then
  for _, c in ipairs(charge) do
    redis.call('SET', c[1], string.format('%.3f', c[2]), 'PXAT', math.ceil(c[2]))
  end
end
return out
