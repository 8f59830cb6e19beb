import type { FileHandle } from 'node:fs/promises';
import { fsCall } from './fs-errors.js';

/**
 * A background `fdatasync` starts whenever this many more bytes were written, so the disk writes
 * back while the body is still arriving and the final fsync finds little left (a 64 MiB body
 * otherwise waited ~140 ms for its whole writeback at the end, PERF.md: ~475 MB/s durable).
 */
export const EARLY_SYNC_BYTES = 8 * 1024 * 1024;

/**
 * Early writeback of a file being written with `sync`: at most one `fdatasync` in flight. A failed
 * one fails the write ({@link settle} rethrows it): a later fsync on this descriptor may not report
 * the same writeback error again.
 */
export class EarlySync {
  private running: Promise<void> | null = null;
  private syncedAt = 0;
  private error: unknown = null;

  constructor(
    private readonly fh: FileHandle,
    private readonly enabled: boolean,
  ) {}

  /** Called with the bytes written so far; starts a datasync when due and none is running. */
  advance(position: number): void {
    if (!this.enabled || this.running !== null || position - this.syncedAt < EARLY_SYNC_BYTES) return;
    this.syncedAt = position;
    this.running = this.fh.datasync().then(
      () => {
        this.running = null;
      },
      (err: unknown) => {
        this.error ??= err;
        this.running = null;
      },
    );
  }

  /** Waits for the running datasync; never rejects. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Waits for the running datasync and throws (as a STORAGE_* error) if any of them failed. */
  async settle(): Promise<void> {
    await this.running;
    const { error } = this;
    if (error !== null) await fsCall('fsync a temp file', () => Promise.reject(error));
  }
}
