-- Counts one paid order on the leaderboards, once: the dedupe mark and the increments in one step,
-- so a redelivered order.paid (or one the rebuild already counted) changes nothing.
-- KEYS[1] dedupe mark of the order   surge:lb:{<db>}:counted:<orderId>
-- KEYS[2] units per product, the order's hour   surge:lb:{<db>}:products:h:<yyyymmddhh>
-- KEYS[3] units per product, all time           surge:lb:{<db>}:products:all
-- KEYS[4] spend per buyer, all time             surge:lb:{<db>}:buyers:all
-- ARGV[1] productId ('' when unknown: only the buyer board counts it)
-- ARGV[2] units   ARGV[3] userId   ARGV[4] amount in cents
-- ARGV[5] TTL of the hour bucket, ms   ARGV[6] TTL of the dedupe mark, ms
-- Returns 'COUNTED' | 'DUPLICATE'
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[6]) then
  return 'DUPLICATE'
end
if ARGV[1] ~= '' then
  redis.call('ZINCRBY', KEYS[2], ARGV[2], ARGV[1])
  if redis.call('PTTL', KEYS[2]) < 0 then
    redis.call('PEXPIRE', KEYS[2], ARGV[5])
  end
  redis.call('ZINCRBY', KEYS[3], ARGV[2], ARGV[1])
end
redis.call('ZINCRBY', KEYS[4], ARGV[4], ARGV[3])
return 'COUNTED'
