/**
 * SenML records (RFC 8428) as both wire formats (JSON, CBOR) carry them, plus LwM2M's `vlo`
 * object-link value, and their resolution (RFC 8428 §4.6): base name, base time and base value
 * carry over to the following records until changed; names are base name + name, times base
 * time + time, with times below 2^28 relative to now (§4.5.3).
 */
import { PayloadError } from '../errors';

/** One SenML record as on the wire; numbers may be bigint when CBOR carries a 64-bit integer. */
export interface SenmlRecord {
  bn?: string;
  bt?: number;
  bu?: string;
  bv?: number;
  bs?: number;
  bver?: number;
  n?: string;
  u?: string;
  v?: number | bigint;
  vs?: string;
  vb?: boolean;
  vd?: Uint8Array;
  vlo?: string;
  s?: number;
  t?: number;
  ut?: number;
}

export type SenmlValue =
  | { readonly field: 'v'; readonly value: number | bigint }
  | { readonly field: 'vs' | 'vlo'; readonly value: string }
  | { readonly field: 'vb'; readonly value: boolean }
  | { readonly field: 'vd'; readonly value: Uint8Array };

/** A record after resolution: its full name, absolute time (undefined = now) and value. */
export interface ResolvedRecord {
  readonly name: string;
  readonly time?: Date;
  readonly value?: SenmlValue;
}

/** RFC 8428 §4.5.3: times at or above 2^28 are absolute, below it relative to now. */
export const SENML_ABSOLUTE_TIME = 2 ** 28;

/** Resolve records per RFC 8428 §4.6. `now` (ms) anchors relative times. Throws PayloadError. */
export function resolveRecords(records: readonly SenmlRecord[], now = Date.now()): ResolvedRecord[] {
  let bn = '';
  let bt = 0;
  let bv: number | undefined;
  return records.map((r, index) => {
    if (r.bver !== undefined && r.bver > 10) throw new PayloadError(`SenML record ${index}: unsupported version ${r.bver}`);
    if (r.bn !== undefined) bn = r.bn;
    if (r.bt !== undefined) bt = r.bt;
    if (r.bv !== undefined) bv = r.bv;
    const values: SenmlValue[] = [];
    const others = r.vs !== undefined || r.vb !== undefined || r.vd !== undefined || r.vlo !== undefined;
    // §4.6: Base Value and Value are added, a missing one counting as zero.
    if (r.v !== undefined) values.push({ field: 'v', value: bv !== undefined ? Number(r.v) + bv : r.v });
    else if (bv !== undefined && !others) values.push({ field: 'v', value: bv });
    if (r.vs !== undefined) values.push({ field: 'vs', value: r.vs });
    if (r.vb !== undefined) values.push({ field: 'vb', value: r.vb });
    if (r.vd !== undefined) values.push({ field: 'vd', value: r.vd });
    if (r.vlo !== undefined) values.push({ field: 'vlo', value: r.vlo });
    if (values.length > 1) throw new PayloadError(`SenML record ${index} has more than one value field`);
    const seconds = bt + (r.t ?? 0);
    if (!Number.isFinite(seconds)) throw new PayloadError(`SenML record ${index}: invalid time`);
    let time: Date | undefined;
    if (seconds !== 0) {
      time = new Date(seconds >= SENML_ABSOLUTE_TIME ? seconds * 1000 : now + seconds * 1000);
      if (Number.isNaN(time.getTime())) throw new PayloadError(`SenML record ${index}: time ${seconds} out of range`);
    }
    return { name: bn + (r.n ?? ''), time, value: values[0] };
  });
}

/** The value fields of a record, as one SenmlValue, for encoders. */
export function recordWithValue(record: SenmlRecord, value: SenmlValue): SenmlRecord {
  return { ...record, [value.field]: value.value };
}
