import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, freePort, startDepot } from './helpers/depot-process.js';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { rejectUnauthorized: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => {
        chunks.push(d);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('[https] listener', () => {
  it('serves the API over TLS next to plain HTTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depot-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      {
        stdio: 'ignore',
      },
    );
    const port = await freePort();
    const depot = await startDepot({
      toml: `[https]\nlisten = "127.0.0.1:${port}"\ntls_cert = ${JSON.stringify(cert)}\ntls_key = ${JSON.stringify(key)}\n`,
    });
    try {
      const res = await get(`https://127.0.0.1:${port}/api/v1/health`);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString()).status).toBe('ok');
      expect(depot.logs()).toContain(`listening on https://127.0.0.1:${port}`);
      // A multi-chunk blob, sent by position through reused buffers, arrives intact over TLS.
      const client = api(depot);
      await client.post('/api/v1/repositories', { name: 'raw', repo_type: 'hosted', format: 'raw', store: 'default' });
      const data = randomBytes(5 * 1024 * 1024 + 7);
      const put = await fetch(`${depot.url}/repository/raw/big.bin`, {
        method: 'PUT',
        body: data,
        headers: { authorization: client.authorization },
      });
      expect(put.status).toBe(201);
      const big = await get(`https://127.0.0.1:${port}/repository/raw/big.bin`, {
        authorization: client.authorization,
      });
      expect(big.status).toBe(200);
      expect(Buffer.compare(big.body, data)).toBe(0);
    } finally {
      expect(await depot.stop()).toBe(0);
    }
  });
});
