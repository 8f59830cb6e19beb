/**
 * Shard selection. FROZEN: changing this function (or the byte form it hashes) moves keys to other
 * shards and makes existing data unreachable. Recorded in docs/decisions/stores.md.
 *
 * 32-bit FNV-1a over the key's UTF-8 bytes (offset basis 0x811c9dc5, prime 0x01000193), then the
 * low bits: `shard = hash & (shards - 1)` (shards is a power of two, so this is `hash mod shards`).
 */
export function fnv1a32(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i] as number;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The shard index of a key given as UTF-8 bytes. `shards` must be a power of two. */
export function shardOf(key: Uint8Array, shards: number): number {
  return fnv1a32(key) & (shards - 1);
}
