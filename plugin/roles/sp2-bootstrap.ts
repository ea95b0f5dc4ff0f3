/**
 * How a transferred device joins SP2 (DESIGN.md step 5: "joins SP2 (bootstrap, then
 * registration)"): SP2 runs an LwM2M bootstrap server, and when it signs a TransferMessage it
 * writes one bootstrap configuration per device of that transfer into the bootstrap server's
 * store. A device that is not in a transfer SP2 committed to has no configuration: its
 * Bootstrap-Request is refused (4.00), and the DTLS layer already refuses any device without a
 * CA2 certificate naming it.
 *
 * The configuration (the same for every device: nothing in it is secret or per device):
 *   Bootstrap-Delete /0 and /1        everything but the Bootstrap-Server account
 *   Security /0/1                     SP2's LwM2M server, Security Mode 4 (certificate with EST):
 *                                     resources 3 and 5 empty — the device uses the certificate
 *                                     and key it enrolled with CA2 itself, SP2 never holds the
 *                                     device's private key; resource 4 = what the device
 *                                     authenticates SP2's server with (CA2's root, DER);
 *                                     Short Server ID
 *   Server /1/0                       Short Server ID, lifetime, binding
 *
 * The store is any BootstrapConfigWriter: the LwM2M server's BootstrapConfigStore fits (its
 * `set` validates the JSON again), and so would a REST client of a Leshan bootstrap server.
 */
import { X509Certificate } from 'node:crypto';
import { InvalidInputError } from '../../common/errors';

/** Where bootstrap configurations live (server/bootstrap BootstrapConfigStore has these methods). */
export interface BootstrapConfigWriter {
  set(endpoint: string, config: unknown): Promise<unknown>;
  delete(endpoint: string): Promise<boolean>;
}

/** LwM2M Security Mode 4 (LwM2M 1.2 Core, Security object resource 2): certificate with EST. */
export const SECURITY_MODE_CERTIFICATE_EST = 4;

/** The Security instance SP2's bootstrap server writes for its LwM2M server (plain JSON, keys hex). */
export interface Sp2SecurityInstance {
  readonly uri: string;
  readonly bootstrapServer: false;
  readonly securityMode: number;
  readonly serverPublicKey: string;
  readonly shortServerId: number;
}

export interface Sp2ServerInstance {
  readonly shortServerId: number;
  readonly lifetime: number;
  readonly binding: string;
  readonly notificationStoring: boolean;
}

/** A device's bootstrap configuration, in the JSON shape of server/bootstrap/bootstrap-config.ts. */
export interface Sp2BootstrapConfig {
  readonly toDelete: readonly string[];
  readonly security: Readonly<Record<string, Sp2SecurityInstance>>;
  readonly servers: Readonly<Record<string, Sp2ServerInstance>>;
}

export interface Sp2BootstrapOptions {
  /** The bootstrap server's configuration store. */
  readonly configs: BootstrapConfigWriter;
  /** Where devices send their Bootstrap-Request (coaps://): the TransferMessage's bootstrapUri. */
  readonly bootstrapUri: string;
  /** SP2's LwM2M server (coaps://), where devices register after the bootstrap. */
  readonly serverUri: string;
  /** DER certificate(s) the device validates SP2's LwM2M server with (Security resource 4). */
  readonly serverTrust: readonly Uint8Array[];
  /** Short Server ID of SP2's server account. Default 1. */
  readonly shortServerId?: number;
  /** Registration lifetime, s. Default 300. */
  readonly lifetime?: number;
  /** Binding. Default "U". */
  readonly binding?: string;
}

/** Instance ids: the Bootstrap-Server account the device wrote when it rejoined is /0/0. */
const SECURITY_INSTANCE = '1';
const SERVER_INSTANCE = '0';

function coapsUri(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new InvalidInputError(`${what} must be a coaps:// URI`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidInputError(`${what} must be a coaps:// URI, not ${JSON.stringify(v)}`);
  }
  if (u.protocol !== 'coaps:' || u.hostname === '') throw new InvalidInputError(`${what} must be a coaps:// URI (certificate mode needs DTLS), not ${JSON.stringify(v)}`);
  return v;
}

/** The configuration every device of a transfer gets (pure). Throws InvalidInputError on bad options. */
export function sp2BootstrapConfig(o: Omit<Sp2BootstrapOptions, 'configs' | 'bootstrapUri'>): Sp2BootstrapConfig {
  const serverUri = coapsUri(o.serverUri, 'serverUri');
  if (!Array.isArray(o.serverTrust) || o.serverTrust.length === 0) throw new InvalidInputError('serverTrust needs at least one certificate');
  const trust = o.serverTrust.map((der, i) => {
    try {
      return new X509Certificate(Buffer.from(der)).raw;
    } catch (e) {
      throw new InvalidInputError(`serverTrust[${i}] is not a DER certificate: ${(e as Error).message}`, { cause: e });
    }
  });
  const shortServerId = o.shortServerId ?? 1;
  if (!Number.isInteger(shortServerId) || shortServerId < 1 || shortServerId > 65534) throw new InvalidInputError('shortServerId must be an integer in 1..65534');
  const lifetime = o.lifetime ?? 300;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 2 ** 31 - 1) throw new InvalidInputError('lifetime must be a positive integer number of seconds');
  const binding = o.binding ?? 'U';
  if (!/^[UMHTSNQ]+$/.test(binding)) throw new InvalidInputError(`binding must be like "U", not ${JSON.stringify(binding)}`);
  return {
    toDelete: ['/0', '/1'],
    security: {
      [SECURITY_INSTANCE]: {
        uri: serverUri, bootstrapServer: false, securityMode: SECURITY_MODE_CERTIFICATE_EST,
        serverPublicKey: Buffer.concat(trust).toString('hex'), shortServerId,
      },
    },
    servers: { [SERVER_INSTANCE]: { shortServerId, lifetime, binding, notificationStoring: true } },
  };
}

/** SP2's bootstrap server configurations, per device of a transfer. */
export class Sp2Bootstrap {
  private readonly config: Sp2BootstrapConfig;

  constructor(private readonly opts: Sp2BootstrapOptions) {
    coapsUri(opts.bootstrapUri, 'bootstrapUri');
    this.config = sp2BootstrapConfig(opts);
  }

  /** Where devices bootstrap (the TransferMessage's bootstrapUri). */
  get bootstrapUri(): string {
    return this.opts.bootstrapUri;
  }

  /** SP2's LwM2M server, where devices register after the bootstrap. */
  get serverUri(): string {
    return this.opts.serverUri;
  }

  /** What each device gets (a copy). */
  configuration(): Sp2BootstrapConfig {
    return JSON.parse(JSON.stringify(this.config)) as Sp2BootstrapConfig;
  }

  /** Write the configuration of each device (idempotent: the same configuration again). */
  async provision(deviceIds: readonly string[]): Promise<void> {
    for (let i = 0; i < deviceIds.length; i += 100) {
      await Promise.all(deviceIds.slice(i, i + 100).map((id) => this.opts.configs.set(id, this.config)));
    }
  }

  /** Remove the devices' configurations (a cancelled transfer); returns how many there were. */
  async withdraw(deviceIds: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of deviceIds) if (await this.opts.configs.delete(id)) n++;
    return n;
  }
}
