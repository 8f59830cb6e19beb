import { DepotError } from '../errors/depot-error.js';

/** Bytes a reader may lag behind before the writer waits for it. */
export const TEE_HIGH_WATER_BYTES = 1024 * 1024;
/** A reader that takes nothing for this long is dropped, so the writer (the cache fill) carries on. */
export const TEE_STALL_MS = 30_000;

/**
 * One writer, one reader, bounded buffering: the writer (a cache fill) offers chunks and waits
 * while the reader lags by more than the high-water mark. When the reader goes away (`return()`
 * on its iterator) or stalls, it is detached and the writer continues alone: a client leaving
 * must not stop caching (prototype-inventory §2.1).
 */
export interface TeeChannel {
  offer(chunk: Uint8Array): Promise<void>;
  /** No more chunks; the reader ends once drained. */
  close(): void;
  /** The reader fails with `error` at its next read. */
  fail(error: unknown): void;
  readonly reader: AsyncIterable<Uint8Array>;
}

/** Creates a {@link TeeChannel}. */
export function teeChannel(stallMs: number = TEE_STALL_MS): TeeChannel {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let closed = false;
  let detached = false;
  let failure: { error: unknown } | null = null;
  let wakeReader: (() => void) | null = null;
  let wakeWriter: (() => void) | null = null;
  const signalReader = (): void => {
    wakeReader?.();
    wakeReader = null;
  };
  const signalWriter = (): void => {
    wakeWriter?.();
    wakeWriter = null;
  };
  const detach = (): void => {
    detached = true;
    queue.length = 0;
    queued = 0;
    signalWriter();
  };

  // A hand-written iterator rather than a generator: `return()` on a generator that never started
  // skips its `finally`, and a caller that drops the body unread must still release the writer.
  const iterator: AsyncIterator<Uint8Array> = {
    async next() {
      for (;;) {
        const chunk = queue.shift();
        if (chunk !== undefined) {
          queued -= chunk.byteLength;
          if (queued <= TEE_HIGH_WATER_BYTES) signalWriter();
          return { done: false, value: chunk };
        }
        if (failure !== null) {
          detach();
          throw failure.error;
        }
        if (closed || detached) {
          detach();
          return { done: true, value: undefined };
        }
        await new Promise<void>((resolve) => {
          wakeReader = resolve;
        });
      }
    },
    async return() {
      detach();
      return { done: true, value: undefined };
    },
  };

  return {
    async offer(chunk) {
      if (detached) return;
      queue.push(chunk);
      queued += chunk.byteLength;
      signalReader();
      if (queued <= TEE_HIGH_WATER_BYTES) return;
      const drained = new Promise<boolean>((resolve) => {
        wakeWriter = () => resolve(true);
      });
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), stallMs);
      });
      const ok = await Promise.race([drained, stalled]);
      clearTimeout(timer);
      if (!ok && !detached) {
        failure = { error: new DepotError('UPSTREAM_ERROR', 'reader stalled; response abandoned') };
        detach();
        signalReader();
      }
    },
    close() {
      closed = true;
      signalReader();
    },
    fail(error) {
      failure ??= { error };
      signalReader();
    },
    reader: { [Symbol.asyncIterator]: () => iterator },
  };
}
