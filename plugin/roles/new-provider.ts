/**
 * The new service provider SP2 (paper §VII-C, DESIGN.md steps 1–3 and 6): imports and verifies
 * SP1's UpdateInfoList, forwards the factory certificates to CA2's enrollment policy, prepares
 * and signs the TransferMessage (cti = the transfer id), and watches its own LwM2M server through
 * the DmAdapter: a device of a transfer that registers with a CA2 certificate has arrived, and is
 * confirmed to SP1 (retried until SP1 takes it). State lives in Redis (new-provider-store.ts).
 * With a bootstrap server (`bootstrap`), signing a TransferMessage also writes the bootstrap
 * configuration of each device of that transfer (sp2-bootstrap.ts).
 * Event 'arrived' (transferId, deviceId, certificateSerial) once a confirmation went through.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { algForKey } from '../../common/cose/algorithms';
import { InvalidInputError } from '../../common/errors';
import type { AdapterRegistration, DmAdapter } from '../adapter/dm-adapter';
import { certificateDeviceId } from '../messages/evidence';
import { MessageInvalidError } from '../messages/errors';
import { buildTransferMessage, type TransferInstructions } from '../messages/transfer-message';
import { verifyUpdateInfoList } from '../messages/update-info-list';
import { arrivalCertificate, type IssuerMatcher } from './arrival';
import { UnknownTransferError } from './errors';
import { NewProviderStore, type ArrivalRecord, type ImportedDevice } from './new-provider-store';
import type { Arrival } from './old-provider';
import type { Sp2Bootstrap } from './sp2-bootstrap';

/** CA2's side of step 2 (plugin/ca EnrollmentPolicy has this method). */
export interface EnrollmentPolicyLike {
  allow(transferId: string, factoryCertificates: Uint8Array[]): Promise<void>;
}

export interface NewProviderOptions {
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** SP2's device-management server (where devices join). */
  readonly adapter: DmAdapter;
  /** SP2's identity: iss of the TransferMessage. */
  readonly identity: string;
  /** SP2's TransferMessage signing key, agreed with SP1. */
  readonly signingKey: KeyObject;
  readonly kid?: string;
  /** The agreed SP1 identity (aud of the TransferMessage) and UpdateInfoList verification key. */
  readonly sp1: { readonly identity: string; readonly publicKey: KeyObject };
  /** CA2's subject DN(s): a registration with a certificate of this issuer is an arrival. */
  readonly ca2Issuer: IssuerMatcher;
  /** CA2's enrollment policy. Required for forwardToCa. */
  readonly enrollmentPolicy?: EnrollmentPolicyLike;
  /**
   * SP2's bootstrap server: buildTransferMessage writes each device's configuration there.
   * Without it devices must register directly (bootstrapUri = the LwM2M server).
   */
  readonly bootstrap?: Sp2Bootstrap;
  /** Tell SP1 (e.g. Sp1ApiClient.confirmArrival). Without it arrivals stay pending. */
  readonly confirmArrival?: (a: Arrival) => Promise<unknown>;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export interface ImportedTransfer {
  readonly transferId: string;
  readonly devices: readonly ImportedDevice[];
}

export class NewProvider extends EventEmitter<{ arrived: [string, string, string] }> {
  private readonly store: NewProviderStore;

  constructor(private readonly opts: NewProviderOptions) {
    super();
    this.store = new NewProviderStore(opts.redis, opts.keyPrefix);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Where devices join SP2 when it runs a bootstrap server (its Bootstrap-Request URI). */
  get bootstrapUri(): string | undefined {
    return this.opts.bootstrap?.bootstrapUri;
  }

  /** Step 1 (receiving end): verify SP1's JWS and keep the list. The same list again returns the same transfer. */
  async importUpdateInfoList(jws: string): Promise<ImportedTransfer> {
    if (typeof jws !== 'string' || jws.length === 0) throw new InvalidInputError('the UpdateInfoList must be a compact JWS');
    const { list, cbor } = await verifyUpdateInfoList(jws, this.opts.sp1.publicKey);
    const devices = list.map((d, i): ImportedDevice => {
      const deviceId = certificateDeviceId(d.factoryCertificate);
      if (!deviceId) throw new MessageInvalidError(`device ${i}: the factory certificate names no device (serialNumber or CN)`);
      return { deviceId, ...d };
    });
    if (new Set(devices.map((d) => d.deviceId)).size !== devices.length) throw new MessageInvalidError('the UpdateInfoList names a device twice');
    const transferId = await this.store.putImport(createHash('sha256').update(cbor).digest('hex'), randomBytes(16).toString('hex'), cbor, devices);
    return { transferId, devices };
  }

  async transfer(transferId: string): Promise<ImportedTransfer & { transferMessage?: Uint8Array; forwardedAt?: number }> {
    const t = await this.store.transfer(transferId);
    if (!t) throw new UnknownTransferError(transferId);
    return { transferId, devices: t.devices, ...(t.message ? { transferMessage: t.message } : {}), ...(t.forwardedAt ? { forwardedAt: t.forwardedAt } : {}) };
  }

  /** What SP1 shared about a device's firmware (for the RA verifier's expectation). */
  async deviceInfo(deviceId: string): Promise<(ImportedDevice & { transferId: string }) | undefined> {
    const id = await this.store.deviceTransfer(deviceId);
    const t = id ? await this.store.transfer(id) : undefined;
    const d = t?.devices.find((x) => x.deviceId === deviceId);
    return d && id ? { ...d, transferId: id } : undefined;
  }

  /** Step 2: the factory certificates to CA2 (its policy then lets exactly these devices enroll once). */
  async forwardToCa(transferId: string): Promise<void> {
    if (!this.opts.enrollmentPolicy) throw new InvalidInputError('no CA2 enrollment policy configured');
    const t = await this.store.transfer(transferId);
    if (!t) throw new UnknownTransferError(transferId);
    await this.opts.enrollmentPolicy.allow(transferId, t.devices.map((d) => d.factoryCertificate));
    await this.store.setField(transferId, 'forwardedAt', this.now());
  }

  /**
   * Step 3: sign the TransferMessage for SP1 (iss SP2, aud SP1, cti = transfer id, hash of the
   * list it answers). With a bootstrap server, the devices of the transfer get their bootstrap
   * configuration first: SP2 commits to the transfer here, so no device can bootstrap earlier.
   */
  async buildTransferMessage(transferId: string, instructions: TransferInstructions): Promise<Uint8Array> {
    const t = await this.store.transfer(transferId);
    if (!t) throw new UnknownTransferError(transferId);
    const bytes = buildTransferMessage({ ...instructions, issuer: this.opts.identity, audience: this.opts.sp1.identity, updateInfoCbor: t.uil }, {
      key: this.opts.signingKey, alg: algForKey(this.opts.signingKey), cti: new Uint8Array(Buffer.from(transferId, 'hex')),
      issuedAt: Math.floor(this.now() / 1000), ...(this.opts.kid ? { kid: new Uint8Array(Buffer.from(this.opts.kid, 'utf8')) } : {}),
    });
    await this.opts.bootstrap?.provision(t.devices.map((d) => d.deviceId));
    await this.store.setField(transferId, 'message', Buffer.from(bytes).toString('hex'));
    return bytes;
  }

  /** The arrival SP2 recorded for a device. */
  async arrival(deviceId: string): Promise<(ArrivalRecord & { transferId: string }) | undefined> {
    const id = await this.store.deviceTransfer(deviceId);
    const a = id ? await this.store.arrival(id, deviceId) : undefined;
    return a && id ? { ...a, transferId: id } : undefined;
  }

  /**
   * Step 6: a registration at SP2. A device of a transfer with a CA2 certificate is recorded and
   * confirmed to SP1; returns what happened.
   */
  async handleRegistration(ep: string, reg: Pick<AdapterRegistration, 'secure' | 'certificate'>): Promise<'confirmed' | 'already-confirmed' | 'pending' | 'ignored'> {
    const serial = arrivalCertificate(reg, this.opts.ca2Issuer);
    if (!serial) return 'ignored';
    const transferId = await this.store.deviceTransfer(ep);
    if (!transferId) return 'ignored';
    const rec = await this.store.noteArrival(transferId, ep, serial, this.now());
    if (rec.state === 'confirmed') return 'already-confirmed';
    return this.confirm(transferId, ep, rec.certificateSerial);
  }

  private async confirm(transferId: string, deviceId: string, certificateSerial: string): Promise<'confirmed' | 'pending'> {
    if (!this.opts.confirmArrival) return 'pending';
    try {
      await this.opts.confirmArrival({ transferId, deviceId, certificateSerial });
    } catch (e) {
      this.opts.log?.(`confirming the arrival of "${deviceId}" to SP1 failed: ${(e as Error).message}`);
      await this.store.markArrival(transferId, deviceId, { error: (e as Error).message });
      return 'pending';
    }
    await this.store.markArrival(transferId, deviceId, { state: 'confirmed', confirmedAt: this.now() }, true);
    this.emit('arrived', transferId, deviceId, certificateSerial);
    return 'confirmed';
  }

  /** Retry the confirmations SP1 has not taken yet; returns how many went through. */
  async confirmPending(transferId: string): Promise<number> {
    const t = await this.store.transfer(transferId);
    if (!t) throw new UnknownTransferError(transferId);
    let n = 0;
    for (const d of t.devices) {
      const a = await this.store.arrival(transferId, d.deviceId);
      if (a?.state === 'pending' && (await this.confirm(transferId, d.deviceId, a.certificateSerial)) === 'confirmed') n++;
    }
    return n;
  }

  /** Watch SP2's server for arrivals; returns the function that stops watching. */
  watchArrivals(): () => void {
    const on = (ep: string, reg?: AdapterRegistration) => {
      if (!reg) return;
      this.handleRegistration(ep, reg).catch((e: Error) => this.opts.log?.(`arrival of "${ep}": ${e.message}`));
    };
    const offs = [this.opts.adapter.on('registered', on), this.opts.adapter.on('updated', on)];
    return () => offs.forEach((f) => f());
  }
}
