import { optionNumber } from '../../common/coap/media-types';

/** CoAP uint option values (RFC 7252 §3.2): minimal big-endian bytes, 0 as the empty string. */
export function uintBytes(n: number): Buffer {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Buffer.from(out);
}

export function uintValue(b: Uint8Array): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

/** A raw option of a node-coap parsed packet (`_packet.options`), by name. */
export function rawOptions(options: ReadonlyArray<{ name: string | number; value: unknown }> | undefined, name: string): Buffer[] {
  return (options ?? []).filter((o) => o.name === name && Buffer.isBuffer(o.value)).map((o) => o.value as Buffer);
}

/** Content-Format / Accept as a content-format number (common/coap/media-types.ts); undefined when absent. */
export function formatOption(options: ReadonlyArray<{ name: string | number; value: unknown }> | undefined, name: 'Content-Format' | 'Accept'): number | undefined {
  const o = (options ?? []).find((x) => x.name === name);
  if (!o) return undefined;
  return optionNumber(o.value) ?? -1;
}
