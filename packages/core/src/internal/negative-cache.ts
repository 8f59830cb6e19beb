/** Remembers upstream 404s for a while, so repeated misses do not each cost an upstream trip. */
export interface NegativeCache {
  /** True while `key` is remembered as missing at time `now` (ms). */
  has(key: string, now: number): boolean;
  /** Remembers `key` as missing until `until` (ms). */
  add(key: string, until: number): void;
}

/**
 * Creates a bounded {@link NegativeCache} (RELIABILITY.md P1: negative-cache a 404, never a 5xx).
 * Past `maxEntries` the oldest entry is dropped (Map iteration is insertion order).
 */
export function negativeCache(maxEntries = 10_000): NegativeCache {
  const until = new Map<string, number>();
  return {
    has(key, now) {
      const expiry = until.get(key);
      if (expiry === undefined) return false;
      if (expiry > now) return true;
      until.delete(key);
      return false;
    },
    add(key, expiry) {
      until.delete(key);
      until.set(key, expiry);
      if (until.size > maxEntries) {
        const oldest = until.keys().next();
        if (oldest.done !== true) until.delete(oldest.value);
      }
    },
  };
}
