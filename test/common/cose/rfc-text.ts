/**
 * Test helper: hex figures read straight from the RFC/draft texts in shared/specs, so the
 * vectors are the published ones (no copies). A figure is the block of hex lines just above its
 * "Figure N:" caption; page breaks (form feeds, running headers and footers) are skipped.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const SPECS = path.resolve(__dirname, '../../..', '../shared/specs');

export function specPath(name: string): string {
  return path.join(SPECS, name);
}

/** The hex bytes of figure `n` in spec file `name`. */
export function figureHex(name: string, n: number): Buffer {
  const lines = readFileSync(specPath(name), 'utf8').split('\n');
  const at = lines.findIndex((l) => new RegExp(`^\\s*Figure ${n}:`).test(l));
  if (at < 0) throw new Error(`no Figure ${n} in ${name}`);
  const hex: string[] = [];
  for (let i = at - 1; i >= 0; i--) {
    const l = lines[i].replace(/\f/g, '').trim();
    if (l === '' || /^Internet-Draft\s/.test(l) || /\[Page \d+\]$/.test(l)) continue;
    if (!/^[0-9a-f]+$/i.test(l)) break;
    hex.unshift(l);
  }
  if (hex.length === 0) throw new Error(`Figure ${n} in ${name} holds no hex`);
  return Buffer.from(hex.join(''), 'hex');
}
