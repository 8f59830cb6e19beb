import type { ByteSource } from '@depot/core';

/**
 * Regroups a byte stream into parts of exactly `partSize` bytes (the last may be shorter; an empty
 * stream yields nothing). Each part is a fresh buffer the consumer may keep; `signal` is checked
 * between chunks so an abort stops reading at once.
 */
export async function* partsOf(body: ByteSource, partSize: number, signal: AbortSignal): AsyncGenerator<Buffer> {
  let part = Buffer.allocUnsafe(partSize);
  let fill = 0;
  for await (const chunk of body) {
    signal.throwIfAborted();
    let at = 0;
    while (at < chunk.byteLength) {
      const n = Math.min(partSize - fill, chunk.byteLength - at);
      part.set(chunk.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === partSize) {
        yield part;
        part = Buffer.allocUnsafe(partSize);
        fill = 0;
      }
    }
  }
  signal.throwIfAborted();
  if (fill > 0) yield part.subarray(0, fill);
}
