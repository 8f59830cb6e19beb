import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK = 1024 * 1024;
const STAMP = 24;

/** A payload: chunks to send in order and their total size. */
export interface Payload {
  readonly chunks: readonly Uint8Array[];
  readonly size: number;
}

/**
 * Cheap payloads that are unique per object: every object shares one pseudo-random 1 MiB buffer,
 * and only its last chunk is a fresh copy with (nonce, counter) stamped into its tail. Because
 * the unique bytes come last, SHA-256 of the shared prefix is computed once per size and cloned,
 * so a 64 MiB layer's digest costs one small update. With `dedup` every object of a size is
 * identical.
 */
export class PayloadFactory {
  private readonly base: Buffer;
  private readonly prefixHashes = new Map<number, Hash>();

  constructor(
    seed: number,
    private readonly nonce: number,
    private readonly dedup = false,
  ) {
    this.base = Buffer.allocUnsafe(CHUNK);
    let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
    for (let i = 0; i < CHUNK; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.base.writeUInt32LE(x >>> 0, i);
    }
  }

  /** The payload of object `counter` with `size` bytes. */
  make(size: number, counter: number): Payload {
    if (size === 0) return { chunks: [], size };
    const full = Math.ceil(size / CHUNK) - 1;
    const lastLen = size - full * CHUNK;
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < full; i++) chunks.push(this.base);
    chunks.push(this.lastChunk(lastLen, counter));
    return { chunks, size };
  }

  /** `sha256:<hex>` of the payload `make(size, counter)` would return. */
  digest(size: number, counter: number): string {
    if (size === 0) return `sha256:${createHash('sha256').digest('hex')}`;
    const full = Math.ceil(size / CHUNK) - 1;
    let prefix = this.prefixHashes.get(full);
    if (!prefix) {
      prefix = createHash('sha256');
      for (let i = 0; i < full; i++) prefix.update(this.base);
      this.prefixHashes.set(full, prefix);
    }
    const last = this.lastChunk(size - full * CHUNK, counter);
    return `sha256:${prefix.copy().update(last).digest('hex')}`;
  }

  /** The whole payload in one buffer (for small objects and npm tarballs). */
  bytes(size: number, counter: number): Buffer {
    return Buffer.concat(this.make(size, counter).chunks);
  }

  private lastChunk(len: number, counter: number): Uint8Array {
    if (this.dedup) return this.base.subarray(0, len);
    const out = Buffer.from(this.base.subarray(0, len));
    const stamp = Buffer.alloc(STAMP);
    stamp.write('dpb', 0, 'latin1');
    stamp.writeUInt32LE(this.nonce >>> 0, 4);
    stamp.writeDoubleLE(counter, 8);
    stamp.writeUInt32LE(len >>> 0, 16);
    const n = Math.min(STAMP, len);
    stamp.copy(out, len - n, 0, n);
    return out;
  }
}

/** The payload as a request body: one buffer when small, else a stream over the chunks. */
export function bodyOf(p: Payload): Uint8Array | Readable {
  if (p.chunks.length === 1) return p.chunks[0] as Uint8Array;
  if (p.chunks.length === 0) return new Uint8Array(0);
  return Readable.from(p.chunks);
}
