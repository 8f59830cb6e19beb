import { createHash } from 'node:crypto';
import { badRequest } from '@depot/core';

/** The digests npm records for a tarball. */
export interface TarballDigests {
  readonly sha512Hex: string;
  readonly sha1Hex: string;
  /** `sha512-<base64>` (Subresource Integrity). */
  readonly integrity: string;
}

/** Computes sha512 and sha1 of the tarball bytes. */
export function digestTarball(bytes: Uint8Array): TarballDigests {
  const sha512 = createHash('sha512').update(bytes).digest();
  return {
    sha512Hex: sha512.toString('hex'),
    sha1Hex: createHash('sha1').update(bytes).digest('hex'),
    integrity: `sha512-${sha512.toString('base64')}`,
  };
}

/** The sha512 digests (hex) an SRI string names; other algorithms are ignored. */
export function sriSha512Hex(integrity: string): string[] {
  const out: string[] = [];
  for (const token of integrity.trim().split(/\s+/)) {
    const match = /^sha512-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(token);
    if (match?.[1] !== undefined) out.push(Buffer.from(match[1], 'base64').toString('hex'));
  }
  return out;
}

/**
 * Checks the bytes against `dist.integrity` and `dist.shasum` when given (either may be absent;
 * an integrity naming only algorithms we do not check must still carry a matching sha512 or shasum).
 */
export function verifyDist(digests: TarballDigests, integrity: unknown, shasum: unknown): void {
  if (integrity !== undefined) {
    if (typeof integrity !== 'string') throw badRequest('dist.integrity must be a string');
    const expected = sriSha512Hex(integrity);
    if (expected.length === 0 && shasum === undefined) throw badRequest('dist.integrity names no sha512 digest');
    if (expected.length > 0 && !expected.includes(digests.sha512Hex)) {
      throw badRequest('tarball does not match dist.integrity');
    }
  }
  if (shasum !== undefined) {
    if (typeof shasum !== 'string' || shasum.toLowerCase() !== digests.sha1Hex) {
      throw badRequest('tarball does not match dist.shasum');
    }
  }
}
