/**
 * The addon on its own, datagrams passed by hand between an OpenSSL client and server session
 * (no sockets): the paused PSK handshake, retransmission timers, option errors.
 */
import { createNativeContext, type NativeContext, type NativeResult, type NativeSession } from '../../../common/dtls/native';
import { DtlsError } from '../../../common/dtls/errors';

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

function pair(): { server: NativeContext; client: NativeContext } {
  const ciphers = 'PSK-AES128-CCM8';
  return {
    server: createNativeContext({ role: 'server', ciphers, mtu: 1280, psk: true }),
    client: createNativeContext({ role: 'client', ciphers, mtu: 1280, psk: true }),
  };
}

/** Runs the cookie exchange and returns the server session plus the client's pending output. */
function throughCookie(server: NativeContext, client: NativeSession): { session: NativeSession; last: NativeResult } {
  const hello = client.feed(null).out;
  const hvr = server.listen(hello[0], '10.0.0.1:5683');
  expect(hvr.session).toBeNull();
  const hello2 = client.feed(hvr.out[0]).out;
  const accepted = server.listen(hello2[0], '10.0.0.1:5683');
  expect(accepted.session).not.toBeNull();
  const session = accepted.session!;
  const flight = session.feed(null);
  let last = client.feed(null);
  for (const d of flight.out) last = client.feed(d);
  return { session, last };
}

test('the PSK callback pauses the handshake until JS resolves the key', () => {
  const { server, client } = pair();
  const c = client.connect('s', { identity: Buffer.from('dev-9'), key: KEY });
  const { session, last } = throughCookie(server, c);
  let r = session.feed(null);
  for (const d of last.out) r = session.feed(d);
  expect(r.state).toBe('psk-needed');
  expect(r.pskIdentity).toBe('dev-9');
  expect(r.out).toHaveLength(0);
  expect(r.timeoutMs).toBe(-1); // no retransmission while the lookup runs
  // A retransmission arriving meanwhile is queued, not processed.
  expect(session.feed(last.out[0]).state).toBe('psk-needed');
  r = session.resolvePsk(KEY);
  expect(r.state).toBe('established');
  let cr = c.feed(null);
  for (const d of r.out) cr = c.feed(d);
  expect(cr.state).toBe('established');
  expect(session.pskIdentity()).toBe('dev-9');
  expect(c.cipher()).toBe('TLS_PSK_WITH_AES_128_CCM_8');
  const sent = c.write(Buffer.from('ping'));
  expect(session.feed(sent.out[0]).data.map(String)).toEqual(['ping']);
  expect(() => session.resolvePsk(KEY)).toThrow(/no PSK lookup is pending/);
  session.destroy();
  c.destroy();
});

test('resolving with no key refuses the identity with an alert', () => {
  const { server, client } = pair();
  const c = client.connect('s', { identity: Buffer.from('ghost'), key: KEY });
  const { session, last } = throughCookie(server, c);
  for (const d of last.out) session.feed(d);
  const r = session.resolvePsk(null);
  expect(r.state).toBe('failed');
  expect(r.error).toMatch(/psk identity not found/i);
  expect(r.out.length).toBeGreaterThan(0); // the alert
  const cr = c.feed(r.out[0]);
  expect(cr.state).toBe('failed');
  expect(cr.error).toMatch(/unknown psk identity/i);
});

test('destroying a session paused in its PSK lookup is safe', () => {
  const { server, client } = pair();
  const c = client.connect('s', { identity: Buffer.from('dev'), key: KEY });
  const { session, last } = throughCookie(server, c);
  for (const d of last.out) session.feed(d);
  expect(session.feed(null).state).toBe('psk-needed');
  session.destroy();
  expect(session.feed(null).state).toBe('closed');
});

test('an unanswered ClientHello is retransmitted when its timer is due', async () => {
  const { client } = pair();
  const c = client.connect('s', { identity: Buffer.from('dev'), key: KEY });
  const first = c.feed(null);
  expect(first.timeoutMs).toBeGreaterThan(0);
  expect(first.timeoutMs).toBeLessThanOrEqual(1000);
  expect(c.handleTimeout().out).toHaveLength(0); // not yet due
  await new Promise((r) => setTimeout(r, first.timeoutMs + 50));
  const again = c.handleTimeout();
  expect(again.out).toHaveLength(1);
  // Same handshake message; only the record sequence number (bytes 5–10) moves on.
  expect(again.out[0].subarray(13).equals(first.out[0].subarray(13))).toBe(true);
  expect(again.out[0].readUIntBE(5, 6)).toBeGreaterThan(first.out[0].readUIntBE(5, 6));
  expect(again.timeoutMs).toBeGreaterThan(first.timeoutMs); // doubled back-off
  c.destroy();
});

test('bad options are refused with DtlsError bad-options carrying OpenSSL’s reason', () => {
  const attempt = (o: Partial<Parameters<typeof createNativeContext>[0]>) => () =>
    createNativeContext({ role: 'server', ciphers: 'PSK-AES128-CCM8', mtu: 1280, psk: true, ...o });
  expect(attempt({ ciphers: 'NOT-A-CIPHER' })).toThrow(DtlsError);
  expect(attempt({ ciphers: 'NOT-A-CIPHER' })).toThrow(/no usable cipher suite.*no cipher match/);
  expect(attempt({ certChainPem: 'garbage' })).toThrow(/certChainPem holds no PEM certificate/);
  expect(attempt({ caPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' })).toThrow(/caPem|PEM|asn1|nested/i);
  expect(attempt({ mtu: 100 })).not.toThrow(); // the MTU is checked per session
  const ctx = createNativeContext({ role: 'server', ciphers: 'PSK-AES128-CCM8', mtu: 100, psk: true });
  expect(() => ctx.listen(Buffer.from([22]), 'x:1')).toThrow(/link MTU 100 refused/);
});
