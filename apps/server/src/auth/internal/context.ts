import type { Logger, SettingsRecord } from '@depot/core';
import type { ServerRecords } from '../../records/server-records.js';
import type { ApiTokens } from '../api-tokens.js';
import type { CredentialCache } from '../credential-cache.js';
import type { JwtKeyring } from '../jwt-keys.js';
import type { LdapSettings } from '../ldap-config.js';
import type { LoginThrottle } from '../login-throttle.js';
import type { PrincipalCache } from '../principals.js';
import type { RateLimiter } from '../rate-limit.js';
import type { TokenService } from '../tokens.js';

/** Everything the auth module's parts share, built once by `createAuth`. */
export interface AuthContext {
  readonly records: ServerRecords;
  readonly settings: () => SettingsRecord;
  readonly logger: Logger;
  readonly now: () => number;
  readonly principals: PrincipalCache;
  readonly credentials: CredentialCache;
  readonly keyring: JwtKeyring;
  readonly tokens: TokenService;
  /** Scoped, expiring API tokens (`dpt_…`). */
  readonly apiTokens: ApiTokens;
  readonly ldap: LdapSettings;
  readonly limiter: RateLimiter;
  /** Failed-login throttling per user and per client (on by default). */
  readonly throttle: LoginThrottle;
  /** The client key of a request from `peerIp` (the `X-Forwarded-For` client behind trusted proxies). */
  clientOf(peerIp: string, headers: Headers): string;
  /** Serializes user and role changes in this process (last-admin checks read then write). */
  readonly serialize: <T>(task: () => Promise<T>) => Promise<T>;
}

/** A positive number setting, or `fallback`. */
export function numberSetting(settings: SettingsRecord, key: string, fallback: number): number {
  const v = settings[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

/** A string-array setting, or `[]`. */
export function stringListSetting(settings: SettingsRecord, key: string): string[] {
  const v = settings[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A promise-chain mutex. */
export function serializer(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => {});
    return run;
  };
}
