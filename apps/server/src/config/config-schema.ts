import { z } from '@hono/zod-openapi';
import { createRepoSchema, createStoreSchema, initRoleSchema, initUserSchema } from '../services/schemas.js';

/** `host:port`, IPv6 hosts in brackets (`[::]:8080`). */
export const listenSchema = z.string().refine((s) => parseListen(s) !== null, {
  message: 'must be "host:port" with a port in 0..65535',
});

/** Splits a `host:port` listen address; `null` when malformed. */
export function parseListen(s: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s);
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: (m[1] ?? m[2]) as string, port };
}

/**
 * `[kv_store]`: `type` picks a KV store plugin by its `storeType` (default `level`); every other
 * key is that plugin's option, validated by the plugin when it opens the store.
 */
const kvStoreSchema = z.object({ type: z.string().min(1).default('level') }).catchall(z.unknown());

/** One `[[plugins]]` entry: a package (or a path to a module) exporting `depotPlugin`. */
const pluginEntrySchema = z
  .object({
    package: z.string().min(1),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const ldapSchema = z
  .object({
    url: z.string().regex(/^ldaps?:\/\//, 'must start with ldap:// or ldaps://'),
    bind_dn: z.string(),
    bind_password: z.string(),
    user_base_dn: z.string(),
    group_base_dn: z.string(),
    user_filter: z.string().includes('{username}', { message: 'must contain {username}' }).optional(),
    group_filter: z.string().includes('{dn}', { message: 'must contain {dn}' }).optional(),
    group_name_attr: z.string().optional(),
    group_role_mapping: z.record(z.string(), z.string()).optional(),
    starttls: z.boolean().optional(),
    tls_skip_verify: z.boolean().optional(),
    fallback_to_builtin: z.boolean().optional(),
  })
  .strict();

const initializationSchema = z
  .object({
    roles: z.array(initRoleSchema).default([]),
    stores: z.array(createStoreSchema).default([]),
    repositories: z.array(createRepoSchema).default([]),
    users: z.array(initUserSchema).default([]),
    settings: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** The whole `depot.toml`. Unknown keys anywhere stop startup. */
export const configSchema = z
  .object({
    default_admin_password: z.string().min(8, 'must be at least 8 characters').optional(),
    metrics_listen: listenSchema.optional(),
    /** Peers whose X-Forwarded-* headers are believed. Default: none (runtime setting applies). */
    trusted_proxies: z.array(z.string().min(1)).optional(),
    /** `true` allows loopback/private cache upstreams whatever the runtime setting says. */
    allow_private_upstreams: z.boolean().optional(),
    /** `true` allows link-local/metadata cache upstreams whatever the runtime setting says. */
    allow_link_local_upstreams: z.boolean().optional(),
    /** The external URL of the main listener; absolute URLs are built on it instead of `Host`. */
    base_url: z
      .string()
      .regex(
        /^https?:\/\/[A-Za-z0-9.\-[\]:]+(\/[A-Za-z0-9._~\-/]*)?$/,
        'must be an http(s) URL without query or fragment',
      )
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    /**
     * A file holding the server secret (at least 32 bytes) that seals private signing keys in KV;
     * `DEPOT_SERVER_SECRET` wins over it. Default: generated beside a LevelDB store.
     */
    server_secret_file: z.string().min(1).optional(),
    http: z
      .object({ listen: listenSchema.default('0.0.0.0:8080') })
      .strict()
      .optional(),
    https: z
      .object({ listen: listenSchema.default('0.0.0.0:443'), tls_cert: z.string().min(1), tls_key: z.string().min(1) })
      .strict()
      .optional(),
    kv_store: kvStoreSchema.default({ type: 'level' }),
    /** `[formats.<name>]`: options handed to that format plugin's `create`. */
    formats: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    /** `[[plugins]]`: third-party plugins loaded by package name at startup. */
    plugins: z.array(pluginEntrySchema).default([]),
    logging: z
      .object({
        otlp_endpoint: z.string().url().optional(),
        level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
      })
      .strict()
      .default({ level: 'info' }),
    ldap: ldapSchema.optional(),
    initialization: initializationSchema.optional(),
  })
  .strict();

/** The parsed configuration. */
export type DepotConfig = z.infer<typeof configSchema>;
