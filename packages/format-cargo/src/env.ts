import type { FormatContext, RepositoryEngine } from '@depot/core';
import type { DlTemplates } from './cache.js';
import type { RenderedIndexes } from './index-routes.js';
import type { CrateRecords } from './records.js';
import type { PublishLimits } from './wire.js';

/** What every Cargo route works with. */
export interface CargoEnv {
  readonly ctx: FormatContext;
  /** The engine acting as the request's caller (`req.engine`). */
  readonly engine: RepositoryEngine;
  readonly crates: CrateRecords;
  /** Cache repositories' upstream `dl`, learnt from their `config.json`. */
  readonly templates: DlTemplates;
  /**
   * Hosted index files as served, by crate, while the crate record is unchanged: cargo asks for
   * every dependency's index file on every build, mostly answered 304.
   */
  readonly rendered: RenderedIndexes;
  readonly limits: PublishLimits & { readonly maxUnpackedBytes: number };
}
