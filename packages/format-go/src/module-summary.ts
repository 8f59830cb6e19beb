import type { FormatContext, GeneratedMetadata } from '@depot/core';
import { generatedMetadata } from '@depot/core';
import { hostedVersions, pickLatest, retractions } from './versions.js';

/** KV prefix of the generated per-module summaries (`summary/{repo}/{encoded module}/…`). */
export const SUMMARY_PREFIX = 'summary/';

/** What a hosted repository holds of one module: its versions (ascending) and Go's `@latest`. */
export interface ModuleSummary {
  readonly versions: readonly string[];
  readonly latest: string | null;
}

/**
 * The hosted summaries, rebuilt from the stored `.info` files (and the highest version's go.mod
 * for retractions) only when an upload or a delete marked the module stale: `list` and `@latest`
 * then cost two small KV reads instead of a listing. Scope: the module's encoded path.
 */
export function moduleSummaries(ctx: FormatContext): GeneratedMetadata {
  return generatedMetadata({
    kv: ctx.kv,
    prefix: SUMMARY_PREFIX,
    logger: ctx.logger,
    async build(repo, encoded) {
      const record = await ctx.repositories.get(repo);
      const versions = await hostedVersions(ctx.engine, repo, encoded);
      const retracted = record === null ? [] : await retractions(ctx.engine, record, encoded, versions);
      const summary: ModuleSummary = { versions, latest: pickLatest(versions, retracted) };
      return JSON.stringify(summary);
    },
  });
}

// Parsed summaries by the bytes they came from: fresh bytes held in memory are parsed once.
const parsed = new WeakMap<Uint8Array, ModuleSummary>();

/** The summary of `encoded` in hosted repository `repo` (never mutate it). */
export async function moduleSummary(
  summaries: GeneratedMetadata,
  repo: string,
  encoded: string,
): Promise<ModuleSummary> {
  const bytes = await summaries.read(repo, encoded);
  let summary = parsed.get(bytes);
  if (summary === undefined) {
    summary = JSON.parse(new TextDecoder().decode(bytes)) as ModuleSummary;
    parsed.set(bytes, summary);
  }
  return summary;
}
