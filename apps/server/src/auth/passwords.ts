import { randomBytes, randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id parameters: 19 MiB, 3 passes, 1 lane (above the OWASP minimum of 19 MiB × 2): 24–36 ms
 * per verify on the lab machine under load (docs/decisions/auth.md). The native hasher runs on libuv's pool (4 threads by default), which
 * bounds concurrent hashes and so memory (RELIABILITY.md §3.7 A4).
 */
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 3, parallelism: 1, algorithm: 2 } as const;

/** Passwords longer than this are refused before hashing (RELIABILITY.md §4.2 #19). */
export const MAX_PASSWORD_LENGTH = 1024;

/** Hashes `password` with Argon2id into a PHC string. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** Checks `password` against a PHC string; a malformed hash counts as a mismatch. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;

/**
 * A hash of a random password with the same parameters, verified for unknown users so the
 * response time does not reveal which usernames exist (RELIABILITY.md §4.2 #28).
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummy;
}

/** Spends the same time as a real verify, then answers `false`. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(await dummyHash(), password);
  return false;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password of `length` characters from an unambiguous alphabet. */
export function randomPassword(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** A new random `token_secret`. */
export const newTokenSecret = (): string => randomBytes(32).toString('base64url');
