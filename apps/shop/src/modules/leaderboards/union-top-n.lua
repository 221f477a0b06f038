-- The top entries of the union of sorted sets (the hour buckets of a window), highest first,
-- leaving nothing behind.
-- KEYS[1..n] KEYS[1] a scratch key for the union (deleted before returning); the others the
--            sorted sets to add up (all with one hash tag)
-- ARGV[1] how many entries
-- Returns a flat array: member, score, member, score, …
local sources = {}
for i = 2, #KEYS do
  sources[#sources + 1] = KEYS[i]
end
redis.call('ZUNIONSTORE', KEYS[1], #sources, unpack(sources))
local top = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
redis.call('DEL', KEYS[1])
return top
