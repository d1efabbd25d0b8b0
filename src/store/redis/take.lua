#!lua
-- Takes a flow's current snapshot for one use.
-- KEYS[1]: the flow key.
-- ARGV: now seconds, now nanoseconds, the expected step nonce (decimal) or ''.
-- Returns 0 (missing or expired), 1 (stale: another step is stored, it stays) or the
-- snapshot bytes (now deleted).
-- Flags: none, so Redis refuses it (OOM) while memory is over `maxmemory`. It would only
-- free memory, but a flow taken then could not be saved again: refused, it stays.
-- A value longer than any snapshot (MAX_SNAPSHOT_BYTES, 2048) was not written by a
-- store: it is dropped here, never sent to the app server.
if redis.call('HSTRLEN', KEYS[1], 'b') > 2048 then
  redis.call('DEL', KEYS[1])
  return 0
end
local v = redis.call('HMGET', KEYS[1], 'b', 'n', 's', 'f')
if not v[1] then
  return 0
end
local ds, df = tonumber(v[3]), tonumber(v[4])
local ns, nf = tonumber(ARGV[1]), tonumber(ARGV[2])
if ds < ns or (ds == ns and df <= nf) then
  redis.call('DEL', KEYS[1])
  return 0
end
if ARGV[3] ~= '' and ARGV[3] ~= v[2] then
  return 1
end
redis.call('DEL', KEYS[1])
return v[1]
