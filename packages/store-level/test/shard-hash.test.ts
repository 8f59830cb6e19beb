import { describe, expect, it } from 'vitest';
import { fnv1a32, shardOf } from '../src/internal/shard-hash.js';

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

// The shard function is frozen (docs/decisions/stores.md): these values must never change, or
// existing stores would look for keys in the wrong shard.
describe('shard function', () => {
  it('is 32-bit FNV-1a (published test vectors)', () => {
    expect(fnv1a32(utf8(''))).toBe(0x811c9dc5);
    expect(fnv1a32(utf8('a'))).toBe(0xe40c292c);
    expect(fnv1a32(utf8('foobar'))).toBe(0xbf9cf968);
  });

  it('maps keys to the same shards forever', () => {
    const keys = ['repo/npm-hosted', 'artifact/raw/a/b.txt', 'blob/default/af1349b9', 'ünïcödé/😀', 'lease/gc'];
    expect(keys.map((k) => fnv1a32(utf8(k)))).toEqual([3619545601, 1078985169, 2289471496, 630922646, 4266333588]);
    expect(keys.map((k) => shardOf(utf8(k), 8))).toEqual([1, 1, 0, 6, 4]);
    expect(keys.map((k) => shardOf(utf8(k), 256))).toEqual([1, 209, 8, 150, 148]);
  });

  it('spreads keys evenly', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 80_000; i++) {
      const shard = shardOf(utf8(`artifact/repo/pkg-${i}/file.tgz`), 8);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });
});
