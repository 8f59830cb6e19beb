import type { ServerResponse } from 'node:http';
import type { PositionalRead } from '@depot/core';

/** Bytes per read and per socket write. */
const CHUNK_BYTES = 512 * 1024;
/** Free buffers kept between responses (16 MiB); more concurrent sends allocate and let GC take the extra. */
const POOL_MAX = 32;

const free: Buffer[] = [];

function take(): Buffer {
  return free.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
}

/**
 * Resolves `true` once the socket has taken `chunk` (its buffer may then be reused), `false` when
 * the response closed first: a write on a destroyed socket never calls back, so `close` settles it.
 */
function write(res: ServerResponse, chunk: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve(false);
    const gone = (): void => resolve(false);
    res.once('close', gone);
    res.write(chunk, (err) => {
      res.off('close', gone);
      resolve(!err);
    });
  });
}

/**
 * Sends `[source.start, source.end)` of a file-backed body with two buffers taken from a shared pool:
 * the next chunk is read while the previous one is written, and a buffer goes back to the pool only
 * once the socket has finished with it. A body of a fresh buffer per chunk allocates at the rate it
 * sends, and V8 answers that external memory with back-to-back major GCs (half the throughput of a
 * 64 MiB pull). A client that goes away ends the send quietly; a file shorter than promised destroys
 * the response and throws. Buffers of a send that did not finish are left to GC, never reused.
 */
export async function sendPositional(res: ServerResponse, source: PositionalRead): Promise<void> {
  const buffers = [take(), take()];
  let finished = false;
  try {
    let position = source.start;
    let turn = 0;
    let writing: Promise<boolean> = Promise.resolve(true);
    while (position < source.end) {
      const buffer = buffers[turn] as Buffer;
      turn ^= 1;
      const n = await source.read(buffer, Math.min(CHUNK_BYTES, source.end - position), position);
      // The buffer just read into is the one the write before last finished with.
      if (!(await writing)) return;
      if (n === 0) {
        res.destroy();
        throw new Error(`blob ended at byte ${position} of ${source.end}`);
      }
      position += n;
      writing = write(res, buffer.subarray(0, n));
    }
    if (!(await writing)) return;
    res.end();
    finished = true;
  } finally {
    await source.close();
    if (finished) for (const buffer of buffers) if (free.length < POOL_MAX) free.push(buffer);
  }
}
