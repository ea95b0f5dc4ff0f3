/**
 * EstServer end to end: real DTLS (certificate mode, mutual auth) + real CoAP on 127.0.0.1,
 * real Redis policy, real certificates from common/pki, EstClient as the device.
 */
import dgram from 'node:dgram';
import { X509Certificate, createPublicKey } from 'node:crypto';
import * as coap from 'coap';
import { DtlsClient } from '../../../common/dtls/index';
import { EnrollmentRefusedError, EstError, decodeCertsOnly, uintOption, parsedOptions } from '../../../common/est/index';
import { certificatePem, describeCertificate, validateChain } from '../../../common/pki/index';
import { EstFixture, keyPem } from './est-fixture';

const f = new EstFixture();
beforeAll(() => f.start());
afterAll(() => f.stop());

async function expectRefused(p: Promise<unknown>, reason: string): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(EnrollmentRefusedError);
  expect((e as EnrollmentRefusedError).reason).toBe(reason);
}

async function expectCoapCode(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(EstError);
  expect((e as EstError).coapCode).toBe(code);
}

describe('/sen', () => {
  test('a listed factory certificate enrolls; the certificate chains to CA2 and names the device', async () => {
    const dev = await f.device('dev-1');
    await f.policy.allow('transfer-1', [dev.certificate]);
    const { csr, publicKey } = await f.csr('CN=dev-1, serialNumber=dev-1');
    const cert = await f.client(dev.certificate, dev.privateKey).simpleEnroll(csr);
    await expect(validateChain(cert, { trustAnchors: [f.root.certificate], intermediates: [f.ca.certificate], purpose: 'clientAuth' }))
      .resolves.toBeDefined();
    const info = describeCertificate(cert);
    expect(info.deviceId).toBe('dev-1');
    expect(new X509Certificate(cert).publicKey.equals(publicKey)).toBe(true);
    expect(await f.policy.enrollments('transfer-1')).toEqual({ 'dev-1': info.serialNumber });
    expect(f.ca.issued(info.serialNumber)).toBe(true);
  });

  test('a second enrollment of the device in the same transfer is refused', async () => {
    const dev = await f.device('dev-2');
    await f.policy.allow('transfer-2', [dev.certificate]);
    const client = f.client(dev.certificate, dev.privateKey);
    await client.simpleEnroll((await f.csr('CN=dev-2, serialNumber=dev-2')).csr);
    await expectRefused(client.simpleEnroll((await f.csr('CN=dev-2, serialNumber=dev-2')).csr), 'already-enrolled');
    expect(Object.keys(await f.policy.enrollments('transfer-2'))).toEqual(['dev-2']);
  });

  test('a factory certificate not on any list is refused (4.03)', async () => {
    const dev = await f.device('dev-unlisted');
    await expectRefused(f.client(dev.certificate, dev.privateKey).simpleEnroll((await f.csr('CN=dev-unlisted, serialNumber=dev-unlisted')).csr), 'not-listed');
  });

  test('a CSR naming another device is refused and nothing is recorded', async () => {
    const dev = await f.device('dev-3');
    await f.policy.allow('transfer-3', [dev.certificate]);
    const client = f.client(dev.certificate, dev.privateKey);
    await expectRefused(client.simpleEnroll((await f.csr('CN=dev-1, serialNumber=dev-1')).csr), 'subject-mismatch');
    expect(await f.policy.enrollments('transfer-3')).toEqual({});
  });

  test('a CSR whose signature does not verify is refused (4.00) and the device can still enroll', async () => {
    const dev = await f.device('dev-4');
    await f.policy.allow('transfer-4', [dev.certificate]);
    const client = f.client(dev.certificate, dev.privateKey);
    const { csr } = await f.csr('CN=dev-4, serialNumber=dev-4');
    const tampered = Uint8Array.from(csr);
    tampered[tampered.length - 3] ^= 0x01;
    await expectCoapCode(client.simpleEnroll(tampered), '4.00');
    expect(await f.policy.enrollments('transfer-4')).toEqual({});
    await expect(client.simpleEnroll(csr)).resolves.toBeInstanceOf(Uint8Array);
  });

  test('a malformed CSR gets 4.00 and the server keeps serving', async () => {
    const dev = await f.device('dev-5');
    const client = f.client(dev.certificate, dev.privateKey);
    await expectCoapCode(client.simpleEnroll(Uint8Array.from([0x30, 0x82, 0x01, 0x00, 0x02])), '4.00');
    await expectCoapCode(client.simpleEnroll(new Uint8Array(0)), '4.00');
    expect((await client.cacerts()).length).toBe(2);
  });

  test('a client certificate from a CA the server does not trust never gets a session', async () => {
    const dev = await f.device('dev-rogue', f.rogueCa);
    await f.policy.allow('transfer-rogue', [dev.certificate]);
    const client = f.client(dev.certificate, dev.privateKey, { timeoutMs: 5_000 });
    await expect(client.simpleEnroll((await f.csr('CN=dev-rogue, serialNumber=dev-rogue')).csr)).rejects.toThrow(EstError);
    expect(await f.policy.enrollments('transfer-rogue')).toEqual({});
  });
});

describe('/sren', () => {
  test('re-enrolls with a valid operational certificate; refused once it is revoked, and with a factory certificate', async () => {
    const dev = await f.device('dev-6');
    await f.policy.allow('transfer-6', [dev.certificate]);
    const first = await f.csr('CN=dev-6, serialNumber=dev-6');
    const op = await f.client(dev.certificate, dev.privateKey).simpleEnroll(first.csr);

    const opClient = f.client(op, first.privateKey);
    const second = await f.csr('CN=dev-6, serialNumber=dev-6');
    const renewed = await opClient.simpleReenroll(second.csr);
    expect(describeCertificate(renewed).deviceId).toBe('dev-6');
    expect(describeCertificate(renewed).serialNumber).not.toBe(describeCertificate(op).serialNumber);
    await expectRefused(opClient.simpleReenroll((await f.csr('CN=dev-7, serialNumber=dev-7')).csr), 'subject-mismatch');

    await f.ca.revoke(describeCertificate(renewed).serialNumber, 'superseded');
    const revokedClient = f.client(renewed, second.privateKey);
    await expectRefused(revokedClient.simpleReenroll((await f.csr('CN=dev-6, serialNumber=dev-6')).csr), 'revoked');

    await expectRefused(f.client(dev.certificate, dev.privateKey).simpleReenroll((await f.csr('CN=dev-6, serialNumber=dev-6')).csr), 'no-valid-certificate');
  });
});

describe('/skg, /crts, /att', () => {
  test('/skg: the server generates the key; the certificate is for that key and chains to CA2', async () => {
    const dev = await f.device('dev-8');
    await f.policy.allow('transfer-8', [dev.certificate]);
    const { csr, publicKey: devicePublicKey } = await f.csr('CN=dev-8, serialNumber=dev-8');
    const { privateKey, certificate } = await f.client(dev.certificate, dev.privateKey).serverKeyGen(csr);
    const certKey = new X509Certificate(certificate).publicKey;
    expect(certKey.equals(devicePublicKey)).toBe(false);
    expect(certKey.export({ format: 'der', type: 'spki' })).toEqual(
      createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
    await expect(validateChain(certificate, { trustAnchors: [f.root.certificate], intermediates: [f.ca.certificate] })).resolves.toBeDefined();
    expect(Object.keys(await f.policy.enrollments('transfer-8'))).toEqual(['dev-8']);
  });

  test('/crts (block-wise, 64-byte blocks) returns CA2 chain; /att the CSR attributes', async () => {
    const dev = await f.device('dev-9');
    const client = f.client(dev.certificate, dev.privateKey, { blockSize: 64 });
    const certs = await client.cacerts();
    expect(certs.map((c) => Buffer.from(c))).toEqual([Buffer.from(f.ca.certificate), Buffer.from(f.root.certificate)]);
    expect(await client.csrAttributes()).toEqual(['1.2.840.10045.4.3.2', '1.2.840.10045.2.1', '2.5.4.5']);
  });

  test('Block1: a CSR sent in 64-byte blocks enrolls', async () => {
    const dev = await f.device('dev-10');
    await f.policy.allow('transfer-10', [dev.certificate]);
    const { csr } = await f.csr('CN=dev-10, serialNumber=dev-10, O=A rather long organisation name to make the CSR bigger');
    expect(csr.length).toBeGreaterThan(4 * 64);
    const cert = await f.client(dev.certificate, dev.privateKey, { blockSize: 64 }).simpleEnroll(csr);
    expect(describeCertificate(cert).deviceId).toBe('dev-10');
  });
});

describe('Content-Format and Accept', () => {
  let dtls: DtlsClient;
  let agent: coap.Agent;
  beforeAll(async () => {
    const dev = await f.device('dev-raw');
    dtls = new DtlsClient({
      host: '127.0.0.1', port: f.server.port,
      certificate: { certChainPem: certificatePem(dev.certificate), keyPem: keyPem(dev.privateKey), caPem: f.root.certificatePem() },
    });
    agent = new coap.Agent({ socket: dtls as unknown as dgram.Socket });
  });
  afterAll(async () => {
    agent.close(); // never calls back on a socket it was given
    await new Promise<void>((r) => dtls.close(() => r()));
  });

  function raw(method: 'GET' | 'POST', pathname: string, options: Record<string, unknown>, payload?: Buffer): Promise<{ code: string; cf?: number; payload: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = coap.request({ hostname: '127.0.0.1', port: f.server.port, method, pathname, agent });
      for (const [k, v] of Object.entries(options)) req.setOption(k, v as number);
      req.on('response', (res: coap.IncomingMessage) => resolve({ code: res.code, cf: uintOption(parsedOptions(res), 'Content-Format'), payload: res.payload }));
      req.on('error', reject);
      req.end(payload);
    });
  }

  test('4.15 for a wrong Content-Format, 4.06 for an unsupported Accept, 4.04 / 4.05, 287 on request', async () => {
    expect((await raw('POST', '/.well-known/est/sen', { 'Content-Format': 0 }, Buffer.from('x'))).code).toBe('4.15');
    expect((await raw('POST', '/.well-known/est/sen', {}, Buffer.from('x'))).code).toBe('4.15');
    expect((await raw('GET', '/.well-known/est/crts', { Accept: 50 })).code).toBe('4.06');
    expect((await raw('GET', '/.well-known/est/nope', {})).code).toBe('4.04');
    expect((await raw('POST', '/.well-known/est/crts', {})).code).toBe('4.05');
    const single = await raw('GET', '/.well-known/est/crts', { Accept: 287 });
    expect(single).toMatchObject({ code: '2.05', cf: 287 });
    expect(single.payload).toEqual(Buffer.from(f.root.certificate));
    const pkcs7 = await raw('GET', '/.well-known/est/crts', {});
    expect(pkcs7.cf).toBe(281);
    expect(decodeCertsOnly(pkcs7.payload)).toHaveLength(2);
    const links = await raw('GET', '/.well-known/core', {});
    expect(links.payload.toString()).toContain('</.well-known/est/sen>;rt="ace.est.sen"');
  });
});
