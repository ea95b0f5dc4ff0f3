/**
 * A CA whose key lives in a SoftHSM2 token (private token directory per run): key pair
 * generated in the token, certificates and CRLs signed with CKM_ECDSA, verified by openssl.
 */
import { verify as nodeVerify } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import {
  CertificateAuthority, Pkcs11Error, Pkcs11Signer, PkiError, certificatePem, describeCertificate, ecdsaDerToRaw, ecdsaRawToDer,
  generateKeyPair, validateChain,
} from '../../../common/pki/index';
import { openssl, put, tempDir } from './openssl';
import { newToken, removeSoftHsmTokens, useSoftHsm } from './softhsm';

let dir: string;
let token: { module: string; tokenLabel: string; pin: string };
const opened: CertificateAuthority[] = [];

beforeAll(() => {
  dir = tempDir('pkcs11');
  useSoftHsm();
  token = newToken('ca');
});
afterAll(async () => {
  for (const ca of opened) await ca.close();
  removeSoftHsmTokens();
  rmSync(dir, { recursive: true, force: true });
});

const keyOpts = (keyLabel: string) => ({ kind: 'pkcs11' as const, ...token, keyLabel });
const PIN = '123456';

it('creates a root CA in the token and issues certificates and CRLs openssl verifies; reloads with the PIN', async () => {
  const caDir = path.join(dir, 'hsm-root');
  const ca = await CertificateAuthority.createRoot({ subject: 'CN=HSM Root, O=Acme', dir: caDir, key: keyOpts('root-key') });
  opened.push(ca);
  // no key.pem: the key reference (without the PIN) is in pkcs11.json
  const ref = JSON.parse(readFileSync(path.join(caDir, 'pkcs11.json'), 'utf8'));
  expect(ref).toEqual({ kind: 'pkcs11', module: token.module, tokenLabel: token.tokenLabel, keyLabel: 'root-key' });
  expect(() => readFileSync(path.join(caDir, 'key.pem'))).toThrow();

  const rootPem = put(dir, 'hsm-root.pem', ca.certificatePem());
  expect(openssl('verify', '-CAfile', rootPem, rootPem).status).toBe(0);
  const device = generateKeyPair();
  const factory = await ca.issueFactoryCertificate({ deviceId: 'hsm-dev-1', publicKey: device.publicKey });
  const leafPem = put(dir, 'hsm-leaf.pem', certificatePem(factory));
  const v = openssl('verify', '-CAfile', rootPem, leafPem);
  expect(v.stdout).toMatch(/OK/);
  expect(v.status).toBe(0);
  await validateChain(factory, { trustAnchors: [ca.certificate], purpose: 'clientAuth' });

  const sub = await ca.createSubordinate({ subject: 'CN=Software sub', key: 'P-256' });
  expect(openssl('verify', '-CAfile', rootPem, put(dir, 'hsm-sub.pem', sub.certificatePem())).status).toBe(0);

  await ca.revoke(describeCertificate(factory).serialNumber, 'cessationOfOperation');
  const crl = await ca.crl();
  const crlFile = put(dir, 'hsm.crl', crl);
  const c = openssl('crl', '-in', crlFile, '-inform', 'DER', '-CAfile', rootPem, '-noout');
  expect(c.stdout + c.stderr).toMatch(/verify OK/);
  expect(openssl('crl', '-in', crlFile, '-inform', 'DER', '-noout', '-text').stdout).toContain(describeCertificate(factory).serialNumber.toUpperCase());
  await ca.close();

  await expect(CertificateAuthority.load(caDir)).rejects.toBeInstanceOf(PkiError);
  await expect(CertificateAuthority.load(caDir, { pin: '000000' })).rejects.toBeInstanceOf(Pkcs11Error);
  const again = await CertificateAuthority.load(caDir, { pin: PIN });
  opened.push(again);
  expect(again.isRevoked(describeCertificate(factory).serialNumber)).toBe(true);
  const second = await again.issueFactoryCertificate({ deviceId: 'hsm-dev-2', publicKey: generateKeyPair().publicKey });
  expect(openssl('verify', '-CAfile', rootPem, put(dir, 'hsm-leaf2.pem', certificatePem(second))).status).toBe(0);
});

it('signs with CKM_ECDSA: raw r||s converts to a DER signature node:crypto verifies', async () => {
  const signer = await Pkcs11Signer.open({ ...keyOpts('sign-key'), curve: 'P-256' }, { generate: true });
  try {
    const msg = Buffer.from('TransferMessage bytes');
    const raw = signer.signRaw(msg);
    expect(raw).toHaveLength(64);
    expect(nodeVerify('sha256', msg, { key: signer.publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
    const der = signer.sign(msg);
    expect(der[0]).toBe(0x30);
    expect(nodeVerify('sha256', msg, signer.publicKey, der)).toBe(true);
    expect(nodeVerify('sha256', Buffer.from('other'), signer.publicKey, der)).toBe(false);
    expect(ecdsaRawToDer(ecdsaDerToRaw(der, 32))).toEqual(der);
  } finally {
    await signer.close();
  }
  expect(() => signer.signRaw(Buffer.from('x'))).toThrow(Pkcs11Error);
});

it('refuses a taken key label, an unknown token and a missing key', async () => {
  await expect(Pkcs11Signer.open(keyOpts('sign-key'), { generate: true })).rejects.toThrow(/already holds a key/);
  await expect(Pkcs11Signer.open({ ...keyOpts('x'), tokenLabel: 'no-such-token' })).rejects.toBeInstanceOf(Pkcs11Error);
  await expect(Pkcs11Signer.open(keyOpts('never-made'))).rejects.toThrow(/no private key/);
  await expect(Pkcs11Signer.open({ ...keyOpts('x'), module: path.join(dir, 'missing.so') })).rejects.toBeInstanceOf(Pkcs11Error);
});

describe('ECDSA signature encodings', () => {
  it('round-trips r||s with high bits and leading zeros', () => {
    const raw = Buffer.concat([Buffer.from('00'.repeat(2) + 'ff'.repeat(30), 'hex'), Buffer.from('80' + '01'.repeat(31), 'hex')]);
    const der = ecdsaRawToDer(raw);
    expect(der.toString('hex')).toBe('3044' + '021f00' + 'ff'.repeat(30) + '022100' + '80' + '01'.repeat(31));
    expect(ecdsaDerToRaw(der, 32)).toEqual(raw);
    const small = Buffer.concat([Buffer.from('0000' + '7f' + 'ff'.repeat(29), 'hex'), Buffer.from('00'.repeat(31) + '05', 'hex')]);
    expect(ecdsaRawToDer(small).toString('hex')).toBe('3023' + '021e7f' + 'ff'.repeat(29) + '020105');
    expect(ecdsaDerToRaw(ecdsaRawToDer(small), 32)).toEqual(small);
    expect(() => ecdsaDerToRaw(der.subarray(0, der.length - 1), 32)).toThrow();
    expect(() => ecdsaRawToDer(Buffer.alloc(3))).toThrow();
  });
});
