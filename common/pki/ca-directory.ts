/**
 * A CA saved in a directory: ca.pem (this CA's certificate), chain.pem (this CA up to its
 * root), key.pem (PKCS#8, mode 0600) or pkcs11.json (where the key lives in a token; never the
 * PIN), and state.json (issued serials, revocations, CRL number). Serials are random, so there
 * is no serial counter to keep. Files are replaced atomically (write + rename). One process at
 * a time may issue from a directory: concurrent writers would lose each other's state.json
 * updates (a lock is not taken; run one CA process per directory).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PkiError } from './errors';
import { certificatePem, pemToDer } from './pem';
import type { Pkcs11KeyRef } from './pkcs11-signer';
import type { CertificateProfile } from './profiles';

/** Why a certificate was revoked (RFC 5280 §5.3.1 CRLReason names). */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation';

export interface IssuedRecord {
  subject: string;
  profile: CertificateProfile;
  issuedAt: string;
  notAfter: string;
}

export interface RevokedRecord {
  date: string;
  reason: RevocationReason;
}

export interface CaState {
  version: 1;
  /** Number of the last CRL published (0: none yet). */
  crlNumber: number;
  issued: Record<string, IssuedRecord>;
  revoked: Record<string, RevokedRecord>;
}

export function emptyState(): CaState {
  return { version: 1, crlNumber: 0, issued: {}, revoked: {} };
}

export const FILES = { ca: 'ca.pem', chain: 'chain.pem', key: 'key.pem', pkcs11: 'pkcs11.json', state: 'state.json' } as const;

async function writeAtomic(file: string, data: string, mode = 0o644): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  await fs.writeFile(tmp, data, { mode, flag: 'wx' });
  await fs.rename(tmp, file);
}

function isState(v: unknown): v is CaState {
  const s = v as CaState;
  return typeof s === 'object' && s !== null && s.version === 1 && Number.isInteger(s.crlNumber)
    && typeof s.issued === 'object' && s.issued !== null && typeof s.revoked === 'object' && s.revoked !== null;
}

export class CaDirectory {
  constructor(readonly dir: string) {}

  file(name: keyof typeof FILES): string {
    return path.join(this.dir, FILES[name]);
  }

  /** Create the directory (0700) for a new CA; a directory that already holds a CA is refused. */
  async prepare(): Promise<void> {
    try {
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new PkiError(`cannot create CA directory ${this.dir}: ${(e as Error).message}`, { cause: e });
    }
    const present = await fs.stat(this.file('ca')).then(() => true, () => false);
    if (present) throw new PkiError(`${this.dir} already holds a CA`);
  }

  async writeCertificates(certificate: Uint8Array, chain: Uint8Array[]): Promise<void> {
    await writeAtomic(this.file('ca'), certificatePem(certificate));
    await writeAtomic(this.file('chain'), chain.map(certificatePem).join(''));
  }

  async writePkcs11Ref(ref: Omit<Pkcs11KeyRef, 'pin'>): Promise<void> {
    await writeAtomic(this.file('pkcs11'), JSON.stringify(ref, null, 2) + '\n', 0o600);
  }

  async saveState(state: CaState): Promise<void> {
    await writeAtomic(this.file('state'), JSON.stringify(state, null, 1) + '\n', 0o600);
  }

  private async read(name: keyof typeof FILES): Promise<string> {
    try {
      return await fs.readFile(this.file(name), 'utf8');
    } catch (e) {
      throw new PkiError(`cannot read ${this.file(name)}: ${(e as Error).message}`, { cause: e });
    }
  }

  async readCertificates(): Promise<{ certificate: Uint8Array; chain: Uint8Array[] }> {
    const [certificate] = pemToDer(await this.read('ca'), 'CERTIFICATE');
    const chain = pemToDer(await this.read('chain'), 'CERTIFICATE');
    if (!certificate || chain.length === 0 || !chain[0].equals(certificate)) {
      throw new PkiError(`${this.dir}: ca.pem and chain.pem do not agree`);
    }
    return { certificate: new Uint8Array(certificate), chain: chain.map((c) => new Uint8Array(c)) };
  }

  /** The PKCS#11 key reference, or undefined when the CA key is in key.pem. */
  async readPkcs11Ref(): Promise<Omit<Pkcs11KeyRef, 'pin'> | undefined> {
    const text = await fs.readFile(this.file('pkcs11'), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new PkiError(`cannot read ${this.file('pkcs11')}: ${e.message}`, { cause: e });
    });
    if (text === undefined) return undefined;
    try {
      const ref = JSON.parse(text) as Omit<Pkcs11KeyRef, 'pin'>;
      if (ref.kind !== 'pkcs11' || typeof ref.module !== 'string' || typeof ref.keyLabel !== 'string') throw new Error('bad shape');
      return ref;
    } catch (e) {
      throw new PkiError(`${this.file('pkcs11')} is not a PKCS#11 key reference`, { cause: e });
    }
  }

  async readState(): Promise<CaState> {
    let v: unknown;
    try {
      v = JSON.parse(await this.read('state'));
    } catch (e) {
      if (e instanceof PkiError) throw e;
      throw new PkiError(`${this.file('state')} is not JSON`, { cause: e });
    }
    if (!isState(v)) throw new PkiError(`${this.file('state')} is not a CA state file`);
    return v;
  }
}
