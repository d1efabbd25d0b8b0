#!lua flags=allow-oom
-- Evicts an anonymous flow whose save was taken out of the pool: deletes the flow only if
-- it still holds that very step (the same step nonce) and is still anonymous (its
-- snapshot's stage byte). A flow that moved on (another step nonce), passed its
-- challenge, was taken or expired is left alone.
-- KEYS[1]: the flow key.
-- ARGV: the step nonce of the save taken out (decimal), where a snapshot's stage byte is
--       (counted from 1), the stage of an anonymous flow (the byte's value).
-- Returns 1 (evicted) or 0 (left alone).
-- Flags: allow-oom. It only deletes, so it runs while memory is over `maxmemory`: it is
-- how the store makes room then.
local v = redis.call('HMGET', KEYS[1], 'n', 'b')
if v[1] == ARGV[1] and v[2] and string.byte(v[2], tonumber(ARGV[2])) == tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
