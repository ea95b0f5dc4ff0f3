/**
 * EST-coaps payload codecs against independent material (openssl) and spec examples: certs-only
 * PKCS#7, multipart-core (RFC 9148 §5.3), CSR attributes (RFC 7030 §4.5.2, Appendix A.2),
 * PKCS#8, and the refusals of malformed input.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  EstPayloadError, decodeCertsOnly, decodeCsrAttributes, decodeMultipartCore, decodePrivateKey, encodeCertsOnly,
  encodeCsrAttributes, encodeMultipartCore, encodePrivateKey,
} from '../../../common/est/index';
import { makeOpensslMaterial, type OpensslMaterial } from './openssl-material';

let m: OpensslMaterial;
beforeAll(() => { m = makeOpensslMaterial(); });
afterAll(() => m.remove());

describe('certs-only PKCS#7 (281)', () => {
  test('decodes openssl crl2pkcs7 output to the exact certificate bytes', () => {
    const certs = decodeCertsOnly(m.certsOnly);
    expect(certs.map((c) => Buffer.from(c))).toEqual([m.deviceCert, m.caCert]);
  });

  test('what we encode, openssl reads back (pkcs7 -print_certs)', () => {
    const der = encodeCertsOnly([m.deviceCert, m.caCert]);
    const printed = m.openssl(['pkcs7', '-inform', 'DER', '-print_certs', '-noout'], Buffer.from(der)).toString();
    expect(printed).toMatch(/subject=.*CN\s*=\s*dev-7/);
    expect(printed).toMatch(/subject=.*CN\s*=\s*EST Test CA/);
    expect(decodeCertsOnly(der).map((c) => Buffer.from(c))).toEqual([m.deviceCert, m.caCert]);
  });

  test('an empty certs-only decodes to no certificates', () => {
    expect(decodeCertsOnly(encodeCertsOnly([]))).toEqual([]);
  });

  test('refuses truncated, trailing-garbage and non-PKCS#7 input', () => {
    expect(() => decodeCertsOnly(m.certsOnly.subarray(0, m.certsOnly.length - 5))).toThrow(EstPayloadError);
    expect(() => decodeCertsOnly(Buffer.concat([m.certsOnly, Buffer.of(0)]))).toThrow(/after the DER element/);
    expect(() => decodeCertsOnly(m.deviceCert)).toThrow(EstPayloadError);
    expect(() => encodeCertsOnly([m.csr])).toThrow(EstPayloadError);
  });
});

describe('multipart-core (62)', () => {
  // RFC 9148 §5.3, "Multipart /skg response serialization".
  const example = Buffer.from('8419011c480123456789abcdef19011948fedcba9876543210', 'hex');

  test('decodes the RFC 9148 §5.3 example and encodes it back byte for byte', () => {
    const parts = decodeMultipartCore(example);
    expect(parts).toEqual([
      { contentFormat: 284, payload: Uint8Array.from(Buffer.from('0123456789abcdef', 'hex')) },
      { contentFormat: 281, payload: Uint8Array.from(Buffer.from('fedcba9876543210', 'hex')) },
    ]);
    expect(Buffer.from(encodeMultipartCore(parts))).toEqual(example);
  });

  test('refuses what is not a multipart-core array', () => {
    expect(() => decodeMultipartCore(Buffer.from('a0', 'hex'))).toThrow(/not a CBOR array/);
    expect(() => decodeMultipartCore(Buffer.from('8319011c4100', 'hex').subarray(0, 4))).toThrow(EstPayloadError);
    expect(() => decodeMultipartCore(Buffer.from('8319011c410001', 'hex'))).toThrow(/odd number/);
    expect(() => decodeMultipartCore(Buffer.from('8219011cf6', 'hex'))).toThrow(/not a byte string/);
    expect(() => decodeMultipartCore(Buffer.from('826161410a', 'hex'))).toThrow(/content format/);
    expect(() => decodeMultipartCore(Buffer.concat([example, Buffer.of(0)]))).toThrow(EstPayloadError);
    expect(() => encodeMultipartCore([{ contentFormat: 70000, payload: new Uint8Array(0) }])).toThrow(EstPayloadError);
  });
});

describe('CSR attributes (285)', () => {
  test('decodes the RFC 7030 Appendix A.2 example', () => {
    const spec = fs.readFileSync(path.resolve(__dirname, '../../../..', 'shared/specs/draft-ietf-pkix-est-09.txt'), 'utf8');
    const b64 = /Content-Length: 171\s+([A-Za-z0-9+/=\s]+?)\n\s*\n/.exec(spec)![1].replace(/\s+/g, '');
    const der = Buffer.from(b64, 'base64');
    const items = decodeCsrAttributes(der);
    expect(items.map((i) => i.oid)).toEqual([
      '1.3.6.1.1.1.1.22', '2.999.1', '1.2.840.113549.1.9.7', '2.999.2', '1.3.36.3.3.2.8.1.1.11', '2.16.840.1.101.3.4.2.2',
    ]);
    expect(items[1].values).toHaveLength(1);
    expect(Buffer.from(items[1].values![0]).subarray(2).toString()).toBe('Parse SET as 2.999.1 data');
    expect(items[3].values).toHaveLength(3);
    expect(Buffer.from(encodeCsrAttributes(items))).toEqual(der);
  });

  test('refuses malformed attributes', () => {
    expect(() => decodeCsrAttributes(Buffer.from('3003020101', 'hex'))).toThrow(/neither an OID nor an Attribute/);
    expect(() => decodeCsrAttributes(Buffer.from('300530030603', 'hex'))).toThrow(EstPayloadError);
    expect(() => decodeCsrAttributes(Buffer.from('3007300506032a0304', 'hex'))).toThrow(/not an Attribute/);
    expect(() => encodeCsrAttributes([{ oid: 'not.an.oid' }])).toThrow(EstPayloadError);
  });
});

describe('PKCS#8 (284)', () => {
  test('round-trips the openssl key', () => {
    const key = decodePrivateKey(m.key);
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(Buffer.from(encodePrivateKey(key))).toEqual(m.key);
    expect(() => decodePrivateKey(m.key.subarray(0, 20))).toThrow(EstPayloadError);
    expect(() => decodePrivateKey(m.csr)).toThrow(EstPayloadError);
  });
});
