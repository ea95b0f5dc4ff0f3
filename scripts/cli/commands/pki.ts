/**
 * `handover pki init|issue|revoke|crl`: operate a CA kept in a directory (see
 * common/pki/ca-directory.ts). A CA whose key is in a PKCS#11 token takes its PIN from the
 * HANDOVER_PKCS11_PIN environment variable (never from the command line, where `ps` shows it).
 * Bad input (unreadable or malformed CSR / key, unknown serial, missing CA): exit 1; bad usage: 2.
 */
import { createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { InvalidInputError, UsageError } from '../../../common/errors';
import {
  CertificateAuthority, type KeyAlgorithm, type Pkcs11KeyOptions, type RevocationReason,
  certificatePem, describeCertificate, normalizeSerial, pemBlock, pemToDer,
} from '../../../common/pki/index';
import { intOption, parse } from '../args';
import type { Command } from '../command';
import type { CliIo } from '../io';

const usage = `usage: handover pki <init|issue|revoke|crl> --dir DIR [options] [--json]
  init   --dir DIR --subject "CN=..., O=..." [--parent DIR] [--validity-days N] [--path-length N]
         [--key P-256|P-384|Ed25519 | --pkcs11-module SO (--token-label L | --slot ID) --key-label K]
  issue  --dir DIR (--csr FILE [--subject S] [--san-uri URI] | --factory --device-id ID --public-key PEM)
         [--validity-days N | --validity-years N] [--out FILE]
  revoke --dir DIR --serial HEX [--reason unspecified|keyCompromise|cACompromise|affiliationChanged|superseded|cessationOfOperation]
  crl    --dir DIR --out FILE [--next-update-days N] [--pem]
  PKCS#11 PIN: environment variable HANDOVER_PKCS11_PIN`;

const REASONS: readonly RevocationReason[] = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation'];
const KEY_ALGS: readonly KeyAlgorithm[] = ['P-256', 'P-384', 'Ed25519'];

function need<T>(v: T | undefined, flag: string): T {
  if (v === undefined) throw new UsageError(`--${flag} is required`);
  return v;
}

async function readInput(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    throw new InvalidInputError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

async function writeOutput(file: string, data: string | Uint8Array): Promise<void> {
  try {
    await fs.writeFile(file, data);
  } catch (e) {
    throw new InvalidInputError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

/** DER of a PEM or DER file's first block. */
function derOf(bytes: Buffer, label: string): Uint8Array {
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN ')) {
    const [der] = pemToDer(text, label);
    if (!der) throw new InvalidInputError(`no ${label} PEM block`);
    return new Uint8Array(der);
  }
  return new Uint8Array(bytes);
}

function publicKeyOf(bytes: Buffer): KeyObject {
  try {
    const text = bytes.toString('latin1');
    const [cert] = text.includes('-----BEGIN CERTIFICATE-----') ? pemToDer(text, 'CERTIFICATE') : [];
    if (cert) return new X509Certificate(cert).publicKey;
    return createPublicKey(text.includes('-----BEGIN ') ? text : { key: bytes, format: 'der', type: 'spki' });
  } catch (e) {
    throw new InvalidInputError(`not a public key: ${(e as Error).message}`);
  }
}

function loadCa(dir: string): Promise<CertificateAuthority> {
  return CertificateAuthority.load(dir, { pin: process.env.HANDOVER_PKCS11_PIN });
}

async function withCa<T>(dir: string, f: (ca: CertificateAuthority) => Promise<T>): Promise<T> {
  const ca = await loadCa(dir);
  try {
    return await f(ca);
  } finally {
    await ca.close();
  }
}

function print(io: CliIo, json: boolean | undefined, result: Record<string, unknown>, text: string): void {
  io.out(json ? JSON.stringify(result) : text);
}

async function init(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    dir: { type: 'string' }, subject: { type: 'string' }, parent: { type: 'string' }, 'validity-days': { type: 'string' },
    'path-length': { type: 'string' }, key: { type: 'string' }, 'pkcs11-module': { type: 'string' }, 'token-label': { type: 'string' },
    slot: { type: 'string' }, 'key-label': { type: 'string' }, json: { type: 'boolean' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const dir = need(v.dir, 'dir');
  const subject = need(v.subject, 'subject');
  const validityDays = v['validity-days'] === undefined ? undefined : intOption(v['validity-days'], 'validity-days', 0, 1, 100 * 366);
  const pathLength = v['path-length'] === undefined ? undefined : intOption(v['path-length'], 'path-length', 0, 0, 16);
  let key: KeyAlgorithm | Pkcs11KeyOptions | undefined;
  if (v['pkcs11-module'] !== undefined) {
    if (v.key !== undefined) throw new UsageError('--key and --pkcs11-module exclude each other');
    const pin = process.env.HANDOVER_PKCS11_PIN;
    if (pin === undefined) throw new UsageError('set HANDOVER_PKCS11_PIN for a PKCS#11 key');
    if (v['token-label'] === undefined && v.slot === undefined) throw new UsageError('--token-label or --slot is required with --pkcs11-module');
    key = {
      kind: 'pkcs11', module: v['pkcs11-module'], pin, keyLabel: need(v['key-label'], 'key-label'),
      ...(v['token-label'] !== undefined ? { tokenLabel: v['token-label'] } : {}),
      ...(v.slot !== undefined ? { slot: intOption(v.slot, 'slot', 0) } : {}),
    };
  } else if (v.key !== undefined) {
    if (!KEY_ALGS.includes(v.key as KeyAlgorithm)) throw new UsageError(`--key must be one of ${KEY_ALGS.join(', ')}`);
    key = v.key as KeyAlgorithm;
  }
  const ca = v.parent !== undefined
    ? await withCa(v.parent, (parent) => parent.createSubordinate({ subject, validityDays, pathLength, dir, key }))
    : await CertificateAuthority.createRoot({ subject, validityDays, pathLength, dir, key });
  try {
    const info = describeCertificate(ca.certificate);
    print(io, v.json, {
      dir, subject: info.subject, issuer: info.issuer, serialNumber: info.serialNumber, notAfter: info.notAfter.toISOString(),
      fingerprint256: info.fingerprint256, root: v.parent === undefined, key: ca.keyRef.kind,
    }, `created CA "${info.subject}" in ${dir} (serial ${info.serialNumber}, ${v.parent === undefined ? 'root' : `issued by "${info.issuer}"`})`);
  } finally {
    await ca.close();
  }
  return 0;
}

async function issue(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    dir: { type: 'string' }, csr: { type: 'string' }, factory: { type: 'boolean' }, 'device-id': { type: 'string' },
    'public-key': { type: 'string' }, subject: { type: 'string' }, 'san-uri': { type: 'string' }, 'validity-days': { type: 'string' },
    'validity-years': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const dir = need(v.dir, 'dir');
  if (Boolean(v.factory) === (v.csr !== undefined)) throw new UsageError('give exactly one of --csr FILE or --factory');
  let der: Uint8Array;
  if (v.factory) {
    if (v['validity-days'] !== undefined || v.subject !== undefined || v['san-uri'] !== undefined) {
      throw new UsageError('--factory takes --validity-years, not --validity-days, --subject or --san-uri');
    }
    const deviceId = need(v['device-id'], 'device-id');
    const publicKey = publicKeyOf(await readInput(need(v['public-key'], 'public-key')));
    const validityYears = v['validity-years'] === undefined ? undefined : intOption(v['validity-years'], 'validity-years', 0, 1, 100);
    der = await withCa(dir, (ca) => ca.issueFactoryCertificate({ deviceId, publicKey, validityYears }));
  } else {
    if (v['device-id'] !== undefined || v['public-key'] !== undefined || v['validity-years'] !== undefined) {
      throw new UsageError('--device-id, --public-key and --validity-years go with --factory');
    }
    const csr = derOf(await readInput(v.csr as string), 'CERTIFICATE REQUEST');
    const validityDays = v['validity-days'] === undefined ? undefined : intOption(v['validity-days'], 'validity-days', 0, 1, 100 * 366);
    der = await withCa(dir, (ca) => ca.issueFromCsr(csr, { validityDays, subject: v.subject, sanUri: v['san-uri'] }));
  }
  const pem = certificatePem(der);
  if (v.out !== undefined) await writeOutput(v.out, pem);
  const info = describeCertificate(der);
  const result = {
    serialNumber: info.serialNumber, subject: info.subject, issuer: info.issuer, notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(), fingerprint256: info.fingerprint256, ...(v.out !== undefined ? { out: v.out } : { pem }),
  };
  print(io, v.json, result, v.out !== undefined ? `issued ${info.serialNumber} "${info.subject}" → ${v.out}` : pem);
  return 0;
}

async function revoke(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, { dir: { type: 'string' }, serial: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const dir = need(v.dir, 'dir');
  const serial = need(v.serial, 'serial');
  const reason = (v.reason ?? 'unspecified') as RevocationReason;
  if (!REASONS.includes(reason)) throw new UsageError(`--reason must be one of ${REASONS.join(', ')}`);
  await withCa(dir, (ca) => ca.revoke(serial, reason));
  print(io, v.json, { revoked: normalizeSerial(serial), reason }, `revoked ${serial} (${reason}); publish a new CRL with "handover pki crl"`);
  return 0;
}

async function crl(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    dir: { type: 'string' }, out: { type: 'string' }, 'next-update-days': { type: 'string' }, pem: { type: 'boolean' }, json: { type: 'boolean' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const dir = need(v.dir, 'dir');
  const out = need(v.out, 'out');
  const nextUpdateDays = v['next-update-days'] === undefined ? undefined : intOption(v['next-update-days'], 'next-update-days', 0, 1, 3660);
  const der = await withCa(dir, (ca) => ca.crl({ nextUpdateDays }));
  await writeOutput(out, v.pem ? pemBlock('X509 CRL', der) : der);
  print(io, v.json, { out, format: v.pem ? 'pem' : 'der', bytes: der.length }, `wrote CRL to ${out}`);
  return 0;
}

const command: Command = {
  name: 'pki',
  summary: 'operate a certificate authority: init, issue, revoke, crl',
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'init': return init(rest, io);
      case 'issue': return issue(rest, io);
      case 'revoke': return revoke(rest, io);
      case 'crl': return crl(rest, io);
      default: throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is required');
    }
  },
};

export default command;
