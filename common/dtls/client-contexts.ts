/**
 * ClientContexts: native client contexts (an OpenSSL SSL_CTX holding the client's certificate
 * chain, key and trusted CAs) shared by every DtlsClient with the same settings, in a bounded
 * least-recently-used cache. Building one parses the PEM credentials and costs about as much as
 * a quarter of a certificate handshake; a device opens several sessions with the same
 * credentials (re-handshakes, bootstrap server then DM server), and a fleet many devices.
 *
 * Sharing is safe: a client context holds no per-connection state (the PSK identity and key and
 * the expected server name are set per connection), each session holds its own reference to the
 * SSL_CTX, and a client context has nothing to dispose (OpenSSL frees it when the last session
 * and the last reference to it are gone), so an entry dropped from the cache stays usable.
 */
import { createHash } from 'node:crypto';
import { BoundedCache } from '../bounded-cache';
import { createNativeContext, type NativeContext, type NativeContextOptions } from './native';

/** Client contexts kept by default. */
export const CLIENT_CONTEXTS_MAX = 128;

export class ClientContexts {
  private readonly entries: BoundedCache<NativeContext>;

  constructor(readonly max = CLIENT_CONTEXTS_MAX) {
    this.entries = new BoundedCache(max);
  }

  /** The context for `options` (a client role's), built on first use; DtlsError('bad-options') as createNativeContext. */
  get(options: NativeContextOptions): NativeContext {
    return this.entries.get(contextKey(options), () => createNativeContext(options));
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

function contextKey(o: NativeContextOptions): string {
  const h = createHash('sha256');
  for (const v of [o.role, o.ciphers, String(o.mtu), String(o.psk), o.pskIdentityHint, o.certChainPem, o.keyPem, o.caPem, String(o.verifyPeer)]) {
    h.update(v ?? '\u0001').update('\0');
  }
  return h.digest('base64');
}

/** The process's client contexts, used by DtlsClient. */
export const clientContexts = new ClientContexts();
