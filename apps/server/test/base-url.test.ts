import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DepotProcess, freePort, runCli, startDepot } from './helpers/depot-process.js';
import { HOSTED_DOCKER_TOML } from './helpers/docker.js';

// RELIABILITY §4.1 #10: `Host: evil.com` must not decide the absolute URLs other clients get.
let depot: DepotProcess | undefined;
afterEach(async () => {
  await depot?.stop();
  depot = undefined;
});

/** The `WWW-Authenticate` of an anonymous `GET /v2/` sent with `host` (fetch cannot set Host). */
function challenge(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/v2/', headers: { host } }, (res) => {
      res.resume();
      resolve(String(res.headers['www-authenticate'] ?? ''));
    })
      .on('error', reject)
      .end();
  });
}

describe('external base URL', () => {
  it('without base_url, each response is built from its own Host', async () => {
    depot = await startDepot({ toml: HOSTED_DOCKER_TOML });
    expect(await challenge(depot.port, 'evil.com')).toBe('Bearer realm="http://evil.com/v2/token",service="depot"');
    expect(await challenge(depot.port, `127.0.0.1:${depot.port}`)).toBe(
      `Bearer realm="http://127.0.0.1:${depot.port}/v2/token",service="depot"`,
    );
  });

  it('with base_url, Host is never consulted on the main listener; a repository port keeps its own', async () => {
    const repoPort = await freePort();
    depot = await startDepot({
      toml: `base_url = "https://depot.example.com/"\n${HOSTED_DOCKER_TOML}listen = "127.0.0.1:${repoPort}"\n`,
    });
    for (const host of ['evil.com', `127.0.0.1:${depot.port}`]) {
      expect(await challenge(depot.port, host)).toBe(
        'Bearer realm="https://depot.example.com/v2/token",service="depot"',
      );
    }
    for (let i = 0; i < 50; i++) {
      const up = await fetch(`http://127.0.0.1:${repoPort}/v2/`).then(
        () => true,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await challenge(repoPort, `127.0.0.1:${repoPort}`)).toBe(
      `Bearer realm="http://127.0.0.1:${repoPort}/v2/token",service="depot"`,
    );
  });

  it('refuses a base_url that is not an http(s) URL, naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depot-cfg-'));
    const file = join(dir, 'depot.toml');
    writeFileSync(file, 'base_url = "ftp://depot.example.com/?x=1"\n[http]\nlisten = "127.0.0.1:0"\n');
    const run = await runCli(['-c', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('base_url');
  });
});
