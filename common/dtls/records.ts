/**
 * Just enough of the DTLS 1.2 record layer (RFC 6347 §4.1, §4.2.2) to route a datagram before
 * OpenSSL sees it: is this a plaintext (epoch 0) ClientHello, i.e. a peer starting a handshake?
 * Pure; the cryptographic work stays in OpenSSL.
 */

const CONTENT_TYPE_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;
const RECORD_HEADER_LENGTH = 13;

/** True when the first record of `datagram` is an epoch-0 handshake record holding a ClientHello. */
export function isClientHello(datagram: Uint8Array): boolean {
  if (datagram.length < RECORD_HEADER_LENGTH + 1) return false;
  const epoch = (datagram[3] << 8) | datagram[4];
  return datagram[0] === CONTENT_TYPE_HANDSHAKE && datagram[1] === 0xfe && epoch === 0 && datagram[RECORD_HEADER_LENGTH] === HANDSHAKE_CLIENT_HELLO;
}

/** The session key of a peer: "address:port", IPv6 in brackets. */
export function peerKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
