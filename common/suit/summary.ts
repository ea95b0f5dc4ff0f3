/**
 * A JSON view of a decoded envelope for people and scripts (`handover suit show`): sequence
 * number, components as hex lists, the manifest digest, every command sequence with named
 * commands and parameters, severed members as their digests, texts.
 */
import type { SuitCommand, SuitCommandSequence } from './command-sequence';
import { type SuitDigest, suitDigestHex } from './digest';
import type { SuitEnvelopeParts } from './envelope';
import type { SuitManifest, SuitSeverable } from './manifest';
import type { SuitParameters } from './parameters';
import type { SuitText } from './text';
import { formatUuid } from './uuid';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const digestJson = (d: SuitDigest): Json => ({ alg: d.alg, hex: suitDigestHex(d) });

function params(p: SuitParameters): Json {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === 'custom') out.custom = Object.fromEntries([...(v as Map<number, unknown>)].map(([ck, cv]) => [String(ck), cv instanceof Uint8Array ? hex(cv) : (cv as Json)]));
    else if (k === 'vendorId' || k === 'classId' || k === 'deviceId') out[k] = formatUuid(v as Uint8Array);
    else if (k === 'imageDigest') out[k] = digestJson(v as SuitDigest);
    else if (v instanceof Uint8Array) out[k] = hex(v);
    else out[k] = v as Json;
  }
  return out;
}

function command(c: SuitCommand): Json {
  switch (c.kind) {
    case 'condition': return { condition: c.name, policy: c.reportingPolicy };
    case 'action': return { directive: c.name, policy: c.reportingPolicy };
    case 'set-component-index': return { directive: 'set-component-index', index: Array.isArray(c.index) ? [...c.index] : (c.index as number | true) };
    case 'override-parameters': return { directive: 'override-parameters', parameters: params(c.parameters) };
    case 'run-sequence': return { directive: 'run-sequence', sequence: sequence(c.sequence) };
    case 'try-each': return { directive: 'try-each', sequences: c.sequences.map((s) => (s === null ? null : sequence(s))) };
  }
}

const sequence = (s: SuitCommandSequence): Json => s.map(command);

function severable<T>(m: SuitSeverable<T>, render: (v: T) => Json): Json {
  if (m.value === undefined) return { severed: digestJson(m.digest!) };
  return m.digest ? { severed: digestJson(m.digest), value: render(m.value) } : render(m.value);
}

function text(t: SuitText): Json {
  const out: Record<string, Json> = {};
  for (const [lang, l] of t) {
    out[lang] = { ...(l.manifest as Record<string, Json>), components: l.components.map((c) => ({ component: c.component.map(hex), ...(c.text as Record<string, Json>) })) };
  }
  return out;
}

/** The JSON summary of an envelope. */
export function suitEnvelopeSummary(parts: SuitEnvelopeParts, manifest: SuitManifest): Record<string, Json> {
  const commands: Record<string, Json> = {};
  if (manifest.common.sharedSequence) commands.shared = sequence(manifest.common.sharedSequence);
  if (manifest.payloadFetch) commands.payloadFetch = severable(manifest.payloadFetch, sequence);
  if (manifest.install) commands.install = severable(manifest.install, sequence);
  if (manifest.validate) commands.validate = sequence(manifest.validate);
  if (manifest.load) commands.load = sequence(manifest.load);
  if (manifest.invoke) commands.invoke = sequence(manifest.invoke);
  return {
    sequenceNumber: manifest.sequenceNumber,
    components: manifest.common.components.map((c) => c.map(hex)),
    digest: digestJson(parts.authentication.digest),
    commands,
    ...(manifest.referenceUri !== undefined ? { referenceUri: manifest.referenceUri } : {}),
    ...(manifest.text ? { text: severable(manifest.text, text) } : {}),
    authenticationBlocks: parts.authentication.blocks.length,
    integratedPayloads: [...parts.integratedPayloads.keys()],
  };
}
