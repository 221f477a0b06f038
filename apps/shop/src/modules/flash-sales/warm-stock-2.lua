-- Puts a sale's stock and window into Redis before it opens. Idempotent: the stock is set only if
-- absent (SET NX), so warming twice, or warming a running sale, never adds units; the window and
-- limit are overwritten (an admin may move them). Every key of the sale expires at ARGV[5].
-- KEYS[1] remaining units   surge:{sale:<id>}:stock
-- KEYS[2] sale window hash  surge:{sale:<id>}:meta   fields startsAtMs, endsAtMs, perUserLimit, expireAtMs
-- ARGV[1] stock (units, >= 1)
-- ARGV[2] startsAt, epoch ms
-- ARGV[3] endsAt, epoch ms
-- ARGV[4] perUserLimit (units, >= 1)
-- ARGV[5] expireAt, epoch ms: when every key of the sale may go (after the payment window of the last order)
-- Returns {'WARMED', remaining} the stock was put | {'PRESENT', remaining} it was already there
local status = 'PRESENT'
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  status = 'WARMED'
end
redis.call('HSET', KEYS[2], 'startsAtMs', ARGV[2], 'endsAtMs', ARGV[3], 'perUserLimit', ARGV[4], 'expireAtMs', ARGV[5])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
redis.call('PEXPIREAT', KEYS[2], ARGV[5])
return {status, tonumber(redis.call('GET', KEYS[1]))}
