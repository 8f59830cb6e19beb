import { createHmac, randomBytes } from 'node:crypto';
import { isDepotError, type Logger } from '@depot/core';
import type { ServerRecords } from '../records/server-records.js';

/** KV shape of `meta/jwt`: base64url keys and the time of the last rotation (ISO 8601). */
export interface JwtKeyRecord {
  readonly current: string;
  readonly previous: string | null;
  readonly rotated_at: string;
}

/** The cluster-wide keys as held in memory. */
export interface JwtKeys {
  readonly current: Uint8Array;
  readonly previous: Uint8Array | null;
  readonly rotatedAt: number;
}

const META_ID = 'jwt';
const newKey = (): string => randomBytes(32).toString('base64url');
const decodeKeys = (r: JwtKeyRecord): JwtKeys => ({
  current: Buffer.from(r.current, 'base64url'),
  previous: r.previous === null ? null : Buffer.from(r.previous, 'base64url'),
  rotatedAt: Date.parse(r.rotated_at),
});

/**
 * The cluster-wide JWT signing keys, kept in KV (`meta/jwt`) and cached in memory. Every write is
 * compare-and-swap, so two instances rotating at once produce one rotation.
 */
export class JwtKeyring {
  #keys: JwtKeys | null = null;
  #loadedAt = 0;

  constructor(
    private readonly records: ServerRecords,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** The keys; loads (or creates, on first boot) them on first use. */
  async keys(): Promise<JwtKeys> {
    return this.#keys ?? this.reload();
  }

  /** Milliseconds since the keys were last read from KV. */
  age(): number {
    return this.now() - this.#loadedAt;
  }

  /** Re-reads the keys from KV, creating them if absent. */
  async reload(): Promise<JwtKeys> {
    for (;;) {
      const found = await this.records.meta.getVersioned(META_ID);
      if (found !== null) return this.#set(found.record as JwtKeyRecord);
      const record: JwtKeyRecord = {
        current: newKey(),
        previous: null,
        rotated_at: new Date(this.now()).toISOString(),
      };
      try {
        await this.records.meta.putIfVersion(META_ID, record, null);
        this.logger.info({}, 'jwt signing key created');
        return this.#set(record);
      } catch (err) {
        if (!isDepotError(err, 'CONFLICT')) throw err;
      }
    }
  }

  /** Rotates when `intervalSecs` passed since the last rotation: previous := current. */
  rotateIfDue(intervalSecs: number): Promise<boolean> {
    return this.#update((r) =>
      this.now() - Date.parse(r.rotated_at) >= intervalSecs * 1000
        ? { current: newKey(), previous: r.current, rotated_at: new Date(this.now()).toISOString() }
        : null,
    );
  }

  /** A fresh key with no previous one: every token issued so far becomes invalid. */
  async revokeAll(): Promise<void> {
    await this.#update(() => ({ current: newKey(), previous: null, rotated_at: new Date(this.now()).toISOString() }));
  }

  async #update(change: (r: JwtKeyRecord) => JwtKeyRecord | null): Promise<boolean> {
    for (;;) {
      await this.keys();
      const found = await this.records.meta.getVersioned(META_ID);
      if (found === null) {
        await this.reload();
        continue;
      }
      const next = change(found.record as JwtKeyRecord);
      if (next === null) {
        this.#set(found.record as JwtKeyRecord);
        return false;
      }
      try {
        await this.records.meta.putIfVersion(META_ID, next, found.version);
        this.#set(next);
        this.logger.info({ previous_kept: next.previous !== null }, 'jwt signing key rotated');
        return true;
      } catch (err) {
        if (!isDepotError(err, 'CONFLICT')) throw err;
      }
    }
  }

  #set(record: JwtKeyRecord): JwtKeys {
    this.#keys = decodeKeys(record);
    this.#loadedAt = this.now();
    return this.#keys;
  }
}

/**
 * The signing key of one user: HMAC-SHA256(global key, user.token_secret). Rotating the user's
 * `token_secret` changes it, which revokes only that user's tokens.
 */
export const userSigningKey = (globalKey: Uint8Array, tokenSecret: string): Uint8Array =>
  createHmac('sha256', globalKey).update(tokenSecret).digest();
