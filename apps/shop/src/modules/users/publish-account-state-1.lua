-- Publishes a user's role and account state under its account version, never going back.
-- KEYS[1] state hash  surge:account:<database>:<userId>   fields: v (version), role, status
-- ARGV[1] account version of the change (from MySQL, users.account_version)
-- ARGV[2] role: user | admin
-- ARGV[3] status: active | deleted
-- ARGV[4] TTL in seconds: long enough for every access token issued before the change to expire
-- Returns 'STORED', or 'STALE' when a change with an equal or higher version is already published
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
if current >= tonumber(ARGV[1]) then
  return 'STALE'
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'role', ARGV[2], 'status', ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 'STORED'
