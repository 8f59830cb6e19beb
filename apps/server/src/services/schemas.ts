import { REPOSITORY_NAME } from '@depot/core';
import { z } from '@hono/zod-openapi';

/** Repository, store, user and role names: a letter or digit, then letters, digits, `.`, `_`, `-`. */
export const NAME_PATTERN: RegExp = REPOSITORY_NAME;

/** A name field with the rule above. */
export const nameSchema = z
  .string()
  .regex(NAME_PATTERN, 'must start with a letter or digit and contain only letters, digits, ".", "_", "-" (≤ 128)');

/** `upstream_auth`: HTTP Basic credentials for a cache repository's upstream. */
export const upstreamAuthSchema = z
  .object({ username: z.string().min(1), password: z.string().optional() })
  .strict()
  .openapi('UpstreamAuth');

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

/** `upstream_redirect_hosts`: where upstream redirects may lead besides the upstream's own origin. */
const redirectHostsSchema = z
  .array(z.string().min(1).max(255))
  .max(64)
  .openapi({ example: ['cdn.example.com', '*.s3.amazonaws.com'] });

/** Fields a repository may carry besides its identity; shared by create and update. */
const repoMutableFields = {
  upstream_url: httpUrl.optional(),
  cache_ttl_secs: z.number().int().min(0).optional(),
  negative_cache_ttl_secs: z.number().int().min(0).optional(),
  content_ttl_secs: z.number().int().min(0).optional(),
  offline: z.boolean().optional(),
  cooldown_secs: z.number().int().min(0).optional(),
  cooldown_allow: z.array(z.string().min(1).max(256)).max(1000).optional(),
  write_policy: z.enum(['allow', 'allow_once', 'read_only']).optional(),
  upstream_auth: upstreamAuthSchema.optional(),
  upstream_redirect_hosts: redirectHostsSchema.optional(),
  members: z.array(nameSchema).optional(),
  write_member: nameSchema.optional(),
  cleanup_max_age_days: z.number().int().min(1).optional(),
  cleanup_max_unaccessed_days: z.number().int().min(1).optional(),
  cleanup_keep_last: z.number().int().min(1).optional(),
  // Format-specific options; the flat spellings are the prototype's and land in format_options.
  listen: z.string().optional(),
  cleanup_untagged_manifests: z.boolean().optional(),
  content_disposition: z.enum(['attachment', 'inline']).optional(),
  repodata_depth: z.number().int().optional(),
  format_options: z.record(z.string(), z.unknown()).optional(),
};

/** Body of `POST /api/v1/repositories` (and `[[initialization.repositories]]`). */
export const createRepoSchema = z
  .object({
    name: nameSchema,
    repo_type: z.enum(['hosted', 'cache', 'proxy']),
    format: z.string().min(1),
    store: nameSchema,
    ...repoMutableFields,
  })
  .strict()
  .openapi('CreateRepositoryRequest');

/** Fields a PUT may clear by sending `null`. */
export const CLEARABLE_REPO_FIELDS = [
  'upstream_auth',
  'upstream_redirect_hosts',
  'cache_ttl_secs',
  'negative_cache_ttl_secs',
  'content_ttl_secs',
  'offline',
  'cooldown_secs',
  'cooldown_allow',
  'write_policy',
  'write_member',
  'cleanup_max_age_days',
  'cleanup_max_unaccessed_days',
  'cleanup_keep_last',
] as const;

/**
 * Body of `PUT /api/v1/repositories/{name}`: every field optional (omitted = unchanged, `null`
 * clears a {@link CLEARABLE_REPO_FIELDS} field); identity fields must not change.
 */
export const updateRepoSchema = z
  .object({
    name: nameSchema.optional(),
    repo_type: z.enum(['hosted', 'cache', 'proxy']).optional(),
    format: z.string().optional(),
    store: nameSchema.optional(),
    ...repoMutableFields,
    upstream_auth: upstreamAuthSchema.nullable().optional(),
    upstream_redirect_hosts: redirectHostsSchema.nullable().optional(),
    cache_ttl_secs: z.number().int().min(0).nullable().optional(),
    negative_cache_ttl_secs: z.number().int().min(0).nullable().optional(),
    content_ttl_secs: z.number().int().min(0).nullable().optional(),
    offline: z.boolean().nullable().optional(),
    cooldown_secs: z.number().int().min(0).nullable().optional(),
    cooldown_allow: z.array(z.string().min(1).max(256)).max(1000).nullable().optional(),
    write_policy: z.enum(['allow', 'allow_once', 'read_only']).nullable().optional(),
    write_member: nameSchema.nullable().optional(),
    cleanup_max_age_days: z.number().int().min(1).nullable().optional(),
    cleanup_max_unaccessed_days: z.number().int().min(1).nullable().optional(),
    cleanup_keep_last: z.number().int().min(1).nullable().optional(),
  })
  .strict()
  .openapi('UpdateRepositoryRequest');

export type CreateRepoInput = z.infer<typeof createRepoSchema>;
export type UpdateRepoInput = z.infer<typeof updateRepoSchema>;

/** Body of `POST /api/v1/stores`: identity plus the backend's options (validated by its plugin). */
export const createStoreSchema = z
  .object({ name: nameSchema, store_type: z.string().min(1) })
  .catchall(z.unknown())
  .openapi('CreateStoreRequest');

/** Body of `PUT /api/v1/stores/{name}`: a partial patch of the options. */
export const updateStoreSchema = z
  .object({ name: nameSchema.optional(), store_type: z.string().optional() })
  .catchall(z.unknown())
  .openapi('UpdateStoreRequest');

export type CreateStoreInput = z.infer<typeof createStoreSchema>;

/** `[[initialization.roles]]`. */
export const initRoleSchema = z
  .object({
    name: nameSchema,
    description: z.string().optional(),
    admin: z.boolean().optional(),
    capabilities: z
      .array(z.object({ capability: z.enum(['read', 'write', 'delete']), repo: z.string().min(1) }).strict())
      .default([]),
  })
  .strict();

/** `[[initialization.users]]`. */
export const initUserSchema = z
  .object({
    username: nameSchema,
    password: z.string().min(1),
    roles: z.array(z.string()).default([]),
    must_change_password: z.boolean().default(false),
  })
  .strict();
