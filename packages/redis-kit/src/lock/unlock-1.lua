-- Releases a lock only while the caller still owns it (compare-and-delete), so a holder whose lock
-- expired cannot delete the lock a newer holder took since.
--
-- KEYS[1]  the lock key
-- ARGV[1]  the owner token the lock was taken with (SET key token NX PX ttl)
--
-- Returns  1  the lock was ours and is deleted
--          0  the lock expired or belongs to another holder; nothing changed
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
