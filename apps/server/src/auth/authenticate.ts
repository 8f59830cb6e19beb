import { DepotError, type Principal } from '@depot/core';
import { decodeJwt } from 'jose';
import { verifyLogin } from './credentials.js';
import type { AuthContext } from './internal/context.js';
import type { JwtKeys } from './jwt-keys.js';
import { ANONYMOUS } from './principals.js';
import { JWT_SHAPE } from './tokens.js';

/** Longest `Authorization` header we look at; longer ones are refused unparsed. */
const MAX_AUTHORIZATION_LENGTH = 8192;

const unauthorized = (message: string, scheme?: 'basic'): DepotError =>
  new DepotError('UNAUTHORIZED', message, scheme === undefined ? {} : { details: { scheme } });

/** Splits `Basic base64(user:password)`; throws UNAUTHORIZED when malformed (RELIABILITY.md §4.2 #19). */
export function parseBasic(encoded: string): { username: string; password: string } {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw unauthorized('malformed basic credentials', 'basic');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw unauthorized('malformed basic credentials', 'basic');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Basic credentials: the verified-credential cache first, then a full verify. */
export async function basicPrincipal(ctx: AuthContext, username: string, password: string): Promise<Principal> {
  if (!ctx.credentials.has(username, password)) {
    try {
      await verifyLogin(ctx, username, password);
    } catch (err) {
      ctx.logger.warn({ username, method: 'basic' }, 'audit: login failed');
      if (err instanceof DepotError && err.code === 'UNAUTHORIZED') throw unauthorized(err.message, 'basic');
      throw err;
    }
    ctx.credentials.remember(username, password);
  }
  const { user, principal } = await ctx.principals.get(username);
  if (user === null) throw unauthorized('invalid credentials', 'basic');
  return principal;
}

const epochs = new WeakMap<JwtKeys, number>();
let lastEpoch = 0;

/** A number per loaded keyring state: the keyring builds a new {@link JwtKeys} on every (re)load. */
function keyEpoch(keys: JwtKeys): number {
  let epoch = epochs.get(keys);
  if (epoch === undefined) {
    epoch = ++lastEpoch;
    epochs.set(keys, epoch);
  }
  return epoch;
}

/**
 * A bearer token: header checks, user lookup (cached), signature with the current/previous key.
 * A verified token is remembered until the credential TTL or its `exp`, keyed with the user's
 * current `token_secret` and the keyring as loaded, so a user revocation (seen through the principal
 * cache) or a key rotation / revoke-all (a reloaded keyring) misses at once.
 */
export async function tokenPrincipal(ctx: AuthContext, token: string): Promise<Principal> {
  const sub = ctx.tokens.subject(token);
  const { user, principal } = await ctx.principals.get(sub);
  if (user === null) throw unauthorized('invalid token');
  const remembered = `${keyEpoch(await ctx.keyring.keys())}\0${user.token_secret}\0${token}`;
  if (ctx.credentials.has(sub, remembered)) return principal;
  await ctx.tokens.verify(token, user);
  const { exp } = decodeJwt(token);
  if (typeof exp === 'number') ctx.credentials.remember(sub, remembered, exp * 1000);
  return principal;
}

/**
 * Resolves the caller of a request. No `Authorization` → `anonymous`; `Basic`; `Bearer` (also npm);
 * a bare JWT with no scheme (cargo). Anything else → UNAUTHORIZED, even on public routes.
 */
export async function authenticate(ctx: AuthContext, headers: Headers): Promise<Principal> {
  const value = headers.get('authorization')?.trim() ?? '';
  if (value === '') return (await ctx.principals.get(ANONYMOUS)).principal;
  if (value.length > MAX_AUTHORIZATION_LENGTH) throw unauthorized('authorization header too long');
  const space = value.indexOf(' ');
  if (space < 0) {
    if (JWT_SHAPE.test(value)) return tokenPrincipal(ctx, value);
    throw unauthorized('unsupported authorization');
  }
  const scheme = value.slice(0, space).toLowerCase();
  const rest = value.slice(space + 1).trim();
  if (scheme === 'basic') {
    const { username, password } = parseBasic(rest);
    return basicPrincipal(ctx, username, password);
  }
  if (scheme === 'bearer') return tokenPrincipal(ctx, rest);
  throw unauthorized('unsupported authorization scheme');
}
