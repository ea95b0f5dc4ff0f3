/**
 * Typed calls of the campaign Lua scripts (lua.ts) on an ioredis client, by EVALSHA with a
 * fallback to EVAL when the server does not know the script yet.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ADVANCE, CANCEL_DEVICES, CLAIM, SET_CAMPAIGN_STATE } from './lua';
import type { CampaignKeys } from './keys';
import type { DeviceOutcome } from './types';

const shas = new Map<string, string>();

async function runScript(redis: Redis, lua: string, keys: string[], args: (string | number)[]): Promise<unknown> {
  let sha = shas.get(lua);
  if (!sha) { sha = createHash('sha1').update(lua).digest('hex'); shas.set(lua, sha); }
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (e) {
    if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
    return redis.eval(lua, keys.length, ...keys, ...args);
  }
}

function deviceKeys(k: CampaignKeys, id: string): string[] {
  return [k.record(id), k.states(id), k.steps(id), k.counts(id), k.data(id), k.runs(id), k.held(id), k.parked(id),
    k.bucket(id), k.wakes(), k.parkedIn(), k.reasons(id)];
}

export type ClaimResult =
  | { kind: 'gone' }
  | { kind: 'final'; state: string }
  | { kind: 'cancelled'; campaignFinished: boolean }
  | { kind: 'held' }
  | { kind: 'throttled'; waitMs: number }
  | { kind: 'run'; run: string; step: string; dataJson: string; wakes: string };

export type AdvanceKind = 'next' | 'wait' | 'retry' | 'park' | 'done';

export type AdvanceResult =
  | { kind: 'stale' }
  | { kind: 'final'; state: DeviceOutcome; campaignFinished: boolean }
  | { kind: 'woken'; wakes: string }
  | { kind: 'held' | 'continue' | 'delay' | 'parked' };

export interface AdvanceArgs {
  deviceId: string;
  /** Fencing token from claim; '' to skip the check (engine-side failure of a lost job). */
  run: string;
  kind: AdvanceKind;
  step: string;
  /** '' keeps the stored data. */
  dataJson: string;
  finalState?: DeviceOutcome;
  wakes?: string;
  reason?: string;
}

export class CampaignScripts {
  constructor(private readonly redis: Redis, private readonly keys: CampaignKeys) {}

  async claim(campaignId: string, deviceId: string, firstStep: string): Promise<ClaimResult> {
    const r = (await runScript(this.redis, CLAIM, deviceKeys(this.keys, campaignId), [deviceId, firstStep, campaignId])) as string[];
    switch (r[0]) {
      case 'gone': return { kind: 'gone' };
      case 'final': return { kind: 'final', state: r[1] };
      case 'cancelled': return { kind: 'cancelled', campaignFinished: r[1] === 'finished' };
      case 'held': return { kind: 'held' };
      case 'throttled': return { kind: 'throttled', waitMs: Number(r[1]) };
      case 'run': return { kind: 'run', run: r[1], step: r[2], dataJson: r[3], wakes: r[4] };
      default: throw new Error(`campaign claim script returned ${JSON.stringify(r)}`);
    }
  }

  async advance(campaignId: string, a: AdvanceArgs): Promise<AdvanceResult> {
    const r = (await runScript(this.redis, ADVANCE, deviceKeys(this.keys, campaignId), [
      a.deviceId, a.run, a.kind, a.step, a.dataJson, a.finalState ?? '', a.wakes ?? '', campaignId, a.reason ?? '',
    ])) as string[];
    switch (r[0]) {
      case 'stale': case 'held': case 'continue': case 'delay': case 'parked':
        return { kind: r[0] };
      case 'woken': return { kind: 'woken', wakes: r[1] };
      case 'transferred': case 'fellBack': case 'failed': case 'cancelled':
        return { kind: 'final', state: r[0], campaignFinished: r[1] === 'finished' };
      default: throw new Error(`campaign advance script returned ${JSON.stringify(r)}`);
    }
  }

  /** Cancel those of `deviceIds` not running a step; returns the ones cancelled. */
  async cancelDevices(campaignId: string, deviceIds: string[]): Promise<string[]> {
    if (deviceIds.length === 0) return [];
    return (await runScript(this.redis, CANCEL_DEVICES, deviceKeys(this.keys, campaignId), [campaignId, ...deviceIds])) as string[];
  }

  async setCampaignState(campaignId: string, op: 'start' | 'pause' | 'resume' | 'cancel'):
    Promise<{ result: 'ok' | 'refused' | 'missing'; state?: string }> {
    const r = (await runScript(this.redis, SET_CAMPAIGN_STATE, [this.keys.record(campaignId)], [op, Date.now()])) as string[];
    return { result: r[0] as 'ok' | 'refused' | 'missing', state: r[1] };
  }
}
