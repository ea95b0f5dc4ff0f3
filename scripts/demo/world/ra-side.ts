/**
 * The verifier of a handover world: SP2 runs the RA server (paper §VII-C, the TransferMessage's
 * raURI), since SP2 is the party that wants to know what it takes over and the one that holds
 * SP1's UpdateInfoList. Its expectation of each device is the SUIT state SP1 shared there —
 * sequence number and reference URI — resolved by fetching the manifest at that URI and checking
 * it is signed by SP1's firmware signer — the RA server `sp2 serve` runs
 * (plugin/handover/sp2-firmware-servers.ts). Evidence must chain to the factory CA. Results are
 * counted for the summary.
 */
import type { KeyObject } from 'node:crypto';
import type { Redis } from 'ioredis';
import { startSp2RaServer } from '../../../plugin/handover/sp2-firmware-servers';
import type { AttestationResult, RaServer } from '../../../plugin/ra/index';
import type { NewProvider } from '../../../plugin/roles/index';
import type { WorldPki } from './credentials';

export interface RaSideOptions {
  readonly pki: WorldPki;
  readonly redis: Redis;
  /** The world's key prefix. */
  readonly keyPrefix: string;
  /** SP2: its imported UpdateInfoList says what each device runs (deviceInfo). */
  readonly sp2: NewProvider;
  /** Keys that sign the firmware SP1 ships (the shared manifests must carry one of their signatures). */
  readonly manifestSigners: readonly KeyObject[];
  readonly log?: (line: string) => void;
}

export interface RaSide {
  readonly server: RaServer;
  /** The raURI of the TransferMessage. */
  readonly uri: string;
  /** Attestation results since start (or resetCounts): accepted, refused. */
  counts(): { accepted: number; refused: number };
  resetCounts(): void;
  stop(): Promise<void>;
}

export async function startRaSide(o: RaSideOptions): Promise<RaSide> {
  const factory = o.pki.hierarchy.factoryCa.chain;
  const server = await startSp2RaServer({
    redis: o.redis, keyPrefix: `${o.keyPrefix}sp2:ra`, sp2: o.sp2, factoryTrust: [factory[factory.length - 1]],
    manifestSigners: o.manifestSigners, ...(o.log ? { log: o.log } : {}),
  });
  let accepted = 0;
  let refused = 0;
  const onResult = (r: AttestationResult) => {
    if (r.ok) accepted++; else refused++;
  };
  server.on('result', onResult);
  return {
    server,
    uri: server.uri,
    counts: () => ({ accepted, refused }),
    resetCounts: () => { accepted = 0; refused = 0; server.resetTraffic(); },
    async stop() {
      server.off('result', onResult);
      await server.close();
    },
  };
}
