/**
 * Object 3, Device: identity and status resources, Current Time (a clock the server may set),
 * Error Code with Reset Error Code, and the Reboot and Factory Reset actions, which the client
 * runs after answering 2.04 (ServerObjectActions-style hand-off through DeviceActions).
 */
import type { ObjectModel } from '../../objects/model';
import { ModelObjectEnabler } from '../model-object-enabler';

/** Identity and status of the simulated device; absent fields are absent resources. */
export interface DeviceInfo {
  readonly manufacturer?: string;
  readonly modelNumber?: string;
  readonly serialNumber?: string;
  readonly firmwareVersion?: string;
  readonly deviceType?: string;
  readonly hardwareVersion?: string;
  readonly softwareVersion?: string;
  /** Percent. */
  readonly batteryLevel?: number;
  /** KiB. */
  readonly memoryFree?: number;
  readonly memoryTotal?: number;
  readonly utcOffset?: string;
  readonly timezone?: string;
}

export interface DeviceActions {
  reboot(): void;
  factoryReset(): void;
}

const OPTIONAL: ReadonlyArray<[keyof DeviceInfo, number]> = [
  ['manufacturer', 0], ['modelNumber', 1], ['serialNumber', 2], ['firmwareVersion', 3], ['batteryLevel', 9],
  ['memoryFree', 10], ['utcOffset', 14], ['timezone', 15], ['deviceType', 17], ['hardwareVersion', 18],
  ['softwareVersion', 19], ['memoryTotal', 21],
];

/** The Device object; `binding` is Supported Binding and Modes ("U", "UQ"). */
export function deviceObject(model: ObjectModel, info: DeviceInfo, binding: string, actions: DeviceActions): ModelObjectEnabler {
  let clockOffsetMs = 0;
  const values: Record<number, unknown> = { 11: [0], 13: new Date(), 16: binding };
  for (const [key, rid] of OPTIONAL) if (info[key] !== undefined && model.resources.has(rid)) values[rid] = info[key];
  const later = (fn: () => void) => { setImmediate(fn); };
  const enabler: ModelObjectEnabler = new ModelObjectEnabler(model, {
    instances: [{ id: 0, values }],
    deletable: false,
    resources: {
      4: { execute: () => later(() => actions.reboot()) },
      5: { execute: () => later(() => actions.factoryReset()) },
      12: { execute: () => enabler.set(0, 11, [0]) },
      13: {
        read: () => new Date(Math.floor((Date.now() + clockOffsetMs) / 1000) * 1000),
        write: (_iid, node) => {
          if (node.kind === 'singleResource' && node.value instanceof Date) clockOffsetMs = node.value.getTime() - Date.now();
        },
      },
    },
  });
  return enabler;
}
