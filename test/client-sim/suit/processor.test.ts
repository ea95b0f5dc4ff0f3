/**
 * The SUIT manifest processor's command semantics (manifest §6.4, §6.5, §8.4.8.15): identity
 * conditions, image match, fetch with size check, try-each with soft failure, run-sequence,
 * several components, severed sequences, integrated payloads.
 */
import type { SuitCommand } from '../../../common/suit/command-sequence';
import { computeSuitDigest } from '../../../common/suit/digest';
import { SuitInvalidError, SuitRefusedError } from '../../../common/suit/errors';
import type { SuitManifest } from '../../../common/suit/manifest';
import { type SuitProcessorIo, type SuitRecipient, runSuitProcedure } from '../../../client-sim/suit/processor';
import { parseUuid } from '../../../common/suit/uuid';

const VENDOR = parseUuid('fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe');
const CLASS = parseUuid('1492af14-2569-5e48-bf42-9b2d51f2ab45');
const OTHER = parseUuid('00000000-0000-4000-8000-000000000000');
const C0 = [Uint8Array.of(0)];
const C1 = [Uint8Array.of(1)];
const image = new Uint8Array(Buffer.from('the new firmware image'));
const recipient: SuitRecipient = { vendorIds: [VENDOR], classIds: [CLASS], components: [C0, C1] };

function io(over: Partial<SuitProcessorIo> = {}, fetched: string[] = []): SuitProcessorIo {
  return {
    read: async () => undefined,
    fetch: async (uri) => { fetched.push(uri); return image; },
    invoke: async () => undefined,
    ...over,
  };
}

const cond = (name: 'vendor-identifier' | 'class-identifier' | 'image-match' | 'abort'): SuitCommand => ({ kind: 'condition', name, reportingPolicy: 15 });

function manifest(classId: Uint8Array = CLASS, extra: Partial<SuitManifest> = {}): SuitManifest {
  return {
    version: 1,
    sequenceNumber: 3,
    common: {
      components: [C0],
      sharedSequence: [
        { kind: 'override-parameters', parameters: { vendorId: VENDOR, classId, imageDigest: computeSuitDigest(image), imageSize: image.length } },
        cond('vendor-identifier'), cond('class-identifier'),
      ],
    },
    validate: [cond('image-match')],
    install: { value: [{ kind: 'override-parameters', parameters: { uri: 'fw.bin' } }, { kind: 'action', name: 'fetch', reportingPolicy: 2 }, cond('image-match')] },
    invoke: [{ kind: 'action', name: 'invoke', reportingPolicy: 2 }],
    ...extra,
  };
}

async function refusal(p: Promise<unknown>): Promise<SuitRefusedError> {
  try { await p; } catch (e) { if (e instanceof SuitRefusedError) return e; throw e; }
  throw new Error('not refused');
}

describe('SUIT manifest processor', () => {
  it('runs the update procedure: fetches, stages and validates the image', async () => {
    const fetched: string[] = [];
    const r = await runSuitProcedure(manifest(), 'update', recipient, io({}, fetched));
    expect(fetched).toEqual(['fw.bin']);
    expect(Buffer.from(r.staged.get(0)!).toString()).toBe('the new firmware image');
    expect(r.invoked).toEqual([]);
  });

  it('runs the invocation procedure on the installed image', async () => {
    const r = await runSuitProcedure(manifest(), 'invoke', recipient, io({ read: async () => image }));
    expect(r.invoked).toEqual([0]);
  });

  it('refuses another class id before fetching anything', async () => {
    const fetched: string[] = [];
    const e = await refusal(runSuitProcedure(manifest(OTHER), 'update', recipient, io({}, fetched)));
    expect(e.reason).toBe('class-id');
    expect(fetched).toEqual([]);
  });

  it('refuses another vendor id', async () => {
    const e = await refusal(runSuitProcedure(manifest(), 'update', { ...recipient, vendorIds: [OTHER] }, io()));
    expect(e.reason).toBe('vendor-id');
  });

  it('refuses a payload that does not match the digest, and one of the wrong size', async () => {
    const bad = new Uint8Array(image); bad[0] ^= 1;
    expect((await refusal(runSuitProcedure(manifest(), 'update', recipient, io({ fetch: async () => bad })))).reason).toBe('image-mismatch');
    expect((await refusal(runSuitProcedure(manifest(), 'update', recipient, io({ fetch: async () => image.subarray(1) })))).reason).toBe('size-mismatch');
  });

  it('refuses components the device does not have', async () => {
    const m = manifest(); 
    const e = await refusal(runSuitProcedure({ ...m, common: { ...m.common, components: [[Uint8Array.of(9)]] } }, 'update', recipient, io()));
    expect(e.reason).toBe('component');
  });

  it('refuses a severed install that the envelope does not carry', async () => {
    const e = await refusal(runSuitProcedure(manifest(CLASS, { install: { digest: computeSuitDigest(image) } }), 'update', recipient, io()));
    expect(e.reason).toBe('missing');
  });

  it('try-each takes the first alternative whose conditions hold (soft failure)', async () => {
    const fetched: string[] = [];
    const m = manifest(CLASS, {
      install: { value: [{ kind: 'try-each', sequences: [
        [{ kind: 'override-parameters', parameters: { classId: OTHER, uri: 'a.bin' } }, cond('class-identifier'), { kind: 'action', name: 'fetch', reportingPolicy: 0 }],
        [{ kind: 'override-parameters', parameters: { classId: CLASS, uri: 'b.bin' } }, cond('class-identifier'), { kind: 'action', name: 'fetch', reportingPolicy: 0 }],
      ] }] },
    });
    await runSuitProcedure(m, 'update', recipient, io({}, fetched));
    expect(fetched).toEqual(['b.bin']);
  });

  it('try-each fails when no alternative applies, and a nil alternative makes it pass', async () => {
    const alt: SuitCommand[] = [cond('abort')];
    const m = (nil: boolean) => manifest(CLASS, { validate: [{ kind: 'try-each', sequences: nil ? [alt, alt, null] : [alt, alt] }] });
    expect((await refusal(runSuitProcedure(m(false), 'invoke', recipient, io()))).reason).toBe('condition');
    await expect(runSuitProcedure(m(true), 'invoke', recipient, io())).resolves.toBeDefined();
  });

  it('run-sequence fails hard unless soft failure is set inside it', async () => {
    const m = (soft: boolean) => manifest(CLASS, { validate: [{ kind: 'run-sequence', sequence: [
      ...(soft ? [{ kind: 'override-parameters', parameters: { softFailure: true } } as SuitCommand] : []), cond('abort'),
    ] }] });
    await expect(runSuitProcedure(m(false), 'invoke', recipient, io())).rejects.toThrow(SuitRefusedError);
    await expect(runSuitProcedure(m(true), 'invoke', recipient, io())).resolves.toBeDefined();
  });

  it('refuses soft failure set outside try-each / run-sequence', async () => {
    const m = manifest(CLASS, { validate: [{ kind: 'override-parameters', parameters: { softFailure: true } }] });
    await expect(runSuitProcedure(m, 'invoke', recipient, io())).rejects.toThrow(SuitInvalidError);
  });

  it('a failing directive is not absorbed by soft failure', async () => {
    const m = manifest(CLASS, { install: { value: [{ kind: 'try-each', sequences: [
      [{ kind: 'action', name: 'fetch', reportingPolicy: 0 }], [cond('abort')],
    ] }] } });
    const e = await refusal(runSuitProcedure(m, 'update', recipient, io()));
    expect(e.reason).toBe('missing'); // fetch without a URI aborts the whole procedure
  });

  it('handles several components with set-component-index true and lists', async () => {
    const other = new Uint8Array(Buffer.from('second component'));
    const m: SuitManifest = {
      version: 1, sequenceNumber: 1,
      common: { components: [C0, C1], sharedSequence: [
        { kind: 'set-component-index', index: true },
        { kind: 'override-parameters', parameters: { vendorId: VENDOR, classId: CLASS } },
        cond('vendor-identifier'), cond('class-identifier'),
        { kind: 'set-component-index', index: 1 },
        { kind: 'override-parameters', parameters: { imageDigest: computeSuitDigest(other), uri: 'two.bin' } },
        { kind: 'set-component-index', index: 0 },
        { kind: 'override-parameters', parameters: { imageDigest: computeSuitDigest(image), uri: '#one' } },
      ] },
      install: { value: [{ kind: 'set-component-index', index: [0, 1] }, { kind: 'action', name: 'fetch', reportingPolicy: 0 }, cond('image-match')] },
      validate: [{ kind: 'set-component-index', index: true }, cond('image-match')],
    };
    const fetched: string[] = [];
    const r = await runSuitProcedure(m, 'update', recipient, io({ fetch: async (uri) => { fetched.push(uri); return other; } }), new Map([['one', image]]));
    expect(fetched).toEqual(['two.bin']);
    expect(Buffer.from(r.staged.get(0)!).toString()).toBe('the new firmware image');
    expect(Buffer.from(r.staged.get(1)!).toString()).toBe('second component');
    await expect(runSuitProcedure({ ...m, validate: [cond('image-match')] }, 'invoke', recipient, io())).rejects.toThrow(/must begin with set-component-index/);
  });
});
