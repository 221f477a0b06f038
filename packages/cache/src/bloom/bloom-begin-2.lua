-- Starts a rebuild: claims the building pointer and creates the empty building bitmap together,
-- so an instance that reads the pointer always finds the bitmap it names.
-- KEYS[1] pointer          <live>:building, value: the name of KEYS[2]
-- KEYS[2] building bitmap  <live>:building:<token>
-- ARGV[1] m - 1, the last bit offset: writing a 0 there allocates all m bits, zeroed
-- ARGV[2] TTL of both keys in ms, refreshed by every batch (bounds an abandoned rebuild)
-- Returns 1 started | 0 busy (another rebuild holds the pointer)
if not redis.call('SET', KEYS[1], KEYS[2], 'NX', 'PX', ARGV[2]) then
  return 0
end
redis.call('SETBIT', KEYS[2], ARGV[1], 0)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
