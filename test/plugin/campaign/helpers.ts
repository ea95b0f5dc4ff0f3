/** Shared helpers of the campaign tests: engines on a random prefix, closed and cleaned after each test. */
import { CampaignEngine, type CampaignEngineOptions, type CampaignDefinition, type CampaignProgress } from '../../../plugin/campaign';
import { cleanPrefix, randomPrefix, testRedis, testRedisUrl } from '../../helpers/redis';

export class EngineHarness {
  readonly prefix = randomPrefix('camp');
  readonly engines: CampaignEngine[] = [];
  readonly logs: string[] = [];

  engine(definition: CampaignDefinition, opts: Partial<CampaignEngineOptions> = {}): CampaignEngine {
    const e = new CampaignEngine({
      redisUrl: testRedisUrl(), keyPrefix: this.prefix, definition, concurrency: 4,
      retry: { attempts: 3, backoffMs: 50 }, log: (l) => this.logs.push(l), ...opts,
    });
    this.engines.push(e);
    return e;
  }

  async close(): Promise<void> {
    await Promise.all(this.engines.map((e) => e.close({ force: true }).catch(() => {})));
    const r = testRedis();
    try { await cleanPrefix(r, this.prefix); } finally { r.disconnect(); }
  }
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 8000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves with the progress once every device is final. */
export function untilDone(engine: CampaignEngine, id: string, timeoutMs = 8000): Promise<CampaignProgress> {
  return waitFor(async () => { const p = await engine.progress(id); return p.done === p.total ? p : undefined; }, timeoutMs, `campaign ${id} done`);
}
