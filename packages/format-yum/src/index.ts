import { assertKnownOptions, type Format, type FormatPluginManifest } from '@depot/core';
import { KEY_PREFIX, Keyring } from '@depot/signing';
import type { YumEnv } from './env.js';
import { handle, YUM_CACHE_POLICY } from './routes.js';
import { GEN_PREFIX, PKG_PREFIX, yumStore } from './store.js';

export { buildRepodata, type PackageEntry } from './repodata.js';
export { type RpmInfo, readRpm } from './rpm.js';

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
    repositoryRecordPrefixes: (repo) => [`${PKG_PREFIX}${repo}/`, `${GEN_PREFIX}${repo}/`, `${KEY_PREFIX}${repo}/`],
    init(ctx) {
      const env: YumEnv = {
        ctx,
        engine: ctx.engine,
        store: yumStore(ctx.kv),
        keys: new Keyring(ctx, 'yum'),
        built: new Map(),
        proxied: new Map(),
      };
      return {
        // Each request acts as its caller.
        handle: (req) => handle({ ...env, engine: req.engine }, req),
        challenge: () => 'Basic realm="Depot"',
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
