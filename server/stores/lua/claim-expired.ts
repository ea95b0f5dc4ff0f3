/**
 * Lua: atomically claim one expired registration, so that exactly one server process reports
 * its expiry: succeeds only while the endpoint's expiry score is still <= now (an Update in
 * between pushes it out), then removes the registration.
 *   KEYS[1] expiry sorted set, KEYS[2] registration key
 *   ARGV[1] endpoint, ARGV[2] now (ms)
 *   → the removed registration JSON, or nil when another process (or an Update) was first
 */
export const CLAIM_EXPIRED = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return false end
redis.call('ZREM', KEYS[1], ARGV[1])
local cur = redis.call('GET', KEYS[2])
redis.call('DEL', KEYS[2])
return cur
`;
