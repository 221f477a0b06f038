-- Writes one batch of a rebuild into its building bitmap and extends the rebuild's lease.
-- KEYS[1] pointer          <live>:building
-- KEYS[2] building bitmap  <live>:building:<token>
-- ARGV[1] TTL of both keys in ms
-- ARGV[2..] bit offsets in [0, m) of the batch's ids
-- Returns 1 filled | 0 lost (the pointer expired or names another rebuild: adds of other instances
--   may have missed this bitmap, so it must not be swapped in)
if redis.call('GET', KEYS[1]) ~= KEYS[2] or redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
for i = 2, #ARGV do
  redis.call('SETBIT', KEYS[2], ARGV[i], 1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1
