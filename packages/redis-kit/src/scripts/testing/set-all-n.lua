-- Test script: sets every key it is given to one value (a script with a variable key count).
--
-- KEYS[1..n]  the keys to set
-- ARGV[1]     the value
--
-- Returns     the number of keys set
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], ARGV[1])
end
return #KEYS
