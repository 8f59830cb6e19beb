import { beforeEach, describe, expect, it } from 'vitest';
import { code, repo, source } from '../../test/engine-support.js';
import { type Principal, SYSTEM_PRINCIPAL } from '../auth/principal.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { type DepotRecords, depotRecords, type RepositoryRecord } from '../kv/records.js';
import { createRepositoryEngine } from '../repo/create-engine.js';
import type { RepositoryEngine } from '../repo/engine.js';
import type { FormatRequest } from './format.js';
import {
  fillsFromUpstream,
  ifNoneMatchHits,
  immutableArtifactResponse,
  requestWriteTarget,
} from './request-helpers.js';

/** May read everything, write nothing but `open`. */
const writerOfOpen: Principal = {
  username: 'w',
  anonymous: false,
  admin: false,
  can: (action, name) => action === 'read' || name === 'open',
};

describe('format request helpers', () => {
  let records: DepotRecords;
  let engine: RepositoryEngine;
  const request = async (
    name: string,
    principal: Principal = SYSTEM_PRINCIPAL,
    headers = {},
  ): Promise<FormatRequest> => {
    const record = (await records.repositories.get(name)) as RepositoryRecord;
    return {
      method: 'GET',
      query: new URLSearchParams(),
      headers,
      body: source(''),
      baseUrl: 'http://depot.test',
      principal,
      signal: new AbortController().signal,
      repo: record,
      path: 'a.txt',
      rawPath: 'a.txt',
      engine: engine.as(principal),
    };
  };

  beforeEach(async () => {
    records = depotRecords(memoryKvStore());
    const blobs = memoryBlobStore();
    engine = createRepositoryEngine({ records, blobStore: async () => blobs });
    await records.repositories.put('open', repo('open'));
    await records.repositories.put('closed', repo('closed'));
    await records.repositories.put('mirror', repo('mirror', { repo_type: 'cache', upstream_url: 'http://up.test' }));
    await records.repositories.put(
      'to-open',
      repo('to-open', { repo_type: 'proxy', members: ['open'], write_member: 'open' }),
    );
    await records.repositories.put(
      'to-closed',
      repo('to-closed', { repo_type: 'proxy', members: ['closed', 'mirror'], write_member: 'closed' }),
    );
  });

  it('requestWriteTarget: hosted itself, a proxy its write member as the caller, a cache refuses', async () => {
    expect((await requestWriteTarget(await request('open', writerOfOpen))).name).toBe('open');
    expect((await requestWriteTarget(await request('to-open', writerOfOpen))).name).toBe('open');
    expect(await code(requestWriteTarget(await request('to-closed', writerOfOpen)))).toBe('FORBIDDEN');
    expect(await code(requestWriteTarget(await request('mirror')))).toBe('NOT_ALLOWED');
  });

  it('fillsFromUpstream: only when no member ahead of the first cache holds the path', async () => {
    expect(await fillsFromUpstream(await request('open'), 'a.txt')).toBe(false);
    expect(await fillsFromUpstream(await request('mirror'), 'a.txt')).toBe(true);
    expect(await fillsFromUpstream(await request('to-closed'), 'a.txt')).toBe(true);
    await engine.put('closed', 'a.txt', source('held'));
    expect(await fillsFromUpstream(await request('to-closed'), 'a.txt')).toBe(false);
  });

  it('immutableArtifactResponse: ETag from BLAKE3, 304 on If-None-Match, no ETag while provisional', async () => {
    await engine.put('open', 'a.txt', source('bytes'));
    const read = async () => {
      const found = await engine.get('open', 'a.txt');
      if (found === null) throw new Error('stored artifact missing');
      return found;
    };
    const first = await immutableArtifactResponse(await request('open'), await read(), {
      'content-type': 'text/plain',
    });
    expect(first.status).toBe(200);
    expect(first.headers?.['content-length']).toBe('5');
    const etag = first.headers?.etag ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await immutableArtifactResponse(
      await request('open', SYSTEM_PRINCIPAL, { 'if-none-match': etag }),
      await read(),
      {},
    );
    expect([again.status, again.body ?? null]).toEqual([304, null]);
    const provisional = await immutableArtifactResponse(
      await request('open'),
      { ...(await read()), provisional: true },
      {},
    );
    expect([provisional.status, provisional.headers?.etag]).toEqual([200, undefined]);
  });
});

describe('ifNoneMatchHits', () => {
  it('matches a list, a weak tag and *, and nothing without the header', () => {
    expect(ifNoneMatchHits('"a", W/"b"', '"b"')).toBe(true);
    expect(ifNoneMatchHits('"b"', '"b"')).toBe(true);
    expect(ifNoneMatchHits('*', '"b"')).toBe(true);
    expect(ifNoneMatchHits('"a", "c"', '"b"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"b"')).toBe(false);
  });
});
