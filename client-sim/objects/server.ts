/**
 * Object 1, LwM2M Server: one instance per DM server account (short server id, lifetime,
 * binding, default notification periods). Disable and Registration Update Trigger are handed to
 * the client's registration engine through ServerObjectActions.
 */
import type { ObjectModel } from '../../objects/model';
import { DEVICE } from '../object-enabler';
import { ModelObjectEnabler } from '../model-object-enabler';

export interface ServerAccount {
  readonly instanceId: number;
  readonly shortServerId: number;
  /** Registration lifetime, seconds. */
  readonly lifetime: number;
  readonly binding: string;
  readonly defaultMinPeriod?: number;
  readonly defaultMaxPeriod?: number;
  /** Disable Timeout, seconds (default 86400). */
  readonly disableTimeout: number;
  readonly notificationStoring: boolean;
}

export type ServerAccountInit = Pick<ServerAccount, 'shortServerId' | 'lifetime' | 'binding'> & Partial<Omit<ServerAccount, 'instanceId'>>;

/** What executing the Server object's actions does; both run after the 2.04 is sent. */
export interface ServerObjectActions {
  /** Disable (/1/x/4): de-register, stay away `disableTimeout` seconds. */
  disable(shortServerId: number): void;
  /** Registration Update Trigger (/1/x/8). */
  updateTrigger(shortServerId: number): void;
  /** Bootstrap-Request Trigger (/1/x/9). */
  bootstrapTrigger(shortServerId: number): void;
}

export function serverObject(model: ObjectModel, accounts: readonly ServerAccountInit[], actions: ServerObjectActions): ModelObjectEnabler {
  const ssidOf = (instanceId: number): number => Number(enabler.get(instanceId, 0) ?? 0n);
  const later = (fn: () => void) => { setImmediate(fn); };
  const enabler: ModelObjectEnabler = new ModelObjectEnabler(model, {
    instances: accounts.map((a, id) => ({
      id,
      values: {
        0: a.shortServerId,
        1: a.lifetime,
        ...(a.defaultMinPeriod !== undefined ? { 2: a.defaultMinPeriod } : {}),
        ...(a.defaultMaxPeriod !== undefined ? { 3: a.defaultMaxPeriod } : {}),
        5: a.disableTimeout ?? 86400,
        6: a.notificationStoring ?? false,
        7: a.binding,
      },
    })),
    resources: {
      4: { execute: (iid) => later(() => actions.disable(ssidOf(iid))) },
      8: { execute: (iid) => later(() => actions.updateTrigger(ssidOf(iid))) },
      9: { execute: (iid) => later(() => actions.bootstrapTrigger(ssidOf(iid))) },
    },
  });
  return enabler;
}

/** The accounts currently in a Server object. */
export function serverAccounts(server: ModelObjectEnabler): ServerAccount[] {
  return server.instanceIds().map((id) => {
    const inst = server.readInstance(id, DEVICE);
    const v = (rid: number) => { const n = inst.resources.get(rid); return n?.kind === 'singleResource' ? n.value : undefined; };
    const num = (x: unknown) => (typeof x === 'bigint' ? Number(x) : undefined);
    return {
      instanceId: id,
      shortServerId: num(v(0)) ?? 0,
      lifetime: num(v(1)) ?? 86400,
      binding: typeof v(7) === 'string' ? (v(7) as string) : 'U',
      defaultMinPeriod: num(v(2)),
      defaultMaxPeriod: num(v(3)),
      disableTimeout: num(v(5)) ?? 86400,
      notificationStoring: v(6) === true,
    };
  });
}
