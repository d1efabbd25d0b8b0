#!lua
-- Files an anonymous flow's save in the pool of anonymous flows (newest first) and takes
-- out the oldest saves beyond the pool's capacity, whose flows the caller then evicts
-- (each on its own node: a flow key is in another slot than the pool).
-- KEYS[1]: the pool key.
-- ARGV: the entry (<flow store key>:<step nonce>), the capacity, the flow's time to live
--       in milliseconds.
-- Returns the entries taken out: one when the pool was full, none before; at most two
-- when it holds more than its capacity (a lower capacity shrinks it by one a save).
-- The pool lives as long as the longest-lived flow it names.
-- Flags: none, so Redis refuses it (OOM) while memory is over `maxmemory` (the store then
-- evicts the oldest anonymous flows to make room, and tries again).
local n = redis.call('LPUSH', KEYS[1], ARGV[1])
local over = n - tonumber(ARGV[2])
local out = {}
if over > 0 then
  out = redis.call('RPOP', KEYS[1], math.min(over, 2))
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return out
