import type { FormatContext, GeneratedMetadata, RepositoryEngine } from '@depot/core';
import type { InspectLimits } from './chart-inspect.js';
import type { ChartRecords } from './chart-records.js';
import type { ExternalUrls } from './external-urls.js';
import type { IndexDoc } from './index-doc.js';
import type { Memo } from './memo.js';

/** What every Helm route works with. */
export interface HelmEnv {
  readonly ctx: FormatContext;
  /** The engine acting as the request's caller (`req.engine`); the context's (system) one outside requests. */
  readonly engine: RepositoryEngine;
  readonly records: ChartRecords;
  /** Hosted repositories' generated `index.yaml`. */
  readonly hostedIndex: GeneratedMetadata;
  readonly limits: InspectLimits;
  /**
   * Bytes of a ChartMuseum upload held while looking for Chart.yaml (the file name, and so the
   * artifact path, comes from it). Helm writes Chart.yaml first, so this is a few KiB in practice.
   */
  readonly maxPrefixBytes: number;
  /** Cache repositories' chart URLs on hosts other than the upstream's. */
  readonly external: ExternalUrls;
  /** Parsed index documents by content key. */
  readonly parsed: Memo<IndexDoc>;
  /** Rendered index bodies by (repository, content, base URL). */
  readonly rendered: Memo<string>;
  /** Largest upstream `index.yaml` parsed. */
  readonly maxUpstreamIndexBytes: number;
}
