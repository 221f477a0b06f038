-- Takes a lock with a fencing token (Kleppmann, "How to do distributed locking", 2016): a number
-- that grows with every acquisition of the lock name, which the protected resource checks so a
-- holder that lost the lock (a pause past the TTL) cannot overwrite a newer holder's work.
--
-- KEYS[1]  the lock key: the holder id while held, with a TTL
-- KEYS[2]  the fencing counter of the lock name: INCR per acquisition, never expires
-- ARGV[1]  the holder id (random per acquisition)
-- ARGV[2]  TTL, ms
--
-- Returns  {1, fencingToken}  acquired (or, on a resend of this acquisition, still ours: same token,
--                             TTL renewed — only an acquisition INCRs, and none ran while we held it)
--          {0, pttl}          held by another for pttl ms more
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, tonumber(redis.call('GET', KEYS[2]))}
end
if holder then
  return {0, redis.call('PTTL', KEYS[1])}
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1, token}
