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

const powerOfTwo = z.number().superRefine((n, ctx) => {
  if (!Number.isInteger(n) || n < 1 || n > 256 || (n & (n - 1)) !== 0) {
    ctx.addIssue({ code: 'custom', message: `must be a power of two in 1..256, got ${n}` });
  }
});

const kvStoreSchema = z
  .object({
    type: z.literal('level'),
    path: z.string().min(1).default('./depot-data/kv'),
    scaling_factor: powerOfTwo.default(8),
    cache_size: z
      .number()
      .int()
      .positive()
      .default(256 * 1024 * 1024),
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
    http: z
      .object({ listen: listenSchema.default('0.0.0.0:8080') })
      .strict()
      .optional(),
    https: z
      .object({ listen: listenSchema.default('0.0.0.0:443'), tls_cert: z.string().min(1), tls_key: z.string().min(1) })
      .strict()
      .optional(),
    kv_store: kvStoreSchema.default({
      type: 'level',
      path: './depot-data/kv',
      scaling_factor: 8,
      cache_size: 256 * 1024 * 1024,
    }),
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
