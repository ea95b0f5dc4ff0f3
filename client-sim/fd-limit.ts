/**
 * The process's open-files limit, read from /proc/self/limits (Linux). Every simulated device
 * owns one UDP socket (the server answers to the port a device registered from), so a fleet is
 * bounded by this limit; Node cannot raise it itself, the shell must (`ulimit -n`).
 */
import { readFileSync } from 'node:fs';

/** Soft limit on open files, or undefined when it cannot be read (non-Linux) or is unlimited. */
export function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/** Descriptors kept free for everything else the process opens (Redis, files, stdio). */
export const FD_HEADROOM = 64;
