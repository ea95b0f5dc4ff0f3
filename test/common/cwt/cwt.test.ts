/**
 * CWT: the RFC 8392 Appendix A examples read from the draft text (signed, MACed with tag 61,
 * encrypted, nested, float iat) verify; our own tokens round-trip; every refusal reason has its code.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { coseKeyToKeyObject } from '../../../common/cose/keys';
import { createPublicKey } from 'node:crypto';
import { createCwt, peekCwtClaims, verifyCwt } from '../../../common/cwt/cwt';
import { CwtError } from '../../../common/cwt/errors';
import { figureHex } from '../cose/rfc-text';
import { Tag, decodeCbor, encodeCbor } from '../../../common/cose/cbor';

const CWT = 'draft-ietf-ace-cbor-web-token-15.txt';
const ecKey = coseKeyToKeyObject(figureHex(CWT, 8)).key; // A.2.3
const key128 = Buffer.from('231f4c4d4d3051fdc2ec0a3851d5b383', 'hex'); // A.2.1
const key256 = Buffer.from('403697de87af64611c1d32a05dab0fe1fcb715a86ab435f1ec99192d79569388', 'hex'); // A.2.2
const inWindow = 1444000000; // between nbf 1443944944 and exp 1444064944
const code = (c: string) => expect.objectContaining({ code: c });

function expectA1(claims: ReturnType<typeof verifyCwt>['claims']) {
  expect(claims).toMatchObject({ iss: 'coap://as.example.com', sub: 'erikw', aud: 'coap://light.example.com', exp: 1444064944, nbf: 1443944944, iat: 1443944944 });
  expect(Buffer.from(claims.cti!).toString('hex')).toBe('0b71');
}

describe('RFC 8392 Appendix A', () => {
  it('A.3 signed CWT verifies with the A.2.3 public key', () => {
    const r = verifyCwt(figureHex(CWT, 10), createPublicKey(ecKey), { now: inWindow, audience: 'coap://light.example.com', issuer: 'coap://as.example.com' });
    expectA1(r.claims);
    expect(r.alg).toBe('ES256');
    expect(Buffer.from(r.kid!).toString()).toBe('AsymmetricECDSA256');
    expect(r.layers).toEqual(['sign1']);
  });

  it('A.4 MACed CWT with the CWT tag verifies with the A.2.2 key', () => {
    const r = verifyCwt(figureHex(CWT, 12), { mac: key256 }, { now: inWindow });
    expectA1(r.claims);
    expect(r.layers).toEqual(['mac0']);
  });

  it('A.5 encrypted CWT decrypts with the A.2.1 key', () => {
    expectA1(verifyCwt(figureHex(CWT, 14), { decrypt: key128 }, { now: inWindow }).claims);
  });

  it('A.6 nested (signed then encrypted) CWT opens both layers', () => {
    const r = verifyCwt(figureHex(CWT, 16), { decrypt: key128, verify: createPublicKey(ecKey) }, { now: inWindow });
    expectA1(r.claims);
    expect(r.layers).toEqual(['encrypt0', 'sign1']);
  });

  it('A.7 MACed CWT with a floating-point iat', () => {
    const r = verifyCwt(figureHex(CWT, 18), { mac: key256 });
    expect(r.claims.iat).toBe(1443944944.5);
  });

  it('the A.3 token is refused as expired now, and as not yet valid before nbf', () => {
    expect(() => verifyCwt(figureHex(CWT, 10), createPublicKey(ecKey))).toThrow(code('ERR_CWT_EXPIRED'));
    expect(() => verifyCwt(figureHex(CWT, 10), createPublicKey(ecKey), { now: 1443944944 - 3600 })).toThrow(code('ERR_CWT_NOT_YET_VALID'));
  });
});

describe('our CWTs', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = 1_700_000_000;
  const claims = { iss: 'sp2', sub: 'dev-1', aud: 'sp1', exp: now + 3600, nbf: now - 10, iat: now, cti: new Uint8Array([1, 2]), extra: new Map<number, unknown>([[-65537, 'private']]) };
  const token = createCwt({ claims, key: privateKey, alg: 'ES256', kid: Buffer.from('sp2-key') });

  it('round-trips with private claims, kid and the CWT tag', () => {
    const r = verifyCwt(token, publicKey, { now, audience: 'sp1', issuer: ['sp0', 'sp2'], requiredClaims: ['cti', -65537] });
    expect(r.claims.extra!.get(-65537)).toBe('private');
    expect(Buffer.from(r.kid!).toString()).toBe('sp2-key');
    const tagged = createCwt({ claims, key: privateKey, alg: 'ES256', cwtTag: true });
    expect(Buffer.from(tagged.subarray(0, 3)).toString('hex')).toBe('d83dd2');
    expect(verifyCwt(tagged, publicKey, { now }).claims.sub).toBe('dev-1');
    expect(peekCwtClaims(tagged).claims.iss).toBe('sp2');
  });

  it('clock skew: tolerated within, refused beyond', () => {
    expect(verifyCwt(token, publicKey, { now: now + 3600 + 30, clockSkew: 60 }).claims.sub).toBe('dev-1');
    expect(() => verifyCwt(token, publicKey, { now: now + 3600 + 30, clockSkew: 0 })).toThrow(code('ERR_CWT_EXPIRED'));
    expect(verifyCwt(token, publicKey, { now: now - 40, clockSkew: 60 }).claims.sub).toBe('dev-1');
    expect(() => verifyCwt(token, publicKey, { now: now - 40, clockSkew: 5 })).toThrow(code('ERR_CWT_NOT_YET_VALID'));
  });

  it('each reason of refusal has its code, all CwtErrors', () => {
    const cases: [() => unknown, string][] = [
      [() => verifyCwt(token, publicKey, { now, audience: 'sp3' }), 'ERR_CWT_AUDIENCE'],
      [() => verifyCwt(token, publicKey, { now, issuer: 'sp9' }), 'ERR_CWT_ISSUER'],
      [() => verifyCwt(token, publicKey, { now, requiredClaims: [-65538] }), 'ERR_CWT_MISSING_CLAIM'],
      [() => verifyCwt(createCwt({ claims: { sub: 'x' }, key: privateKey, alg: 'ES256' }), publicKey, { now, issuer: 'sp2' }), 'ERR_CWT_MISSING_CLAIM'],
      [() => verifyCwt(token, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, { now }), 'ERR_CWT_SIGNATURE'],
      [() => verifyCwt(token, publicKey, { now, allowedAlgs: ['EdDSA'] }), 'ERR_CWT_SIGNATURE'],
      [() => verifyCwt(token.subarray(0, 30), publicKey, { now }), 'ERR_CWT_INVALID'],
      [() => verifyCwt(randomBytes(40), publicKey, { now }), 'ERR_CWT_INVALID'],
      [() => verifyCwt(createCwt({ claims: {}, key: privateKey, alg: 'ES256' }).fill(0, 0, 1), publicKey, { now }), 'ERR_CWT_INVALID'],
    ];
    for (const [run, c] of cases) {
      let err: unknown;
      try { run(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(CwtError);
      expect((err as CwtError).code).toBe(c);
    }
  });

  it('a tampered claim fails the signature; a claims set that is not a map is malformed', () => {
    const bad = Buffer.from(token);
    bad[bad.indexOf('dev-1') + 4] ^= 1;
    expect(() => verifyCwt(bad, publicKey, { now })).toThrow(code('ERR_CWT_SIGNATURE'));
    const [p, u, , s] = (decodeCbor(token, 't') as Tag).value as unknown[];
    const notMap = encodeCbor(new Tag([p, u, encodeCbor([1, 2]), s], 18));
    expect(() => peekCwtClaims(notMap)).toThrow(code('ERR_CWT_INVALID'));
    expect(() => createCwt({ claims: { exp: 'soon' as unknown as number }, key: privateKey, alg: 'ES256' })).toThrow(code('ERR_CWT_INVALID'));
  });
});
