/**
 * How a long-running verb (`handover server`, `sp1 serve`, `sp2 serve`) waits to stop: the first
 * SIGINT or SIGTERM, or requestStop() for in-process use (tests, the demo) where a signal would
 * hit the whole process.
 */
const stopWaiters = new Set<(reason: string) => void>();

/** Stop every long-running verb waiting in this process, as SIGTERM would. */
export function requestStop(): void {
  for (const w of [...stopWaiters]) w('stop requested');
}

/** Resolves with the reason ('SIGINT', 'SIGTERM', 'stop requested') on the first of them. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (reason: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      stopWaiters.delete(done);
      resolve(reason);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    stopWaiters.add(done);
  });
}
