/**
 * DmAdapter: the only way the handover plugin reaches a device-management stack — our own
 * LwM2M server in-process (LocalServerAdapter) or a Leshan-compatible server over its REST API
 * and server-sent events (LeshanAdapter). Paths are LwM2M path strings ("/33001/0/0"); values
 * are the LwM2M nodes of objects/node.ts. Every failure is a HandoverError (adapter/errors.ts):
 * not registered, asleep (the request stays queued on the server), timeout, device refusal.
 */
import type { LwM2mNode, ObjectInstance } from '../../objects/node';

/** The X.509 certificate a client authenticated with (DTLS), as the DM server reports it. */
export interface AdapterCertificate {
  readonly subject: string;
  readonly issuer: string;
  /** Hex. */
  readonly serialNumber: string;
  /** SHA-256 of the DER, lowercase hex without colons, when the server reports it. */
  readonly fingerprint256?: string;
}

export interface AdapterRegistration {
  readonly endpoint: string;
  readonly registrationId: string;
  /** Came over DTLS. */
  readonly secure: boolean;
  /** The authenticated identity (PSK identity, certificate subject). */
  readonly identity?: string;
  readonly certificate?: AdapterCertificate;
  readonly queueMode: boolean;
  /** False only for a queue-mode client the server believes asleep. */
  readonly awake: boolean;
  /** Epoch ms of the last register/update. */
  readonly lastUpdate: number;
  /** Object id → instance ids. */
  readonly availableInstances: Readonly<Record<string, readonly number[]>>;
}

export type AdapterEvent = 'registered' | 'updated' | 'awake' | 'deregistered';

/** `reg` is given for registered, updated and deregistered; awake carries the endpoint only. */
export type AdapterListener = (ep: string, reg?: AdapterRegistration) => void;

export interface RequestOptions {
  /** Deadline of the device's answer, ms. Default: the adapter's. */
  readonly timeoutMs?: number;
}

export interface DmAdapter {
  /** The current registration of `ep`, undefined when not registered. */
  registration(ep: string): Promise<AdapterRegistration | undefined>;
  /** Read a path; resolves to the node the device returned. */
  read(ep: string, path: string, opts?: RequestOptions): Promise<LwM2mNode>;
  /** Write a resource or instance node at `path` (replace by default, `update` for a partial write). */
  write(ep: string, path: string, node: LwM2mNode, opts?: RequestOptions & { mode?: 'replace' | 'update' }): Promise<void>;
  /** Execute a resource with optional arguments ("0='a',1='b'"). */
  execute(ep: string, path: string, args?: string, opts?: RequestOptions): Promise<void>;
  /** Create an object instance (its id in the node) under `objectPath` ("/33002"). */
  create(ep: string, objectPath: string, instance: ObjectInstance, opts?: RequestOptions): Promise<void>;
  /** Delete an object instance. */
  delete(ep: string, path: string, opts?: RequestOptions): Promise<void>;
  /** Listen to registration life-cycle events; returns the unsubscribe function. */
  on(event: AdapterEvent, listener: AdapterListener): () => void;
  /** Release what the adapter holds (event stream, listeners). Idempotent. */
  close(): Promise<void>;
}
