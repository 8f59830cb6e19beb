import { type ByteSource, badRequest, DepotError, isDepotError, type RepositoryRecord, readBounded } from '@depot/core';
import { ChartInspector } from './chart-inspect.js';
import type { ChartRecord } from './chart-records.js';
import { type ChartMetadata, chartFileName } from './chart-yaml.js';
import type { HelmEnv } from './env.js';
import { PROV_SUFFIX } from './paths.js';

/** Largest provenance file accepted (a clear-signed YAML of a few KiB). */
export const MAX_PROV_BYTES = 1024 * 1024;

/** Options of {@link storeChart}. */
export interface StoreChartOptions {
  /** The file name from the URL (`PUT {file}`); Chart.yaml must agree. Absent: derived from Chart.yaml. */
  readonly file?: string;
  /** Replace an existing version (redeploy). */
  readonly overwrite: boolean;
  readonly signal?: AbortSignal;
}

/** Reads chunks into a prefix until Chart.yaml has been seen; the held bytes are bounded. */
async function readUntilChart(
  env: HelmEnv,
  inspector: ChartInspector,
  source: AsyncIterator<Uint8Array>,
): Promise<{ prefix: Uint8Array[]; chart: ChartMetadata; ended: boolean }> {
  const prefix: Uint8Array[] = [];
  let held = 0;
  for (;;) {
    const chart = inspector.chart;
    if (chart !== null) return { prefix, chart, ended: false };
    const next = await source.next();
    if (next.done === true) return { prefix, chart: await inspector.end(), ended: true };
    await inspector.write(next.value);
    prefix.push(next.value);
    held += next.value.byteLength;
    if (held > env.maxPrefixBytes && inspector.chart === null) {
      throw badRequest(
        `no Chart.yaml within the first ${env.maxPrefixBytes} bytes; package the chart with helm (Chart.yaml first) or upload it with PUT {name}-{version}.tgz`,
      );
    }
  }
}

/** The bytes handed to the engine: the held prefix, then the rest, inspected; the verdict comes last. */
async function* inspectedBody(
  inspector: ChartInspector,
  prefix: readonly Uint8Array[],
  source: AsyncIterator<Uint8Array>,
  ended: boolean,
  file: string,
): AsyncGenerator<Uint8Array> {
  yield* prefix;
  if (!ended) {
    for (let next = await source.next(); next.done !== true; next = await source.next()) {
      await inspector.write(next.value);
      yield next.value;
    }
  }
  // Thrown before the body ends, so the engine stores nothing for a chart that fails.
  const chart = await inspector.end();
  if (chartFileName(chart) !== file) {
    throw badRequest(`Chart.yaml says ${chart.name} ${chart.version}, which is ${chartFileName(chart)}, not ${file}`, {
      field: 'name',
      expected: chartFileName(chart),
    });
  }
}

/**
 * Stores a chart `.tgz` in the hosted repository `target`, reading its Chart.yaml while it streams
 * into the blob store: nothing is stored unless the whole archive is a valid chart whose name and
 * version match `options.file`. Then records its Chart.yaml and marks the index stale.
 */
export async function storeChart(
  env: HelmEnv,
  target: RepositoryRecord,
  body: ByteSource,
  options: StoreChartOptions,
): Promise<ChartRecord> {
  const inspector = new ChartInspector(env.limits);
  const source = body[Symbol.asyncIterator]();
  try {
    let prefix: Uint8Array[] = [];
    let ended = false;
    let file = options.file;
    if (file === undefined) {
      const found = await readUntilChart(env, inspector, source);
      ({ prefix, ended } = found);
      file = chartFileName(found.chart);
    }
    const maxBytes = env.ctx.settings().max_artifact_bytes;
    // Stale before the write as well as after it: a process that dies between storing the chart
    // and the bookkeeping after it leaves the index stale, so the next read lists the chart.
    await env.hostedIndex.markStale(target.name);
    let record: Awaited<ReturnType<typeof env.engine.put>>;
    try {
      record = await env.engine.put(target.name, file, inspectedBody(inspector, prefix, source, ended, file), {
        contentType: 'application/gzip',
        algorithms: ['sha256'],
        overwrite: options.overwrite,
        ...(typeof maxBytes === 'number' ? { maxBytes } : {}),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (err) {
      if (isDepotError(err, 'CONFLICT'))
        throw new DepotError('CONFLICT', `${file} already exists`, { details: { path: file } });
      throw err;
    }
    const chart = await inspector.end();
    const sha256 = record.hashes.sha256;
    if (sha256 === undefined) throw new DepotError('INTERNAL_ERROR', 'stored chart has no sha256');
    const stored: ChartRecord = { path: file, chart, sha256, created: record.updated_at };
    await env.records.put(target.name, stored);
    await env.hostedIndex.markStale(target.name);
    return stored;
  } finally {
    inspector.destroy();
    await source.return?.();
  }
}

/** Stores a provenance file beside its chart (`{file}.prov`): a clear-signed PGP message, bounded. */
export async function storeProvenance(
  env: HelmEnv,
  target: RepositoryRecord,
  chartFile: string,
  body: ByteSource | Uint8Array,
  overwrite: boolean,
): Promise<void> {
  const bytes = body instanceof Uint8Array ? body : await readBounded(body, MAX_PROV_BYTES);
  if (bytes.byteLength > MAX_PROV_BYTES) throw badRequest(`provenance file is larger than ${MAX_PROV_BYTES} bytes`);
  const text = new TextDecoder().decode(bytes.subarray(0, 64));
  if (!text.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')) {
    throw badRequest('provenance file is not a clear-signed PGP message');
  }
  const path = `${chartFile}${PROV_SUFFIX}`;
  try {
    await env.engine.put(target.name, path, bytes, { contentType: 'application/pgp-signature', overwrite });
  } catch (err) {
    if (isDepotError(err, 'CONFLICT'))
      throw new DepotError('CONFLICT', `${path} already exists`, { details: { path } });
    throw err;
  }
}
