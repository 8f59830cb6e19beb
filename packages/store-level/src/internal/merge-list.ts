import type { KvEntry, KvListOptions, KvPage } from '@depot/core';
import { levelError } from './level-errors.js';
import { compareBytes, listLimit, listRange } from './list-range.js';
import type { ShardDb } from './shard-writer.js';
import { storedValue, storedVersion } from './value-codec.js';

type Pair = [Uint8Array, Uint8Array];

interface ShardIterator {
  nextv(size: number): Promise<Pair[]>;
  close(): Promise<void>;
}

/** One shard's ascending stream of entries, fetched `chunk` at a time. */
class Head {
  private buffer: Pair[] = [];
  private at = 0;
  private done = false;
  constructor(
    private readonly iterator: ShardIterator,
    private readonly chunk: number,
  ) {}

  /** The next entry without consuming it (`undefined` at the end). */
  async peek(): Promise<Pair | undefined> {
    if (this.at < this.buffer.length) return this.buffer[this.at];
    if (this.done) return undefined;
    // nextv may return fewer entries than asked (it also stops at a byte budget); only [] is the end.
    this.buffer = await this.iterator.nextv(this.chunk);
    this.at = 0;
    if (this.buffer.length === 0) this.done = true;
    return this.buffer[0];
  }

  take(): void {
    this.at++;
  }

  close(): Promise<void> {
    return this.iterator.close();
  }
}

const decoder = new TextDecoder();

/**
 * Lists across all shards: one bounded iterator per shard and a k-way merge in byte order. Reads
 * `limit + 1` entries to know whether another page exists; the cursor is the last key returned.
 */
export async function mergeList(shards: readonly ShardDb[], location: string, options: KvListOptions): Promise<KvPage> {
  const limit = listLimit(options);
  const range = listRange(options);
  if (range === null) return { entries: [], cursor: null };
  const bounds = {
    ...(range.lowerInclusive ? { gte: range.lower } : { gt: range.lower }),
    ...(range.upper === null ? {} : { lt: range.upper }),
  };
  const chunk = Math.min(limit + 1, Math.max(16, Math.ceil((limit + 1) / shards.length) + 8));
  const heads = shards.map((db) => new Head(db.iterator(bounds) as unknown as ShardIterator, chunk));
  try {
    const entries: KvEntry[] = [];
    let more = false;
    for (;;) {
      let best: { head: Head; pair: Pair } | undefined;
      for (const head of heads) {
        const pair = await head.peek();
        if (pair !== undefined && (best === undefined || compareBytes(pair[0], best.pair[0]) < 0))
          best = { head, pair };
      }
      if (best === undefined) break;
      if (entries.length === limit) {
        more = true;
        break;
      }
      best.head.take();
      const [key, stored] = best.pair;
      entries.push({ key: decoder.decode(key), value: storedValue(stored), version: storedVersion(stored) });
    }
    const last = entries[entries.length - 1];
    return { entries, cursor: more && last !== undefined ? last.key : null };
  } catch (err) {
    throw levelError(err, 'list', location);
  } finally {
    await Promise.all(heads.map((h) => h.close().catch(() => undefined)));
  }
}
