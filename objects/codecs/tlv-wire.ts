/**
 * The raw OMA TLV wire format (LwM2M 1.1 Core §7.4.3, Table 21): Type byte, 8/16-bit identifier,
 * 0/8/16/24-bit length, value. Object Instance and Multiple Resource entries nest other entries
 * (at most 3 levels). This layer knows nothing of models or value types; tlv.ts maps nodes onto it.
 */
import { PayloadError } from '../errors';

export type TlvKind = 'OBJECT_INSTANCE' | 'RESOURCE_INSTANCE' | 'MULTIPLE_RESOURCE' | 'RESOURCE_VALUE';

/** A TLV entry: a value (RESOURCE_VALUE, RESOURCE_INSTANCE) or nested entries (the other two). */
export type TlvEntry =
  | { readonly kind: 'RESOURCE_VALUE' | 'RESOURCE_INSTANCE'; readonly id: number; readonly value: Uint8Array }
  | { readonly kind: 'OBJECT_INSTANCE' | 'MULTIPLE_RESOURCE'; readonly id: number; readonly children: readonly TlvEntry[] };

const KIND_BITS: Readonly<Record<TlvKind, number>> = {
  OBJECT_INSTANCE: 0b00,
  RESOURCE_INSTANCE: 0b01,
  MULTIPLE_RESOURCE: 0b10,
  RESOURCE_VALUE: 0b11,
};
const KINDS: readonly TlvKind[] = ['OBJECT_INSTANCE', 'RESOURCE_INSTANCE', 'MULTIPLE_RESOURCE', 'RESOURCE_VALUE'];
/** What may nest in what (Figure 17: TLV nesting). */
const CHILDREN: Readonly<Record<string, readonly TlvKind[]>> = {
  OBJECT_INSTANCE: ['RESOURCE_VALUE', 'MULTIPLE_RESOURCE'],
  MULTIPLE_RESOURCE: ['RESOURCE_INSTANCE'],
};
export const TLV_MAX_LENGTH = 0xffffff;

/** Decode a TLV payload into entries, nested ones included. Throws PayloadError. */
export function decodeTlv(bytes: Uint8Array): TlvEntry[] {
  return decodeLevel(bytes, 0, bytes.length, undefined);
}

function decodeLevel(b: Uint8Array, start: number, end: number, parent: TlvKind | undefined): TlvEntry[] {
  const out: TlvEntry[] = [];
  let i = start;
  const need = (n: number, what: string) => {
    if (i + n > end) throw new PayloadError(`Truncated TLV: ${what} at offset ${i} needs ${n} byte(s)`, { details: { offset: i } });
  };
  while (i < end) {
    const type = b[i];
    const kind = KINDS[type >> 6];
    if (parent !== undefined && !CHILDREN[parent].includes(kind)) {
      throw new PayloadError(`TLV ${kind} cannot be nested in ${parent} (offset ${i})`, { details: { offset: i } });
    }
    i++;
    const idLength = type & 0x20 ? 2 : 1;
    need(idLength, 'identifier');
    const id = idLength === 2 ? (b[i] << 8) | b[i + 1] : b[i];
    i += idLength;
    const lengthType = (type >> 3) & 0b11;
    let length = type & 0b111;
    if (lengthType > 0) {
      need(lengthType, 'length');
      length = 0;
      for (let k = 0; k < lengthType; k++) length = (length << 8) | b[i + k];
      i += lengthType;
    }
    need(length, `value of ${kind} ${id}`);
    if (kind === 'OBJECT_INSTANCE' || kind === 'MULTIPLE_RESOURCE') {
      out.push({ kind, id, children: decodeLevel(b, i, i + length, kind) });
    } else {
      out.push({ kind, id, value: b.slice(i, i + length) });
    }
    i += length;
  }
  return out;
}

/** Encode entries (shortest identifier and length forms). Throws PayloadError past 16.7 MB. */
export function encodeTlv(entries: readonly TlvEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const e of entries) writeEntry(e, chunks);
  return concat(chunks);
}

function writeEntry(e: TlvEntry, chunks: Uint8Array[]): void {
  if (!Number.isInteger(e.id) || e.id < 0 || e.id > 0xffff) throw new PayloadError(`TLV identifier ${e.id} out of range`);
  const value = 'children' in e ? encodeTlv(e.children) : e.value;
  const length = value.length;
  if (length > TLV_MAX_LENGTH) throw new PayloadError(`TLV value of ${length} bytes exceeds the 24-bit length`);
  let type = KIND_BITS[e.kind] << 6;
  const header: number[] = [];
  if (e.id > 0xff) {
    type |= 0x20;
    header.push(e.id >> 8, e.id & 0xff);
  } else {
    header.push(e.id);
  }
  if (length < 8) {
    type |= length;
  } else if (length <= 0xff) {
    type |= 0b01 << 3;
    header.push(length);
  } else if (length <= 0xffff) {
    type |= 0b10 << 3;
    header.push(length >> 8, length & 0xff);
  } else {
    type |= 0b11 << 3;
    header.push(length >> 16, (length >> 8) & 0xff, length & 0xff);
  }
  chunks.push(Uint8Array.from([type, ...header]), value);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
