import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startDepot } from './helpers/depot-process.js';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
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
      expect(JSON.parse(res.body).status).toBe('ok');
      expect(depot.logs()).toContain(`listening on https://127.0.0.1:${port}`);
    } finally {
      expect(await depot.stop()).toBe(0);
    }
  });
});
