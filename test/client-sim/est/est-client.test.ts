/**
 * EstClient: transport behaviour — a retransmitted enrollment request is answered once (the
 * server's DedupSocket, common/coap), insecure development mode end to end with its identity option,
 * timeouts against a silent peer, and bad URIs.
 */
import dgram from 'node:dgram';
import { generate, parse } from 'coap-packet';
import { DtlsClient } from '../../../common/dtls/index';
import { EnrollmentRefusedError, EstError } from '../../../common/est/index';
import { certificatePem, describeCertificate } from '../../../common/pki/index';
import { EstClient } from '../../../client-sim/est/index';
import { EstFixture, keyPem } from '../../plugin/ca/est-fixture';

describe('over DTLS', () => {
  const f = new EstFixture();
  beforeAll(() => f.start());
  afterAll(() => f.stop());

  test('a retransmitted /sen (same message id) enrolls once and is never answered "already enrolled"', async () => {
    const dev = await f.device('dup-1');
    await f.policy.allow('transfer-dup', [dev.certificate]);
    const { csr } = await f.csr('CN=dup-1, serialNumber=dup-1');
    const dtls = new DtlsClient({
      host: '127.0.0.1', port: f.server.port,
      certificate: { certChainPem: certificatePem(dev.certificate), keyPem: keyPem(dev.privateKey), caPem: f.root.certificatePem() },
    });
    const codes: string[] = [];
    dtls.on('message', (msg: Buffer) => {
      const p = parse(msg);
      if (p.code !== '0.00') codes.push(p.code);
      if (p.confirmable) dtls.send(generate({ messageId: p.messageId, ack: true, code: '0.00' }), f.server.port, '127.0.0.1');
    });
    try {
      await dtls.connect();
      const request = generate({
        messageId: 4242, token: Buffer.from('0102030405060708', 'hex'), confirmable: true, code: 'POST',
        options: [
          { name: 'Uri-Path', value: Buffer.from('.well-known') }, { name: 'Uri-Path', value: Buffer.from('est') },
          { name: 'Uri-Path', value: Buffer.from('sen') }, { name: 'Content-Format', value: Buffer.of(0x01, 0x1e) },
        ],
        payload: Buffer.from(csr),
      }, 2048);
      dtls.send(request, f.server.port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 20));
      dtls.send(request, f.server.port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 600));
      dtls.send(request, f.server.port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await new Promise<void>((r) => dtls.close(() => r()));
    }
    expect(codes.length).toBeGreaterThanOrEqual(1);
    expect(new Set(codes)).toEqual(new Set(['2.04']));
    expect(Object.keys(await f.policy.enrollments('transfer-dup'))).toEqual(['dup-1']);
  });
});

describe('insecure development mode', () => {
  const f = new EstFixture();
  beforeAll(() => f.start({ allowInsecure: true }));
  afterAll(() => f.stop());

  test('says so loudly, serves coap://, takes the identity from option 65001 and still applies the policy', async () => {
    expect(f.server.uri).toMatch(/^coap:\/\/127\.0\.0\.1:\d+\/\.well-known\/est$/);
    expect(f.logs.some((l) => /INSECURE DEVELOPMENT MODE/.test(l))).toBe(true);
    const dev = await f.device('dev-insecure');
    await f.policy.allow('transfer-insecure', [dev.certificate]);
    const client = f.client(dev.certificate, dev.privateKey);
    const cert = await client.simpleEnroll((await f.csr('CN=dev-insecure, serialNumber=dev-insecure')).csr);
    expect(describeCertificate(cert).deviceId).toBe('dev-insecure');
    await expect(client.simpleEnroll((await f.csr('CN=dev-insecure, serialNumber=dev-insecure')).csr)).rejects.toThrow(EnrollmentRefusedError);
    // A claimed certificate from a CA the server does not trust is no identity at all.
    const rogue = await f.device('dev-rogue', f.rogueCa);
    const e = await f.client(rogue.certificate, rogue.privateKey).simpleEnroll((await f.csr('CN=dev-rogue, serialNumber=dev-rogue')).csr).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EnrollmentRefusedError);
    expect((e as EnrollmentRefusedError).reason).toBe('no-identity');
  });
});

describe('client failures', () => {
  test('a silent peer times out with an EstError; bad URIs are refused', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    const port = silent.address().port;
    const pem = '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n';
    const client = new EstClient({ uri: `coap://127.0.0.1:${port}/.well-known/est`, certificate: { certChainPem: pem, keyPem: '', caPem: '' }, timeoutMs: 300 });
    try {
      await expect(client.cacerts()).rejects.toThrow(/no answer within 300 ms/);
    } finally {
      await client.close();
      silent.close();
    }
    const certificate = { certChainPem: pem, keyPem: '', caPem: '' };
    expect(() => new EstClient({ uri: 'http://x/.well-known/est', certificate })).toThrow(EstError);
    expect(() => new EstClient({ uri: 'not a uri', certificate })).toThrow(EstError);
    expect(() => new EstClient({ uri: 'coap://127.0.0.1:1/', certificate, blockSize: 100 })).toThrow(/power of two/);
  });
});
