import { join } from 'node:path';
import { createRepositoryEngine, depotRecords, type RepositoryRecord } from '@depot/core';
import { depotPlugin as rawPlugin } from '@depot/format-raw';
import { fsBlobStore } from '@depot/store-fs';
import { levelKvStore } from '@depot/store-level';

/** What {@link runEmbedExample} saw, for the caller (and its test) to check. */
export interface EmbedReport {
  readonly stored: { readonly path: string; readonly size: number; readonly sha256: string | undefined };
  readonly readBack: string;
  readonly listed: readonly string[];
  readonly deleted: boolean;
  /** Whether a read after the delete still found the artifact (it must not). */
  readonly foundAfterDelete: boolean;
}

async function text(body: AsyncIterable<Uint8Array> | null): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** A byte source from a string (the engine takes `AsyncIterable<Uint8Array>` bodies). */
async function* bytes(s: string): AsyncIterable<Uint8Array> {
  yield new TextEncoder().encode(s);
}

/**
 * Embeds Depot in a script: opens a LevelDB KV store and a filesystem blob store under `dataDir`,
 * creates a hosted raw repository, then puts, gets, lists and deletes an artifact, and closes
 * everything. Uses only the packages' public exports.
 */
export async function runEmbedExample(dataDir: string, log: (line: string) => void = () => {}): Promise<EmbedReport> {
  // 1. Open the stores.
  const kv = await levelKvStore({ path: join(dataDir, 'kv') });
  const blobs = await fsBlobStore({ root: join(dataDir, 'blobs') });
  try {
    // 2. The records over the KV, and a format (for its cache policy and repository options).
    const records = depotRecords(kv);
    const raw = rawPlugin.create({});

    // 3. Create a repository: a record naming its format and blob store.
    const now = new Date().toISOString();
    const repo: RepositoryRecord = {
      name: 'files',
      repo_type: 'hosted',
      format: raw.name,
      store: 'local',
      format_options: raw.validateRepositoryOptions?.({}, { name: 'files', repo_type: 'hosted' }) ?? {},
      created_at: now,
      updated_at: now,
    };
    await records.repositories.putIfVersion(repo.name, repo, null);

    // 4. The engine: resolves blob stores by name; hosted-only use never calls `fetch`.
    const engine = createRepositoryEngine({
      records,
      blobStore: async (name) => {
        if (name !== 'local') throw new Error(`no blob store ${name}`);
        return blobs;
      },
      fetch: () => Promise.reject(new Error('this example has no upstreams')),
      cachePolicy: (format) => (format === raw.name ? raw.cachePolicy : undefined),
    });

    // 5. put / get / list / delete.
    const record = await engine.put('files', 'docs/hello.txt', bytes('hello from an embedded depot\n'), {
      contentType: 'text/plain',
      algorithms: ['sha256'],
    });
    log(`stored ${record.path} (${record.size} bytes, sha256 ${record.hashes.sha256})`);
    const read = await engine.get('files', 'docs/hello.txt');
    const readBack = await text(read?.body ?? null);
    log(`read back: ${readBack.trim()}`);
    const listed = (await engine.list('files')).artifacts.map((a) => a.path);
    log(`listed: ${listed.join(', ')}`);
    const deleted = await engine.delete('files', 'docs/hello.txt');
    const after = await engine.get('files', 'docs/hello.txt');
    log(`deleted: ${deleted}; read after delete: ${after === null ? 'not found' : 'still there'}`);
    return {
      stored: { path: record.path, size: record.size, sha256: record.hashes.sha256 },
      readBack,
      listed,
      deleted,
      foundAfterDelete: after !== null,
    };
  } finally {
    // 6. Close the stores (the KV last: the engine's background writes go there).
    await blobs.close?.();
    await kv.close();
  }
}
