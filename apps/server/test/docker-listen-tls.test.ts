import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startDepot } from './helpers/depot-process.js';

function get(url: string): Promise<{ status: number; challenge: string }> {
  return new Promise((resolve, reject) => {
    request(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, challenge: String(res.headers['www-authenticate'] ?? '') }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('docker repository listen with [https]', () => {
  it('speaks TLS with the [https] certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depot-listen-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const subject = ['-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', key, '-out', cert];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', ...subject], { stdio: 'ignore' });
    const [httpsPort, repoPort] = [await freePort(), await freePort()];
    const depot = await startDepot({
      toml: `
[[initialization.repositories]]
name = "tls-bound"
repo_type = "hosted"
format = "docker"
store = "default"
listen = "127.0.0.1:${repoPort}"

[https]
listen = "127.0.0.1:${httpsPort}"
tls_cert = ${JSON.stringify(cert)}
tls_key = ${JSON.stringify(key)}
`,
    });
    try {
      let res: { status: number; challenge: string } | undefined;
      const deadline = Date.now() + 10_000;
      while (res === undefined && Date.now() < deadline) {
        res = await get(`https://127.0.0.1:${repoPort}/v2/`).catch(() => undefined);
        if (res === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(res?.status).toBe(401);
      expect(res?.challenge).toContain(`realm="https://127.0.0.1:${repoPort}/v2/token"`);
    } finally {
      expect(await depot.stop()).toBe(0);
    }
  }, 60_000);
});
