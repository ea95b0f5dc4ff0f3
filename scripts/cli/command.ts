/**
 * A CLI verb. `run` returns the exit code: 0 success, 1 invalid or malformed input (throw a
 * HandoverError: its message becomes the one-line reason), 2 bad usage (throw UsageError).
 */
import type { CliIo } from './io';

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}
