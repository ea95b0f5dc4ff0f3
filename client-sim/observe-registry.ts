/**
 * The client's active observations over CoAP: each one an Observation (timing) bound to the
 * node-coap observe stream that carries its notifications. Keyed by peer and token, so a new
 * Observe with the same token replaces the old one and Observe=1 / RST cancel it.
 */
import type { ObserveWriteStream } from 'coap';
import type { LwM2mPath } from '../objects/path';
import type { NotificationAttributes } from './attributes';
import type { OperationError } from './errors';
import { ObjectTree } from './object-tree';
import { Observation, type Sample } from './observation';

interface Entry {
  readonly observation: Observation;
  readonly stream: ObserveWriteStream;
  readonly paths: readonly LwM2mPath[];
}

export interface ObservationSpec {
  readonly peer: string;
  readonly token: string;
  readonly paths: readonly LwM2mPath[];
  readonly stream: ObserveWriteStream;
  readonly first: Sample;
  readonly format: number;
  sample(): Sample;
  attributes(): NotificationAttributes;
  /** Turn a sampling failure into the error to notify. */
  toError(e: unknown): OperationError;
}

export class ObserveRegistry {
  private readonly entries = new Map<string, Entry>();

  get size(): number { return this.entries.size; }

  add(spec: ObservationSpec): void {
    const key = `${spec.peer}|${spec.token}`;
    this.cancel(spec.peer, spec.token);
    const { stream } = spec;
    stream.setOption('Content-Format', spec.format);
    stream.write(Buffer.from(spec.first.payload));
    const observation = new Observation({
      sample: spec.sample,
      attributes: spec.attributes,
      notify: (s) => { if (!stream.writableEnded) stream.write(Buffer.from(s.payload)); },
      failed: (e) => {
        this.entries.delete(key);
        const err = spec.toError(e);
        stream.statusCode = err.coapCode;
        if (!stream.writableEnded) stream.end(Buffer.from(err.message));
      },
    }, spec.first);
    this.entries.set(key, { observation, stream, paths: spec.paths });
    // The server answered a notification with RST (or the stream failed): forget the observation.
    stream.once('finish', () => this.drop(key, observation));
    stream.once('error', () => this.drop(key, observation));
  }

  /** Cancel the observation of `peer` with `token` (Observe=1); true when there was one. */
  cancel(peer: string, token: string): boolean {
    const key = `${peer}|${token}`;
    const e = this.entries.get(key);
    if (!e) return false;
    this.entries.delete(key);
    e.observation.cancel();
    if (!e.stream.writableEnded) e.stream.end();
    return true;
  }

  /** Something changed at `path`: every observation it affects re-evaluates. */
  changed(path: LwM2mPath): void {
    for (const e of [...this.entries.values()]) {
      if (e.paths.some((p) => ObjectTree.affects(path, p))) e.observation.changed();
    }
  }

  /** Attributes changed: every observation re-arms its timers. */
  rearm(): void {
    for (const e of this.entries.values()) e.observation.rearm();
  }

  /** Cancel everything (de-registration, stop, reboot), sending nothing more. */
  clear(): void {
    for (const [key, e] of [...this.entries]) {
      this.entries.delete(key);
      e.observation.cancel();
      e.stream.removeAllListeners('finish');
      if (!e.stream.writableEnded) e.stream.end();
    }
  }

  private drop(key: string, observation: Observation): void {
    const e = this.entries.get(key);
    if (e?.observation === observation) this.entries.delete(key);
    observation.cancel();
  }
}
