/**
 * `handover cose`: COSE_Sign1 tools.
 *   verify --key KEY FILE [--aad HEX] [--json]   KEY: JWK, PEM public key or certificate;
 *                                               FILE: raw CBOR or hex text. Exit 1 when invalid.
 *   sign --key KEY FILE [--alg A] [--kid HEX] [--aad HEX] [--out FILE] [--hex]
 *                                               KEY: PEM private key or private JWK; FILE: payload.
 *                                               Without --out the message is printed as hex.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { algForKey } from '../../../common/cose/algorithms';
import { cborFromFile, hexOption } from '../../../common/cose/input';
import { loadKeyFile } from '../../../common/cose/keys';
import { type CoseAlg, signSign1, verifySign1 } from '../../../common/cose/sign1';
import { InvalidInputError, UsageError } from '../../../common/errors';
import { parse } from '../args';
import type { Command } from '../command';
import type { CliIo } from '../io';

const usage = `usage: handover cose <verify|sign> ...
  handover cose verify --key KEY FILE [--aad HEX] [--json]
      KEY: JWK JSON, PEM public key, or certificate (PEM/DER); FILE: COSE_Sign1 as raw CBOR or hex
  handover cose sign --key KEY FILE [--alg ES256|ES384|EdDSA] [--kid HEX] [--aad HEX] [--out FILE] [--hex]
      KEY: PEM private key or private JWK; FILE: the payload; prints hex unless --out`;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function read(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new InvalidInputError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

function algOption(v: string | undefined): CoseAlg | undefined {
  if (v === undefined) return undefined;
  if (v !== 'ES256' && v !== 'ES384' && v !== 'EdDSA') throw new UsageError('--alg must be ES256, ES384 or EdDSA');
  return v;
}

async function verify(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { key: { type: 'string' }, aad: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('verify takes one FILE');
  if (!values.key) throw new UsageError('--key is required');
  const { key } = loadKeyFile(read(values.key, 'key'), 'public');
  const message = cborFromFile(read(positionals[0], 'message'));
  const r = verifySign1(message, key, values.aad !== undefined ? { externalAad: hexOption(values.aad, '--aad') } : {});
  const result = { valid: true, alg: r.alg, kid: r.kid ? hex(r.kid) : null, payload: r.payload ? hex(r.payload) : null };
  io.out(values.json ? JSON.stringify(result) : `valid: ${r.alg} signature${r.kid ? `, kid ${result.kid}` : ''}, ${r.payload ? `${r.payload.length}-byte payload ${result.payload}` : 'detached payload'}`);
  return 0;
}

async function sign(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    key: { type: 'string' }, alg: { type: 'string' }, kid: { type: 'string' }, aad: { type: 'string' }, out: { type: 'string' }, hex: { type: 'boolean' }, json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError('sign takes one FILE (the payload)');
  if (!values.key) throw new UsageError('--key is required');
  const alg = algOption(values.alg);
  const { key } = loadKeyFile(read(values.key, 'key'), 'private');
  const payload = read(positionals[0], 'payload');
  const message = signSign1({
    payload, key, alg: alg ?? algForKey(key),
    ...(values.kid !== undefined ? { unprotectedHeader: new Map<number, unknown>([[4, hexOption(values.kid, '--kid')]]) } : {}),
    ...(values.aad !== undefined ? { externalAad: hexOption(values.aad, '--aad') } : {}),
  });
  if (values.out === undefined) {
    io.out(hex(message));
    return 0;
  }
  try {
    writeFileSync(values.out, values.hex ? hex(message) + '\n' : message);
  } catch (e) {
    throw new InvalidInputError(`cannot write ${values.out}: ${(e as Error).message}`);
  }
  io.out(values.json ? JSON.stringify({ out: values.out, bytes: message.length, hex: Boolean(values.hex) }) : `wrote ${message.length}-byte COSE_Sign1 to ${values.out}`);
  return 0;
}

const command: Command = {
  name: 'cose',
  summary: 'sign and verify COSE_Sign1 messages',
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'verify': return verify(rest, io);
      case 'sign': return sign(rest, io);
      default: throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is required');
    }
  },
};

export default command;
