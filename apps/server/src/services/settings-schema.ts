import type { Format, FormatSetting } from '@depot/core';
import { z } from '@hono/zod-openapi';

/** 32 GiB: the default `max_artifact_bytes`. */
export const DEFAULT_MAX_ARTIFACT_BYTES = 32 * 1024 ** 3;

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

const corsSchema = z
  .object({
    allowed_origins: z.array(z.string()).default([]),
    allowed_methods: z.array(z.enum(HTTP_METHODS)).default(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']),
    allowed_headers: z.array(z.string()).default(['Authorization', 'Content-Type', 'Accept']),
    max_age_secs: z.number().int().min(0).default(3600),
  })
  .strict();

const rateLimitSchema = z
  .object({
    requests_per_second: z.number().int().positive().default(100),
    burst_size: z.number().int().positive().default(50),
  })
  .strict();

const loginThrottleSchema = z
  .object({
    max_failures_per_user: z.number().int().min(0).default(10),
    max_failures_per_client: z.number().int().min(0).default(50),
    window_secs: z.number().int().min(1).max(3600).default(60),
  })
  .strict();

/** Every runtime setting with its default (api.md, prototype-inventory §3.2). */
const settingsFields = {
  access_log: z.boolean().default(true),
  /** Audit events (writes, deletes, changes, failed logins, token use) kept in KV. */
  audit_log: z.boolean().default(true),
  audit_retention_days: z.number().int().min(1).max(3650).default(90),
  max_artifact_bytes: z.number().int().positive().default(DEFAULT_MAX_ARTIFACT_BYTES),
  cors: corsSchema.nullable().default(null),
  rate_limit: rateLimitSchema.nullable().default(null),
  /** Failed logins per user / per client in a window, then 429 (0 turns a side off); on by default. */
  login_throttle: loginThrottleSchema.default({
    max_failures_per_user: 10,
    max_failures_per_client: 50,
    window_secs: 60,
  }),
  gc_interval_secs: z.number().int().positive().nullable().default(86_400),
  gc_min_interval_secs: z.number().int().min(60).default(3600),
  gc_max_orphan_candidates: z.number().int().positive().default(1_000_000),
  /** Blobs younger than this are never GC candidates (an upload writes its blob before its records). */
  gc_blob_min_age_secs: z.number().int().min(0).default(3600),
  jwt_expiry_secs: z.number().int().min(60).default(86_400),
  jwt_rotation_interval_secs: z.number().int().min(3600).default(604_800),
  state_scan_interval_ms: z.number().int().min(100).default(1000),
  task_retention_secs: z.number().int().min(0).default(86_400),
  logging: z.object({ otlp_endpoint: z.string().url().nullable().optional() }).strict().nullable().default(null),
  tracing_endpoint: z.string().url().nullable().default(null),
  /** Peers (addresses or IPv4 CIDR) whose X-Forwarded-For counts for rate limiting. */
  trusted_proxies: z.array(z.string().min(1)).default([]),
  /** Cache upstreams may be loopback, private (RFC 1918, fc00::/7) or unspecified addresses. */
  allow_private_upstreams: z.boolean().default(false),
  /** Cache upstreams may be link-local or cloud metadata addresses (169.254.0.0/16, fe80::/10, fd00::/8). */
  allow_link_local_upstreams: z.boolean().default(false),
};

/** One format-declared setting as a schema field: its default when absent, else its own `parse`. */
function formatField(setting: FormatSetting) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return setting.default;
      try {
        return setting.parse(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
        return z.NEVER;
      }
    })
    .openapi({ description: setting.description ?? 'a setting of a format plugin' });
}

/**
 * The full settings object: the server's fields plus every format's declared settings (top-level
 * keys, so `GET/PUT /api/v1/settings` keeps one flat shape), defaults filled in, cross-field rules
 * checked. Unknown keys → 400. A format key that collides with another key fails startup.
 */
export function settingsSchemaWith(formats: Iterable<Pick<Format, 'name' | 'settings'>>) {
  const extra: Record<string, ReturnType<typeof formatField>> = {};
  for (const format of formats) {
    for (const [key, setting] of Object.entries(format.settings ?? {})) {
      if (key in settingsFields || key in extra) {
        throw new Error(`format plugin "${format.name}" declares the setting "${key}", which is already taken`);
      }
      extra[key] = formatField(setting);
    }
  }
  return z
    .object({ ...settingsFields, ...extra })
    .strict()
    .superRefine((s, ctx) => {
      if (s.gc_interval_secs !== null && s.gc_interval_secs < s.gc_min_interval_secs) {
        ctx.addIssue({ code: 'custom', path: ['gc_interval_secs'], message: 'must be ≥ gc_min_interval_secs' });
      }
      if (s.jwt_rotation_interval_secs < s.jwt_expiry_secs) {
        ctx.addIssue({ code: 'custom', path: ['jwt_rotation_interval_secs'], message: 'must be ≥ jwt_expiry_secs' });
      }
    })
    .openapi('Settings');
}

/** The server's own settings, without any format's (the OpenAPI document's shape). */
export const settingsSchema = settingsSchemaWith([]);

/** A settings schema, with or without formats' settings. */
export type SettingsSchema = ReturnType<typeof settingsSchemaWith>;

/** A partial settings object (PATCH body, `[initialization.settings]`), merged then checked whole. */
export const settingsPatchSchema = z.record(z.string(), z.unknown()).openapi('SettingsPatch');

/** The parsed settings; formats' settings ride along under their own keys. */
export type Settings = z.infer<typeof settingsSchema> & Readonly<Record<string, unknown>>;
