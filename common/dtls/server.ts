/**
 * DtlsServer: a DTLS 1.2 server with a dgram-like face, for `coap.createServer().listen(server)`
 * and for the LwM2M server's "secure endpoints".
 *
 *   const dtls = new DtlsServer({ psk: { lookup: (identity, rinfo) => store.pskOf(identity) } });
 *   await dtls.listen(5684, '0.0.0.0');
 *   coapServer.listen(dtls);          // plaintext CoAP in, plaintext CoAP out
 *   dtls.identityOf(rinfo)            // → { kind: 'psk', identity } | { kind: 'x509', … }
 *
 * It owns one UDP socket and one Association (DTLS session) per peer address:port. Unknown
 * peers go through the stateless cookie exchange (HelloVerifyRequest) first; only a ClientHello
 * with a valid cookie creates state. Concurrent handshakes are bounded (extra ClientHellos are
 * dropped), idle sessions expire with close_notify.
 *
 * PSK keys are looked up asynchronously at handshake time (the handshake pauses meanwhile: see
 * index.ts). node-coap note: its Server sends error replies and replays cached responses only
 * on a real dgram.Socket (an instanceof check), so over DTLS those two are skipped by node-coap.
 *
 * Events: 'listening'; 'message'(plaintext: Buffer, rinfo); 'error'(Error: UDP socket only);
 * 'session'(DtlsSessionEvent); 'handshakeError'(DtlsHandshakeErrorEvent);
 * 'sessionClosed'(DtlsSessionClosedEvent); 'close'.
 */
import type { RemoteInfo } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { Association } from './association';
import { DtlsError } from './errors';
import { createNativeContext, type NativeContext } from './native';
import { resolveServerOptions, type DtlsServerOptions } from './options';
import type { PeerIdentity } from './peer-identity';
import { isClientHello, peerKey } from './records';
import { UdpEndpoint } from './udp-endpoint';
import { parseSendArgs } from './send-args';

/** The peer of a session as dgram reports it (without `size`). */
export type DtlsPeer = Pick<RemoteInfo, 'address' | 'port' | 'family'>;

export interface DtlsSessionEvent {
  readonly rinfo: DtlsPeer;
  readonly identity: PeerIdentity;
  readonly cipher: string;
}
export interface DtlsHandshakeErrorEvent {
  readonly rinfo: DtlsPeer;
  readonly error: DtlsError;
}
export interface DtlsSessionClosedEvent {
  readonly rinfo: DtlsPeer;
  /** peer: close_notify received; idle: expired; local: closeSession()/close(); error: fatal; replaced: new handshake from the same address. */
  readonly reason: 'peer' | 'idle' | 'local' | 'error' | 'replaced';
  readonly error?: DtlsError;
}

interface Entry {
  readonly association: Association;
  readonly rinfo: DtlsPeer;
}

export class DtlsServer extends EventEmitter {
  readonly type: 'udp4' | 'udp6';
  private readonly settings: ReturnType<typeof resolveServerOptions>;
  private readonly context: NativeContext;
  private readonly udp: UdpEndpoint;
  private readonly socket: UdpEndpoint['socket'];
  private readonly peers = new Map<string, Entry>();
  /** Associations still handshaking (bounded by maxHandshakes). */
  private readonly pending = new Set<Association>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: DtlsServerOptions) {
    super();
    this.settings = resolveServerOptions(options);
    this.type = this.settings.type;
    this.context = createNativeContext(this.settings.native);
    this.udp = new UdpEndpoint(this.type);
    this.socket = this.udp.socket;
    this.socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    this.socket.on('error', (err) => this.emit('error', err));
    this.socket.on('listening', () => this.emit('listening'));
  }

  /** dgram-style bind; emits 'listening'. */
  bind(port?: number, address?: string, callback?: () => void): this {
    this.socket.bind(port ?? 0, address, callback);
    const sweepMs = Math.min(30_000, Math.max(50, Math.floor(this.settings.idleTimeoutMs / 2)));
    this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
    this.sweepTimer.unref();
    return this;
  }

  /** Binds and resolves with the bound address (port 0: a free port). */
  listen(port = 0, address = this.type === 'udp6' ? '::' : '0.0.0.0'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.socket.once('error', onError);
      this.bind(port, address, () => {
        this.socket.off('error', onError);
        resolve(this.address());
      });
    });
  }

  address(): AddressInfo {
    return this.socket.address();
  }

  /**
   * dgram-style send of plaintext to a peer with an established session:
   * send(msg, port, address, cb?) or send(msg, offset, length, port, address, cb?).
   * Without a session the callback gets DtlsError('no-session') (servers do not initiate DTLS).
   */
  send(...args: unknown[]): void {
    const { data, port, address, callback } = parseSendArgs(args);
    const entry = port !== undefined && address !== undefined ? this.peers.get(peerKey(address, port)) : undefined;
    const done = (error: Error | null) => callback?.(error, error === null ? data.length : 0);
    if (entry === undefined || !entry.association.established) {
      const error = new DtlsError('no-session', `no established DTLS session with ${address}:${port}`);
      if (callback !== undefined) setImmediate(() => done(error));
      return;
    }
    try {
      entry.association.write(data, done);
    } catch (error) {
      setImmediate(() => done(error as Error));
    }
  }

  /** Who the peer at rinfo is, once its session is established. */
  identityOf(rinfo: Pick<RemoteInfo, 'address' | 'port'>): PeerIdentity | undefined {
    const entry = this.peers.get(peerKey(rinfo.address, rinfo.port));
    return entry?.association.established ? entry.association.peerIdentity : undefined;
  }

  /** Number of sessions (established or handshaking). */
  get sessionCount(): number {
    return this.peers.size;
  }

  /** Sends close_notify to one peer and forgets its session. */
  closeSession(rinfo: Pick<RemoteInfo, 'address' | 'port'>): void {
    const key = peerKey(rinfo.address, rinfo.port);
    const entry = this.peers.get(key);
    if (entry === undefined) return;
    this.peers.delete(key);
    this.pending.delete(entry.association);
    entry.association.close();
  }

  /** Closes every session (close_notify), then the socket. */
  close(callback?: () => void): this {
    if (this.closed) {
      if (callback !== undefined) setImmediate(callback);
      return this;
    }
    this.closed = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    for (const [key, entry] of [...this.peers]) {
      this.peers.delete(key);
      entry.association.close();
    }
    this.pending.clear();
    this.context.dispose();
    this.udp.close(() => {
      this.emit('close');
      callback?.();
    });
    return this;
  }

  ref(): this {
    this.socket.ref();
    return this;
  }

  unref(): this {
    this.socket.unref();
    return this;
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    const key = peerKey(rinfo.address, rinfo.port);
    const entry = this.peers.get(key);
    // A ClientHello from a peer whose session is established: the device restarted. It goes
    // through the cookie exchange like any new peer and replaces the old session if it passes.
    if (entry !== undefined && !(entry.association.established && isClientHello(msg))) {
      entry.association.feed(msg);
      return;
    }
    if (!isClientHello(msg)) return;
    if (entry === undefined && (this.pending.size >= this.settings.maxHandshakes || this.peers.size >= this.settings.maxSessions)) {
      return; // over the bounds: drop, the client retransmits later
    }
    const peer: DtlsPeer = { address: rinfo.address, port: rinfo.port, family: rinfo.family };
    const { out, session, error } = this.context.listen(msg, key);
    for (const d of out) this.udp.send(d, rinfo.port, rinfo.address);
    if (error !== undefined || session === null) return;
    if (entry !== undefined) {
      this.peers.delete(key);
      entry.association.destroy();
      this.emit('sessionClosed', { rinfo: entry.rinfo, reason: 'replaced' } satisfies DtlsSessionClosedEvent);
    }
    const association = new Association(session, this.hooksFor(key, peer), this.settings.handshakeTimeoutMs);
    this.peers.set(key, { association, rinfo: peer });
    this.pending.add(association);
    association.start();
  }

  private hooksFor(key: string, rinfo: DtlsPeer) {
    const forget = (a: Association) => {
      this.pending.delete(a);
      if (this.peers.get(key)?.association === a) this.peers.delete(key);
    };
    return {
      transmit: (d: Buffer, cb?: (error: Error | null) => void) => {
        this.udp.send(d, rinfo.port, rinfo.address, cb);
      },
      onEstablished: (a: Association) => {
        this.pending.delete(a);
        const event: DtlsSessionEvent = { rinfo, identity: a.peerIdentity!, cipher: a.cipher ?? '' };
        this.emit('session', event);
      },
      onData: (plaintext: Buffer) => {
        this.emit('message', plaintext, { ...rinfo, size: plaintext.length } satisfies RemoteInfo);
      },
      onHandshakeError: (error: DtlsError, a: Association) => {
        forget(a);
        this.emit('handshakeError', { rinfo, error } satisfies DtlsHandshakeErrorEvent);
      },
      onClosed: (reason: 'peer' | 'local' | 'idle' | 'error', a: Association, error?: DtlsError) => {
        forget(a);
        this.emit('sessionClosed', { rinfo, reason, error } satisfies DtlsSessionClosedEvent);
      },
      onPskNeeded: (identity: string, a: Association) => this.lookupPsk(identity, rinfo, a),
    };
  }

  private lookupPsk(identity: string, rinfo: DtlsPeer, association: Association): void {
    const lookup = this.options.psk?.lookup;
    if (lookup === undefined) {
      association.resolvePsk(undefined);
      return;
    }
    let settled = false;
    const finish = (key: Buffer | undefined, error?: DtlsError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) this.emit('handshakeError', { rinfo, error } satisfies DtlsHandshakeErrorEvent);
      association.resolvePsk(key);
    };
    const timer = setTimeout(
      () => finish(undefined, new DtlsError('psk-lookup', `PSK lookup for "${identity}" took over ${this.settings.pskLookupTimeoutMs} ms`)),
      this.settings.pskLookupTimeoutMs,
    );
    timer.unref();
    Promise.resolve()
      .then(() => lookup(identity, { ...rinfo, size: 0 }))
      .then(
        (key) => finish(Buffer.isBuffer(key) && key.length > 0 ? key : undefined),
        (cause) => finish(undefined, new DtlsError('psk-lookup', `PSK lookup for "${identity}" failed: ${(cause as Error).message}`, { cause })),
      );
  }


  private sweep(): void {
    const cutoff = Date.now() - this.settings.idleTimeoutMs;
    for (const [key, entry] of [...this.peers]) {
      if (!entry.association.established || entry.association.lastActivity > cutoff) continue;
      entry.association.close('idle'); // close_notify, then 'sessionClosed' with reason 'idle'
    }
  }
}
