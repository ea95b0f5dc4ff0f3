/**
 * What the operator REST API needs from the LwM2M server: the members of LwM2mServer it calls,
 * as an interface of its own so the HTTP layer depends on a contract, not on the CoAP server.
 * LwM2mServer satisfies it structurally; the stores may answer synchronously or with promises.
 */
import type { ModelProvider } from '../../objects/model';
import type { ServerEvents } from '../events';
import type { Registration } from '../registration';
import type { DelayedResponse, DownlinkRequest, LwM2mResponse } from '../requests';

type MaybePromise<T> = T | Promise<T>;

/** Registrations by endpoint name. */
export interface RegistrationLookup {
  all(): MaybePromise<Registration[]>;
  get(ep: string): MaybePromise<Registration | undefined>;
}

/**
 * Security credentials of one client (server/security-store.ts SecurityInfo). RPK keys are the
 * DER SubjectPublicKeyInfo bytes.
 */
export type ClientSecurityInfo =
  | { readonly endpoint: string; readonly mode: 'psk'; readonly identity: string; readonly key: Buffer }
  | { readonly endpoint: string; readonly mode: 'x509' }
  | { readonly endpoint: string; readonly mode: 'rpk'; readonly publicKey: Buffer };

/** The editable security store of the server. `put` throws a HandoverError on a conflict. */
export interface SecurityInfoStore {
  get(ep: string): MaybePromise<ClientSecurityInfo | undefined>;
  getAll(): MaybePromise<ClientSecurityInfo[]>;
  put(info: ClientSecurityInfo): MaybePromise<unknown>;
  remove(ep: string): MaybePromise<unknown>;
}

/** The part of a typed event emitter the API listens with. */
export interface ServerEventSource {
  on<K extends keyof ServerEvents>(name: K, listener: (payload: ServerEvents[K]) => void): unknown;
  off<K extends keyof ServerEvents>(name: K, listener: (payload: ServerEvents[K]) => void): unknown;
}

export interface DeviceManagement {
  /** UDP port of the CoAP endpoint. */
  readonly coapPort: number;
  readonly registrations: RegistrationLookup;
  readonly security: SecurityInfoStore;
  readonly events: ServerEventSource;
  /**
   * Execute a downlink request. Throws ClientNotRegisteredError (ERR_NOT_FOUND),
   * RequestTimeoutError (ERR_TIMEOUT), ERR_INVALID_INPUT / ERR_PAYLOAD for an invalid request.
   */
  send(ep: string, req: DownlinkRequest, opts?: { timeoutMs?: number }): Promise<LwM2mResponse | DelayedResponse>;
  /** The object models that apply to this client. */
  modelsFor(ep: string): ModelProvider;
}
