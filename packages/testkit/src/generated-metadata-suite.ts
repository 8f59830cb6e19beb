import { DepotError, generatedMetadata, type KvStore, proxiesContaining, type RepositoryRecord } from '@depot/core';

type RepoShape = Pick<RepositoryRecord, 'name' | 'repo_type' | 'members'>;

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** Opens a fresh, empty KV store for one test; `cleanup` removes it. */
export type OpenKv = () => Promise<{ store: KvStore; cleanup?: () => Promise<void> }>;

const dec = new TextDecoder();
const text = (b: Uint8Array): string => dec.decode(b);

/** A build function over an in-memory "repository": counts rebuilds, can be slowed or failed. */
function fakeRepos() {
  const files = new Map<string, string[]>();
  const state = { builds: 0, gate: undefined as Promise<void> | undefined, fail: false };
  return {
    state,
    files,
    write(repo: string, name: string) {
      files.set(repo, [...(files.get(repo) ?? []), name]);
    },
    async build(repo: string, scope: string): Promise<string> {
      state.builds++;
      const snapshot = [...(files.get(repo) ?? [])];
      if (state.gate) await state.gate;
      if (state.fail) throw new DepotError('INTERNAL_ERROR', 'build failed');
      return `${repo}${scope === '' ? '' : `:${scope}`}=${snapshot.join(',')}`;
    },
  };
}

/** A KV whose pointer writes can be made to fail, standing in for a crash before the swap. */
function crashingPointer(store: KvStore): { kv: KvStore; crash: { next: boolean } } {
  const crash = { next: false };
  const kv: KvStore = {
    capabilities: store.capabilities,
    get: (key) => store.get(key),
    getVersioned: (key) => store.getVersioned(key),
    put: (key, value) => store.put(key, value),
    putIfVersion(key, value, expected) {
      if (crash.next && key.endsWith('/pointer')) {
        crash.next = false;
        return Promise.reject(new Error('process died'));
      }
      return store.putIfVersion(key, value, expected);
    },
    delete: (key) => store.delete(key),
    deleteIfVersion: (key, expected) => store.deleteIfVersion(key, expected),
    list: (opts) => store.list(opts),
    batch: (ops) => store.batch(ops),
    close: () => store.close(),
  };
  return { kv, crash };
}

/**
 * The contract of core's `generatedMetadata` helper (the stale-flag pattern), run against one KV
 * backend: rebuild once under concurrent reads, rebuild again after a write during a rebuild,
 * propagate to proxies, and keep serving the previous metadata when a rebuild dies midway.
 */
export function describeGeneratedMetadata(name: string, open: OpenKv): void {
  describe(`generated metadata on ${name}`, () => {
    let store: KvStore;
    let cleanup: (() => Promise<void>) | undefined;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    it('builds on first read, then serves without rebuilding until a write marks it stale', async () => {
      const repos = fakeRepos();
      const meta = generatedMetadata({ kv: store, prefix: 'fmt/test/index/', build: repos.build });
      repos.write('r', 'a');
      expect(text(await meta.read('r'))).toBe('r=a');
      expect(text(await meta.read('r'))).toBe('r=a');
      expect(repos.state.builds).toBe(1);
      repos.write('r', 'b');
      await meta.markStale('r');
      expect(await meta.isStale('r')).toBe(true);
      expect(text(await meta.read('r'))).toBe('r=a,b');
      expect(repos.state.builds).toBe(2);
      expect(await meta.isStale('r')).toBe(false);
    });

    it('50 concurrent reads after a write rebuild exactly once', async () => {
      const repos = fakeRepos();
      const meta = generatedMetadata({ kv: store, prefix: 'fmt/test/index/', build: repos.build });
      await meta.read('r');
      repos.write('r', 'x');
      await meta.markStale('r');
      const before = repos.state.builds;
      const bodies = await Promise.all(Array.from({ length: 50 }, () => meta.read('r')));
      expect(repos.state.builds - before).toBe(1);
      expect(new Set(bodies.map(text))).toEqual(new Set(['r=x']));
    });

    it('a write during a rebuild causes another rebuild, and the read returns it', async () => {
      const repos = fakeRepos();
      const meta = generatedMetadata({ kv: store, prefix: 'fmt/test/index/', build: repos.build });
      let open: () => void = () => {};
      repos.state.gate = new Promise<void>((r) => {
        open = r;
      });
      repos.write('r', 'a');
      const reading = meta.read('r');
      while (repos.state.builds === 0) await new Promise((r) => setTimeout(r, 1));
      repos.write('r', 'b');
      await meta.markStale('r');
      repos.state.gate = undefined;
      open();
      expect(text(await reading)).toBe('r=a,b');
      expect(repos.state.builds).toBe(2);
      expect(await meta.isStale('r')).toBe(false);
    });

    it('a later read rebuilds again when writes outlast the passes one read makes', async () => {
      const repos = fakeRepos();
      const meta = generatedMetadata({ kv: store, prefix: 'fmt/test/index/', build: repos.build, maxPasses: 1 });
      let open: () => void = () => {};
      repos.state.gate = new Promise<void>((r) => {
        open = r;
      });
      const reading = meta.read('r');
      while (repos.state.builds === 0) await new Promise((r) => setTimeout(r, 1));
      repos.write('r', 'late');
      await meta.markStale('r');
      repos.state.gate = undefined;
      open();
      expect(text(await reading)).toBe('r=');
      expect(await meta.isStale('r')).toBe(true);
      expect(text(await meta.read('r'))).toBe('r=late');
      expect(repos.state.builds).toBe(2);
    });

    it('scopes (packages) go stale independently', async () => {
      const repos = fakeRepos();
      const meta = generatedMetadata({ kv: store, prefix: 'fmt/test/pkg/', build: repos.build });
      await meta.read('r', 'left');
      await meta.read('r', 'right');
      await meta.markStale('r', 'left');
      expect(await meta.isStale('r', 'left')).toBe(true);
      expect(await meta.isStale('r', 'right')).toBe(false);
    });

    it('a write marks the proxies containing the repository stale, nested ones included', async () => {
      const records: RepoShape[] = [
        { name: 'hosted', repo_type: 'hosted' },
        { name: 'inner', repo_type: 'proxy', members: ['hosted'] },
        { name: 'outer', repo_type: 'proxy', members: ['inner'] },
        { name: 'other', repo_type: 'proxy', members: ['elsewhere'] },
      ];
      async function* scan(): AsyncIterable<RepoShape> {
        yield* records;
      }
      expect((await proxiesContaining(scan, 'hosted')).sort()).toEqual(['inner', 'outer']);
      const repos = fakeRepos();
      const meta = generatedMetadata({
        kv: store,
        prefix: 'fmt/test/index/',
        build: repos.build,
        containers: (repo) => proxiesContaining(scan, repo),
      });
      for (const r of ['hosted', 'inner', 'outer', 'other']) await meta.read(r);
      await meta.markStale('hosted');
      expect(await meta.isStale('hosted')).toBe(true);
      expect(await meta.isStale('inner')).toBe(true);
      expect(await meta.isStale('outer')).toBe(true);
      expect(await meta.isStale('other')).toBe(false);
    });

    it('a rebuild that dies before the pointer swap leaves the previous metadata served', async () => {
      const repos = fakeRepos();
      const { kv, crash } = crashingPointer(store);
      const meta = generatedMetadata({ kv, prefix: 'fmt/test/index/', build: repos.build });
      repos.write('r', 'a');
      expect(text(await meta.read('r'))).toBe('r=a');
      repos.write('r', 'b');
      await meta.markStale('r');
      crash.next = true;
      expect(text(await meta.read('r'))).toBe('r=a');
      expect(await meta.isStale('r')).toBe(true);
      expect(text(await meta.read('r'))).toBe('r=a,b');
    });

    it('a failing build serves the previous metadata, and fails only when there is none', async () => {
      const repos = fakeRepos();
      const meta = generatedMetadata({ kv: store, prefix: 'fmt/test/index/', build: repos.build });
      repos.state.fail = true;
      await expect(meta.read('fresh')).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
      repos.state.fail = false;
      expect(text(await meta.read('r'))).toBe('r=');
      await meta.markStale('r');
      repos.state.fail = true;
      expect(text(await meta.read('r'))).toBe('r=');
    });

    it('keeps one content record per repository and scope after rebuilds', async () => {
      const repos = fakeRepos();
      const meta = generatedMetadata({ kv: store, prefix: 'fmt/test/index/', build: repos.build });
      for (let i = 0; i < 5; i++) {
        await meta.markStale('r');
        await meta.read('r');
      }
      const page = await store.list({ prefix: 'fmt/test/index/r//content/' });
      expect(page.entries).toHaveLength(1);
    });
  });
}
