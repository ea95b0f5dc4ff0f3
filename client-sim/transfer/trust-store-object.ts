/**
 * Object 33002 Trust Store on the device: one trust anchor per instance (Certificate, computed
 * Thumbprint, Purpose, Survives Reset, Label). A server creates and writes anchors (SP1 before
 * the transfer); a certificate that does not parse as X.509 DER or an unknown purpose is refused
 * with 4.00 and changes nothing. While a transfer runs the object is frozen for servers, so the
 * old provider cannot swap the anchors the device relies on mid-way.
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import type { ObjectModel } from '../../objects/model';
import type { ResourceNode } from '../../objects/node';
import { OperationError } from '../errors';
import { DEVICE, type Caller } from '../object-enabler';
import { AnchorPurpose } from './transfer-codes';
import { AgentObjectEnabler, type AgentObjectOwner } from './agent-object';

/** One anchor as the device uses it. */
export interface TrustAnchor {
  readonly instanceId: number;
  readonly certificate: Uint8Array;
  readonly purpose: AnchorPurpose;
  readonly survivesReset: boolean;
  readonly label?: string;
}

/** What a device-side caller gives to add an anchor. */
export interface TrustAnchorInit {
  readonly certificate: Uint8Array;
  readonly purpose: AnchorPurpose;
  readonly survivesReset: boolean;
  readonly label?: string;
}

const PURPOSES = new Set<number>(Object.values(AnchorPurpose));
const RES = { certificate: 0, thumbprint: 1, purpose: 2, survivesReset: 3, label: 4 } as const;

function checkCertificate(value: unknown): void {
  if (!(value instanceof Uint8Array) || value.length === 0) throw OperationError.badRequest('Certificate must be an X.509 certificate (DER)');
  try {
    new X509Certificate(value);
  } catch {
    throw OperationError.badRequest('Certificate does not parse as an X.509 certificate (DER)');
  }
}

function checkNode(node: ResourceNode): void {
  if (node.kind !== 'singleResource') return;
  if (node.id === RES.certificate) checkCertificate(node.value);
  if (node.id === RES.purpose && !(typeof node.value === 'bigint' && PURPOSES.has(Number(node.value)))) {
    throw OperationError.badRequest(`Purpose must be one of ${[...PURPOSES].join(', ')}`);
  }
}

export class TrustStoreEnabler extends AgentObjectEnabler {
  constructor(model: ObjectModel, owner: AgentObjectOwner) {
    const guard = (caller: Caller) => owner.guardServerChange(caller, model.id);
    const self: { enabler?: TrustStoreEnabler } = {};
    super(model, {
      resources: {
        [RES.certificate]: { write: (_i, node, caller) => { guard(caller); checkNode(node); } },
        [RES.thumbprint]: { read: (i) => self.enabler!.thumbprint(i) },
        [RES.purpose]: { write: (_i, node, caller) => { guard(caller); checkNode(node); } },
        [RES.survivesReset]: { write: (_i, _n, caller) => guard(caller) },
        [RES.label]: { write: (_i, _n, caller) => guard(caller) },
      },
      onCreate: (_i, caller) => guard(caller),
      onDelete: (_i, caller) => guard(caller),
    }, owner);
    self.enabler = this;
  }

  /** A server's create: the certificate and purpose are checked before anything is stored. */
  override async create(instanceId: number | undefined, resources: readonly ResourceNode[], caller: Caller): Promise<number> {
    for (const node of resources) checkNode(node);
    if (!resources.some((n) => n.id === RES.certificate)) throw OperationError.badRequest('a trust anchor needs its Certificate');
    return super.create(instanceId, resources, caller);
  }

  /** Every anchor (instances without a certificate are skipped). */
  anchors(): TrustAnchor[] {
    const out: TrustAnchor[] = [];
    for (const id of this.instanceIds()) {
      const cert = this.get(id, RES.certificate);
      if (!(cert instanceof Uint8Array) || cert.length === 0) continue;
      const purpose = this.get(id, RES.purpose);
      const label = this.get(id, RES.label);
      out.push({
        instanceId: id, certificate: cert,
        purpose: (typeof purpose === 'bigint' ? Number(purpose) : -1) as AnchorPurpose,
        survivesReset: this.get(id, RES.survivesReset) === true,
        ...(typeof label === 'string' && label ? { label } : {}),
      });
    }
    return out;
  }

  /** Anchors of one purpose. */
  withPurpose(purpose: AnchorPurpose): TrustAnchor[] {
    return this.anchors().filter((a) => a.purpose === purpose);
  }

  /** Device side: add an anchor (as SP1 would over LwM2M); its instance id. */
  async add(anchor: TrustAnchorInit): Promise<number> {
    const values: Record<number, unknown> = { [RES.certificate]: anchor.certificate, [RES.purpose]: BigInt(anchor.purpose), [RES.survivesReset]: anchor.survivesReset };
    if (anchor.label !== undefined) values[RES.label] = anchor.label;
    const nodes = Object.entries(values).map(([rid, v]) => this.nodeOf(Number(rid), v));
    return this.create(undefined, nodes, DEVICE);
  }

  /** The transfer reset: delete every anchor not marked Survives Reset. */
  async dropVolatile(): Promise<void> {
    for (const a of this.anchors()) if (!a.survivesReset) await this.delete(a.instanceId, DEVICE);
    for (const id of this.instanceIds()) if (!(this.get(id, RES.certificate) instanceof Uint8Array)) await this.delete(id, DEVICE);
  }

  private thumbprint(instanceId: number): Uint8Array {
    const cert = this.get(instanceId, RES.certificate);
    return cert instanceof Uint8Array ? new Uint8Array(createHash('sha256').update(cert).digest()) : new Uint8Array();
  }
}

/** The public key of an anchor's certificate. */
export function anchorKey(anchor: TrustAnchor): KeyObject {
  return new X509Certificate(anchor.certificate).publicKey;
}

/** Anchors as one PEM text (for a DTLS caPem). */
export function anchorsPem(anchors: readonly TrustAnchor[]): string {
  return anchors.map((a) => new X509Certificate(a.certificate).toString()).join('');
}
