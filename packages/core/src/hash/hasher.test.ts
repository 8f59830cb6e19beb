import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { blake3Hex, blake3Implementation, createBlake3, createMultiHasher } from './hasher.js';

/** Official BLAKE3 test vectors (input byte i = i % 251), from the BLAKE3 reference repository. */
const vectorInput = (len: number): Uint8Array => Uint8Array.from({ length: len }, (_, i) => i % 251);
const VECTORS: readonly [number, string][] = [
  [0, 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'],
  [1, '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213'],
  [1024, '42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7'],
  [1025, 'd00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444'],
];

describe('BLAKE3', () => {
  it.each(VECTORS)('matches the reference vector for %i bytes', (len, hex) => {
    expect(blake3Hex(vectorInput(len))).toBe(hex);
  });

  it('gives the same digest however the input is chunked', () => {
    const data = vectorInput(200_000);
    const h = createBlake3();
    for (let at = 0; at < data.length; at += 7_777) h.update(data.subarray(at, at + 7_777));
    expect(h.digestHex()).toBe(blake3Hex(data));
  });

  it('reports which implementation loaded', () => {
    expect(['native', 'wasm']).toContain(blake3Implementation());
  });
});

describe('createMultiHasher', () => {
  it('computes BLAKE3 and each requested algorithm in one pass, lowercase hex', () => {
    const data = new TextEncoder().encode('depot multi-hash');
    const m = createMultiHasher(['sha256', 'sha512', 'sha1', 'md5']);
    m.update(data.subarray(0, 5));
    m.update(data.subarray(5));
    const hashes = m.digest();
    expect(hashes.blake3).toBe(blake3Hex(data));
    for (const alg of ['sha256', 'sha512', 'sha1', 'md5'] as const) {
      expect(hashes[alg]).toBe(createHash(alg).update(data).digest('hex'));
    }
  });

  it('computes only BLAKE3 when nothing else was asked for', () => {
    expect(Object.keys(createMultiHasher([]).digest())).toEqual(['blake3']);
  });
});

describe('wasm fallback', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('loads hash-wasm when the native module is unavailable, and interleaved hashers stay independent', async () => {
    vi.stubEnv('DEPOT_BLAKE3', 'wasm');
    vi.resetModules();
    const wasm = await import('./hasher.js');
    expect(wasm.blake3Implementation()).toBe('wasm');
    for (const [len, hex] of VECTORS) expect(wasm.blake3Hex(vectorInput(len))).toBe(hex);
    const a = wasm.createBlake3();
    const b = wasm.createBlake3();
    const data = vectorInput(5000);
    for (let at = 0; at < data.length; at += 1000) {
      a.update(data.subarray(at, at + 1000));
      b.update(data.subarray(0, 10));
    }
    expect(a.digestHex()).toBe(blake3Hex(data));
    expect(b.digestHex()).toBe(
      blake3Hex(new Uint8Array(Array.from({ length: 5 }, () => [...data.subarray(0, 10)]).flat())),
    );
  });
});
