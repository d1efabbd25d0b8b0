#!lua flags=allow-oom
-- Takes an account's reset link if its digest is the one given and it has not expired,
-- in one step: of two takes of one link, one wins. A wrong digest leaves it.
-- KEYS[1]: the account's grant key.
-- ARGV: the digest (hex), now seconds, now nanoseconds.
-- Returns {'none'}, {'wrong'}, or {'taken', expiry seconds, expiry nanoseconds}.
-- Flags: allow-oom. It reads and at most deletes.
local v = redis.call('HMGET', KEYS[1], 'd', 's', 'f')
if not v[1] then
  return {'none'}
end
local es, ef = tonumber(v[2]), tonumber(v[3])
local ns, nf = tonumber(ARGV[2]), tonumber(ARGV[3])
if es < ns or (es == ns and ef <= nf) then
  redis.call('DEL', KEYS[1])
  return {'none'}
end
if v[1] ~= ARGV[1] then
  return {'wrong'}
end
redis.call('DEL', KEYS[1])
return {'taken', v[2], v[3]}
