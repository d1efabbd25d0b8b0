#!lua flags=allow-oom
-- Takes back one add of a counter, never below zero.
-- KEYS[1]: the counter key.
-- Flags: allow-oom. It only lowers a count that exists (no new key, no longer value),
-- so it runs while memory is over `maxmemory` too.
local count = tonumber(redis.call('HGET', KEYS[1], 'c'))
if count and count > 0 then
  redis.call('HINCRBY', KEYS[1], 'c', -1)
end
return 0
