import type { BlobStore } from '../blob/blob-store.js';
import type { NegativeCache } from '../internal/negative-cache.js';
import type { ArtifactRecord, DepotRecords, RepositoryRecord } from '../kv/records.js';
import type { Logger } from '../logger.js';
import type { AccessTouch } from './access-touch.js';
import type { CachePolicy, UpstreamFetch, UpstreamTimeouts } from './engine.js';
import type { RecordCache } from './record-cache.js';
import type { SmallBlobCache } from './small-blob-cache.js';

/** What the engine's parts share: the injected dependencies plus engine-wide state. */
export interface EngineContext {
  readonly records: DepotRecords;
  blobStore(name: string): Promise<BlobStore>;
  readonly fetch: UpstreamFetch;
  cachePolicy(format: string): CachePolicy | undefined;
  readonly logger: Logger;
  now(): number;
  readonly touch: AccessTouch;
  /** Upstream 404s remembered per artifact id (cache repositories with a TTL only). */
  readonly negatives: NegativeCache;
  /** Upstream timeouts with defaults applied. */
  readonly timeouts: Required<UpstreamTimeouts>;
  /** Bytes of small blobs recently read (absent: every read goes to the blob store). */
  readonly smallBlobs?: SmallBlobCache;
  /** Live repository records recently read (by name). */
  readonly repos: RecordCache<RepositoryRecord>;
  /** Hosted artifact records recently read (by artifact id); every artifact write here drops its entry. */
  readonly artifactRecords: RecordCache<ArtifactRecord>;
}

/** ISO-8601 form of the context clock. */
export const isoNow = (ctx: EngineContext): string => new Date(ctx.now()).toISOString();
