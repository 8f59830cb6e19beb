import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDepsDir } from '../launch/paths.js';
import { freePort, spawnManaged, waitForHttp } from '../launch/process.js';
import type { PeerInstance } from './peer.js';

/** The verdaccio entry installed by scripts/install-test-deps.sh, or null. */
export function verdaccioBin(): string | null {
  const bin = join(testDepsDir(), 'verdaccio', 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  return existsSync(bin) ? bin : null;
}

/** verdaccio 6.8 with htpasswd auth and no uplinks, on loopback; returns it plus a publish token. */
export async function startVerdaccio(dir: string): Promise<PeerInstance & { token: string }> {
  const bin = verdaccioBin();
  if (!bin) throw new Error('verdaccio not installed (run scripts/install-test-deps.sh)');
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const port = await freePort();
  const cfg = join(dir, 'config.yaml');
  writeFileSync(
    cfg,
    [
      `storage: ${join(dir, 'storage')}`,
      `auth: { htpasswd: { file: ${join(dir, 'htpasswd')}, max_users: 100 } }`,
      'uplinks: {}',
      // JWT API tokens (verdaccio's recommended setting): the legacy token re-checks the bcrypt
      // password on every request, which would make every authenticated GET cost ~80 ms.
      'security: { api: { jwt: { sign: { expiresIn: 7d } } }, web: { sign: { expiresIn: 7d } } }',
      'max_body_size: 200mb',
      'packages:',
      "  '@*/*': { access: $all, publish: $authenticated }",
      "  '**': { access: $all, publish: $authenticated }",
      'log: { type: stdout, format: pretty, level: error }',
      '',
    ].join('\n'),
  );
  const proc = spawnManaged(process.execPath, [bin, '-c', cfg, '-l', `127.0.0.1:${port}`], {
    logFile: join(dir, 'verdaccio.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/-/ping`, 30_000, proc);
    const user = { name: 'bench', password: 'bench-pass-1' };
    const res = await fetch(`${url}/-/user/org.couchdb.user:bench`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    });
    const body = (await res.json()) as { token?: string };
    if (!body.token) throw new Error(`verdaccio adduser failed: ${res.status}`);
    return { name: 'verdaccio', url, pid: proc.pid, token: body.token, stop: () => proc.stop() };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
