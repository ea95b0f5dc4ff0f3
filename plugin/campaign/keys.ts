/**
 * Every Redis key of the campaign engine, in one place, under the key prefix. BullMQ's own keys
 * live under `<prefix>:bull:campaign:*`. For Redis Cluster give a hash-tagged prefix (`{handover}`)
 * so that every key, ours and BullMQ's, lands in one slot and the Lua scripts may touch them all.
 * Device ids are hash fields or set members, never part of a key name.
 */
export const QUEUE_NAME = 'campaign';

export class CampaignKeys {
  constructor(readonly prefix: string) {}

  /** BullMQ `prefix` option: its keys become `<prefix>:bull:campaign:...`. */
  bullPrefix(): string { return `${this.prefix}:bull`; }
  /** Sorted set: campaign id → createdAt. */
  index(): string { return `${this.prefix}:campaign-index`; }
  /** Hash: device id → wake counter (a device waking is a fact about the device, not a campaign). */
  wakes(): string { return `${this.prefix}:campaign-wakes`; }
  /** Hash: device id → space-separated ids of the campaigns where it is parked. */
  parkedIn(): string { return `${this.prefix}:campaign-parked-in`; }
  /** Hash: the CampaignRecord fields (payload as JSON). */
  record(id: string): string { return `${this.prefix}:campaign:${id}`; }
  /** Hash: device id → DeviceState. */
  states(id: string): string { return `${this.prefix}:campaign:${id}:state`; }
  /** Hash: device id → current (or last) step. */
  steps(id: string): string { return `${this.prefix}:campaign:${id}:step`; }
  /** Hash: `state:<s>`, `step:<name>`, `final` counters. */
  counts(id: string): string { return `${this.prefix}:campaign:${id}:count`; }
  /** Hash: device id → JSON { attempt, data, reason }. */
  data(id: string): string { return `${this.prefix}:campaign:${id}:data`; }
  /** Hash: device id → run number (fencing token of the job run that owns the device). */
  runs(id: string): string { return `${this.prefix}:campaign:${id}:run`; }
  /** Set: devices held because the campaign is paused. */
  held(id: string): string { return `${this.prefix}:campaign:${id}:held`; }
  /** Set: devices parked (asleep). */
  parked(id: string): string { return `${this.prefix}:campaign:${id}:parked`; }
  /** Hash: per-campaign rate limit: `tat` (next free time) and `r:<device>` reserved slots. */
  bucket(id: string): string { return `${this.prefix}:campaign:${id}:bucket`; }
  /** Hash: device id → why it ended. */
  reasons(id: string): string { return `${this.prefix}:campaign:${id}:reason`; }

  /** Every key of one campaign (for delete). */
  campaignKeys(id: string): string[] {
    return [this.record(id), this.states(id), this.steps(id), this.counts(id), this.data(id), this.runs(id),
      this.held(id), this.parked(id), this.bucket(id), this.reasons(id)];
  }
}

/**
 * BullMQ job id of a device in a campaign: `<campaignId>__<deviceId>`, with `%` and `:` of the
 * device id percent-encoded (BullMQ forbids `:` in custom ids; LwM2M endpoints often contain it).
 * Campaign ids never contain `__`, so the first `__` separates the two.
 */
export function jobIdFor(campaignId: string, deviceId: string): string {
  return `${campaignId}__${deviceId.replace(/%/g, '%25').replace(/:/g, '%3A')}`;
}
