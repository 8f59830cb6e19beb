import { beforeEach, describe, expect, it } from 'vitest';
import { code, repo, source, text } from '../../test/engine-support.js';
import type { Principal, RepoAction } from '../auth/principal.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { type DepotRecords, depotRecords, type RepositoryRecord } from '../kv/records.js';
import { createRepositoryEngine } from './create-engine.js';
import type { RepositoryEngine } from './engine.js';

/** A principal granted every action on repositories named `team-*`, nothing else. */
const team = (anonymous = false): Principal => ({
  username: anonymous ? 'anonymous' : 'team',
  anonymous,
  admin: false,
  can: (_action: RepoAction, name: string) => name.startsWith('team-'),
});

describe('repository engine: proxy members and permissions', () => {
  let records: DepotRecords;
  let engine: RepositoryEngine;
  const add = (name: string, extra: Partial<RepositoryRecord> = {}): Promise<string> =>
    records.repositories.put(name, repo(name, extra));

  beforeEach(async () => {
    records = depotRecords(memoryKvStore());
    const blobs = memoryBlobStore();
    engine = createRepositoryEngine({
      records,
      blobStore: async () => blobs,
      fetch: () => Promise.reject(new Error('unused')),
      cachePolicy: () => undefined,
    });
    await add('secret-a');
    await add('team-ok');
    await add('team-group', { repo_type: 'proxy', members: ['secret-a', 'team-ok'], write_member: 'secret-a' });
    await add('team-inner', { repo_type: 'proxy', members: ['secret-a'] });
    await add('team-outer', { repo_type: 'proxy', members: ['team-inner', 'team-ok'] });
    await engine.put('secret-a', 'same.txt', source('secret'));
    await engine.put('secret-a', 'hidden.txt', source('secret'));
    await engine.put('team-ok', 'same.txt', source('ok'));
  });

  it('skips members the principal may not read, in every read path', async () => {
    const scoped = engine.as(team());
    for (const proxy of ['team-group', 'team-outer']) {
      expect(await scoped.get(proxy, 'hidden.txt')).toBeNull();
      const same = await scoped.get(proxy, 'same.txt');
      expect([same?.repo, await text(same)]).toEqual(['team-ok', 'ok']);
      expect((await scoped.list(proxy)).artifacts.map((a) => a.repo)).toEqual(['team-ok']);
      expect((await scoped.search(proxy, { q: 'txt' })).artifacts.map((a) => a.path)).toEqual(['same.txt']);
      expect((await scoped.browse(proxy, '')).artifacts.map((a) => a.path)).toEqual(['same.txt']);
      expect((await scoped.resolveMembers(proxy)).map((m) => m.name)).toEqual(['team-ok']);
    }
    // The unscoped engine (SYSTEM) and an admin still see everything.
    expect((await engine.get('team-group', 'same.txt'))?.repo).toBe('secret-a');
    expect((await engine.resolveMembers('team-outer')).map((m) => m.name)).toEqual(['secret-a', 'team-ok']);
  });

  it('refuses writes whose proxy target the principal may not write, storing nothing', async () => {
    expect(await code(engine.as(team()).put('team-group', 'new.txt', source('x')))).toBe('FORBIDDEN');
    expect(await code(engine.as(team(true)).put('team-group', 'new.txt', source('x')))).toBe('UNAUTHORIZED');
    expect(await code(engine.as(team()).resolveWriteTarget('team-group'))).toBe('FORBIDDEN');
    expect(await engine.stat('secret-a', 'new.txt')).toBeNull();
    // A write member it may write is fine.
    await add('team-writable', { repo_type: 'proxy', members: ['secret-a', 'team-ok'], write_member: 'team-ok' });
    expect((await engine.as(team()).put('team-writable', 'new.txt', source('x'))).repo).toBe('team-ok');
  });

  it('refuses a proxy delete touching a member the principal may not delete, deleting nothing', async () => {
    const scoped = engine.as(team());
    expect(await code(scoped.delete('team-group', 'same.txt'))).toBe('FORBIDDEN');
    expect(await engine.stat('secret-a', 'same.txt')).not.toBeNull();
    expect(await engine.stat('team-ok', 'same.txt')).not.toBeNull();
    // A path only readable members hold is deleted as before.
    await engine.put('team-ok', 'mine.txt', source('m'));
    expect(await scoped.delete('team-group', 'mine.txt')).toBe(true);
  });

  it('acts as the system unless scoped with as(): only the view is limited', async () => {
    expect(await engine.as(team()).get('team-outer', 'hidden.txt')).toBeNull();
    expect(await code(engine.as(team()).put('team-group', 'n.txt', source('n')))).toBe('FORBIDDEN');
    expect(await engine.get('team-outer', 'hidden.txt')).not.toBeNull();
  });
});
