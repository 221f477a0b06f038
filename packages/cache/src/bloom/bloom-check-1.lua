-- Tells whether an id may be in a Bloom filter.
-- KEYS[1] live bitmap  surge:{bloom:<name>}:m<bits>:k<hashes>
-- ARGV[1..k] the id's bit offsets in [0, m)
-- Returns 1 maybe present (every bit set) | 0 absent (a bit is 0; stops at the first)
--   | -1 not built (no bitmap: the caller must fail open, as GETBIT on a missing key reads 0)
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
for i = 1, #ARGV do
  if redis.call('GETBIT', KEYS[1], ARGV[i]) == 0 then
    return 0
  end
end
return 1
