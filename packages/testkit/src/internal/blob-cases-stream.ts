import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { BlobStore, ByteSource } from '@depot/core';
import { expect, it } from 'vitest';
import type { BlobStoreSuiteOptions } from '../blob-suite.js';

const MIB = 1024 * 1024;
const CHUNK = MIB;

/**
 * A `gc()` function, exposed at runtime when the runner did not pass `--expose-gc` (the V8 flag can
 * be set late; a fresh context then sees `gc`). Without it memory checks still run, less sharply.
 */
function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing !== undefined) return existing;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

const gc = exposeGc();
/** Collect garbage every this many bytes streamed, so live ArrayBuffer memory is measured, not garbage. */
const GC_EVERY_BYTES = 8 * MIB;

/**
 * Peak growth above a baseline of two measures: resident memory (`rss`, what the contract bounds)
 * and live ArrayBuffer memory after a GC. Freed memory the allocator keeps can hide a store that
 * buffers from rss; the ArrayBuffer peak cannot be hidden that way.
 */
class MemoryProbe {
  private readonly baseRss: number;
  private readonly baseBuffers: number;
  private peakRss: number;
  private peakBuffers: number;
  private sinceGc = 0;
  constructor() {
    gc?.();
    this.baseRss = process.memoryUsage.rss();
    this.baseBuffers = process.memoryUsage().arrayBuffers;
    this.peakRss = this.baseRss;
    this.peakBuffers = this.baseBuffers;
  }
  /** Records the peaks after `bytes` more bytes went through (0 forces a GC'd sample). */
  sample(bytes: number): void {
    this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
    this.sinceGc += bytes;
    if (gc !== undefined && (bytes === 0 || this.sinceGc >= GC_EVERY_BYTES)) {
      this.sinceGc = 0;
      gc();
      this.peakBuffers = Math.max(this.peakBuffers, process.memoryUsage().arrayBuffers);
    }
  }
  get rssGrowth(): number {
    return this.peakRss - this.baseRss;
  }
  get bufferGrowth(): number {
    return this.peakBuffers - this.baseBuffers;
  }
}

/**
 * `size` bytes generated lazily in fresh 1 MiB chunks (nothing held), hashed as they go. Each
 * chunk differs, so a store that drops, repeats or reorders chunks fails the digest check.
 */
function lazySource(size: number, probe: MemoryProbe, digest: { value: string }): ByteSource {
  return {
    async *[Symbol.asyncIterator]() {
      const hash = createHash('sha256');
      for (let at = 0, i = 0; at < size; at += CHUNK, i++) {
        const chunk = new Uint8Array(Math.min(CHUNK, size - at)).fill(i & 0xff);
        chunk[0] = (i >>> 8) & 0xff;
        hash.update(chunk);
        probe.sample(chunk.byteLength);
        yield chunk;
      }
      digest.value = hash.digest('hex');
    },
  };
}

/** Streams `size` bytes in and back out, checking size, digest and resident-memory growth. */
async function streamRoundTrip(store: BlobStore, size: number, bound: number | false): Promise<void> {
  const putProbe = new MemoryProbe();
  const written = { value: '' };
  const put = await store.put(lazySource(size, putProbe, written), { sizeHint: size });
  // A store that kept the blob in memory still holds it now: one more GC'd sample sees it.
  putProbe.sample(0);
  expect(put.size).toBe(size);
  expect(await store.head(put.id)).toEqual({ size });

  const getProbe = new MemoryProbe();
  const got = await store.get(put.id);
  expect(got?.size).toBe(size);
  const hash = createHash('sha256');
  let read = 0;
  for await (const part of got?.body ?? []) {
    hash.update(part);
    read += part.byteLength;
    getProbe.sample(part.byteLength);
  }
  expect(read).toBe(size);
  expect(hash.digest('hex')).toBe(written.value);
  if (bound !== false) {
    expect(putProbe.rssGrowth, `rss growth during put of ${size} bytes`).toBeLessThan(bound);
    expect(putProbe.bufferGrowth, `live ArrayBuffer growth during put of ${size} bytes`).toBeLessThan(bound);
    expect(getProbe.rssGrowth, `rss growth during get of ${size} bytes`).toBeLessThan(bound);
    expect(getProbe.bufferGrowth, `live ArrayBuffer growth during get of ${size} bytes`).toBeLessThan(bound);
  }
  expect(await store.delete(put.id)).toBe(true);
}

/** A streamed put (64 MiB, and optionally `largeBytes`) stays under a resident-memory bound. */
export function blobStreamCases(store: () => BlobStore, options: BlobStoreSuiteOptions): void {
  const streamBytes = options.streamBytes ?? 64 * MIB;
  const bound = options.maxRssGrowthBytes ?? 64 * MIB;
  const label = bound === false ? 'unbounded (in-memory store)' : `under ${Math.round(bound / MIB)} MiB rss growth`;

  it(
    `streams ${Math.round(streamBytes / MIB)} MiB in and out ${label}`,
    async () => {
      await streamRoundTrip(store(), streamBytes, bound);
    },
    Math.max(options.timeoutMs ?? 0, 120_000),
  );

  const large = options.largeBytes;
  if (large !== undefined) {
    it(
      `streams ${Math.round(large / MIB)} MiB in and out ${label}`,
      async () => {
        await streamRoundTrip(store(), large, bound);
      },
      Math.max(options.timeoutMs ?? 0, 600_000),
    );
  }
}
