/**
 * The transfer's join path with certificates from common/pki (not openssl): a device registers
 * with SP1 using its factory certificate (CA1 profile "factory"), then rejoins SP2 with an
 * operational certificate CA2 issued from its CSR, under a subordinate CA (chain sent in the
 * handshake). Registration.certificate matches describeCertificate of what CA2 issued.
 */
import { DtlsServer } from '../../common/dtls/index';
import { CertificateAuthority, certificatePem, createCsr, describeCertificate, generateKeyPair } from '../../common/pki/index';
import type { ClientSecurity } from '../../client-sim/client-options';
import { LwM2mPath } from '../../objects/path';
import type { LwM2mServer } from '../../server/lwm2m-server';
import { Harness } from './harness';

describe('DTLS join with common/pki certificates', () => {
  const h = new Harness();
  const dtlsServers: DtlsServer[] = [];
  afterAll(async () => {
    await h.close();
    for (const d of dtlsServers) d.close();
  });

  async function provider(name: string, serverCa: CertificateAuthority, deviceCaPem: string): Promise<{ s: LwM2mServer; uri: string }> {
    const keys = generateKeyPair('P-256');
    const cert = await serverCa.issueServerCertificate({ subject: `CN=${name}`, publicKey: keys.publicKey, ipAddresses: ['127.0.0.1'] });
    const dtls = new DtlsServer({
      certificate: { certChainPem: certificatePem(cert) + serverCa.chainPem(), keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), caPem: deviceCaPem },
    });
    dtlsServers.push(dtls);
    const port = (await dtls.listen(0, '127.0.0.1')).port;
    const s = await h.server({ keyPrefix: `${h.prefix}:${name}`, allowNoSec: false, secureEndpoints: [{ socket: dtls, identityOf: (r) => dtls.identityOf(r) }] });
    return { s, uri: `coaps://127.0.0.1:${port}` };
  }

  it('registers with a factory certificate, then rejoins with a CA2 operational certificate', async () => {
    const ca1 = await CertificateAuthority.createRoot({ subject: 'CN=SP1 Factory CA, O=Maker' });
    const ca2Root = await CertificateAuthority.createRoot({ subject: 'CN=SP2 Root CA, O=SP2' });
    const ca2 = await ca2Root.createSubordinate({ subject: 'CN=SP2 Issuing CA, O=SP2' });
    const serverCa = await CertificateAuthority.createRoot({ subject: 'CN=Server CA' });
    const sp1 = await provider('sp1', serverCa, ca1.certificatePem());
    const sp2 = await provider('sp2', serverCa, ca2Root.certificatePem());

    const device = generateKeyPair('P-256');
    const factory = await ca1.issueFactoryCertificate({ deviceId: 'pki-dev-1', publicKey: device.publicKey });
    const keyPem = device.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const factorySecurity: ClientSecurity = { mode: 'x509', certChainPem: certificatePem(factory), keyPem, caPem: serverCa.certificatePem() };
    const c = await h.client(sp1.s, { endpoint: 'pki-dev-1', serverUri: sp1.uri, security: factorySecurity });
    expect((await sp1.s.registrations.get('pki-dev-1'))?.certificate).toMatchObject({ issuer: ca1.subject, serialNumber: describeCertificate(factory).serialNumber });

    const opKeys = generateKeyPair('P-256');
    const csr = await createCsr({ subject: 'CN=pki-dev-1, serialNumber=pki-dev-1', privateKey: opKeys.privateKey, publicKey: opKeys.publicKey });
    const operational = await ca2.issueFromCsr(csr);
    await c.rejoin({
      uri: sp2.uri, bootstrap: false,
      security: { mode: 'x509', certChainPem: certificatePem(operational) + certificatePem(ca2.certificate), keyPem: opKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), caPem: serverCa.certificatePem() },
    }, { timeoutMs: 10000 });
    const info = describeCertificate(operational);
    expect((await sp2.s.registrations.get('pki-dev-1'))?.certificate).toEqual({
      subject: info.subject, issuer: ca2.subject, serialNumber: info.serialNumber, fingerprint256: info.fingerprint256,
    });
    expect(await sp1.s.registrations.get('pki-dev-1')).toBeUndefined();
    expect(await sp2.s.send('pki-dev-1', { kind: 'read', path: LwM2mPath.parse('/3/0/2') })).toMatchObject({ code: '2.05', content: { value: 'pki-dev-1' } });
  });
});
