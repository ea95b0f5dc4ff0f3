/**
 * Byte sizes of the trust-transfer protocol messages, built for real (P-256 keys, a CA-issued
 * X.509 factory certificate, realistic URIs), to hold against Table I of the PKI paper.
 * Run: `node dist/scripts/message-sizes.js [--json] [--devices N]` — prints a table and a JSON
 * line (only JSON with --json).
 */
import 'reflect-metadata';
import { KeyObject, generateKeyPairSync, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { encodeUpdateInfoList, signUpdateInfoList, type DeviceUpdateInfo } from '../plugin/messages/update-info-list';
import { buildTransferMessage, validateTransferMessage } from '../plugin/messages/transfer-message';
import { buildTransferToken } from '../plugin/messages/transfer-token';

export interface MessageSize {
  readonly message: string;
  readonly bytes: number;
  /** Table I value (DTLS/X.509 column) for comparison, when the paper lists one. */
  readonly paperX509?: string;
  readonly note: string;
}

async function factoryCertificate(deviceId: string): Promise<Uint8Array> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const ca = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const dev = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '4a1f3c2b9d', subject: `CN=${deviceId}, O=SP1 Devices`, issuer: 'CN=SP1 Permanent CA, O=SP1',
    notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2044-01-01T00:00:00Z'),
    publicKey: dev.publicKey, signingKey: ca.privateKey, signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(dev.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
    ],
  });
  return new Uint8Array(cert.rawData);
}

/** Build each message once and measure it. */
export async function measureMessageSizes(devices = 100): Promise<MessageSize[]> {
  const sp1 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sp2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = 1_800_000_000;
  const cert = await factoryCertificate('urn:dev:ops:32473-Node-0001');
  const info: DeviceUpdateInfo = {
    factoryCertificate: cert, updateTimeNotBefore: now, updateTimeNotAfter: now + 7 * 86_400,
    suitSequenceNumber: 12, suitReferenceUri: 'coaps://fw.sp1.example.com/suit/node-v12.suit',
  };
  const one = encodeUpdateInfoList([info]);
  const list = Array.from({ length: devices }, () => info);
  const jws = await signUpdateInfoList(list, { key: sp1.privateKey as KeyObject, alg: 'ES256', kid: 'sp1-2024' });
  const tmBytes = buildTransferMessage({
    issuer: 'sp2.example.com', audience: 'sp1.example.com',
    resetTimeNotBefore: now + 86_400, resetTimeNotAfter: now + 3 * 86_400, raUri: null,
    updateUri: 'coaps://fw.sp2.example.com/suit', updateFirst: false, enrollUri: 'coaps://ca2.example.com/.well-known/est',
    fallbackUri: 'coaps://dm.sp2.example.com', bootstrapUri: 'coaps://bs.sp2.example.com:5684',
  }, { key: sp2.privateKey, alg: 'ES256', kid: new Uint8Array([1]) });
  const tm = validateTransferMessage(tmBytes, sp2.publicKey, { sp1: 'sp1.example.com', sp2: 'sp2.example.com', now });
  const token = buildTransferToken(tm, { deviceId: 'urn:dev:ops:32473-Node-0001', factoryCertificate: cert, transferCounter: 1 }, {
    issuer: 'sp1.example.com', fallbackUri: 'coaps://dm.sp1.example.com', key: sp1.privateKey, alg: 'ES256', kid: new Uint8Array([1]), transferMessageBytes: tmBytes,
  });
  const minimal = buildTransferToken(tm, { deviceId: 'urn:dev:ops:32473-Node-0001', transferCounter: 1 }, {
    issuer: 'sp1.example.com', fallbackUri: 'coaps://dm.sp1.example.com', key: sp1.privateKey, alg: 'ES256',
  });
  return [
    { message: 'Factory certificate (X.509 DER, P-256)', bytes: cert.length, paperX509: '> 320', note: 'CA-issued, 4 extensions' },
    { message: 'DeviceUpdateInfo (CBOR)', bytes: one.length - 1, paperX509: '> 400', note: 'one entry, certificate included (array head of the list excluded)' },
    { message: `UpdateInfoList, ${devices} devices (CBOR)`, bytes: encodeUpdateInfoList(list).length, note: 'SP1 → SP2, before signing' },
    { message: `UpdateInfoList, ${devices} devices (compact JWS)`, bytes: Buffer.byteLength(jws), note: 'base64url grows the CBOR by 4/3' },
    { message: 'TransferMessage (CWT, SP2 → SP1)', bytes: tmBytes.length, paperX509: '> 216', note: 'COSE_Sign1 ES256, 9 claims' },
    { message: 'Transfer token (CWT, SP1 → device)', bytes: token.length, paperX509: '> 216', note: 'bound to certificate thumbprint, with TransferMessage hash' },
    { message: 'Transfer token, minimal (CWT)', bytes: minimal.length, paperX509: '> 216', note: 'no thumbprint, no TransferMessage hash, no kid' },
  ];
}

function table(rows: MessageSize[]): string {
  const w = Math.max(...rows.map((r) => r.message.length));
  const lines = [`${'message'.padEnd(w)}  ${'bytes'.padStart(6)}  ${'paper'.padStart(6)}  note`, '-'.repeat(w + 40)];
  for (const r of rows) lines.push(`${r.message.padEnd(w)}  ${String(r.bytes).padStart(6)}  ${(r.paperX509 ?? '').padStart(6)}  ${r.note}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const i = argv.indexOf('--devices');
  const devices = i >= 0 ? Number(argv[i + 1]) : 100;
  if (!Number.isSafeInteger(devices) || devices < 1) {
    process.stderr.write('--devices must be a positive integer\n');
    process.exitCode = 2;
    return;
  }
  const rows = await measureMessageSizes(devices);
  if (!json) process.stdout.write(table(rows) + '\n\n');
  process.stdout.write(JSON.stringify(rows) + '\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`message-sizes: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
