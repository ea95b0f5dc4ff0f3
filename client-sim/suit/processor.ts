/**
 * The SUIT manifest processor (manifest §6): an interpreter of command sequences over the
 * abstract machine of §6.4, with component indices (§6.5), try-each / run-sequence and soft
 * failure (§8.4.8.15), run serially and in order (so strict order always holds). It touches no
 * storage: images written by fetch / copy / write / swap are staged in memory and returned, the
 * caller persists them; reads and fetches go through SuitProcessorIo.
 */
import { timingSafeEqual } from 'node:crypto';
import type { SuitCommand, SuitCommandSequence } from '../../common/suit/command-sequence';
import { suitDigestMatches } from '../../common/suit/digest';
import { SuitInvalidError, SuitRefusedError, type SuitRefusal } from '../../common/suit/errors';
import type { SuitComponentId, SuitManifest } from '../../common/suit/manifest';
import { type SuitParameters, mergeSuitParameters } from '../../common/suit/parameters';
import { formatUuid } from '../../common/suit/uuid';

/** What the device asserts about itself to the identifier conditions (§8.4.9.1). */
export interface SuitRecipient {
  readonly vendorIds: readonly Uint8Array[];
  readonly classIds: readonly Uint8Array[];
  readonly deviceIds?: readonly Uint8Array[];
  /** The components this device has. */
  readonly components: readonly SuitComponentId[];
}

export interface SuitProcessorIo {
  /** The current image of a component (undefined when empty). */
  read(component: SuitComponentId): Promise<Uint8Array | undefined>;
  /** Fetch a payload (a URI reference; "#key" integrated payloads are resolved by the processor). */
  fetch(uri: string, params: SuitParameters): Promise<Uint8Array>;
  /** Transfer execution to a component (the simulated device records it). */
  invoke(component: SuitComponentId, args: Uint8Array | undefined): Promise<void>;
  /** Slot index of a component (§8.4.8.8). Default 0. */
  slot?(component: SuitComponentId): number;
}

/** The Update Procedure (payload fetch, install, validate) or the Invocation Procedure (validate, load, invoke). */
export type SuitProcedure = 'update' | 'invoke';

export interface SuitRunResult {
  /** Images written during the run, by component index. */
  readonly staged: ReadonlyMap<number, Uint8Array>;
  /** Component indices invoked, in order. */
  readonly invoked: readonly number[];
}

/** A condition failure: the only failure soft failure can absorb. */
class ConditionFailed extends SuitRefusedError {}

const REASON: Partial<Record<SuitCommand['kind'] | string, SuitRefusal>> = {
  'vendor-identifier': 'vendor-id', 'class-identifier': 'class-id', 'device-identifier': 'device-id', 'image-match': 'image-mismatch',
};

export function sameComponent(a: SuitComponentId, b: SuitComponentId): boolean {
  return a.length === b.length && a.every((s, i) => Buffer.compare(s, b[i]) === 0);
}

export function componentLabel(c: SuitComponentId): string {
  return `[${c.map((s) => Buffer.from(s).toString('hex')).join(',')}]`;
}

/** Run `procedure` of `manifest` (already authenticated) on the recipient. */
export async function runSuitProcedure(
  manifest: SuitManifest, procedure: SuitProcedure, recipient: SuitRecipient, io: SuitProcessorIo,
  integratedPayloads: ReadonlyMap<string, Uint8Array> = new Map(),
): Promise<SuitRunResult> {
  const components = manifest.common.components;
  if (components.length > recipient.components.length) throw new SuitRefusedError('component', `the manifest names ${components.length} components, the device has ${recipient.components.length}`);
  for (const c of components) {
    if (!recipient.components.some((r) => sameComponent(r, c))) throw new SuitRefusedError('component', `the device has no component ${componentLabel(c)}`);
  }
  const params: SuitParameters[] = components.map(() => ({}));
  const staged = new Map<number, Uint8Array>();
  const invoked: number[] = [];
  let soft = false;
  let depth = 0;

  const content = async (i: number) => staged.get(i) ?? (await io.read(components[i]));
  const fail = (name: string, message: string, i: number): never => {
    throw new ConditionFailed(REASON[name] ?? 'condition', `${message} (component ${componentLabel(components[i])})`);
  };
  /** A parameter a command needs; its absence fails a condition (soft-failure applies) or aborts a directive. */
  const need = <K extends keyof SuitParameters>(i: number, k: K, cmd: string, directive = false): NonNullable<SuitParameters[K]> => {
    const v = params[i][k];
    const message = `${cmd} needs parameter ${k}, which is not set (component ${componentLabel(components[i])})`;
    if (v === undefined) throw directive ? new SuitRefusedError('missing', message) : new ConditionFailed('missing', message);
    return v as NonNullable<SuitParameters[K]>;
  };
  const matchId = (i: number, name: string, set: readonly Uint8Array[] | undefined, key: 'vendorId' | 'classId' | 'deviceId') => {
    const id = need(i, key, name);
    if (!(set ?? []).some((x) => x.length === id.length && timingSafeEqual(x, id))) fail(name, `${name} ${formatUuid(id)} does not match this device`, i);
  };

  async function condition(name: string, i: number): Promise<void> {
    switch (name) {
      case 'vendor-identifier': return matchId(i, name, recipient.vendorIds, 'vendorId');
      case 'class-identifier': return matchId(i, name, recipient.classIds, 'classId');
      case 'device-identifier': return matchId(i, name, recipient.deviceIds, 'deviceId');
      case 'image-match': {
        const digest = need(i, 'imageDigest', name);
        const image = await content(i);
        if (!image) return fail(name, 'the component holds no image', i);
        const size = params[i].imageSize;
        if (size !== undefined && image.length !== size) return fail(name, `the image has ${image.length} bytes, ${size} expected`, i);
        if (!suitDigestMatches(digest, image)) fail(name, 'the image does not match its digest', i);
        return;
      }
      case 'check-content': {
        const want = need(i, 'content', name);
        const image = (await content(i)) ?? new Uint8Array();
        if (image.length !== want.length || !timingSafeEqual(image, want)) fail(name, 'the component does not hold the expected content', i);
        return;
      }
      case 'component-slot': {
        const want = need(i, 'componentSlot', name);
        if ((io.slot?.(components[i]) ?? 0) !== want) fail(name, `the component is not in slot ${want}`, i);
        return;
      }
      case 'abort': return fail(name, 'the manifest aborts here', i);
      default: throw new SuitInvalidError(`unknown condition ${name}`);
    }
  }

  async function action(name: string, i: number): Promise<void> {
    switch (name) {
      case 'fetch': {
        const uri = need(i, 'uri', name, true);
        let data: Uint8Array | undefined;
        if (uri.startsWith('#')) {
          data = integratedPayloads.get(uri.slice(1));
          if (!data) throw new SuitRefusedError('missing', `integrated payload "${uri.slice(1)}" is not in the envelope`);
        } else {
          data = await io.fetch(uri, params[i]);
        }
        const size = params[i].imageSize;
        if (size !== undefined && data.length !== size) throw new SuitRefusedError('size-mismatch', `${uri} has ${data.length} bytes, the manifest says ${size}`);
        staged.set(i, data);
        return;
      }
      case 'write': staged.set(i, need(i, 'content', name, true)); return;
      case 'copy': case 'swap': {
        const src = need(i, 'sourceComponent', name, true);
        if (src >= components.length || src === i) throw new SuitInvalidError(`${name}: invalid source component ${src}`);
        const from = await content(src);
        if (!from) throw new SuitRefusedError('missing', `${name}: source component ${componentLabel(components[src])} is empty`);
        if (name === 'swap') {
          const to = await content(i);
          if (!to) throw new SuitRefusedError('missing', `swap: component ${componentLabel(components[i])} is empty`);
          staged.set(src, to);
        }
        staged.set(i, from);
        return;
      }
      case 'invoke': await io.invoke(components[i], params[i].invokeArgs); invoked.push(i); return;
      default: throw new SuitInvalidError(`unknown directive ${name}`);
    }
  }

  function indices(index: number | true | readonly number[] | undefined, what: string): number[] {
    if (index === undefined) throw new SuitInvalidError(`${what}: with several components a sequence must begin with set-component-index`);
    if (index === true) return components.map((_, i) => i);
    return typeof index === 'number' ? [index] : [...index];
  }

  async function nested(seq: SuitCommandSequence | null, i: number, softDefault: boolean): Promise<boolean> {
    if (seq === null) return true;
    const saved = soft;
    soft = softDefault;
    depth++;
    try {
      await exec(seq, i, 'nested sequence');
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed && soft) return false;
      throw e;
    } finally {
      soft = saved;
      depth--;
    }
  }

  async function exec(seq: SuitCommandSequence, start: number | undefined, what: string): Promise<void> {
    let index: number | true | readonly number[] | undefined = start;
    for (const cmd of seq) {
      if (cmd.kind === 'set-component-index') {
        for (const i of cmd.index === true ? [] : typeof cmd.index === 'number' ? [cmd.index] : cmd.index) {
          if (i >= components.length) throw new SuitInvalidError(`${what}: component index ${i} is out of range`);
        }
        index = cmd.index;
        continue;
      }
      for (const i of indices(index, what)) {
        switch (cmd.kind) {
          case 'condition': await condition(cmd.name, i); break;
          case 'action': await action(cmd.name, i); break;
          case 'override-parameters': {
            const { softFailure, ...rest } = cmd.parameters;
            if (softFailure !== undefined) {
              if (depth === 0) throw new SuitInvalidError(`${what}: soft-failure may only be set inside try-each or run-sequence`);
              soft = softFailure;
            }
            params[i] = mergeSuitParameters(params[i], rest);
            break;
          }
          case 'run-sequence': await nested(cmd.sequence, i, false); break;
          case 'try-each': {
            let ok = false;
            for (const s of cmd.sequences) if ((ok = await nested(s, i, true))) break;
            if (!ok) throw new ConditionFailed('condition', `${what}: no try-each alternative applies (component ${componentLabel(components[i])})`);
            break;
          }
          default: { const never: never = cmd; throw new SuitInvalidError(`unknown command ${JSON.stringify(never)}`); }
        }
      }
    }
  }

  const single = components.length === 1 ? 0 : undefined;
  const run = async (seq: SuitCommandSequence | undefined, what: string) => {
    if (!seq) return;
    if (single === undefined && seq[0]?.kind !== 'set-component-index') throw new SuitInvalidError(`${what} must begin with set-component-index (several components)`);
    if (manifest.common.sharedSequence) await exec(manifest.common.sharedSequence, single, 'suit-shared-sequence');
    await exec(seq, single, what);
  };
  const severable = (name: 'payloadFetch' | 'install', label: string) => {
    const m = manifest[name];
    if (m && m.value === undefined) throw new SuitRefusedError('missing', `${label} is severed and not in the envelope`);
    return m?.value;
  };

  if (manifest.common.sharedSequence) await exec(manifest.common.sharedSequence, single, 'suit-shared-sequence');
  if (procedure === 'update') {
    await run(severable('payloadFetch', 'suit-payload-fetch'), 'suit-payload-fetch');
    await run(severable('install', 'suit-install'), 'suit-install');
    await run(manifest.validate, 'suit-validate');
  } else {
    await run(manifest.validate, 'suit-validate');
    await run(manifest.load, 'suit-load');
    await run(manifest.invoke, 'suit-invoke');
  }
  return { staged, invoked };
}
