import type { FormatContext, GeneratedMetadata, RepositoryEngine } from '@depot/core';
import type { ZipLimits } from './zip-check.js';

/** What every Go route works with. */
export interface GoEnv {
  readonly ctx: FormatContext;
  /** The engine acting as the request's caller (`req.engine`); the context's (system) one outside requests. */
  readonly engine: RepositoryEngine;
  readonly limits: ZipLimits;
  /** Hosted repositories' per-module versions and `@latest`, rebuilt when an upload or delete marks them stale. */
  readonly summaries: GeneratedMetadata;
}
