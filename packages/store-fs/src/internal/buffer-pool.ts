import type { DirectIo } from './direct-io.js';

/** Buffers kept for reuse at most; more concurrent writers allocate and drop extras. */
const MAX_IDLE = 16;

/**
 * Reusable write buffers of one size (`io_size`). With direct I/O they are aligned, which is
 * costly to find, so reuse matters; without it reuse still spares the allocator.
 */
export class BufferPool {
  private readonly idle: Uint8Array[] = [];

  constructor(
    readonly size: number,
    private readonly direct: DirectIo | null,
  ) {}

  async acquire(): Promise<Uint8Array> {
    const reused = this.idle.pop();
    if (reused !== undefined) return reused;
    return this.direct === null ? new Uint8Array(this.size) : this.direct.allocate(this.size);
  }

  release(buffer: Uint8Array): void {
    if (this.idle.length < MAX_IDLE) this.idle.push(buffer);
  }
}
