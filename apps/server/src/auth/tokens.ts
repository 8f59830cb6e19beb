import { DepotError } from '@depot/core';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { UserRecord } from '../records/server-records.js';
import { type JwtKeyring, userSigningKey } from './jwt-keys.js';

/** Default token lifetime (`jwt_expiry_secs`). */
export const DEFAULT_JWT_EXPIRY_SECS = 86_400;
/** No token may claim a lifetime longer than this, whatever signed it. */
const MAX_LIFETIME_SECS = 366 * 86_400;
/** Header members we accept; anything else (`jwk`, `jku`, `x5u`, `x5c`, `kid`, `crit`…) is refused. */
const ALLOWED_HEADER_KEYS = new Set(['alg', 'typ']);
/** A token whose signature fails with every known key triggers one KV reload at most this often. */
const RELOAD_ON_MISS_MS = 2000;

/** Shape a bare JWT (cargo sends the token with no scheme). */
export const JWT_SHAPE = /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}$/;

const unauthorized = (message: string, cause?: unknown): DepotError =>
  new DepotError('UNAUTHORIZED', message, cause === undefined ? {} : { cause });

/** Issues and verifies HS256 tokens signed with per-user keys derived from the cluster key. */
export class TokenService {
  constructor(
    private readonly keyring: JwtKeyring,
    private readonly now: () => number,
  ) {}

  /** A token for `user` valid `expirySecs`. */
  async issue(user: UserRecord, expirySecs: number): Promise<string> {
    const { current } = await this.keyring.keys();
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.username)
      .setIssuedAt(iat)
      .setExpirationTime(iat + expirySecs)
      .sign(userSigningKey(current, user.token_secret));
  }

  /**
   * The `sub` of `token` read without verifying it, after the header checks: only HS256, and no
   * header member that could name a key (RELIABILITY.md §4.2 #22–24). Throws UNAUTHORIZED.
   */
  subject(token: string): string {
    return this.claims(token).sub;
  }

  /**
   * {@link subject} plus the unverified `exp` (epoch seconds), from one decode of the token: the
   * request hot path needs both and decoding costs about a microsecond each time.
   */
  claims(token: string): { readonly sub: string; readonly exp: number | undefined } {
    let payload: { sub?: unknown; exp?: unknown };
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'HS256') throw unauthorized('unsupported token algorithm');
      for (const key of Object.keys(header))
        if (!ALLOWED_HEADER_KEYS.has(key)) throw unauthorized('unsupported token header');
      payload = decodeJwt(token);
    } catch (err) {
      if (err instanceof DepotError) throw err;
      throw unauthorized('malformed token', err);
    }
    const { sub, exp } = payload;
    if (typeof sub !== 'string' || sub === '') throw unauthorized('token has no subject');
    return { sub, exp: typeof exp === 'number' ? exp : undefined };
  }

  /** Verifies `token` for `user` with the current, then the previous cluster key. Throws UNAUTHORIZED. */
  async verify(token: string, user: UserRecord): Promise<void> {
    if (await this.#tryKeys(token, user)) return;
    // Another instance may have rotated the key: re-read it (bounded) before refusing.
    if (this.keyring.age() < RELOAD_ON_MISS_MS) throw unauthorized('invalid token signature');
    await this.keyring.reload();
    if (!(await this.#tryKeys(token, user))) throw unauthorized('invalid token signature');
  }

  async #tryKeys(token: string, user: UserRecord): Promise<boolean> {
    const keys = await this.keyring.keys();
    for (const key of [keys.current, keys.previous]) {
      if (key === null) continue;
      try {
        const { payload } = await jwtVerify(token, userSigningKey(key, user.token_secret), {
          algorithms: ['HS256'],
          requiredClaims: ['sub', 'iat', 'exp'],
          subject: user.username,
          currentDate: new Date(this.now()),
        });
        const exp = payload.exp as number;
        const iat = payload.iat as number;
        if (exp - iat > MAX_LIFETIME_SECS) throw unauthorized('token lifetime too long');
        return true;
      } catch (err) {
        if (err instanceof joseErrors.JWSSignatureVerificationFailed) continue;
        if (err instanceof DepotError) throw err;
        throw unauthorized('invalid token', err);
      }
    }
    return false;
  }
}
