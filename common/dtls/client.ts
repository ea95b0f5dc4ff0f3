/**
 * DtlsClient: a DTLS 1.2 client bound to one server, with the dgram-like face the coap Agent
 * expects (`new coap.Agent({ socket: client })`): 'message'(plaintext, rinfo), send(...),
 * address(), close(), type.
 *
 *   const client = new DtlsClient({ host: '127.0.0.1', port: 5684, psk: { identity, key } });
 *   await client.connect();                       // optional: the first send() connects too
 *   const agent = new coap.Agent({ socket: client });
 *
 * Plaintext sent before the handshake completes is queued and flushed once it does. A failed
 * handshake fails the queued and later sends (callback error DtlsError) until connect() is
 * called again; a session ended by the server (close_notify) reconnects on the next send.
 * Sends to any other port/address than the server's are refused.
 *
 * Events: 'message'(plaintext, rinfo); 'session'({ identity, cipher }); 'handshakeError'(DtlsError);
 * 'sessionClosed'({ reason, error? }); 'error'(Error: UDP socket only); 'close'.
 */
import { clientTraffic } from './traffic';
import type { RemoteInfo } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { Association } from './association';
import { DtlsError } from './errors';
import { clientContexts } from './client-contexts';
import type { NativeContext } from './native';
import { resolveClientOptions, type DtlsClientOptions } from './options';
import type { PeerIdentity } from './peer-identity';
import { peerKey } from './records';
import { UdpEndpoint } from './udp-endpoint';
import { parseSendArgs, type SendCallback } from './send-args';

interface Queued {
  readonly data: Buffer;
  readonly callback: SendCallback | undefined;
}

export class DtlsClient extends EventEmitter {
  readonly type: 'udp4' | 'udp6';
  private readonly settings: ReturnType<typeof resolveClientOptions>;
  private readonly context: NativeContext;
  private readonly udp: UdpEndpoint;
  private readonly socket: UdpEndpoint['socket'];
  private bound: Promise<void> | undefined;
  private server: RemoteInfo | undefined;
  private association: Association | undefined;
  private connecting: Promise<void> | undefined;
  private failure: DtlsError | undefined;
  private queue: Queued[] = [];
  private closed = false;

  constructor(private readonly options: DtlsClientOptions) {
    super();
    this.settings = resolveClientOptions(options);
    this.type = this.settings.type;
    this.context = clientContexts.get(this.settings.native);
    this.udp = new UdpEndpoint(this.type);
    this.socket = this.udp.socket;
    this.socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    this.socket.on('error', (err) => this.emit('error', err));
  }

  /** dgram-style bind of the local socket (optional: connect() binds an ephemeral port). */
  bind(port?: number, address?: string, callback?: () => void): this {
    this.ensureBound(port, address).then(() => callback?.(), (err: Error) => this.emit('error', err));
    return this;
  }

  /** Runs the handshake (again, after a failure). Resolves when established. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new DtlsError('closed', 'the DTLS client is closed'));
    if (this.association?.established === true) return Promise.resolve();
    this.failure = undefined;
    this.connecting ??= this.handshake()
      .catch((cause: unknown) => {
        const error = cause instanceof DtlsError ? cause : new DtlsError('handshake', `cannot reach ${this.options.host}:${this.options.port}: ${(cause as Error).message}`, { cause });
        this.failure ??= error;
        this.flush(error);
        throw error;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /** True once the handshake has completed and until the session ends. */
  get established(): boolean {
    return this.association?.established === true;
  }

  /** The server's identity (its certificate chain in certificate mode). */
  peerIdentity(): PeerIdentity | undefined {
    return this.association?.established === true ? this.association.peerIdentity : undefined;
  }

  /** Same as peerIdentity(), with the DtlsServer signature. */
  identityOf(rinfo?: Pick<RemoteInfo, 'address' | 'port'>): PeerIdentity | undefined {
    if (rinfo !== undefined && this.server !== undefined && (rinfo.port !== this.server.port || rinfo.address !== this.server.address)) return undefined;
    return this.peerIdentity();
  }

  address(): AddressInfo {
    return this.socket.address();
  }

  /** send(msg, port, address, cb?) or send(msg, offset, length, port, address, cb?). */
  send(...args: unknown[]): void {
    const { data, port, address, callback } = parseSendArgs(args);
    const fail = (error: Error) => {
      if (callback !== undefined) setImmediate(() => callback(error, 0));
    };
    if (this.closed) return fail(new DtlsError('closed', 'the DTLS client is closed'));
    if ((port !== undefined && port !== this.options.port) ||
        (address !== undefined && address !== this.options.host && address !== this.server?.address)) {
      return fail(new DtlsError('no-session', `this DTLS client talks only to ${this.options.host}:${this.options.port}, not ${address}:${port}`));
    }
    if (this.failure !== undefined) return fail(this.failure);
    if (this.association?.established === true) {
      try {
        this.association.write(data, (err) => callback?.(err, err === null ? data.length : 0));
      } catch (error) {
        fail(error as Error);
      }
      return;
    }
    this.queue.push({ data, callback });
    this.connect().catch(() => undefined); // the queue is failed by flush()
  }

  /** Sends close_notify and closes the socket. */
  close(callback?: () => void): this {
    if (this.closed) {
      if (callback !== undefined) setImmediate(callback);
      return this;
    }
    this.closed = true;
    this.association?.close();
    this.flush(new DtlsError('closed', 'the DTLS client was closed'));
    // The context is shared (client-contexts.ts) and a client context has nothing to dispose.
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

  private ensureBound(port = this.options.localPort, address = this.options.localAddress): Promise<void> {
    this.bound ??= new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(port ?? 0, address, () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
    return this.bound;
  }

  private async handshake(): Promise<void> {
    await this.ensureBound();
    if (this.server === undefined) {
      const family = this.type === 'udp6' ? 6 : 4;
      const { address } = await lookup(this.options.host, { family });
      this.server = { address, port: this.options.port, family: family === 6 ? 'IPv6' : 'IPv4', size: 0 };
    }
    if (this.closed) throw new DtlsError('closed', 'the DTLS client is closed');
    const server = this.server;
    const session = this.context.connect(peerKey(server.address, server.port), {
      identity: this.options.psk !== undefined ? Buffer.from(this.options.psk.identity, 'utf8') : undefined,
      key: this.options.psk?.key,
      verifyName: this.options.certificate?.verifyName,
    });
    this.association?.destroy();
    await new Promise<void>((resolve, reject) => {
      const association = new Association(session, {
        transmit: (d, cb) => {
          clientTraffic.sent(server.port, this.association?.established === true, d.length);
          this.udp.send(d, server.port, server.address, cb);
        },
        onEstablished: (a) => {
          clientTraffic.handshakeCompleted(server.port);
          this.emit('session', { identity: a.peerIdentity, cipher: a.cipher ?? '' });
          resolve();
          this.flush();
        },
        onData: (plaintext) => this.emit('message', plaintext, { ...server, size: plaintext.length }),
        onHandshakeError: (error) => {
          this.failure = error;
          this.emit('handshakeError', error);
          this.flush(error);
          reject(error);
        },
        onClosed: (reason, _a, error) => this.emit('sessionClosed', { reason, error }),
      }, this.settings.handshakeTimeoutMs);
      this.association = association;
      association.start();
    });
  }

  /** Sends the queued plaintext over the new session, or fails it with `error`. */
  private flush(error?: DtlsError): void {
    const queued = this.queue;
    this.queue = [];
    for (const { data, callback } of queued) {
      if (error !== undefined || this.association?.established !== true) {
        const e = error ?? new DtlsError('no-session', 'the DTLS session ended before the message could be sent');
        if (callback !== undefined) setImmediate(() => callback(e, 0));
        continue;
      }
      try {
        this.association.write(data, (err) => callback?.(err, err === null ? data.length : 0));
      } catch (e) {
        if (callback !== undefined) setImmediate(() => callback(e as Error, 0));
      }
    }
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.server === undefined || rinfo.port !== this.server.port || rinfo.address !== this.server.address) return;
    clientTraffic.received(rinfo.port, this.association?.established === true, msg.length);
    this.association?.feed(msg);
  }
}
