/**
 * parseEstPayload: every kind, with and without a Content-Format, on openssl material and on
 * material from common/pki; a CSR whose signature does not verify is reported as such; every
 * malformed input is an EstPayloadError.
 */
import {
  EstContentFormat, EstPayloadError, encodeCertsOnly, encodeCsrAttributes, encodeMultipartCore, parseEstPayload,
} from '../../../common/est/index';
import { createCsr, generateKeyPair } from '../../../common/pki/index';
import { makeOpensslMaterial, type OpensslMaterial } from './openssl-material';

let m: OpensslMaterial;
beforeAll(() => { m = makeOpensslMaterial(); });
afterAll(() => m.remove());

/** The CSR with one bit of its signature flipped (the last byte is inside the signature BIT STRING). */
function tamperedSignature(csr: Uint8Array): Uint8Array {
  const out = Uint8Array.from(csr);
  out[out.length - 3] ^= 0x01;
  return out;
}

describe('parseEstPayload', () => {
  test('sniffs each kind from the bytes alone', async () => {
    expect(await parseEstPayload(m.certsOnly)).toMatchObject({ kind: 'certs' });
    expect(await parseEstPayload(m.deviceCert)).toEqual({ kind: 'cert', certificate: Uint8Array.from(m.deviceCert) });
    expect(await parseEstPayload(m.csr)).toMatchObject({ kind: 'csr', signatureValid: true, subject: expect.stringContaining('dev-7') });
    expect(await parseEstPayload(m.key)).toMatchObject({ kind: 'private-key', keyType: 'ec', curve: 'prime256v1' });
    expect(await parseEstPayload(encodeCsrAttributes([{ oid: '1.2.840.113549.1.9.7' }, { oid: '2.5.4.5' }])))
      .toMatchObject({ kind: 'csr-attributes', attributes: ['1.2.840.113549.1.9.7', '2.5.4.5'] });
    const multipart = encodeMultipartCore([{ contentFormat: 284, payload: m.key }, { contentFormat: 281, payload: m.certsOnly }]);
    const parsed = await parseEstPayload(multipart);
    expect(parsed).toMatchObject({ kind: 'multipart', parts: [{ contentFormat: 284 }, { contentFormat: 281 }] });
  });

  test('follows the Content-Format when given, and refuses a mismatch', async () => {
    expect(await parseEstPayload(m.certsOnly, EstContentFormat.pkcs7CertsOnly)).toMatchObject({ kind: 'certs' });
    expect(await parseEstPayload(m.csr, EstContentFormat.pkcs10)).toMatchObject({ kind: 'csr' });
    expect(await parseEstPayload(m.deviceCert, EstContentFormat.pkixCert)).toMatchObject({ kind: 'cert' });
    await expect(parseEstPayload(m.deviceCert, EstContentFormat.pkcs10)).rejects.toThrow(EstPayloadError);
    await expect(parseEstPayload(m.csr, EstContentFormat.pkcs7CertsOnly)).rejects.toThrow(EstPayloadError);
    await expect(parseEstPayload(m.csr, 0)).rejects.toThrow(/not an EST payload/);
    await expect(parseEstPayload(m.csr, 280)).rejects.toThrow(/not supported/);
  });

  test('a CSR made by common/pki parses; with a flipped signature bit it is reported invalid', async () => {
    const keys = generateKeyPair('P-256');
    const csr = await createCsr({ subject: 'CN=dev-9, serialNumber=dev-9', ...keys });
    const good = await parseEstPayload(csr);
    expect(good).toMatchObject({ kind: 'csr', signatureValid: true });
    const bad = await parseEstPayload(tamperedSignature(csr), EstContentFormat.pkcs10);
    expect(bad).toMatchObject({ kind: 'csr', signatureValid: false });
  });

  test('refuses empty, truncated and trailing-garbage DER of every kind', async () => {
    await expect(parseEstPayload(new Uint8Array(0))).rejects.toThrow(EstPayloadError);
    for (const der of [m.certsOnly, m.deviceCert, m.csr, m.key, encodeCertsOnly([m.caCert])]) {
      await expect(parseEstPayload(der.subarray(0, der.length - 1))).rejects.toThrow(EstPayloadError);
      await expect(parseEstPayload(der.subarray(0, 40))).rejects.toThrow(/truncated/);
      await expect(parseEstPayload(Buffer.concat([der, Buffer.of(0)]))).rejects.toThrow(EstPayloadError);
    }
    await expect(parseEstPayload(Buffer.from('0401ff', 'hex'))).rejects.toThrow(EstPayloadError);
  });
});
