/**
 * The CA's journal: one JSON line per change to its records (a certificate issued, one revoked,
 * a CRL number taken), appended to state.journal and replayed over the state.json snapshot on
 * load. Appending one line costs the same at the 10th certificate and at the 100,000th, where
 * rewriting state.json cost a JSON of every certificate issued. Pure: encoding, decoding and
 * replay; the file I/O is in ca-directory.ts.
 *
 * Replay is idempotent (a record already in the snapshot changes nothing: issued records are
 * keyed by serial, a revocation keeps its first date, the CRL number only grows), so a crash
 * between writing a compacted snapshot and emptying the journal loses and doubles nothing.
 */
import { PkiError } from './errors';
import type { CaState, IssuedRecord, RevokedRecord, RevocationReason } from './ca-directory';
import type { CertificateProfile } from './profiles';

/** One change to a CA's records. */
export type JournalRecord =
  | { readonly op: 'issue'; readonly serial: string; readonly record: IssuedRecord }
  | { readonly op: 'revoke'; readonly serial: string; readonly record: RevokedRecord }
  | { readonly op: 'crl'; readonly number: number };

/** What replaying a journal found. */
export interface JournalReplay {
  /** Complete records applied. */
  readonly records: number;
  /** A last line cut short (a write interrupted by a crash): ignored, byte length given. */
  readonly tornTail?: number;
}

const PROFILES: ReadonlySet<string> = new Set<CertificateProfile>(['root', 'subordinate', 'factory', 'operational', 'server']);
const REASONS: ReadonlySet<string> = new Set<RevocationReason>(['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation']);

/** The journal line (JSON + "\n") of a record. */
export function encodeJournalRecord(r: JournalRecord): string {
  switch (r.op) {
    case 'issue':
      return JSON.stringify({ op: 'issue', serial: r.serial, ...r.record }) + '\n';
    case 'revoke':
      return JSON.stringify({ op: 'revoke', serial: r.serial, ...r.record }) + '\n';
    case 'crl':
      return JSON.stringify({ op: 'crl', number: r.number }) + '\n';
  }
}

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** A journal line back to its record; undefined when it is not one. */
export function decodeJournalRecord(line: string): JournalRecord | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  switch (v.op) {
    case 'issue':
      if (!str(v.serial) || !str(v.subject) || !str(v.profile) || !PROFILES.has(v.profile) || !str(v.issuedAt) || !str(v.notAfter)) return undefined;
      return { op: 'issue', serial: v.serial, record: { subject: v.subject, profile: v.profile as CertificateProfile, issuedAt: v.issuedAt, notAfter: v.notAfter } };
    case 'revoke':
      if (!str(v.serial) || !str(v.date) || !str(v.reason) || !REASONS.has(v.reason)) return undefined;
      return { op: 'revoke', serial: v.serial, record: { date: v.date, reason: v.reason as RevocationReason } };
    case 'crl':
      if (!Number.isSafeInteger(v.number) || (v.number as number) < 0) return undefined;
      return { op: 'crl', number: v.number as number };
    default:
      return undefined;
  }
}

/** Apply one record to `state` (idempotent). */
export function applyJournalRecord(state: CaState, r: JournalRecord): void {
  switch (r.op) {
    case 'issue':
      state.issued[r.serial] = r.record;
      return;
    case 'revoke':
      if (!Object.hasOwn(state.revoked, r.serial)) state.revoked[r.serial] = r.record;
      return;
    case 'crl':
      state.crlNumber = Math.max(state.crlNumber, r.number);
      return;
  }
}

/**
 * Replay the journal `text` over `state`. A last line that is cut short or unreadable is a
 * write a crash interrupted, never acknowledged: it is reported in `tornTail` and skipped. An
 * unreadable line before the last is damage: PkiError naming `file` and the line.
 */
export function replayJournal(state: CaState, text: string, file: string): JournalReplay {
  const lines = text.split('\n');
  // After the final "\n" split() leaves "": a complete journal; anything else there was torn.
  const last = lines.pop() ?? '';
  let records = 0;
  let tornTail: number | undefined = last === '' ? undefined : Buffer.byteLength(last);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const r = decodeJournalRecord(lines[i]);
    if (!r) {
      if (i === lines.length - 1 && tornTail === undefined) { tornTail = Buffer.byteLength(lines[i]) + 1; break; }
      throw new PkiError(`${file}: line ${i + 1} is not a CA journal record`);
    }
    applyJournalRecord(state, r);
    records++;
  }
  return tornTail === undefined ? { records } : { records, tornTail };
}
