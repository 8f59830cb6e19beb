import type { AuthService, Logger, Principal, SettingsRecord } from '@depot/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { ServerRecords } from '../records/server-records.js';
import type { BackgroundWorker } from '../workers/worker.js';

/** `[ldap]` from the TOML config (also settable at runtime through `/api/v1/settings/ldap`). */
export interface LdapConfig {
  readonly url: string;
  readonly bind_dn: string;
  readonly bind_password: string;
  readonly user_base_dn: string;
  readonly group_base_dn: string;
  readonly user_filter?: string;
  readonly group_filter?: string;
  readonly group_name_attr?: string;
  readonly group_role_mapping?: Readonly<Record<string, string>>;
  readonly starttls?: boolean;
  readonly tls_skip_verify?: boolean;
  readonly fallback_to_builtin?: boolean;
}

/** What the server hands the auth module. */
export interface AuthOptions {
  readonly records: ServerRecords;
  readonly settings: () => SettingsRecord;
  readonly logger: Logger;
  readonly defaultAdminPassword?: string;
  readonly ldap?: LdapConfig;
  /**
   * Peers whose `X-Forwarded-For` is believed for rate limiting (TOML `trusted_proxies`: exact
   * addresses or IPv4 CIDR ranges). When absent, the runtime setting `trusted_proxies` is used.
   */
  readonly trustedProxies?: readonly string[];
  /** Hears an API token being used (at most once a minute per token), for the audit log. */
  readonly onTokenUse?: (owner: string, tokenId: string) => void;
}

/** Timings and clock, for tests; production uses the defaults. */
export interface AuthTuning {
  /** Milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** How long a user's principal is cached (default 5000 ms). */
  readonly principalTtlMs?: number;
  /** How long verified Basic credentials are remembered (default 60 000 ms). */
  readonly credentialTtlMs?: number;
  /** How often the rotation worker checks whether the JWT key is due (default 1 h). */
  readonly rotationCheckMs?: number;
  /** How often the JWT keys and the LDAP config are re-read from KV (default 10 000 ms). */
  readonly refreshMs?: number;
}

/** Authentication and authorization, as the server uses it. */
export interface AuthModule {
  /**
   * Per-client rate limit from the `rate_limit` setting; call first in the request pipeline.
   * Throws `DepotError('RATE_LIMITED')`. The client is the peer address, or the `X-Forwarded-For`
   * client when the peer is listed in the `trusted_proxies` setting.
   */
  rateLimit(peerIp: string, headers: Headers): void;
  /**
   * Resolves the caller from the request: `anonymous` when no credentials were sent; a
   * `DepotError('UNAUTHORIZED')` when credentials were sent and are wrong.
   */
  authenticate(headers: Headers, peerIp: string): Promise<Principal>;
  /**
   * Refuses (`FORBIDDEN`, `details.reason = 'password_change_required'`) a request by a user who
   * must change their password, unless it is one of the few that let them: the password change,
   * login, and health.
   */
  requirePasswordCurrent(principal: Principal, method: string, path: string): void;
  /** Handed to formats (npm login, OCI token endpoint). */
  readonly service: AuthService;
  /** Mounts `/api/v1/auth/*`, `/api/v1/users*`, `/api/v1/roles*`, `/api/v1/settings/ldap`. */
  registerRoutes(app: OpenAPIHono<AppEnv>): void;
  /** On a fresh KV: roles `admin` and `read-only`, users `admin` and `anonymous`. */
  bootstrap(): Promise<{ readonly generatedAdminPassword: string | null }>;
  readonly workers: readonly BackgroundWorker[];
}
