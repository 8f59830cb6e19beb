import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { useDepot } from './helpers/use-depot.js';

type ErrorBody = { error: { code: string; message: string } };

const depot = useDepot({
  toml: `
[[initialization.repositories]]
name = "raw"
repo_type = "hosted"
format = "raw"
store = "default"
`,
});
const { client } = depot;
// Every bad input must leave the server serving.
afterEach(async () => {
  expect((await fetch(`${depot.url}/api/v1/health`)).status).toBe(200);
});

/** Sends raw bytes on a socket and returns the first response head (status line + headers). */
function rawRequest(text: string, waitMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(depot.port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response in ${waitMs} ms; got: ${data}`));
    }, waitMs);
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (data.includes('\r\n\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data);
      }
    });
    // A server refusing a huge head may reset the socket while it is still being written.
    socket.on('error', (err) => (data.includes('\r\n\r\n') ? resolve(data) : reject(err)));
    socket.write(text);
  });
}

async function listRaw(): Promise<string[]> {
  const res = await client.get<{ artifacts: { path: string }[] }>('/api/v1/repositories/raw/artifacts?q=.&limit=1000');
  return res.body.artifacts.map((a) => a.path);
}

describe('bad input catalogue (RELIABILITY §4.1)', () => {
  it('rejects malformed JSON and unknown fields with 400', async () => {
    const malformed = await client.post<ErrorBody>('/api/v1/repositories', undefined, { raw: '{"name": "x",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('BAD_REQUEST');
    const notJson = await client.post<ErrorBody>('/api/v1/repositories', undefined, {
      raw: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.status).toBe(400);
    const unknown = await client.post<ErrorBody>('/api/v1/stores', {
      name: 's',
      store_type: 'file',
      root: '/tmp/x',
      bogus: 1,
    });
    expect(unknown.status).toBe(400);
    const arrayBody = await client.put<ErrorBody>('/api/v1/settings', [1, 2]);
    expect(arrayBody.status).toBe(400);
  });

  it('rejects a JSON body over 2 MiB with 413', async () => {
    const res = await client.post<ErrorBody>('/api/v1/repositories', { name: 'big', pad: 'x'.repeat(3 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects path traversal in every spelling with 400 and stores nothing', async () => {
    const before = await listRaw();
    const spellings = [
      '/repository/raw/..%2f..%2fetc%2fpasswd',
      '/repository/raw/%2e%2e/%2e%2e/etc/passwd',
      '/repository/raw/a/%2f../b',
      '/repository/raw/..%5c..%5cwin.ini',
      '/repository/raw/%c0%ae%c0%ae/x',
      '/repository/raw/file.txt%00.png',
      '/repository/raw/a/%0d%0aSet-Cookie:x=1',
    ];
    for (const path of spellings) {
      for (const method of ['GET', 'PUT']) {
        const head = await rawRequest(
          `${method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${client.authorization}\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx`,
        );
        expect(head.split('\r\n')[0], `${method} ${path}`).toMatch(/^HTTP\/1\.1 400/);
      }
    }
    // `..` literally in the URL (fetch would normalize it away).
    const literal = await rawRequest(
      'GET /repository/raw/a/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(literal.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 400/);
    expect(await listRaw()).toEqual(before);
  });

  it('answers 414 to a huge URL and 431 to huge or too many headers (RELIABILITY §3.8 H3–H4)', async () => {
    const status = async (head: string) => (await rawRequest(`${head}Connection: close\r\n\r\n`)).split('\r\n')[0];
    const longUrl = await rawRequest(`GET /repository/raw/${'a'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(longUrl.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 414/);
    expect(longUrl).toContain('URI_TOO_LONG');
    expect(await status(`GET /v2/${'a'.repeat(100 * 1024)}/manifests/x HTTP/1.1\r\nHost: x\r\n`)).toMatch(/ 414 /);
    expect(await status(`GET /api/v1/health?${'q'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n`)).toMatch(/ 414 /);
    // An 8 KiB path is long but allowed: it reaches the router.
    expect(await status(`GET /repository/raw/${'b'.repeat(8 * 1024)} HTTP/1.1\r\nHost: x\r\n`)).toMatch(/ (401|404) /);
    expect(await status(`GET /api/v1/health HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(40 * 1024)}\r\n`)).toMatch(
      / 431 /,
    );
    expect(await status(`GET /api/v1/health HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(10_000)}`)).toMatch(/ 431 /);
    expect(await status(`GET /api/v1/health HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(1024 * 1024)}\r\n`)).toMatch(
      / 431 /,
    );
    expect(await status('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n')).toMatch(/ 200 /);
  });

  it('rejects request-smuggling shapes with 400 (RELIABILITY §4.1 #13–14)', async () => {
    const auth = `Authorization: ${client.authorization}\r\n`;
    for (const headers of [
      'Content-Length: -1\r\n',
      'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n',
      'Transfer-Encoding: chunked\r\n',
    ]) {
      const body = headers.startsWith('Transfer') ? 'ffffffffffffffffff\r\nx\r\n' : 'hello';
      const head = await rawRequest(
        `PUT /repository/raw/smuggle.bin HTTP/1.1\r\nHost: x\r\n${auth}${headers}\r\n${body}`,
      );
      expect(head.split('\r\n')[0], headers).toMatch(/^HTTP\/1\.1 (400|413)/);
    }
    expect(await listRaw()).not.toContain('smuggle.bin');
  });

  it('answers 413 from Content-Length before reading the body', async () => {
    const started = Date.now();
    const head = await rawRequest(
      `PUT /repository/raw/huge.bin HTTP/1.1\r\nHost: x\r\nAuthorization: ${client.authorization}\r\nContent-Length: ${100 * 1024 ** 3}\r\n\r\n`,
    );
    expect(head.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 413/);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await listRaw()).not.toContain('huge.bin');
  });

  it('answers 413 on a chunked body over max_artifact_bytes and stores nothing', async () => {
    expect((await client.patch('/api/v1/settings', { max_artifact_bytes: 1024 })).status).toBe(200);
    try {
      const chunks = (async function* () {
        for (let i = 0; i < 8; i++) yield new Uint8Array(512).fill(65);
      })();
      const res = await fetch(`${depot.url}/repository/raw/chunked.bin`, {
        method: 'PUT',
        body: Readable.toWeb(Readable.from(chunks)) as ReadableStream,
        headers: { authorization: client.authorization },
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      expect(((await res.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await listRaw()).not.toContain('chunked.bin');
      // Under the limit still works.
      const small = await fetch(`${depot.url}/repository/raw/small.bin`, {
        method: 'PUT',
        body: 'tiny',
        headers: { authorization: client.authorization },
      });
      expect(small.status).toBe(201);
    } finally {
      await client.patch('/api/v1/settings', { max_artifact_bytes: 32 * 1024 ** 3 });
    }
  });

  it('answers 404 for unknown repositories and the bare /repository/ prefix', async () => {
    for (const path of ['/repository/ghost/a.txt', '/repository/ghost', '/repository/', '/repository']) {
      const res = await fetch(depot.url + path, { headers: { authorization: client.authorization } });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as ErrorBody).error.code).toBe('NOT_FOUND');
    }
  });

  it('reaches the format at the repository root', async () => {
    // The raw format answers its own 4xx for the root (no artifact path), not the dispatcher's 404.
    const res = await fetch(`${depot.url}/repository/raw/`, {
      method: 'PUT',
      body: 'x',
      headers: { authorization: client.authorization },
    });
    expect(res.status).toBe(400);
  });

  it('answers wrong methods with 405 JSON', async () => {
    const admin = await client.request<ErrorBody>('DELETE', '/api/v1/settings');
    expect(admin.status).toBe(405);
    expect(admin.body.error.code).toBe('NOT_ALLOWED');
    const artifact = await fetch(`${depot.url}/repository/raw/a.txt`, {
      method: 'PATCH',
      headers: { authorization: client.authorization },
    });
    expect(artifact.status).toBe(405);
  });

  it('rejects wrong credentials with 401 and a challenge', async () => {
    const res = await client.get<ErrorBody>('/api/v1/repositories', { as: ['admin', 'wrong-password'] });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
  });
});
