/** COSE_Key and key-file loading; RFC 9360 x5chain / x5bag / x5t helpers on real certificates. */
import 'reflect-metadata';
import { KeyObject, X509Certificate, generateKeyPairSync } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { coseKeyToKeyObject, loadKeyFile } from '../../../common/cose/keys';
import { encodeX5Certs, endEntityCertificate, x5chainOf, x5tMatches, x5tOf } from '../../../common/cose/x509';
import { signSign1, verifySign1 } from '../../../common/cose/sign1';
import { figureHex } from './rfc-text';

const CWT = 'draft-ietf-ace-cbor-web-token-15.txt';

async function selfSigned(name: string): Promise<{ der: Uint8Array; keys: CryptoKeyPair }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ name: `CN=${name}`, keys, signingAlgorithm: alg, notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 86400000) });
  return { der: new Uint8Array(cert.rawData), keys };
}

describe('keys', () => {
  it('reads the RFC 8392 A.2.3 ECDSA COSE_Key and the A.2.1 symmetric key', () => {
    const ec = coseKeyToKeyObject(figureHex(CWT, 8));
    expect(ec.key.type).toBe('private');
    expect(Buffer.from(ec.kid!).toString()).toBe('AsymmetricECDSA256');
    const sym = coseKeyToKeyObject(figureHex(CWT, 4));
    expect(sym.key.type).toBe('secret');
    expect(sym.key.export().toString('hex')).toBe('231f4c4d4d3051fdc2ec0a3851d5b383');
  });

  it('refuses unsupported COSE_Keys', () => {
    expect(() => coseKeyToKeyObject(new Map<unknown, unknown>([[1, 3]]))).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
    expect(() => coseKeyToKeyObject(new Map<unknown, unknown>([[1, 2], [-1, 1], [-2, new Uint8Array(32)]]))).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
    expect(() => coseKeyToKeyObject(new Map<unknown, unknown>([[1, 2], [-1, 1], [-2, new Uint8Array(32)], [-3, new Uint8Array(32)]]))).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
  });

  it('loads JWK, PEM keys and certificates; public derived from private on demand', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'sp1' };
    const fromJwk = loadKeyFile(Buffer.from(JSON.stringify(jwk)));
    expect(fromJwk.key.type).toBe('public');
    expect(Buffer.from(fromJwk.kid!).toString()).toBe('sp1');
    expect(loadKeyFile(Buffer.from(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string), 'public').key.type).toBe('public');
    expect(loadKeyFile(Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }) as string)).key.type).toBe('public');
    const { der } = await selfSigned('sp2');
    const pem = new X509Certificate(der).toString();
    expect(loadKeyFile(Buffer.from(pem)).key.asymmetricKeyType).toBe('ec');
    expect(loadKeyFile(der).key.asymmetricKeyType).toBe('ec');
    expect(() => loadKeyFile(Buffer.from('hello'))).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
    expect(() => loadKeyFile(Buffer.from(JSON.stringify(jwk)), 'private')).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
  });
});

describe('x5chain / x5bag / x5t', () => {
  it('signs with x5chain + protected x5t and finds the end-entity certificate', async () => {
    const leaf = await selfSigned('leaf');
    const other = await selfSigned('other');
    const privateKey = KeyObject.from(leaf.keys.privateKey);
    const msg = signSign1({
      payload: Buffer.from('p'), key: privateKey, alg: 'ES256',
      protectedHeader: new Map<number, unknown>([[34, x5tOf(leaf.der)]]),
      unprotectedHeader: new Map<number, unknown>([[33, encodeX5Certs([leaf.der, other.der])], [32, encodeX5Certs([other.der])]]),
    });
    const r = verifySign1(msg, (h) => new X509Certificate(endEntityCertificate(h.protectedHeader, h.unprotectedHeader)!).publicKey);
    expect(x5chainOf(r.protectedHeader, r.unprotectedHeader)!.length).toBe(2);
    expect(x5tMatches(r.protectedHeader.get(34), leaf.der)).toBe(true);
    expect(x5tMatches(r.protectedHeader.get(34), other.der)).toBe(false);
  }, 20000);

  it('single certificates are a bstr; x5t with an unknown hash or no match is refused', async () => {
    const { der } = await selfSigned('one');
    expect(encodeX5Certs([der])).toBe(der);
    expect(x5tOf(der, -15)[1].length).toBe(8);
    expect(() => x5tMatches([-999, new Uint8Array(8)], der)).toThrow(expect.objectContaining({ code: 'ERR_COSE_ALG' }));
    const p = new Map<number | string, unknown>([[34, [-16, new Uint8Array(32)]]]);
    expect(() => endEntityCertificate(p, new Map([[33, der]]))).toThrow(expect.objectContaining({ code: 'ERR_COSE_INVALID' }));
  });
});
