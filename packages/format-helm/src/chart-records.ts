import { type KvStore, type RecordView, recordView } from '@depot/core';
import type { ChartMetadata } from './chart-yaml.js';

/** What Depot remembers about one stored chart: its Chart.yaml and the digest of the bytes it came from. */
export interface ChartRecord {
  readonly path: string;
  readonly chart: ChartMetadata;
  /** SHA-256 (hex) of the `.tgz` this record was read from; a record whose digest differs from the artifact's is stale. */
  readonly sha256: string;
  /** When this version was stored (RFC 3339), Helm's `created`. */
  readonly created: string;
}

/** Per-repository chart records live under `charts/{repo}/` in the format's namespace. */
export const CHART_PREFIX = 'charts/';

/**
 * Chart records: a memo of each stored chart's Chart.yaml, so an index rebuild reads KV records
 * rather than every tarball. The artifacts stay the truth: the index is built from the artifact
 * listing, and a chart without a matching record (a crash between the two writes) is re-read.
 */
export interface ChartRecords {
  get(repo: string, path: string): Promise<ChartRecord | null>;
  put(repo: string, record: ChartRecord): Promise<void>;
  delete(repo: string, path: string): Promise<void>;
}

/** Creates the chart records over the format's KV namespace. */
export function chartRecords(kv: KvStore): ChartRecords {
  const view: RecordView<ChartRecord> = recordView<ChartRecord>(kv, { prefix: CHART_PREFIX, schemaVersion: 1 });
  const id = (repo: string, path: string): string => `${repo}/${path}`;
  return {
    get: (repo, path) => view.get(id(repo, path)),
    async put(repo, record) {
      await view.put(id(repo, record.path), record);
    },
    async delete(repo, path) {
      await view.delete(id(repo, path));
    },
  };
}
