/**
 * What the parent of a multi-process handover world (fleet-world.ts) and its fleet processes
 * (fleet-process.ts) say to each other: the fleet's configuration file (JSON, 0600: device keys)
 * and the IPC messages (Node's child_process channel) in each direction.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidInputError } from '../../../common/errors';
import type { DtlsTraffic } from '../../../common/dtls/index';
import type { DeviceCredentialsData, WorldPkiData } from './fleet-pki';

export interface FleetConfig {
  /** Index of this fleet process (for its log lines). */
  readonly fleet: number;
  readonly pki: WorldPkiData;
  readonly devices: readonly DeviceCredentialsData[];
  readonly sp1Uri: string;
  /** Directory of the devices' state files. */
  readonly stateDir: string;
  /** Devices started in parallel. */
  readonly setupConcurrency: number;
}

/** Parent → fleet. */
export type FleetCommand =
  | { readonly type: 'reset-traffic' }
  /** The DTLS traffic of the fleet's clients toward these server ports, and the bytes per device. */
  | { readonly type: 'stats'; readonly ports: readonly number[] }
  | { readonly type: 'stop' };

/** The enrollment bytes one device counted (WorldDevice.bytes). */
export interface FleetDeviceBytes {
  readonly csr: number;
  readonly operationalCertificate: number;
}

/** Fleet → parent. */
export type FleetReport =
  | { readonly type: 'started'; readonly devices: number }
  | { readonly type: 'ready'; readonly devices: number }
  | { readonly type: 'stats'; readonly traffic: Record<string, DtlsTraffic>; readonly bytes: Record<string, FleetDeviceBytes> }
  | { readonly type: 'stopped' }
  | { readonly type: 'error'; readonly message: string };

export function writeFleetConfig(file: string, config: FleetConfig): void {
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
}

export function readFleetConfig(file: string | undefined): FleetConfig {
  if (!file) throw new InvalidInputError('usage: fleet-process <config.json>');
  let c: FleetConfig;
  try {
    c = JSON.parse(readFileSync(file, 'utf8')) as FleetConfig;
  } catch (e) {
    throw new InvalidInputError(`cannot read the fleet configuration ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(c?.devices) || typeof c.sp1Uri !== 'string' || typeof c.stateDir !== 'string' || typeof c.pki?.dir !== 'string') {
    throw new InvalidInputError(`${file} is not a fleet configuration`);
  }
  return c;
}
