import { assertKnownOptions, badRequest, type Format, type FormatPluginManifest } from '@depot/core';
import { KEY_PREFIX, Keyring } from '@depot/signing';
import type { YumEnv } from './env.js';
import { handle, removeArtifact, YUM_CACHE_POLICY } from './routes.js';
import { bumpAllGenerations, GEN_PREFIX, PKG_PREFIX, yumStore } from './store.js';

export { buildRepodata, type PackageEntry } from './repodata.js';
export { type RpmInfo, readRpm } from './rpm.js';

/**
 * Validates Yum `format_options`: `repodata_depth` (0–5, default 0) — how many directories deep
 * the repodata roots sit: with 1, `el9/repodata/` lists the packages under `el9/`.
 */
export function validateYumOptions(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  for (const key of Object.keys(options)) {
    if (key !== 'repodata_depth') throw badRequest(`unknown yum repository option ${key}`, { field: key });
  }
  const depth = options.repodata_depth;
  if (depth === undefined) return {};
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0 || depth > 5) {
    throw badRequest('repodata_depth must be a whole number from 0 to 5', { field: 'repodata_depth' });
  }
  return { repodata_depth: depth };
}

/**
 * The Yum/DNF format. Hosted: `PUT` an `.rpm`; Depot reads its headers, stores it, and serves
 * `repodata/repomd.xml` with `primary`, `filelists` and `other` (gzip, content-addressed), rebuilt
 * from the stored package records when the repository changes. Cache: an rpm-md mirror relayed
 * as it is. Proxy: the members' repodata merged (first member wins per package).
 */
export function yumFormat(): Format {
  return {
    name: 'yum',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    cachePolicy: YUM_CACHE_POLICY,
    validateRepositoryOptions: (options) => validateYumOptions(options),
    repositoryRecordPrefixes: (repo) => [`${PKG_PREFIX}${repo}/`, `${GEN_PREFIX}${repo}/`, `${KEY_PREFIX}${repo}/`],
    init(ctx) {
      const env: YumEnv = {
        ctx,
        engine: ctx.engine,
        store: yumStore(ctx.kv),
        keys: new Keyring(ctx, 'yum'),
        built: new Map(),
        proxied: new Map(),
        listed: new Map(),
      };
      return {
        // Each request acts as its caller.
        handle: (req) => handle({ ...env, engine: req.engine }, req),
        challenge: () => 'Basic realm="Depot"',
        removeArtifact: (repo, path) => removeArtifact(env, repo, path),
        signingKey: {
          describe: (repo) => env.keys.describe(repo.name),
          async replace(repo, armored) {
            const info = await env.keys.replace(repo.name, armored);
            // Every repodata root is rebuilt (and re-signed) on its next read, on every instance.
            await bumpAllGenerations(env.store, repo.name, ctx.now());
            env.proxied.clear();
            return info;
          },
        },
      };
    },
  };
}

/** The plugin manifest the server loads. `[formats.yum]` takes no options yet. */
export const depotPlugin: FormatPluginManifest = {
  kind: 'format',
  name: 'yum',
  apiVersion: 1,
  create(opts = {}) {
    assertKnownOptions(opts, [], 'yum');
    return yumFormat();
  },
};
