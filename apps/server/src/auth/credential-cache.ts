import { createHmac, randomBytes } from 'node:crypto';

interface Entry {
  readonly username: string;
  readonly expiresAt: number;
}

/**
 * Remembers credentials that verified recently, so HTTP Basic on hot paths does not run Argon2 (or
 * an LDAP bind) per request. Keys are HMAC-SHA256(process secret, username ‖ 0 ‖ password): the
 * cache never holds a password or anything usable off this process. Only successes are cached, so
 * a wrong password always pays the full verify. Bearer tokens that verified are kept the same way
 * (the "password" is the user's `token_secret` and the token, capped at the token's `exp`), so a
 * hot download does not re-run HMAC key import and JWS verification per request.
 */
export class CredentialCache {
  readonly #secret = randomBytes(32);
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly limit = 4096,
  ) {}

  #key(username: string, password: string): string {
    return createHmac('sha256', this.#secret).update(username).update('\0').update(password).digest('base64url');
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

  /** Forgets every entry of `username` (password change, user update or delete). */
  forget(username: string): void {
    for (const [key, entry] of this.#entries) if (entry.username === username) this.#entries.delete(key);
  }

  /** Forgets everything (LDAP config change). */
  clear(): void {
    this.#entries.clear();
  }

  #sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    if (this.#entries.size >= this.limit) this.#entries.clear();
  }
}
