/**
 * A handover world whose simulated fleet runs in separate processes (for `bench:handover`):
 *
 *   this process   the PKI (CAs issue here only), SP1, SP2, CA1, CA2 (providers.ts), the SUIT
 *                  update server and SP1's campaign workers — the providers' side
 *   fleet-process  N processes (default one per CPU), each a slice of the devices built by
 *                  createWorldDevice as in the in-process world (fleet-child.ts starts them)
 *
 * Everything else is HandoverWorld's: steps 1–3 by agreeOnTransfer, the campaign on
 * startSp1Campaigns, the summary by summarize (the fleet processes' DTLS traffic is added to this
 * process's meter first). HandoverWorld (world.ts) stays the in-process world of the demo and
 * the tests.
 */
import { mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clientTraffic } from '../../../common/dtls/index';
import type { CampaignEngine, CampaignProgress } from '../../../plugin/campaign/index';
import { SuitUpdateServer } from '../../../plugin/update-server/update-server';
import { createDeviceCredentials, createWorldPki, type DeviceCredentials, type WorldPki } from './credentials';
import type { DeviceBytes } from './devices';
import { FleetChild } from './fleet-child';
import { deviceCredentialsData, worldPkiData } from './fleet-pki';
import { writeFleetConfig } from './fleet-protocol';
import { startProviders, type Providers } from './providers';
import { startWorldHandover, waitForCampaign, type HandoverRun } from './handover-run';
import { summarize, type HandoverSummary } from './summary';
import { deviceIdOf } from './world';
import { StopStack } from '../../../common/stop-stack';

export interface FleetWorldOptions {
  readonly devices: number;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  /** Working directory: CA state, device state files, fleet configurations and logs. */
  readonly dir: string;
  /** Fleet processes. Default: one per CPU. */
  readonly fleets?: number;
  /** Devices set up in parallel in each fleet process. Default 25. */
  readonly setupConcurrency?: number;
  readonly log?: (line: string) => void;
}

/** What the parent knows of a device: its credentials, and the bytes its process counted. */
export interface FleetDevice {
  readonly id: string;
  readonly credentials: DeviceCredentials;
  readonly bytes: DeviceBytes;
}

export class FleetHandoverWorld {
  readonly devices: FleetDevice[] = [];
  readonly fleets: FleetChild[] = [];
  engine?: CampaignEngine;
  private readonly stops = new StopStack((line) => this.opts.log?.(line));

  private constructor(readonly opts: FleetWorldOptions, readonly pki: WorldPki, readonly providers: Providers, readonly updateServer: SuitUpdateServer) {}

  static async create(opts: FleetWorldOptions): Promise<FleetHandoverWorld> {
    const log = opts.log ?? (() => undefined);
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    const pkiDir = path.join(opts.dir, 'pki');
    const pki = await createWorldPki(pkiDir);
    const providers = await startProviders({ pki, redisUrl: opts.redisUrl, keyPrefix: opts.keyPrefix, dataDir: path.join(opts.dir, 'servers'), log });
    const updateServer = await new SuitUpdateServer().start();
    const world = new FleetHandoverWorld(opts, pki, providers, updateServer);
    world.stops.push(() => providers.stop(), () => updateServer.close());
    try {
      // Manufacturing and onboarding here (the CAs issue in one process), then SP1 knows each device.
      for (let i = 0; i < opts.devices; i++) {
        const credentials = await createDeviceCredentials(pki, deviceIdOf(i));
        world.devices.push({ id: credentials.deviceId, credentials, bytes: { csr: 0, operationalCertificate: 0 } });
        await providers.sp1.addDevice({
          deviceId: credentials.deviceId, factoryCertificate: credentials.factory.certificate,
          updateTimeNotBefore: Math.floor(Date.now() / 1000) - 60, updateTimeNotAfter: Math.floor(Date.now() / 1000) + 86_400,
          suitSequenceNumber: 1, suitReferenceUri: updateServer.uri('/fw/current.suit'), operationalSerial: credentials.operationalSerial,
        });
      }
      const n = Math.max(1, Math.min(opts.fleets ?? os.cpus().length, opts.devices));
      const stateDir = path.join(opts.dir, 'devices');
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      const started = new Array<number>(n).fill(0);
      for (let f = 0; f < n; f++) {
        const slice = world.devices.filter((_, i) => i % n === f);
        const configFile = path.join(opts.dir, `fleet-${f}.json`);
        writeFleetConfig(configFile, {
          fleet: f, pki: worldPkiData(pki, pkiDir), devices: slice.map((d) => deviceCredentialsData(d.credentials)),
          sp1Uri: providers.sp1Uri, stateDir, setupConcurrency: opts.setupConcurrency ?? 25,
        });
        world.fleets.push(new FleetChild(`fleet-${f}`, configFile, path.join(opts.dir, `fleet-${f}.log`)));
      }
      world.stops.push(() => Promise.all(world.fleets.map((c) => c.stop())));
      await Promise.all(world.fleets.map((c, f) => c.start(30 * 60_000, (k) => {
        started[f] = k;
        log(`fleet: ${started.reduce((a, b) => a + b, 0)} / ${opts.devices} devices registered with SP1`);
      })));
      return world;
    } catch (e) {
      await world.stop();
      throw e;
    }
  }

  /** Process ids of the fleet processes. */
  get fleetPids(): number[] {
    return this.fleets.map((c) => c.pid).filter((p): p is number => p !== undefined);
  }

  /** Steps 1–3 (the providers agree) and the campaign of steps 4–6 started (as HandoverWorld.startHandover). */
  async startHandover(engineOptions: { concurrency?: number; ratePerSecond?: number } = {}): Promise<HandoverRun> {
    const started = await startWorldHandover({
      providers: this.providers, pki: this.pki, redisUrl: this.opts.redisUrl, keyPrefix: this.opts.keyPrefix,
      deviceIds: this.devices.map((d) => d.id), transfer: { updateUri: this.updateServer.uri('/fw/sp2.suit') },
      ...engineOptions, ...(this.opts.log ? { log: this.opts.log } : {}),
      resetCounters: () => { for (const c of this.fleets) c.send({ type: 'reset-traffic' }); },
    });
    this.engine = started.engine;
    this.stops.push(() => started.stop());
    return started.run;
  }

  /** Resolves when every device of the campaign is final (or rejects after timeoutMs). */
  async waitForCampaign(run: HandoverRun, onProgress: (p: CampaignProgress) => void, timeoutMs: number): Promise<CampaignProgress> {
    return waitForCampaign(this.engine!, run, onProgress, timeoutMs);
  }

  /** The fleet processes' figures gathered into this process (traffic meter, bytes per device), then summarize. */
  async summary(run: HandoverRun, startedAt: number): Promise<HandoverSummary> {
    const p = this.providers;
    const ports = [p.ca2Est.port, p.sp2App.coapsPort ?? 0, p.sp1App.coapsPort ?? 0, Number(new URL(p.sp2BootstrapUri).port)];
    const stats = await Promise.all(this.fleets.map((c) => c.stats(ports)));
    const byId = new Map(this.devices.map((d) => [d.id, d]));
    for (const s of stats) {
      for (const [port, t] of Object.entries(s.traffic)) {
        const n = Number(port);
        clientTraffic.sent(n, false, t.handshakeSent);
        clientTraffic.sent(n, true, t.recordSent);
        clientTraffic.received(n, false, t.handshakeReceived);
        clientTraffic.received(n, true, t.recordReceived);
        for (let i = 0; i < t.handshakes; i++) clientTraffic.handshakeCompleted(n);
      }
      for (const [id, b] of Object.entries(s.bytes)) {
        const d = byId.get(id);
        if (d) Object.assign(d.bytes, b);
      }
    }
    return summarize(this, run, startedAt);
  }

  async stop(): Promise<void> {
    await this.stops.stop();
  }
}
