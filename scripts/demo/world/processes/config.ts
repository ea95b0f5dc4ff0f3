/**
 * The configuration the parent of a multi-process handover world (the crash test) gives its SP1
 * child processes, as one JSON file (mode 0600: it holds SP1's keys and API tokens): the shared
 * Redis and key prefix, SP1 server's fixed ports and credentials, and what the SP1 worker needs
 * (its provider API port and token, CA1's directory, the signing keys, campaign timings).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidInputError } from '../../../../common/errors';

export interface Sp1ProcessConfig {
  readonly redisUrl: string;
  /** The world's key prefix (worldKeys() derives every store's). */
  readonly keyPrefix: string;
  readonly dataDir: string;
  readonly server: {
    readonly httpPort: number;
    readonly coapPort: number;
    readonly coapsPort: number;
    /** Bearer token of SP1 server's REST API. */
    readonly token: string;
    readonly certChainPem: string;
    readonly keyPem: string;
    /** CA1's chain and the factory roots. */
    readonly caPem: string;
  };
  readonly worker: {
    readonly apiPort: number;
    readonly apiToken: string;
    /** CA1's directory (CertificateAuthority.load): the worker revokes with it. */
    readonly ca1Dir: string;
    readonly signerKeyPem: string;
    readonly signerCertificatePem: string;
    readonly sp2PublicKeyPem: string;
    readonly ca1RootPem: string;
    readonly concurrency: number;
    /** Device answer deadline of the LeshanAdapter, ms. */
    readonly deviceTimeoutMs: number;
    readonly lockDurationMs: number;
    readonly stalledIntervalMs: number;
    readonly parkTimeoutMs: number;
  };
}

export function writeSp1Config(file: string, config: Sp1ProcessConfig): void {
  writeFileSync(file, JSON.stringify(config, null, 1), { mode: 0o600 });
}

export function readSp1Config(file: string | undefined): Sp1ProcessConfig {
  if (!file) throw new InvalidInputError('usage: <process>.ts <config.json>');
  let c: Sp1ProcessConfig;
  try {
    c = JSON.parse(readFileSync(file, 'utf8')) as Sp1ProcessConfig;
  } catch (e) {
    throw new InvalidInputError(`cannot read the SP1 process configuration ${file}: ${(e as Error).message}`);
  }
  if (typeof c?.redisUrl !== 'string' || typeof c.keyPrefix !== 'string' || typeof c.server?.httpPort !== 'number' || typeof c.worker?.apiPort !== 'number') {
    throw new InvalidInputError(`${file} is not an SP1 process configuration`);
  }
  return c;
}

/** Run a process's main; a failure is printed and exits 1. SIGTERM/SIGINT run `stop` then exit 0. */
export function runMain(main: () => Promise<() => Promise<void>>): void {
  main().then((stop) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      stop().then(() => process.exit(0), (e: Error) => { console.error(e); process.exit(1); });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }, (e: Error) => {
    console.error(e);
    process.exit(1);
  });
}
