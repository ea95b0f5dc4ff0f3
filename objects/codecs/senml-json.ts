/**
 * SenML-JSON (application/senml+json, content format 110; RFC 8428 §5, LwM2M 1.1 Core §7.4.4).
 * `vd` is base64url without padding; LwM2M's object-link value is the "vlo" field.
 */
import type { NodeCodec } from '../codec';
import { ContentFormat } from '../content-format';
import { PayloadError } from '../errors';
import { senmlCodec } from './senml-codec';
import type { SenmlRecord } from './senml-records';

const STRING_FIELDS = ['bn', 'n', 'vs', 'vlo'] as const;
const NUMBER_FIELDS = ['bt', 't', 'v'] as const;

function readRecord(o: unknown, i: number): SenmlRecord {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new PayloadError(`SenML-JSON record ${i} is not an object`);
  const src = o as Record<string, unknown>;
  const rec: SenmlRecord = {};
  for (const [k, v] of Object.entries(src)) {
    if ((STRING_FIELDS as readonly string[]).includes(k)) {
      if (typeof v !== 'string') throw new PayloadError(`SenML-JSON record ${i}: "${k}" must be a string`);
      (rec as Record<string, unknown>)[k] = v;
    } else if ((NUMBER_FIELDS as readonly string[]).includes(k)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new PayloadError(`SenML-JSON record ${i}: "${k}" must be a number`);
      (rec as Record<string, unknown>)[k] = v;
    } else if (k === 'vb') {
      if (typeof v !== 'boolean') throw new PayloadError(`SenML-JSON record ${i}: "vb" must be a boolean`);
      rec.vb = v;
    } else if (k === 'vd') {
      if (typeof v !== 'string' || !/^[A-Za-z0-9_-]*={0,2}$/.test(v)) throw new PayloadError(`SenML-JSON record ${i}: "vd" must be base64url`);
      rec.vd = new Uint8Array(Buffer.from(v, 'base64url'));
    } else if (k.endsWith('_')) {
      throw new PayloadError(`SenML-JSON record ${i}: unsupported mandatory field "${k}"`); // RFC 8428 §4.4
    }
    // Other fields (bu, bv, bs, bver, u, s, ut) are not used by LwM2M and ignored, as RFC 8428 allows.
  }
  return rec;
}

export const senmlJsonCodec: NodeCodec = senmlCodec(ContentFormat.SENML_JSON, 'SENML_JSON', {
  write(records) {
    const arr = records.map((r) => {
      const o: Record<string, unknown> = {};
      if (r.bn !== undefined) o.bn = r.bn;
      if (r.bt !== undefined) o.bt = r.bt;
      if (r.n !== undefined) o.n = r.n;
      if (r.t !== undefined) o.t = r.t;
      if (r.v !== undefined) o.v = typeof r.v === 'bigint' ? Number(r.v) : r.v;
      if (r.vs !== undefined) o.vs = r.vs;
      if (r.vb !== undefined) o.vb = r.vb;
      if (r.vd !== undefined) o.vd = Buffer.from(r.vd).toString('base64url');
      if (r.vlo !== undefined) o.vlo = r.vlo;
      return o;
    });
    return new Uint8Array(Buffer.from(JSON.stringify(arr), 'utf8'));
  },
  read(payload) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    } catch (e) {
      throw new PayloadError('Malformed SenML-JSON payload', { cause: e });
    }
    if (!Array.isArray(parsed)) throw new PayloadError('SenML-JSON payload is not an array');
    return parsed.map(readRecord);
  },
});
