/**
 * The whole server application on real Redis and real UDP: the simulated client registers over
 * CoAP, the REST API lists it and reads, writes and executes on it with Leshan-shaped JSON, and
 * the event stream reports the registration and the deregistration.
 */
import * as http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as coap from 'coap';
import { LwM2mClient } from '../../../client-sim';
import { startServerApp, type ServerApp } from '../../../server/rest/app';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../../helpers/redis';

const TOKEN = 'integration-token-0123456789';

function call(port: number, method: string, p: string, body?: { type: string; text: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` };
    if (body) headers['Content-Type'] = body.type;
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body?.text);
  });
}

describe('server application with a real client', () => {
  const prefix = randomPrefix('rest');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-rest-'));
  let app: ServerApp;
  let client: LwM2mClient;
  let events = '';
  let stream: http.ClientRequest;

  beforeAll(async () => {
    app = await startServerApp({
      token: TOKEN, redisUrl: testRedisUrl(), keyPrefix: prefix, coapPort: 0, httpPort: 0, allowNoSec: true, dataDir,
    });
    await new Promise<void>((resolve) => {
      stream = http.get({ host: '127.0.0.1', port: app.httpPort, path: '/api/event', headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => { events += c; });
        resolve();
      });
    });
    client = new LwM2mClient({ endpoint: 'rest-it-1', serverUri: `coap://127.0.0.1:${app.coapPort}`, lifetime: 60, requestTimeout: 3000 });
    client.on('error', () => undefined);
    await client.start();
  });

  afterAll(async () => {
    stream?.destroy();
    await client?.stop();
    await app?.stop();
    coap.globalAgent.close();
    coap.globalAgentIPv6.close();
    const redis = testRedis();
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('lists the registered client as Leshan JSON', async () => {
    await until(async () => (await call(app.httpPort, 'GET', '/api/clients')).body.includes('rest-it-1'));
    const res = await call(app.httpPort, 'GET', '/api/clients');
    expect(res.status).toBe(200);
    const [reg] = JSON.parse(res.body);
    expect(Object.keys(reg)).toEqual([
      'endpoint', 'registrationId', 'registrationDate', 'lastUpdate', 'address', 'lwM2mVersion', 'lifetime', 'bindingMode',
      'rootPath', 'objectLinks', 'secure', 'additionalRegistrationAttributes', 'queuemode', 'availableInstances',
    ]);
    expect(reg).toMatchObject({ endpoint: 'rest-it-1', lifetime: 60, bindingMode: 'U', secure: false, queuemode: false });
    expect(reg.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(reg.availableInstances['3']).toEqual([0]);
    await until(() => events.includes('event: REGISTRATION'));
    expect(events).toContain('"endpoint":"rest-it-1"');
  });

  it('reads the Device object instance and a resource', async () => {
    const inst = await call(app.httpPort, 'GET', '/api/clients/rest-it-1/3/0');
    expect(inst.status).toBe(200);
    const json = JSON.parse(inst.body);
    expect(json).toMatchObject({ status: 'CONTENT(205)', valid: true, success: true, failure: false });
    expect(json.content.kind).toBe('instance');
    expect(json.content.id).toBe(0);
    const serial = json.content.resources.find((r: { id: number }) => r.id === 2);
    expect(serial).toEqual({ kind: 'singleResource', id: 2, type: 'STRING', value: 'rest-it-1' });
    const one = await call(app.httpPort, 'GET', '/api/clients/rest-it-1/3/0/2?format=SENML_CBOR');
    expect(one.body).toBe('{"status":"CONTENT(205)","valid":true,"success":true,"failure":false,"content":{"kind":"singleResource","id":2,"type":"STRING","value":"rest-it-1"}}');
  });

  it('writes a resource and reads it back; a device-side error is 200 with failure', async () => {
    const w = await call(app.httpPort, 'PUT', '/api/clients/rest-it-1/3/0/14', { type: 'application/json', text: '{"id":14,"value":"+05"}' });
    expect(JSON.parse(w.body)).toMatchObject({ status: 'CHANGED(204)', success: true });
    const r = await call(app.httpPort, 'GET', '/api/clients/rest-it-1/3/0/14');
    expect(JSON.parse(r.body).content.value).toBe('+05');
    const missing = await call(app.httpPort, 'GET', '/api/clients/rest-it-1/3/7');
    expect(missing.status).toBe(200);
    expect(JSON.parse(missing.body)).toMatchObject({ status: 'NOT_FOUND(404)', success: false, failure: true });
  });

  it('answers 400 for an unknown client and serves object specs', async () => {
    expect(await call(app.httpPort, 'GET', '/api/clients/nobody/3/0')).toEqual({ status: 400, body: "No registered client with id 'nobody'" });
    const specs = JSON.parse((await call(app.httpPort, 'GET', '/api/objectspecs/rest-it-1')).body);
    expect(specs.find((s: { id: number }) => s.id === 3).name).toBe('Device');
  });

  it('reports the deregistration', async () => {
    await client.stop();
    await until(() => events.includes('event: DEREGISTRATION'));
    expect(await call(app.httpPort, 'GET', '/api/clients/rest-it-1')).toEqual({ status: 400, body: "No registered client with id 'rest-it-1'" });
  });
});
