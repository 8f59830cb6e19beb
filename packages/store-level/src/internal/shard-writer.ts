import { DepotError } from '@depot/core';
import type { ClassicLevel } from 'classic-level';
import { levelError } from './level-errors.js';
import { type EncodedValue, storedVersion } from './value-codec.js';

/** A shard database with byte keys and byte values. */
export type ShardDb = ClassicLevel<Uint8Array, Uint8Array>;

/**
 * One write. `expected`: `undefined` = unconditional; `null` = must be absent; a string = must be
 * at that version. `report` on a delete asks whether something was there.
 */
export type ShardOp =
  | {
      readonly type: 'put';
      readonly key: string;
      readonly keyBytes: Uint8Array;
      /** Encoded when submitted, so a caller reusing its array afterwards cannot change what is stored. */
      readonly encoded: EncodedValue;
      readonly expected?: string | null;
    }
  | {
      readonly type: 'delete';
      readonly key: string;
      readonly keyBytes: Uint8Array;
      readonly expected?: string;
      readonly report?: boolean;
    };

/** Per op: the new version of a put, whether a delete removed something. */
export type ShardResult = string | boolean;

interface Request {
  readonly ops: readonly ShardOp[];
  resolve(results: ShardResult[]): void;
  reject(err: unknown): void;
}

type LevelBatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** Requests committed together at most (bounds the batch size and the read fan-out). */
const MAX_GROUP = 512;

const needsRead = (op: ShardOp): boolean => op.expected !== undefined || (op.type === 'delete' && op.report === true);

/**
 * Serializes every write of one shard and group-commits them: requests that arrive while a batch is
 * being written wait, then all go into the next single LevelDB batch (one fsync for many writers).
 * Conditions are checked against a snapshot read taken inside the serialized section plus the
 * effects of earlier requests of the same group, so compare-and-swap is exact.
 */
export class ShardWriter {
  private readonly queue: Request[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: ShardDb,
    private readonly location: string,
    private readonly sync: boolean,
  ) {}

  /** Applies `ops` atomically (one batch); rejects with CONFLICT when a condition fails. */
  submit(ops: readonly ShardOp[]): Promise<ShardResult[]> {
    return new Promise<ShardResult[]>((resolve, reject) => {
      this.queue.push({ ops, resolve, reject });
      this.running ??= this.drain().finally(() => {
        this.running = null;
      });
    });
  }

  /** Resolves when every submitted request has settled. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async drain(): Promise<void> {
    // Let submitters of this event-loop turn join the first group too: requests whose reads or
    // fsyncs completed in the same poll phase then share one synced batch (one fdatasync).
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, MAX_GROUP);
      try {
        await this.commit(group);
      } catch (err) {
        const error = levelError(err, 'write', this.location);
        for (const request of group) request.reject(error);
      }
    }
  }

  private async commit(group: readonly Request[]): Promise<void> {
    const current = this.readVersions(group);
    const batch: LevelBatchOp[] = [];
    const settle: (() => void)[] = [];
    for (const request of group) {
      const staged = new Map<string, string | null>();
      const look = (key: string): string | null | undefined => (staged.has(key) ? staged.get(key) : current.get(key));
      const results: ShardResult[] = [];
      const ops: LevelBatchOp[] = [];
      let failed: DepotError | undefined;
      for (const op of request.ops) {
        const before = look(op.key);
        if (op.expected !== undefined && before !== op.expected) {
          failed = new DepotError('CONFLICT', `version conflict on key ${JSON.stringify(op.key)}`);
          break;
        }
        if (op.type === 'put') {
          const { stored, version } = op.encoded;
          ops.push({ type: 'put', key: op.keyBytes, value: stored });
          staged.set(op.key, version);
          results.push(version);
        } else {
          ops.push({ type: 'del', key: op.keyBytes });
          staged.set(op.key, null);
          results.push(before !== null && before !== undefined);
        }
      }
      if (failed !== undefined) {
        const error = failed;
        settle.push(() => request.reject(error));
        continue;
      }
      for (const [key, version] of staged) current.set(key, version);
      batch.push(...ops);
      settle.push(() => request.resolve(results));
    }
    if (batch.length > 0) await this.db.batch(batch, { sync: this.sync });
    for (const done of settle) done();
  }

  /**
   * Current versions (null = absent) of every key a condition or a reporting delete needs. Read with
   * `getSync` like the store's point reads (PERF.md: no thread-pool hop; a block- or page-cache hit),
   * and nothing else writes this shard between the read and the batch.
   */
  private readVersions(group: readonly Request[]): Map<string, string | null> {
    const versions = new Map<string, string | null>();
    for (const request of group) {
      for (const op of request.ops) {
        if (!needsRead(op) || versions.has(op.key)) continue;
        const stored = this.db.getSync(op.keyBytes);
        versions.set(op.key, stored === undefined ? null : storedVersion(stored));
      }
    }
    return versions;
  }
}
