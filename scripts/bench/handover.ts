/**
 * Benchmark (not a test): a whole-fleet PKI trust transfer, and the same crypto measured alone.
 *
 *   npm run build && npm run bench:handover -- [--devices 1000] [--concurrency 64] [--fleets N]
 *
 * 1. Crypto alone, on this machine and in this process: per device the transfer costs one token
 *    signature (SP1) and verification (device), a key pair and a CSR (device), a CSR check and a
 *    certificate issue (CA2), and an ECDHE-ECDSA DTLS handshake with mutual authentication with
 *    each server the device must reach (CA2's EST server, SP2's bootstrap server when the
 *    TransferMessage names one, SP2's LwM2M server), both ends of each in this process. Their
 *    sum is the crypto-bound limit of one Node thread.
 * 2. The world (SP1, SP2, CA1, CA2, update server, N devices; scripts/demo/world) on an
 *    embedded Redis: devices per second from the campaign start to the last final device,
 *    per-device time from token delivery to confirmed arrival, bytes per device per message type,
 *    DTLS handshakes per device with each server, the event-loop delay of the providers' process
 *    during the campaign, and the peak memory of each process: this one (the providers: SP1,
 *    SP2, CA1, CA2, update server, campaign workers), each fleet process (`--fleets N`, default
 *    one per CPU: scripts/demo/world/fleet-world.ts) and redis-server. `--fleets 0` runs the
 *    fleet in this process too (HandoverWorld, as the demo does).
 * Prints one JSON object.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { DtlsClient, DtlsServer, clientTraffic } from '../../common/dtls/index';
import { certificatePem, createCsr, createHierarchies, generateKeyPair, verifyCsr } from '../../common/pki/index';
import { resolveRedis } from '../../common/redis/embedded';
import { buildTransferToken, validateTransferToken } from '../../plugin/messages/index';
import { FleetHandoverWorld } from '../demo/world/fleet-world';
import { HandoverWorld } from '../demo/world/world';

function arg(name: string, fallback: number, min = 1): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer of at least ${min}`);
  return v;
}

async function timeMs(iterations: number, op: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await op(i);
  return Number(process.hrtime.bigint() - t0) / 1e6 / iterations;
}

function pem(k: import('node:crypto').KeyObject): string {
  return k.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Per-operation cost (ms) of the transfer's crypto, each measured alone. */
async function cryptoAlone(iterations: number): Promise<Record<string, number>> {
  const h = await createHierarchies('separate-roots');
  const sp1 = generateKeyPair('P-256');
  const now = Math.floor(Date.now() / 1000);
  const instructions = {
    resetTimeNotBefore: now - 60, resetTimeNotAfter: now + 3600, raUri: null, updateUri: 'coap://127.0.0.1/fw',
    updateFirst: false, enrollUri: 'coaps://127.0.0.1/.well-known/est', fallbackUri: 'coaps://127.0.0.1:5684', bootstrapUri: 'coaps://127.0.0.1:5685',
  };
  const token = buildTransferToken(instructions, { deviceId: 'dev-1', transferCounter: 1 }, { issuer: 'sp1', fallbackUri: 'coaps://127.0.0.1:5684', key: sp1.privateKey, alg: 'ES256' });
  const k = generateKeyPair('P-256');
  const csr = await createCsr({ subject: 'CN=dev-1, serialNumber=dev-1', privateKey: k.privateKey, publicKey: k.publicKey });
  const costs: Record<string, number> = {
    tokenSign: await timeMs(iterations, (i) => buildTransferToken(instructions, { deviceId: 'dev-1', transferCounter: i + 1 }, { issuer: 'sp1', fallbackUri: 'coaps://127.0.0.1:5684', key: sp1.privateKey, alg: 'ES256' })),
    tokenVerify: await timeMs(iterations, () => validateTransferToken(token, sp1.publicKey, { deviceId: 'dev-1', lastCounter: 0 })),
    deviceKeyPair: await timeMs(iterations, () => generateKeyPair('P-256')),
    csrCreate: await timeMs(iterations, () => createCsr({ subject: 'CN=dev-1, serialNumber=dev-1', privateKey: k.privateKey, publicKey: k.publicKey })),
    csrVerify: await timeMs(iterations, () => verifyCsr(csr)),
    certificateIssue: await timeMs(iterations, () => h.ca2.issueFromCsr(csr)),
  };
  // One ECDHE-ECDSA handshake with mutual authentication, both ends in this process.
  const serverKeys = generateKeyPair('P-256');
  const serverCert = await h.ca2.issueServerCertificate({ subject: 'CN=bench', publicKey: serverKeys.publicKey, ipAddresses: ['127.0.0.1'] });
  const clientCert = await h.factoryCa.issueFactoryCertificate({ deviceId: 'dev-1', publicKey: k.publicKey });
  const caPem = [...h.ca2.chain, ...h.factoryCa.chain].map((c) => certificatePem(c)).join('');
  const server = new DtlsServer({ certificate: { certChainPem: certificatePem(serverCert), keyPem: pem(serverKeys.privateKey), caPem } });
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    costs.dtlsHandshake = await timeMs(Math.max(20, Math.floor(iterations / 4)), async () => {
      const c = new DtlsClient({ host: '127.0.0.1', port, certificate: { certChainPem: certificatePem(clientCert), keyPem: pem(k.privateKey), caPem } });
      try { await c.connect(); } finally { await new Promise<void>((r) => c.close(() => r())); }
    });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
  return costs;
}

/** Peak resident memory of a process from /proc (VmHWM), MB; undefined where /proc is absent. */
function peakRssMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const devices = arg('devices', 1000);
  const concurrency = arg('concurrency', 64);
  const fleets = arg('fleets', os.cpus().length, 0);
  const costs = await cryptoAlone(200);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'handover-bench-'));
  const redis = await resolveRedis(path.join(dir, 'data'));
  let world: HandoverWorld | FleetHandoverWorld | undefined;
  try {
    const t0 = Date.now();
    const common = { devices, redisUrl: redis.url, keyPrefix: `bench-${process.pid}:`, dir, setupConcurrency: fleets > 0 ? 25 : 50 };
    world = fleets > 0 ? await FleetHandoverWorld.create({ ...common, fleets }) : await HandoverWorld.create(common);
    const setupSeconds = (Date.now() - t0) / 1000;
    const eld = monitorEventLoopDelay({ resolution: 10 });
    eld.enable();
    const startedAt = Date.now();
    const run = await world.startHandover({ concurrency });
    await world.waitForCampaign(run, () => undefined, 30 * 60_000);
    eld.disable();
    const s = await world.summary(run, startedAt);
    const fleetPids = world instanceof FleetHandoverWorld ? world.fleetPids : [];
    const client = new Redis(redis.url);
    const info = await client.info('server');
    await client.quit();
    const redisPid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    const p = world.providers;
    const handshakes = (port: number) => Math.round((clientTraffic.of(port).handshakes / devices) * 100) / 100;
    const ms = (ns: number) => Math.round(ns / 1e6);
    const viaBootstrap = clientTraffic.of(Number(new URL(p.sp2BootstrapUri).port)).handshakes > 0;
    const handshakesPerTransfer = viaBootstrap ? 3 : 2;
    const perDevice = costs.tokenSign + costs.tokenVerify + costs.deviceKeyPair + costs.csrCreate + costs.csrVerify + costs.certificateIssue
      + handshakesPerTransfer * costs.dtlsHandshake;
    const result = {
      benchmark: 'handover',
      node: process.version,
      cpus: os.cpus().length,
      devices,
      concurrency,
      fleetProcesses: fleets,
      setupSeconds: Math.round(setupSeconds * 10) / 10,
      transferred: s.transferred, fellBack: s.fellBack, failed: s.failed,
      seconds: s.seconds,
      devicesPerSecond: s.devicesPerSecond,
      perDeviceMs: s.perDeviceMs,
      bytesPerDevice: s.bytesPerDevice,
      handshakesPerDevice: {
        ca2Est: handshakes(p.ca2Est.port), sp2Bootstrap: handshakes(Number(new URL(p.sp2BootstrapUri).port)),
        sp2: handshakes(p.sp2App.coapsPort ?? 0), sp1: handshakes(p.sp1App.coapsPort ?? 0),
      },
      providersEventLoopDelayMs: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) },
      peakMemoryMb: {
        [fleets > 0 ? 'providers (SP1, SP2, CA1, CA2, update server, campaign workers)' : 'node (SP1, SP2, CA1, CA2, update server, campaign workers, fleet)']:
          Math.round(process.resourceUsage().maxRSS / 1024),
        ...Object.fromEntries(fleetPids.map((pid, i) => [`fleet process ${i + 1} (${Math.ceil((devices - i) / fleets)} devices)`, peakRssMb(pid)])),
        'redis-server': redisPid ? peakRssMb(redisPid) : undefined,
      },
      cryptoAlone: {
        msPerOperation: Object.fromEntries(Object.entries(costs).map(([k, v]) => [k, Math.round(v * 1000) / 1000])),
        handshakesPerTransfer,
        msPerDevice: Math.round(perDevice * 100) / 100,
        devicesPerSecondLimit: Math.round((1000 / perDevice) * 10) / 10,
      },
      ratioToCryptoLimit: Math.round((s.devicesPerSecond / (1000 / perDevice)) * 100) / 100,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await world?.stop();
    await redis.embedded?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(process.exitCode ?? 0), (err: unknown) => {
  process.stderr.write(`bench handover: ${(err as Error).message}\n`);
  process.exit(1);
});
