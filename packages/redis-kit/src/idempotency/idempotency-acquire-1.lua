-- Takes an idempotency key for one request, or says why not (ADR 0017). One hash per
-- (scope, key); fields: st (running | done | free), fp (fingerprint), tok (holder token),
-- lease (ms, Redis clock, while running), n (attempts so far), first (caller's first-attempt
-- value), status / hdr / body (the stored response, when done).
--
-- KEYS[1]  the record hash
-- ARGV[1]  the request fingerprint
-- ARGV[2]  the new holder's token (random per acquire call)
-- ARGV[3]  lease, ms: how long the holder may run before another request may take over
-- ARGV[4]  record TTL, ms (set on every take)
-- ARGV[5]  '1' when ARGV[6] is a first-attempt value to keep if there is none yet, else '0'
-- ARGV[6]  the first-attempt value (ignored when ARGV[5] is '0')
--
-- Returns  {'ACQUIRED', attempt, hasFirst (1|0), first or ''}  the caller holds the key
--          {'IN_PROGRESS', leaseLeftMs}                         another holder's lease runs
--          {'MISMATCH'}                                         the key was used with another fingerprint
--          {'REPLAY', status, headersJson, body}                the stored response
--
-- Safe to run twice: a resend with the same token finds its own running record and answers
-- ACQUIRED again with the same attempt and first-attempt value.
local rec = redis.call('HMGET', KEYS[1], 'st', 'fp', 'tok', 'lease', 'n', 'first')
local st, fp, tok, lease, n, first = rec[1], rec[2], rec[3], rec[4], rec[5], rec[6]

local function acquired(attempt, value)
  if value then return {'ACQUIRED', attempt, 1, value} end
  return {'ACQUIRED', attempt, 0, ''}
end

if st == 'running' and tok == ARGV[2] then
  return acquired(tonumber(n), first)
end
if fp and fp ~= ARGV[1] then
  return {'MISMATCH'}
end
if st == 'done' then
  local res = redis.call('HMGET', KEYS[1], 'status', 'hdr', 'body')
  return {'REPLAY', tonumber(res[1]), res[2], res[3]}
end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if st == 'running' and tonumber(lease) > now then
  return {'IN_PROGRESS', tonumber(lease) - now}
end

-- No record, a free one (abandoned), or a running one whose holder's lease ran out (a crash).
local attempt = (tonumber(n) or 0) + 1
if not first and ARGV[5] == '1' then
  first = ARGV[6]
  redis.call('HSET', KEYS[1], 'first', first)
end
redis.call('HSET', KEYS[1], 'st', 'running', 'fp', ARGV[1], 'tok', ARGV[2],
  'lease', now + tonumber(ARGV[3]), 'n', attempt)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return acquired(attempt, first)
