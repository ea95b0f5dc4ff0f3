/**
 * SUIT_Text_Map (manifest §8.4.4): per language tag, the manifest's text fields and, per
 * component identifier, the component's text fields. Negative (application-specific) keys are
 * kept as `custom`; unknown positive keys are refused.
 */
import { decodeCbor, encodeCbor, ownBytes } from './cbor';
import { SuitInvalidError, SuitUnsupportedError } from './errors';
import { SuitComponentTextKey, SuitTextKey, labelName } from './labels';

export type SuitComponentText = { -readonly [K in keyof typeof SuitComponentTextKey]?: string };
export type SuitManifestText = { -readonly [K in keyof typeof SuitTextKey]?: string };

export interface SuitTextLanguage {
  readonly manifest: SuitManifestText;
  readonly components: ReadonlyArray<{ readonly component: readonly Uint8Array[]; readonly text: SuitComponentText; readonly custom?: ReadonlyMap<number, string> }>;
  readonly custom?: ReadonlyMap<number, string>;
}

/** Language tag (RFC 9290 tag38 ltag) -> texts. */
export type SuitText = ReadonlyMap<string, SuitTextLanguage>;

const LTAG = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;

function fields<T extends Record<string, number>>(map: Map<unknown, unknown>, table: T, what: string, allowComponents: boolean) {
  const named: Record<string, string> = {};
  const custom = new Map<number, string>();
  const components: Array<{ component: Uint8Array[]; text: SuitComponentText; custom?: Map<number, string> }> = [];
  for (const [k, v] of map) {
    if (typeof k === 'number' && Number.isInteger(k)) {
      if (typeof v !== 'string') throw new SuitInvalidError(`${what}: text ${k} must be a text string`);
      if (k < 0) { custom.set(k, v); continue; }
      const name = labelName(table, k);
      if (!name) throw new SuitUnsupportedError(`${what}: text key ${k} is not supported`);
      named[name as string] = v;
    } else if (allowComponents && Array.isArray(k) && k.every((s) => s instanceof Uint8Array)) {
      if (!(v instanceof Map)) throw new SuitInvalidError(`${what}: component text must be a map`);
      const inner = fields(v, SuitComponentTextKey, `${what} component`, false);
      components.push({ component: k.map((s: Uint8Array) => ownBytes(s)), text: inner.named, ...(inner.custom.size ? { custom: inner.custom } : {}) });
    } else {
      throw new SuitInvalidError(`${what}: keys are integers${allowComponents ? ' or component identifiers' : ''}`);
    }
  }
  return { named, custom, components };
}

/** Decode the CBOR of a SUIT_Text_Map. */
export function suitTextFromCbor(value: unknown, what = 'suit-text'): SuitText {
  if (!(value instanceof Map) || value.size === 0) throw new SuitInvalidError(`${what} must be a non-empty map of language tags`);
  const out = new Map<string, SuitTextLanguage>();
  for (const [lang, lmap] of value) {
    if (typeof lang !== 'string' || !LTAG.test(lang)) throw new SuitInvalidError(`${what}: "${String(lang)}" is not a language tag`);
    if (!(lmap instanceof Map)) throw new SuitInvalidError(`${what}: texts of ${lang} must be a map`);
    const f = fields(lmap, SuitTextKey, `${what} ${lang}`, true);
    out.set(lang, { manifest: f.named, components: f.components, ...(f.custom.size ? { custom: f.custom } : {}) });
  }
  return out;
}

function sortedMap(entries: Array<[unknown, unknown]>): Map<unknown, unknown> {
  return new Map(entries.sort((a, b) => Buffer.compare(encodeCbor(a[0]), encodeCbor(b[0]))));
}

function textEntries<T extends Record<string, number>>(table: T, named: Record<string, string | undefined>, custom?: ReadonlyMap<number, string>): Array<[unknown, unknown]> {
  const e: Array<[unknown, unknown]> = [];
  for (const [name, v] of Object.entries(named)) if (v !== undefined) e.push([table[name], v]);
  for (const [k, v] of custom ?? []) e.push([k, v]);
  return e;
}

/** The CBOR map of a SUIT_Text_Map. */
export function suitTextToCbor(text: SuitText): Map<unknown, unknown> {
  const langs: Array<[unknown, unknown]> = [];
  for (const [lang, l] of text) {
    if (!LTAG.test(lang)) throw new SuitInvalidError(`"${lang}" is not a language tag`);
    const e = textEntries(SuitTextKey, l.manifest, l.custom);
    for (const c of l.components) e.push([[...c.component], sortedMap(textEntries(SuitComponentTextKey, c.text, c.custom))]);
    langs.push([lang, sortedMap(e)]);
  }
  return sortedMap(langs);
}

export function decodeSuitText(bytes: Uint8Array): SuitText {
  return suitTextFromCbor(decodeCbor(bytes, 'suit-text'));
}

export function encodeSuitText(text: SuitText): Uint8Array {
  return encodeCbor(suitTextToCbor(text));
}
