/**
 * The SUIT update server over real UDP on 127.0.0.1: block-wise delivery to the device's
 * fetcher (and to libcoap's coap-client for interoperability), directory serving without path
 * traversal, clear failures for missing content and wrong methods.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as coap from 'coap';
import { createSocket } from 'node:dgram';
import { fetchCoap } from '../../../common/coap/fetch';
import { SuitFetchError } from '../../../common/suit/errors';
import { SuitUpdateServer } from '../../../plugin/update-server/update-server';

describe('SUIT update server', () => {
  const payload = new Uint8Array(randomBytes(5000));
  let dir: string;
  let server: SuitUpdateServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'suit-us-'));
    mkdirSync(join(dir, 'fw'));
    writeFileSync(join(dir, 'fw', 'disk.bin'), Buffer.from('from the directory'));
    writeFileSync(join(tmpdir(), 'suit-us-secret.txt'), 'secret');
    server = await new SuitUpdateServer({ directory: dir }).start();
    server.publish('/fw/image.bin', payload);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a payload block-wise in the block size the device asks for', async () => {
    // a UDP relay between device and server counts the datagrams: one request per block
    const relay = createSocket('udp4');
    const upstream = createSocket('udp4');
    let device: { port: number } | undefined;
    let requests = 0;
    relay.on('message', (msg, rinfo) => { device = rinfo; requests++; upstream.send(msg, server.port, '127.0.0.1'); });
    upstream.on('message', (msg) => { if (device) relay.send(msg, device.port, '127.0.0.1'); });
    await new Promise<void>((r) => relay.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
    try {
      const got = await fetchCoap(`coap://127.0.0.1:${relay.address().port}/fw/image.bin`, { blockSize: 64, timeoutMs: 5000 });
      expect(Buffer.compare(Buffer.from(got), Buffer.from(payload))).toBe(0);
      expect(requests).toBe(Math.ceil(5000 / 64));
      expect(server.stats().requests.get('/fw/image.bin')).toBeGreaterThanOrEqual(1);
    } finally {
      relay.close();
      upstream.close();
    }
  });

  it('serves files of its directory', async () => {
    expect(Buffer.from(await fetchCoap(server.uri('/fw/disk.bin'), { timeoutMs: 5000 })).toString()).toBe('from the directory');
  });

  it('answers 4.04 for missing content and for paths outside its directory', async () => {
    await expect(fetchCoap(server.uri('/fw/none.bin'), { timeoutMs: 5000 })).rejects.toMatchObject({ failure: 'not-found' });
    await expect(fetchCoap(`coap://127.0.0.1:${server.port}/%2E%2E/suit-us-secret.txt`, { timeoutMs: 5000 })).rejects.toBeInstanceOf(SuitFetchError);
  });

  it('answers 4.05 to other methods and keeps serving', async () => {
    const code = await new Promise<string>((resolve, reject) => {
      const req = coap.request({ hostname: '127.0.0.1', port: server.port, pathname: '/fw/image.bin', method: 'PUT' });
      req.on('response', (res: coap.IncomingMessage) => resolve(res.code));
      req.on('error', reject);
      req.end(Buffer.from('x'));
    });
    expect(code).toBe('4.05');
    expect((await fetchCoap(server.uri('/fw/disk.bin'), { timeoutMs: 5000 })).length).toBe(18);
  });

  it('refuses URIs the device cannot fetch', async () => {
    await expect(fetchCoap('not a uri')).rejects.toMatchObject({ failure: 'invalid-uri' });
    await expect(fetchCoap('https://example.com/fw.bin')).rejects.toMatchObject({ failure: 'unsupported-protocol' });
    await expect(fetchCoap(server.uri('/fw/image.bin'), { maxBytes: 100, timeoutMs: 5000 })).rejects.toMatchObject({ failure: 'too-large' });
  });

  it('times out against a silent peer', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    try {
      await expect(fetchCoap(`coap://127.0.0.1:${silent.address().port}/x`, { timeoutMs: 300 })).rejects.toMatchObject({ failure: 'connection-lost' });
    } finally {
      silent.close();
    }
  });

  const client = ['/usr/bin/coap-client-openssl', '/usr/bin/coap-client-gnutls', '/usr/bin/coap-client'].find((p) => existsSync(p));
  it('interoperates with libcoap coap-client (block-wise)', async () => {
    expect(client).toBeDefined();
    const out = join(dir, 'out.bin');
    await new Promise<void>((resolve, reject) => {
      execFile(client!, ['-m', 'get', '-b', '128', '-o', out, server.uri('/fw/image.bin')], { timeout: 10000 }, (err) => (err ? reject(err) : resolve()));
    });
    const { readFileSync } = require('node:fs');
    expect(Buffer.compare(readFileSync(out), Buffer.from(payload))).toBe(0);
  });
});
