-- Extends a lock only while the caller still holds it (compare-and-expire).
--
-- KEYS[1]  the lock key
-- ARGV[1]  the holder id the lock was taken with
-- ARGV[2]  the new TTL, ms, from now
--
-- Returns  1  still ours; the TTL is reset (running it twice does the same)
--          0  expired or held by another; nothing changed
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
