import { once } from 'node:events';
import { createGunzip, type Gunzip } from 'node:zlib';
import { badRequest, DepotError } from '@depot/core';
import { extract, type Header } from 'tar-stream';
import { type ChartMetadata, parseChartYaml } from './chart-yaml.js';

/** Limits of {@link ChartInspector}. */
export interface InspectLimits {
  /** Largest Chart.yaml read into memory (default 1 MiB; Helm charts' are a few KiB). */
  readonly maxChartYamlBytes: number;
  /** Unpacked bytes a chart may expand to (gzip-bomb bound). */
  readonly maxUnpackedBytes: number;
  /** Tar entries a chart may hold. */
  readonly maxEntries: number;
}

export const DEFAULT_INSPECT_LIMITS: InspectLimits = {
  maxChartYamlBytes: 1024 * 1024,
  maxUnpackedBytes: 512 * 1024 * 1024,
  maxEntries: 50_000,
};

/** Entry types a chart may contain; links, devices and FIFOs are refused. */
const ALLOWED_TYPES = new Set(['file', 'contiguous-file', 'directory']);

function checkEntryName(name: string): void {
  if (name.startsWith('/') || name.includes('\\') || /^[A-Za-z]:/.test(name)) {
    throw badRequest(`chart entry ${JSON.stringify(name)} is an absolute path`, { entry: name });
  }
  if (name.split('/').includes('..')) {
    throw badRequest(`chart entry ${JSON.stringify(name)} escapes the chart directory`, { entry: name });
  }
}

/** True for `{dir}/Chart.yaml`: the chart's own Chart.yaml, not a subchart's. */
const isTopChartYaml = (name: string): boolean => /^[^/]+\/Chart\.yaml$/.test(name.replace(/^\.\//, ''));

/** A tar entry's body (a streamx readable). */
type EntryStream = AsyncIterable<unknown> & { resume(): unknown; on(event: 'end', listener: () => void): unknown };

/** Skips an entry's body. */
const drain = (stream: EntryStream): Promise<void> =>
  new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.resume();
  });

const asBadRequest = (err: unknown, fallback: string): DepotError =>
  err instanceof DepotError ? err : badRequest(fallback);

/**
 * Reads a chart `.tgz` a chunk at a time while it streams elsewhere (into the blob store): gunzip,
 * then tar, keeping only the top-level Chart.yaml and refusing `..`, absolute paths, symlinks and
 * hard links, more than one top-level Chart.yaml, and bombs. Memory stays at a chunk or two plus
 * the Chart.yaml. Feed it with {@link write}, then {@link end} for the verdict.
 */
export class ChartInspector {
  private readonly gunzip: Gunzip;
  private failure: DepotError | null = null;
  private metadata: ChartMetadata | null = null;
  private unpacked = 0;
  private entries = 0;
  private readonly finished: Promise<void>;

  constructor(private readonly limits: InspectLimits = DEFAULT_INSPECT_LIMITS) {
    this.gunzip = createGunzip();
    const tar = extract();
    this.gunzip.on('error', () => this.fail(badRequest('chart is not a valid gzip stream')));
    this.gunzip.on('data', (chunk: Buffer) => {
      this.unpacked += chunk.byteLength;
      if (this.unpacked > this.limits.maxUnpackedBytes) {
        this.fail(badRequest(`chart unpacks to more than ${this.limits.maxUnpackedBytes} bytes`));
      }
    });
    tar.on('entry', (header, stream, next) => {
      this.onEntry(header, stream).then(
        () => next(),
        (err: unknown) => {
          this.fail(asBadRequest(err, 'chart is not a valid tar archive'));
          stream.resume();
          next();
        },
      );
    });
    this.finished = new Promise<void>((resolve) => {
      tar.on('finish', resolve);
      tar.on('error', (err: unknown) => {
        this.fail(asBadRequest(err, 'chart is not a valid tar archive'));
        resolve();
      });
      this.gunzip.on('error', () => resolve());
    });
    this.gunzip.pipe(tar);
  }

  /** The chart's Chart.yaml, once it has been read (`null` before). */
  get chart(): ChartMetadata | null {
    return this.metadata;
  }

  private fail(err: DepotError): void {
    this.failure ??= err;
  }

  private async onEntry(header: Header, stream: EntryStream): Promise<void> {
    if (this.failure !== null) {
      await drain(stream);
      return;
    }
    this.entries += 1;
    if (this.entries > this.limits.maxEntries)
      throw badRequest(`chart has more than ${this.limits.maxEntries} entries`);
    checkEntryName(header.name);
    const type = header.type ?? 'file';
    if (!ALLOWED_TYPES.has(type)) {
      throw badRequest(
        `chart entry ${JSON.stringify(header.name)} is a ${type}; charts may hold only files and directories`,
        {
          entry: header.name,
        },
      );
    }
    if (type === 'directory' || !isTopChartYaml(header.name)) {
      await drain(stream);
      return;
    }
    if (this.metadata !== null) throw badRequest('chart holds more than one top-level Chart.yaml');
    const size = header.size ?? 0;
    if (size > this.limits.maxChartYamlBytes) {
      throw new DepotError('PAYLOAD_TOO_LARGE', `Chart.yaml is larger than ${this.limits.maxChartYamlBytes} bytes`, {
        details: { max: this.limits.maxChartYamlBytes },
      });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    this.metadata = parseChartYaml(Buffer.concat(chunks).toString('utf8'));
  }

  /** Feeds the next compressed chunk; throws the first problem found so far. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (!this.gunzip.write(chunk)) {
      await Promise.race([once(this.gunzip, 'drain'), this.finished]);
    }
    if (this.failure !== null) throw this.failure;
  }

  /** Ends the input; resolves with Chart.yaml, or throws what is wrong with the chart. */
  async end(): Promise<ChartMetadata> {
    if (this.failure === null) {
      this.gunzip.end();
      await this.finished;
    }
    if (this.failure !== null) throw this.failure;
    if (this.metadata === null) throw badRequest('chart has no Chart.yaml in its top-level directory');
    return this.metadata;
  }

  /** Stops reading (after a failure elsewhere). */
  destroy(): void {
    this.gunzip.destroy();
  }
}

/** Inspects a whole chart held elsewhere (an index rebuild's repair path). */
export async function inspectChart(body: AsyncIterable<Uint8Array>, limits?: InspectLimits): Promise<ChartMetadata> {
  const inspector = new ChartInspector(limits);
  try {
    for await (const chunk of body) await inspector.write(chunk);
    return await inspector.end();
  } finally {
    inspector.destroy();
  }
}
