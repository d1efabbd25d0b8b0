#!lua flags=allow-oom
-- Removes an account's reset link.
-- KEYS[1]: the account's grant key.
-- Returns 1 when there was one, else 0.
-- Flags: allow-oom. It only deletes.
return redis.call('DEL', KEYS[1])
