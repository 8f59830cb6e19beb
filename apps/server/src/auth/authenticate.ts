import { DepotError, type Principal } from '@depot/core';
import { verifyLogin } from './credentials.js';
import type { AuthContext } from './internal/context.js';
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

/** A bearer token: header checks, user lookup (cached), signature with the current/previous key. */
export async function tokenPrincipal(ctx: AuthContext, token: string): Promise<Principal> {
  const sub = ctx.tokens.subject(token);
  const { user, principal } = await ctx.principals.get(sub);
  if (user === null) throw unauthorized('invalid token');
  await ctx.tokens.verify(token, user);
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
