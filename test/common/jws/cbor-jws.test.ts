/** JWS over CBOR with jose: compact round trips for each alg and every refusal. */
import { generateKeyPairSync } from 'node:crypto';
import { CompactSign } from 'jose';
import { peekJwsHeader, signCborJws, verifyCborJws, type JwsAlg } from '../../../common/jws/cbor-jws';
import { encodeCbor } from '../../../common/cose/cbor';

const payload = encodeCbor([1, new Uint8Array([1, 2, 3]), 'x']);
const pairs: Record<JwsAlg, ReturnType<typeof generateKeyPairSync>> = {
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  EdDSA: generateKeyPairSync('ed25519'),
};

describe('CBOR JWS', () => {
  it.each(Object.keys(pairs) as JwsAlg[])('%s compact round trip, payload bytes intact', async (alg) => {
    const jws = await signCborJws(payload, { key: pairs[alg].privateKey, alg, kid: 'sp1', typ: 'update-info-list+cbor' });
    const [h, p] = jws.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toMatchObject({ alg, cty: 'cbor', kid: 'sp1' });
    expect(Buffer.from(p, 'base64url').equals(Buffer.from(payload))).toBe(true);
    const r = await verifyCborJws(jws, pairs[alg].publicKey, { typ: 'update-info-list+cbor' });
    expect(Buffer.from(r.payload).equals(Buffer.from(payload))).toBe(true);
    expect(r.kid).toBe('sp1');
  });

  it('refuses a wrong key, a modified payload, a disallowed alg, a wrong typ, non-CBOR content and garbage', async () => {
    const { privateKey, publicKey } = pairs.ES256;
    const jws = await signCborJws(payload, { key: privateKey, alg: 'ES256', typ: 't' });
    await expect(verifyCborJws(jws, pairs.ES384.publicKey)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE' });
    await expect(verifyCborJws(jws, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE' });
    const [h, , s] = jws.split('.');
    await expect(verifyCborJws(`${h}.${Buffer.from('other').toString('base64url')}.${s}`, publicKey)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE' });
    await expect(verifyCborJws(jws, publicKey, { algorithms: ['EdDSA'] })).rejects.toMatchObject({ code: 'ERR_JWS_INVALID' });
    await expect(verifyCborJws(jws, publicKey, { typ: 'other' })).rejects.toMatchObject({ code: 'ERR_JWS_INVALID' });
    const json = await new CompactSign(Buffer.from('{}')).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    await expect(verifyCborJws(json, publicKey)).rejects.toMatchObject({ code: 'ERR_JWS_INVALID' });
    await expect(verifyCborJws('a.b', publicKey)).rejects.toMatchObject({ code: 'ERR_JWS_INVALID' });
    await expect(verifyCborJws('!!.!!.!!', publicKey)).rejects.toMatchObject({ code: 'ERR_JWS_INVALID' });
    expect(() => peekJwsHeader('garbage')).toThrow(expect.objectContaining({ code: 'ERR_JWS_INVALID' }));
  });
});
