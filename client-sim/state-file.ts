/**
 * One device's state on disk: a JSON file written atomically (temporary file in the same
 * directory, fsync, rename), readable by the owner only (0600) in a directory only the owner
 * may list (0700), since it holds the device's keys. Saves are serialised and coalesced: many
 * changes in a burst cost one write, and a state identical to the one this object last wrote
 * (a registration update that changed nothing saved) costs none: it is already on disk.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { StateFileError } from './errors';
import { stateFromJson, stateToJson, type DeviceState } from './state-codec';

export class DeviceStateFile {
  private writing?: Promise<void>;
  private pending?: () => DeviceState;
  /** The text this object last put on disk (fsynced and renamed into place). */
  private written?: string;

  constructor(readonly file: string) {}

  /** The saved state, or undefined when there is no file yet. StateFileError when unreadable. */
  async load(): Promise<DeviceState | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateFileError(`${this.file}: ${(e as Error).message}`, { cause: e });
    }
    return stateFromJson(text, this.file);
  }

  /**
   * Schedule a save of the state `snapshot()` returns when the write happens; resolves when a
   * write that includes this change is on disk.
   */
  save(snapshot: () => DeviceState): Promise<void> {
    this.pending = snapshot;
    if (!this.writing) this.writing = this.drain().finally(() => { this.writing = undefined; });
    return this.writing;
  }

  /** Wait for every scheduled save. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Remove the file (factory reset without a persisted factory state). */
  async remove(): Promise<void> {
    await this.flush();
    this.written = undefined;
    await fs.rm(this.file, { force: true });
  }

  private async drain(): Promise<void> {
    await Promise.resolve();
    while (this.pending) {
      const snapshot = this.pending;
      this.pending = undefined;
      const text = stateToJson(snapshot());
      if (text !== this.written) await this.write(text);
    }
  }

  private async write(text: string): Promise<void> {
    const dir = path.dirname(this.file);
    const tmp = path.join(dir, `.${path.basename(this.file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      // The directory is made on the first write, and again if it went away (ENOENT).
      const fh = await fs.open(tmp, 'w', 0o600).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        return fs.open(tmp, 'w', 0o600);
      });
      try {
        await fh.writeFile(text, 'utf8');
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, this.file);
      this.written = text;
    } catch (e) {
      this.written = undefined;
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw new StateFileError(`${this.file}: cannot save (${(e as Error).message})`, { cause: e });
    }
  }
}
