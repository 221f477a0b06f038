-- Abandons a failed rebuild: drops its building bitmap and releases the pointer if still its own.
-- KEYS[1] pointer          <live>:building
-- KEYS[2] building bitmap  <live>:building:<token>
-- Returns 1 pointer released | 0 the pointer had expired or belonged to another rebuild
redis.call('DEL', KEYS[2])
if redis.call('GET', KEYS[1]) == KEYS[2] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
