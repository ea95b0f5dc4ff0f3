/**
 * application/vnd.oma.lwm2m+json (content format 11543, LwM2M 1.0 / 1.1 Core §6.4.4): the early
 * SenML draft LwM2M 1.0 used — `{"bn", "bt", "e": [{"n", "t", "v" | "bv" | "ov" | "sv"}]}`, opaque
 * values base64 in "sv". Servers must still read it from 1.0 clients (1.2 Core §7.4.5); it is
 * mapped onto SenML records and shares the SenML node mapping. Writing it is supported too, for
 * Write requests to 1.0 clients.
 */
import type { NodeCodec } from '../codec';
import { ContentFormat } from '../content-format';
import { PayloadError } from '../errors';
import { decodeUtf8 } from './text';
import { jsonRecord } from './senml-json-wire';
import { senmlCodec } from './senml-codec';
import type { SenmlRecord } from './senml-record';

const RENAME: Readonly<Record<string, string>> = { n: 'n', t: 't', v: 'v', bv: 'vb', ov: 'vlo', sv: 'vs' };

/** OMA JSON → SenML records (bn/bt of the pack on the first record). Throws PayloadError. */
export function decodeOmaJson(bytes: Uint8Array): SenmlRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(decodeUtf8(bytes));
  } catch (e) {
    throw e instanceof PayloadError ? e : new PayloadError(`Invalid LwM2M JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new PayloadError('LwM2M JSON must be an object');
  const o = doc as Record<string, unknown>;
  if (!Array.isArray(o.e)) throw new PayloadError('LwM2M JSON needs an "e" array');
  const head = jsonRecord({ bn: o.bn, bt: o.bt }, -1);
  const records = o.e.map((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new PayloadError(`LwM2M JSON entry ${i} is not an object`);
    const renamed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) if (Object.hasOwn(RENAME, k)) renamed[RENAME[k]] = v;
    return jsonRecord(renamed, i);
  });
  if (records.length > 0) records[0] = { ...head, ...records[0] };
  return records;
}

/** SenML records → OMA JSON: names and times resolved against one pack-level bn. */
export function encodeOmaJson(records: readonly SenmlRecord[]): Uint8Array {
  let bn = '';
  let bt = 0;
  const resolved = records.map((r) => {
    bn = r.bn ?? bn;
    bt = r.bt ?? bt;
    return { ...r, n: bn + (r.n ?? ''), t: bt + (r.t ?? 0) };
  });
  const packBn = records[0]?.bn ?? '';
  const common = resolved.every((r) => r.n.startsWith(packBn)) ? packBn : '';
  const entries = resolved.map((r) => {
    const e: string[] = [];
    const n = r.n.slice(common.length);
    if (n !== '') e.push(`"n":${JSON.stringify(n)}`);
    if (r.v !== undefined) {
      if (typeof r.v === 'number' && !Number.isFinite(r.v)) throw new PayloadError(`LwM2M JSON cannot carry ${r.v}`);
      e.push(`"v":${r.v.toString()}`);
    }
    if (r.vb !== undefined) e.push(`"bv":${r.vb}`);
    if (r.vlo !== undefined) e.push(`"ov":${JSON.stringify(r.vlo)}`);
    if (r.vs !== undefined) e.push(`"sv":${JSON.stringify(r.vs)}`);
    if (r.vd !== undefined) e.push(`"sv":${JSON.stringify(Buffer.from(r.vd).toString('base64'))}`);
    if (r.t !== 0) e.push(`"t":${r.t}`);
    return `{${e.join(',')}}`;
  });
  const bnPart = common !== '' ? `"bn":${JSON.stringify(common)},` : '';
  return new Uint8Array(Buffer.from(`{${bnPart}"e":[${entries.join(',\n')}]}`, 'utf8'));
}

const full = senmlCodec(ContentFormat.JSON, 'JSON', { decode: decodeOmaJson, encode: encodeOmaJson }, { opaqueInStrings: true });

/** LwM2M 1.0 has no composite operations: only single nodes and timestamped notifications. */
export const omaJsonCodec: NodeCodec = {
  format: full.format,
  name: full.name,
  encode: full.encode,
  decode: full.decode,
  decodeTimestamped: full.decodeTimestamped,
  encodeTimestamped: full.encodeTimestamped,
};
