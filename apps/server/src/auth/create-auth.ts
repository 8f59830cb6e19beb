import { DepotError, type Principal, type SettingsRecord } from '@depot/core';
import { ApiTokens, isApiToken } from './api-tokens.js';
import type { AuthModule, AuthOptions, AuthTuning } from './auth-module.js';
import { authenticate } from './authenticate.js';
import { bootstrap } from './bootstrap.js';
import * as defaults from './create-auth-defaults.js';
import { CredentialCache } from './credential-cache.js';
import { verifyLogin } from './credentials.js';
import { type AuthContext, numberSetting, serializer, stringListSetting } from './internal/context.js';
import { issueTokenFor } from './issue-token.js';
import { JwtKeyring } from './jwt-keys.js';
import { LdapSettings } from './ldap-config.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleSettings } from './login-throttle.js';
import { PrincipalCache, type ResolvedPrincipal } from './principals.js';
import { clientKey, RateLimiter, type RateLimitSettings } from './rate-limit.js';
import { registerAuthRoutes } from './routes/register.js';
import { DEFAULT_JWT_EXPIRY_SECS, TokenService } from './tokens.js';
import { authRefreshWorker, jwtRotationWorker } from './workers.js';

/** Builds the shared context of the auth module. */
export function createAuthContext(options: AuthOptions, tuning: AuthTuning = {}): AuthContext {
  const now = tuning.now ?? Date.now;
  const keyring = new JwtKeyring(options.records, options.logger, now);
  const principalTtl = tuning.principalTtlMs ?? defaults.DEFAULT_PRINCIPAL_TTL_MS;
  const principals = new PrincipalCache(options.records, principalTtl, now);
  return {
    records: options.records,
    settings: options.settings,
    logger: options.logger,
    now,
    principals,
    apiTokens: new ApiTokens(options.records, principals, options.logger, now, principalTtl, options.onTokenUse),
    credentials: new CredentialCache(tuning.credentialTtlMs ?? defaults.DEFAULT_CREDENTIAL_TTL_MS, now),
    keyring,
    tokens: new TokenService(keyring, now),
    ldap: new LdapSettings(options.records, options.ldap),
    limiter: new RateLimiter(now),
    throttle: new LoginThrottle(now, () => loginThrottleSetting(options.settings())),
    clientOf: (peerIp, headers) =>
      clientKey(peerIp, headers, options.trustedProxies ?? stringListSetting(options.settings(), 'trusted_proxies')),
    serialize: serializer(),
  };
}

/** What a user flagged `must_change_password` may still do. */
const WHILE_PASSWORD_EXPIRED = new Set(['POST /api/v1/auth/change-password', 'POST /api/v1/auth/login']);

function requirePasswordCurrent(principal: Principal, method: string, path: string): void {
  if ((principal as Partial<ResolvedPrincipal>).mustChangePassword !== true) return;
  if (WHILE_PASSWORD_EXPIRED.has(`${method.toUpperCase()} ${path}`) || path.startsWith('/api/v1/health')) return;
  throw new DepotError('FORBIDDEN', 'password change required: POST /api/v1/auth/change-password first', {
    details: { reason: 'password_change_required' },
  });
}

/** The `login_throttle` setting, its defaults filling what it leaves out. */
function loginThrottleSetting(settings: SettingsRecord): LoginThrottleSettings {
  const v = settings.login_throttle;
  const given = v !== null && typeof v === 'object' ? (v as Partial<LoginThrottleSettings>) : {};
  const pick = (key: keyof LoginThrottleSettings): number => {
    const n = given[key];
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : DEFAULT_LOGIN_THROTTLE[key];
  };
  return {
    max_failures_per_user: pick('max_failures_per_user'),
    max_failures_per_client: pick('max_failures_per_client'),
    window_secs: pick('window_secs'),
  };
}

/** The `rate_limit` setting, or `null` when rate limiting is off. */
function rateLimitSetting(ctx: AuthContext): RateLimitSettings | null {
  const v = ctx.settings().rate_limit;
  if (v === null || typeof v !== 'object') return null;
  const r = v as Partial<RateLimitSettings>;
  if (typeof r.requests_per_second !== 'number' || typeof r.burst_size !== 'number') return null;
  if (r.requests_per_second <= 0 || r.burst_size <= 0) return null;
  return { requests_per_second: r.requests_per_second, burst_size: r.burst_size };
}

/**
 * Identity and access for the server: Argon2id passwords, HS256 tokens with cluster-wide rotating
 * keys, LDAP, glob RBAC, per-client rate limiting, the admin API for users, roles and LDAP settings
 * (docs/auth.md).
 */
export function createAuth(options: AuthOptions, tuning: AuthTuning = {}): AuthModule {
  const ctx = createAuthContext(options, tuning);
  return {
    rateLimit(peerIp, headers) {
      const limits = rateLimitSetting(ctx);
      if (limits === null) return;
      ctx.limiter.take(ctx.clientOf(peerIp, headers), limits);
    },
    requirePasswordCurrent,
    authenticate: (headers, peerIp) => authenticate(ctx, headers, ctx.clientOf(peerIp, headers)),
    service: {
      async verifyPassword(username, password): Promise<Principal | null> {
        try {
          // An API token works as a password too (docker login, npm adduser), with its own scope.
          if (isApiToken(password)) return await ctx.apiTokens.principal(password);
          await verifyLogin(ctx, username, password);
        } catch (err) {
          if (err instanceof DepotError && err.code === 'UNAUTHORIZED') return null;
          throw err;
        }
        return (await ctx.principals.get(username)).principal;
      },
      // A token endpoint called with an API token hands that token back: never a wider JWT.
      issueToken: async (principal) => {
        const scoped = ctx.apiTokens.tokenOf(principal);
        if (scoped === undefined) return issueTokenFor(ctx, principal.username);
        const jwtSecs = numberSetting(ctx.settings(), 'jwt_expiry_secs', DEFAULT_JWT_EXPIRY_SECS);
        return { token: scoped.token, expiresInSecs: scoped.expiresInSecs ?? jwtSecs };
      },
      userExists: async (username) => (await ctx.principals.get(username)).user !== null,
    },
    registerRoutes: (app) => registerAuthRoutes(app, ctx),
    bootstrap: () => bootstrap(ctx, options.defaultAdminPassword),
    workers: [
      jwtRotationWorker(ctx, tuning.rotationCheckMs ?? defaults.DEFAULT_ROTATION_CHECK_MS),
      authRefreshWorker(ctx, tuning.refreshMs ?? defaults.DEFAULT_REFRESH_MS),
    ],
  };
}
