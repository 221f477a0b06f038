-- Frees a key the caller holds without storing a response (a 5xx; ADR 0017); fields as in
-- idempotency-acquire-1.lua. The next request with the key takes it at once.
--
-- KEYS[1]  the record hash
-- ARGV[1]  the holder's token
-- ARGV[2]  '1' to forget the fingerprint and the first-attempt value (the attempt had no effect:
--          the next request starts afresh, with any payload), '0' to keep them (its effect is
--          unknown: the next request must carry the same payload and gets the same value)
--
-- Returns  1  abandoned (also when this abandon already ran: a resend is a no-op)
--          0  not held (taken over, or completed); nothing changed
local rec = redis.call('HMGET', KEYS[1], 'st', 'tok')
if rec[2] ~= ARGV[1] then
  return 0
end
if rec[1] == 'free' then
  return 1
end
if rec[1] ~= 'running' then
  return 0
end
redis.call('HSET', KEYS[1], 'st', 'free')
redis.call('HDEL', KEYS[1], 'lease')
if ARGV[2] == '1' then
  redis.call('HDEL', KEYS[1], 'fp', 'first')
end
return 1
