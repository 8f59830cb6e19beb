import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AuthService, DepotRecords, Logger, Principal, SettingsRecord } from '@depot/core';
import type { AppEnv } from '../http/env.js';
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
  readonly records: DepotRecords;
  readonly settings: () => SettingsRecord;
  readonly logger: Logger;
  readonly defaultAdminPassword?: string;
  readonly ldap?: LdapConfig;
}

/** Authentication and authorization, as the server uses it. */
export interface AuthModule {
  /**
   * Resolves the caller from the request: `anonymous` when no credentials were sent; a
   * `DepotError('UNAUTHORIZED')` when credentials were sent and are wrong.
   */
  authenticate(headers: Headers, peerIp: string): Promise<Principal>;
  /** Handed to formats (npm login, OCI token endpoint). */
  readonly service: AuthService;
  /** Mounts `/api/v1/auth/*`, `/api/v1/users*`, `/api/v1/roles*`, `/api/v1/settings/ldap`. */
  registerRoutes(app: OpenAPIHono<AppEnv>): void;
  /** On a fresh KV: roles `admin` and `read-only`, users `admin` and `anonymous`. */
  bootstrap(): Promise<{ readonly generatedAdminPassword: string | null }>;
  readonly workers: readonly BackgroundWorker[];
}
