/**
 * The transport seam of the server. Besides its own plain UDP socket, the server accepts "secure
 * endpoints": a dgram-like socket that carries plaintext CoAP (a DTLS server from common/dtls
 * fits: it decrypts before emitting 'message' and encrypts in send) plus a function naming the
 * authenticated peer. A registration that arrives over one is `secure: true` with its identity.
 *
 * The socket belongs to the caller: the server listens on it and sends through it, but never
 * binds or closes it.
 */
import type { EventEmitter } from 'node:events';

/** Address info of a datagram's sender, as dgram reports it. */
export interface PeerAddress {
  readonly address: string;
  readonly port: number;
  readonly family?: string;
}

/** A dgram-like socket: emits 'message'(buf, rinfo) and 'error'(err). */
export interface DatagramSocketLike extends EventEmitter {
  send(msg: Uint8Array, port: number, address: string, callback?: (err: Error | null, bytes?: number) => void): void;
  address(): { address: string; port: number; family?: string };
  close(callback?: () => void): unknown;
}

/**
 * Who the peer authenticated as. `x509.subject` is in Node's X509Certificate.subject form (one
 * "KEY=value" per line), `san` entries as Node prints them ("DNS:x", "URI:y"), `chain` the DER
 * certificates the peer presented, leaf first (common/dtls reports it; it fills
 * Registration.certificate).
 */
export type PeerIdentity =
  | { readonly kind: 'psk'; readonly identity: string }
  | { readonly kind: 'x509'; readonly subject: string; readonly san?: readonly string[]; readonly chain?: readonly Uint8Array[] };

export interface SecureEndpoint {
  readonly socket: DatagramSocketLike;
  /** The authenticated identity of the peer at this address, undefined when there is no session. */
  identityOf(rinfo: PeerAddress): PeerIdentity | undefined;
  /** Name used in logs and stored with registrations (default "coaps", "coaps-1"…). */
  readonly name?: string;
}

/** The identity as stored in Registration.identity: the PSK identity, or the certificate subject. */
export function identityText(id: PeerIdentity): string {
  return id.kind === 'psk' ? id.identity : id.subject;
}
