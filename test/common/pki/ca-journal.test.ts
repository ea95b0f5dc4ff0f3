/** The CA's journal: one fsynced line per change, replayed on load, torn tails ignored with a warning, compaction, old directories migrated. */
import { appendFileSync, mkdirSync, readFileSync, rmSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CertificateAuthority, PkiError, describeCertificate, generateKeyPair, readCaRecords } from '../../../common/pki/index';
import { COMPACT_MIN_RECORDS } from '../../../common/pki/ca-directory';
import { applyJournalRecord, decodeJournalRecord, encodeJournalRecord, replayJournal } from '../../../common/pki/ca-journal';
import { tempDir } from './openssl';

let dir: string;
beforeAll(() => { dir = tempDir('ca-journal'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const journalLines = (d: string) => readFileSync(path.join(d, 'state.journal'), 'utf8').split('\n').filter((l) => l !== '');
const snapshot = (d: string) => JSON.parse(readFileSync(path.join(d, 'state.json'), 'utf8')) as { crlNumber: number; issued: Record<string, unknown>; revoked: Record<string, unknown> };
const factory = (ca: CertificateAuthority, id: string) => ca.issueFactoryCertificate({ deviceId: id, publicKey: generateKeyPair().publicKey });
const serialOf = (der: Uint8Array) => describeCertificate(der).serialNumber;

async function freshCa(name: string): Promise<{ d: string; ca: CertificateAuthority }> {
  const d = path.join(dir, name);
  return { d, ca: await CertificateAuthority.createRoot({ subject: `CN=${name}`, dir: d }) };
}

describe('records', () => {
  it('round-trips each kind of record and refuses anything else', () => {
    const records = [
      { op: 'issue', serial: '0a1b', record: { subject: 'CN=d', profile: 'factory', issuedAt: '2024-01-01T00:00:00.000Z', notAfter: '2044-01-01T00:00:00.000Z' } },
      { op: 'revoke', serial: '0a1b', record: { date: '2024-01-02T00:00:00.000Z', reason: 'keyCompromise' } },
      { op: 'crl', number: 3 },
    ] as const;
    for (const r of records) expect(decodeJournalRecord(encodeJournalRecord(r).trimEnd())).toEqual(r);
    for (const bad of ['', 'null', '{}', '{"op":"crl","number":-1}', '{"op":"issue","serial":"01"}', '{"op":"revoke","serial":"01","date":"x","reason":"bored"}', '{"op":"issue"']) {
      expect(decodeJournalRecord(bad)).toBeUndefined();
    }
  });

  it('replays idempotently: a revocation keeps its first date, the CRL number only grows', () => {
    const state = { version: 1 as const, crlNumber: 5, issued: {}, revoked: { '01': { date: 'first', reason: 'unspecified' as const } } };
    applyJournalRecord(state, { op: 'revoke', serial: '01', record: { date: 'second', reason: 'superseded' } });
    applyJournalRecord(state, { op: 'crl', number: 4 });
    expect(state.revoked['01'].date).toBe('first');
    expect(state.crlNumber).toBe(5);
  });

  it('ignores only a torn last line; damage before it is an error', () => {
    const line = encodeJournalRecord({ op: 'crl', number: 1 });
    const empty = () => ({ version: 1 as const, crlNumber: 0, issued: {}, revoked: {} });
    expect(replayJournal(empty(), line + '{"op":"cr', 'j')).toEqual({ records: 1, tornTail: 9 });
    expect(replayJournal(empty(), line + '{"op":"cr\n', 'j')).toEqual({ records: 1, tornTail: 10 });
    expect(replayJournal(empty(), line + line, 'j')).toEqual({ records: 2 });
    expect(() => replayJournal(empty(), '{"op":"cr\n' + line, 'j')).toThrow(PkiError);
  });
});

describe('on disk', () => {
  it('appends one line per issue, revocation and CRL, leaving state.json as it was', async () => {
    const { d, ca } = await freshCa('append');
    try {
      const before = readFileSync(path.join(d, 'state.json'), 'utf8');
      expect(journalLines(d)).toHaveLength(0);
      const der = await factory(ca, 'a-1');
      await ca.revoke(serialOf(der), 'keyCompromise');
      await ca.crl();
      expect(journalLines(d).map((l) => JSON.parse(l).op)).toEqual(['issue', 'revoke', 'crl']);
      expect(readFileSync(path.join(d, 'state.json'), 'utf8')).toBe(before);
      expect(statSync(path.join(d, 'state.journal')).mode & 0o777).toBe(0o600);
      const records = await readCaRecords(d);
      expect(records.issued[serialOf(der)]).toMatchObject({ profile: 'factory', subject: 'CN=a-1, serialNumber=a-1' });
      expect(records.revoked[serialOf(der)]).toMatchObject({ reason: 'keyCompromise' });
      expect(records.crlNumber).toBe(1);
    } finally {
      await ca.close();
    }
  });

  it('after kill -9 mid-write: the torn last line is ignored with a warning, cut off, and the CA goes on', async () => {
    const { d, ca } = await freshCa('torn');
    const der = await factory(ca, 't-1');
    await ca.close();
    appendFileSync(path.join(d, 'state.journal'), '{"op":"issue","serial":"7f","subj');
    const warnings: string[] = [];
    const loaded = await CertificateAuthority.load(d, { warn: (m) => warnings.push(m) });
    try {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/torn last record/);
      expect(loaded.issued(serialOf(der))).toBe(true);
      expect(loaded.issued('7f')).toBe(false);
      const next = await factory(loaded, 't-2');
      const again: string[] = [];
      const records = await readCaRecords(d, (m) => again.push(m));
      expect(again).toEqual([]);
      expect(Object.keys(records.issued)).toEqual(expect.arrayContaining([serialOf(der), serialOf(next)]));
    } finally {
      await loaded.close();
    }
  });

  it('refuses a journal damaged before its last line, changing nothing', async () => {
    const { d, ca } = await freshCa('damaged');
    await factory(ca, 'x-1');
    await ca.close();
    const journal = path.join(d, 'state.journal');
    const good = readFileSync(journal, 'utf8');
    writeFileSync(journal, 'garbage\n' + good);
    await expect(CertificateAuthority.load(d)).rejects.toThrow(/line 1 is not a CA journal record/);
    expect(readFileSync(journal, 'utf8')).toBe('garbage\n' + good);
  });

  it('after a failed append, saves the next change as a snapshot rather than append after a half-written line', async () => {
    const { d, ca } = await freshCa('failed-append');
    try {
      const first = await factory(ca, 'f-1');
      const journal = path.join(d, 'state.journal');
      unlinkSync(journal);
      mkdirSync(journal); // appending now fails (EISDIR)
      await expect(factory(ca, 'f-2')).rejects.toThrow(/cannot record a change/);
      rmdirSync(journal);
      const third = await factory(ca, 'f-3');
      expect(journalLines(d)).toHaveLength(0);
      const snap = snapshot(d);
      expect(snap.issued[serialOf(first)]).toBeDefined();
      expect(snap.issued[serialOf(third)]).toBeDefined();
      const fourth = await factory(ca, 'f-4');
      expect(journalLines(d)).toHaveLength(1);
      expect((await readCaRecords(d)).issued[serialOf(fourth)]).toBeDefined();
    } finally {
      await ca.close();
    }
  });

  it('loads a directory written before the journal (state.json alone) and adds the journal', async () => {
    const { d, ca } = await freshCa('old-format');
    const der = await factory(ca, 'o-1');
    await ca.revoke(serialOf(der));
    await ca.close();
    // The old format: every record in state.json, no journal.
    const records = await readCaRecords(d);
    writeFileSync(path.join(d, 'state.json'), JSON.stringify(records, null, 1) + '\n', { mode: 0o600 });
    unlinkSync(path.join(d, 'state.journal'));
    const loaded = await CertificateAuthority.load(d);
    try {
      expect(loaded.issued(serialOf(der))).toBe(true);
      expect(loaded.isRevoked(serialOf(der))).toBe(true);
      expect(statSync(path.join(d, 'state.journal')).mode & 0o777).toBe(0o600);
      const next = await factory(loaded, 'o-2');
      expect(journalLines(d)).toHaveLength(1);
      expect((await readCaRecords(d)).issued[serialOf(next)]).toBeDefined();
    } finally {
      await loaded.close();
    }
  });

  it('compacts into state.json once the journal is as large as the state, and a crash before emptying it doubles nothing', async () => {
    const { d, ca } = await freshCa('compact');
    await ca.close();
    // A journal just short of compaction, written directly (issuing that many would be slow).
    const lines = Array.from({ length: COMPACT_MIN_RECORDS - 1 }, (_, i) => encodeJournalRecord({
      op: 'issue', serial: (0x1000 + i).toString(16),
      record: { subject: `CN=c-${i}`, profile: 'factory', issuedAt: '2024-01-01T00:00:00.000Z', notAfter: '2044-01-01T00:00:00.000Z' },
    }));
    writeFileSync(path.join(d, 'state.journal'), lines.join(''));
    const loaded = await CertificateAuthority.load(d);
    try {
      expect(Object.keys(snapshot(d).issued)).toHaveLength(0);
      const der = await factory(loaded, 'c-last');
      expect(journalLines(d)).toHaveLength(0);
      const snap = snapshot(d);
      expect(Object.keys(snap.issued)).toHaveLength(COMPACT_MIN_RECORDS);
      expect(snap.issued[serialOf(der)]).toBeDefined();
      // A crash between the new snapshot and the emptied journal: both hold the records.
      writeFileSync(path.join(d, 'state.journal'), lines.join(''));
      expect(Object.keys((await readCaRecords(d)).issued)).toHaveLength(COMPACT_MIN_RECORDS);
    } finally {
      await loaded.close();
    }
  });
});
