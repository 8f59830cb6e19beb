import type { BlobStore } from '@depot/core';
import { expect, it } from 'vitest';
import type { BlobStoreSuiteOptions } from '../blob-suite.js';
import { listAllBlobIds, patterned, readAll, sourceOf } from './blob-context.js';

class SuiteFailure extends Error {}

/** Asserts the store holds exactly `ids` (by list, stats and head). */
async function expectOnly(store: BlobStore, ids: readonly string[]): Promise<void> {
  expect((await listAllBlobIds(store)).sort()).toEqual([...ids].sort());
  expect((await store.stats()).blobCount).toBe(ids.length);
}

/** A failed `beforeCommit`, a failing source or an abort leave nothing visible. */
export function blobFailureCases(store: () => BlobStore, options: BlobStoreSuiteOptions): void {
  const t = options.timeoutMs;

  it(
    'beforeCommit runs after the last byte and its rejection aborts the put',
    async () => {
      const kept = await store().put(sourceOf(patterned(100)));
      let consumed = 0;
      async function* counted(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < 8; i++) {
          consumed++;
          yield patterned(10_000, i);
        }
      }
      const failure = new SuiteFailure('digest mismatch');
      const put = store().put(counted(), {
        beforeCommit: async () => {
          expect(consumed).toBe(8);
          throw failure;
        },
      });
      await expect(put).rejects.toBe(failure);
      await expectOnly(store(), [kept.id]);
      expect((await store().stats()).totalBytes).toBe(100);
    },
    t,
  );

  it(
    'a synchronous throw in beforeCommit also leaves nothing',
    async () => {
      const failure = new SuiteFailure('sync');
      await expect(
        store().put(sourceOf(patterned(1000)), {
          beforeCommit: () => {
            throw failure;
          },
        }),
      ).rejects.toBe(failure);
      await expectOnly(store(), []);
    },
    t,
  );

  it(
    'a source that throws midway rejects the put and leaves nothing',
    async () => {
      const failure = new SuiteFailure('client went away');
      async function* broken(): AsyncGenerator<Uint8Array> {
        yield patterned(200_000, 1);
        yield patterned(200_000, 2);
        throw failure;
      }
      let committed = false;
      await expect(
        store().put(broken(), {
          beforeCommit: () => {
            committed = true;
          },
        }),
      ).rejects.toBe(failure);
      expect(committed).toBe(false);
      await expectOnly(store(), []);
    },
    t,
  );

  it(
    'an abort signal fired midway rejects the put and leaves nothing',
    async () => {
      const controller = new AbortController();
      async function* slow(): AsyncGenerator<Uint8Array> {
        yield patterned(100_000, 1);
        controller.abort(new SuiteFailure('aborted'));
        yield patterned(100_000, 2);
        yield patterned(100_000, 3);
      }
      await expect(store().put(slow(), { signal: controller.signal })).rejects.toBeDefined();
      await expectOnly(store(), []);
    },
    t,
  );

  it(
    'a successful beforeCommit commits the blob',
    async () => {
      let calls = 0;
      const put = await store().put(sourceOf(patterned(4096)), {
        beforeCommit: async () => {
          calls++;
        },
      });
      expect(calls).toBe(1);
      expect(await readAll((await store().get(put.id))?.body ?? sourceOf(new Uint8Array(0)))).toEqual(patterned(4096));
    },
    t,
  );
}
