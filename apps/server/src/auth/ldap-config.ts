import { z } from '@hono/zod-openapi';
import type { ServerRecords } from '../records/server-records.js';
import type { LdapConfig } from './auth-module.js';

/** What secret fields look like in responses; sending it back keeps the stored value (api.md). */
export const MASK = '********';
const META_ID = 'ldap';

/** `LdapConfig` as JSON (GET/PUT `/api/v1/settings/ldap`); unknown fields → 400. */
export const ldapConfigSchema = z
  .object({
    url: z.string().regex(/^ldaps?:\/\/[^\s]+$/, 'must be an ldap:// or ldaps:// URL'),
    bind_dn: z.string().min(1),
    bind_password: z.string(),
    user_base_dn: z.string().min(1),
    group_base_dn: z.string().min(1),
    user_filter: z.string().includes('{username}').optional(),
    group_filter: z.string().optional(),
    group_name_attr: z.string().min(1).optional(),
    group_role_mapping: z.record(z.string(), z.string()).optional(),
    starttls: z.boolean().optional(),
    tls_skip_verify: z.boolean().optional(),
    fallback_to_builtin: z.boolean().optional(),
  })
  .strict()
  .openapi('LdapConfig');

/** A copy of `config` with the bind password masked. */
export const maskLdap = (config: LdapConfig): LdapConfig => ({ ...config, bind_password: MASK });

/** Whether builtin users other than admins may log in while LDAP is configured (default true). */
export const fallsBackToBuiltin = (config: LdapConfig): boolean => config.fallback_to_builtin !== false;

/**
 * The LDAP configuration in force: the runtime one in KV (`meta/ldap`) when present, else the TOML
 * `[ldap]` section, else none. Held in memory; `reload` re-reads KV.
 */
export class LdapSettings {
  #current: LdapConfig | null;
  #runtime = false;

  constructor(
    private readonly records: ServerRecords,
    private readonly fromToml: LdapConfig | undefined,
  ) {
    this.#current = fromToml ?? null;
  }

  /** The config in force, or `null` when LDAP is off. */
  get current(): LdapConfig | null {
    return this.#current;
  }

  /** Re-reads the runtime config from KV. */
  async reload(): Promise<LdapConfig | null> {
    const stored = (await this.records.meta.get(META_ID)) as LdapConfig | null;
    this.#runtime = stored !== null;
    this.#current = stored ?? this.fromToml ?? null;
    return this.#current;
  }

  /** Saves a runtime config; a masked bind password keeps the one in force. */
  async save(input: LdapConfig): Promise<LdapConfig> {
    const current = await this.reload();
    const bind_password = input.bind_password === MASK ? (current?.bind_password ?? '') : input.bind_password;
    const next: LdapConfig = { ...input, bind_password };
    await this.records.meta.put(META_ID, next);
    this.#current = next;
    this.#runtime = true;
    return next;
  }

  /** Removes the runtime config (the TOML one, if any, applies again). True when one existed. */
  async remove(): Promise<boolean> {
    const existed = await this.records.meta.delete(META_ID);
    this.#runtime = false;
    this.#current = this.fromToml ?? null;
    return existed;
  }

  /** Whether the config in force came from KV. */
  get isRuntime(): boolean {
    return this.#runtime;
  }
}
