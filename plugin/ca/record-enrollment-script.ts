/**
 * The Lua script that records an enrollment at the CA (RedisEnrollmentPolicy.recordEnrollment):
 * one enrollment per device per transfer, and a retransmitted enrollment of the SAME key answered
 * with the certificate recorded first — in one atomic step, so two concurrent enrollments of one
 * device can never both be recorded (the loser learns the winner's certificate instead).
 *
 *   KEYS[1]  <p>:est:transfer:<id>:enrolled  hash deviceId → operational certificate serial (hex)
 *   KEYS[2]  <p>:est:transfer:<id>:issued    hash deviceId → "<keyId> <certificate, base64>"
 *   ARGV[1]  deviceId
 *   ARGV[2]  serial of the certificate just issued
 *   ARGV[3]  keyId: SHA-256 (hex) of the certificate's SubjectPublicKeyInfo, or '' (no re-answer)
 *   ARGV[4]  the certificate just issued, base64 ('' with an empty keyId)
 * Returns  {'recorded'}                        this certificate is now the device's enrollment
 *          {'same-key', serial, certBase64}    an enrollment of the same key was recorded first
 *          {'other-key'}                       an enrollment of another key was recorded first
 */
export const RECORD_ENROLLMENT_LUA = `
local serial = redis.call('HGET', KEYS[1], ARGV[1])
if not serial then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. ' ' .. ARGV[4]) end
  return {'recorded'}
end
if ARGV[3] ~= '' then
  local issued = redis.call('HGET', KEYS[2], ARGV[1])
  if issued then
    local sep = string.find(issued, ' ', 1, true)
    if sep and string.sub(issued, 1, sep - 1) == ARGV[3] then return {'same-key', serial, string.sub(issued, sep + 1)} end
  end
end
return {'other-key'}
`;
