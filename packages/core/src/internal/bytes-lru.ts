/**
 * A least-recently-used map of byte arrays by key, bounded in total bytes and per entry. For
 * content that never changes under its key (blob ids, generated-metadata content keys), so an
 * entry never goes stale; it leaves when evicted or deleted.
 */
export class BytesLru {
  readonly #entries = new Map<string, Uint8Array>();
  #bytes = 0;

  constructor(
    readonly maxEntryBytes: number,
    readonly maxBytes: number,
  ) {}

  /** Whether an entry of `size` bytes may be held. */
  fits(size: number): boolean {
    return size <= this.maxEntryBytes && size <= this.maxBytes;
  }

  /** The bytes under `key`, marking them recently used. */
  get(key: string): Uint8Array | undefined {
    const bytes = this.#entries.get(key);
    if (bytes !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, bytes);
    }
    return bytes;
  }

  /** Holds `bytes` under `key` (ignored when too large), evicting the least recently used. */
  set(key: string, bytes: Uint8Array): void {
    if (!this.fits(bytes.byteLength)) return;
    this.delete(key);
    this.#entries.set(key, bytes);
    this.#bytes += bytes.byteLength;
    for (const [oldest, value] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= value.byteLength;
    }
  }

  /** Drops one entry. */
  delete(key: string): void {
    const bytes = this.#entries.get(key);
    if (bytes === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= bytes.byteLength;
  }

  /** Bytes currently held. */
  get size(): number {
    return this.#bytes;
  }
}
