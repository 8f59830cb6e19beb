import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { DepotError } from '../errors/depot-error.js';

/**
 * Seals small secrets (a repository's private signing key, an upstream password) for storage in
 * KV, under a key derived from the server secret. `label` names what the secret is for (e.g.
 * `apt/signing-key/debian-hosted`) and is authenticated with it: a sealed value copied to another
 * record does not open there.
 */
export interface SecretBox {
  /** Whether a server secret is configured; when false, {@link seal} and {@link open} throw. */
  readonly available: boolean;
  /** AES-256-GCM under a key derived from the server secret; the result is ASCII. */
  seal(plaintext: Uint8Array, label: string): string;
  /**
   * Opens what {@link seal} produced with the same `label`; throws `DATA_INTEGRITY_ERROR` when the
   * value was altered, sealed under another label or with another server secret.
   */
  open(sealed: string, label: string): Uint8Array;
}

const PREFIX = 'dsb1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The smallest server secret accepted, in bytes. */
export const MIN_SERVER_SECRET_BYTES = 32;

/** A {@link SecretBox} keyed by `serverSecret` (at least {@link MIN_SERVER_SECRET_BYTES} bytes). */
export function createSecretBox(serverSecret: Uint8Array): SecretBox {
  if (serverSecret.byteLength < MIN_SERVER_SECRET_BYTES) {
    throw new DepotError('BAD_REQUEST', `the server secret must be at least ${MIN_SERVER_SECRET_BYTES} bytes`);
  }
  const key = Buffer.from(hkdfSync('sha256', serverSecret, 'depot', 'secret-box v1', 32));
  return {
    available: true,
    seal(plaintext, label) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(label, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(sealed, label) {
      const raw = sealed.startsWith(PREFIX) ? Buffer.from(sealed.slice(PREFIX.length), 'base64url') : null;
      if (raw === null || raw.byteLength < IV_BYTES + TAG_BYTES) throw unreadable(label);
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(label, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.byteLength - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.byteLength - TAG_BYTES)), decipher.final()]);
      } catch (err) {
        throw unreadable(label, err);
      }
    },
  };
}

/** A {@link SecretBox} for a host without a server secret: every use throws, naming `why`. */
export function unavailableSecretBox(why: string): SecretBox {
  const fail = (): never => {
    throw new DepotError('INTERNAL_ERROR', `no server secret: ${why}`);
  };
  return { available: false, seal: fail, open: fail };
}

const unreadable = (label: string, cause?: unknown): DepotError =>
  new DepotError(
    'DATA_INTEGRITY_ERROR',
    `sealed secret "${label}" does not open: altered, or sealed with another server secret`,
    cause === undefined ? {} : { cause },
  );
