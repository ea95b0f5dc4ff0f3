/**
 * The old service provider SP1 (paper §VII-C/D, DESIGN.md steps 1, 4–6): exports the fleet's
 * UpdateInfoList, validates SP2's TransferMessage, issues one token per device (bound to the
 * device id and factory certificate, unique cti, monotonic counter from Redis INCR, fallback URI =
 * SP1, SP2's bootstrap URI), delivers trust anchors + token + Apply through the DmAdapter, takes
 * back devices that fall back, records SP2's arrival confirmations (idempotent) and revokes the
 * CA1 operational certificate of each arrived device. State lives in Redis (old-provider-store.ts).
 * Events: 'delivered', 'transferred', 'fellBack' (transferId, deviceId).
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { algForKey } from '../../common/cose/algorithms';
import { InvalidInputError, isHandoverError } from '../../common/errors';
import { singleResource, type LwM2mNode } from '../../objects/node';
import type { AdapterRegistration, DmAdapter } from '../adapter/dm-adapter';
import { DeviceNotRegisteredError } from '../adapter/errors';
import { certificateDeviceId } from '../messages/evidence';
import { MessageInvalidError } from '../messages/errors';
import { validateTransferMessage, type TransferMessage } from '../messages/transfer-message';
import { buildTransferToken } from '../messages/transfer-token';
import { encodeUpdateInfoList, signUpdateInfoList } from '../messages/update-info-list';
import { TransferConflictError, UnknownDeviceError, UnknownTransferError } from './errors';
import { fallbackVerdict } from './fallback';
import { OldProviderStore, type DeviceTransferRecord, type FleetDevice } from './old-provider-store';
import { anchorToJson, anchorsFromJson, checkTrustAnchor, planTrustStore, type TrustAnchor } from './trust-anchors';
import { DEFAULT_OBJECT_IDS, TransferResource, TrustStoreResource, type TransferObjectIds } from './transfer-objects';

export interface OldProviderOptions {
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** SP1's device-management server. */
  readonly adapter: DmAdapter;
  /** SP1's identity: iss of its messages, aud of SP2's TransferMessage. */
  readonly identity: string;
  /** SP1's signing key (UpdateInfoList JWS, device tokens); devices hold its anchor as provider-signer. */
  readonly signingKey: KeyObject;
  readonly kid?: string;
  /** The agreed SP2 identity and TransferMessage verification key. */
  readonly sp2: { readonly identity: string; readonly publicKey: KeyObject };
  /** Where failing devices come back to (SP1's LwM2M server); replaces SP2's fallbackURI in every token. */
  readonly fallbackUri: string;
  /** SP1's own anchors every device must keep through the reset (e.g. SP1's LwM2M server for fallback). Default none. */
  readonly survivingAnchors?: readonly TrustAnchor[];
  /** Revoke a CA1 operational certificate (hex serial), e.g. `(s) => ca1.revoke(s, 'superseded')`. Default: nothing is revoked. */
  readonly revoke?: (serialHex: string) => Promise<void>;
  /** Count a registration without certificate as a fallback when the device's Transfer State is 10 (NoSec only). Default false. */
  readonly fallbackWithoutCertificate?: boolean;
  readonly objectIds?: TransferObjectIds;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export interface AcceptedTransfer {
  readonly transferId: string;
  readonly message: TransferMessage;
  readonly messageBytes: Uint8Array;
  readonly devices: readonly string[];
}

export interface IssuedToken {
  readonly token: Uint8Array;
  readonly counter: number;
  readonly cti: Uint8Array;
}

export type DeliveryOutcome =
  | { readonly status: 'delivered'; readonly counter: number; readonly cti: string; readonly anchorsCreated: number; readonly anchorsMarked: number }
  | { readonly status: 'sleeping' }
  | { readonly status: 'transferred' };

export interface Arrival {
  readonly transferId: string;
  readonly deviceId: string;
  /** Hex serial of the device's CA2 operational certificate. */
  readonly certificateSerial: string;
}

export class OldProvider extends EventEmitter<{ delivered: [string, string]; transferred: [string, string]; fellBack: [string, string] }> {
  private readonly store: OldProviderStore;
  private readonly ids: TransferObjectIds;

  constructor(private readonly opts: OldProviderOptions) {
    super();
    this.store = new OldProviderStore(opts.redis, opts.keyPrefix);
    this.ids = opts.objectIds ?? DEFAULT_OBJECT_IDS;
    (opts.survivingAnchors ?? []).forEach((a, i) => checkTrustAnchor(a, `surviving anchor ${i}`));
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Add (or update) a device of SP1's fleet; its id must be the one its factory certificate names. */
  async addDevice(d: FleetDevice): Promise<void> {
    encodeUpdateInfoList([d]); // checks certificate, window, SUIT fields
    if (certificateDeviceId(d.factoryCertificate) !== d.deviceId) throw new InvalidInputError(`device "${d.deviceId}": its factory certificate names "${certificateDeviceId(d.factoryCertificate)}"`);
    if (d.operationalSerial !== undefined && !/^[0-9a-fA-F]{1,64}$/.test(d.operationalSerial)) throw new InvalidInputError(`device "${d.deviceId}": operational serial must be hex`);
    await this.store.putDevice(d);
  }

  device(deviceId: string): Promise<FleetDevice | undefined> {
    return this.store.device(deviceId);
  }

  /** Step 1: the signed UpdateInfoList of these devices (also kept as the offer SP2 can fetch). */
  async exportUpdateInfoList(deviceIds: readonly string[]): Promise<string> {
    if (deviceIds.length === 0) throw new InvalidInputError('an UpdateInfoList needs at least one device');
    const devices: FleetDevice[] = [];
    for (const id of new Set(deviceIds)) {
      const d = await this.store.device(id);
      if (!d) throw new UnknownDeviceError(id, "in SP1's fleet");
      devices.push(d);
    }
    const cbor = encodeUpdateInfoList(devices);
    const jws = await signUpdateInfoList(devices, { key: this.opts.signingKey, alg: algForKey(this.opts.signingKey), ...(this.opts.kid ? { kid: this.opts.kid } : {}) });
    await this.store.putExport(createHash('sha256').update(cbor).digest('hex'), devices.map((d) => d.deviceId), jws);
    return jws;
  }

  /** The last exported UpdateInfoList. */
  offer(): Promise<string | undefined> {
    return this.store.offer();
  }

  /**
   * Step 4a: validate SP2's TransferMessage (signature, iss/aud, window not over, and that it
   * answers an UpdateInfoList SP1 exported) and keep it. transferId = hex of its cti. The same
   * bytes again are accepted again; another message under the same id is a conflict.
   */
  async acceptTransferMessage(bytes: Uint8Array): Promise<AcceptedTransfer> {
    const message = validateTransferMessage(bytes, this.opts.sp2.publicKey, { sp1: this.opts.identity, sp2: this.opts.sp2.identity, now: Math.floor(this.now() / 1000) });
    if (!message.updateInfoHash) throw new MessageInvalidError('the TransferMessage does not name the UpdateInfoList it answers (updateInfoHash)');
    const devices = await this.store.exported(Buffer.from(message.updateInfoHash).toString('hex'));
    if (!devices) throw new MessageInvalidError('the TransferMessage answers no UpdateInfoList SP1 exported');
    const transferId = Buffer.from(message.cti).toString('hex');
    const stored = await this.store.putTransfer(transferId, { message: bytes, devices, anchors: [], acceptedAt: this.now() });
    if (!stored) {
      const had = await this.store.transfer(transferId);
      if (!had || Buffer.compare(Buffer.from(had.message), Buffer.from(bytes)) !== 0) throw new TransferConflictError(`transfer ${transferId} exists with another TransferMessage`);
    }
    return { transferId, message, messageBytes: bytes, devices };
  }

  /** The trust anchors SP2 needs on the devices (CA2, update server, RA verifier, its LwM2M servers). */
  async setTrustAnchors(transferId: string, anchors: readonly TrustAnchor[]): Promise<void> {
    anchors.forEach((a, i) => checkTrustAnchor(a, `anchor ${i}`));
    if (!(await this.store.transfer(transferId))) throw new UnknownTransferError(transferId);
    await this.store.setAnchors(transferId, anchors.map(anchorToJson));
  }

  async transfer(transferId: string): Promise<AcceptedTransfer | undefined> {
    const t = await this.store.transfer(transferId);
    if (!t) return undefined;
    const message = validateTransferMessage(t.message, this.opts.sp2.publicKey, { sp1: this.opts.identity, sp2: this.opts.sp2.identity, now: Math.floor(t.acceptedAt / 1000) });
    return { transferId, message, messageBytes: t.message, devices: t.devices };
  }

  /** What SP1 recorded about a device in a transfer (default: its current one). */
  async deviceRecord(deviceId: string, transferId?: string): Promise<DeviceTransferRecord | undefined> {
    const id = transferId ?? (await this.store.activeTransfer(deviceId));
    return id ? this.store.record(id, deviceId) : undefined;
  }

  private async context(deviceId: string, transferId?: string): Promise<{ transferId: string; transfer: AcceptedTransfer; device: FleetDevice; anchors: TrustAnchor[] }> {
    const id = transferId ?? (await this.store.activeTransfer(deviceId));
    if (!id) throw new UnknownDeviceError(deviceId, 'in a running transfer');
    const stored = await this.store.transfer(id);
    const transfer = await this.transfer(id);
    if (!stored || !transfer) throw new UnknownTransferError(id);
    if (!transfer.devices.includes(deviceId)) throw new UnknownDeviceError(deviceId, `in transfer ${id}`);
    const device = await this.store.device(deviceId);
    if (!device) throw new UnknownDeviceError(deviceId, "in SP1's fleet");
    return { transferId: id, transfer, device, anchors: anchorsFromJson(stored.anchors) };
  }

  /** Step 4b: a fresh token for one device: new counter (INCR), new cti, fallback = SP1. */
  async tokenFor(deviceId: string, transferId?: string): Promise<IssuedToken & { transferId: string }> {
    const c = await this.context(deviceId, transferId);
    const counter = await this.store.nextCounter(deviceId);
    const cti = new Uint8Array(randomBytes(16));
    const token = buildTransferToken(c.transfer.message, { deviceId, factoryCertificate: c.device.factoryCertificate, transferCounter: counter }, {
      issuer: this.opts.identity, fallbackUri: this.opts.fallbackUri, key: this.opts.signingKey, alg: algForKey(this.opts.signingKey),
      ...(this.opts.kid ? { kid: new Uint8Array(Buffer.from(this.opts.kid, 'utf8')) } : {}), transferMessageBytes: c.transfer.messageBytes,
      issuedAt: Math.floor(this.now() / 1000), cti,
    });
    return { token, counter, cti, transferId: c.transferId };
  }

  /**
   * Step 5: write the anchors that must survive the reset, the token, and execute Apply. A
   * queue-mode device that sleeps is left alone ({status: 'sleeping'}: park until it wakes).
   * Throws DeviceNotRegisteredError, DeviceRefusedError, DeviceSleepingError, DeviceTimeoutError.
   */
  async deliver(ep: string, transferId?: string): Promise<DeliveryOutcome> {
    const c = await this.context(ep, transferId);
    const record = await this.store.record(c.transferId, ep);
    if (record?.state === 'transferred') return { status: 'transferred' };
    const reg = await this.opts.adapter.registration(ep);
    if (!reg) throw new DeviceNotRegisteredError(ep);
    if (!reg.awake) return { status: 'sleeping' };
    const ts = `/${this.ids.trustStore}`;
    const plan = planTrustStore(await this.readOptional(ep, ts), [...(this.opts.survivingAnchors ?? []), ...c.anchors]);
    for (const instance of plan.create) await this.opts.adapter.create(ep, ts, instance);
    for (const id of plan.markSurviving) await this.opts.adapter.write(ep, `${ts}/${id}/${TrustStoreResource.survivesReset}`, singleResource(TrustStoreResource.survivesReset, 'BOOLEAN', true));
    const t = await this.tokenFor(ep, c.transferId);
    const cti = Buffer.from(t.cti).toString('hex');
    await this.store.update(c.transferId, ep, { state: 'delivering', counter: t.counter, cti });
    const tr = `/${this.ids.transfer}/0`;
    await this.opts.adapter.write(ep, `${tr}/${TransferResource.token}`, singleResource(TransferResource.token, 'OPAQUE', t.token));
    await this.opts.adapter.execute(ep, `${tr}/${TransferResource.apply}`);
    await this.store.update(c.transferId, ep, { state: 'delivered', deliveredAt: this.now() });
    this.emit('delivered', c.transferId, ep);
    return { status: 'delivered', counter: t.counter, cti, anchorsCreated: plan.create.length, anchorsMarked: plan.markSurviving.length };
  }

  /** The device's Transfer/State (0..10), read through the adapter. */
  async transferState(ep: string): Promise<number> {
    const node = await this.opts.adapter.read(ep, `/${this.ids.transfer}/0/${TransferResource.state}`);
    if (node.kind !== 'singleResource') throw new InvalidInputError(`"${ep}" answered no Transfer State`);
    return Number(node.value);
  }

  private async readOptional(ep: string, path: string): Promise<LwM2mNode | undefined> {
    try {
      return await this.opts.adapter.read(ep, path);
    } catch (e) {
      if (isHandoverError(e, 'ERR_DEVICE_REFUSED') && (e.details?.coapCode === '4.04')) return undefined;
      throw e;
    }
  }

  /**
   * Step 6: SP2 saw the device registered with its CA2 certificate. Recorded once; the same
   * confirmation again is a no-op (duplicate: true), another certificate serial a conflict. Then
   * the CA1 operational certificate is revoked (retried on the next confirmation if it failed).
   */
  async confirmArrival(a: Arrival): Promise<{ duplicate: boolean; revoked: boolean; revokeError?: string }> {
    if (typeof a?.transferId !== 'string' || typeof a.deviceId !== 'string' || typeof a.certificateSerial !== 'string' || !/^[0-9a-fA-F]{1,64}$/.test(a.certificateSerial)) {
      throw new InvalidInputError('an arrival needs transferId, deviceId and certificateSerial (hex)');
    }
    const t = await this.store.transfer(a.transferId);
    if (!t) throw new UnknownTransferError(a.transferId);
    if (!t.devices.includes(a.deviceId)) throw new UnknownDeviceError(a.deviceId, `in transfer ${a.transferId}`);
    const serial = a.certificateSerial.toLowerCase();
    const claim = await this.store.claimArrival(a.transferId, a.deviceId, serial, this.now());
    if (!claim.first && claim.serial !== serial) throw new TransferConflictError(`device "${a.deviceId}" already arrived with certificate ${claim.serial}`);
    if (claim.first) {
      await this.store.clearActive(a.deviceId, a.transferId);
      this.emit('transferred', a.transferId, a.deviceId);
    }
    const rec = await this.store.record(a.transferId, a.deviceId);
    if (rec?.revokedAt) return { duplicate: !claim.first, revoked: true };
    const device = await this.store.device(a.deviceId);
    if (!this.opts.revoke || !device?.operationalSerial) return { duplicate: !claim.first, revoked: false };
    try {
      await this.opts.revoke(device.operationalSerial);
      await this.store.update(a.transferId, a.deviceId, { revokedAt: this.now() });
      await this.store.clearField(a.transferId, a.deviceId, 'revokeError');
      return { duplicate: !claim.first, revoked: true };
    } catch (e) {
      const msg = (e as Error).message;
      this.opts.log?.(`revoking ${device.operationalSerial} of "${a.deviceId}" failed: ${msg}`);
      await this.store.update(a.transferId, a.deviceId, { revokeError: msg });
      return { duplicate: !claim.first, revoked: false, revokeError: msg };
    }
  }

  /**
   * A device registered at SP1: record it as fallen back when it came back with its factory
   * credentials. `quiet`: a registration that is not a fallback is not logged (a campaign polling).
   */
  async recordFallback(ep: string, reg: Pick<AdapterRegistration, 'certificate'>, opts: { quiet?: boolean } = {}): Promise<boolean> {
    const transferId = await this.store.activeTransfer(ep);
    if (!transferId) return false;
    const device = await this.store.device(ep);
    if (!device) return false;
    const rec = await this.store.record(transferId, ep);
    const allow = this.opts.fallbackWithoutCertificate ?? false;
    const transferState = !reg.certificate && allow && rec ? await this.transferState(ep).catch(() => undefined) : undefined;
    const v = fallbackVerdict(rec?.state, device.factoryCertificate, reg, { allowWithoutCertificate: allow, ...(transferState !== undefined ? { transferState } : {}) });
    if (!v.fellBack) {
      if (rec && !opts.quiet) this.opts.log?.(`registration of "${ep}" is not a fallback: ${v.reason}`);
      return false;
    }
    if (rec?.state === 'fellBack') return true;
    await this.store.update(transferId, ep, { state: 'fellBack', fellBackAt: this.now() });
    this.emit('fellBack', transferId, ep);
    return true;
  }

  /** Watch SP1's server for devices coming back; returns the function that stops watching. */
  watchFallbacks(): () => void {
    const on = (ep: string, reg?: AdapterRegistration) => {
      if (!reg) return;
      this.recordFallback(ep, reg).catch((e: Error) => this.opts.log?.(`fallback intake of "${ep}": ${e.message}`));
    };
    const offs = [this.opts.adapter.on('registered', on), this.opts.adapter.on('updated', on)];
    return () => offs.forEach((f) => f());
  }
}
