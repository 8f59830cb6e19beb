import { describe, expect, it } from 'vitest';
import { isDepotError } from '../errors/depot-error.js';
import type { RepositoryRecord } from '../kv/records.js';
import { defaultUpstreamUrl, responseBytes, upstreamHeaders } from './upstream.js';

const repo = (extra: Partial<RepositoryRecord>): RepositoryRecord => ({
  name: 'c',
  repo_type: 'cache',
  format: 'raw',
  store: 'main',
  created_at: '',
  updated_at: '',
  ...extra,
});

describe('upstream helpers', () => {
  it('joins the upstream URL and the path safely', () => {
    expect(defaultUpstreamUrl(repo({ upstream_url: 'https://x.test/base/' }), 'a/b c/d?e#f.tgz')).toBe(
      'https://x.test/base/a/b%20c/d%3Fe%23f.tgz',
    );
    expect(defaultUpstreamUrl(repo({ upstream_url: 'https://x.test' }), '@scope/pkg')).toBe(
      'https://x.test/@scope/pkg',
    );
    expect(() => defaultUpstreamUrl(repo({}), 'a')).toThrow();
  });

  it('sends validators only when the copy has them', () => {
    const headers = upstreamHeaders(repo({}), null, 'https://x.test/a');
    expect([...headers.keys()]).toEqual([]);
  });

  it("sends the upstream's credentials to its own origin only, never to a host its index links to", () => {
    const cache = repo({ upstream_url: 'https://x.test/simple', upstream_auth: { username: 'u', password: 'p' } });
    expect(upstreamHeaders(cache, null, 'https://x.test/packages/a.whl').get('authorization')).toMatch(/^Basic /);
    expect(upstreamHeaders(cache, null, 'https://files.example/a.whl').get('authorization')).toBeNull();
    expect(upstreamHeaders(cache, null, 'http://x.test/a.whl').get('authorization')).toBeNull();
  });

  it('fails a body that stalls with UPSTREAM_ERROR', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2, 3]));
      },
    });
    const chunks: Uint8Array[] = [];
    let caught: unknown;
    try {
      for await (const chunk of responseBytes(new Response(stream), 50)) chunks.push(chunk);
    } catch (err) {
      caught = err;
    }
    expect(chunks).toHaveLength(1);
    expect(isDepotError(caught, 'UPSTREAM_ERROR')).toBe(true);
  });
});
