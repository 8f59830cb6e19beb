import { describe, expect, it } from 'vitest';
import { isDepotError } from '../errors/depot-error.js';
import { TEE_HIGH_WATER_BYTES, teeChannel } from './tee-channel.js';

const chunk = (n: number): Uint8Array => new Uint8Array(n);

describe('teeChannel', () => {
  it('delivers chunks in order and ends after close', async () => {
    const ch = teeChannel();
    await ch.offer(Uint8Array.of(1));
    await ch.offer(Uint8Array.of(2));
    ch.close();
    const seen: number[] = [];
    for await (const c of ch.reader) seen.push(c[0] as number);
    expect(seen).toEqual([1, 2]);
  });

  it('makes the writer wait while the reader lags past the high-water mark', async () => {
    const ch = teeChannel();
    await ch.offer(chunk(TEE_HIGH_WATER_BYTES));
    let released = false;
    const waiting = ch.offer(chunk(1)).then(() => {
      released = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(false);
    const it = ch.reader[Symbol.asyncIterator]();
    await it.next();
    await waiting;
    expect(released).toBe(true);
  });

  it('releases the writer when the reader is dropped without ever reading', async () => {
    const ch = teeChannel();
    await ch.offer(chunk(TEE_HIGH_WATER_BYTES));
    const waiting = ch.offer(chunk(1));
    await ch.reader[Symbol.asyncIterator]().return?.();
    await waiting;
    await ch.offer(chunk(TEE_HIGH_WATER_BYTES * 2)); // detached: never blocks again
  });

  it('abandons a stalled reader with UPSTREAM_ERROR so the writer can continue', async () => {
    const ch = teeChannel(30);
    await ch.offer(chunk(TEE_HIGH_WATER_BYTES + 1));
    const it = ch.reader[Symbol.asyncIterator]();
    let caught: unknown;
    try {
      await it.next();
    } catch (err) {
      caught = err;
    }
    expect(isDepotError(caught, 'UPSTREAM_ERROR')).toBe(true);
  });

  it('passes a failure to the reader after the queued bytes', async () => {
    const ch = teeChannel();
    await ch.offer(Uint8Array.of(9));
    ch.fail(new Error('copy failed'));
    const it = ch.reader[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual(Uint8Array.of(9));
    await expect(it.next()).rejects.toThrow('copy failed');
  });
});
