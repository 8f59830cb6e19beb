import type { ByteSource } from '../blob/blob-store.js';
import { DepotError } from '../errors/depot-error.js';
import type { ExpectedContent } from '../ingest/expected-content.js';
import { ingest } from '../ingest/ingest.js';
import { teeChannel } from '../internal/tee-channel.js';
import { type ArtifactRecord, artifactId, type RepositoryRecord } from '../kv/records.js';
import { guessContentType } from './content-type.js';
import type { CachePolicy } from './engine.js';
import { type EngineContext, isoNow } from './engine-context.js';
import { commitArtifact } from './hosted.js';
import { responseBytes } from './upstream.js';

/** A running copy of an upstream answer into a cache repository. */
export interface CacheFill {
  /** The leader's client stream when teeing; `null` when the copy is stored before serving. */
  readonly client: ByteSource | null;
  /** For the tee: the record as far as the headers tell (size, type); hashes are not known yet. */
  readonly provisional: ArtifactRecord;
  /** Settles once the copy is committed (or rejected: nothing stored). */
  readonly done: Promise<ArtifactRecord>;
}

/** The byte count the upstream promises, when it applies to the decoded body. */
function declaredSize(headers: Headers): number | undefined {
  const encoding = headers.get('content-encoding');
  if (encoding !== null && encoding.toLowerCase() !== 'identity') return undefined;
  const length = headers.get('content-length');
  if (length === null || !/^\d+$/.test(length)) return undefined;
  return Number(length);
}

const KEYS = ['size', 'sha256', 'sha512', 'sha1', 'md5', 'blake3'] as const;

/** Both expectations at once; two different values for one key cannot both hold: `DIGEST_MISMATCH`. */
export function mergeExpected(
  a: ExpectedContent | undefined,
  b: ExpectedContent | undefined,
): ExpectedContent | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const out: Record<string, string | number> = {};
  for (const key of KEYS) {
    const x = typeof a[key] === 'string' ? (a[key] as string).toLowerCase() : a[key];
    const y = typeof b[key] === 'string' ? (b[key] as string).toLowerCase() : b[key];
    if (x !== undefined && y !== undefined && x !== y) {
      throw new DepotError('DIGEST_MISMATCH', `upstream ${key} contradicts the expected content`, {
        details: { algorithm: key, expected: y, actual: x },
      });
    }
    const value = x ?? y;
    if (value !== undefined) out[key] = value;
  }
  return out as ExpectedContent;
}

/**
 * What the fetched bytes must match: the format's expectations and the caller's, plus
 * `Content-Length` so a truncated or overlong answer is never stored (RELIABILITY.md P10).
 */
export function fillExpectations(
  policy: CachePolicy,
  path: string,
  headers: Headers,
  requested?: ExpectedContent,
): ExpectedContent | undefined {
  const size = declaredSize(headers);
  const wanted = mergeExpected(policy.expectedContent?.(path), requested);
  try {
    return mergeExpected(size === undefined ? undefined : { size }, wanted);
  } catch (err) {
    return asUpstreamFault(err);
  }
}

/**
 * Bytes from upstream that fail their digests or size are the upstream's fault, not the client's:
 * `UPSTREAM_ERROR` (502, RELIABILITY.md P4), keeping the digest details for protocol renderers.
 */
function asUpstreamFault(err: unknown): never {
  if (err instanceof DepotError && (err.code === 'DIGEST_MISMATCH' || err.code === 'PAYLOAD_TOO_LARGE')) {
    throw new DepotError('UPSTREAM_ERROR', `upstream answer rejected: ${err.message}`, {
      cause: err,
      details: { ...err.details, rejected: err.code },
    });
  }
  throw err;
}

/** Whether the copy may be streamed to the client while it is stored (see docs in create-engine). */
export function canTee(expected: ExpectedContent | undefined): boolean {
  if (expected?.size === undefined) return false;
  return ['sha256', 'sha512', 'sha1', 'md5', 'blake3'].every((k) => expected[k as keyof ExpectedContent] === undefined);
}

/**
 * Starts storing an upstream 200 answer: one pass over the body, hashed while written to the blob
 * store and, with `tee`, offered to the client at the same time. The client stream ends only after
 * the record is committed and errors when the copy fails; the copy continues if the client leaves.
 */
export function startFill(
  ctx: EngineContext,
  repo: RepositoryRecord,
  path: string,
  policy: CachePolicy,
  response: Response,
  fill: { readonly expected: ExpectedContent | undefined; readonly tee: boolean },
): CacheFill {
  const { expected } = fill;
  const channel = fill.tee ? teeChannel(ctx.timeouts.clientStallMs) : null;
  async function* source(): AsyncGenerator<Uint8Array> {
    for await (const chunk of responseBytes(response, ctx.timeouts.idleMs)) {
      await channel?.offer(chunk);
      yield chunk;
    }
  }
  const at = isoNow(ctx);
  const etag = response.headers.get('etag');
  const lastModified = response.headers.get('last-modified');
  const provisional: ArtifactRecord = {
    repo: repo.name,
    path,
    store: repo.store,
    blob_id: '',
    size: expected?.size ?? 0,
    content_type: response.headers.get('content-type') ?? guessContentType(path),
    hashes: { blake3: '' },
    created_at: at,
    updated_at: at,
    last_accessed_at: at,
    fetched_at: at,
    ...(policy.isInternal?.(path) === true ? { internal: true } : {}),
    ...(etag === null ? {} : { upstream_etag: etag }),
    ...(lastModified === null ? {} : { upstream_last_modified: lastModified }),
  };
  const done = (async () => {
    const store = await ctx.blobStore(repo.store);
    const stored = await ingest(store, ctx.records, repo.store, source(), {
      ...(policy.algorithms === undefined ? {} : { algorithms: policy.algorithms }),
      ...(expected === undefined ? {} : { expected }),
      now: ctx.now,
    }).catch(asUpstreamFault);
    const record: ArtifactRecord = { ...provisional, blob_id: stored.blobId, size: stored.size, hashes: stored.hashes };
    return commitArtifact(ctx, artifactId(repo.name, path), record, true);
  })();
  done.then(
    () => channel?.close(),
    (err: unknown) => {
      ctx.logger.warn({ err, repo: repo.name }, 'cache fill failed; nothing stored');
      channel?.fail(err);
    },
  );
  return { client: channel?.reader ?? null, provisional, done };
}
