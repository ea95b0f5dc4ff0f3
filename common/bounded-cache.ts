/**
 * BoundedCache: a least-recently-used map of at most `max` entries, for values derived purely
 * from their key (parsed credentials, DTLS contexts, certificate summaries, each by a digest),
 * so that an evicted entry is only recomputed.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(readonly max: number) {}

  /** The value for `key`, computed by `make` on a miss (a throw caches nothing). */
  get(key: string, make: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key); // re-inserted: Map order is the recency order
      this.entries.set(key, hit);
      return hit;
    }
    const value = make();
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
