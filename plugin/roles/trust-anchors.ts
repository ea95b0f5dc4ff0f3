/**
 * The trust anchors SP1 writes before the reset (paper §VII-D: the trust store after SP1's last
 * operation must authenticate CA2, and the RA and update servers when used, and must not be
 * rolled back by the reset). Pure: given what the device's Trust Store holds, which instances
 * to create and which existing ones to mark Survives Reset. An anchor is matched by SHA-256
 * thumbprint and purpose (one purpose per instance), so delivering twice writes nothing twice.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { InvalidInputError } from '../../common/errors';
import { objectInstance, singleResource, type LwM2mNode, type ObjectInstance } from '../../objects/node';
import { TrustPurpose, TrustStoreResource, isTrustPurpose, type TrustPurposeName } from './transfer-objects';

export interface TrustAnchor {
  /** DER X.509 certificate. */
  readonly certificate: Uint8Array;
  readonly purpose: TrustPurposeName;
  readonly label?: string;
}

export interface TrustStorePlan {
  /** New instances (ids free on the device), Survives Reset true. */
  readonly create: readonly ObjectInstance[];
  /** Existing instances of a needed anchor whose Survives Reset is false. */
  readonly markSurviving: readonly number[];
}

/** Check an anchor (parsable certificate, known purpose, label ≤ 64). Throws InvalidInputError. */
export function checkTrustAnchor(a: TrustAnchor, where = 'trust anchor'): TrustAnchor {
  if (!(a.certificate instanceof Uint8Array)) throw new InvalidInputError(`${where}: certificate must be DER bytes`);
  try { new X509Certificate(a.certificate); } catch (e) { throw new InvalidInputError(`${where}: not a DER X.509 certificate`, { cause: e }); }
  if (!isTrustPurpose(a.purpose)) throw new InvalidInputError(`${where}: unknown purpose ${JSON.stringify(a.purpose)} (one of ${Object.keys(TrustPurpose).join(', ')})`);
  if (a.label !== undefined && (typeof a.label !== 'string' || a.label.length > 64)) throw new InvalidInputError(`${where}: label must be text of at most 64 characters`);
  return a;
}

function thumbprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

interface Existing { id: number; thumbprint?: string; purpose?: number; survives?: boolean }

function existingOf(node: LwM2mNode | undefined): Existing[] {
  if (!node) return [];
  const instances = node.kind === 'obj' ? [...node.instances.values()] : node.kind === 'instance' ? [node] : [];
  return instances.map((i) => {
    const get = (rid: number) => { const r = i.resources.get(rid); return r?.kind === 'singleResource' ? r.value : undefined; };
    const cert = get(TrustStoreResource.certificate);
    const tp = get(TrustStoreResource.thumbprint);
    const purpose = get(TrustStoreResource.purpose);
    return {
      id: i.id,
      thumbprint: cert instanceof Uint8Array ? thumbprint(cert) : tp instanceof Uint8Array ? Buffer.from(tp).toString('hex') : undefined,
      purpose: typeof purpose === 'bigint' ? Number(purpose) : typeof purpose === 'number' ? purpose : undefined,
      survives: get(TrustStoreResource.survivesReset) === true,
    };
  });
}

/** What to write so that every anchor is on the device and survives the reset. */
export function planTrustStore(current: LwM2mNode | undefined, anchors: readonly TrustAnchor[]): TrustStorePlan {
  const existing = existingOf(current);
  const used = new Set(existing.map((e) => e.id));
  const create: ObjectInstance[] = [];
  const markSurviving: number[] = [];
  const seen = new Set<string>();
  let next = 0;
  for (const a of anchors) {
    const tp = thumbprint(a.certificate);
    const purpose = TrustPurpose[a.purpose];
    const key = `${tp}/${purpose}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const have = existing.find((e) => e.thumbprint === tp && e.purpose === purpose);
    if (have) {
      if (!have.survives) markSurviving.push(have.id);
      continue;
    }
    while (used.has(next)) next++;
    used.add(next);
    create.push(objectInstance(next, [
      singleResource(TrustStoreResource.certificate, 'OPAQUE', new Uint8Array(a.certificate)),
      singleResource(TrustStoreResource.purpose, 'INTEGER', BigInt(purpose)),
      singleResource(TrustStoreResource.survivesReset, 'BOOLEAN', true),
      ...(a.label ? [singleResource(TrustStoreResource.label, 'STRING', a.label)] : []),
    ]));
  }
  return { create, markSurviving };
}

/** JSON form for the provider API and Redis: certificate base64. */
export interface TrustAnchorJson { certificate: string; purpose: string; label?: string }

export function anchorToJson(a: TrustAnchor): TrustAnchorJson {
  return { certificate: Buffer.from(a.certificate).toString('base64'), purpose: a.purpose, ...(a.label ? { label: a.label } : {}) };
}

/** Parse and check a JSON list of anchors. Throws InvalidInputError. */
export function anchorsFromJson(v: unknown): TrustAnchor[] {
  if (!Array.isArray(v)) throw new InvalidInputError('anchors must be an array');
  return v.map((o, i) => {
    const where = `anchor ${i}`;
    if (typeof o !== 'object' || o === null || typeof (o as TrustAnchorJson).certificate !== 'string') throw new InvalidInputError(`${where}: certificate (base64 DER) missing`);
    const j = o as TrustAnchorJson;
    if (!/^[A-Za-z0-9+/=_-]+$/.test(j.certificate)) throw new InvalidInputError(`${where}: certificate is not base64`);
    return checkTrustAnchor({ certificate: new Uint8Array(Buffer.from(j.certificate, 'base64')), purpose: j.purpose as TrustPurposeName, ...(j.label !== undefined ? { label: j.label } : {}) }, where);
  });
}
