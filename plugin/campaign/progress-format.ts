/** Text rendering of campaign progress (CLI status, demo): a bar and the non-zero state counts. */
import type { CampaignProgress } from './types';

/** `[#####.....]` for a fraction in [0, 1]. */
export function progressBar(fraction: number, width = 30): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}

/** One line: bar, done/total, percent, campaign state, then the non-zero device states. */
export function formatProgress(p: CampaignProgress, width = 30): string {
  const pct = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
  const states = Object.entries(p.byState).filter(([, n]) => n !== 0).map(([s, n]) => `${s} ${n}`).join(', ');
  return `${progressBar(p.total === 0 ? 1 : p.done / p.total, width)} ${p.done}/${p.total} ${String(pct).padStart(3)}% ${p.state}${states ? ` | ${states}` : ''}`;
}
