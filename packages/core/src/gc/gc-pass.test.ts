import { describe, expect, it } from 'vitest';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { createDepot } from '../depot.js';
import type { Format } from '../format/format.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { runGcPass } from './gc-pass.js';

const plain: Format = {
  name: 'plain',
  capabilities: { repoTypes: ['hosted'] },
  init() {
    throw new Error('not served in these tests');
  },
};
const HOUR = 60 * 60 * 1000;
async function* bytes(s: string): AsyncIterable<Uint8Array> {
  yield new TextEncoder().encode(s);
}

/** A depot with one hosted repository, a kept artifact, an orphaned blob and a file with no record. */
async function setup() {
  const store = memoryBlobStore();
  const d = createDepot({ kv: memoryKvStore(), blobStores: { main: store }, formats: [plain] });
  await d.repositories.create({ name: 'r', repo_type: 'hosted', format: 'plain', store: 'main' });
  const kept = await d.engine.put('r', 'kept.txt', 'kept bytes');
  const gone = await d.engine.put('r', 'gone.txt', 'orphaned bytes');
  await d.engine.delete('r', 'gone.txt');
  const stray = await store.put(bytes('written before a crash'));
  const stores = new Map([['main', store]]);
  // Passes a minute apart, starting two hours on (everything is older than the one-hour minimum
  // age): a pass never starts in the same millisecond as the one before, as in real use.
  const start = Date.now() + 2 * HOUR;
  let passes = 0;
  const pass = (extra: { dryRun?: boolean; now?: number } = {}) => {
    const at = extra.now ?? start + passes++ * 60_000;
    return runGcPass({
      records: d.records,
      stores,
      now: () => at,
      ...(extra.dryRun === undefined ? {} : { dryRun: extra.dryRun }),
    });
  };
  return { d, store, kept, gone, stray, pass };
}

describe('runGcPass', () => {
  it('deletes an unreferenced blob only on the third pass, never a referenced one', async () => {
    const { d, store, kept, gone, stray, pass } = await setup();
    const first = await pass();
    expect(first).toMatchObject({ new_candidates: 2, retired_records: 0, deleted_blobs: 0 });
    const second = await pass();
    expect(second).toMatchObject({ new_candidates: 0, retired_records: 1, deleted_blobs: 0 });
    expect(await store.head(gone.blob_id)).not.toBeNull();
    // The dedup record is gone: an upload of the same bytes gets a blob of its own.
    const again = await d.engine.put('r', 'again.txt', 'orphaned bytes');
    expect(again.blob_id).not.toBe(gone.blob_id);
    const third = await pass();
    expect(third).toMatchObject({
      deleted_blobs: 2,
      deleted_bytes: 'orphaned bytes'.length + 'written before a crash'.length,
    });
    expect(await store.head(gone.blob_id)).toBeNull();
    expect(await store.head(stray.id)).toBeNull();
    expect(await store.head(kept.blob_id)).not.toBeNull();
    expect(await store.head(again.blob_id)).not.toBeNull();
    expect(await pass()).toMatchObject({ new_candidates: 0, deleted_blobs: 0 });
  });

  it('rescues a candidate an artifact references again, restoring its dedup record', async () => {
    const { d, store, gone, pass } = await setup();
    await pass();
    await pass();
    // An upload that read the dedup record before the second pass removed it commits now.
    await d.records.artifacts.put('r/late.txt', { ...(await artifactLike(d, gone.blob_id)), path: 'late.txt' });
    // The stray file (retired with it) goes; the rescued blob stays, its dedup record back.
    expect(await pass()).toMatchObject({ rescued: 1, deleted_blobs: 1 });
    expect(await store.head(gone.blob_id)).not.toBeNull();
    const recordsNow = [];
    for await (const { record } of d.records.blobs.scan()) recordsNow.push(record.blob_id);
    expect(recordsNow).toContain(gone.blob_id);
    expect((await pass()).deleted_blobs).toBe(0);
    expect(await store.head(gone.blob_id)).not.toBeNull();
  });

  it('leaves young blobs alone and changes nothing in a dry run', async () => {
    const { store, gone, pass } = await setup();
    expect(await pass({ now: Date.now() })).toMatchObject({ new_candidates: 0, reclaimable_bytes: 0 });
    for (let i = 0; i < 3; i++) {
      expect(await pass({ dryRun: true })).toMatchObject({
        dry_run: true,
        new_candidates: 0,
        deleted_blobs: 0,
        reclaimable_bytes: 'orphaned bytes'.length + 'written before a crash'.length,
      });
    }
    expect(await store.head(gone.blob_id)).not.toBeNull();
  });
});

/** An artifact record pointing at `blobId`, shaped like the kept one. */
async function artifactLike(d: ReturnType<typeof createDepot>, blobId: string) {
  const kept = await d.records.artifacts.get('r/kept.txt');
  if (kept === null) throw new Error('kept.txt has no record');
  return { ...kept, blob_id: blobId };
}
