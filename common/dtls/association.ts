/**
 * Association: one DTLS session with one peer, shared by DtlsServer and DtlsClient. It owns the
 * native session and its timers: the retransmission timer (DTLSv1_get_timeout →
 * DTLSv1_handle_timeout) and the handshake deadline. It sends every datagram the native layer
 * produces through `transmit` and reports state changes through its hooks; it never touches a
 * socket itself.
 */
import { DtlsError } from './errors';
import type { NativeResult, NativeSession } from './native';
import { peerIdentityOf, type PeerIdentity } from './peer-identity';

export type AssociationState = NativeResult['state'];

export interface AssociationHooks {
  /** Sends one DTLS datagram to the peer. */
  readonly transmit: (datagram: Buffer, callback?: (error: Error | null) => void) => void;
  readonly onEstablished: (association: Association) => void;
  readonly onData: (plaintext: Buffer, association: Association) => void;
  /** The handshake failed or timed out (never after onEstablished). */
  readonly onHandshakeError: (error: DtlsError, association: Association) => void;
  /** An established session ended: the peer's close_notify, a fatal error, or our close(). */
  readonly onClosed: (reason: 'peer' | 'local' | 'idle' | 'error', association: Association, error?: DtlsError) => void;
  /** Server only: OpenSSL paused the handshake for the key of `identity`. */
  readonly onPskNeeded?: (identity: string, association: Association) => void;
}

export class Association {
  private state: AssociationState = 'handshaking';
  private retransmitTimer: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private identity: PeerIdentity | undefined;
  private cipherSuite: string | undefined;
  /** Date.now() of the last datagram in either direction (idle expiry). */
  lastActivity = Date.now();

  constructor(
    private readonly session: NativeSession,
    private readonly hooks: AssociationHooks,
    handshakeTimeoutMs: number,
  ) {
    this.deadline = setTimeout(() => this.fail(new DtlsError('handshake-timeout', `DTLS handshake not finished after ${handshakeTimeoutMs} ms`)), handshakeTimeoutMs);
    this.deadline.unref();
  }

  get current(): AssociationState {
    return this.state;
  }

  get established(): boolean {
    return this.state === 'established';
  }

  get handshaking(): boolean {
    return this.state === 'handshaking' || this.state === 'psk-needed';
  }

  /** The peer's identity once established. */
  get peerIdentity(): PeerIdentity | undefined {
    return this.identity;
  }

  /** IANA name of the negotiated cipher suite once established. */
  get cipher(): string | undefined {
    return this.cipherSuite;
  }

  /** Starts (client) or continues (server, after the cookie exchange) the handshake. */
  start(): void {
    this.apply(this.session.feed(null));
  }

  /** A datagram from the peer. */
  feed(datagram: Buffer): void {
    if (this.ended()) return;
    this.lastActivity = Date.now();
    this.apply(this.session.feed(datagram));
  }

  /** The asynchronous PSK lookup finished (undefined: unknown identity, refused by OpenSSL). */
  resolvePsk(key: Buffer | undefined): void {
    if (this.state !== 'psk-needed') return;
    this.apply(this.session.resolvePsk(key ?? null));
  }

  /** Encrypts and sends one plaintext datagram. Throws DtlsError when not established. */
  write(plaintext: Buffer, callback?: (error: Error | null) => void): void {
    if (this.state !== 'established') throw new DtlsError('no-session', 'the DTLS session is not established');
    let result: NativeResult;
    try {
      result = this.session.write(plaintext);
    } catch (cause) {
      throw new DtlsError('write', (cause as Error).message, { cause });
    }
    this.lastActivity = Date.now();
    const [first, ...more] = result.out;
    for (const d of more) this.hooks.transmit(d);
    if (first !== undefined) this.hooks.transmit(first, callback);
    else callback?.(null);
  }

  /** Sends close_notify (when established) and frees the session. */
  close(reason: 'local' | 'idle' = 'local'): void {
    if (this.ended()) return;
    const wasEstablished = this.state === 'established';
    const result = this.session.close();
    for (const d of result.out) this.hooks.transmit(d);
    this.teardown('closed');
    if (wasEstablished) this.hooks.onClosed(reason, this);
  }

  /** Frees the session silently (no close_notify). */
  destroy(): void {
    if (this.ended()) return;
    this.teardown('closed');
  }

  private ended(): boolean {
    return this.state === 'closed' || this.state === 'failed';
  }

  private apply(result: NativeResult): void {
    if (this.ended()) return;
    const before = this.state;
    for (const d of result.out) this.hooks.transmit(d);
    this.state = result.state;
    this.rearm(result.timeoutMs);
    if (result.state === 'established' && before !== 'established') {
      this.clearDeadline();
      this.cipherSuite = this.session.cipher();
      try {
        this.identity = peerIdentityOf(this.session.pskIdentity(), this.session.peerChain());
      } catch (cause) {
        this.fail(new DtlsError('handshake', `peer certificate unreadable: ${(cause as Error).message}`, { cause }));
        return;
      }
      this.hooks.onEstablished(this);
    }
    for (const d of result.data) {
      if (this.ended()) break;
      this.hooks.onData(d, this);
    }
    if (result.state === 'psk-needed' && before !== 'psk-needed') {
      this.hooks.onPskNeeded?.(result.pskIdentity ?? '', this);
    } else if (result.state === 'failed') {
      const error = new DtlsError(before === 'established' ? 'closed' : 'handshake', result.error ?? 'DTLS failure');
      this.failWith(before, error);
    } else if (result.state === 'closed') {
      this.teardown('closed');
      if (before === 'established') this.hooks.onClosed('peer', this);
    }
  }

  private fail(error: DtlsError): void {
    if (this.ended()) return;
    const before = this.state;
    this.failWith(before, error);
  }

  private failWith(before: AssociationState, error: DtlsError): void {
    this.teardown('failed');
    if (before === 'established') this.hooks.onClosed('error', this, error);
    else this.hooks.onHandshakeError(error, this);
  }

  private teardown(state: 'closed' | 'failed'): void {
    this.state = state;
    this.clearDeadline();
    if (this.retransmitTimer !== undefined) clearTimeout(this.retransmitTimer);
    this.retransmitTimer = undefined;
    this.session.destroy();
  }

  private clearDeadline(): void {
    if (this.deadline !== undefined) clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  private rearm(timeoutMs: number): void {
    if (this.retransmitTimer !== undefined) clearTimeout(this.retransmitTimer);
    this.retransmitTimer = undefined;
    if (timeoutMs < 0 || this.ended()) return;
    this.retransmitTimer = setTimeout(() => {
      this.retransmitTimer = undefined;
      if (!this.ended()) this.apply(this.session.handleTimeout());
    }, timeoutMs);
    this.retransmitTimer.unref();
  }
}
