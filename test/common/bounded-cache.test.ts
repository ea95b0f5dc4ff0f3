/**
 * BoundedCache (common/bounded-cache.ts): least recently used first out, a failed computation
 * caches nothing.
 */
import { BoundedCache } from '../../common/bounded-cache';

describe('BoundedCache', () => {
  it('computes once per key and evicts the least recently used entry past its size', () => {
    const cache = new BoundedCache<string>(2);
    let made = 0;
    const make = (k: string) => () => { made++; return k.toUpperCase(); };
    expect(cache.get('a', make('a'))).toBe('A');
    expect(cache.get('b', make('b'))).toBe('B');
    expect(cache.get('a', make('a'))).toBe('A'); // a is now the most recent
    expect(made).toBe(2);
    cache.get('c', make('c')); // evicts b
    expect(cache.size).toBe(2);
    cache.get('a', make('a'));
    expect(made).toBe(3);
    cache.get('b', make('b'));
    expect(made).toBe(4);
  });

  it('caches nothing when the computation throws, and clears', () => {
    const cache = new BoundedCache<number>(4);
    expect(() => cache.get('x', () => { throw new Error('bad'); })).toThrow('bad');
    expect(cache.size).toBe(0);
    expect(cache.get('x', () => 1)).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
