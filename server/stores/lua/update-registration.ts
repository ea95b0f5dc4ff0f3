/**
 * Lua: replace a registration only if it is still the one with this registration id (an Update
 * must not resurrect a registration that expired or was replaced meanwhile).
 *   KEYS[1] registration key, KEYS[2] expiry sorted set
 *   ARGV[1] registration id, ARGV[2] new registration JSON, ARGV[3] endpoint, ARGV[4] expiry (ms)
 *   → 1 when replaced, 0 when the stored registration is gone or has another id
 */
export const UPDATE_REGISTRATION = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local ok, reg = pcall(cjson.decode, cur)
if not ok or reg.registrationId ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
return 1
`;
