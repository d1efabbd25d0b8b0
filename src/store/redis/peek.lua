#!lua flags=no-writes
-- Reads a flow's current snapshot without taking it.
-- KEYS[1]: the flow key.
-- ARGV: now seconds, now nanoseconds.
-- Returns 0 (missing or expired) or the snapshot bytes (left in place).
-- Flags: no-writes (it only reads, so it runs under memory pressure too).
-- A value longer than any snapshot (MAX_SNAPSHOT_BYTES, 2048) is never sent.
if redis.call('HSTRLEN', KEYS[1], 'b') > 2048 then
  return 0
end
local v = redis.call('HMGET', KEYS[1], 'b', 's', 'f')
if not v[1] then
  return 0
end
local ds, df = tonumber(v[2]), tonumber(v[3])
local ns, nf = tonumber(ARGV[1]), tonumber(ARGV[2])
if ds < ns or (ds == ns and df <= nf) then
  return 0
end
return v[1]
