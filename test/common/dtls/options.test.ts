/** Option validation and cipher-suite selection of DtlsServer / DtlsClient. */
import { resolveClientOptions, resolveServerOptions, DTLS_DEFAULTS } from '../../../common/dtls/options';
import { DtlsError } from '../../../common/dtls/errors';

const lookup = async () => undefined;
const cert = { certChainPem: 'c', keyPem: 'k', caPem: 'a' };

test('server suites follow the configured modes, CCM_8 first', () => {
  expect(resolveServerOptions({ psk: { lookup } }).native.ciphers).toBe('PSK-AES128-CCM8:PSK-AES128-GCM-SHA256');
  expect(resolveServerOptions({ certificate: cert }).native.ciphers).toBe('ECDHE-ECDSA-AES128-CCM8:ECDHE-ECDSA-AES128-GCM-SHA256');
  expect(resolveServerOptions({ psk: { lookup }, certificate: cert }).native.ciphers.split(':')).toHaveLength(4);
  expect(resolveServerOptions({ certificate: cert }).native.verifyPeer).toBe(true);
});

test('defaults apply', () => {
  const s = resolveServerOptions({ psk: { lookup } });
  expect(s.idleTimeoutMs).toBe(DTLS_DEFAULTS.idleTimeoutMs);
  expect(s.maxHandshakes).toBe(DTLS_DEFAULTS.maxHandshakes);
  expect(s.native.mtu).toBe(1280);
  expect(s.type).toBe('udp4');
});

test.each([
  ['no mode', () => resolveServerOptions({})],
  ['a PSK suite without psk', () => resolveServerOptions({ certificate: cert, cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'] })],
  ['an unknown suite', () => resolveServerOptions({ psk: { lookup }, cipherSuites: ['TLS_RSA_WITH_NULL' as never] })],
  ['a negative timeout', () => resolveServerOptions({ psk: { lookup }, idleTimeoutMs: -1 })],
  ['a short cookie secret', () => resolveServerOptions({ psk: { lookup }, cookieSecret: Buffer.alloc(4) })],
  ['client without host', () => resolveClientOptions({ host: '', port: 1, psk: { identity: 'a', key: Buffer.alloc(1) } })],
  ['client with port 0', () => resolveClientOptions({ host: 'h', port: 0, psk: { identity: 'a', key: Buffer.alloc(1) } })],
  ['client with both modes', () => resolveClientOptions({ host: 'h', port: 1, psk: { identity: 'a', key: Buffer.alloc(1) }, certificate: cert })],
  ['client with an empty key', () => resolveClientOptions({ host: 'h', port: 1, psk: { identity: 'a', key: Buffer.alloc(0) } })],
])('%s is refused', (_name, f) => {
  expect(f).toThrow(DtlsError);
  try {
    f();
  } catch (e) {
    expect((e as DtlsError).reason).toBe('bad-options');
    expect((e as DtlsError).code).toBe('ERR_DTLS');
  }
});
