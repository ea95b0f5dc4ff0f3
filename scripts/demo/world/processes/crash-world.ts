/**
 * A handover world whose SP1 runs as two killable processes (the crash test of the issue):
 *
 *   sp1-server.ts  SP1's LwM2M server + REST API on fixed ports (child process)
 *   sp1-worker.ts  OldProvider, SP1's provider API and the campaign workers (child process)
 *   this process   the PKI (CAs persisted in <dir>/pki, so the worker loads CA1), SP2 (LwM2M
 *                  and bootstrap servers) and CA2 (sp2-side.ts), the SUIT update server, N simulated devices, and the campaign
 *                  created and started through CampaignControl (no workers here)
 *
 * All of them share one Redis under the world's key prefix. SP2 confirms arrivals to the
 * worker's provider API; while the worker is down those stay pending and are confirmed again
 * every second (NewProvider.confirmPending).
 */
import { agreeOnTransfer } from '../agreement';
import { createSocket } from 'node:dgram';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { certificatePem } from '../../../../common/pki/index';
import { LeshanAdapter } from '../../../../plugin/adapter/index';
import { CampaignControl, type CampaignProgress } from '../../../../plugin/campaign/index';
import { Sp1ApiClient, Sp2ApiClient } from '../../../../plugin/provider-api/index';
import type { OldProvider } from '../../../../plugin/roles/index';
import { SuitUpdateServer } from '../../../../plugin/update-server/update-server';
import { createDeviceCredentials, createWorldPki, keyPem, type WorldPki } from '../credentials';
import { createWorldDevice, type WorldDevice } from '../devices';
import { createOldProvider, worldKeys } from '../sp1-role';
import { startSp2Side, type Sp2Side } from '../sp2-side';
import { deviceIdOf, type HandoverRun } from '../world';
import { ChildRole } from './child';
import { writeSp1Config, type Sp1ProcessConfig } from './config';
import { StopStack } from '../../../../common/stop-stack';

export interface CrashWorldOptions {
  readonly devices: number;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly dir: string;
  /** Devices whose factory certificate SP2 withholds from CA2 (they fall back). */
  readonly failEnrollment?: ReadonlySet<number>;
  /** Device registration lifetime and Update margin, s (short: devices find a restarted server soon). Default 20 / 10. */
  readonly lifetime?: number;
  readonly updateMargin?: number;
  /** Deadline of a device's own requests, ms. Default 5000. */
  readonly requestTimeoutMs?: number;
  readonly setupConcurrency?: number;
  readonly workerConcurrency?: number;
  readonly log?: (line: string) => void;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((ok) => s.bind(0, '127.0.0.1', () => ok()));
  const { port } = s.address();
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()));
  const { port } = s.address() as { port: number };
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

export class CrashWorld {
  readonly devices: WorldDevice[] = [];
  private readonly stops = new StopStack((line) => this.opts.log?.(line));
  readonly control: CampaignControl;
  sp2side!: Sp2Side;
  /** SP1's stores, read from this process (no adapter calls: the worker does the work). */
  sp1!: OldProvider;
  updateServer!: SuitUpdateServer;

  private constructor(readonly opts: CrashWorldOptions, readonly pki: WorldPki, readonly config: Sp1ProcessConfig,
    readonly server: ChildRole, readonly worker: ChildRole, readonly redis: Redis) {
    this.control = new CampaignControl({ redisUrl: opts.redisUrl, keyPrefix: worldKeys(opts.keyPrefix).campaigns });
  }

  get sp1Uri(): string { return `coaps://127.0.0.1:${this.config.server.coapsPort}`; }
  get sp1RestUrl(): string { return `http://127.0.0.1:${this.config.server.httpPort}`; }

  static async create(opts: CrashWorldOptions): Promise<CrashWorld> {
    const log = opts.log ?? (() => undefined);
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    const pki = await createWorldPki(path.join(opts.dir, 'pki'));
    const h = pki.hierarchy;
    const factoryRootsPem = h.initialTrustAnchors.map((a) => certificatePem(a)).join('');
    const config: Sp1ProcessConfig = {
      redisUrl: opts.redisUrl, keyPrefix: opts.keyPrefix, dataDir: path.join(opts.dir, 'servers'),
      server: {
        httpPort: await freeTcpPort(), coapPort: await freeUdpPort(), coapsPort: await freeUdpPort(), token: randomBytes(24).toString('base64url'),
        certChainPem: pki.sp1Server.certChainPem, keyPem: pki.sp1Server.keyPem, caPem: pki.chainPem(h.ca1) + factoryRootsPem,
      },
      worker: {
        apiPort: await freeTcpPort(), apiToken: randomBytes(24).toString('base64url'), ca1Dir: path.join(opts.dir, 'pki', 'ca1'),
        signerKeyPem: keyPem(pki.sp1Signer.privateKey), signerCertificatePem: certificatePem(pki.sp1Signer.certificate),
        sp2PublicKeyPem: pki.sp2Signer.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        ca1RootPem: certificatePem(h.ca1.chain[h.ca1.chain.length - 1]),
        concurrency: opts.workerConcurrency ?? 48, deviceTimeoutMs: 5000, lockDurationMs: 4000, stalledIntervalMs: 1000, parkTimeoutMs: 5000,
      },
    };
    const configFile = path.join(opts.dir, 'sp1.json');
    writeSp1Config(configFile, config);
    const child = (name: string) => new ChildRole({ name, args: [path.join(__dirname, `${name}.ts`), configFile], logFile: path.join(opts.dir, `${name}.log`) });
    const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    const world = new CrashWorld(opts, pki, config, child('sp1-server'), child('sp1-worker'), redis);
    world.stops.push(() => redis.quit(), () => world.control.close(), () => world.server.close(), () => world.worker.close());
    try {
      await world.server.start();
      log(`SP1 server up (pid ${world.server.pid}): ${world.sp1Uri}, REST ${world.sp1RestUrl}`);
      const withheld = new Set<string>();
      const side = await startSp2Side({
        pki, redis, redisUrl: opts.redisUrl, keyPrefix: opts.keyPrefix, dataDir: path.join(opts.dir, 'servers'), withCa1Est: false,
        sp1ApiUrl: `http://127.0.0.1:${config.worker.apiPort}`, sp1ApiToken: config.worker.apiToken,
        withheldFromCa2: (cert) => withheld.has(Buffer.from(cert).toString('hex')), lifetime: opts.lifetime ?? 20, log,
      });
      world.sp2side = side;
      world.stops.push(() => side.stop());
      world.sp1 = createOldProvider({
        redis, keyPrefix: opts.keyPrefix, adapter: new LeshanAdapter({ baseUrl: world.sp1RestUrl, token: config.server.token }),
        signingKey: pki.sp1Signer.privateKey, signerCertificate: pki.sp1Signer.certificate, sp2PublicKey: pki.sp2Signer.publicKey,
        ca1Root: h.ca1.chain[h.ca1.chain.length - 1], fallbackUri: world.sp1Uri,
      });
      world.updateServer = await new SuitUpdateServer().start();
      world.stops.push(() => world.updateServer.close());
      await world.setupDevices(withheld);
      // Only now: CA1 issued every device certificate; the worker loads its state after that.
      await world.worker.start();
      log(`SP1 worker up (pid ${world.worker.pid})`);
      return world;
    } catch (e) {
      await world.stop();
      throw e;
    }
  }

  private async setupDevices(withheld: Set<string>): Promise<void> {
    const o = this.opts;
    const stateDir = path.join(o.dir, 'devices');
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    this.stops.push(async () => {
      await Promise.all(this.devices.map(async (d) => { await d.agent.close().catch(() => undefined); await d.client.stop().catch(() => undefined); }));
    });
    const indexes = Array.from({ length: o.devices }, (_, i) => i);
    const size = o.setupConcurrency ?? 25;
    for (let b = 0; b < indexes.length; b += size) {
      await Promise.all(indexes.slice(b, b + size).map(async (i) => {
        const credentials = await createDeviceCredentials(this.pki, deviceIdOf(i));
        if (o.failEnrollment?.has(i)) withheld.add(Buffer.from(credentials.factory.certificate).toString('hex'));
        const device = createWorldDevice({
          pki: this.pki, credentials, sp1Uri: this.sp1Uri, stateDir,
          lifetime: o.lifetime ?? 20, updateMargin: o.updateMargin ?? 10, requestTimeoutMs: o.requestTimeoutMs ?? 5000,
        });
        this.devices[i] = device;
        await device.client.start();
        await this.sp1.addDevice({
          deviceId: credentials.deviceId, factoryCertificate: credentials.factory.certificate,
          updateTimeNotBefore: Math.floor(Date.now() / 1000) - 60, updateTimeNotAfter: Math.floor(Date.now() / 1000) + 86_400,
          suitSequenceNumber: 1, suitReferenceUri: this.updateServer.uri('/fw/current.suit'), operationalSerial: credentials.operationalSerial,
        });
      }));
    }
  }

  /** Steps 1–3 between the providers (SP1's side served by the worker process), then the campaign started. */
  async startHandover(): Promise<HandoverRun> {
    const side = this.sp2side;
    const ids = this.devices.map((d) => d.id);
    const transferId = await agreeOnTransfer({
      sp1: this.sp1, sp2: side.sp2, deviceIds: ids,
      sp1Client: new Sp1ApiClient({ baseUrl: `http://127.0.0.1:${this.config.worker.apiPort}`, token: this.config.worker.apiToken }),
      sp2Client: new Sp2ApiClient({ baseUrl: side.sp2Api.url, token: side.sp2ApiToken }),
      ca2Root: this.pki.hierarchy.ca2.chain[this.pki.hierarchy.ca2.chain.length - 1],
      updateUri: this.updateServer.uri('/fw/sp2.suit'), enrollUri: side.ca2Est.uri, sp2Uri: side.sp2Uri, sp2BootstrapUri: side.sp2BootstrapUri,
    });
    const offArrivals = side.sp2.watchArrivals();
    // Arrivals SP2 could not confirm while SP1's worker was down are confirmed again.
    const timer = setInterval(() => { side.sp2.confirmPending(transferId).catch(() => undefined); }, 1000);
    this.stops.push(async () => { clearInterval(timer); offArrivals(); });
    const campaign = await this.control.create({ name: `crash ${transferId.slice(0, 8)}`, devices: ids, payload: { transferId } });
    await this.control.start(campaign.id);
    return { campaignId: campaign.id, transferId };
  }

  progress(run: HandoverRun): Promise<CampaignProgress> {
    return this.control.progress(run.campaignId);
  }

  /** Poll the campaign until `until(progress)` (or throw after timeoutMs). */
  async waitFor(run: HandoverRun, until: (p: CampaignProgress) => boolean, timeoutMs: number, onProgress?: (p: CampaignProgress) => void): Promise<CampaignProgress> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = await this.progress(run);
      onProgress?.(p);
      if (until(p)) return p;
      if (Date.now() > deadline) throw new Error(`campaign ${run.campaignId}: condition not met after ${timeoutMs} ms: ${JSON.stringify(p.byState)} ${JSON.stringify(p.byStep)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(): Promise<void> {
    await this.stops.stop();
  }
}
