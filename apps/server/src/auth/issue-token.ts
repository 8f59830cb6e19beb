import { DepotError } from '@depot/core';
import { type AuthContext, numberSetting } from './internal/context.js';
import { DEFAULT_JWT_EXPIRY_SECS } from './tokens.js';

/** Issues a token for `username` (which must exist) with the `jwt_expiry_secs` lifetime. */
export async function issueTokenFor(
  ctx: AuthContext,
  username: string,
): Promise<{ token: string; expiresInSecs: number }> {
  const { user } = await ctx.principals.get(username);
  if (user === null) throw new DepotError('UNAUTHORIZED', 'unknown user');
  const expiresInSecs = numberSetting(ctx.settings(), 'jwt_expiry_secs', DEFAULT_JWT_EXPIRY_SECS);
  return { token: await ctx.tokens.issue(user, expiresInSecs), expiresInSecs };
}
