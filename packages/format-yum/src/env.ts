import type { ExpectedContent, FormatContext, RepositoryEngine } from '@depot/core';
import type { Keyring } from '@depot/signing';
import type { Repodata } from './repodata.js';
import type { YumStore } from './store.js';

/** What the routes work with. */
export interface YumEnv {
  readonly ctx: FormatContext;
  readonly engine: RepositoryEngine;
  readonly store: YumStore;
  /** Built repodata by `{repo}\0{generation}`. */
  readonly built: Map<string, Promise<Repodata>>;
  /** Signing keys (one per hosted or proxy repository). */
  readonly keys: Keyring;
  /** Cache repositories: the digests the mirror's primary lists, by `{repo}\0{primary href}`. */
  readonly listed: Map<string, Promise<ReadonlyMap<string, ExpectedContent>>>;
  /** Merged proxy repodata, reused until `until`. */
  readonly proxied: Map<string, { readonly repodata: Repodata; readonly until: number }>;
}
