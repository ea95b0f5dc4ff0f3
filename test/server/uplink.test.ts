/**
 * The server's uplink side over raw UDP: registration validation, malformed datagrams, NoSec
 * policy, deduplication, update and de-register, COAPLOG. The server keeps serving throughout.
 */
import { LwM2mServer } from '../../server/lwm2m-server';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../helpers/redis';
import { encode, OPT, RawPeer, registerMessage } from './raw-coap';

describe('uplink over raw UDP', () => {
  const prefix = randomPrefix('uplink');
  let s: LwM2mServer;
  let peer: RawPeer;
  let mid = 100;
  beforeAll(async () => {
    s = new LwM2mServer({ redisUrl: testRedisUrl(), keyPrefix: prefix, coapPort: 0, allowNoSec: true });
    await s.start();
    peer = await new RawPeer().open();
  });
  afterAll(async () => {
    await peer.close();
    await s.stop();
    const r = testRedis();
    await cleanPrefix(r, prefix);
    await r.quit();
  });

  const register = (query: string[], links?: string, cf?: number) => peer.exchange(registerMessage(++mid, query, links, cf), s.coapPort);

  it.each([
    ['missing ep', ['lt=60', 'lwm2m=1.1'], '4.00'],
    ['empty ep', ['ep=', 'lwm2m=1.1'], '4.00'],
    ['non-numeric lifetime', ['ep=x', 'lt=abc', 'lwm2m=1.1'], '4.00'],
    ['zero lifetime', ['ep=x', 'lt=0', 'lwm2m=1.1'], '4.00'],
    ['unsupported LwM2M version', ['ep=x', 'lwm2m=2.0'], '4.12'],
    ['bad binding', ['ep=x', 'lwm2m=1.1', 'b=X'], '4.00'],
    ['ep twice', ['ep=x', 'ep=y', 'lwm2m=1.1'], '4.00'],
  ])('refuses a registration with %s', async (_name, query, code) => {
    const res = await register(query);
    expect(res.code).toBe(code);
    expect(res.payload.toString()).not.toBe('');
  });

  it('refuses object links that are not link-format or do not parse', async () => {
    expect((await register(['ep=x', 'lwm2m=1.1'], '</1/0>', 0)).code).toBe('4.15');
    expect((await register(['ep=x', 'lwm2m=1.1'], '<1/0', 40)).code).toBe('4.00');
    expect((await register(['ep=x', 'lwm2m=1.1'], '</abc/0>', 40)).code).toBe('4.00');
    expect((await register(['ep=x', 'lwm2m=1.1'], '', 40)).code).toBe('4.00');
    expect(await s.registrations.get('x')).toBeUndefined();
  });

  it('answers garbage without dying: RST for an unreadable CON, 4.00 for a request with broken options, silence for noise', async () => {
    peer.send(Buffer.from([0xde, 0xad]), s.coapPort);
    peer.send(Buffer.from('hello world, not coap'), s.coapPort);
    // CON GET, message id 0x1234, token length 9 (invalid): a header we can read enough of to reset.
    peer.send(Buffer.of(0x49, 0x01, 0x12, 0x34, 1, 2, 3, 4, 5, 6, 7, 8, 9), s.coapPort);
    const rst = await peer.next();
    expect(rst).toMatchObject({ type: 'RST', messageId: 0x1234, code: '0.00' });
    // CON POST with a reserved option nibble (15): 4.00 with the token echoed.
    peer.send(Buffer.of(0x42, 0x02, 0x00, 0x07, 0xaa, 0xbb, 0xf1, 0x00), s.coapPort);
    const bad = await peer.next();
    expect(bad).toMatchObject({ type: 'ACK', code: '4.00', messageId: 7 });
    expect(bad.token.toString('hex')).toBe('aabb');
    // CoAP ping.
    expect(await peer.exchange(Buffer.of(0x40, 0x00, 0x00, 0x09), s.coapPort)).toMatchObject({ type: 'RST', messageId: 9 });
    // Unknown resource and method.
    expect((await peer.exchange(encode({ code: [0, 1], mid: ++mid, token: Buffer.of(1), options: [[OPT.URI_PATH, 'nope']] }), s.coapPort)).code).toBe('4.04');
    expect((await peer.exchange(encode({ code: [0, 1], mid: ++mid, token: Buffer.of(2), options: [[OPT.URI_PATH, 'rd']] }), s.coapPort)).code).toBe('4.05');
    expect(peer.pending()).toBe(0);
    // Still serving.
    const ok = await register(['ep=after-garbage', 'lt=60', 'lwm2m=1.1']);
    expect(ok.code).toBe('2.01');
    expect((await s.registrations.get('after-garbage'))?.lifetime).toBe(60);
  });

  it('registers, answers a retransmission from memory, updates and de-registers', async () => {
    const events: string[] = [];
    s.events.on('REGISTRATION', (e) => events.push(`reg ${e.registration.endpoint}`));
    s.events.on('UPDATED', (e) => events.push(`upd ${e.registration.lifetime}`));
    s.events.on('DEREGISTRATION', (e) => events.push(`dereg ${e.expired}`));
    const msg = registerMessage(++mid, ['ep=raw-1', 'lt=300', 'lwm2m=1.0', 'b=UQ', 'sms=+123', 'foo=bar'], '</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>,</lwm2m/3/0>,</lwm2m/3/1>');
    const first = await peer.exchange(msg, s.coapPort);
    const again = await peer.exchange(msg, s.coapPort);
    expect(first.code).toBe('2.01');
    expect(again.payload.equals(first.payload) && again.options.length === first.options.length).toBe(true);
    const location = first.options.filter((o) => o.number === 8).map((o) => o.value.toString());
    expect(location[0]).toBe('rd');
    const reg = await s.registrations.get('raw-1');
    expect(reg).toMatchObject({
      registrationId: location[1], lwM2mVersion: '1.0', bindingMode: 'U', queuemode: true, smsNumber: '+123', rootPath: '/lwm2m/',
      additionalRegistrationAttributes: { foo: 'bar' }, availableInstances: { 1: [0], 3: [0, 1] }, secure: false, address: `127.0.0.1:${peer.port}`,
    });
    expect(events.filter((e) => e === 'reg raw-1')).toHaveLength(1);

    const upd = encode({ code: [0, 2], mid: ++mid, token: Buffer.of(5), options: [[OPT.URI_PATH, 'rd'], [OPT.URI_PATH, location[1]], [OPT.URI_QUERY, 'lt=90']] });
    expect((await peer.exchange(upd, s.coapPort)).code).toBe('2.04');
    expect((await s.registrations.get('raw-1'))?.lifetime).toBe(90);
    const bad = encode({ code: [0, 2], mid: ++mid, token: Buffer.of(6), options: [[OPT.URI_PATH, 'rd'], [OPT.URI_PATH, location[1]], [OPT.URI_QUERY, 'ep=other']] });
    expect((await peer.exchange(bad, s.coapPort)).code).toBe('4.00');
    const unknown = encode({ code: [0, 2], mid: ++mid, token: Buffer.of(7), options: [[OPT.URI_PATH, 'rd'], [OPT.URI_PATH, 'nope']] });
    expect((await peer.exchange(unknown, s.coapPort)).code).toBe('4.04');
    const del = encode({ code: [0, 4], mid: ++mid, token: Buffer.of(8), options: [[OPT.URI_PATH, 'rd'], [OPT.URI_PATH, location[1]]] });
    expect((await peer.exchange(del, s.coapPort)).code).toBe('2.02');
    expect(await s.registrations.get('raw-1')).toBeUndefined();
    expect(events).toEqual(expect.arrayContaining(['upd 90', 'dereg false']));
  });

  it('refuses a Send from an unregistered peer and reports every message in COAPLOG', async () => {
    const logs: Array<{ incoming: boolean; code: string }> = [];
    const on = (e: { incoming: boolean; code: string }) => logs.push(e);
    s.events.on('COAPLOG', on);
    const send = encode({ code: [0, 2], mid: ++mid, token: Buffer.of(9), options: [[OPT.URI_PATH, 'dp'], [OPT.CONTENT_FORMAT, 112]], payload: Buffer.of(0x80) });
    expect((await peer.exchange(send, s.coapPort)).code).toBe('4.04');
    s.events.off('COAPLOG', on);
    expect(logs.map((l) => `${l.incoming ? 'in' : 'out'} ${l.code}`)).toEqual(['in POST', 'out 4.04']);
  });
});

describe('NoSec policy', () => {
  it('refuses plain-CoAP clients unless allowNoSec, and warns loudly when allowed', async () => {
    const prefix = randomPrefix('nosec');
    const logs: string[] = [];
    const strict = new LwM2mServer({ redisUrl: testRedisUrl(), keyPrefix: prefix, coapPort: 0 });
    const lax = new LwM2mServer({ redisUrl: testRedisUrl(), keyPrefix: prefix, coapPort: 0, allowNoSec: true, log: (m) => logs.push(m) });
    const peer = await new RawPeer().open();
    try {
      await strict.start();
      await lax.start();
      expect(logs.some((l) => /WARNING: NoSec/.test(l))).toBe(true);
      const refused = await peer.exchange(registerMessage(1, ['ep=plain', 'lwm2m=1.1']), strict.coapPort);
      expect(refused.code).toBe('4.03');
      expect(await strict.registrations.get('plain')).toBeUndefined();
      // An endpoint with credentials must use DTLS even where NoSec is allowed.
      await lax.security.put({ endpoint: 'has-psk', mode: 'psk', identity: 'id-1', key: Buffer.alloc(16, 1) });
      expect((await peer.exchange(registerMessage(2, ['ep=has-psk', 'lwm2m=1.1']), lax.coapPort)).code).toBe('4.03');
      expect((await peer.exchange(registerMessage(3, ['ep=plain', 'lwm2m=1.1']), lax.coapPort)).code).toBe('2.01');
    } finally {
      await peer.close();
      await strict.stop();
      await lax.stop();
      const r = testRedis();
      await cleanPrefix(r, prefix);
      await r.quit();
    }
  });
});
