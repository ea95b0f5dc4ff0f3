/**
 * The device's firmware storage in its state directory: per component an active image and a
 * candidate image (A/B style), the envelope of the installed update, and the installed state
 * (sequence number, manifest digest, reference URI, per-component digest and size) that the
 * providers exchange. Commit renames candidates over active images, then rewrites the state
 * file atomically (write + rename), so an interrupted update leaves the old state in force.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SuitComponentId } from '../../common/suit/manifest';
import { SuitRefusedError } from '../../common/suit/errors';

/** What the device has installed (persisted as suit-state.json). */
export interface SuitInstalledState {
  readonly sequenceNumber: number;
  readonly manifestDigest: { readonly alg: string; readonly hex: string };
  readonly referenceUri?: string;
  readonly components: ReadonlyArray<{ readonly id: readonly string[]; readonly digest: { readonly alg: string; readonly hex: string }; readonly size: number }>;
  readonly installedAt: string;
}

const STATE = 'suit-state.json';
const ENVELOPE = 'suit-envelope.cbor';

function fileName(c: SuitComponentId): string {
  return c.length === 0 ? 'component' : `component-${c.map((s) => Buffer.from(s).toString('hex') || '_').join('-')}`;
}

async function readOrUndefined(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SuitRefusedError('storage', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, path);
}

export class SuitComponentStore {
  constructor(readonly dir: string) {}

  /** The active image of a component. */
  active(c: SuitComponentId): Promise<Uint8Array | undefined> {
    return readOrUndefined(join(this.dir, `${fileName(c)}.bin`));
  }

  /** The candidate image of a component (written by the last download). */
  candidate(c: SuitComponentId): Promise<Uint8Array | undefined> {
    return readOrUndefined(join(this.dir, `${fileName(c)}.candidate`));
  }

  async writeCandidates(images: ReadonlyArray<[SuitComponentId, Uint8Array]>): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      for (const [c, data] of images) await writeAtomic(join(this.dir, `${fileName(c)}.candidate`), data);
    } catch (e) {
      throw new SuitRefusedError('storage', `cannot store the candidate image: ${(e as Error).message}`, { cause: e });
    }
  }

  async discardCandidates(components: readonly SuitComponentId[]): Promise<void> {
    for (const c of components) await rm(join(this.dir, `${fileName(c)}.candidate`), { force: true });
  }

  /** Make the candidates of `components` active and record `state` with its envelope. */
  async commit(components: readonly SuitComponentId[], envelope: Uint8Array, state: SuitInstalledState): Promise<void> {
    try {
      for (const c of components) {
        const cand = join(this.dir, `${fileName(c)}.candidate`);
        if ((await readOrUndefined(cand)) !== undefined) await rename(cand, join(this.dir, `${fileName(c)}.bin`));
      }
      await writeAtomic(join(this.dir, ENVELOPE), envelope);
      await writeAtomic(join(this.dir, STATE), JSON.stringify(state, null, 2));
    } catch (e) {
      if (e instanceof SuitRefusedError) throw e;
      throw new SuitRefusedError('storage', `cannot install: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The installed state, undefined before the first update. */
  async installed(): Promise<SuitInstalledState | undefined> {
    const raw = await readOrUndefined(join(this.dir, STATE));
    if (!raw) return undefined;
    try {
      const s = JSON.parse(Buffer.from(raw).toString('utf8')) as SuitInstalledState;
      if (!Number.isSafeInteger(s.sequenceNumber)) throw new Error('no sequence number');
      return s;
    } catch (e) {
      throw new SuitRefusedError('storage', `${STATE} is corrupt: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The envelope of the installed update. */
  installedEnvelope(): Promise<Uint8Array | undefined> {
    return readOrUndefined(join(this.dir, ENVELOPE));
  }
}
