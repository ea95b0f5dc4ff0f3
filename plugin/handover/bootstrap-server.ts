/**
 * An LwM2M bootstrap server on its own coaps port: an LwM2mServer (Bootstrap-Request on, its
 * own Redis key prefix) behind its own DTLS endpoint in certificate mode, so that a device
 * authenticates with its certificate (`caPem`: the CA(s) device certificates must chain to —
 * for SP2, CA2's chain only) and the server checks that the certificate names the endpoint
 * (server/registration/identity-check.ts). A separate server beside the LwM2M server, as a real
 * deployment runs it (Leshan's bootstrap server is a separate process too). Its configurations
 * live in Redis (server/bootstrap/bootstrap-config-store.ts under the same key prefix) and are
 * read per Bootstrap-Request, so another process may write them: SP2's NewProvider does,
 * through Sp2Bootstrap, when it signs a TransferMessage. Used by `handover sp2 serve`
 * (sp2-service.ts) and the demo world (scripts/demo/world/sp2-side.ts).
 *
 * The plain CoAP socket the LwM2mServer always opens refuses everyone (NoSec is off).
 */
import { DtlsServer, type DtlsHandshakeErrorEvent } from '../../common/dtls/index';
import type { BootstrapConfigStore } from '../../server/bootstrap/bootstrap-config-store';
import type { ServerEvents } from '../../server/events';
import { LwM2mServer } from '../../server/lwm2m-server';
import type { TypedEmitter } from '../../server/typed-emitter';

export interface BootstrapServerOptions {
  readonly redisUrl: string;
  /** Redis key prefix of the bootstrap server's stores (configurations). */
  readonly keyPrefix: string;
  /** The server's certificate chain and key, and the CA(s) client certificates must chain to (PEM). */
  readonly certificate: { readonly certChainPem: string; readonly keyPem: string; readonly caPem: string };
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** UDP port of the DTLS endpoint; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Deadline of each Bootstrap-Write / Delete / Finish, ms. Default the server's (10 s). */
  readonly requestTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface BootstrapServer {
  /** coaps://host:port — what devices send their Bootstrap-Request to. */
  readonly uri: string;
  readonly port: number;
  readonly configs: BootstrapConfigStore;
  /** BOOTSTRAP events (finished / failed sessions). */
  readonly events: TypedEmitter<ServerEvents>;
  stop(): Promise<void>;
}

export async function startBootstrapServer(opts: BootstrapServerOptions): Promise<BootstrapServer> {
  const log = opts.log ?? (() => undefined);
  const host = opts.host ?? '127.0.0.1';
  const dtls = new DtlsServer({ certificate: opts.certificate, type: host.includes(':') ? 'udp6' : 'udp4' });
  dtls.on('error', (e: Error) => log(`bootstrap dtls: ${e.message}`));
  dtls.on('handshakeError', ({ rinfo, error }: DtlsHandshakeErrorEvent) => log(`bootstrap dtls: handshake with ${rinfo.address}:${rinfo.port} failed: ${error.message}`));
  const closeDtls = () => new Promise<void>((resolve) => { dtls.close(() => resolve()); });
  await dtls.listen(opts.port ?? 0, host);
  const lwm2m = new LwM2mServer({
    redisUrl: opts.redisUrl, keyPrefix: opts.keyPrefix, host, coapPort: 0, allowNoSec: false, bootstrap: true,
    ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    secureEndpoints: [{ socket: dtls, identityOf: (r) => dtls.identityOf(r), name: 'coaps' }],
    log: (m) => log(`bootstrap server: ${m}`),
  });
  try {
    await lwm2m.start();
  } catch (e) {
    await closeDtls();
    throw e;
  }
  const port = dtls.address().port;
  let stopping: Promise<void> | undefined;
  return {
    uri: `coaps://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    configs: lwm2m.bootstrapConfigs,
    events: lwm2m.events,
    stop: () => (stopping ??= lwm2m.stop().finally(closeDtls)),
  };
}
