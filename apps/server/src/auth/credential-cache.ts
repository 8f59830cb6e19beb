import { hash, randomBytes } from 'node:crypto';

interface Entry {
  readonly username: string;
  readonly expiresAt: number;
}

/** A bearer token that verified: whose it is and what it was verified against. */
export interface VerifiedToken {
  /** The token's `sub`. */
  readonly username: string;
  /** The key epoch and the user's `token_secret` at verification; a different one is a miss. */
  readonly bound: string;
  readonly expiresAt: number;
}

/**
 * Remembers credentials that verified recently, so HTTP Basic on hot paths does not run Argon2 (or
 * an LDAP bind) per request. Keys are SHA-256(process secret ‖ 0 ‖ username ‖ 0 ‖ password): the
 * cache never holds a password or anything usable off this process. Only successes are cached, so
 * a wrong password always pays the full verify. Bearer tokens that verified are kept the same way
 * (the "password" is the user's `token_secret` and the token, capped at the token's `exp`), so a
 * hot download does not re-run HMAC key import and JWS verification per request.
 */
export class CredentialCache {
  readonly #secret = randomBytes(32).toString('base64');
  readonly #entries = new Map<string, Entry>();
  readonly #tokens = new Map<string, VerifiedToken>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly limit = 4096,
  ) {}

  #key(username: string, password: string): string {
    // A keyed SHA-256 (secret prefix) at a fifth of `createHmac`'s cost per call: keys never leave
    // this map, so the length extension that HMAC guards against gives an attacker nothing here.
    return hash('sha256', `${this.#secret}\0${username}\0${password}`, 'base64url');
  }

  /** True when this exact pair verified within the TTL. */
  has(username: string, password: string): boolean {
    const key = this.#key(username, password);
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return false;
    }
    return true;
  }

  /** Records a successful verify, valid for the TTL or until `notAfter` (epoch ms), whichever is first. */
  remember(username: string, password: string, notAfter = Number.POSITIVE_INFINITY): void {
    const expiresAt = Math.min(this.now() + this.ttlMs, notAfter);
    if (expiresAt <= this.now()) return;
    if (this.#entries.size >= this.limit) this.#sweep();
    this.#entries.set(this.#key(username, password), { username, expiresAt });
  }

  /**
   * What `token` verified as, within the TTL: the hot path then needs no JWT decode at all. The
   * caller must still check `bound` against the user's current secret and the keyring.
   */
  verifiedToken(token: string): VerifiedToken | undefined {
    const key = this.#key('', token);
    const entry = this.#tokens.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#tokens.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Records a token that verified, until the TTL or `notAfter` (its `exp`, epoch ms). */
  rememberToken(token: string, username: string, bound: string, notAfter: number): void {
    const expiresAt = Math.min(this.now() + this.ttlMs, notAfter);
    if (expiresAt <= this.now()) return;
    if (this.#tokens.size >= this.limit) this.#sweep(this.#tokens);
    this.#tokens.set(this.#key('', token), { username, bound, expiresAt });
  }

  /** Forgets every entry of `username` (password change, user update or delete). */
  forget(username: string): void {
    for (const map of [this.#entries, this.#tokens])
      for (const [key, entry] of map) if (entry.username === username) map.delete(key);
  }

  /** Forgets everything (LDAP config change). */
  clear(): void {
    this.#entries.clear();
    this.#tokens.clear();
  }

  #sweep(map: Map<string, Entry> = this.#entries): void {
    const now = this.now();
    for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    if (map.size >= this.limit) map.clear();
  }
}
