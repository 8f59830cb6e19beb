import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP listener on 127.0.0.1 in front of a harness, used as a cache repository's upstream. */
export interface HarnessServer {
  /** `http://127.0.0.1:<port>`; a repository is at `${url}/repository/<name>`. */
  readonly url: string;
  /** Every request received so far, in order (method and URL path). */
  readonly requests: readonly { readonly method: string; readonly path: string }[];
  /** Requests received so far. */
  hits(): number;
  /** Stops listening and drops open connections; later requests get connection errors. */
  stop(): Promise<void>;
}

/** The parts of a harness the listener dispatches to (kept structural to avoid an import cycle). */
export interface ServeTarget {
  request(req: {
    method: string;
    repo: string;
    path: string;
    query: string;
    headers: Record<string, string>;
    body?: AsyncIterable<Uint8Array>;
    baseUrl: string;
  }): Promise<{ status: number; headers: Readonly<Record<string, string>>; body: Buffer }>;
  mount(req: {
    method: string;
    rawPath: string;
    query: string;
    headers: Record<string, string>;
    body?: AsyncIterable<Uint8Array>;
  }): Promise<{ status: number; headers: Readonly<Record<string, string>>; body: Buffer }>;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * Serves `target` over HTTP: `/repository/{repo}/{path}` goes to `request`, anything else to
 * `mount`. Errors inside the target answer 500 so a broken test fails loudly upstream.
 */
export async function serveHarness(target: ServeTarget): Promise<HarnessServer> {
  const requests: { method: string; path: string }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream.invalid');
    const method = req.method ?? 'GET';
    requests.push({ method, path: url.pathname });
    const headers = flatHeaders(req);
    const body = method === 'GET' || method === 'HEAD' ? undefined : req;
    const query = url.search.slice(1);
    const match = /^\/repository\/([^/]+)\/?(.*)$/.exec(url.pathname);
    const answer = match
      ? target.request({
          method,
          repo: decodeURIComponent(match[1] ?? ''),
          path: match[2] ?? '',
          query,
          headers,
          // Absolute URLs the format builds (a registry's download template) point back here.
          baseUrl: `http://${req.headers.host ?? '127.0.0.1'}`,
          ...(body ? { body } : {}),
        })
      : target.mount({ method, rawPath: url.pathname, query, headers, ...(body ? { body } : {}) });
    answer.then(
      (out) => {
        res.writeHead(out.status, out.headers);
        res.end(method === 'HEAD' ? undefined : out.body);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hits: () => requests.length,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
