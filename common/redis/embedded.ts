/**
 * Embedded Redis: with no REDIS_URL, Handover runs a private `redis-server` child on a free
 * loopback port (append-only file on, `maxmemory-policy noeviction` as BullMQ requires, data
 * under a data directory), waits until it answers, and stops it on exit.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { HandoverError } from '../errors';

export interface EmbeddedRedisOptions {
  /** Directory for the append-only file and dump. Default: `./data/redis`. */
  dataDir?: string;
  /** Port; default a free loopback port. */
  port?: number;
  /** redis-server binary. Default: `redis-server` on PATH. */
  binary?: string;
  /** How long to wait for the server to accept connections (ms). Default 10000. */
  startTimeoutMs?: number;
}

export interface EmbeddedRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address() as net.AddressInfo;
      srv.close(() => resolve(addr.port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write('PING\r\n'));
    sock.setTimeout(500);
    sock.on('data', (d) => { sock.destroy(); resolve(d.toString().startsWith('+PONG')); });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => { sock.destroy(); resolve(false); });
  });
}

/** Start a private redis-server and resolve once it answers PING. */
export async function startEmbeddedRedis(opts: EmbeddedRedisOptions = {}): Promise<EmbeddedRedis> {
  const dataDir = path.resolve(opts.dataDir ?? path.join('data', 'redis'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const port = opts.port ?? (await freePort());
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes',
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction',
    '--dir', dataDir, '--save', '', '--daemonize', 'no', '--loglevel', 'warning',
  ];
  let child: ChildProcess;
  try {
    child = spawn(opts.binary ?? 'redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new HandoverError('ERR_REDIS', 'could not start redis-server', { cause: e });
  }
  let exited = false;
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += d.toString(); });
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  let spawnErr: Error | undefined;
  const spawnError = new Promise<Error>((resolve) => child.once('error', (e) => { spawnErr = e; exited = true; resolve(e); }));

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10000);
  for (;;) {
    const res = await Promise.race([
      ping(port).then((ok) => (ok ? 'up' : 'down')),
      spawnError.then((e) => e),
    ]);
    if (res === 'up') break;
    if (res instanceof Error) {
      throw new HandoverError('ERR_REDIS',
        `redis-server could not be started (${res.message}); install it with "apt-get install redis-server" or set REDIS_URL`);
    }
    if (spawnErr) {
      throw new HandoverError('ERR_REDIS',
        `redis-server could not be started (${spawnErr.message}); install it with "apt-get install redis-server" or set REDIS_URL`);
    }
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new HandoverError('ERR_REDIS', `redis-server did not start on port ${port}: ${stderr.trim() || 'timeout'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const onExit = () => { if (!exited) child.kill('SIGTERM'); };
  process.once('exit', onExit);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      process.removeListener('exit', onExit);
      if (exited) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(t);
    },
  };
}

export interface RedisLocation {
  url: string;
  /** Present when Handover started the server itself. */
  embedded?: EmbeddedRedis;
}

/** REDIS_URL when set, else an embedded server under `dataDir`. */
export async function resolveRedis(dataDir?: string): Promise<RedisLocation> {
  const url = process.env.REDIS_URL;
  if (url) return { url };
  const embedded = await startEmbeddedRedis({ dataDir: dataDir ? path.join(dataDir, 'redis') : undefined });
  return { url: embedded.url, embedded };
}
