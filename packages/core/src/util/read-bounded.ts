import type { ByteSource } from '../blob/blob-store.js';
import { DepotError } from '../errors/depot-error.js';

/**
 * Collects a small body (a manifest, a JSON document) into one buffer. More than `max` bytes is
 * `PAYLOAD_TOO_LARGE`, raised as soon as the limit is crossed, so an oversized body is never held.
 * Artifact bodies never go through here: they stream.
 */
export async function readBounded(body: ByteSource, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > max) throw new DepotError('PAYLOAD_TOO_LARGE', `body exceeds ${max} bytes`, { details: { max } });
    chunks.push(chunk);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
