import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Fleet } from '../../client-sim/fleet';
import { runCli } from '../../scripts/cli/main';
import { captureIo } from '../../scripts/cli/io';
import { RawServer } from './raw-server';
import { closeCoapGlobalAgents } from './raw-server';

afterAll(() => closeCoapGlobalAgents());

describe('Fleet', () => {
  let server: RawServer;
  let dir: string;
  beforeAll(async () => {
    server = await new RawServer().start();
    dir = mkdtempSync(path.join(tmpdir(), 'fleet-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers 50 devices, each from its own port, and de-registers them on stop', async () => {
    const fleet = new Fleet({ count: 50, endpointPrefix: 'f-', serverUri: server.uri, stateDir: path.join(dir, 'state'), concurrency: 10, client: { requestTimeout: 3000 } });
    const stats = await fleet.start();
    expect(stats).toEqual(expect.objectContaining({ devices: 50, started: 50, registered: 50, failures: 0 }));
    const regs = server.uplinks.filter((u) => u.path === '/rd' && u.query.some((q) => q.startsWith('ep=f-')));
    expect(new Set(regs.map((u) => u.query.find((q) => q.startsWith('ep='))))).toHaveProperty('size', 50);
    expect(new Set(regs.map((u) => u.port)).size).toBe(50);
    await fleet.stop();
    expect(server.uplinks.filter((u) => u.method === 'DELETE').length).toBeGreaterThanOrEqual(50);
    expect(fleet.stats().registered).toBe(0);
    expect(readdirSync(path.join(dir, 'state'))).toHaveLength(50);
    expect(statSync(path.join(dir, 'state')).mode & 0o777).toBe(0o700);
  });

  it('counts failures when the server does not answer', async () => {
    const fleet = new Fleet({ count: 3, serverUri: 'coap://127.0.0.1:9', client: { requestTimeout: 300, retryDelay: 60000 } });
    const stats = await fleet.start();
    expect(stats).toEqual(expect.objectContaining({ registered: 0, failures: 3 }));
    await fleet.stop();
  });
});

describe('handover fleet', () => {
  let server: RawServer;
  beforeAll(async () => { server = await new RawServer().start(); });
  afterAll(async () => { await server.close(); });

  it('runs devices for --duration and prints JSON stats', async () => {
    const io = captureIo();
    const code = await runCli(['fleet', '--server', server.uri, '--devices', '3', '--prefix', 'cli-', '--duration', '1', '--json'], io);
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout)).toEqual(expect.objectContaining({ devices: 3, registered: 3, failures: 0 }));
    expect(server.uplinks.filter((u) => u.query.includes('ep=cli-2')).length).toBe(1);
  });

  it('exits 2 on bad usage and 1 on a malformed URI', async () => {
    expect(await runCli(['fleet', '--devices', '3'], captureIo())).toBe(2);
    expect(await runCli(['fleet', '--server', server.uri, '--devices', 'x'], captureIo())).toBe(2);
    expect(await runCli(['fleet', '--server', 'http://x', '--devices', '1'], captureIo())).toBe(1);
  });
});
