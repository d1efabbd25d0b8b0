#!lua flags=allow-oom
-- Stores an account's reset link, replacing the one before.
-- KEYS[1]: the account's grant key.
-- ARGV: the digest (hex), expiry seconds, expiry nanoseconds, lifetime in milliseconds.
-- Flags: allow-oom. It writes one small key (an admin's action, never a flood), so an
-- admin can issue a link while memory is over `maxmemory` too.
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'd', ARGV[1], 's', ARGV[2], 'f', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 0
