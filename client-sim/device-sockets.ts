/**
 * DeviceSockets: the device's radio as one dgram-like socket (DatagramSocket) for the client's
 * GatedSocket, node-coap Server and Agent. Underneath: the plain UDP socket (coap://) and one
 * DtlsClient (common/dtls) per coaps:// server account, each with that account's credentials.
 *
 * - send(buf, port, address): to the DTLS session of that server when there is one, else plain
 *   UDP. A session whose last handshake failed is handshaken again by the next send.
 * - 'message': plaintext from every session and datagrams from the UDP socket, so that a
 *   server's downlink requests reach the client over the session it registered through.
 * - secure(target, credentials): make sure a session with these credentials exists for that
 *   server; a session with other credentials (a rejoin with a new certificate) is replaced.
 * - reset(target, session): forget a session that stopped answering (e.g. the server restarted
 *   and knows it no more: DTLS has no way to tell the client); the next secure() + send
 *   handshakes anew.
 */
import { EventEmitter } from 'node:events';
import { DtlsClient, type DtlsClientOptions } from '../common/dtls/index';
import { guardSendCallback } from '../common/dtls/send-args';
import type { DatagramSocket, RemoteInfo } from './datagram-socket';
import { credentialsDigest, type DtlsCredentials } from './security-credentials';
import type { ServerTarget } from './uplink';

type SendCallback = (err: Error | null, bytes?: number) => void;

/** One DTLS session to a server, as handed out by secure() (opaque to callers). */
export interface Session {
  readonly client: DtlsClient;
  readonly digest: string;
  /** Route keys ("address|port") that lead to this session: the URI host and the resolved address. */
  readonly keys: Set<string>;
}

export interface DeviceSocketsOptions {
  /** Local address the DTLS sockets bind (same as the plain socket's). */
  readonly localAddress?: string;
  /** DTLS handshake deadline, ms. Default: common/dtls's. */
  readonly handshakeTimeoutMs?: number;
}

export class DeviceSockets extends EventEmitter implements DatagramSocket {
  private readonly sessions = new Map<string, Session>();
  private readonly routes = new Map<string, Session>();
  private readonly onPlainMessage = (msg: Buffer, rinfo: RemoteInfo) => this.emit('message', msg, rinfo);
  private readonly onPlainError = (err: Error) => this.emit('error', err);
  private closed = false;

  constructor(private readonly plain: DatagramSocket, private readonly closePlain: boolean, private readonly options: DeviceSocketsOptions = {}) {
    super();
    plain.on('message', this.onPlainMessage);
    plain.on('error', this.onPlainError);
  }

  /** Open (or keep) the DTLS session of `target` with `credentials`; returns it (undefined once closed). */
  secure(target: ServerTarget, credentials: DtlsCredentials): Session | undefined {
    if (this.closed) return undefined;
    const key = routeKey(target.host, target.port);
    const digest = credentialsDigest(credentials);
    const existing = this.sessions.get(key);
    if (existing?.digest === digest) return existing;
    if (existing) this.drop(key, existing);
    const options: DtlsClientOptions = {
      host: target.host,
      port: target.port,
      ...credentials,
      type: target.host.includes(':') ? 'udp6' : 'udp4',
      ...(this.options.localAddress && this.options.localAddress.includes(':') === target.host.includes(':') ? { localAddress: this.options.localAddress } : {}),
      ...(this.options.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: this.options.handshakeTimeoutMs } : {}),
    };
    const client = new DtlsClient(options);
    const session: Session = { client, digest, keys: new Set([key]) };
    client.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      // The resolved server address becomes a route too: replies go back to rinfo.
      const k = routeKey(rinfo.address, rinfo.port);
      if (!session.keys.has(k) && this.sessions.get(key) === session) { session.keys.add(k); this.routes.set(k, session); }
      this.emit('message', msg, rinfo);
    });
    client.on('error', (err: Error) => this.emit('error', err));
    client.on('handshakeError', () => undefined); // reported to the sender through its callback
    this.sessions.set(key, session);
    this.routes.set(key, session);
    return session;
  }

  /**
   * Drop the session with `target` (only `session`, when given: a newer one stays), e.g. after a
   * request over it went unanswered. Returns whether one was dropped.
   */
  reset(target: Pick<ServerTarget, 'host' | 'port'>, session?: Session): boolean {
    const key = routeKey(target.host, target.port);
    const current = this.sessions.get(key);
    if (!current || (session !== undefined && current !== session)) return false;
    this.drop(key, current);
    return true;
  }

  /** Close every DTLS session (close_notify); the plain socket stays. */
  closeSessions(): void {
    for (const [key, s] of [...this.sessions]) this.drop(key, s);
  }

  /** True when a DTLS session for this server is established. */
  established(target: Pick<ServerTarget, 'host' | 'port'>): boolean {
    return this.sessions.get(routeKey(target.host, target.port))?.client.established ?? false;
  }

  /** The server's identity on the session with `target`, once established. */
  peerIdentity(target: Pick<ServerTarget, 'host' | 'port'>) {
    return this.sessions.get(routeKey(target.host, target.port))?.client.peerIdentity();
  }

  address(): { address: string; port: number; family?: string } {
    return this.plain.address();
  }

  send(msg: Uint8Array, port: number, address: string, callback?: SendCallback): void {
    if (this.closed) { callback?.(new Error('socket closed')); return; }
    const session = this.routes.get(routeKey(address, port));
    if (!session) { this.plain.send(msg, port, address, callback); return; }
    const { client } = session;
    if (!client.established) client.connect().catch(() => undefined); // a failed session retries here
    client.send(Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength), port, address, callback && guardSendCallback(callback));
  }

  close(callback?: () => void): void {
    if (this.closed) { callback?.(); return; }
    this.closed = true;
    this.closeSessions();
    this.plain.removeListener('message', this.onPlainMessage);
    this.plain.removeListener('error', this.onPlainError);
    if (this.closePlain) this.plain.close(callback);
    else callback?.();
  }

  private drop(key: string, session: Session): void {
    this.sessions.delete(key);
    for (const k of session.keys) if (this.routes.get(k) === session) this.routes.delete(k);
    session.client.removeAllListeners('message');
    session.client.on('error', () => undefined);
    session.client.close();
  }
}

function routeKey(address: string, port: number): string {
  return `${address.replace(/^\[|\]$/g, '')}|${port}`;
}
