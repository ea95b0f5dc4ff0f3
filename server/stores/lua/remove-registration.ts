/**
 * Lua: delete a registration only if it has this registration id (De-register).
 *   KEYS[1] registration key, KEYS[2] expiry sorted set, KEYS[3] registration-id key
 *   ARGV[1] registration id, ARGV[2] endpoint
 *   → the deleted registration JSON, or nil
 */
export const REMOVE_REGISTRATION = `
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local ok, reg = pcall(cjson.decode, cur)
if not ok or reg.registrationId ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('ZREM', KEYS[2], ARGV[2])
return cur
`;
