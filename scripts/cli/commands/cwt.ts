/**
 * `handover cwt show FILE [--key KEY] [--skip-time] [--json]`: decode a CWT's claims to JSON with
 * claim names (registered ones and the trust-transfer private claims). With --key the signature
 * is verified and, unless --skip-time, the exp/nbf window too; a refusal exits 1 with its reason.
 */
import { readFileSync } from 'node:fs';
import { ClaimKey, type CwtClaims } from '../../../common/cwt/claims';
import { peekCwtClaims, verifyCwt } from '../../../common/cwt/cwt';
import { cborFromFile } from '../../../common/cose/input';
import { loadKeyFile } from '../../../common/cose/keys';
import { InvalidInputError, UsageError } from '../../../common/errors';
import { TRANSFER_CLAIM_NAMES } from '../../../plugin/messages/claims';
import { parse } from '../args';
import type { Command } from '../command';
import type { CliIo } from '../io';

const usage = `usage: handover cwt show FILE [--key KEY] [--skip-time] [--json]
  FILE: the CWT as raw CBOR or hex; KEY: JWK, PEM public key or certificate (verifies the signature)`;

function jsonValue(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), jsonValue(x)]));
  return v;
}

/** Claims as a JSON object keyed by claim name (unknown keys by their number). */
function namedClaims(claims: CwtClaims): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(ClaimKey) as (keyof typeof ClaimKey)[]) {
    if (claims[name] !== undefined) out[name] = jsonValue(claims[name]);
  }
  for (const [k, v] of claims.extra ?? []) out[(typeof k === 'number' && TRANSFER_CLAIM_NAMES.get(k)) || String(k)] = jsonValue(v);
  return out;
}

async function show(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { key: { type: 'string' }, 'skip-time': { type: 'boolean' }, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('show takes one FILE');
  let bytes: Uint8Array;
  try { bytes = new Uint8Array(readFileSync(positionals[0])); } catch (e) { throw new InvalidInputError(`cannot read ${positionals[0]}: ${(e as Error).message}`); }
  const token = cborFromFile(bytes);
  let result: Record<string, unknown>;
  if (values.key) {
    let keyBytes: Uint8Array;
    try { keyBytes = new Uint8Array(readFileSync(values.key)); } catch (e) { throw new InvalidInputError(`cannot read ${values.key}: ${(e as Error).message}`); }
    const v = verifyCwt(token, loadKeyFile(keyBytes, 'public').key, { skipClaimValidation: Boolean(values['skip-time']) });
    result = { verified: true, alg: v.alg ?? null, kid: v.kid ? Buffer.from(v.kid).toString('hex') : null, claims: namedClaims(v.claims) };
  } else {
    result = { verified: false, claims: namedClaims(peekCwtClaims(token).claims) };
  }
  io.out(values.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
  return 0;
}

const command: Command = {
  name: 'cwt',
  summary: 'show (and verify) CBOR Web Tokens',
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'show') return show(rest, io);
    throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is required');
  },
};

export default command;
