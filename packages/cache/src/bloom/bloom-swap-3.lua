-- Ends a rebuild: the building bitmap replaces the live one in one step, so a reader sees either
-- the old filter or the complete new one, never a half-built one.
-- KEYS[1] pointer          <live>:building
-- KEYS[2] building bitmap  <live>:building:<token>
-- KEYS[3] live bitmap      surge:{bloom:<name>}:m<bits>:k<hashes>
-- Returns 1 swapped | 0 lost (the pointer expired or names another rebuild; nothing changed)
if redis.call('GET', KEYS[1]) ~= KEYS[2] or redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
-- RENAME frees the old live bitmap synchronously unless lazyfree-lazy-server-del is on; that is
-- ~1 ms per MiB, fine for filters of a few MiB.
redis.call('RENAME', KEYS[2], KEYS[3])
redis.call('PERSIST', KEYS[3])
redis.call('DEL', KEYS[1])
return 1
