/**
 * A complete handover world on one machine — SP1, SP2, CA1, CA2 (EST-coaps), the SUIT update
 * server and N simulated devices enrolled with SP1 — and one PKI trust transfer of the whole
 * fleet from SP1 to SP2 run as a campaign (paper §VII):
 *
 *   1 SP1 exports the UpdateInfoList (JWS) → SP2 imports it over the provider API
 *   2 SP2 forwards the factory certificates to CA2's enrollment policy
 *   3 SP2 signs the TransferMessage → SP1 validates it; SP2 sends the anchors devices need
 *   4–6 the campaign: per device, SP1 delivers anchors + token + Apply; the device resets,
 *     [attests to SP2's RA server], [installs SP2's firmware], enrolls with CA2 and joins SP2;
 *     SP2 confirms the arrival to SP1, which revokes CA1's certificate; a device that cannot
 *     finish falls back to SP1
 *
 * Every device runs real SUIT firmware (firmware.ts): flashed at manufacturing with SP1's
 * current build, which SP1's firmware repository (its own update server) serves at the
 * suitReferenceUri of the UpdateInfoList. Options chosen at create():
 *   attest       SP2 runs an RA server (ra-side.ts) and the TransferMessage carries its raURI;
 *                its expectation of a device is the manifest SP1's list references
 *   updateFirst  the TransferMessage asks devices to install SP2's build (SP2's update server,
 *                /fw/sp2.suit, sequence 2) before enrolling; SP2's manifest signer goes to the
 *                devices as an update-server Trust Store anchor with the transfer's anchors
 *   objectIds    SP1 and every device use remapped transfer object ids (HANDOVER_OBJECT_IDS)
 *
 * Used by `handover demo`, the end-to-end tests and `npm run bench:handover`.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { CampaignEngine } from '../../../plugin/campaign/index';
import type { CampaignProgress } from '../../../plugin/campaign/index';
import type { TransferObjectIds } from '../../../plugin/roles/index';
import { SuitUpdateServer } from '../../../plugin/update-server/update-server';
import type { SuitInstalledState } from '../../../client-sim/suit/component-store';
import { createDeviceCredentials, createWorldPki, type WorldPki } from './credentials';
import { createWorldDevice, type WorldDevice } from './devices';
import { WORLD_RECIPIENT, createWorldFirmware, installedFirmware, suitDirOf, type WorldFirmware } from './firmware';
import { startProviders, type Providers } from './providers';
import { startRaSide, type RaSide } from './ra-side';
import { startWorldHandover, waitForCampaign, type HandoverRun } from './handover-run';
import { summarize, type HandoverSummary } from './summary';
import { StopStack } from '../../../common/stop-stack';

export interface WorldOptions {
  readonly devices: number;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  /** Working directory: CA state, device state files. */
  readonly dir: string;
  /** Devices whose factory certificate SP2 withholds from CA2 (their enrollment fails: fallback). */
  readonly failEnrollment?: ReadonlySet<number>;
  /** Devices in LwM2M queue mode, asleep when the campaign starts. */
  readonly asleep?: ReadonlySet<number>;
  /** How long SP1 believes a queue-mode device awake after its last message, ms. Default the server's. */
  readonly queueAwakeMs?: number;
  /** Devices set up in parallel. Default 25. */
  readonly setupConcurrency?: number;
  /** SP2 runs an RA server and every device attests its firmware before enrolling. Default false. */
  readonly attest?: boolean;
  /** Every device installs SP2's firmware before enrolling (the TransferMessage's update-first flag). Default false. */
  readonly updateFirst?: boolean;
  /** Devices flashed with a tampered build (same sequence number, another image): their attestation fails. */
  readonly tamperedFirmware?: ReadonlySet<number>;
  /** Remapped transfer object ids (e.g. 34001–34003), used by SP1 and every device. Default 33001–33003. */
  readonly objectIds?: TransferObjectIds;
  readonly log?: (line: string) => void;
}

export type { HandoverRun } from './handover-run';

export function deviceIdOf(i: number): string {
  return `urn:dev:handover:${String(i).padStart(6, '0')}`;
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export class HandoverWorld {
  readonly devices: WorldDevice[] = [];
  engine?: CampaignEngine;
  private readonly stops = new StopStack((line) => this.opts.log?.(line));

  /** SP2's RA server, when the world attests. */
  ra?: RaSide;

  /**
   * updateServer is SP2's update server (the TransferMessage's updateURI); sp1Repository is SP1's
   * firmware repository (the UpdateInfoList's suitReferenceUri).
   */
  private constructor(
    readonly opts: WorldOptions, readonly pki: WorldPki, readonly providers: Providers, readonly updateServer: SuitUpdateServer,
    readonly sp1Repository: SuitUpdateServer, readonly firmware: WorldFirmware, readonly devicesDir: string,
  ) {}

  /** The SUIT state device `i` has installed now. */
  installedFirmware(i: number): Promise<SuitInstalledState | undefined> {
    return installedFirmware(suitDirOf(this.devicesDir, this.devices[i].id));
  }

  static async create(opts: WorldOptions): Promise<HandoverWorld> {
    const log = opts.log ?? (() => undefined);
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    const pki = await createWorldPki(path.join(opts.dir, 'pki'));
    const withheldIds = new Set([...(opts.failEnrollment ?? [])].map(deviceIdOf));
    const withheldCerts = new Set<string>();
    const providers = await startProviders({
      pki, redisUrl: opts.redisUrl, keyPrefix: opts.keyPrefix, dataDir: path.join(opts.dir, 'servers'), log,
      ...(opts.queueAwakeMs ? { queueAwakeMs: opts.queueAwakeMs } : {}),
      ...(opts.objectIds ? { objectIds: opts.objectIds } : {}),
      withheldFromCa2: (cert) => withheldCerts.has(Buffer.from(cert).toString('hex')),
    });
    const stops = new StopStack(log);
    stops.push(() => providers.stop());
    const stateDir = path.join(opts.dir, 'devices');
    let world: HandoverWorld | undefined;
    try {
      const updateServer = await new SuitUpdateServer().start();
      stops.push(() => updateServer.close());
      const sp1Repository = await new SuitUpdateServer().start();
      stops.push(() => sp1Repository.close());
      const firmware = await createWorldFirmware(pki, sp1Repository, updateServer);
      world = new HandoverWorld(opts, pki, providers, updateServer, sp1Repository, firmware, stateDir);
    } catch (e) {
      await stops.stop();
      throw e;
    }
    const w = world;
    w.stops.push(() => stops.stop());
    const { firmware } = w;
    try {
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      if (opts.attest) {
        const ra = await startRaSide({ pki, redis: providers.redis, keyPrefix: opts.keyPrefix, sp2: providers.sp2, manifestSigners: [firmware.sp1Signer.publicKey], log });
        w.ra = ra;
        w.stops.push(() => ra.stop());
      }
      const indexes = Array.from({ length: opts.devices }, (_, i) => i);
      await inBatches(indexes, opts.setupConcurrency ?? 25, async (i) => {
        const credentials = await createDeviceCredentials(pki, deviceIdOf(i));
        if (withheldIds.has(credentials.deviceId)) withheldCerts.add(Buffer.from(credentials.factory.certificate).toString('hex'));
        // Manufacturing: the firmware (SP1's current build, or a tampered one).
        const suitDir = suitDirOf(stateDir, credentials.deviceId);
        await firmware.flash(suitDir, opts.tamperedFirmware?.has(i) ? firmware.tampered : firmware.current);
        const device = createWorldDevice({
          pki, credentials, sp1Uri: providers.sp1Uri, stateDir, queueMode: opts.asleep?.has(i) ?? false,
          suit: { recipient: WORLD_RECIPIENT, stateDir: suitDir, trustStore: firmware.deviceTrustStore, blockSize: 1024, timeoutMs: 20_000 },
          ...(opts.objectIds ? { objectIds: opts.objectIds } : {}),
          ...(opts.log ? { log: (l: string) => log(`${credentials.deviceId}: ${l}`) } : {}),
        });
        w.devices[i] = device;
        await device.client.start();
        await providers.sp1.addDevice({
          deviceId: credentials.deviceId, factoryCertificate: credentials.factory.certificate,
          updateTimeNotBefore: Math.floor(Date.now() / 1000) - 60, updateTimeNotAfter: Math.floor(Date.now() / 1000) + 86_400,
          suitSequenceNumber: firmware.current.sequenceNumber, suitReferenceUri: firmware.current.uri, operationalSerial: credentials.operationalSerial,
        });
      });
      w.stops.push(async () => {
        await Promise.all(w.devices.map(async (d) => { await d.agent.close().catch(() => undefined); await d.client.stop().catch(() => undefined); }));
      });
      for (const i of opts.asleep ?? []) w.devices[i]?.client.sleep();
      return w;
    } catch (e) {
      await w.stop();
      throw e;
    }
  }

  /** Steps 1–3 (the providers agree) and the campaign of steps 4–6 started. */
  async startHandover(engineOptions: { concurrency?: number; ratePerSecond?: number } = {}): Promise<HandoverRun> {
    const started = await startWorldHandover({
      providers: this.providers, pki: this.pki, redisUrl: this.opts.redisUrl, keyPrefix: this.opts.keyPrefix,
      deviceIds: this.devices.map((d) => d.id),
      transfer: {
        updateUri: this.firmware.sp2.uri, ...(this.ra ? { raUri: this.ra.uri } : {}),
        ...(this.opts.updateFirst ? { updateFirst: true, updateSigner: this.firmware.sp2Signer.certificate } : {}),
      },
      ...engineOptions, ...(this.opts.log ? { log: this.opts.log } : {}),
      resetCounters: () => { this.updateServer.resetTraffic(); this.ra?.resetCounts(); },
    });
    this.engine = started.engine;
    this.stops.push(() => started.stop());
    return started.run;
  }

  /** Resolves when every device of the campaign is final (or rejects after timeoutMs). */
  async waitForCampaign(run: HandoverRun, onProgress: (p: CampaignProgress) => void, timeoutMs: number): Promise<CampaignProgress> {
    return waitForCampaign(this.engine!, run, onProgress, timeoutMs);
  }

  async summary(run: HandoverRun, startedAt: number): Promise<HandoverSummary> {
    return summarize(this, run, startedAt);
  }

  async stop(): Promise<void> {
    await this.stops.stop();
  }
}
