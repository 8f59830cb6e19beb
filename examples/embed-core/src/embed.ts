import { join } from 'node:path';
import { createDepot, isDepotError, type RepositoryInput } from '@depot/core';
import { depotPlugin as rawPlugin } from '@depot/format-raw';
import { fsBlobStore } from '@depot/store-fs';
import { levelKvStore } from '@depot/store-level';

/** What {@link runEmbedExample} saw, for the caller (and its test) to check. */
export interface EmbedReport {
  /** The error code a misspelt repository type was refused with. */
  readonly refused: string;
  readonly stored: { readonly path: string; readonly size: number; readonly sha256: string | undefined };
  readonly readBack: string;
  readonly listed: readonly string[];
  readonly deleted: boolean;
  /** Whether a read after the delete still found the artifact (it must not). */
  readonly foundAfterDelete: boolean;
  /** The repositories left after deleting the one created. */
  readonly repositoriesAfterDelete: readonly string[];
}

async function text(body: AsyncIterable<Uint8Array> | null): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Embeds Depot in a script: opens a LevelDB KV store and a filesystem blob store under `dataDir`,
 * builds a Depot over them with `createDepot`, creates a hosted raw repository (validated: a
 * misspelt one is refused), puts, gets, lists and deletes an artifact, deletes the repository, and
 * closes. Uses only the packages' public exports.
 */
export async function runEmbedExample(dataDir: string, log: (line: string) => void = () => {}): Promise<EmbedReport> {
  // 1. Open the stores, and build the Depot over them; from here on `depot.close()` closes them.
  const kv = await levelKvStore({ path: join(dataDir, 'kv') });
  const blobs = await fsBlobStore({ root: join(dataDir, 'blobs') }).catch(async (err: unknown) => {
    await kv.close();
    throw err;
  });
  const depot = createDepot({ kv, blobStores: { local: blobs }, formats: [rawPlugin.create({})] });
  try {
    // 2. Create a repository: validated like the server's admin API does it.
    const repo: RepositoryInput = { name: 'files', repo_type: 'hosted', format: 'raw', store: 'local' };
    const refused = await depot.repositories
      .create({ ...repo, repo_type: 'hostd' as RepositoryInput['repo_type'] })
      .then(() => 'accepted')
      .catch((err: unknown) => (isDepotError(err) ? err.code : String(err)));
    log(`a misspelt repository type: ${refused}`);
    await depot.repositories.create(repo);

    // 3. put / get / list / delete through the engine (bodies: streams, bytes or strings).
    const { engine } = depot;
    const record = await engine.put('files', 'docs/hello.txt', 'hello from an embedded depot\n', {
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

    // 4. Delete the repository: its records go with it.
    await depot.repositories.delete('files');
    const repositoriesAfterDelete = (await depot.repositories.list()).map((r) => r.name);
    return {
      refused,
      stored: { path: record.path, size: record.size, sha256: record.hashes.sha256 },
      readBack,
      listed,
      deleted,
      foundAfterDelete: after !== null,
      repositoriesAfterDelete,
    };
  } finally {
    // 5. Wait for background writes, then close the stores (the KV last).
    await depot.close();
  }
}
