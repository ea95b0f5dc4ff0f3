/**
 * The teardown of something assembled from parts (a provider service, a demo world): each part's
 * stop is pushed as the part starts, and stop() runs them last-started first. A failing stop is
 * logged and the others still run; stop() is safe to call again (a second call while one runs
 * waits for it).
 */
export class StopStack {
  private readonly stops: Array<() => unknown> = [];
  private running?: Promise<void>;

  constructor(private readonly log: (line: string) => void = () => undefined) {}

  push(...stops: Array<() => unknown>): void {
    this.stops.push(...stops);
  }

  stop(): Promise<void> {
    this.running ??= this.drain().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.stops.length) {
      try {
        await this.stops.pop()!();
      } catch (e) {
        this.log(`stop: ${(e as Error)?.message ?? String(e)}`);
      }
    }
  }
}
