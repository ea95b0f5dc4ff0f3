/**
 * FleetChild: the parent's handle on one fleet process (fleet-process.ts). Starts it with an
 * IPC channel — from dist as plain JavaScript, from the TypeScript sources through
 * test/helpers/ts-register.js — with its output appended to a log file; resolves start() when
 * every device of the slice is registered with SP1; asks it for its figures; stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import type { DtlsTraffic } from '../../../common/dtls/index';
import type { FleetCommand, FleetDeviceBytes, FleetReport } from './fleet-protocol';
import { TS_REGISTER } from './processes/child';

export interface FleetStats {
  readonly traffic: Record<string, DtlsTraffic>;
  readonly bytes: Record<string, FleetDeviceBytes>;
}

/** How this module was loaded decides how the child runs: the same way. */
function entryArgs(): string[] {
  if (__filename.endsWith('.ts')) return ['-r', TS_REGISTER, path.join(__dirname, 'fleet-process.ts')];
  return [path.join(__dirname, 'fleet-process.js')];
}

export class FleetChild {
  private child?: ChildProcess;
  private log?: WriteStream;
  private readonly waiters: Array<{ type: FleetReport['type']; resolve: (r: FleetReport) => void; reject: (e: Error) => void }> = [];

  constructor(readonly name: string, private readonly configFile: string, private readonly logFile: string) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process; resolves when its devices are registered (`onProgress`: devices started so far). */
  async start(readyTimeoutMs: number, onProgress?: (started: number) => void): Promise<number> {
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    // With this process's Node flags (as cluster.fork does): --max-old-space-size, --cpu-prof, ...
    const child = spawn(process.execPath, [...process.execArgv, ...entryArgs(), this.configFile], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child = child;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    child.on('message', (r: FleetReport) => {
      if (r.type === 'started') onProgress?.(r.devices);
      if (r.type === 'error') this.failAll(new Error(`${this.name}: ${r.message} (see ${this.logFile})`));
      const i = this.waiters.findIndex((w) => w.type === r.type);
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(r);
    });
    child.on('exit', (code, signal) => this.failAll(new Error(`${this.name} exited (${signal ?? code}) (see ${this.logFile})`)));
    const ready = await this.expect('ready', readyTimeoutMs);
    return ready.type === 'ready' ? ready.devices : 0;
  }

  send(cmd: FleetCommand): void {
    this.child?.send(cmd);
  }

  async stats(ports: readonly number[]): Promise<FleetStats> {
    const answer = this.expect('stats', 60_000);
    this.send({ type: 'stats', ports });
    const r = await answer;
    if (r.type !== 'stats') throw new Error(`${this.name}: no stats`);
    return { traffic: r.traffic, bytes: r.bytes };
  }

  /** Asks the process to close its devices and exit; kills it after graceMs. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
      this.send({ type: 'stop' });
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    }
    await new Promise<void>((ok) => { if (this.log) this.log.end(ok); else ok(); });
    this.log = undefined;
  }

  private expect(type: FleetReport['type'], timeoutMs: number): Promise<FleetReport> {
    return new Promise<FleetReport>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.name}: no "${type}" within ${timeoutMs} ms (see ${this.logFile})`)), timeoutMs);
      this.waiters.push({ type, resolve: (r) => { clearTimeout(t); resolve(r); }, reject: (e) => { clearTimeout(t); reject(e); } });
    });
  }

  private failAll(e: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(e);
  }
}
