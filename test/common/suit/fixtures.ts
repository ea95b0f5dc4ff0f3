/**
 * Reading the SUIT fixtures of draft-ietf-suit-manifest Appendix B (shared/fixtures/suit):
 * the hex envelopes of each exampleN.txt and a parser of the subset of CBOR diagnostic notation
 * (RFC 8949 §8, RFC 8610 Appendix G: << >> embedded CBOR, h'' split over lines, / comments /)
 * the examples are written in, giving the CBOR the diagnostic text describes.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Tag, encodeCbor } from '../../../common/suit/cbor';

export const FIXTURES = resolve(__dirname, '../../..', '../shared/fixtures/suit');
export const EXAMPLES = [0, 1, 2] as const;

export function fixtureText(n: number): string {
  return readFileSync(resolve(FIXTURES, `example${n}.txt`), 'utf8');
}

/** The hex blocks of an example, in order (the last is the full envelope with authentication). */
export function fixtureEnvelopes(n: number): Uint8Array[] {
  return [...fixtureText(n).matchAll(/~~~\n([0-9a-f\n]+)~~~/g)].map((m) => new Uint8Array(Buffer.from(m[1].replace(/\n/g, ''), 'hex')));
}

/** The full signed envelope of example n (with severable members when it has them). */
export function fixtureEnvelope(n: number): Uint8Array {
  const all = fixtureEnvelopes(n);
  return all[all.length - 1];
}

export function fixtureDescription(n: number): string {
  return readFileSync(resolve(FIXTURES, `example${n}.json`), 'utf8');
}

export const PUBLIC_KEY_PEM = () => readFileSync(resolve(FIXTURES, 'public_key.pem'), 'utf8');

/** An embedded CBOR item (<< >>) of the diagnostic notation. */
export class Embedded { constructor(readonly value: unknown) {} }

/** Parse the cbor-diag block of an example into values (Map, arrays, Uint8Array, Tag, Embedded). */
export function fixtureDiag(n: number): unknown {
  const m = /~~~ cbor-diag\n([\s\S]*?)~~~/.exec(fixtureText(n));
  if (!m) throw new Error(`example${n} has no cbor-diag`);
  const src = m[1];
  let i = 0;
  const skip = () => {
    for (;;) {
      while (i < src.length && /\s/.test(src[i])) i++;
      if (src[i] === '/') { i = src.indexOf('/', i + 1) + 1; continue; }
      return;
    }
  };
  const expect = (s: string) => { skip(); if (!src.startsWith(s, i)) throw new Error(`expected ${s} at ${i}: ${src.slice(i, i + 20)}`); i += s.length; };
  const item = (): unknown => {
    skip();
    if (src.startsWith('<<', i)) { i += 2; const v = item(); expect('>>'); return new Embedded(v); }
    if (src[i] === '{') {
      i++;
      const map = new Map<unknown, unknown>();
      skip();
      while (src[i] !== '}') { const k = item(); expect(':'); map.set(k, item()); skip(); if (src[i] === ',') { i++; skip(); } }
      i++;
      return map;
    }
    if (src[i] === '[') {
      i++;
      const arr: unknown[] = [];
      skip();
      while (src[i] !== ']') { arr.push(item()); skip(); if (src[i] === ',') { i++; skip(); } }
      i++;
      return arr;
    }
    if (src.startsWith("h'", i)) { const end = src.indexOf("'", i + 2); const hex = src.slice(i + 2, end).replace(/\s/g, ''); i = end + 1; return new Uint8Array(Buffer.from(hex, 'hex')); }
    if (src[i] === '"') { const end = src.indexOf('"', i + 1); const s = src.slice(i + 1, end); i = end + 1; return s; }
    for (const [word, v] of [['null', null], ['true', true], ['false', false]] as const) if (src.startsWith(word, i)) { i += word.length; return v; }
    const num = /^-?\d+/.exec(src.slice(i));
    if (!num) throw new Error(`unexpected ${src.slice(i, i + 20)}`);
    i += num[0].length;
    skip();
    if (src[i] === '(') { i++; const v = item(); expect(')'); return new Tag(v, Number(num[0])); }
    return Number(num[0]);
  };
  return item();
}

/** The CBOR encoding of a parsed diagnostic value. */
export function diagToCbor(v: unknown): Uint8Array {
  const plain = (x: unknown): unknown => {
    if (x instanceof Embedded) return diagToCbor(x.value);
    if (x instanceof Tag) return new Tag(plain(x.value), x.tag);
    if (Array.isArray(x)) return x.map(plain);
    if (x instanceof Map) return new Map([...x].map(([k, val]) => [plain(k), plain(val)]));
    return x;
  };
  return encodeCbor(plain(v));
}
