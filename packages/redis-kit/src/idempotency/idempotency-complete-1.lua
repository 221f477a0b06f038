-- Stores the response of a request whose key the caller holds (ADR 0017); fields as in
-- idempotency-acquire-1.lua.
--
-- KEYS[1]  the record hash
-- ARGV[1]  the holder's token
-- ARGV[2]  the response status (< 500)
-- ARGV[3]  the stored response headers, JSON
-- ARGV[4]  the response body, bytes
-- ARGV[5]  record TTL, ms, from now
--
-- Returns  1  stored (also when this completion already ran: a resend is a no-op)
--          0  not held: another request took the key over after this holder's lease ran out,
--             or this holder abandoned it; nothing changed
local rec = redis.call('HMGET', KEYS[1], 'st', 'tok')
if rec[2] ~= ARGV[1] then
  return 0
end
if rec[1] == 'done' then
  return 1
end
if rec[1] ~= 'running' then
  return 0
end
redis.call('HSET', KEYS[1], 'st', 'done', 'status', ARGV[2], 'hdr', ARGV[3], 'body', ARGV[4])
redis.call('HDEL', KEYS[1], 'lease')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
