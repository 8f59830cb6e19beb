import { DepotError } from '../errors/depot-error.js';
import type { ContentHashes } from '../kv/records.js';
import type { ExpectedContent } from './expected-content.js';

const DIGESTS = ['blake3', 'sha256', 'sha512', 'sha1', 'md5'] as const;

/** Extra algorithms `expected` asks for, so ingest computes them in the same pass. */
export function algorithmsFor(expected: ExpectedContent | undefined): ('sha256' | 'sha512' | 'sha1' | 'md5')[] {
  if (expected === undefined) return [];
  return (['sha256', 'sha512', 'sha1', 'md5'] as const).filter((a) => expected[a] !== undefined);
}

/**
 * Throws `DIGEST_MISMATCH` when the ingested bytes differ from `expected` in size or in any digest
 * given. Comparison ignores hex case. A digest that was expected but not computed is a mismatch too
 * (fail closed rather than store unverified bytes).
 */
export function verifyExpected(expected: ExpectedContent | undefined, size: number, hashes: ContentHashes): void {
  if (expected === undefined) return;
  if (expected.size !== undefined && expected.size !== size) {
    throw new DepotError('DIGEST_MISMATCH', 'size does not match', {
      details: { expected: expected.size, actual: size },
    });
  }
  for (const name of DIGESTS) {
    const want = expected[name];
    if (want === undefined) continue;
    const got = hashes[name];
    if (got === undefined || got !== want.toLowerCase()) {
      throw new DepotError('DIGEST_MISMATCH', `${name} digest does not match`, {
        details: { algorithm: name, expected: want.toLowerCase(), actual: got ?? null },
      });
    }
  }
}
