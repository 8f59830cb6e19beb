import { DepotError, type Principal } from '@depot/core';
import { isApiToken } from './api-tokens.js';
import { verifyLogin } from './credentials.js';
import type { AuthContext } from './internal/context.js';
import type { JwtKeys } from './jwt-keys.js';
import { ANONYMOUS } from './principals.js';
import { JWT_SHAPE } from './tokens.js';

/** Longest `Authorization` header we look at; longer ones are refused unparsed. */
const MAX_AUTHORIZATION_LENGTH = 8192;

const unauthorized = (message: string, scheme?: 'basic'): DepotError =>
  new DepotError('UNAUTHORIZED', message, scheme === undefined ? {} : { details: { scheme } });

/** The Basic user name under which a Depot token is sent as the password (PyPI's convention). */
export const TOKEN_USER = '__token__';

/** A token refused inside Basic credentials answers like a wrong password. */
const basicFailure = (err: unknown): never => {
  if (err instanceof DepotError && err.code === 'UNAUTHORIZED') throw unauthorized(err.message, 'basic');
  throw err;
};

/** Splits `Basic base64(user:password)`; throws UNAUTHORIZED when malformed (RELIABILITY.md §4.2 #19). */
export function parseBasic(encoded: string): { username: string; password: string } {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw unauthorized('malformed basic credentials', 'basic');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw unauthorized('malformed basic credentials', 'basic');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Basic credentials: the verified-credential cache first, then a full verify. */
export async function basicPrincipal(
  ctx: AuthContext,
  username: string,
  password: string,
  client?: string,
): Promise<Principal> {
  // Credentials verified moments ago pass without counting against the login throttle, so a client
  // that knows the password keeps working while someone else guesses at the same user.
  if (!ctx.credentials.has(username, password)) {
    try {
      await verifyLogin(ctx, username, password, client);
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
 * A verified token is remembered until the credential TTL or its `exp`, bound to the user's
 * current `token_secret` and the keyring as loaded, so a user revocation (seen through the principal
 * cache) or a key rotation / revoke-all (a reloaded keyring) misses at once. A remembered token
 * costs one keyed hash: no JWT decode, no signature check.
 */
export async function tokenPrincipal(ctx: AuthContext, token: string): Promise<Principal> {
  const known = ctx.credentials.verifiedToken(token);
  if (known !== undefined) {
    const { user, principal } = await ctx.principals.get(known.username);
    if (user !== null && known.bound === tokenBinding(await ctx.keyring.keys(), user.token_secret)) return principal;
  }
  // Decoded once per request: `exp` is only trusted after the signature has verified.
  const { sub, exp } = ctx.tokens.claims(token);
  const { user, principal } = await ctx.principals.get(sub);
  if (user === null) throw unauthorized('invalid token');
  await ctx.tokens.verify(token, user);
  // After verify: a signature miss may have reloaded the keyring.
  const bound = tokenBinding(await ctx.keyring.keys(), user.token_secret);
  ctx.credentials.rememberToken(token, sub, bound, exp === undefined ? Number.POSITIVE_INFINITY : exp * 1000);
  return principal;
}

/** What a remembered token is valid against: the keyring as loaded and the user's token secret. */
const tokenBinding = (keys: JwtKeys, tokenSecret: string): string => `${keyEpoch(keys)}\0${tokenSecret}`;

/**
 * The `anonymous` principal without an await when the principal cache holds it: anonymous reads
 * are the hottest path, and the cache (TTL, invalidation on user/role change) stays the authority.
 */
function anonymousPrincipal(ctx: AuthContext): Principal | Promise<Principal> {
  const held = ctx.principals.peek(ANONYMOUS);
  return held ?? ctx.principals.get(ANONYMOUS).then((entry) => entry.principal);
}

/**
 * Resolves the caller of a request. No `Authorization` → `anonymous`; `Basic`; `Bearer` (also npm);
 * a bare JWT or API token with no scheme (cargo). An API token (`dpt_…`) is accepted in each slot. Anything else → UNAUTHORIZED, even on public routes.
 */
export async function authenticate(ctx: AuthContext, headers: Headers, client?: string): Promise<Principal> {
  const value = headers.get('authorization')?.trim() ?? '';
  if (value === '') return anonymousPrincipal(ctx);
  if (value.length > MAX_AUTHORIZATION_LENGTH) throw unauthorized('authorization header too long');
  const space = value.indexOf(' ');
  if (space < 0) {
    if (isApiToken(value)) return ctx.apiTokens.principal(value);
    if (JWT_SHAPE.test(value)) return tokenPrincipal(ctx, value);
    throw unauthorized('unsupported authorization');
  }
  const scheme = value.slice(0, space).toLowerCase();
  const rest = value.slice(space + 1).trim();
  if (scheme === 'basic') {
    const { username, password } = parseBasic(rest);
    // An API token is accepted as the password of any user name (`__token__`, the owner's, `ci`).
    if (isApiToken(password)) return ctx.apiTokens.principal(password).catch(basicFailure);
    // PyPI clients (twine, uv, poetry) send an API token as the password of the user `__token__`.
    if (username === TOKEN_USER) return tokenPrincipal(ctx, password).catch(basicFailure);
    return basicPrincipal(ctx, username, password, client);
  }
  if (scheme === 'bearer') return isApiToken(rest) ? ctx.apiTokens.principal(rest) : tokenPrincipal(ctx, rest);
  throw unauthorized('unsupported authorization scheme');
}
