/**
 * Lifetime expiry (LwM2M 1.1 Core §6.2.2): a registration not updated within its lifetime (plus
 * a grace period) is removed and reported once as DEREGISTRATION {expired: true}. Any number of
 * processes sweep the same Redis sorted set; the atomic claim (stores/lua/claim-expired.ts)
 * makes exactly one of them report each expiry.
 */
import type { Registration } from '../registration';
import type { ServerContext } from '../server-context';

const BATCH = 200;

export class ExpirySweeper {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(private readonly ctx: ServerContext, private readonly intervalMs: number, private readonly onExpired: (reg: Registration) => Promise<void>) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass; returns how many registrations this process expired. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let n = 0;
    try {
      for (;;) {
        const eps = await this.ctx.registrations.expiredEndpoints(now, BATCH);
        if (eps.length === 0) break;
        for (const ep of eps) {
          const reg = await this.ctx.registrations.claimExpired(ep, now);
          if (!reg) continue;
          n++;
          await this.onExpired(reg);
          this.ctx.events.emit('DEREGISTRATION', { registration: reg, expired: true });
        }
        if (eps.length < BATCH) break;
      }
    } catch (e) {
      this.ctx.log(`expiry sweep: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
    return n;
  }
}
