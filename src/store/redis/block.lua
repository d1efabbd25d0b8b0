#!lua flags=allow-oom
-- Blocks a user ID until a time; an existing later block stays.
-- KEYS[1]: the block key; KEYS[2], KEYS[3]: the user's counter keys.
-- ARGV: until seconds, until nanoseconds.
-- Flags: allow-oom. A block is never refused for memory: it is one small key, set only
-- for a user ID whose counter (refused under memory pressure) reached its limit.
local us, uf = tonumber(ARGV[1]), tonumber(ARGV[2])
local old = redis.call('HMGET', KEYS[1], 's', 'f')
local ps, pf = tonumber(old[1]), tonumber(old[2])
if ps and (ps > us or (ps == us and pf >= uf)) then
  return 0
end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'f', ARGV[2])
-- The caller's clock is not passed here. A counter key knows it: its window ends at
-- (s, f) in the caller's time and PTTL milliseconds from now in the server's, so the
-- block lasts (until - window end) + PTTL from now. The longest estimate wins.
local ttl = 0
for i = 2, 3 do
  local w = redis.call('HMGET', KEYS[i], 's', 'f')
  local left = redis.call('PTTL', KEYS[i])
  if w[1] and left > 0 then
    local ms = (us - tonumber(w[1])) * 1000 + (uf - tonumber(w[2])) / 1000000 + left
    if ms > ttl then
      ttl = ms
    end
  end
end
if ttl >= 1 then
  redis.call('PEXPIRE', KEYS[1], math.ceil(ttl))
else
  -- No estimate: keep it until blocked_until (which has the time) or clear.
  redis.call('PERSIST', KEYS[1])
end
return 1
