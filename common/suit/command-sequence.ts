/**
 * SUIT_Command_Sequence (manifest §8.4.6, §8.4.9, §8.4.10): a flat CBOR array of
 * command-code / argument pairs, decoded into a tagged union and encoded back. The shared
 * sequence may only hold conditions and the flow-control directives (SUIT_Shared_Sequence);
 * custom commands and unknown codes are refused with a SuitUnsupportedError.
 */
import { decodeCbor, encodeCbor } from './cbor';
import { SuitInvalidError, SuitUnsupportedError } from './errors';
import {
  SUIT_REPORTING_BITS, SuitActionCode, type SuitActionName, SuitConditionCode, type SuitConditionName, SuitFlowCode, labelName,
} from './labels';
import { type SuitParameters, suitParametersFromCbor, suitParametersToCbor } from './parameters';

/** Component Index argument (§6.5): one index, every component (true), or a list. */
export type SuitComponentIndex = number | true | readonly number[];

export type SuitCommand =
  | { readonly kind: 'condition'; readonly name: SuitConditionName; readonly reportingPolicy: number }
  | { readonly kind: 'action'; readonly name: SuitActionName; readonly reportingPolicy: number }
  | { readonly kind: 'set-component-index'; readonly index: SuitComponentIndex }
  | { readonly kind: 'override-parameters'; readonly parameters: SuitParameters }
  /** `sequences` null entries are the optional trailing nil (an empty sequence that succeeds). */
  | { readonly kind: 'try-each'; readonly sequences: ReadonlyArray<SuitCommandSequence | null> }
  | { readonly kind: 'run-sequence'; readonly sequence: SuitCommandSequence };

export type SuitCommandSequence = readonly SuitCommand[];

function policy(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new SuitInvalidError(`${what}: reporting policy must be an unsigned integer`);
  if ((v & ~SUIT_REPORTING_BITS) !== 0) throw new SuitInvalidError(`${what}: reporting policy ${v} sets undefined bits`);
  return v;
}

function componentIndex(v: unknown, what: string): SuitComponentIndex {
  const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (v === true || isIndex(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every(isIndex)) return [...v];
  throw new SuitInvalidError(`${what}: component index must be an unsigned integer, true or a non-empty list of indices`);
}

function nested(v: unknown, what: string, shared: boolean): SuitCommandSequence {
  if (!(v instanceof Uint8Array)) throw new SuitInvalidError(`${what} must be a bstr-wrapped command sequence`);
  return decodeSuitCommandSequence(v, what, shared);
}

/** Decode the CBOR array of a command sequence. `shared`: the SUIT_Shared_Sequence restrictions apply. */
export function suitCommandSequenceFromCbor(value: unknown, what: string, shared = false): SuitCommandSequence {
  if (!Array.isArray(value) || value.length === 0) throw new SuitInvalidError(`${what} must be a non-empty array of commands`);
  if (value.length % 2 !== 0) throw new SuitInvalidError(`${what}: commands come in code / argument pairs`);
  const out: SuitCommand[] = [];
  for (let i = 0; i < value.length; i += 2) {
    const code = value[i];
    const arg = value[i + 1];
    const at = `${what}[${i / 2}]`;
    if (typeof code !== 'number' || !Number.isInteger(code)) throw new SuitInvalidError(`${at}: command code must be an integer`);
    if (code < 0) throw new SuitUnsupportedError(`${at}: custom command ${code} is not supported`);
    const condition = labelName(SuitConditionCode, code);
    if (condition) { out.push({ kind: 'condition', name: condition, reportingPolicy: policy(arg, at) }); continue; }
    switch (code) {
      case SuitFlowCode['set-component-index']: out.push({ kind: 'set-component-index', index: componentIndex(arg, at) }); continue;
      case SuitFlowCode['override-parameters']: out.push({ kind: 'override-parameters', parameters: suitParametersFromCbor(arg, at) }); continue;
      case SuitFlowCode['run-sequence']: out.push({ kind: 'run-sequence', sequence: nested(arg, `${at} run-sequence`, shared) }); continue;
      case SuitFlowCode['try-each']: {
        if (!Array.isArray(arg)) throw new SuitInvalidError(`${at}: try-each takes an array of sequences`);
        const last = arg.length > 0 && arg[arg.length - 1] === null;
        const seqs = last ? arg.slice(0, -1) : arg;
        if (seqs.length < 2) throw new SuitInvalidError(`${at}: try-each needs at least two sequences`);
        out.push({ kind: 'try-each', sequences: [...seqs.map((s, j) => nested(s, `${at} try-each[${j}]`, shared)), ...(last ? [null] : [])] });
        continue;
      }
    }
    const action = labelName(SuitActionCode, code);
    if (action) {
      if (shared) throw new SuitInvalidError(`${at}: directive ${action} is not allowed in the shared sequence`);
      out.push({ kind: 'action', name: action, reportingPolicy: policy(arg, at) });
      continue;
    }
    throw new SuitUnsupportedError(`${at}: command ${code} is not supported`);
  }
  return out;
}

/** The CBOR array of a command sequence. */
export function suitCommandSequenceToCbor(seq: SuitCommandSequence): unknown[] {
  if (seq.length === 0) throw new SuitInvalidError('a command sequence holds at least one command');
  const out: unknown[] = [];
  for (const c of seq) {
    switch (c.kind) {
      case 'condition': out.push(SuitConditionCode[c.name], c.reportingPolicy); break;
      case 'action': out.push(SuitActionCode[c.name], c.reportingPolicy); break;
      case 'set-component-index': out.push(SuitFlowCode['set-component-index'], Array.isArray(c.index) ? [...c.index] : c.index); break;
      case 'override-parameters': out.push(SuitFlowCode['override-parameters'], suitParametersToCbor(c.parameters)); break;
      case 'run-sequence': out.push(SuitFlowCode['run-sequence'], encodeSuitCommandSequence(c.sequence)); break;
      case 'try-each': out.push(SuitFlowCode['try-each'], c.sequences.map((s) => (s === null ? null : encodeSuitCommandSequence(s)))); break;
      default: { const never: never = c; throw new SuitInvalidError(`unknown command ${JSON.stringify(never)}`); }
    }
  }
  return out;
}

/** Decode an encoded command sequence (the content of its bstr). */
export function decodeSuitCommandSequence(bytes: Uint8Array, what: string, shared = false): SuitCommandSequence {
  return suitCommandSequenceFromCbor(decodeCbor(bytes, what), what, shared);
}

/** Encode a command sequence (to be bstr-wrapped by the caller). */
export function encodeSuitCommandSequence(seq: SuitCommandSequence): Uint8Array {
  return encodeCbor(suitCommandSequenceToCbor(seq));
}
