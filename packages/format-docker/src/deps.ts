import type { FormatContext, RepositoryEngine, RepositoryRecord } from '@depot/core';
import type { UpstreamClient } from './cache/upstream.js';
import type { DockerKv } from './store/kv.js';

/** What every route of the Docker runtime shares. */
export interface DockerDeps {
  readonly ctx: FormatContext;
  /** The engine acting as the request's caller (`req.engine`); the context's (system) one outside requests. */
  readonly engine: RepositoryEngine;
  readonly kv: DockerKv;
  readonly upstream: UpstreamClient;
  /** In-flight upstream manifest fetches, so concurrent pulls share one request. */
  readonly flights: Map<string, Promise<unknown>>;
  /** When each cache referrers listing was last asked upstream (ms), for `cache_ttl_secs`. */
  readonly referrersRefreshed: Map<string, number>;
  now(): number;
}

/** A request resolved to a repository and an image inside it. */
export interface Target {
  readonly repo: RepositoryRecord;
  /** Image name inside the repository, e.g. `library/alpine`. */
  readonly image: string;
  /** The name as the client wrote it (`/v2/<name>/…`), for `Location` headers. */
  readonly name: string;
}

/** Runs `work` once per key at a time; concurrent callers share its result. */
export function singleFlight<T>(
  flights: Map<string, Promise<unknown>>,
  key: string,
  work: () => Promise<T>,
): Promise<T> {
  const running = flights.get(key);
  if (running !== undefined) return running as Promise<T>;
  const p = work().finally(() => flights.delete(key));
  flights.set(key, p);
  return p;
}

/** Settings keys the Docker format reads. */
export const SETTING_DEFAULT_REPO = 'default_docker_repo';
export const SETTING_MAX_CHUNKS = 'max_docker_chunk_count';
export const DEFAULT_MAX_CHUNKS = 10_000;
/**
 * Manifests are buffered; larger ones are refused with 413 `SIZE_INVALID` (4 MiB, the limit of the
 * reference distribution registry, whether the body came with a length or chunked).
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
