/**
 * A CA saved in a directory (0700): ca.pem (this CA's certificate), chain.pem (this CA up to
 * its root), key.pem (PKCS#8, mode 0600) or pkcs11.json (where the key lives in a token; never
 * the PIN), and its records (issued serials, revocations, CRL number) as state.json, a
 * snapshot, plus state.journal, the changes since (ca-journal.ts), both 0600. Serials are
 * random, so there is no serial counter to keep.
 *
 * Each change is one line appended to the journal and fdatasync'ed before the operation
 * returns; once the journal holds as many records as the snapshot (and at least
 * COMPACT_MIN_RECORDS), the state is written as a new snapshot (temporary file, fsync, rename,
 * directory fsync) and the journal emptied. A directory from before the journal (state.json
 * alone) loads as is and gains an empty journal. One process at a time may issue from a
 * directory (a lock is not taken; run one CA process per directory).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { encodeJournalRecord, type JournalRecord, replayJournal } from './ca-journal';
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

export const FILES = {
  ca: 'ca.pem', chain: 'chain.pem', key: 'key.pem', pkcs11: 'pkcs11.json', state: 'state.json', journal: 'state.journal',
} as const;

/** The journal is compacted into state.json no sooner than this many records. */
export const COMPACT_MIN_RECORDS = 1024;

/** Something worth an operator's attention that did not stop the load (a torn journal line). */
export type CaWarning = (message: string) => void;

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Write `file` through a temporary file (fsync'ed, renamed over, directory fsync'ed). */
async function writeAtomic(file: string, data: string, mode = 0o644): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await fs.open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await fsyncDir(path.dirname(file));
}

const defaultWarn: CaWarning = (m) => process.emitWarning(m, 'CaJournalWarning');

function isState(v: unknown): v is CaState {
  const s = v as CaState;
  return typeof s === 'object' && s !== null && s.version === 1 && Number.isInteger(s.crlNumber)
    && typeof s.issued === 'object' && s.issued !== null && typeof s.revoked === 'object' && s.revoked !== null;
}

export class CaDirectory {
  /** Records in the journal since the last snapshot. */
  private journalRecords = 0;
  /** An append failed, perhaps half-written: the next change is saved as a snapshot instead. */
  private journalSuspect = false;

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

  /** Write `state` as the snapshot and empty the journal (a new CA, or a compaction). */
  async saveState(state: CaState): Promise<void> {
    try {
      await writeAtomic(this.file('state'), JSON.stringify(state, null, 1) + '\n', 0o600);
      // Emptied after the snapshot is durable: a crash in between replays records the snapshot holds.
      const fh = await fs.open(this.file('journal'), 'a', 0o600);
      try {
        await fh.truncate(0);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsyncDir(this.dir);
    } catch (e) {
      throw new PkiError(`cannot save the state of the CA in ${this.dir}: ${(e as Error).message}`, { cause: e });
    }
    this.journalRecords = 0;
    this.journalSuspect = false;
  }

  /**
   * Record one change: appended to the journal and on disk when this resolves; `state` (already
   * holding the change) becomes the new snapshot when the journal has grown as large as it.
   */
  async record(change: JournalRecord, state: CaState): Promise<void> {
    if (this.journalSuspect) return this.saveState(state);
    try {
      const fh = await fs.open(this.file('journal'), 'a', 0o600);
      try {
        await fh.write(encodeJournalRecord(change));
        await fh.datasync();
      } finally {
        await fh.close();
      }
    } catch (e) {
      this.journalSuspect = true;
      throw new PkiError(`cannot record a change in ${this.file('journal')}: ${(e as Error).message}`, { cause: e });
    }
    this.journalRecords++;
    if (this.journalRecords < COMPACT_MIN_RECORDS) return;
    const size = Object.keys(state.issued).length + Object.keys(state.revoked).length;
    if (this.journalRecords >= size) await this.saveState(state);
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

  /**
   * The snapshot with the journal replayed over it. A torn last journal line (a crash during
   * its write) is reported to `warn` and cut off, the journal of a directory from before it is
   * created: either way the state is saved anew so that the next record appends cleanly.
   */
  async readState(warn: CaWarning = defaultWarn, opts: { repair?: boolean } = {}): Promise<CaState> {
    const repair = opts.repair ?? true;
    let v: unknown;
    try {
      v = JSON.parse(await this.read('state'));
    } catch (e) {
      if (e instanceof PkiError) throw e;
      throw new PkiError(`${this.file('state')} is not JSON`, { cause: e });
    }
    if (!isState(v)) throw new PkiError(`${this.file('state')} is not a CA state file`);
    const journal = await fs.readFile(this.file('journal'), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new PkiError(`cannot read ${this.file('journal')}: ${e.message}`, { cause: e });
    });
    if (journal === undefined) {
      if (repair) await this.saveState(v);
      return v;
    }
    const replay = replayJournal(v, journal, this.file('journal'));
    this.journalRecords = replay.records;
    if (replay.tornTail !== undefined) {
      warn(`${this.file('journal')}: ignored a torn last record (${replay.tornTail} bytes) left by an interrupted write`);
      if (repair) await this.saveState(v);
    }
    return v;
  }
}

/**
 * The records of the CA saved in `dir` (snapshot + journal), read without changing a file: for
 * inspection while the CA runs elsewhere. PkiError when they cannot be read.
 */
export function readCaRecords(dir: string, warn: CaWarning = defaultWarn): Promise<Readonly<CaState>> {
  return new CaDirectory(dir).readState(warn, { repair: false });
}
