/**
 * The query parameters of the client routes, as Leshan's ClientServlet reads them: `format`,
 * `pathformat`, `nodeformat` (content format names), `timeout` (seconds, default 5), `replace`,
 * `paths`, `active`, and the raw query of Write-Attributes. Bad values are InvalidInputErrors.
 */
import { InvalidInputError } from '../../common/errors';
import { FORMAT_BY_NAME } from '../../objects/content-format';
import { LwM2mPath } from '../../objects/path';

/** Default request timeout, seconds (Leshan's DEFAULT_TIMEOUT). */
export const DEFAULT_TIMEOUT_S = 5;
/** Longest timeout an operator may ask for, seconds. */
export const MAX_TIMEOUT_S = 600;

/** A content format name (TLV, JSON, SENML_JSON, SENML_CBOR, TEXT, OPAQUE, CBOR, LINK) → number. */
export function formatParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const f = FORMAT_BY_NAME[v.toUpperCase()];
  if (f === undefined) throw new InvalidInputError(`Unknown ${name} "${v}": use one of ${Object.keys(FORMAT_BY_NAME).join(', ')}`);
  return f;
}

/** `timeout` in seconds → milliseconds. */
export function timeoutParam(query: URLSearchParams): number {
  const v = query.get('timeout');
  if (v === null || v === '') return DEFAULT_TIMEOUT_S * 1000;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_TIMEOUT_S) {
    throw new InvalidInputError(`timeout must be a whole number of seconds between 1 and ${MAX_TIMEOUT_S}`);
  }
  return Number(v) * 1000;
}

/** `replace` (default true; "false" asks for a partial update). */
export function replaceParam(query: URLSearchParams): boolean {
  const v = query.get('replace');
  if (v === null) return true;
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw new InvalidInputError(`replace must be true or false, got "${v}"`);
}

/** `active` is a flag: present (any value) means send a CoAP cancel. */
export function activeParam(query: URLSearchParams): boolean {
  return query.has('active');
}

/** `paths=/3/0/1,/3/0/2` → paths (at least one). */
export function pathsParam(query: URLSearchParams): LwM2mPath[] {
  const v = query.get('paths');
  if (v === null || v.trim() === '') throw new InvalidInputError('paths parameter is required, e.g. paths=/3/0/1,/3/0/2');
  return v.split(',').map((p) => LwM2mPath.parse(p));
}

/** Write-Attributes names (LwM2M 1.1 §5.1.2 and 1.2 additions) and how their values read. */
const ATTRIBUTES: Readonly<Record<string, 'uint' | 'number' | 'bit'>> = {
  pmin: 'uint', pmax: 'uint', gt: 'number', lt: 'number', st: 'number',
  epmin: 'uint', epmax: 'uint', edge: 'bit', con: 'bit', hqmax: 'uint',
};
/** Parameters of the route itself, not attributes. */
const NOT_ATTRIBUTES: ReadonlySet<string> = new Set(['timeout', 'token']);

/**
 * The raw query of Write-Attributes, e.g. `pmin=10&pmax=60&gt` → {pmin:"10", pmax:"60", gt:null}
 * (a name without value unsets the attribute). `timeout` is the request timeout, not an attribute.
 */
export function attributesParam(rawQuery: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let name: string;
    let value: string | null;
    try {
      name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      value = eq < 0 ? null : decodeURIComponent(part.slice(eq + 1));
    } catch {
      throw new InvalidInputError(`Malformed query "${part}"`);
    }
    if (NOT_ATTRIBUTES.has(name)) continue;
    const kind = ATTRIBUTES[name];
    if (kind === undefined) throw new InvalidInputError(`Unknown attribute "${name}"`);
    if (Object.hasOwn(out, name)) throw new InvalidInputError(`Attribute "${name}" given twice`);
    if (value !== null) {
      const ok = kind === 'uint' ? /^\d{1,10}$/.test(value)
        : kind === 'bit' ? value === '0' || value === '1'
          : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value);
      if (!ok) throw new InvalidInputError(`Invalid value "${value}" for attribute ${name}`);
    }
    out[name] = value;
  }
  if (Object.keys(out).length === 0) throw new InvalidInputError('No attribute to write, e.g. ?pmin=10&pmax=60');
  return out;
}
