/**
 * Object 0, LwM2M Security: one instance per server account (bootstrap or DM) with its URI,
 * security mode and keys. Only the bootstrap server (and the device) may touch it; the DM
 * interface refuses it (dm-handler.ts).
 */
import type { ObjectModel } from '../../objects/model';
import { DEVICE } from '../object-enabler';
import { ModelObjectEnabler } from '../model-object-enabler';

/** LwM2M Security Mode (resource 2). */
export const SecurityMode = { PSK: 0, RPK: 1, CERTIFICATE: 2, NO_SEC: 3, CERTIFICATE_EST: 4 } as const;

export interface SecurityAccount {
  /** Instance id in object 0. */
  readonly instanceId: number;
  readonly uri: string;
  readonly bootstrap: boolean;
  readonly securityMode: number;
  readonly shortServerId?: number;
  readonly publicKeyOrIdentity: Uint8Array;
  readonly serverPublicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export type SecurityAccountInit = Omit<SecurityAccount, 'instanceId' | 'securityMode' | 'publicKeyOrIdentity' | 'serverPublicKey' | 'secretKey'>
  & Partial<Pick<SecurityAccount, 'securityMode' | 'publicKeyOrIdentity' | 'serverPublicKey' | 'secretKey'>>;

/** The Security object with `accounts` as its factory instances (ids 0, 1, ... in order). */
export function securityObject(model: ObjectModel, accounts: readonly SecurityAccountInit[]): ModelObjectEnabler {
  return new ModelObjectEnabler(model, {
    instances: accounts.map((a, id) => ({ id, values: securityInstanceValues(a) })),
  });
}

/** The resource values of one Security instance (0 URI, 1 Bootstrap-Server, 2 mode, 3–5 keys, 10 SSID). */
export function securityInstanceValues(a: SecurityAccountInit): Record<number, unknown> {
  return {
    0: a.uri,
    1: a.bootstrap,
    2: a.securityMode ?? SecurityMode.NO_SEC,
    3: a.publicKeyOrIdentity ?? new Uint8Array(),
    4: a.serverPublicKey ?? new Uint8Array(),
    5: a.secretKey ?? new Uint8Array(),
    ...(a.shortServerId !== undefined ? { 10: a.shortServerId } : {}),
  };
}

/** The accounts currently in a Security object (instances missing the URI are skipped). */
export function securityAccounts(security: ModelObjectEnabler): SecurityAccount[] {
  const out: SecurityAccount[] = [];
  for (const id of security.instanceIds()) {
    const inst = security.readInstance(id, DEVICE);
    const v = (rid: number) => { const n = inst.resources.get(rid); return n?.kind === 'singleResource' ? n.value : undefined; };
    const uri = v(0);
    if (typeof uri !== 'string') continue;
    const bytes = (x: unknown) => (x instanceof Uint8Array ? x : new Uint8Array());
    const ssid = v(10);
    out.push({
      instanceId: id,
      uri,
      bootstrap: v(1) === true,
      securityMode: typeof v(2) === 'bigint' ? Number(v(2)) : SecurityMode.NO_SEC,
      shortServerId: typeof ssid === 'bigint' ? Number(ssid) : undefined,
      publicKeyOrIdentity: bytes(v(3)),
      serverPublicKey: bytes(v(4)),
      secretKey: bytes(v(5)),
    });
  }
  return out;
}
