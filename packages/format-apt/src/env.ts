import type { FormatContext, RepositoryEngine, RepositoryRecord } from '@depot/core';
import type { Keyring } from '@depot/signing';
import type { BuiltDist } from './metadata.js';
import type { AptStore } from './store.js';

/** Repository options (`format_options`) of APT repositories. */
export interface AptRepositoryOptions {
  /** The distribution an upload without `?distribution=` goes to (default `stable`). */
  readonly distribution: string;
  /** Architectures every distribution lists even with no package of them (default `amd64`). */
  readonly architectures: readonly string[];
  /** Another upload of a package version with other bytes replaces it (default false). */
  readonly allow_redeploy: boolean;
}

/** What the routes work with. */
export interface AptEnv {
  readonly ctx: FormatContext;
  readonly engine: RepositoryEngine;
  readonly store: AptStore;
  readonly keys: Keyring;
  /** Built distributions by `{repo}\0{dist}\0{generation}`. */
  readonly built: Map<string, Promise<BuiltDist>>;
  /** Merged proxy distributions, reused until `until`. */
  readonly proxied: Map<string, { readonly dist: BuiltDist; readonly until: number }>;
  options(repo: RepositoryRecord): AptRepositoryOptions;
}
