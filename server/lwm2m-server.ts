/**
 * LwM2mServer: the LwM2M 1.1 server (1.0 and 1.2 clients accepted) on node-coap — Registration,
 * Device Management and Information Reporting, Send, queue mode, and optionally the bootstrap
 * server on the same socket. Registrations, observations, queued requests, security and
 * bootstrap configurations live in Redis under `keyPrefix`, so a restarted server or a second
 * process on the same Redis knows every client.
 *
 *   const server = new LwM2mServer({ redisUrl, allowNoSec: true, coapPort: 0 });
 *   await server.start();
 *   server.events.on('REGISTRATION', ({ registration }) => …);
 *   const res = await server.send('dev-1', { kind: 'read', path: LwM2mPath.parse('/3/0') });
 *   await server.stop();
 */
import { Redis } from 'ioredis';
import { standardModels } from '../objects/ddf-loader';
import type { ModelProvider } from '../objects/model';
import { BootstrapConfigStore } from './bootstrap/bootstrap-config-store';
import { BootstrapService } from './bootstrap/bootstrap-service';
import { coapLogEntry } from './coap/coap-log';
import { DownlinkService } from './downlink/downlink-service';
import type { ServerEvents } from './events';
import { ServerKeys } from './keys';
import { NotificationHandler } from './observe/notification-handler';
import { QueueMode } from './queue/queue-mode';
import { ExpirySweeper } from './registration/expiry-sweeper';
import { RegistrationService } from './registration/registration-service';
import type { Registration } from './registration';
import type { DelayedResponse, DownlinkRequest, LwM2mResponse } from './requests';
import { RedisSecurityStore, type SecurityStore } from './security-store';
import type { ResolvedOptions, ServerContext } from './server-context';
import { ObservationStore } from './stores/observation-store';
import { RegistrationStore } from './stores/registration-store';
import { RequestQueue } from './stores/request-queue';
import type { SecureEndpoint } from './transport/secure-endpoint';
import { Transports } from './transport/transports';
import { TypedEmitter } from './typed-emitter';
import { UplinkRouter } from './uplink/uplink-router';

export interface LwM2mServerOptions {
  /** Redis holding registrations, observations, queues, security and bootstrap configs. Required. */
  redisUrl: string;
  /** Prefix of every Redis key. Default 'handover'. */
  keyPrefix?: string;
  /** Address of the plain CoAP socket. Default '127.0.0.1'; '::' and '0.0.0.0' allowed. */
  host?: string;
  /** UDP port of the plain CoAP socket; 0 picks a free one. Default 5683. */
  coapPort?: number;
  /** Accept clients without DTLS (development only; loud warning at start). Default false. */
  allowNoSec?: boolean;
  /** Object models. Default: standardModels(). */
  models?: ModelProvider;
  /** How long a queue-mode client counts as awake after it spoke, ms. Default 93000 (MAX_TRANSMIT_WAIT). */
  queueAwakeMs?: number;
  /** Default deadline of a downlink request, ms. Default 10000. */
  requestTimeoutMs?: number;
  /** Serve Bootstrap-Request on the same sockets. Default false. */
  bootstrap?: boolean;
  /** DTLS (or other secure) endpoints besides the plain socket; the caller owns their sockets. */
  secureEndpoints?: SecureEndpoint[];
  /** Progress, warnings and errors. Default: nowhere. */
  log?: (msg: string) => void;
  /** Time after lifetime end before a registration expires, ms. Default 2000. */
  expiryGraceMs?: number;
  /** How often expired registrations are looked for, ms. Default 1000. */
  expiryCheckMs?: number;
}

export class LwM2mServer {
  readonly registrations: RegistrationStore;
  readonly security: SecurityStore;
  readonly bootstrapConfigs: BootstrapConfigStore;
  readonly events = new TypedEmitter<ServerEvents>();
  private readonly redis: Redis;
  private readonly ctx: ServerContext;
  private readonly transports: Transports;
  private readonly downlink: DownlinkService;
  private readonly queueMode: QueueMode;
  private readonly sweeper: ExpirySweeper;
  private readonly models: ModelProvider;
  private port = 0;
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(private readonly options: LwM2mServerOptions) {
    if (!options.redisUrl) throw new TypeError('LwM2mServer needs redisUrl');
    const log = options.log ?? (() => undefined);
    this.redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.redis.on('error', (e: Error) => log(`redis: ${e.message}`));
    const keys = new ServerKeys(options.keyPrefix ?? 'handover');
    this.models = options.models ?? standardModels();
    this.registrations = new RegistrationStore(this.redis, keys);
    this.security = new RedisSecurityStore(this.redis, keys);
    this.bootstrapConfigs = new BootstrapConfigStore(this.redis, keys);
    const opts: ResolvedOptions = {
      allowNoSec: options.allowNoSec ?? false,
      queueAwakeMs: options.queueAwakeMs ?? 93_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      expiryGraceMs: options.expiryGraceMs ?? 2_000,
      bootstrap: options.bootstrap ?? false,
    };
    let notifications: NotificationHandler | undefined;
    let router: UplinkRouter | undefined;
    this.transports = new Transports({
      onUnmatchedResponse: (msg, peer, endpoint) => notifications?.handle(msg, peer, endpoint),
      logging: () => this.events.has('COAPLOG'),
      log: (incoming, datagram) => this.events.emit('COAPLOG', coapLogEntry(incoming, datagram)),
    }, (req, res, endpoint) => router?.handle(req, res, endpoint));
    this.ctx = {
      opts, redis: this.redis, keys, registrations: this.registrations, observations: new ObservationStore(this.redis, keys),
      queue: new RequestQueue(this.redis, keys), security: this.security, bootstrapConfigs: this.bootstrapConfigs,
      events: this.events, transports: this.transports, models: this.models, log,
    };
    this.downlink = new DownlinkService(this.ctx);
    this.queueMode = new QueueMode(this.ctx, (reg, req, t) => this.downlink.execute(reg, req, t));
    this.downlink.queueMode = this.queueMode;
    notifications = new NotificationHandler(this.ctx, this.queueMode);
    const active = (reg: Registration) => {
      if (!reg.queuemode) return;
      this.queueMode.touch(reg)
        .then(() => this.queueMode.drain(reg))
        .catch((e) => log(`queue of '${reg.endpoint}': ${(e as Error).message}`));
    };
    const registration = new RegistrationService(this.ctx, active);
    const bootstrap = opts.bootstrap ? new BootstrapService(this.ctx, this.downlink) : undefined;
    router = new UplinkRouter(this.ctx, {
      registration,
      bootstrap: bootstrap ? (u) => bootstrap.request(u) : undefined,
      onActive: (ep) => void this.registrations.get(ep).then((r) => (r?.queuemode ? this.queueMode.touch(r) : undefined)).catch(() => undefined),
    });
    this.sweeper = new ExpirySweeper(this.ctx, options.expiryCheckMs ?? 1000, async (reg) => {
      this.queueMode.forget(reg.endpoint);
      await registration.forget(reg);
    });
    this.events.on('DEREGISTRATION', ({ registration: r }) => this.queueMode.forget(r.endpoint));
  }

  /** UDP port of the plain CoAP socket (after start). */
  get coapPort(): number {
    return this.port;
  }

  /** Names of the CoAP endpoints: "coap" and the secure ones. */
  get endpointNames(): string[] {
    return this.transports.names();
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('LwM2mServer can be started once');
    this.state = 'started';
    try {
      await this.redis.connect();
      this.port = await this.transports.bindPlain(this.options.host ?? '127.0.0.1', this.options.coapPort ?? 5683);
      (this.options.secureEndpoints ?? []).forEach((se, i) => this.transports.addSecure(se, i));
    } catch (e) {
      await this.stop();
      throw e;
    }
    this.sweeper.start();
    if (this.ctx.opts.allowNoSec) {
      this.ctx.log('WARNING: NoSec is allowed: any host on the network can register as any endpoint without DTLS. Use it for development only.');
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.sweeper.stop();
    this.queueMode.stop();
    await this.transports.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /**
   * Execute a device-management request. Throws ClientNotRegisteredError (ERR_NOT_FOUND),
   * RequestTimeoutError (ERR_TIMEOUT), InvalidRequestError (ERR_INVALID_INPUT). A sleeping
   * queue-mode client: resolves to a DelayedResponse; the answer comes as REQUEST_RESPONSE.
   */
  send(ep: string, req: DownlinkRequest, opts?: { timeoutMs?: number }): Promise<LwM2mResponse | DelayedResponse> {
    return this.downlink.send(ep, req, opts);
  }

  /** The object models that apply to this client. */
  modelsFor(ep: string): ModelProvider {
    void ep;
    return this.models;
  }

  /** One pass of the expiry sweep now (tests, tools); the number of registrations this process expired. */
  sweepExpired(now?: number): Promise<number> {
    return this.sweeper.sweep(now);
  }
}
