-- Returns a reservation's units to the sale and the user's limit, once. Leaves a tombstone
-- (state released) so a second release, or a late reserve of the same orderId, takes nothing;
-- an unknown orderId gets a tombstone too (its reserve may still be on its way).
-- KEYS[1] remaining units      surge:{sale:<id>}:stock
-- KEYS[2] units held per user  surge:{sale:<id>}:users
-- KEYS[3] reservations         surge:{sale:<id>}:orders
-- KEYS[4] open reservations    surge:{sale:<id>}:open
-- ARGV[1] orderId
-- ARGV[2] mode: 'any' releases in every live state (a cancelled or rejected order);
--               'unpublished' releases only a reservation still in state reserved (reconciliation)
-- ARGV[3] tombstone TTL in ms, for an orderId this sale has never seen
-- Returns {'RELEASED', remaining} | {'ALREADY_RELEASED'} | {'UNKNOWN'} (tombstone written)
--       | {'KEPT', state} (mode unpublished, the reservation is published or confirmed)
local record = redis.call('HGET', KEYS[3], ARGV[1])
if not record then
  redis.call('HSET', KEYS[3], ARGV[1], 'released||0|0')
  if redis.call('PTTL', KEYS[3]) < 0 then
    redis.call('PEXPIRE', KEYS[3], ARGV[3])
  end
  return {'UNKNOWN'}
end
local state, userId, qty, at = string.match(record, '^(%a+)|([^|]*)|(%d+)|(%d+)$')
if state == 'released' then
  return {'ALREADY_RELEASED'}
end
if ARGV[2] == 'unpublished' and state ~= 'reserved' then
  return {'KEPT', state}
end
local remaining = redis.call('INCRBY', KEYS[1], qty)
if redis.call('HINCRBY', KEYS[2], userId, -tonumber(qty)) <= 0 then
  redis.call('HDEL', KEYS[2], userId)
end
redis.call('HSET', KEYS[3], ARGV[1], 'released|' .. userId .. '|' .. qty .. '|' .. at)
redis.call('ZREM', KEYS[4], ARGV[1])
return {'RELEASED', remaining}
