/**
 * The REST API over real HTTP on 127.0.0.1 in front of a scripted DeviceManagement: bearer
 * authentication of every route family, Leshan's status codes and bodies for every outcome,
 * body limits, the security store, server info, object specs and the event stream.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { HandoverError } from '../../../common/errors';
import { singleResource } from '../../../objects/node';
import { RestApi } from '../../../server/rest/rest-api';
import { registration, ScriptedDeviceManagement } from './scripted-dm';

const TOKEN = 'test-token-0123456789abcdef';

interface Res { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(port: number, method: string, path: string, opts: { token?: string | null; body?: string | Buffer; type?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? TOKEN : opts.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (opts.type) headers['Content-Type'] = opts.type;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** An open event stream collecting its text. */
function openStream(port: number, query = '', token: string | null = TOKEN): Promise<{ res: http.IncomingMessage; text: () => string; close: () => void; waitFor: (s: string) => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const req = http.get({ host: '127.0.0.1', port, path: `/api/event${query}`, headers }, (res) => {
      let text = '';
      const waiters: Array<() => void> = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; waiters.splice(0).forEach((w) => w()); });
      const waitFor = (s: string) => new Promise<void>((ok, ko) => {
        const t = setTimeout(() => ko(new Error(`timed out waiting for ${s} in ${JSON.stringify(text)}`)), 3000);
        const check = () => { if (text.includes(s)) { clearTimeout(t); ok(); } else waiters.push(check); };
        check();
      });
      resolve({ res, text: () => text, close: () => req.destroy(), waitFor });
    });
    req.on('error', reject);
  });
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('REST API', () => {
  let dm: ScriptedDeviceManagement;
  let api: RestApi;
  let port: number;

  beforeEach(async () => {
    dm = new ScriptedDeviceManagement();
    dm.regs.set('dev', registration('dev'));
    api = new RestApi(dm, { token: TOKEN, port: 0, maxBodyBytes: 4096, heartbeatMs: 50 });
    port = await api.listen();
  });
  afterEach(async () => {
    await api.close();
  });

  describe('authentication', () => {
    const routes: Array<[string, string]> = [
      ['GET', '/api/clients'], ['GET', '/api/clients/dev'], ['GET', '/api/clients/dev/3/0/1'], ['PUT', '/api/clients/dev/3/0/14'],
      ['POST', '/api/clients/dev/3/0/4'], ['DELETE', '/api/clients/dev/1/0'], ['GET', '/api/objectspecs/dev'],
      ['GET', '/api/security/clients'], ['PUT', '/api/security/clients'], ['DELETE', '/api/security/clients/dev'],
      ['GET', '/api/server/endpoint'], ['GET', '/api/server/security'], ['GET', '/api/event'], ['GET', '/api/nothing'], ['GET', '/'],
    ];
    it.each(routes)('%s %s refuses a request without token, with a wrong token, with another scheme', async (method, path) => {
      const none = await request(port, method, path, { token: null });
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="handover"');
      const wrong = await request(port, method, path, { token: TOKEN.slice(0, -1) + 'X' });
      expect(wrong.status).toBe(401);
      expect(wrong.headers['www-authenticate']).toBe('Bearer realm="handover", error="invalid_token"');
      const basic = await request(port, method, path, { token: null, headers: { Authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` } });
      expect(basic.status).toBe(401);
      const longer = await request(port, method, path, { token: TOKEN + 'x' });
      expect(longer.status).toBe(401);
      expect(dm.sent).toHaveLength(0);
      expect(api.eventStreams).toBe(0);
    });
    it('accepts ?token= on /api/event only', async () => {
      expect((await request(port, 'GET', `/api/clients?token=${TOKEN}`, { token: null })).status).toBe(401);
      expect((await request(port, 'GET', `/api/event?token=wrong-token-wrong-token`, { token: null })).status).toBe(401);
      const s = await openStream(port, `?token=${TOKEN}`, null);
      expect(s.res.statusCode).toBe(200);
      expect(s.res.headers['content-type']).toMatch(/^text\/event-stream/);
      s.close();
      await until(() => api.eventStreams === 0);
    });
    it('accepts the right token', async () => {
      const r = await request(port, 'GET', '/api/clients');
      expect(r.status).toBe(200);
    });
  });

  describe('registrations', () => {
    it('lists and gets registrations as Leshan JSON', async () => {
      const all = await request(port, 'GET', '/api/clients');
      expect(all.headers['content-type']).toBe('application/json');
      expect(JSON.parse(all.body)).toHaveLength(1);
      expect(all.body).toMatch(/^\[\{"endpoint":"dev","registrationId":"reg-dev",/);
      const one = await request(port, 'GET', '/api/clients/dev');
      expect(JSON.parse(one.body).endpoint).toBe('dev');
    });
    it('400 for an unknown client, as plain text', async () => {
      for (const [m, p] of [['GET', '/api/clients/ghost'], ['GET', '/api/clients/ghost/3/0/1'], ['POST', '/api/clients/ghost/3/0/4'], ['GET', '/api/objectspecs/ghost']]) {
        const r = await request(port, m, p);
        expect([r.status, r.body]).toEqual([400, "No registered client with id 'ghost'"]);
        expect(r.headers['content-type']).toMatch(/^text\/plain/);
      }
    });
    it('decodes endpoint names in the path', async () => {
      dm.regs.set('urn:dev/1 x', registration('urn:dev/1 x'));
      const r = await request(port, 'GET', `/api/clients/${encodeURIComponent('urn:dev/1 x')}`);
      expect(JSON.parse(r.body).endpoint).toBe('urn:dev/1 x');
    });
  });

  describe('device management operations', () => {
    it('Read: request built from path, format and timeout; content as Leshan JSON', async () => {
      dm.script = async () => ({ code: '2.05', content: singleResource(0, 'STRING', 'Leshan Demo Device') });
      const r = await request(port, 'GET', '/api/clients/dev/3/0/0?format=TLV&timeout=7');
      expect(r.status).toBe(200);
      expect(r.body).toBe('{"status":"CONTENT(205)","valid":true,"success":true,"failure":false,"content":{"kind":"singleResource","id":0,"type":"STRING","value":"Leshan Demo Device"}}');
      expect(dm.sent[0]).toMatchObject({ ep: 'dev', timeoutMs: 7000, req: { kind: 'read', format: 11542 } });
      expect(String((dm.sent[0].req as { path: unknown }).path)).toBe('/3/0/0');
    });
    it('device-side error is 200 with failure:true', async () => {
      dm.script = async () => ({ code: '4.04', errorMessage: 'nope' });
      const r = await request(port, 'GET', '/api/clients/dev/3/9');
      expect([r.status, r.body]).toEqual([200, '{"status":"NOT_FOUND(404)","valid":true,"success":false,"failure":true,"errormessage":"nope"}']);
    });
    it('timeout 504, rejection 500, invalid request 400, vanished client 400', async () => {
      dm.script = async () => { throw new HandoverError('ERR_TIMEOUT', 'timed out'); };
      expect(await request(port, 'GET', '/api/clients/dev/3/0/1')).toMatchObject({ status: 504, body: 'Request timeout' });
      dm.script = async () => { throw new HandoverError('ERR_REDIS', 'store down'); };
      expect(await request(port, 'GET', '/api/clients/dev/3/0/1')).toMatchObject({ status: 500, body: 'Request rejected: store down' });
      dm.script = async () => { throw new HandoverError('ERR_PAYLOAD', 'cannot encode'); };
      expect(await request(port, 'GET', '/api/clients/dev/3/0/1')).toMatchObject({ status: 400, body: 'Invalid request: cannot encode' });
      dm.script = async () => { throw new HandoverError('ERR_NOT_FOUND', 'gone'); };
      expect(await request(port, 'GET', '/api/clients/dev/3/0/1')).toMatchObject({ status: 400, body: "No registered client with id 'dev'" });
    });
    it('a sleeping client: 200 delayed with the request id', async () => {
      dm.script = async (ep) => ({ delayed: true, requestId: 'b3c1', ep });
      const r = await request(port, 'PUT', '/api/clients/dev/3/0/14', { type: 'text/plain', body: '+02' });
      expect([r.status, r.body]).toEqual([200, '{"ep":"dev","path":"/3/0/14","requestId":"b3c1","delayed":true}']);
    });
    it('invalid paths and parameters', async () => {
      expect(await request(port, 'GET', '/api/clients/dev/x/0')).toMatchObject({ status: 400, body: 'Invalid path' });
      expect(await request(port, 'PUT', '/api/clients/dev/3')).toMatchObject({ status: 400, body: 'Invalid path' });
      expect(await request(port, 'GET', '/api/clients/dev/%E0%A4%A')).toMatchObject({ status: 400, body: 'Invalid path' });
      const fmt = await request(port, 'GET', '/api/clients/dev/3/0?format=XML');
      expect(fmt.status).toBe(400);
      expect(fmt.body).toMatch(/^Invalid request: Unknown format "XML"/);
      expect((await request(port, 'GET', '/api/clients/dev/3/0?timeout=-1')).body).toMatch(/^Invalid request: timeout/);
      expect(dm.sent).toHaveLength(0);
    });
    it('Write JSON (replace and partial update), text/plain; wrong content type; malformed and oversized bodies', async () => {
      dm.script = async () => ({ code: '2.04' });
      const w = await request(port, 'PUT', '/api/clients/dev/3/0/14', { type: 'application/json', body: '{"id":14,"kind":"singleResource","value":"+01"}' });
      expect([w.status, w.body]).toEqual([200, '{"status":"CHANGED(204)","valid":true,"success":true,"failure":false}']);
      expect(dm.sent[0].req).toMatchObject({ kind: 'write', mode: 'replace', node: { kind: 'singleResource', id: 14, type: 'STRING', value: '+01' } });
      await request(port, 'PUT', '/api/clients/dev/3/0?replace=false', { type: 'application/json; charset=utf-8', body: '{"id":0,"resources":[{"id":14,"value":"+03"}]}' });
      expect(dm.sent[1].req).toMatchObject({ kind: 'write', mode: 'update', node: { kind: 'instance', id: 0 } });
      await request(port, 'PUT', '/api/clients/dev/1/0/1', { type: 'text/plain', body: '600' });
      expect(dm.sent[2].req).toMatchObject({ kind: 'write', node: { kind: 'singleResource', id: 1, value: 600n } });
      const ct = await request(port, 'PUT', '/api/clients/dev/3/0/14', { type: 'application/xml', body: '<x/>' });
      expect([ct.status, ct.body]).toEqual([400, 'Invalid request: content type application/xml not supported, use application/json']);
      const bad = await request(port, 'PUT', '/api/clients/dev/3/0/14', { type: 'application/json', body: '{"id":14,' });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatch(/^Invalid request: unable to parse JSON/);
      const typed = await request(port, 'PUT', '/api/clients/dev/3/0/14', { type: 'application/json', body: '{"id":14,"value":3}' });
      expect(typed.status).toBe(400);
      expect(typed.body).toMatch(/^Invalid request: Unexpected JSON type/);
      const big = await request(port, 'PUT', '/api/clients/dev/3/0/14', { type: 'text/plain', body: 'x'.repeat(5000) });
      expect(big.status).toBe(413);
      expect(dm.sent).toHaveLength(3);
      expect((await request(port, 'GET', '/api/clients')).status).toBe(200);
    });
    it('Execute with arguments, Create, Delete, Discover, Write-Attributes', async () => {
      dm.script = async (_ep, req) => req.kind === 'create' ? { code: '2.01', location: '/1/5' }
        : req.kind === 'discover' ? { code: '2.05', objectLinks: [{ url: '/3/0', attributes: {} }] } : { code: '2.04' };
      await request(port, 'POST', '/api/clients/dev/3/0/4', { type: 'text/plain', body: "1='a',2='b'" });
      expect(dm.sent[0].req).toMatchObject({ kind: 'execute', args: "1='a',2='b'" });
      await request(port, 'POST', '/api/clients/dev/3/0/4');
      expect(dm.sent[1].req).toEqual({ kind: 'execute', path: expect.anything() });
      const c = await request(port, 'POST', '/api/clients/dev/1?format=SENML_JSON', { type: 'application/json', body: '{"id":5,"resources":[{"id":0,"value":"5"},{"id":1,"value":"60"}]}' });
      expect(c.body).toBe('{"status":"CREATED(201)","valid":true,"success":true,"failure":false,"location":"/1/5"}');
      expect(dm.sent[2].req).toMatchObject({ kind: 'create', format: 110, instances: [{ kind: 'instance', id: 5 }] });
      await request(port, 'DELETE', '/api/clients/dev/1/5');
      expect(dm.sent[3].req.kind).toBe('delete');
      const d = await request(port, 'GET', '/api/clients/dev/3/discover');
      expect(d.body).toBe('{"status":"CONTENT(205)","valid":true,"success":true,"failure":false,"objectLinks":[{"url":"/3/0","attributes":{}}]}');
      await request(port, 'PUT', '/api/clients/dev/3/0/13/attributes?pmin=10&pmax=60&timeout=2');
      expect(dm.sent[5]).toMatchObject({ timeoutMs: 2000, req: { kind: 'writeAttributes', attributes: { pmin: '10', pmax: '60' } } });
      const a = await request(port, 'PUT', '/api/clients/dev/3/0/13/attributes?bogus=1');
      expect([a.status, a.body]).toEqual([400, 'Invalid request: Unknown attribute "bogus"']);
    });
    it('composite Read, Write, Observe and their cancellation', async () => {
      dm.script = async (_ep, req) => req.kind === 'readComposite'
        ? { code: '2.05', contents: new Map([['/3/0/1', singleResource(1, 'STRING', 'm')]]) } : { code: '2.04' };
      const r = await request(port, 'GET', '/api/clients/dev/composite?paths=/3/0/1,/3/0/2&pathformat=SENML_CBOR&nodeformat=SENML_JSON');
      expect(r.body).toBe('{"status":"CONTENT(205)","valid":true,"success":true,"failure":false,"content":{"/3/0/1":{"kind":"singleResource","id":1,"type":"STRING","value":"m"}}}');
      expect(dm.sent[0].req).toMatchObject({ kind: 'readComposite', requestFormat: 112, responseFormat: 110 });
      await request(port, 'PUT', '/api/clients/dev/composite?nodeformat=SENML_CBOR', { type: 'application/json', body: '{"/3/0/14":{"id":14,"value":"+01"}}' });
      expect(dm.sent[1].req).toMatchObject({ kind: 'writeComposite', format: 112 });
      await request(port, 'POST', '/api/clients/dev/composite/observe?paths=/3/0/13');
      expect(dm.sent[2].req.kind).toBe('observeComposite');
      const passive = await request(port, 'DELETE', '/api/clients/dev/composite/observe?paths=/3/0/13');
      expect([passive.status, passive.body]).toEqual([200, '']);
      const active = await request(port, 'DELETE', '/api/clients/dev/3/0/13/observe?active');
      expect(active.body).toBe('{"status":"CHANGED(204)","valid":true,"success":true,"failure":false}');
      expect(dm.sent[4].req).toMatchObject({ kind: 'cancelObserve', active: true });
      expect((await request(port, 'GET', '/api/clients/dev/composite')).body).toMatch(/^Invalid request: paths parameter is required/);
    });
  });

  describe('robustness', () => {
    it('keeps serving after garbage on the socket, an aborted body and a failing store', async () => {
      await new Promise<void>((resolve) => {
        const sock = net.connect(port, '127.0.0.1', () => sock.write('\x00\x01 NOT HTTP\r\n\r\n'));
        sock.on('data', () => undefined);
        sock.on('close', () => resolve());
        sock.on('error', () => resolve());
      });
      await new Promise<void>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/api/clients/dev/3/0/14',
          headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'Content-Length': '100' } });
        req.on('error', () => resolve());
        req.write('{"id":14,');
        setTimeout(() => { req.destroy(); resolve(); }, 50);
      });
      dm.registrations.all = async () => { throw new Error('boom'); };
      expect(await request(port, 'GET', '/api/clients')).toMatchObject({ status: 500, body: 'Internal server error' });
      expect((await request(port, 'GET', '/api/clients/dev')).status).toBe(200);
      expect(dm.sent).toHaveLength(0);
    });
  });

  describe('security store, server info, object specs', () => {
    it('PUT, GET, conflicts, DELETE', async () => {
      const put = (body: unknown, path = '/api/security/clients') => request(port, 'PUT', path, { type: 'application/json', body: JSON.stringify(body) });
      expect((await put({ endpoint: 'dev', tls: { mode: 'psk', details: { identity: 'dev-id', key: 'a1b2' } } })).status).toBe(200);
      expect((await put({ endpoint: 'dev2', tls: { mode: 'x509' } }, '/api/security/clients/')).status).toBe(200);
      const all = await request(port, 'GET', '/api/security/clients');
      expect(all.body).toBe('[{"endpoint":"dev","tls":{"mode":"psk","details":{"identity":"dev-id","key":"a1b2"}}},{"endpoint":"dev2","tls":{"mode":"x509"}}]');
      expect((await request(port, 'GET', '/api/security/clients/dev2')).body).toBe('{"endpoint":"dev2","tls":{"mode":"x509"}}');
      expect((await request(port, 'GET', '/api/security/clients/none')).status).toBe(404);
      const conflict = await put({ endpoint: 'dev3', tls: { mode: 'psk', details: { identity: 'dev-id', key: 'ff' } } });
      expect([conflict.status, conflict.body]).toEqual([400, 'PSK identity dev-id is already used by dev']);
      const bad = await put({ endpoint: 'dev3', tls: { mode: 'psk', details: { identity: 'x', key: 'zz' } } });
      expect([bad.status, bad.body]).toEqual([400, 'Invalid request body: PSK key must be a non-empty hex string']);
      const mismatch = await put({ endpoint: 'dev3', tls: { mode: 'x509' } }, '/api/security/clients/other');
      expect(mismatch.status).toBe(400);
      const malformed = await request(port, 'PUT', '/api/security/clients', { type: 'application/json', body: '{' });
      expect(malformed.status).toBe(400);
      expect(dm.infos.has('dev3')).toBe(false);
      expect((await request(port, 'DELETE', '/api/security/clients/dev2'))).toMatchObject({ status: 200, body: '' });
      expect((await request(port, 'DELETE', '/api/security/clients/dev2'))).toMatchObject({ status: 200, body: '{"message":"not_found"}' });
      expect(dm.infos.has('dev2')).toBe(false);
    });
    it('server endpoint and security', async () => {
      const ep = await request(port, 'GET', '/api/server/endpoint');
      expect(ep.body).toBe('[{"uri":{"full":"coap://127.0.0.1:5683","scheme":"coap","host":"127.0.0.1","port":5683},"description":"CoAP over UDP"}]');
      expect((await request(port, 'GET', '/api/server/security')).body).toBe('{}');
      expect((await request(port, 'GET', '/api/server/other')).status).toBe(404);
    });
    it('server security with a raw public key, as PublicKeySerDes', async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const api2 = new RestApi(dm, { token: TOKEN, port: 0, serverIdentity: { publicKey } });
      const port2 = await api2.listen();
      try {
        const json = JSON.parse((await request(port2, 'GET', '/api/server/security')).body);
        expect(Object.keys(json.pubkey)).toEqual(['x', 'y', 'params', 'b64Der']);
        expect(json.pubkey.x).toMatch(/^[0-9a-f]{64}$/);
        expect(json.pubkey.params).toMatch(/^secp256r1/);
        expect(Buffer.from(json.pubkey.b64Der, 'base64')).toEqual(publicKey.export({ format: 'der', type: 'spki' }));
      } finally {
        await api2.close();
      }
    });
    it('object specs of a client', async () => {
      const r = await request(port, 'GET', '/api/objectspecs/dev');
      const specs = JSON.parse(r.body);
      expect(specs.map((s: { id: number }) => s.id)).toEqual(expect.arrayContaining([0, 1, 3, 5]));
      expect(specs[0]).toHaveProperty('resourcedefs');
    });
  });

  describe('event stream', () => {
    it('relays events, filters by ep, sends heartbeats and cleans up on disconnect', async () => {
      const all = await openStream(port);
      const mine = await openStream(port, '?ep=dev');
      expect(api.eventStreams).toBe(2);
      dm.events.emitEvent('REGISTRATION', { registration: registration('other') });
      dm.events.emitEvent('SLEEPING', { ep: 'dev' });
      dm.events.emitEvent('NOTIFICATION', { ep: 'dev', observationId: 'o', kind: 'single', path: '/3/0/13', node: singleResource(13, 'TIME', new Date(0)) });
      await all.waitFor('event: NOTIFICATION');
      await mine.waitFor('event: NOTIFICATION');
      expect(all.text()).toContain('event: REGISTRATION\ndata: {"endpoint":"other","registrationId":"reg-other"');
      expect(all.text()).toContain('event: SLEEPING\ndata: {"ep":"dev"}\n\n');
      expect(mine.text()).not.toContain('REGISTRATION');
      expect(mine.text()).toContain('event: NOTIFICATION\ndata: {"ep":"dev","kind":"single","res":"/3/0/13","val":{"kind":"singleResource","id":13,"type":"TIME","value":0}}\n\n');
      await all.waitFor(': heartbeat');
      all.close();
      mine.close();
      await until(() => api.eventStreams === 0);
      expect(dm.events.listenerCount('REGISTRATION')).toBeGreaterThan(0);
    });
    it('relays COAPLOG only to streams that asked, and listens to it only while one does', async () => {
      const plain = await openStream(port, '?ep=dev');
      expect(dm.events.listenerCount('COAPLOG')).toBe(0);
      const log = await openStream(port, '?ep=dev&coaplog=1');
      expect(dm.events.listenerCount('COAPLOG')).toBe(1);
      dm.events.emitEvent('COAPLOG', { timestamp: 1, incoming: true, type: 'CON', code: 'POST', mId: 1, token: '00', options: '', ep: 'dev' });
      dm.events.emitEvent('AWAKE', { ep: 'dev' });
      await log.waitFor('event: AWAKE');
      await plain.waitFor('event: AWAKE');
      expect(log.text()).toContain('event: COAPLOG\ndata: {"timestamp":1,"incoming":true,"type":"CON","code":"POST","mId":1,"token":"00","options":"","ep":"dev"}');
      expect(plain.text()).not.toContain('COAPLOG');
      log.close();
      await until(() => dm.events.listenerCount('COAPLOG') === 0);
      plain.close();
    });
    it('REQUEST_RESPONSE after a delayed request, and the queue-mode sleeping flag follows presence', async () => {
      dm.regs.set('q', registration('q', { queuemode: true }));
      const s = await openStream(port, '?ep=q');
      dm.events.emitEvent('REQUEST_RESPONSE', { ep: 'q', requestId: 'r1', path: '/3/0/1', response: { code: '2.05', content: singleResource(1, 'STRING', 'm') } });
      await s.waitFor('event: REQUEST_RESPONSE');
      expect(s.text()).toContain('data: {"ep":"q","path":"/3/0/1","requestId":"r1","response":{"status":"CONTENT(205)","valid":true,"success":true,"failure":false,"content":{"kind":"singleResource","id":1,"type":"STRING","value":"m"}},"delayed":true}');
      expect(JSON.parse((await request(port, 'GET', '/api/clients/q')).body).sleeping).toBe(true);
      dm.events.emitEvent('AWAKE', { ep: 'q' });
      expect(JSON.parse((await request(port, 'GET', '/api/clients/q')).body).sleeping).toBe(false);
      s.close();
    });
    it('closing the API ends open streams', async () => {
      const s = await openStream(port);
      const ended = new Promise<void>((r) => s.res.on('close', () => r()));
      await api.close();
      await ended;
      expect(api.eventStreams).toBe(0);
      expect(dm.events.listenerCount('NOTIFICATION')).toBe(0);
    });
  });
});
