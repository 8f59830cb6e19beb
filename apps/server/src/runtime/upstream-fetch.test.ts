import { createServer, type Server } from 'node:http';
import { type AddressPolicy, isDepotError, noopLogger } from '@depot/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstreamFetch, guardedLookup, type Resolve } from './upstream-fetch.js';

let server: Server;
let port = 0;
let hits = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  port = typeof addr === 'object' && addr !== null ? addr.port : 0;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A resolver where `upstream.test` is 127.0.0.1 and `meta.test` a metadata address. */
const fakeDns: Resolve = (hostname, _options, callback) => {
  if (hostname === 'upstream.test') return callback(null, [{ address: '127.0.0.1', family: 4 }]);
  if (hostname === 'meta.test') return callback(null, [{ address: '169.254.169.254', family: 4 }]);
  callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
};

const deny: AddressPolicy = { allowPrivate: false, allowLinkLocal: false };
const allow: AddressPolicy = { allowPrivate: true, allowLinkLocal: false };

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('should fail'),
    (err: unknown) => err,
  );
}

describe('createUpstreamFetch', () => {
  it('refuses a name that resolves to a private address when connecting, unless allowed', async () => {
    let policy = deny;
    const fetch = createUpstreamFetch(() => policy, noopLogger, fakeDns);
    const before = hits;
    const err = await failure(fetch(`http://upstream.test:${port}/x`, {}));
    expect(err).toBeInstanceOf(Error);
    expect(hits).toBe(before);
    policy = allow;
    const res = await fetch(`http://upstream.test:${port}/x`, {});
    expect(await res.text()).toBe('ok');
    expect(hits).toBe(before + 1);
  });

  it('refuses a name that resolves to a metadata address even with private upstreams allowed', async () => {
    // The lookup alone, so no connection can ever be attempted to a non-loopback address.
    const lookup = guardedLookup(() => allow, noopLogger, fakeDns);
    const answer = await new Promise<{ err: unknown; addresses: unknown }>((resolve) =>
      lookup('meta.test', { all: true }, (err, addresses) => resolve({ err, addresses })),
    );
    expect(isDepotError(answer.err, 'UPSTREAM_ERROR')).toBe(true);
    const ok = await new Promise<{ err: unknown; addresses: unknown }>((resolve) =>
      lookup('upstream.test', { all: true }, (err, addresses) => resolve({ err, addresses })),
    );
    expect(ok).toEqual({ err: null, addresses: [{ address: '127.0.0.1', family: 4 }] });
  });

  it('refuses IP literals of a refused class before sending, with UPSTREAM_ERROR', async () => {
    const fetch = createUpstreamFetch(() => deny, noopLogger, fakeDns);
    const before = hits;
    for (const host of [`127.0.0.1:${port}`, `127.1:${port}`, `[::ffff:127.0.0.1]:${port}`, `localhost:${port}`]) {
      const err = await failure(fetch(`http://${host}/x`, {}));
      expect(isDepotError(err, 'UPSTREAM_ERROR'), host).toBe(true);
    }
    expect(hits).toBe(before);
  });
});
