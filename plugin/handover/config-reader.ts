/**
 * Field readers of the provider configuration (provider-config.ts): each names the field in its
 * error (a ConfigError, one line), refuses unknown fields, and resolves relative paths against
 * the configuration's directory.
 */
import * as path from 'node:path';
import { ConfigError } from './errors';

export type Obj = Record<string, unknown>;

/** Field readers that name the field in every error; relative paths resolve against `dir`. */
export class Reader {
  constructor(private readonly source: string, private readonly dir: string) {}

  fail(where: string, what: string): never {
    throw new ConfigError(`${this.source}: ${where} ${what}`);
  }

  obj(v: unknown, where: string, allowed: readonly string[]): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(where, 'must be a JSON object');
    const unknown = Object.keys(v as Obj).find((k) => !allowed.includes(k));
    if (unknown !== undefined) this.fail(where, `has an unknown field "${unknown}" (allowed: ${allowed.join(', ')})`);
    return v as Obj;
  }

  str(o: Obj, key: string, where: string): string;
  str(o: Obj, key: string, where: string, optional: true): string | undefined;
  str(o: Obj, key: string, where: string, optional = false): string | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (v === undefined) this.fail(`${where}.${key}`, 'is required');
    if (typeof v !== 'string' || v.trim() === '') this.fail(`${where}.${key}`, 'must be a non-empty string');
    return v as string;
  }

  int(o: Obj, key: string, where: string, min: number, max: number, def?: number): number {
    const v = o[key];
    if (v === undefined && def !== undefined) return def;
    if (v === undefined) this.fail(`${where}.${key}`, 'is required');
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(`${where}.${key}`, `must be an integer from ${min} to ${max}`);
    return v as number;
  }

  optInt(o: Obj, key: string, where: string, min: number, max: number): number | undefined {
    return o[key] === undefined ? undefined : this.int(o, key, where, min, max);
  }

  bool(o: Obj, key: string, where: string, def: boolean): boolean {
    const v = o[key];
    if (v === undefined) return def;
    if (typeof v !== 'boolean') this.fail(`${where}.${key}`, 'must be true or false');
    return v as boolean;
  }

  file(o: Obj, key: string, where: string): string;
  file(o: Obj, key: string, where: string, optional: true): string | undefined;
  file(o: Obj, key: string, where: string, optional = false): string | undefined {
    const v = optional ? this.str(o, key, where, true) : this.str(o, key, where);
    return v === undefined ? undefined : path.resolve(this.dir, v);
  }

  uri(o: Obj, key: string, where: string, schemes: readonly string[], optional = false): string | undefined {
    const v = optional ? this.str(o, key, where, true) : this.str(o, key, where);
    if (v === undefined) return undefined;
    let u: URL;
    try { u = new URL(v); } catch { this.fail(`${where}.${key}`, `is not a URI: "${v}"`); }
    if (!schemes.includes(u.protocol.slice(0, -1))) this.fail(`${where}.${key}`, `must be a ${schemes.join(' or ')} URI, got "${v}"`);
    return v;
  }
}

export const PORT = [1, 65535] as const;
