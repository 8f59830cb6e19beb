import {
  assertKnownOptions,
  badRequest,
  type CachePolicy,
  type Format,
  type FormatPluginManifest,
  type RepositoryRecord,
} from '@depot/core';
import { KEY_PREFIX, Keyring } from '@depot/signing';
import type { AptEnv, AptRepositoryOptions } from './env.js';
import { handle } from './routes.js';
import { aptStore, bumpDist, DIST_PREFIX, PKG_PREFIX } from './store.js';
import { removeArtifact } from './upload.js';

export type { AptRepositoryOptions } from './env.js';

const DIST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ARCH = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Cache repositories of a Debian mirror: `dists/` indexes (and their signatures) are metadata,
 * revalidated per `cache_ttl_secs`; pool files and by-hash files never change under their path.
 */
export const APT_CACHE_POLICY: CachePolicy = {
  isImmutable: (path) => path.startsWith('pool/') || path.includes('/by-hash/'),
  isInternal: (path) => path.startsWith('dists/') && !path.includes('/by-hash/'),
  algorithms: ['sha256'],
};

/** Validates APT `format_options`: `distribution`, `architectures`, `allow_redeploy`. */
export function validateAptOptions(options: Readonly<Record<string, unknown>>): AptRepositoryOptions {
  for (const key of Object.keys(options)) {
    if (!['distribution', 'architectures', 'allow_redeploy'].includes(key)) {
      throw badRequest(`unknown apt repository option ${key}`, { field: key });
    }
  }
  const distribution = options.distribution ?? 'stable';
  if (typeof distribution !== 'string' || !DIST.test(distribution)) {
    throw badRequest('distribution must be a distribution name', { field: 'distribution' });
  }
  const architectures = options.architectures ?? ['amd64'];
  if (
    !Array.isArray(architectures) ||
    architectures.some((a) => typeof a !== 'string' || !ARCH.test(a) || a === 'all')
  ) {
    throw badRequest('architectures must be a list of Debian architectures (not "all")', { field: 'architectures' });
  }
  const allow = options.allow_redeploy ?? false;
  if (typeof allow !== 'boolean') throw badRequest('allow_redeploy must be a boolean', { field: 'allow_redeploy' });
  return { distribution, architectures: architectures as string[], allow_redeploy: allow };
}

/**
 * The APT format: hosted Debian/Ubuntu repositories. `PUT` a `.deb`; Depot reads its control data,
 * files it under `pool/`, and serves `dists/{dist}/{Release,InRelease,Release.gpg}` and
 * `{component}/binary-{arch}/Packages[.gz]`, signed with the repository's own key
 * (`public.key`, `public.gpg`).
 */
export function aptFormat(): Format {
  const options = (repo: RepositoryRecord): AptRepositoryOptions => validateAptOptions(repo.format_options ?? {});
  return {
    name: 'apt',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    cachePolicy: APT_CACHE_POLICY,
    repositoryRecordPrefixes: (repo) => [`${PKG_PREFIX}${repo}/`, `${DIST_PREFIX}${repo}/`, `${KEY_PREFIX}${repo}/`],
    validateRepositoryOptions: (opts) => ({ ...validateAptOptions(opts) }),
    init(ctx) {
      const env: AptEnv = {
        ctx,
        engine: ctx.engine,
        store: aptStore(ctx.kv),
        keys: new Keyring(ctx, 'apt'),
        built: new Map(),
        proxied: new Map(),
        options,
      };
      return {
        handle: (req) => handle({ ...env, engine: req.engine }, req),
        challenge: () => 'Basic realm="Depot"',
        removeArtifact: (repo, path) => removeArtifact(env, repo.name, path),
        signingKey: {
          describe: (repo) => env.keys.describe(repo.name),
          async replace(repo, armored) {
            const info = await env.keys.replace(repo.name, armored);
            // Every distribution is rebuilt (and re-signed) on its next read, on every instance.
            const dists: string[] = [];
            for await (const { id } of env.store.dists.scan({ prefix: `${repo.name}/` })) {
              dists.push(id.slice(repo.name.length + 1));
            }
            for (const dist of dists) await bumpDist(env.store, repo.name, dist, ctx.now());
            env.proxied.clear();
            return info;
          },
        },
      };
    },
  };
}

/** The plugin manifest the server loads. `[formats.apt]` takes no options yet. */
export const depotPlugin: FormatPluginManifest = {
  kind: 'format',
  name: 'apt',
  apiVersion: 1,
  create(opts = {}) {
    assertKnownOptions(opts, [], 'apt');
    return aptFormat();
  },
};
