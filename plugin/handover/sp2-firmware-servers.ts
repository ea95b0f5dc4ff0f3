/**
 * SP2's firmware-facing servers in `sp2 serve`, from its configuration: the SUIT update server
 * (sp2.update: the envelopes and payloads of a directory over CoAP, the TransferMessage's
 * updateURI) and the remote-attestation server (sp2.ra: the raURI). The RA server expects of
 * each device the SUIT state SP1 shared in the UpdateInfoList SP2 imported (NewProvider
 * deviceInfo): it fetches the envelope at the shared reference URI, requires the shared sequence
 * number and a signature of one of sp2.ra.manifestSigners (SP1's firmware signers), and accepts
 * evidence chaining to sp2.ra.factoryTrust (plugin/ra/suit-expectation.ts). Files are read and
 * checked before anything listens (readSp2FirmwareMaterial).
 */
import { statSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Redis } from 'ioredis';
import { fetchCoap } from '../../common/coap/fetch';
import { RaServer, suitExpectationLookup, type AttestationResult } from '../ra/index';
import type { NewProvider } from '../roles/index';
import { SuitUpdateServer } from '../update-server/update-server';
import { ConfigError } from './errors';
import type { Sp2RaServerConfig, Sp2UpdateServerConfig } from './provider-config';
import { readCertificates, readPublicKeys } from './provider-material';

/** The files of sp2.update and sp2.ra, read and checked. */
export interface Sp2FirmwareMaterial {
  readonly factoryTrust?: readonly Uint8Array[];
  readonly manifestSigners?: readonly KeyObject[];
}

/** Check the update directory and read the RA server's trust files (ConfigError naming the field). */
export function readSp2FirmwareMaterial(update: Sp2UpdateServerConfig | undefined, ra: Sp2RaServerConfig | undefined): Sp2FirmwareMaterial {
  if (update) {
    let isDir = false;
    try { isDir = statSync(update.directory).isDirectory(); } catch (e) {
      throw new ConfigError(`cannot read sp2.update.directory ${update.directory}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    if (!isDir) throw new ConfigError(`sp2.update.directory ${update.directory} is not a directory`);
  }
  if (!ra) return {};
  return {
    factoryTrust: readCertificates(ra.factoryTrustFile, 'sp2.ra.factoryTrust'),
    manifestSigners: readPublicKeys(ra.manifestSignersFile, 'sp2.ra.manifestSigners'),
  };
}

/** SP2's SUIT update server on sp2.update, started. */
export async function startSp2UpdateServer(c: Sp2UpdateServerConfig): Promise<SuitUpdateServer> {
  return new SuitUpdateServer({ host: c.host, port: c.port, directory: c.directory }).start();
}

export interface Sp2RaServerOptions {
  readonly redis: Redis;
  /** Prefix of its Redis keys (nonces, results). */
  readonly keyPrefix: string;
  /** SP2: the UpdateInfoLists it imported say what each device runs. */
  readonly sp2: NewProvider;
  /** Roots the devices' factory certificates (and so their evidence) chain to. */
  readonly factoryTrust: readonly Uint8Array[];
  /** Keys that sign the firmware SP1 ships: a shared manifest must carry one of their signatures. */
  readonly manifestSigners: readonly KeyObject[];
  /** Listen address and port. Default 127.0.0.1, a free port. */
  readonly host?: string;
  readonly port?: number;
  /** Deadline of a manifest download, ms. Default 10000. */
  readonly fetchTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** SP2's RA server (`sp2 serve` with sp2.ra, and the demo world), started; each verdict is logged. */
export async function startSp2RaServer(o: Sp2RaServerOptions): Promise<RaServer> {
  const server = new RaServer({
    redis: o.redis, keyPrefix: o.keyPrefix, factoryTrustAnchors: o.factoryTrust,
    ...(o.host !== undefined ? { host: o.host } : {}), ...(o.port !== undefined ? { port: o.port } : {}),
    lookup: suitExpectationLookup({
      sharedState: (deviceId) => o.sp2.deviceInfo(deviceId),
      fetch: (uri) => fetchCoap(uri, { timeoutMs: o.fetchTimeoutMs ?? 10_000, maxBytes: 256 * 1024, blockSize: 1024 }),
      signers: o.manifestSigners,
    }),
    ...(o.log ? { log: o.log } : {}),
  });
  server.on('result', (r: AttestationResult) => o.log?.(`ra: ${r.deviceId} ${r.ok ? 'attested' : `refused (${r.reason})`}`));
  return server.start();
}
