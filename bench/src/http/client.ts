import type { Readable } from 'node:stream';
import { Pool } from 'undici';

/** Where requests go and the headers every request carries (authorization). */
export interface Endpoint {
  readonly pool: Pool;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A keep-alive connection pool with pipelining off (one request in flight per connection), so
 * `connections` is the concurrency the server sees. Timeouts bound a stuck server.
 */
export function createPool(origin: string, connections: number): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
}

/** Thrown for an unexpected HTTP status; carries the status and a snippet of the body. */
export class HttpStatusError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly snippet: string,
  ) {
    super(`${method} ${path} -> ${status} ${snippet}`);
    this.name = 'HttpStatusError';
  }
}

/** Sends a request with an optional body, drains the response and returns its status, headers and text or byte count. */
export async function send(
  ep: Endpoint,
  method: string,
  path: string,
  opts: {
    readonly body?: string | Uint8Array | Readable;
    readonly headers?: Record<string, string>;
    readonly expect?: readonly number[];
    readonly text?: boolean;
  } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; bytes: number }> {
  const res = await ep.pool.request({
    method: method as 'GET',
    path,
    headers: { ...ep.headers, ...opts.headers },
    body: opts.body ?? null,
  });
  let text = '';
  let bytes = 0;
  const ok = opts.expect ? opts.expect.includes(res.statusCode) : res.statusCode < 300;
  if (opts.text || !ok) {
    text = await res.body.text();
    bytes = Buffer.byteLength(text);
  } else {
    for await (const chunk of res.body) bytes += (chunk as Uint8Array).length;
  }
  if (!ok) throw new HttpStatusError(method, path, res.statusCode, text.slice(0, 200));
  return { status: res.statusCode, headers: res.headers, text, bytes };
}

/**
 * GETs a path and counts the body bytes without a stream in between (undici's low-level
 * `dispatch`), so the load generator costs as little CPU per byte as possible. Rejects on a
 * status of 300 or more.
 */
export function getDrain(ep: Endpoint, path: string, headers?: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let bytes = 0;
    ep.pool.dispatch(
      { method: 'GET', path, headers: headers ? { ...ep.headers, ...headers } : ep.headers },
      {
        // The legacy handler shape: undici 7's Pool -> Client path still validates `onConnect`.
        onConnect() {},
        onHeaders(statusCode) {
          status = statusCode;
          return true;
        },
        onData(chunk) {
          bytes += chunk.length;
          return true;
        },
        onComplete() {
          // A conditional GET expects its 304.
          const expected = status < 300 || (status === 304 && headers?.['if-none-match'] !== undefined);
          if (!expected) reject(new HttpStatusError('GET', path, status, ''));
          else resolve(bytes);
        },
        onError(err) {
          reject(err);
        },
      },
    );
  });
}

/** Logs in through `/api/v1/auth/login` and returns a Bearer header; falls back to Basic when login is unavailable. */
export async function authHeaders(origin: string, user: string, password: string): Promise<Record<string, string>> {
  const pool = createPool(origin, 1);
  try {
    const res = await send({ pool, headers: {} }, 'POST', '/api/v1/auth/login', {
      body: JSON.stringify({ username: user, password }),
      headers: { 'content-type': 'application/json' },
      text: true,
      expect: [200, 201, 401, 404, 405],
    });
    if (res.status < 300) {
      const token = (JSON.parse(res.text) as { token?: string }).token;
      if (token) return { authorization: `Bearer ${token}` };
    }
    if (res.status === 401) throw new Error(`login as ${user} failed: 401`);
  } finally {
    await pool.close();
  }
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
