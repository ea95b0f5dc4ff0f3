/**
 * `handover suit`: SUIT envelope tools.
 *   show FILE                       decode (without authenticating) and print the JSON summary
 *   verify --key PEM... FILE        exit 0 when the manifest digest, the signature (one of the
 *                                   keys / certificates) and the severed members hold, 1 otherwise
 *   create --key PEM --desc JSON --image FILE... --out FILE [--alg A]
 *                                   build and sign an envelope from a description and images
 */
import { type KeyObject, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidInputError, UsageError } from '../../../common/errors';
import type { CoseAlg } from '../../../common/cose/sign1';
import { openSuitEnvelope } from '../../../common/suit/authentication';
import { createSuitEnvelope } from '../../../common/suit/builder';
import { parseSuitDescription } from '../../../common/suit/description';
import { inspectSuitEnvelope } from '../../../common/suit/envelope';
import { suitEnvelopeSummary } from '../../../common/suit/summary';
import { loadSuitTrustStore } from '../../../client-sim/suit/trust-store';
import type { Command } from '../command';
import type { CliIo } from '../io';
import { parse } from '../args';

const usage = `usage: handover suit <show|verify|create> ...
  handover suit show FILE
  handover suit verify --key PEM [--key PEM...] [--json] FILE
  handover suit create --key PRIVATE.pem --desc DESC.json [--image FILE...] --out FILE [--alg ES256|ES384|EdDSA]
    --image is given once per component, in the order of the description's components;
    a component without an image needs install-digest and install-size in the description.`;

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InvalidInputError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

function algFor(key: KeyObject, asked?: string): CoseAlg {
  if (asked !== undefined) {
    if (asked !== 'ES256' && asked !== 'ES384' && asked !== 'EdDSA') throw new UsageError(`--alg must be ES256, ES384 or EdDSA`);
    return asked;
  }
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && d?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'ec' && d?.namedCurve === 'secp384r1') return 'ES384';
  throw new InvalidInputError(`no SUIT signature algorithm for a ${key.asymmetricKeyType} ${d?.namedCurve ?? ''} key`);
}

async function show(argv: string[], io: CliIo): Promise<number> {
  const { positionals } = parse(argv, { json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('show takes one FILE');
  const { parts, manifest } = inspectSuitEnvelope(read(positionals[0], 'envelope'));
  io.out(JSON.stringify(suitEnvelopeSummary(parts, manifest)));
  return 0;
}

async function verify(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { key: { type: 'string', multiple: true }, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('verify takes one FILE');
  if (!values.key?.length) throw new UsageError('--key is required');
  const trust = loadSuitTrustStore(values.key.map((k) => read(k, 'key').toString('utf8')));
  const opened = openSuitEnvelope(read(positionals[0], 'envelope'), trust);
  const result = { verified: true, sequenceNumber: opened.manifest.sequenceNumber, alg: opened.signer.alg, key: values.key[opened.signer.keyIndex] };
  io.out(values.json ? JSON.stringify(result) : `verified: sequence number ${result.sequenceNumber}, ${result.alg} signature by ${result.key}`);
  return 0;
}

async function create(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    key: { type: 'string' }, desc: { type: 'string' }, image: { type: 'string', multiple: true }, out: { type: 'string' }, alg: { type: 'string' }, json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.key || !values.desc || !values.out) throw new UsageError('--key, --desc and --out are required');
  let key: KeyObject;
  try {
    key = createPrivateKey(read(values.key, 'key'));
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    throw new InvalidInputError(`${values.key} is not a PEM private key`);
  }
  const alg = algFor(createPublicKey(key), values.alg);
  const desc = parseSuitDescription(read(values.desc, 'description').toString('utf8'));
  const images = (values.image ?? []).map((f) => new Uint8Array(read(f, 'image')));
  const envelope = createSuitEnvelope(desc, images, { key, alg });
  try {
    writeFileSync(values.out, envelope);
  } catch (e) {
    throw new InvalidInputError(`cannot write ${values.out}: ${(e as Error).message}`);
  }
  io.out(values.json ? JSON.stringify({ out: values.out, bytes: envelope.length, sequenceNumber: desc.sequenceNumber, alg }) : `wrote ${values.out} (${envelope.length} bytes, sequence number ${desc.sequenceNumber}, ${alg})`);
  return 0;
}

const SUB: Record<string, (argv: string[], io: CliIo) => Promise<number>> = { show, verify, create };

const suit: Command = {
  name: 'suit',
  summary: 'show, verify and create SUIT firmware envelopes',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = argv;
    const fn = sub ? SUB[sub] : undefined;
    if (!fn) throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is required');
    return fn(rest, io);
  },
};

export default suit;
