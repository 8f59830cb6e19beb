import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ArtifactRecord, Logger, RepositoryEngine } from '@depot/core';

/** Archive formats `download-archive` produces. */
export const ARCHIVE_FORMATS = ['tar', 'tar.gz', 'zip'] as const;
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

/** Media type of each archive format. */
export const ARCHIVE_TYPES: Readonly<Record<ArchiveFormat, string>> = {
  tar: 'application/x-tar',
  'tar.gz': 'application/gzip',
  zip: 'application/zip',
};

/** Every artifact record under `prefix`, page by page (metadata only; bodies open lazily). */
export async function listUnder(engine: RepositoryEngine, repo: string, prefix: string): Promise<ArtifactRecord[]> {
  const out: ArtifactRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await engine.list(repo, { prefix, limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    out.push(...page.artifacts);
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

async function tarStream(
  engine: RepositoryEngine,
  repo: string,
  records: readonly ArtifactRecord[],
  logger: Logger,
): Promise<Readable> {
  // Loaded per archive request only: tar-stream and yazl cost idle RSS on every server.
  const { pack: tarPack } = await import('tar-stream');
  const pack = tarPack();
  void (async () => {
    for (const record of records) {
      if (pack.destroyed) return;
      // Missing artifacts (deleted meanwhile) are skipped, as in the prototype.
      const read = await engine.get(repo, record.path).catch(() => null);
      if (read?.body == null) continue;
      const entry = pack.entry({ name: record.path, size: read.record.size, mtime: new Date(read.record.updated_at) });
      await pipeline(Readable.from(read.body), entry);
    }
    pack.finalize();
  })().catch((err: unknown) => {
    logger.warn({ err, repo }, 'archive stream failed');
    pack.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  // tar-stream packs are streamx streams: adapt to a Node Readable (async-iterable) for the pipeline.
  return Readable.from(pack);
}

async function zipStream(
  engine: RepositoryEngine,
  repo: string,
  records: readonly ArtifactRecord[],
  logger: Logger,
): Promise<Readable> {
  const { ZipFile } = await import('yazl');
  const zip = new ZipFile();
  for (const record of records) {
    zip.addReadStreamLazy(record.path, { mtime: new Date(record.updated_at) }, (cb) => {
      engine.get(repo, record.path).then(
        (read) => cb(null, read?.body ? Readable.from(read.body) : Readable.from([])),
        (err: unknown) => {
          logger.warn({ err, repo, path: record.path }, 'archive entry failed');
          cb(err instanceof Error ? err : new Error(String(err)), Readable.from([]));
        },
      );
    });
  }
  zip.end();
  return zip.outputStream as Readable;
}

/** Streams every artifact under `prefix` of `repo` as an archive. */
export function archiveStream(
  engine: RepositoryEngine,
  repo: string,
  records: readonly ArtifactRecord[],
  format: ArchiveFormat,
  logger: Logger,
): Readable {
  // The archive library loads asynchronously; the caller gets a stream at once.
  const out = new PassThrough();
  const source = format === 'zip' ? zipStream(engine, repo, records, logger) : tarStream(engine, repo, records, logger);
  source
    .then((archive) => (format === 'tar.gz' ? pipeline(archive, createGzip(), out) : pipeline(archive, out)))
    .catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}
