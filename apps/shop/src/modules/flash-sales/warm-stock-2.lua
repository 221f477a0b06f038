-- Puts a sale's stock and window into Redis before it opens. Idempotent: the stock is set only if
-- absent, so warming twice, or warming a running sale, never adds units; the window and limit are
-- overwritten (an admin may move them). Every key of the sale expires at ARGV[5].
-- In mode 'beforeStart' (the periodic warmer) a sale that has started by Redis' clock and has no
-- stock is left alone: Redis lost it while units were being sold, and only MySQL knows how many
-- (rebuild-stock-5.lua); putting the full stock back would sell those units twice.
-- KEYS[1] remaining units   surge:{sale:<id>}:stock
-- KEYS[2] sale window hash  surge:{sale:<id>}:meta   fields startsAtMs, endsAtMs, perUserLimit, expireAtMs
-- ARGV[1] stock (units, >= 1)
-- ARGV[2] startsAt, epoch ms
-- ARGV[3] endsAt, epoch ms
-- ARGV[4] perUserLimit (units, >= 1)
-- ARGV[5] expireAt, epoch ms: when every key of the sale may go (after the payment window of the last order)
-- ARGV[6] mode: 'new' (a sale just created: nothing can have been sold) | 'beforeStart'
-- Returns {'WARMED', remaining} the stock was put | {'PRESENT', remaining} it was already there
--       | {'LOST'} mode beforeStart, the sale has started and its stock is absent: nothing written
local status = 'PRESENT'
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[6] == 'beforeStart' then
    local time = redis.call('TIME')
    local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
    if nowMs >= tonumber(ARGV[2]) then
      return {'LOST'}
    end
  end
  redis.call('SET', KEYS[1], ARGV[1])
  status = 'WARMED'
end
redis.call('HSET', KEYS[2], 'startsAtMs', ARGV[2], 'endsAtMs', ARGV[3], 'perUserLimit', ARGV[4], 'expireAtMs', ARGV[5])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
redis.call('PEXPIREAT', KEYS[2], ARGV[5])
return {status, tonumber(redis.call('GET', KEYS[1]))}
