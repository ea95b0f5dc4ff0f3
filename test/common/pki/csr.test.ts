/** PKCS#10 requests: built here, verified by openssl and by us; tampered and truncated ones refused. */
import { rmSync } from 'node:fs';
import {
  CertificateAuthority, CsrInvalidError, createCsr, generateKeyPair, pemBlock, verifyCsr,
} from '../../../common/pki/index';
import { InvalidInputError } from '../../../common/errors';
import { openssl, put, tempDir } from './openssl';

let dir: string;
beforeAll(() => { dir = tempDir('csr'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const csrPem = (der: Uint8Array) => pemBlock('CERTIFICATE REQUEST', der);

describe('createCsr / verifyCsr', () => {
  it.each(['P-256', 'P-384', 'Ed25519'] as const)('a %s request verifies with openssl req -verify and with verifyCsr', async (alg) => {
    const keys = generateKeyPair(alg);
    const der = await createCsr({ subject: 'CN=dev-1, serialNumber=dev-1, O=Acme', ...keys });
    const r = openssl('req', '-verify', '-in', put(dir, `ok-${alg}.pem`, csrPem(der)), '-noout', '-subject');
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/verify OK/i);
    expect(r.stdout).toContain('serialNumber = dev-1');
    const v = await verifyCsr(der);
    expect(v).toMatchObject({ subject: 'CN=dev-1, serialNumber=dev-1, O=Acme', signatureValid: true });
    expect(v.publicKey.export({ format: 'der', type: 'spki' })).toEqual(keys.publicKey.export({ format: 'der', type: 'spki' }));
  });

  it('carries a challengePassword', async () => {
    const der = await createCsr({ subject: 'CN=dev-2', challengePassword: 's3cret', ...generateKeyPair() });
    expect((await verifyCsr(der)).challengePassword).toBe('s3cret');
  });

  it('reports a tampered signature (and openssl agrees), and the CA refuses to issue for it', async () => {
    const der = Buffer.from(await createCsr({ subject: 'CN=dev-3', ...generateKeyPair() }));
    der[der.length - 5] ^= 0x01; // inside the signature's s integer
    expect((await verifyCsr(der)).signatureValid).toBe(false);
    // OpenSSL 3.0 `req -verify` exits 0 even on failure: judge by what it prints
    const r = openssl('req', '-verify', '-in', put(dir, 'bad-sig.pem', csrPem(der)), '-noout');
    expect(r.stdout + r.stderr).toMatch(/verify failure/i);
    expect(r.stdout + r.stderr).not.toMatch(/verify OK/i);
    const ca = await CertificateAuthority.createRoot({ subject: 'CN=CSR test CA' });
    await expect(ca.issueFromCsr(der)).rejects.toBeInstanceOf(CsrInvalidError);
    await expect(ca.issueFromCsr(der)).rejects.toThrow(/signature/);
  });

  it('reports a request signed by another key than the one it carries', async () => {
    const a = generateKeyPair();
    const der = Buffer.from(await createCsr({ subject: 'CN=dev-4', ...a }));
    const other = Buffer.from(await createCsr({ subject: 'CN=dev-4', ...generateKeyPair() }));
    // swap the SubjectPublicKeyInfo (91 bytes for P-256) of `other` into `der`
    const spkiA = a.publicKey.export({ format: 'der', type: 'spki' });
    const at = der.indexOf(spkiA);
    const otherVerify = await verifyCsr(other);
    const spkiB = otherVerify.publicKey.export({ format: 'der', type: 'spki' });
    spkiB.copy(der, at);
    expect((await verifyCsr(der)).signatureValid).toBe(false);
  });

  it('throws CsrInvalidError on truncated DER, trailing bytes and garbage', async () => {
    const der = await createCsr({ subject: 'CN=dev-5', ...generateKeyPair() });
    await expect(verifyCsr(der.subarray(0, der.length - 10))).rejects.toBeInstanceOf(CsrInvalidError);
    await expect(verifyCsr(der.subarray(0, 20))).rejects.toBeInstanceOf(CsrInvalidError);
    await expect(verifyCsr(Buffer.concat([der, Buffer.from([0])]))).rejects.toBeInstanceOf(CsrInvalidError);
    await expect(verifyCsr(Buffer.from('not a csr'))).rejects.toBeInstanceOf(CsrInvalidError);
    await expect(verifyCsr(new Uint8Array(0))).rejects.toBeInstanceOf(CsrInvalidError);
  });

  it('refuses bad subjects and a public key that is not the private key\'s', async () => {
    const keys = generateKeyPair();
    await expect(createCsr({ subject: 'garbage', ...keys })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(createCsr({ subject: 'CN=', ...keys })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(createCsr({ subject: 'XYZ=1', ...keys })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(createCsr({ subject: 'CN=x', privateKey: keys.privateKey, publicKey: generateKeyPair().publicKey }))
      .rejects.toBeInstanceOf(CsrInvalidError);
  });
});
