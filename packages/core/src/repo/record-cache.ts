/** How long a repository record is served from memory; other instances' changes show within it. */
export const REPOSITORY_CACHE_TTL_MS = 3_000;
/** How long a hosted artifact record is served from memory (this process's writes invalidate at once). */
export const ARTIFACT_CACHE_TTL_MS = 5_000;

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/**
 * A bounded, short-TTL map of records read from KV, so a hot GET does no KV read or JSON decode.
 * Only hits are held (a miss is always re-read, so a record created elsewhere shows at once).
 * Insertion order doubles as age: when full, the oldest entries go first. A load that started
 * before an invalidation never stores its (possibly stale) result.
 */
export class RecordCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  #generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  /** Entries held (tests). */
  get size(): number {
    return this.#entries.size;
  }

  /** The held value of `key`, or `undefined` when absent or expired. */
  get(key: string): V | undefined {
    const hit = this.#entries.get(key);
    if (hit === undefined) return undefined;
    if (hit.expiresAt > this.now()) return hit.value;
    this.#entries.delete(key);
    return undefined;
  }

  /**
   * The value of `key`, from memory or from `load` (`null`: absent, not held). Concurrent misses
   * each load; they are point reads and coalescing them costs more than it saves.
   */
  async load(key: string, load: (key: string) => Promise<V | null>): Promise<V | null> {
    const held = this.get(key);
    if (held !== undefined) return held;
    const generation = this.#generation;
    const value = await load(key);
    if (value !== null && generation === this.#generation) this.set(key, value);
    return value;
  }

  /** Holds `value` for the TTL, evicting the oldest entries when full. */
  set(key: string, value: V): void {
    this.#entries.delete(key);
    while (this.#entries.size >= this.limit) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  /** Forgets `key` (written or deleted in this process); loads in flight will not store. */
  delete(key: string): void {
    this.#generation++;
    this.#entries.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
