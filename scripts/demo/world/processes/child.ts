/**
 * A role run as its own Node process (for crash tests: it must be killable with SIGKILL and
 * restartable). The child runs our TypeScript sources through test/helpers/ts-register.js and
 * prints one line `READY <json>` on stdout when it serves; everything else it prints goes to a
 * log file. start() resolves with the READY json; kill() is kill -9; stop() is SIGTERM, then
 * SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import * as path from 'node:path';

export const TS_REGISTER = path.resolve(__dirname, '../../../../test/helpers/ts-register.js');

export interface ChildRoleOptions {
  readonly name: string;
  /** Node arguments after `-r ts-register`: a .ts script and its arguments, or ['-e', code]. */
  readonly args: readonly string[];
  /** Where stdout/stderr go (appended across restarts). */
  readonly logFile: string;
  /** How long start() waits for READY, ms. Default 30000. */
  readonly readyTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export class ChildRole {
  private child?: ChildProcess;
  private log?: WriteStream;
  /** How many times the process was started. */
  starts = 0;

  constructor(readonly opts: ChildRoleOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Start the process; resolves with the JSON of its READY line. */
  start(): Promise<unknown> {
    if (this.running) return Promise.reject(new Error(`${this.opts.name} is already running`));
    this.log ??= createWriteStream(this.opts.logFile, { flags: 'a' });
    const log = this.log;
    this.starts++;
    log.write(`---- ${this.opts.name} start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, ['-r', TS_REGISTER, ...this.opts.args], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.opts.env },
    });
    this.child = child;
    child.stderr!.pipe(log, { end: false });
    return new Promise((resolve, reject) => {
      let buffer = '';
      let ready = false;
      const timer = setTimeout(() => fail(new Error(`${this.opts.name} not ready within ${this.opts.readyTimeoutMs ?? 30_000} ms (see ${this.opts.logFile})`)), this.opts.readyTimeoutMs ?? 30_000);
      const fail = (e: Error) => { if (ready) return; ready = true; clearTimeout(timer); child.kill('SIGKILL'); reject(e); };
      child.stdout!.on('data', (chunk: Buffer) => {
        log.write(chunk);
        if (ready) return;
        buffer += chunk.toString('utf8');
        const m = /^READY (.*)$/m.exec(buffer);
        if (!m) return;
        ready = true;
        clearTimeout(timer);
        try { resolve(JSON.parse(m[1])); } catch { resolve(m[1]); }
      });
      child.on('exit', (code, signal) => {
        log.write(`---- ${this.opts.name} exited (${signal ?? code}) at ${new Date().toISOString()}\n`);
        fail(new Error(`${this.opts.name} exited (${signal ?? code}) before it was ready (see ${this.opts.logFile})`));
      });
      child.on('error', (e) => fail(e));
    });
  }

  /** kill -9: no cleanup of any kind in the child. Resolves when it is gone. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 0);
  }

  /** SIGTERM, then SIGKILL after graceMs. */
  async stop(graceMs = 3000): Promise<void> {
    await this.signal('SIGTERM', graceMs);
  }

  /** Stop (if running) and close the log. */
  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((ok) => { if (this.log) this.log.end(ok); else ok(); });
    this.log = undefined;
  }

  private async signal(sig: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    child.kill(sig);
    if (sig !== 'SIGKILL') {
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    } else {
      await exited;
    }
  }
}
