import type { ArtifactRecord, FormatContext } from '@depot/core';
import type { InspectLimits } from './chart-inspect.js';
import { inspectChart } from './chart-inspect.js';
import type { ChartRecord, ChartRecords } from './chart-records.js';
import { buildIndex, type IndexEntry, renderIndex } from './index-doc.js';
import { isRootChartFile } from './paths.js';

const PAGE = 1000;
/** Chart records read at once while building. */
const CONCURRENT_READS = 32;

/** The index entry of a stored chart: its Chart.yaml, its file name (relative URL), digest and time. */
export const entryOf = (record: ChartRecord): IndexEntry => ({
  ...record.chart,
  urls: [record.path],
  created: record.created,
  digest: record.sha256,
});

/**
 * The chart record of `artifact`, re-read from the archive when missing or out of date (a crash
 * between storing a chart and writing its record, or a record older than the artifact).
 */
async function recordFor(
  ctx: FormatContext,
  records: ChartRecords,
  limits: InspectLimits,
  repo: string,
  artifact: ArtifactRecord,
): Promise<ChartRecord | null> {
  const known = await records.get(repo, artifact.path);
  if (known !== null && known.sha256 === artifact.hashes.sha256) return known;
  const read = await ctx.engine.get(repo, artifact.path);
  if (read?.body == null) return null;
  try {
    const chart = await inspectChart(read.body, limits);
    const sha256 = (await read.committed)?.hashes.sha256 ?? read.record.hashes.sha256;
    if (sha256 === undefined) return null;
    const record: ChartRecord = { path: artifact.path, chart, sha256, created: artifact.updated_at };
    await records.put(repo, record);
    return record;
  } catch (err) {
    ctx.logger.warn(
      { repo, path: artifact.path, err: String(err) },
      'stored chart is unreadable; left out of index.yaml',
    );
    return null;
  }
}

/**
 * Builds a hosted repository's `index.yaml` from its chart artifacts (the truth) and their chart
 * records (a memo of each Chart.yaml): charts at the root, versions newest first, relative URLs.
 */
export async function buildHostedIndex(
  ctx: FormatContext,
  records: ChartRecords,
  limits: InspectLimits,
  repo: string,
): Promise<string> {
  const entries: IndexEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.engine.list(repo, { limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    const charts = page.artifacts.filter((a) => isRootChartFile(a.path));
    for (let i = 0; i < charts.length; i += CONCURRENT_READS) {
      const batch = charts.slice(i, i + CONCURRENT_READS);
      for (const record of await Promise.all(batch.map((a) => recordFor(ctx, records, limits, repo, a)))) {
        if (record !== null) entries.push(entryOf(record));
      }
    }
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return renderIndex(buildIndex(entries, new Date().toISOString()));
}
