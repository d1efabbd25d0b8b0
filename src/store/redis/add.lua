#!lua
-- Adds one to a counter within its window and returns the count.
-- KEYS[1]: the counter key.
-- ARGV: now seconds, now nanoseconds, the end of a window starting now (seconds,
--       nanoseconds), the window in milliseconds.
-- Flags: none, so Redis refuses it (OOM) while memory is over `maxmemory`: a count is
-- an error then, never lost half-written.
local v = redis.call('HMGET', KEYS[1], 'c', 's', 'f')
local count = tonumber(v[1])
if count then
  local es, ef = tonumber(v[2]), tonumber(v[3])
  local ns, nf = tonumber(ARGV[1]), tonumber(ARGV[2])
  if ns < es or (ns == es and nf < ef) then
    return redis.call('HINCRBY', KEYS[1], 'c', 1)
  end
end
-- A new window: it starts now and the key goes with it.
redis.call('HSET', KEYS[1], 'c', 1, 's', ARGV[3], 'f', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
