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
--             remaining  requests left in the window after this call (denied: as before it)
--             reset      ms until the key's quota is full again
--             retry      ms until the key would admit this request (0: it did)
local EPSILON = 0.001 -- ms; GCRA_EPSILON_MS in gcra.ts
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local allowed = 1
local keys = {}
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
  local retry = new_tat - window - now
  if retry > EPSILON then
    allowed = 0
  else
    retry = 0
  end
  keys[i] = { window = window, interval = interval, cost = cost, tat = tat, new_tat = new_tat, retry = retry }
end
-- Denied: nothing is charged, so every key reports its state without this call.
local out = { allowed }
for i, k in ipairs(keys) do
  local tat = k.tat
  if allowed == 1 then
    tat = k.new_tat
    if k.cost > 0 then
      redis.call('SET', KEYS[i], string.format('%.3f', tat), 'PXAT', math.ceil(tat))
    end
  end
  out[3 * i - 1] = math.max(0, math.floor((k.window - (tat - now)) / k.interval + 1e-6))
  out[3 * i] = math.ceil(tat - now)
  out[3 * i + 1] = math.ceil(k.retry)
end
return out
