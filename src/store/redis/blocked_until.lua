#!lua flags=allow-oom
-- Until when a user ID is blocked, if it is at the given time.
-- KEYS[1]: the block key.
-- ARGV: now seconds, now nanoseconds.
-- Returns nil, or {until seconds, until nanoseconds} as strings.
-- Flags: allow-oom. It reads, and at most gives an existing block its lifetime or
-- deletes it: a block is always read, even while memory is over `maxmemory`.
local v = redis.call('HMGET', KEYS[1], 's', 'f')
if not v[1] then
  return false
end
local us, uf = tonumber(v[1]), tonumber(v[2])
local ns, nf = tonumber(ARGV[1]), tonumber(ARGV[2])
local ended = us < ns or (us == ns and uf <= nf)
if redis.call('PTTL', KEYS[1]) == -1 then
  -- A block stored without a lifetime gets one now that the time is known.
  if ended then
    redis.call('DEL', KEYS[1])
  else
    local left = (us - ns) * 1000 + (uf - nf) / 1000000
    redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(left)))
  end
end
if ended then
  return false
end
return {v[1], v[2]}
