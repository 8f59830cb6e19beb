/**
 * Bodies up to this size are read into memory, hashed and looked up in the dedup records before a
 * blob is written: a duplicate then costs no blob write, fsync and delete at all (PERF.md: a 4 KiB
 * blob file costs directory work and an fsync, a KV read costs microseconds). Larger bodies stream.
 */
export const SMALL_BODY_BYTES = 256 * 1024;

/** The start of a body: the whole of it (`rest === null`), or its first chunks and the remainder. */
export interface BodyHead {
  readonly chunks: readonly Uint8Array[];
  readonly size: number;
  /** Yields the buffered chunks, then the rest; `null` when the body ended within the limit. */
  readonly rest: AsyncIterableIterator<Uint8Array> | null;
}

/**
 * Pulls chunks of `source` until it ends or more than `limit` bytes were read. The source is
 * closed when the returned `rest` is abandoned early (a failed store write).
 */
export async function readHead(source: AsyncGenerator<Uint8Array>, limit: number): Promise<BodyHead> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size <= limit) {
    const next = await source.next();
    if (next.done) return { chunks, size, rest: null };
    chunks.push(next.value);
    size += next.value.byteLength;
  }
  return { chunks, size, rest: prepend(chunks, source) };
}

/**
 * `head` then the rest of `source`, as a plain iterator delegating to `source` (no extra generator
 * layer per chunk: a 64 MiB body is ~1000 chunks through several layers already).
 */
function prepend(head: Uint8Array[], source: AsyncGenerator<Uint8Array>): AsyncIterableIterator<Uint8Array> {
  let at = 0;
  const it: AsyncIterableIterator<Uint8Array> = {
    next() {
      if (at < head.length) {
        const value = head[at] as Uint8Array;
        head[at++] = EMPTY;
        return Promise.resolve({ done: false, value });
      }
      return source.next();
    },
    async return() {
      await source.return(undefined);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

const EMPTY = new Uint8Array(0);

/** The chunks as one array (no copy for a single chunk). */
export function joinChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
