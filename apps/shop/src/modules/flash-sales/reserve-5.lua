-- Reserves units of a flash sale for one order, atomically: window, per-user limit and stock are
-- checked and taken in one step, on Redis' clock. Idempotent by orderId: a second run (a client
-- retry, or ioredis resending after a reconnect) answers ALREADY with the first run's state and
-- takes nothing; a released orderId (tombstone) also answers ALREADY, so a late reserve after a
-- release cannot take stock again.
-- KEYS[1] remaining units      surge:{sale:<id>}:stock
-- KEYS[2] sale window hash     surge:{sale:<id>}:meta    (see warm-stock-2.lua)
-- KEYS[3] units held per user  surge:{sale:<id>}:users   field userId -> units (live and confirmed)
-- KEYS[4] reservations         surge:{sale:<id>}:orders  field orderId -> state|userId|qty|reservedAtMs
-- KEYS[5] open reservations    surge:{sale:<id>}:open    zset orderId by reservedAtMs (not yet confirmed)
-- ARGV[1] orderId
-- ARGV[2] userId
-- ARGV[3] quantity (units, >= 1)
-- Returns {'OK', remaining}
--       | {'ALREADY', state, remaining}  state: reserved | published | confirmed | released
--       | {'SOLD_OUT', remaining}        fewer units left than asked (0 = sold out)
--       | {'LIMIT_EXCEEDED', held}       the user's units would pass perUserLimit
--       | {'NOT_STARTED', startsAtMs} | {'ENDED', endsAtMs}
--       | {'NO_SALE'}                    the sale is not in Redis (never warmed, or Redis lost it)
local existing = redis.call('HGET', KEYS[4], ARGV[1])
if existing then
  local state = string.match(existing, '^(%a+)|')
  return {'ALREADY', state, tonumber(redis.call('GET', KEYS[1]) or '0')}
end
local meta = redis.call('HMGET', KEYS[2], 'startsAtMs', 'endsAtMs', 'perUserLimit', 'expireAtMs')
local remaining = redis.call('GET', KEYS[1])
if not meta[1] or not remaining then
  return {'NO_SALE'}
end
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if nowMs < tonumber(meta[1]) then
  return {'NOT_STARTED', tonumber(meta[1])}
end
if nowMs >= tonumber(meta[2]) then
  return {'ENDED', tonumber(meta[2])}
end
local qty = tonumber(ARGV[3])
local held = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if held + qty > tonumber(meta[3]) then
  return {'LIMIT_EXCEEDED', held}
end
remaining = tonumber(remaining)
if remaining < qty then
  return {'SOLD_OUT', remaining}
end
remaining = redis.call('DECRBY', KEYS[1], qty)
redis.call('HINCRBY', KEYS[3], ARGV[2], qty)
redis.call('HSET', KEYS[4], ARGV[1], 'reserved|' .. ARGV[2] .. '|' .. qty .. '|' .. nowMs)
redis.call('ZADD', KEYS[5], nowMs, ARGV[1])
for i = 3, 5 do
  redis.call('PEXPIREAT', KEYS[i], meta[4])
end
return {'OK', remaining}
