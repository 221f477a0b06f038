-- Marks a reservation confirmed: its order is being written to MySQL, so its units are never
-- returned by reconciliation (only by a cancellation, through release). Refuses a released one.
-- KEYS[1] reservations       surge:{sale:<id>}:orders  (see reserve-5.lua)
-- KEYS[2] open reservations  surge:{sale:<id>}:open
-- ARGV[1] orderId
-- Returns 'CONFIRMED' (now or already) | 'RELEASED' (the order must be rejected) | 'UNKNOWN'
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then
  return 'UNKNOWN'
end
local state, rest = string.match(record, '^(%a+)(|.*)$')
if state == 'released' then
  return 'RELEASED'
end
if state ~= 'confirmed' then
  redis.call('HSET', KEYS[1], ARGV[1], 'confirmed' .. rest)
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 'CONFIRMED'
