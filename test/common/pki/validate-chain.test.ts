/** validateChain: a good path, and each reason a path is refused. */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import {
  CertificateAuthority, ChainInvalidError, type ChainInvalidReason, createCsr, describeCertificate, generateKeyPair, validateChain,
} from '../../../common/pki/index';

const DAY = 86_400_000;
let root: CertificateAuthority;
let sub: CertificateAuthority;
let leaf: Uint8Array;
let leafKey: ReturnType<typeof generateKeyPair>;

beforeAll(async () => {
  root = await CertificateAuthority.createRoot({ subject: 'CN=Root, O=V' });
  sub = await root.createSubordinate({ subject: 'CN=Sub, O=V' });
  leafKey = generateKeyPair();
  leaf = await sub.issueFactoryCertificate({ deviceId: 'dev-1', publicKey: leafKey.publicKey, validityYears: 2 });
});

async function refused(p: Promise<unknown>): Promise<ChainInvalidReason> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ChainInvalidError);
    return (e as ChainInvalidError).reason;
  }
  throw new Error('the chain was accepted');
}

it('accepts leaf → sub → root and returns the path, anchor last', async () => {
  const r = await validateChain(leaf, { trustAnchors: [root.certificate], intermediates: [sub.certificate], purpose: 'clientAuth' });
  expect(r.chain.map((c) => Buffer.from(c))).toEqual([leaf, sub.certificate, root.certificate].map((c) => Buffer.from(c)));
  // an anchor that is the sub-CA itself is enough
  expect((await validateChain(leaf, { trustAnchors: [sub.certificate] })).chain).toHaveLength(2);
  // intermediates may come in any order, with noise
  const noise = (await CertificateAuthority.createRoot({ subject: 'CN=Noise' })).certificate;
  expect((await validateChain(leaf, { trustAnchors: [noise, root.certificate], intermediates: [noise, sub.certificate] })).chain).toHaveLength(3);
});

it('untrusted: no anchor, missing intermediate, unrelated root', async () => {
  const other = await CertificateAuthority.createRoot({ subject: 'CN=Other root' });
  expect(await refused(validateChain(leaf, { trustAnchors: [other.certificate], intermediates: [sub.certificate] }))).toBe('untrusted');
  expect(await refused(validateChain(leaf, { trustAnchors: [root.certificate] }))).toBe('untrusted');
  expect(await refused(validateChain(leaf, { trustAnchors: [] }))).toBe('untrusted');
});

it('bad-signature: a tampered certificate, and a same-named impostor CA', async () => {
  const t = Buffer.from(leaf);
  t[t.length - 4] ^= 0x01;
  expect(await refused(validateChain(t, { trustAnchors: [root.certificate], intermediates: [sub.certificate] }))).toBe('bad-signature');
  const impostor = await CertificateAuthority.createRoot({ subject: 'CN=Sub, O=V' });
  expect(await refused(validateChain(leaf, { trustAnchors: [root.certificate], intermediates: [impostor.certificate] }))).toBe('bad-signature');
});

it('expired and not-yet-valid, judged at `at`', async () => {
  const opts = { trustAnchors: [root.certificate], intermediates: [sub.certificate] };
  expect(await refused(validateChain(leaf, { ...opts, at: new Date(Date.now() + 3 * 365 * DAY) }))).toBe('expired');
  expect(await refused(validateChain(leaf, { ...opts, at: new Date(Date.now() - DAY) }))).toBe('not-yet-valid');
  // the CA's own period counts too
  const shortRoot = await CertificateAuthority.createRoot({ subject: 'CN=Short', validityDays: 10 });
  const der = await shortRoot.issueFactoryCertificate({ deviceId: 'x', publicKey: leafKey.publicKey });
  expect(await refused(validateChain(der, { trustAnchors: [shortRoot.certificate], at: new Date(Date.now() + 11 * DAY) }))).toBe('expired');
});

it('revoked: the leaf or an intermediate on its issuer\'s CRL; a CRL with a bad signature is refused', async () => {
  const victim = await sub.issueFactoryCertificate({ deviceId: 'dev-2', publicKey: generateKeyPair().publicKey });
  const opts = { trustAnchors: [root.certificate], intermediates: [sub.certificate] };
  const before = await sub.crl();
  await expect(validateChain(victim, { ...opts, crls: [before] })).resolves.toBeDefined();
  await sub.revoke(describeCertificate(victim).serialNumber, 'superseded');
  const after = await sub.crl();
  expect(await refused(validateChain(victim, { ...opts, crls: [after] }))).toBe('revoked');
  await expect(validateChain(leaf, { ...opts, crls: [after] })).resolves.toBeDefined();

  const sub2 = await root.createSubordinate({ subject: 'CN=Sub2, O=V' });
  const leaf2 = await sub2.issueFactoryCertificate({ deviceId: 'dev-3', publicKey: generateKeyPair().publicKey });
  await root.revoke(describeCertificate(sub2.certificate).serialNumber, 'cACompromise');
  expect(await refused(validateChain(leaf2, { trustAnchors: [root.certificate], intermediates: [sub2.certificate], crls: [await root.crl()] }))).toBe('revoked');

  const badCrl = Buffer.from(after);
  badCrl[badCrl.length - 3] ^= 0x01;
  expect(await refused(validateChain(leaf, { ...opts, crls: [badCrl] }))).toBe('bad-signature');
  expect(await refused(validateChain(leaf, { ...opts, crls: [after.subarray(0, 30)] }))).toBe('malformed');
});

it('not-a-ca: a certificate signed by an end-entity key', async () => {
  // forge what a device could do with its factory key: sign a "certificate" for another key
  const sk = await webcrypto.subtle.importKey('pkcs8', leafKey.privateKey.export({ format: 'der', type: 'pkcs8' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const other = generateKeyPair();
  const forged = await x509.X509CertificateGenerator.create({
    subject: 'CN=forged', issuer: new x509.X509Certificate(Buffer.from(leaf)).subjectName,
    publicKey: new x509.PublicKey(other.publicKey.export({ format: 'der', type: 'spki' })),
    signingKey: sk as never,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as never,
  }, webcrypto as never);
  expect(await refused(validateChain(new Uint8Array(forged.rawData), {
    trustAnchors: [root.certificate], intermediates: [sub.certificate, leaf],
  }))).toBe('not-a-ca');
});

it('not-a-ca: pathLength exceeded', async () => {
  const r0 = await CertificateAuthority.createRoot({ subject: 'CN=R0', pathLength: 0 });
  // R0 may not have sub-CAs: createSubordinate refuses, so a path through one would be invalid
  await expect(r0.createSubordinate({ subject: 'CN=below' })).rejects.toThrow(/pathLength 0/);
  const r1 = await CertificateAuthority.createRoot({ subject: 'CN=R1', pathLength: 1 });
  const s1 = await r1.createSubordinate({ subject: 'CN=S1' });
  const s2 = await s1.createSubordinate({ subject: 'CN=S2' });
  const l = await s2.issueFactoryCertificate({ deviceId: 'deep', publicKey: generateKeyPair().publicKey });
  expect(await refused(validateChain(l, { trustAnchors: [r1.certificate], intermediates: [s1.certificate, s2.certificate] }))).toBe('not-a-ca');
});

it('wrong-purpose: a factory (clientAuth) certificate used as a server certificate and vice versa', async () => {
  const opts = { trustAnchors: [root.certificate], intermediates: [sub.certificate] };
  expect(await refused(validateChain(leaf, { ...opts, purpose: 'serverAuth' }))).toBe('wrong-purpose');
  const server = await sub.issueServerCertificate({ subject: 'CN=srv', publicKey: generateKeyPair().publicKey, dnsNames: ['srv'] });
  await expect(validateChain(server, { ...opts, purpose: 'serverAuth' })).resolves.toBeDefined();
  expect(await refused(validateChain(server, { ...opts, purpose: 'clientAuth' }))).toBe('wrong-purpose');
  const op = await sub.issueFromCsr(await createCsr({ subject: 'CN=op', ...generateKeyPair() }));
  await expect(validateChain(op, { ...opts, purpose: 'clientAuth' })).resolves.toBeDefined();
});

it('malformed: truncated DER, garbage, a malformed anchor', async () => {
  expect(await refused(validateChain(leaf.subarray(0, leaf.length - 1), { trustAnchors: [root.certificate] }))).toBe('malformed');
  expect(await refused(validateChain(Buffer.from('hello'), { trustAnchors: [root.certificate] }))).toBe('malformed');
  expect(await refused(validateChain(leaf, { trustAnchors: [root.certificate.subarray(0, 50)] }))).toBe('malformed');
});
