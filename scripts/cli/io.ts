/** What a CLI command writes to; tests pass their own to capture output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress bars only then). */
  readonly isTTY: boolean;
}

export const processIo: CliIo = {
  out: (t) => { process.stdout.write(t.endsWith('\n') ? t : t + '\n'); },
  err: (t) => { process.stderr.write(t.endsWith('\n') ? t : t + '\n'); },
  isTTY: Boolean(process.stdout.isTTY),
};

/** A CliIo that collects output, for tests. */
export function captureIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTTY: false,
    out(t: string) { io.stdout += t.endsWith('\n') ? t : t + '\n'; },
    err(t: string) { io.stderr += t.endsWith('\n') ? t : t + '\n'; },
  };
  return io;
}
