-- Recreates a sale's Redis state from MySQL after Redis lost it: remaining (computed by the caller,
-- stock-drift.ts: stock - units of live orders, the number reconciliation checks drift against),
-- each live order as a confirmed reservation (so a later cancellation returns its units through
-- release-4.lua), and per-user holdings. Only when the stock key is absent, unless
-- forced (an operator's explicit choice; orders still in flight must have drained first).
-- KEYS[1] remaining units      surge:{sale:<id>}:stock
-- KEYS[2] sale window hash     surge:{sale:<id>}:meta
-- KEYS[3] units held per user  surge:{sale:<id>}:users
-- KEYS[4] reservations         surge:{sale:<id>}:orders
-- KEYS[5] open reservations    surge:{sale:<id>}:open
-- ARGV[1] '1' to rebuild even when the stock key exists, else '0'
-- ARGV[2] remaining units   ARGV[3] startsAt ms   ARGV[4] endsAt ms   ARGV[5] perUserLimit   ARGV[6] expireAt ms
-- ARGV[7..] live orders as triples: orderId, userId, quantity
-- Returns {'REBUILT', remaining} | {'PRESENT', remaining} (nothing changed)
if ARGV[1] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then
  return {'PRESENT', tonumber(redis.call('GET', KEYS[1]))}
end
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4], KEYS[5])
for i = 7, #ARGV, 3 do
  local qty = tonumber(ARGV[i + 2])
  redis.call('HINCRBY', KEYS[3], ARGV[i + 1], qty)
  redis.call('HSET', KEYS[4], ARGV[i], 'confirmed|' .. ARGV[i + 1] .. '|' .. qty .. '|0')
end
local remaining = tonumber(ARGV[2])
redis.call('SET', KEYS[1], remaining)
redis.call('HSET', KEYS[2], 'startsAtMs', ARGV[3], 'endsAtMs', ARGV[4], 'perUserLimit', ARGV[5], 'expireAtMs', ARGV[6])
for i = 1, 4 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('PEXPIREAT', KEYS[i], ARGV[6])
  end
end
return {'REBUILT', remaining}
