/**
 * `handover est parse FILE [--format N] [--json]`: decode an EST-coaps payload (DER, CBOR
 * multipart-core, PEM, or any of them as hex text) and print what it is:
 * {"kind":"csr","subject","signatureValid"}, {"kind":"certs"|"cert","certificates":[{subject,issuer}]},
 * {"kind":"csr-attributes","attributes":[oid,…]}, {"kind":"private-key","keyType","curve"}
 * (never the key itself), {"kind":"multipart","parts":[{contentFormat, …each part parsed}]}.
 * --format gives the Content-Format instead of guessing it from the bytes. Malformed: exit 1.
 */
import { readFileSync } from 'node:fs';
import { InvalidInputError, UsageError } from '../../../common/errors';
import { parseEstPayload, type EstPayload } from '../../../common/est/index';
import { describeCertificate } from '../../../common/pki/index';
import { intOption, parse } from '../args';
import type { Command } from '../command';
import type { CliIo } from '../io';

const usage = `usage: handover est parse FILE [--format N] [--json]
  FILE: an EST payload as DER / CBOR, PEM, or hex text
  --format N: its CoAP Content-Format (281 certs-only, 284 PKCS#8, 285 CSR attributes, 286 PKCS#10, 287 certificate, 62 multipart-core)`;

/** Raw bytes of the file: PEM → DER of its first block, hex text → bytes, anything else as is. */
function payloadBytes(file: Buffer): Uint8Array {
  const text = file.toString('latin1');
  const pem = /-----BEGIN [A-Z0-9 #]+-----([\s\S]*?)-----END [A-Z0-9 #]+-----/.exec(text);
  if (pem) return new Uint8Array(Buffer.from(pem[1].replace(/\s+/g, ''), 'base64'));
  const compact = text.replace(/\s+/g, '');
  if (compact.length > 0 && compact.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(compact) && /^[0-9a-fA-F\s]+$/.test(text)) {
    return new Uint8Array(Buffer.from(compact, 'hex'));
  }
  return new Uint8Array(file);
}

function certSummary(der: Uint8Array): { subject: string; issuer: string } {
  const info = describeCertificate(der);
  return { subject: info.subject, issuer: info.issuer };
}

async function describe(p: EstPayload): Promise<Record<string, unknown>> {
  switch (p.kind) {
    case 'csr': return { kind: p.kind, subject: p.subject, signatureValid: p.signatureValid };
    case 'certs': return { kind: p.kind, certificates: p.certificates.map(certSummary) };
    case 'cert': return { kind: p.kind, certificates: [certSummary(p.certificate)] };
    case 'private-key': return { kind: p.kind, keyType: p.keyType, ...(p.curve ? { curve: p.curve } : {}) };
    case 'csr-attributes': return { kind: p.kind, attributes: p.attributes };
    case 'multipart': {
      const parts: Record<string, unknown>[] = [];
      for (const part of p.parts) {
        parts.push({ contentFormat: part.contentFormat, ...(await describe(await parseEstPayload(part.payload, part.contentFormat))) });
      }
      return { kind: p.kind, parts };
    }
  }
}

async function parseVerb(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { format: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('parse takes one FILE');
  const format = values.format === undefined ? undefined : intOption(values.format, 'format', 0, 0, 65535);
  let file: Buffer;
  try { file = readFileSync(positionals[0]); } catch (e) { throw new InvalidInputError(`cannot read ${positionals[0]}: ${(e as Error).message}`); }
  const result = await describe(await parseEstPayload(payloadBytes(file), format));
  io.out(values.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
  return 0;
}

const command: Command = {
  name: 'est',
  summary: 'inspect EST-coaps payloads (CSR, certs-only PKCS#7, CSR attributes, multipart-core)',
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'parse') return parseVerb(rest, io);
    throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is required');
  },
};

export default command;
