/**
 * SenML-CBOR (application/senml+cbor, content format 112; RFC 8428 §6): the same records with
 * integer labels bn −2, bt −3, n 0, v 2, vs 3, vb 4, vd 8, t 6, and LwM2M's "vlo" as a text key.
 */
import { Decoder, Encoder } from 'cbor-x';
import type { NodeCodec } from '../codec';
import { ContentFormat } from '../content-format';
import { PayloadError } from '../errors';
import { senmlCodec } from './senml-codec';
import type { SenmlRecord } from './senml-records';

const encoder = new Encoder({ tagUint8Array: false, mapsAsObjects: false, useRecords: false, variableMapSize: true } as never);
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false } as never);

const LABELS: Record<string, number | string> = { bn: -2, bt: -3, n: 0, v: 2, vs: 3, vb: 4, vd: 8, t: 6, vlo: 'vlo' };

function readRecord(m: unknown, i: number): SenmlRecord {
  if (!(m instanceof Map)) throw new PayloadError(`SenML-CBOR record ${i} is not a map`);
  const rec: SenmlRecord = {};
  const bad = (f: string): never => { throw new PayloadError(`SenML-CBOR record ${i}: bad "${f}"`); };
  for (const [k, v] of m as Map<unknown, unknown>) {
    switch (k) {
      case -2: rec.bn = typeof v === 'string' ? v : bad('bn'); break;
      case 0: rec.n = typeof v === 'string' ? v : bad('n'); break;
      case 3: rec.vs = typeof v === 'string' ? v : bad('vs'); break;
      case 'vlo': rec.vlo = typeof v === 'string' ? v : bad('vlo'); break;
      case -3: rec.bt = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : bad('bt'); break;
      case 6: rec.t = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : bad('t'); break;
      case 2: rec.v = typeof v === 'number' || typeof v === 'bigint' ? v : bad('v'); break;
      case 4: rec.vb = typeof v === 'boolean' ? v : bad('vb'); break;
      case 8: rec.vd = v instanceof Uint8Array ? new Uint8Array(v) : bad('vd'); break;
      default:
        if (typeof k === 'string' && k.endsWith('_')) throw new PayloadError(`SenML-CBOR record ${i}: unsupported mandatory field "${k}"`);
        if (typeof k === 'number' && k < -255) throw new PayloadError(`SenML-CBOR record ${i}: unsupported mandatory label ${k}`);
    }
  }
  return rec;
}

export const senmlCborCodec: NodeCodec = senmlCodec(ContentFormat.SENML_CBOR, 'SENML_CBOR', {
  write(records) {
    const arr = records.map((r) => {
      const m = new Map<number | string, unknown>();
      for (const f of ['bn', 'bt', 'n', 't', 'v', 'vs', 'vb', 'vd', 'vlo'] as const) {
        const v = r[f];
        if (v !== undefined) m.set(LABELS[f], v instanceof Uint8Array ? Buffer.from(v) : v);
      }
      return m;
    });
    return new Uint8Array(encoder.encode(arr));
  },
  read(payload) {
    let parsed: unknown;
    try {
      parsed = decoder.decode(Buffer.from(payload));
    } catch (e) {
      throw new PayloadError('Malformed SenML-CBOR payload', { cause: e });
    }
    if (!Array.isArray(parsed)) throw new PayloadError('SenML-CBOR payload is not an array');
    return parsed.map(readRecord);
  },
});
