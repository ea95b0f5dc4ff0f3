/**
 * Loads the DTLS addon (build/Release/handover_dtls.node, built by scripts/build-addon.js from
 * common/dtls/native/*.cc) and types its surface. Internal to common/dtls: use DtlsServer and
 * DtlsClient. The addon drives the OpenSSL 3 inside Node with in-memory datagram BIOs; it never
 * touches a socket.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DtlsError } from './errors';

/** What each native call returns: the JS side sends `out`, delivers `data`, re-arms its timer. */
export interface NativeResult {
  readonly state: 'handshaking' | 'psk-needed' | 'established' | 'closed' | 'failed';
  readonly out: Buffer[];
  readonly data: Buffer[];
  /** Milliseconds until DTLSv1_handle_timeout is due; -1 when no retransmission timer runs. */
  readonly timeoutMs: number;
  readonly error?: string;
  readonly pskIdentity?: string;
}

export interface NativeSession {
  feed(datagram: Buffer | null): NativeResult;
  handleTimeout(): NativeResult;
  resolvePsk(key: Buffer | null): NativeResult;
  write(plaintext: Buffer): NativeResult;
  close(): NativeResult;
  destroy(): void;
  peerChain(): Buffer[];
  cipher(): string | undefined;
  pskIdentity(): string | undefined;
}

export interface NativeContextOptions {
  readonly role: 'server' | 'client';
  readonly ciphers: string;
  readonly mtu: number;
  readonly psk: boolean;
  readonly pskIdentityHint?: string;
  readonly certChainPem?: string;
  readonly keyPem?: string;
  readonly caPem?: string;
  readonly verifyPeer?: boolean;
  readonly cookieSecret?: Buffer;
}

export interface NativeContext {
  listen(datagram: Buffer, peer: string): { out: Buffer[]; session: NativeSession | null; error?: string };
  connect(peer: string, options: { identity?: Buffer; key?: Buffer; verifyName?: string }): NativeSession;
  dispose(): void;
}

interface Addon {
  readonly DtlsContext: new (options: NativeContextOptions) => NativeContext;
  readonly openssl: string;
  readonly asyncCapable: boolean;
}

const ADDON_FILE = path.join('build', 'Release', 'handover_dtls.node');
let loaded: Addon | undefined;

/** The addon, loaded once. Throws DtlsError('addon-missing') with the fix when it is not built. */
export function loadAddon(): Addon {
  if (loaded !== undefined) return loaded;
  // Works from the sources (common/dtls) and from the compiled tree (dist/common/dtls).
  const candidates = [process.env.HANDOVER_DTLS_ADDON ?? ''];
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) candidates.push(path.join(dir, ADDON_FILE));
  const file = candidates.find((c) => c !== '' && fs.existsSync(c));
  if (file === undefined) {
    throw new DtlsError(
      'addon-missing',
      `the DTLS addon is not built (${ADDON_FILE} not found): run "node scripts/build-addon.js" ` +
        '(needs g++, make and python3: apt-get install -y g++ make python3)',
    );
  }
  let addon: Addon;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require(file) as Addon;
  } catch (cause) {
    throw new DtlsError('addon-missing', `cannot load the DTLS addon ${file}: ${(cause as Error).message}`, { cause });
  }
  if (!addon.asyncCapable) {
    throw new DtlsError('addon-missing', 'this platform lacks OpenSSL ASYNC support, needed for asynchronous PSK lookup');
  }
  loaded = addon;
  return addon;
}

/** A native context; OpenSSL's complaint about the options becomes DtlsError('bad-options'). */
export function createNativeContext(options: NativeContextOptions): NativeContext {
  const addon = loadAddon();
  try {
    return new addon.DtlsContext(options);
  } catch (cause) {
    throw new DtlsError('bad-options', `DTLS ${options.role} configuration refused: ${(cause as Error).message}`, { cause });
  }
}
