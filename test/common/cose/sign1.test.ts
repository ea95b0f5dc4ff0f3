/** COSE_Sign1: round trips for ES256/ES384/EdDSA, detached payloads, AAD, tags, headers and every refusal. */
import { generateKeyPairSync } from 'node:crypto';
import { decodeSign1, signSign1, verifySign1, type CoseAlg } from '../../../common/cose/sign1';
import { Tag, decodeCbor, encodeCbor } from '../../../common/cose/cbor';

const keys = {
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  EdDSA: generateKeyPairSync('ed25519'),
};
const payload = Buffer.from('the transfer message');
const code = (c: string) => expect.objectContaining({ code: c });

describe.each(['ES256', 'ES384', 'EdDSA'] as CoseAlg[])('%s', (alg) => {
  const { privateKey, publicKey } = keys[alg];

  it('signs and verifies, tagged by default, with the kid', () => {
    const kid = Buffer.from('k1');
    const msg = signSign1({ payload, key: privateKey, alg, unprotectedHeader: new Map([[4, kid]]) });
    expect(msg[0]).toBe(0xd2);
    const r = verifySign1(msg, publicKey);
    expect(Buffer.from(r.payload!).equals(payload)).toBe(true);
    expect(r.alg).toBe(alg);
    expect(Buffer.from(r.kid!).equals(kid)).toBe(true);
    expect(r.tagged).toBe(true);
    expect(r.protectedHeader.get(1)).toBe({ ES256: -7, ES384: -35, EdDSA: -8 }[alg]);
  });

  it('refuses a tampered payload and a wrong key', () => {
    const msg = Buffer.from(signSign1({ payload, key: privateKey, alg }));
    const i = msg.indexOf(payload);
    msg[i] ^= 0x01;
    expect(() => verifySign1(msg, publicKey)).toThrow(code('ERR_COSE_SIGNATURE'));
    const good = signSign1({ payload, key: privateKey, alg });
    const other = alg === 'EdDSA' ? generateKeyPairSync('ed25519').publicKey : generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' }).publicKey;
    expect(() => verifySign1(good, other)).toThrow(code('ERR_COSE_SIGNATURE'));
  });
});

describe('COSE_Sign1 options', () => {
  const { privateKey, publicKey } = keys.ES256;

  it('detached payload: nil in the message, verified with the detached bytes', () => {
    const msg = signSign1({ payload: null, detachedPayload: payload, key: privateKey, alg: 'ES256' });
    expect(decodeSign1(msg).payload).toBeNull();
    expect(verifySign1(msg, publicKey, { detachedPayload: payload }).payload).toBeNull();
    expect(() => verifySign1(msg, publicKey, { detachedPayload: Buffer.from('other') })).toThrow(code('ERR_COSE_SIGNATURE'));
    expect(() => verifySign1(msg, publicKey)).toThrow(code('ERR_COSE_INVALID'));
    expect(() => signSign1({ payload: null, key: privateKey, alg: 'ES256' })).toThrow(code('ERR_COSE_INVALID'));
  });

  it('external AAD must match', () => {
    const aad = Buffer.from('11aa22bb', 'hex');
    const msg = signSign1({ payload, key: privateKey, alg: 'ES256', externalAad: aad });
    expect(verifySign1(msg, publicKey, { externalAad: aad }).alg).toBe('ES256');
    expect(() => verifySign1(msg, publicKey)).toThrow(code('ERR_COSE_SIGNATURE'));
  });

  it('untagged messages verify and say so', () => {
    const msg = signSign1({ payload, key: privateKey, alg: 'ES256', tagged: false });
    expect(msg[0]).toBe(0x84);
    expect(verifySign1(msg, publicKey).tagged).toBe(false);
  });

  it('an empty protected bucket is h\'\' (alg unprotected)', () => {
    const msg = signSign1({ payload, key: privateKey, alg: 'ES256', unprotectedHeader: new Map([[1, -7]]) });
    const d = decodeSign1(msg);
    expect(d.protectedBytes.length).toBe(0);
    expect(verifySign1(msg, publicKey).alg).toBe('ES256');
  });

  it('a key resolver receives the kid', () => {
    const msg = signSign1({ payload, key: privateKey, alg: 'ES256', protectedHeader: new Map([[4, Buffer.from('sp2')]]) });
    const seen: string[] = [];
    verifySign1(msg, (h) => { seen.push(Buffer.from(h.kid!).toString()); return publicKey; });
    expect(seen).toEqual(['sp2']);
  });

  it('refuses an alg outside allowedAlgs, an unknown alg and a key of another type', () => {
    const msg = signSign1({ payload, key: keys.ES384.privateKey, alg: 'ES384' });
    expect(() => verifySign1(msg, keys.ES384.publicKey, { allowedAlgs: ['ES256'] })).toThrow(code('ERR_COSE_ALG'));
    expect(() => verifySign1(msg, publicKey)).toThrow(code('ERR_COSE_SIGNATURE'));
    const [, u, p, s] = (decodeCbor(msg, 't') as Tag).value as unknown[];
    const hs512 = encodeCbor(new Tag([encodeCbor(new Map([[1, -36]])), u, p, s], 18));
    expect(() => verifySign1(hs512, publicKey)).toThrow(code('ERR_COSE_ALG'));
    const noAlg = encodeCbor(new Tag([new Uint8Array(0), u, p, s], 18));
    expect(() => verifySign1(noAlg, publicKey)).toThrow(code('ERR_COSE_INVALID'));
    expect(() => signSign1({ payload, key: keys.EdDSA.privateKey, alg: 'ES256' })).toThrow(code('ERR_COSE_ALG'));
    expect(() => signSign1({ payload, key: publicKey, alg: 'ES256' })).toThrow(code('ERR_COSE_ALG'));
  });

  it('refuses unknown critical headers, accepts understood ones', () => {
    const crit = signSign1({ payload, key: privateKey, alg: 'ES256', protectedHeader: new Map<number, unknown>([[2, [-70000]], [-70000, 1]]) });
    expect(() => verifySign1(crit, publicKey)).toThrow(code('ERR_COSE_INVALID'));
    expect(() => decodeSign1(crit)).toThrow(/unknown critical header -70000/);
    const known = signSign1({ payload, key: privateKey, alg: 'ES256', protectedHeader: new Map<number, unknown>([[2, [4]], [4, Buffer.from('k')]]) });
    expect(verifySign1(known, publicKey).alg).toBe('ES256');
  });

  it('refuses crit in the unprotected bucket, a label in both buckets and a bad kid type', () => {
    const make = (p: Map<number, unknown>, u: Map<number, unknown>) => encodeCbor(new Tag([encodeCbor(p), u, payload, new Uint8Array(64)], 18));
    expect(() => decodeSign1(make(new Map([[1, -7]]), new Map([[2, [4]]])))).toThrow(code('ERR_COSE_INVALID'));
    expect(() => decodeSign1(make(new Map([[1, -7]]), new Map([[1, -7]])))).toThrow(/both/);
    expect(() => decodeSign1(make(new Map([[1, -7]]), new Map([[4, 'text']])))).toThrow(code('ERR_COSE_INVALID'));
  });

  it('refuses garbage, truncated CBOR, trailing bytes, wrong tags and wrong shapes', () => {
    const msg = signSign1({ payload, key: privateKey, alg: 'ES256' });
    for (const bad of [
      Buffer.from('not cbor at all'),
      Buffer.from(msg).subarray(0, msg.length - 5),
      Buffer.concat([msg, Buffer.from([0])]),
      new Uint8Array(0),
      encodeCbor(new Tag((decodeCbor(msg, 't') as Tag).value, 17)),
      encodeCbor([1, 2, 3]),
      encodeCbor(new Tag([encodeCbor([1]), new Map(), payload, new Uint8Array(64)], 18)),
      encodeCbor(new Tag([new Uint8Array(0), new Map(), 'text payload', new Uint8Array(64)], 18)),
    ]) {
      expect(() => verifySign1(bad, publicKey)).toThrow(code('ERR_COSE_INVALID'));
    }
  });

  it('refuses an alg header that contradicts the alg option', () => {
    expect(() => signSign1({ payload, key: privateKey, alg: 'ES256', protectedHeader: new Map([[1, -35]]) })).toThrow(code('ERR_COSE_ALG'));
  });
});

test('a critical private header verifies when the caller says it understands it', () => {
  const { privateKey, publicKey } = keys.ES256;
  const msg = signSign1({ payload, key: privateKey, alg: 'ES256', protectedHeader: new Map<number, unknown>([[2, [-70000]], [-70000, 1]]) });
  expect(verifySign1(msg, publicKey, { understoodCritical: [-70000] }).protectedHeader.get(-70000)).toBe(1);
  expect(() => verifySign1(msg, publicKey, { understoodCritical: [-70001] })).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
});
