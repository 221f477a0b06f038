-- Sets the bits of one or more ids in a Bloom filter bitmap that already exists.
-- KEYS[1] bitmap     surge:{bloom:<name>}:m<bits>:k<hashes> (live) or <live>:building:<token>
-- ARGV[1..] bit offsets in [0, m): k per id, the offsets of several ids concatenated
-- Returns 1 bits set | 0 no such bitmap, nothing written: a filter that was never built must not
--   be created by an add with only these bits set, which would hide every other existing id.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
for i = 1, #ARGV do
  redis.call('SETBIT', KEYS[1], ARGV[i], 1)
end
return 1
