-- Rotates a refresh token of one session family, detecting reuse (OAuth 2.0 Security BCP §4.14).
-- KEYS[1] family hash   surge:{rtf:<familyId>}        fields: userId, current (sha256 of the live secret)
-- KEYS[2] revoked mark  surge:{rtf:<familyId>}:revoked set when the family is revoked (TTL = access token TTL)
-- ARGV[1] sha256 of the presented secret
-- ARGV[2] sha256 of the new secret
-- ARGV[3] revoked mark TTL in seconds
-- Returns {'ROTATED', userId} | {'REUSED', userId} (family revoked) | {'UNKNOWN'} (expired, revoked or never issued)
local current = redis.call('HGET', KEYS[1], 'current')
if not current then
  return {'UNKNOWN'}
end
local userId = redis.call('HGET', KEYS[1], 'userId')
if current ~= ARGV[1] then
  -- An old token came back: someone holds a copy. Kill the whole family and its access tokens.
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], '1', 'EX', tonumber(ARGV[3]))
  return {'REUSED', userId}
end
redis.call('HSET', KEYS[1], 'current', ARGV[2])
return {'ROTATED', userId}
