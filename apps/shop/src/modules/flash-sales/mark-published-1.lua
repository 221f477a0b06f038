-- Records that a reservation's order.placed event was acknowledged by Kafka, so reconciliation
-- can tell a reservation that was never published (safe to release) from one whose order may
-- still be on its way to MySQL (never released by reconciliation).
-- KEYS[1] reservations  surge:{sale:<id>}:orders  (see reserve-5.lua)
-- ARGV[1] orderId
-- Returns 'PUBLISHED' (now or already) | 'CONFIRMED' | 'RELEASED' | 'UNKNOWN'
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then
  return 'UNKNOWN'
end
local state, rest = string.match(record, '^(%a+)(|.*)$')
if state == 'reserved' then
  redis.call('HSET', KEYS[1], ARGV[1], 'published' .. rest)
  return 'PUBLISHED'
end
return string.upper(state)
