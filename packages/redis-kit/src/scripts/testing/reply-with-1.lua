-- Test script: writes ARGV[2] to a key and answers with ARGV[1], as an integer when it is one.
-- KEYS[1] a key of the test's own prefix
-- ARGV[1] the reply
-- ARGV[2] the value to store in KEYS[1]
-- Returns ARGV[1] (integer if numeric, else the string)
redis.call('SET', KEYS[1], ARGV[2])
return tonumber(ARGV[1]) or ARGV[1]
