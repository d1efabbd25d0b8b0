#!lua
-- Stores a flow's current snapshot, replacing any earlier one.
-- KEYS[1]: the flow key.
-- ARGV: snapshot bytes, step nonce (decimal), deadline seconds, deadline nanoseconds,
--       time to live in milliseconds.
-- Flags: none, so Redis refuses it (OOM) while memory is over `maxmemory`, before it
-- writes anything.
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'b', ARGV[1], 'n', ARGV[2], 's', ARGV[3], 'f', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
