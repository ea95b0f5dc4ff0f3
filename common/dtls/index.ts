/**
 * DTLS 1.2 for Handover (common/dtls). Both the LwM2M server and the device side need it, so it
 * lives beside them in common/. A native addon (common/dtls/native, built by
 * scripts/build-addon.js into build/Release/handover_dtls.node) drives the OpenSSL 3 that Node
 * itself carries; no handshake or record crypto is written here.
 *
 * - Sockets stay in JavaScript: the addon works on in-memory datagram BIOs; DtlsServer keeps one
 *   session per peer address:port and hands plaintext to node-coap through a dgram-like face.
 * - Cookie exchange: DTLSv1_listen with HMAC-SHA256 cookies bound to the peer address:port
 *   (random per-server secret, 60 s windows); a ClientHello without a valid cookie creates no
 *   state. Fragmented ClientHellos are not accepted (an OpenSSL DTLSv1_listen limit).
 * - PSK lookup is asynchronous: while processing the ClientKeyExchange, OpenSSL's PSK callback
 *   pauses the handshake in an OpenSSL ASYNC job (SSL_MODE_ASYNC, set only for PSK key exchange)
 *   and reports the identity; DtlsServer awaits `psk.lookup(identity, rinfo)` (e.g. Redis) and
 *   resumes the handshake with the key, or with none (OpenSSL sends unknown_psk_identity).
 * - A wrong PSK key shows as a handshake that never finishes (DTLS silently drops records that
 *   fail authentication), bounded by `handshakeTimeoutMs`.
 * - Certificate mode: ECDHE-ECDSA, the server always requests and verifies a client certificate
 *   against `caPem`; the client verifies the server chain, and its name when `verifyName` is set.
 * - Retransmission: OpenSSL's timer (1 s, doubling), driven by JS timers.
 */
export { DtlsServer } from './server';
export type { DtlsPeer, DtlsSessionEvent, DtlsHandshakeErrorEvent, DtlsSessionClosedEvent } from './server';
export { DtlsClient } from './client';
export { DtlsError } from './errors';
export type { DtlsFailure } from './errors';
export { DTLS_DEFAULTS } from './options';
export type { DtlsCipherSuite, DtlsServerOptions, DtlsServerPsk, DtlsClientOptions, DtlsCertificateOptions } from './options';
export type { PeerIdentity } from './peer-identity';
export { clientTraffic, DtlsTrafficMeter } from './traffic';
export type { DtlsTraffic } from './traffic';
