/** Bearer-token checks (RFC 6750) and token generation. */
import { BearerAuth, generateToken, MIN_TOKEN_LENGTH } from '../../../server/rest/auth';

describe('BearerAuth', () => {
  const token = generateToken();
  const auth = new BearerAuth(token);

  it('generates 32-byte base64url tokens, different each time', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(token);
  });

  it('accepts exactly the token, in the header or (when allowed) the query', () => {
    expect(auth.check({ authorization: `Bearer ${token}` })).toBe('ok');
    expect(auth.check({ authorization: `bearer   ${token}` })).toBe('ok');
    expect(auth.check({ authorization: `Bearer ${token}x` })).toBe('invalid');
    expect(auth.check({ authorization: `Bearer ${token.slice(1)}` })).toBe('invalid');
    expect(auth.check({ authorization: `Bearer ${token} extra` })).toBe('invalid');
    expect(auth.check({ authorization: `Token ${token}` })).toBe('invalid');
    expect(auth.check({ authorization: 'Bearer' })).toBe('invalid');
    expect(auth.check({})).toBe('missing');
    expect(auth.check({}, token)).toBe('ok');
    expect(auth.check({}, '')).toBe('invalid');
    expect(auth.check({}, null)).toBe('missing');
    expect(auth.check({ authorization: 'Bearer wrong' }, token)).toBe('invalid');
  });

  it('refuses short tokens and names the challenge', () => {
    expect(() => new BearerAuth('x'.repeat(MIN_TOKEN_LENGTH - 1))).toThrow(RangeError);
    expect(BearerAuth.challenge('missing')).toBe('Bearer realm="handover"');
    expect(BearerAuth.challenge('invalid')).toBe('Bearer realm="handover", error="invalid_token"');
  });
});
