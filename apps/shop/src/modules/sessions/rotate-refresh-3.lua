-- Rotates a refresh token of one session family (OAuth 2.0 Security BCP §4.14: rotation with
-- reuse detection), with a grace for retries and reuse detection only on secrets really issued.
-- KEYS[1] family hash   surge:{rtf:<familyId>}          fields: userId, current (sha256 of the live
--                        secret), gen (rotations so far), prev (sha256 of the secret rotated away
--                        last), prevAt (ms, Redis clock), successor (the live secret, encrypted
--                        under a key only the holder of prev's secret can derive)
-- KEYS[2] revoked mark  surge:{rtf:<familyId>}:revoked   set when the family is revoked (TTL = access token TTL)
-- KEYS[3] spent secrets surge:{rtf:<familyId>}:spent     sorted set: sha256 of each rotated-away secret → gen;
--                        the newest ARGV[6] kept, expires with the family
-- ARGV[1] sha256 of the presented secret
-- ARGV[2] sha256 of the new secret
-- ARGV[3] the new secret encrypted under the presented one (stored as `successor`)
-- ARGV[4] revoked mark TTL in seconds
-- ARGV[5] grace in ms: the previous secret presented again sooner than this gets the same successor
-- ARGV[6] how many spent secrets a family remembers
-- Returns {'ROTATED', userId}
--       | {'RETRIED', userId, successor}  the previous secret again within the grace; nothing changes
--       | {'REUSED', userId}              a spent secret: the family and its access tokens are revoked
--       | {'UNKNOWN'}                     no such family, or a secret never issued to it; nothing changes
local f = redis.call('HMGET', KEYS[1], 'userId', 'current', 'gen', 'prev', 'prevAt', 'successor')
local userId, current = f[1], f[2]
if not current then
  return {'UNKNOWN'}
end
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if current == ARGV[1] then
  local gen = (tonumber(f[3]) or 0) + 1
  -- Trim before adding: never above ARGV[6] members, so a listpack never converts to a skiplist.
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -tonumber(ARGV[6]))
  redis.call('ZADD', KEYS[3], gen, current)
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[3], ttl)
  end
  redis.call('HSET', KEYS[1], 'current', ARGV[2], 'gen', gen, 'prev', current, 'prevAt', nowMs, 'successor', ARGV[3])
  return {'ROTATED', userId}
end
if f[4] == ARGV[1] and f[6] and nowMs - tonumber(f[5]) < tonumber(ARGV[5]) then
  return {'RETRIED', userId, f[6]}
end
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  -- A secret this family really issued and rotated away came back: someone holds a copy.
  redis.call('DEL', KEYS[1], KEYS[3])
  redis.call('SET', KEYS[2], '1', 'EX', tonumber(ARGV[4]))
  return {'REUSED', userId}
end
return {'UNKNOWN'}
